import { DataError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { PhysioSignal } from '../../data/types.js';
import type { FeatureSequence } from '../types.js';
import { butter2, filtfilt, movingAverage } from './filters.js';

/**
 * Physiological features: beat detection → HR / HRV, and skin conductance
 * (GSR/EDA) → tonic level and phasic responses, summarised in sliding windows.
 *
 * Hand-written: npm has no maintained R-peak, HRV or EDA package (searched:
 * nothing beyond viewers and HL7 parsers), so the standard algorithms are
 * implemented from their papers.
 */
export interface PhysioConfig {
  /** Window length and hop (s). Window centres are the frame times. */
  windowS: number;
  hopS: number;
  /** pNN50 denominator: `intervals` = NN intervals (Task Force 1996 text), `differences` = successive differences (Kubios, NeuroKit). */
  pnn50Denominator: 'intervals' | 'differences';
  /** GSR tonic = zero-phase low-pass at this cutoff (Hz). */
  gsrTonicCutoffHz: number;
  /** Minimum trough-to-peak rise of an SCR (signal units, µS for EDA). */
  scrMinAmplitude: number;
  /** Refractory period between beats (s). */
  refractoryS: number;
}

export const DEFAULT_PHYSIO: PhysioConfig = {
  windowS: 4,
  hopS: 0.5,
  pnn50Denominator: 'intervals',
  gsrTonicCutoffHz: 0.05,
  scrMinAmplitude: 0.02,
  refractoryS: 0.25,
};

export const PHYSIO_FEATURE_NAMES = ['hr_bpm', 'rmssd_ms', 'sdnn_ms', 'pnn50', 'gsr_tonic', 'scr_count', 'scr_amplitude'] as const;

export interface HrvMeasures {
  hrBpm: number;
  rmssdMs: number;
  sdnnMs: number;
  /** Percent. */
  pnn50: number;
}

/**
 * Time-domain HRV from NN intervals in ms (Task Force 1996): SDNN = sample
 * standard deviation (n − 1) of the intervals; RMSSD = √ mean of squared
 * successive differences; pNN50 = 100 · #(|ΔNN| > 50 ms) / denominator; HR =
 * 60000 / mean NN. Needs at least 2 intervals (SDNN, RMSSD); returns NaN otherwise.
 */
export function hrv(nn: ArrayLike<number>, pnn50Denominator: PhysioConfig['pnn50Denominator'] = 'intervals'): HrvMeasures {
  const n = nn.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += nn[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (nn[i] - mean) ** 2;
  let sd2 = 0;
  let nn50 = 0;
  for (let i = 1; i < n; i++) {
    const d = nn[i] - nn[i - 1];
    sd2 += d * d;
    if (Math.abs(d) > 50) nn50++;
  }
  return {
    hrBpm: n > 0 ? 60000 / mean : NaN,
    sdnnMs: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN,
    rmssdMs: n > 1 ? Math.sqrt(sd2 / (n - 1)) : NaN,
    pnn50: n > 1 ? (100 * nn50) / (pnn50Denominator === 'intervals' ? n : n - 1) : NaN,
  };
}

/**
 * R-peak detection after Pan & Tompkins (1985): 5–15 Hz band-pass (zero-phase
 * Butterworth instead of the original integer filters, so it works at any
 * sample rate), five-point derivative, squaring, 150 ms moving-window
 * integration, adaptive signal/noise peak levels (threshold = NPKI + 0.25·(SPKI
 * − NPKI)), a refractory period, and search-back at half threshold when no beat
 * is found for 1.66 × the mean RR. Each detection is then placed on the apex of
 * the baseline-removed ECG within ±75 ms, which is where the R wave peaks.
 * Returns sample indices.
 */
export function detectRPeaks(ecg: ArrayLike<number>, sampleRate: number, refractoryS = DEFAULT_PHYSIO.refractoryS): Int32Array {
  const n = ecg.length;
  if (n < sampleRate) return new Int32Array(0);
  const pad = Math.round(sampleRate);
  const bp = filtfilt([butter2('highpass', 5, sampleRate), butter2('lowpass', Math.min(15, sampleRate / 2.5), sampleRate)], ecg, pad);
  const der = new Float64Array(n);
  for (let i = 2; i < n - 2; i++) der[i] = (-bp[i - 2] - 2 * bp[i - 1] + 2 * bp[i + 1] + bp[i + 2]) / 8;
  for (let i = 0; i < n; i++) der[i] *= der[i];
  const mwi = movingAverage(der, Math.max(1, Math.round(0.15 * sampleRate)) | 1);
  // Baseline for apex placement: the ECG minus a 0.6 s moving average.
  const base = movingAverage(ecg, Math.round(0.6 * sampleRate) | 1);
  const refr = Math.round(refractoryS * sampleRate);
  const half = Math.round(0.075 * sampleRate);

  // Candidate peaks of the integrated signal: local maxima at least refr apart.
  const cands: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (mwi[i] > mwi[i - 1] && mwi[i] >= mwi[i + 1]) {
      const last = cands.length - 1;
      if (last >= 0 && i - cands[last] < refr) {
        if (mwi[i] > mwi[cands[last]]) cands[last] = i;
      } else cands.push(i);
    }
  }
  // Learning phase: the first 2 s set the initial levels.
  const learn = Math.min(n, 2 * sampleRate);
  let spki = 0;
  for (let i = 0; i < learn; i++) spki = Math.max(spki, mwi[i]);
  spki *= 0.5;
  let npki = 0;
  for (let i = 0; i < learn; i++) npki += mwi[i];
  npki = (npki / learn) * 0.5;

  const beats: number[] = [];
  const rrs: number[] = [];
  let lastBeat = -Infinity;
  let ci = 0;
  const accept = (c: number, searchBack: boolean) => {
    if (searchBack) spki = 0.25 * mwi[c] + 0.75 * spki;
    else spki = 0.125 * mwi[c] + 0.875 * spki;
    if (beats.length > 0) {
      rrs.push(c - beats[beats.length - 1]);
      if (rrs.length > 8) rrs.shift();
    }
    beats.push(c);
    lastBeat = c;
  };
  while (ci < cands.length) {
    const c = cands[ci];
    const thr = npki + 0.25 * (spki - npki);
    const meanRR = rrs.length > 0 ? rrs.reduce((a, b) => a + b, 0) / rrs.length : Infinity;
    // Search back: a long gap since the last beat means one was missed; take the largest candidate above thr/2.
    if (beats.length > 0 && c - lastBeat > 1.66 * meanRR) {
      let best = -1;
      for (let k = ci - 1; k >= 0 && cands[k] > lastBeat; k--) {
        if (cands[k] - lastBeat >= refr && mwi[cands[k]] > thr / 2 && (best < 0 || mwi[cands[k]] > mwi[best])) best = cands[k];
      }
      if (best >= 0) {
        accept(best, true);
        continue;
      }
    }
    if (mwi[c] > thr && c - lastBeat >= refr) accept(c, false);
    else npki = 0.125 * mwi[c] + 0.875 * npki;
    ci++;
  }
  // Apex placement. The integration window spans the QRS, so search ±(window/2 + 75 ms).
  const span = half + Math.round(0.075 * sampleRate);
  const out = new Int32Array(beats.length);
  for (let b = 0; b < beats.length; b++) {
    let best = beats[b];
    let bestV = -Infinity;
    for (let i = Math.max(0, beats[b] - span); i <= Math.min(n - 1, beats[b] + span); i++) {
      const v = ecg[i] - base[i];
      if (v > bestV) {
        bestV = v;
        best = i;
      }
    }
    out[b] = best;
  }
  return dedupe(out, refr);
}

/**
 * Systolic-peak detection for PPG after Elgendi et al. (2013): 0.5–8 Hz
 * band-pass, clip negatives, square, moving averages over 111 ms (peak) and
 * 667 ms (beat); blocks where the first exceeds the second plus β·mean(y²)
 * (β = 0.02) and that last at least 111 ms hold one systolic peak, placed on
 * the maximum of the filtered signal. Returns sample indices.
 */
export function detectPpgPeaks(ppg: ArrayLike<number>, sampleRate: number, refractoryS = DEFAULT_PHYSIO.refractoryS): Int32Array {
  const n = ppg.length;
  if (n < sampleRate) return new Int32Array(0);
  const f = filtfilt([butter2('highpass', 0.5, sampleRate), butter2('lowpass', Math.min(8, sampleRate / 2.5), sampleRate)], ppg, Math.round(2 * sampleRate));
  const y = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    y[i] = f[i] > 0 ? f[i] * f[i] : 0;
    mean += y[i];
  }
  mean /= n;
  const w1 = Math.round(0.111 * sampleRate) | 1;
  const maPeak = movingAverage(y, w1);
  const maBeat = movingAverage(y, Math.round(0.667 * sampleRate) | 1);
  const peaks: number[] = [];
  let i = 0;
  while (i < n) {
    if (maPeak[i] > maBeat[i] + 0.02 * mean) {
      let j = i;
      while (j < n && maPeak[j] > maBeat[j] + 0.02 * mean) j++;
      if (j - i >= w1) {
        let best = i;
        for (let k = i; k < j; k++) if (f[k] > f[best]) best = k;
        peaks.push(best);
      }
      i = j;
    } else i++;
  }
  return dedupe(Int32Array.from(peaks), Math.round(refractoryS * sampleRate));
}

