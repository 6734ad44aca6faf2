import Meyda from 'meyda';
import { DataError } from '../../core/errors.js';
import type { AudioSignal } from '../../data/types.js';
import type { FeatureSequence } from '../types.js';
import { Fft, nextPow2 } from './fft.js';
import { yinTrack, type YinConfig } from './yin.js';

/**
 * Speech features on short frames: MFCC (+Δ, +ΔΔ), log energy, pitch (F0 and voicing).
 *
 * MFCC follows meyda's conventions exactly (meyda 5.6, `extractors/mfcc`):
 * - |FFT| of the frame for bins 0 … N/2−1 (the Nyquist bin is dropped), power = |X|²
 *   with no 1/N scaling;
 * - mel = 1125·ln(1 + f/700); `melBands` triangular filters equally spaced in mel
 *   from 0 Hz to Nyquist, filter edges at bin floor((N+1)·f/sr), peak height 1
 *   (not area-normalised);
 * - log(energy + 1) (natural log; the +1 keeps silence finite);
 * - unnormalised DCT-II scaled by 2 (the `dct` package): c_k = 2·Σ_n x_n·cos(π/M·(n+½)·k),
 *   keeping c_0 … c_{nMfcc−1}.
 * meyda windows the whole FFT buffer and needs a power-of-two frame, so the
 * 25 ms frame is pre-emphasised and windowed here, zero-padded to the FFT size,
 * and handed to meyda with its `rect` window.
 *
 * `mfccImpl: 'meyda'` runs meyda's own mfcc extractor (filterbank, log, DCT)
 * on each frame's amplitude spectrum; `'fast'` (default) computes the same
 * formulas with meyda's filterbank stored sparsely and a precomputed DCT matrix
 * (meyda allocates 26 spectra and runs an array-reduce DCT per frame, ~10× the
 * cost). The two agree to float precision (tested), and both match an
 * independent numpy reference.
 *
 * Δ: the regression formula d_t = Σ_{n=1..N} n·(c_{t+n} − c_{t−n}) / (2·Σ n²), edge
 * frames repeated (HTK / python_speech_features). Log energy: ln(max(Σ x², 1e−10))
 * over the raw frame. Frame t covers samples [t·hop, t·hop + frame); its time is
 * the frame centre. Columns: mfcc_0…, d_mfcc_0…, dd_mfcc_0…, log_energy, f0_hz
 * (0 when unvoiced), voiced (0/1).
 */
export interface SpeechConfig {
  frameMs: number;
  hopMs: number;
  nMfcc: number;
  melBands: number;
  /** 0: MFCC only, 1: +Δ, 2: +Δ+ΔΔ. */
  deltaOrder: 0 | 1 | 2;
  /** N of the Δ regression window. */
  deltaWidth: number;
  /** First-order pre-emphasis coefficient (0 = none). */
  preemphasis: number;
  window: 'hann' | 'hamming' | 'rect';
  /** FFT size; 0 = the next power of two ≥ the frame. */
  fftSize: number;
  mfccImpl: 'fast' | 'meyda';
  pitch: YinConfig & { enabled: boolean };
}

export const DEFAULT_SPEECH: SpeechConfig = {
  frameMs: 25,
  hopMs: 10,
  nMfcc: 13,
  melBands: 26,
  deltaOrder: 2,
  deltaWidth: 2,
  preemphasis: 0.97,
  window: 'hann',
  fftSize: 0,
  mfccImpl: 'fast',
  pitch: { enabled: true, fmin: 60, fmax: 400, threshold: 0.15, windowMs: 30, minRms: 1e-3 },
};

export function speechFeatureNames(cfg: SpeechConfig = DEFAULT_SPEECH): string[] {
  const names: string[] = [];
  const prefixes = ['mfcc', 'd_mfcc', 'dd_mfcc'].slice(0, cfg.deltaOrder + 1);
  for (const p of prefixes) for (let k = 0; k < cfg.nMfcc; k++) names.push(`${p}_${k}`);
  names.push('log_energy');
  if (cfg.pitch.enabled) names.push('f0_hz', 'voiced');
  return names;
}

/** Symmetric window of length n (numpy.hanning / numpy.hamming). */
export function makeWindow(kind: SpeechConfig['window'], n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ph = n > 1 ? (2 * Math.PI * i) / (n - 1) : 0;
    w[i] = kind === 'hann' ? 0.5 - 0.5 * Math.cos(ph) : kind === 'hamming' ? 0.54 - 0.46 * Math.cos(ph) : 1;
  }
  return w;
}

/** Framing arithmetic shared by every frame-level extractor. */
export function frameLayout(numSamples: number, sampleRate: number, frameMs: number, hopMs: number): { frame: number; hop: number; count: number; times: Float32Array } {
  const frame = Math.round((frameMs * sampleRate) / 1000);
  const hop = Math.round((hopMs * sampleRate) / 1000);
  const count = numSamples >= frame ? 1 + Math.floor((numSamples - frame) / hop) : numSamples > 0 ? 1 : 0;
  const times = new Float32Array(count);
  for (let t = 0; t < count; t++) times[t] = (t * hop + frame / 2) / sampleRate;
  return { frame, hop, count, times };
}

