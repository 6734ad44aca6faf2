import { DataError } from '../../core/errors.js';
import type { AudioSignal } from '../../data/types.js';
import { Fft, nextPow2 } from './fft.js';

/**
 * YIN pitch tracking (de Cheveigné & Kawahara 2002), steps 1–5: difference
 * function, cumulative mean normalised difference d′, absolute threshold with
 * descent to the local minimum, parabolic interpolation.
 *
 * Hand-written rather than pitchfinder's YIN: that one computes the difference
 * function directly (O(W²) per frame), analyses only the largest power-of-two
 * half of the buffer it is given, and returns one value per buffer with no
 * framing. Here the difference function comes from one FFT cross-correlation
 * per frame, d(τ) = E(0) + E(τ) − 2·r(τ), with the energies from prefix sums.
 *
 * Frame t is centred on `times[t]`; it analyses W = windowMs samples against
 * lags up to τmax = sr/fmin. A frame is voiced when d′ dips below `threshold`
 * for a lag in [sr/fmax, sr/fmin] and its RMS is at least `minRms`; unvoiced
 * frames report F0 = 0.
 */
export interface YinConfig {
  fmin: number;
  fmax: number;
  /** Absolute threshold on d′ (the paper uses 0.1–0.15). */
  threshold: number;
  /** Integration window W in ms. */
  windowMs: number;
  /** Frames quieter than this RMS are unvoiced (silence). */
  minRms: number;
}

export interface PitchTrack {
  times: Float32Array;
  /** F0 in Hz; 0 when unvoiced. */
  f0: Float32Array;
  /** 1 voiced, 0 unvoiced. */
  voiced: Float32Array;
  /** min d′ in the lag range: 0 = perfectly periodic, ~1 = noise. */
  aperiodicity: Float32Array;
}

export function yinTrack(audio: AudioSignal, times: ArrayLike<number>, cfg: YinConfig, where = 'audio'): PitchTrack {
  const sr = audio.sampleRate;
  if (!(cfg.fmin > 0 && cfg.fmax > cfg.fmin && cfg.fmax < sr / 2)) {
    throw new DataError(`${where}: pitch fmin ${cfg.fmin} / fmax ${cfg.fmax}; expected 0 < fmin < fmax < sampleRate/2 (${sr / 2})`);
  }
  const x = audio.pcm;
  const W = Math.max(2, Math.round((cfg.windowMs * sr) / 1000));
  const tauMax = Math.ceil(sr / cfg.fmin);
  const tauMin = Math.max(2, Math.floor(sr / cfg.fmax));
  const L = W + tauMax + 1; // samples analysed per frame
  const N = nextPow2(L); // circular correlation over N ≥ L has no wrap-around for lags 0…τmax
  const fft = new Fft(N);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const seg = new Float64Array(L);
  const sq = new Float64Array(L + 1);
  const d = new Float64Array(tauMax + 2);
  const dn = new Float64Array(tauMax + 2);
  const T = times.length;
  const f0 = new Float32Array(T);
  const voiced = new Float32Array(T);
  const aper = new Float32Array(T);

  for (let t = 0; t < T; t++) {
    const start = Math.round(times[t] * sr) - Math.floor(L / 2);
    for (let i = 0; i < L; i++) {
      const idx = start + i;
      seg[i] = idx >= 0 && idx < x.length ? x[idx] : 0;
      sq[i + 1] = sq[i] + seg[i] * seg[i];
    }
    const e0 = sq[W];
    if (Math.sqrt(e0 / W) < cfg.minRms) {
      aper[t] = 1;
      continue;
    }
    // One complex FFT carries both real inputs: z = seg + i·head (head = first W samples).
    for (let i = 0; i < N; i++) {
      re[i] = i < L ? seg[i] : 0;
      im[i] = i < W ? seg[i] : 0;
    }
    fft.transform(re, im);
    // Split spectra: S_k = (Z_k + conj Z_{N−k})/2, H_k = (Z_k − conj Z_{N−k})/(2i); R_k = conj(H_k)·S_k.
    for (let k = 0; k <= N / 2; k++) {
      const k2 = (N - k) % N;
      const zr = re[k];
      const zi = im[k];
      const wr = re[k2];
      const wi = -im[k2];
      const sr_ = (zr + wr) / 2;
      const si = (zi + wi) / 2;
      const hr = (zi - wi) / 2;
      const hi = -(zr - wr) / 2;
      // conj(H)·S
      const rr = hr * sr_ + hi * si;
      const ri = hr * si - hi * sr_;
      re[k] = rr;
      im[k] = ri;
      if (k2 !== k) {
        re[k2] = rr;
        im[k2] = -ri;
      }
    }
    fft.inverse(re, im);
    // d(τ) = Σ_{j<W} (x_j − x_{j+τ})² = E(0) + E(τ) − 2 r(τ); then d′ (step 3).
    d[0] = 0;
    dn[0] = 1;
    let running = 0;
    let minDn = Infinity;
    let best = -1;
    for (let tau = 1; tau <= tauMax; tau++) {
      const v = Math.max(0, e0 + (sq[tau + W] - sq[tau]) - 2 * re[tau]);
      d[tau] = v;
      running += v;
      dn[tau] = running > 0 ? (v * tau) / running : 1;
    }
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (dn[tau] < minDn) minDn = dn[tau];
      if (best < 0 && dn[tau] < cfg.threshold) {
        // Step 4: the first dip below the threshold, followed down to its minimum.
        let b = tau;
        while (b + 1 <= tauMax && dn[b + 1] < dn[b]) b++;
        best = b;
      }
    }
    aper[t] = Math.min(1, minDn);
    if (best < 0) continue;
    // Step 5: parabolic interpolation of d′ around the minimum.
    let tauHat = best;
    if (best > 1 && best < tauMax) {
      const a = dn[best - 1];
      const b = dn[best];
      const c = dn[best + 1];
      const den = a - 2 * b + c;
      if (den > 0) tauHat = best + (0.5 * (a - c)) / den;
    }
    f0[t] = sr / tauHat;
    voiced[t] = 1;
  }
  return { times: Float32Array.from(times), f0, voiced, aperiodicity: aper };
}