function dedupe(idx: Int32Array, minGap: number): Int32Array {
  const out: number[] = [];
  for (const v of idx) if (out.length === 0 || v - out[out.length - 1] >= minGap) out.push(v);
  return Int32Array.from(out);
}

export interface ScrResponse {
  onset: number;
  peak: number;
  amplitude: number;
}

export interface GsrDecomposition {
  tonic: Float64Array;
  phasic: Float64Array;
  responses: ScrResponse[];
}

/**
 * GSR tonic level = zero-phase low-pass at `gsrTonicCutoffHz`; phasic = signal −
 * tonic. SCRs by the trough-to-peak method (Boucsein 2012): on the signal
 * smoothed by a 0.5 s moving average, each rise between a derivative zero-crossing upward
 * (onset) and the next downward one (peak) whose amplitude reaches
 * `scrMinAmplitude` is one response. Indices are samples.
 */
export function decomposeGsr(gsr: ArrayLike<number>, sampleRate: number, cfg: PhysioConfig = DEFAULT_PHYSIO): GsrDecomposition {
  const n = gsr.length;
  const tonic = filtfilt([butter2('lowpass', cfg.gsrTonicCutoffHz, sampleRate), butter2('lowpass', cfg.gsrTonicCutoffHz, sampleRate)], gsr, Math.min(n - 1, Math.round(sampleRate / cfg.gsrTonicCutoffHz)));
  const phasic = new Float64Array(n);
  for (let i = 0; i < n; i++) phasic[i] = gsr[i] - tonic[i];
  // A boxcar, not a Butterworth: it preserves monotone stretches, so a steady tonic drift never rings into a false SCR.
  const smooth = movingAverage(gsr, Math.round(0.5 * sampleRate) | 1);
  const responses: ScrResponse[] = [];
  let onset = -1;
  for (let i = 1; i < n; i++) {
    const d = smooth[i] - smooth[i - 1];
    const dPrev = i > 1 ? smooth[i - 1] - smooth[i - 2] : 0;
    if (onset < 0 && d > 0 && dPrev <= 0) onset = i - 1;
    else if (onset >= 0 && d <= 0 && dPrev > 0) {
      const amp = smooth[i - 1] - smooth[onset];
      if (amp >= cfg.scrMinAmplitude) responses.push({ onset, peak: i - 1, amplitude: amp });
      onset = -1;
    }
  }
  return { tonic, phasic, responses };
}