interface MeydaInternals {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank?: number[][];
  barkScale?: unknown;
  extract(feature: string, signal: Float32Array): unknown;
  featureExtractors: {
    mfcc(args: { ampSpectrum: Float32Array; melFilterBank: number[][]; numberOfMFCCCoefficients: number; bufferSize: number }): number[];
  };
}

/**
 * meyda's mel filterbank for (bands, sampleRate, fftSize). meyda caches its
 * filterbank on the shared default export and does not notice a changed
 * sample rate or buffer size, so the cache is cleared and rebuilt here.
 */
export function meydaMelFilterBank(bands: number, sampleRate: number, fftSize: number): number[][] {
  const M = Meyda as unknown as MeydaInternals;
  M.bufferSize = fftSize;
  M.sampleRate = sampleRate;
  M.melBands = bands;
  M.numberOfMFCCCoefficients = Math.min(bands, 13);
  M.windowingFunction = 'rect';
  M.melFilterBank = undefined;
  M.barkScale = undefined;
  M.extract('melBands', new Float32Array(fftSize));
  return M.melFilterBank!;
}

/** Sparse rows of a filterbank: for filter f, its non-zero bins [start, start+weights.length). */
interface SparseBank {
  start: Int32Array;
  weights: Float64Array[];
}

function sparsify(bank: number[][], bins: number): SparseBank {
  const start = new Int32Array(bank.length);
  const weights: Float64Array[] = [];
  bank.forEach((row, f) => {
    let a = 0;
    while (a < bins && row[a] === 0) a++;
    let b = bins;
    while (b > a && row[b - 1] === 0) b--;
    start[f] = a;
    weights.push(Float64Array.from(row.slice(a, b)));
  });
  return { start, weights };
}

function validate(cfg: SpeechConfig, audio: AudioSignal, where: string): void {
  if (!(audio.sampleRate > 0)) throw new DataError(`${where}.sampleRate is ${audio.sampleRate}; expected a positive number`);
  if (!(cfg.frameMs > 0 && cfg.hopMs > 0)) throw new DataError(`${where}: frameMs ${cfg.frameMs} / hopMs ${cfg.hopMs}; expected positive`);
  if (cfg.nMfcc < 1 || cfg.nMfcc > 40 || cfg.nMfcc > cfg.melBands) {
    throw new DataError(`${where}: nMfcc is ${cfg.nMfcc}; expected 1 … min(40, melBands=${cfg.melBands}) (meyda's limit)`);
  }
  for (let i = 0; i < audio.pcm.length; i++) {
    if (!Number.isFinite(audio.pcm[i])) throw new DataError(`${where}.pcm[${i}] is ${audio.pcm[i]}; expected finite samples in [-1, 1]`);
  }
  const frame = Math.round((cfg.frameMs * audio.sampleRate) / 1000);
  if (cfg.fftSize !== 0 && (cfg.fftSize < frame || (cfg.fftSize & (cfg.fftSize - 1)) !== 0)) {
    throw new DataError(`${where}: fftSize is ${cfg.fftSize}; expected 0 or a power of two ≥ the frame (${frame} samples)`);
  }
}

interface AnalysisTables {
  bank: number[][];
  sparse: SparseBank;
  /** DCT-II matrix (×2, unnormalised, as the dct package), nMfcc × bands. */
  dct: Float64Array;
}
const tableCache = new Map<string, AnalysisTables>();

/** meyda's filterbank (building it costs ~3 ms), its sparse form and the DCT matrix, cached per shape. */
function analysisTables(bands: number, sampleRate: number, fftSize: number, nMfcc: number): AnalysisTables {
  const key = `${bands}/${sampleRate}/${fftSize}/${nMfcc}`;
  let t = tableCache.get(key);
  if (!t) {
    const bank = meydaMelFilterBank(bands, sampleRate, fftSize);
    const dct = new Float64Array(nMfcc * bands);
    for (let k = 0; k < nMfcc; k++) for (let n = 0; n < bands; n++) dct[k * bands + n] = 2 * Math.cos((Math.PI / bands) * (n + 0.5) * k);
    t = { bank, sparse: sparsify(bank, fftSize / 2), dct };
    tableCache.set(key, t);
  }
  return t;
}

/** Δ of a T×d matrix (row-major) by the regression formula, edges repeated. */
export function deltas(values: Float64Array | Float32Array, T: number, d: number, N: number): Float64Array {
  const out = new Float64Array(T * d);
  let den = 0;
  for (let n = 1; n <= N; n++) den += 2 * n * n;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let n = 1; n <= N; n++) {
        const a = Math.min(T - 1, t + n);
        const b = Math.max(0, t - n);
        s += n * (values[a * d + k] - values[b * d + k]);
      }
      out[t * d + k] = s / den;
    }
  }
  return out;
}