export interface PhysioResult {
  features: FeatureSequence;
  /** Beat sample indices and which channel they came from. */
  beats: Int32Array;
  beatSource: 'ecg' | 'ppg' | 'none';
  /** Windows with fewer than 2 NN intervals: their HR/HRV columns repeat the whole-signal values. */
  windowsFilled: number;
}

function pickChannel(channels: Record<string, Float32Array>, name: string): Float32Array | undefined {
  const key = Object.keys(channels).find((k) => k.toLowerCase() === name);
  return key ? channels[key] : undefined;
}

/**
 * Windowed physiology features. Frames are windows of `windowS` seconds every
 * `hopS` seconds, timed at their centres; a signal shorter than a window gives
 * one window over the whole signal. Columns (PHYSIO_FEATURE_NAMES): HR (bpm),
 * RMSSD (ms), SDNN (ms), pNN50 (%) from the NN intervals that end inside the
 * window; GSR tonic mean; SCR count and mean amplitude of responses peaking
 * inside the window (0 when none). Beats come from `ecg` when present, else
 * `ppg`; a missing channel leaves its columns at 0 and is logged.
 */
export function physioFeatures(signal: PhysioSignal, cfg: PhysioConfig = DEFAULT_PHYSIO, where = 'physio', log: Logger = silentLogger): PhysioResult {
  const sr = signal.sampleRate;
  if (!(sr > 0)) throw new DataError(`${where}.sampleRate is ${sr}; expected a positive number`);
  if (!(cfg.windowS > 0 && cfg.hopS > 0)) throw new DataError(`${where}: windowS ${cfg.windowS} / hopS ${cfg.hopS}; expected positive`);
  const ecg = pickChannel(signal.channels, 'ecg');
  const ppg = pickChannel(signal.channels, 'ppg');
  const gsr = pickChannel(signal.channels, 'gsr') ?? pickChannel(signal.channels, 'eda');
  const lengths = Object.entries(signal.channels).map(([k, v]) => [k, v.length] as const);
  const n = Math.max(0, ...lengths.map(([, l]) => l));
  if (n === 0) throw new DataError(`${where}.channels: no samples in ${JSON.stringify(Object.keys(signal.channels))}; expected ecg/ppg and gsr`);
  for (const [k, l] of lengths) {
    if (l !== n) throw new DataError(`${where}.channels.${k} has ${l} samples but others have ${n}; expected equal lengths`);
    const ch = signal.channels[k];
    for (let i = 0; i < l; i++) {
      if (!Number.isFinite(ch[i])) throw new DataError(`${where}.channels.${k}[${i}] is ${ch[i]}; expected finite values`);
    }
  }
  let beats: Int32Array = new Int32Array(0);
  let beatSource: PhysioResult['beatSource'] = 'none';
  if (ecg) {
    beats = detectRPeaks(ecg, sr, cfg.refractoryS);
    beatSource = 'ecg';
  } else if (ppg) {
    beats = detectPpgPeaks(ppg, sr, cfg.refractoryS);
    beatSource = 'ppg';
  } else log.warn(`${where}: no ecg or ppg channel (have ${Object.keys(signal.channels).join(', ')}); HR/HRV columns are 0`);
  if (!gsr) log.warn(`${where}: no gsr/eda channel; GSR columns are 0`);
  const gsrDec = gsr ? decomposeGsr(gsr, sr, cfg) : undefined;

  const durS = n / sr;
  const count = durS <= cfg.windowS ? 1 : 1 + Math.floor((durS - cfg.windowS) / cfg.hopS);
  const winS = Math.min(cfg.windowS, durS);
  const dim = PHYSIO_FEATURE_NAMES.length;
  const values = new Float32Array(count * dim);
  const times = new Float32Array(count);
  const nnAll: number[] = [];
  for (let b = 1; b < beats.length; b++) nnAll.push(((beats[b] - beats[b - 1]) / sr) * 1000);
  const global = nnAll.length >= 2 ? hrv(nnAll, cfg.pnn50Denominator) : undefined;
  let filled = 0;
  for (let w = 0; w < count; w++) {
    const t0 = w * cfg.hopS;
    const t1 = t0 + winS;
    times[w] = (t0 + t1) / 2;
    const a = Math.floor(t0 * sr);
    const z = Math.min(n, Math.ceil(t1 * sr));
    const o = w * dim;
    if (beatSource !== 'none') {
      const nn: number[] = [];
      for (let b = 1; b < beats.length; b++) if (beats[b] >= a && beats[b] < z) nn.push(((beats[b] - beats[b - 1]) / sr) * 1000);
      let h = nn.length >= 2 ? hrv(nn, cfg.pnn50Denominator) : global;
      if (nn.length < 2) filled++;
      h ??= { hrBpm: 0, rmssdMs: 0, sdnnMs: 0, pnn50: 0 };
      values[o] = h.hrBpm;
      values[o + 1] = h.rmssdMs;
      values[o + 2] = h.sdnnMs;
      values[o + 3] = h.pnn50;
    }
    if (gsrDec) {
      let s = 0;
      for (let i = a; i < z; i++) s += gsrDec.tonic[i];
      values[o + 4] = s / Math.max(1, z - a);
      let c = 0;
      let amp = 0;
      for (const r of gsrDec.responses) {
        if (r.peak >= a && r.peak < z) {
          c++;
          amp += r.amplitude;
        }
      }
      values[o + 5] = c;
      values[o + 6] = c > 0 ? amp / c : 0;
    }
  }
  if (filled > 0) log.debug(`${where}: ${filled}/${count} windows had < 2 NN intervals; filled with whole-signal HR/HRV`);
  return { features: { times, values, dim }, beats, beatSource, windowsFilled: filled };
}