/** MFCC matrix (T×nMfcc, row-major) and per-frame log energy. */
export function mfcc(audio: AudioSignal, cfg: SpeechConfig = DEFAULT_SPEECH, where = 'audio'): { times: Float32Array; mfcc: Float64Array; logEnergy: Float64Array } {
  validate(cfg, audio, where);
  const sr = audio.sampleRate;
  const x = audio.pcm;
  const { frame, hop, count, times } = frameLayout(x.length, sr, cfg.frameMs, cfg.hopMs);
  const N = cfg.fftSize || nextPow2(frame);
  const bands = Math.max(cfg.melBands, cfg.nMfcc);
  const { bank, sparse, dct } = analysisTables(bands, sr, N, cfg.nMfcc);
  const half = N / 2;
  const win = makeWindow(cfg.window, frame);
  const fft = new Fft(N);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const out = new Float64Array(count * cfg.nMfcc);
  const logE = new Float64Array(count);

  const logMel = new Float64Array(bands);
  const amp = new Float32Array(half);
  const M = Meyda as unknown as MeydaInternals;

  // Fills `buf` with frame t (pre-emphasised, windowed, zero-padded); returns its raw energy.
  const fill = (t: number, buf: Float64Array): number => {
    const s0 = t * hop;
    let e = 0;
    for (let i = 0; i < frame; i++) {
      const idx = s0 + i;
      const v = idx < x.length ? x[idx] : 0;
      e += v * v;
      // Pre-emphasis inside the frame uses the true previous sample (0 before the signal).
      const prev = idx - 1 >= 0 && idx - 1 < x.length ? x[idx - 1] : 0;
      buf[i] = (v - cfg.preemphasis * prev) * win[i];
    }
    buf.fill(0, frame);
    return e;
  };
  const finish = (t: number, power: Float64Array): void => {
    if (cfg.mfccImpl === 'meyda') {
      for (let k = 0; k < half; k++) amp[k] = Math.sqrt(power[k]);
      const c = M.featureExtractors.mfcc({ ampSpectrum: amp, melFilterBank: bank, numberOfMFCCCoefficients: cfg.nMfcc, bufferSize: N });
      for (let k = 0; k < cfg.nMfcc; k++) out[t * cfg.nMfcc + k] = c[k];
      return;
    }
    for (let f = 0; f < bands; f++) {
      const w = sparse.weights[f];
      const a = sparse.start[f];
      let s = 0;
      for (let q = 0; q < w.length; q++) s += w[q] * power[a + q];
      logMel[f] = Math.log(s + 1);
    }
    for (let k = 0; k < cfg.nMfcc; k++) {
      let s = 0;
      const row = k * bands;
      for (let n = 0; n < bands; n++) s += dct[row + n] * logMel[n];
      out[t * cfg.nMfcc + k] = s;
    }
  };
  // Two real frames per complex FFT (frame t in the real part, t+1 in the imaginary part),
  // separated by X_k = (Z_k + conj Z_{N−k})/2 and Y_k = (Z_k − conj Z_{N−k})/2i.
  const powA = new Float64Array(half);
  const powB = new Float64Array(half);
  for (let t = 0; t < count; t += 2) {
    logE[t] = Math.log(Math.max(fill(t, re), 1e-10));
    const pair = t + 1 < count;
    if (pair) logE[t + 1] = Math.log(Math.max(fill(t + 1, im), 1e-10));
    else im.fill(0);
    fft.transform(re, im);
    for (let k = 0; k < half; k++) {
      const k2 = (N - k) % N;
      const zr = re[k];
      const zi = im[k];
      const wr = re[k2];
      const wi = -im[k2];
      powA[k] = ((zr + wr) * (zr + wr) + (zi + wi) * (zi + wi)) / 4;
      powB[k] = ((zi - wi) * (zi - wi) + (zr - wr) * (zr - wr)) / 4;
    }
    finish(t, powA);
    if (pair) finish(t + 1, powB);
  }
  return { times, mfcc: out, logEnergy: logE };
}

/** The full speech feature sequence (see the module comment for the columns). */
export function speechFeatures(audio: AudioSignal, cfg: SpeechConfig = DEFAULT_SPEECH, where = 'audio'): FeatureSequence {
  const { times, mfcc: c, logEnergy } = mfcc(audio, cfg, where);
  const T = times.length;
  const n = cfg.nMfcc;
  const d1 = cfg.deltaOrder >= 1 ? deltas(c, T, n, cfg.deltaWidth) : undefined;
  const d2 = cfg.deltaOrder >= 2 && d1 ? deltas(d1, T, n, cfg.deltaWidth) : undefined;
  const pitch = cfg.pitch.enabled ? yinTrack(audio, times, cfg.pitch, where) : undefined;
  const dim = n * (cfg.deltaOrder + 1) + 1 + (pitch ? 2 : 0);
  const values = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    let o = t * dim;
    for (let k = 0; k < n; k++) values[o++] = c[t * n + k];
    if (d1) for (let k = 0; k < n; k++) values[o++] = d1[t * n + k];
    if (d2) for (let k = 0; k < n; k++) values[o++] = d2[t * n + k];
    values[o++] = logEnergy[t];
    if (pitch) {
      values[o++] = pitch.f0[t];
      values[o++] = pitch.voiced[t];
    }
  }
  return { times, values, dim };
}
