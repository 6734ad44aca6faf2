import { DataError } from '../../core/errors.js';
import type { AudioSignal } from '../../data/types.js';

/**
 * YIN pitch tracking (de Cheveigné & Kawahara 2002), steps 1–5: difference
 * function, cumulative mean normalised difference d′, absolute threshold with
 * descent to the local minimum, parabolic interpolation.
 *
 * Hand-written rather than pitchfinder's YIN: that one computes the difference
 * function directly (O(W²) per frame), analyses only the largest power-of-two
 * half of the buffer it is given, and returns one value per buffer with no
 * framing. Here d(τ) = E(0) + E(τ) − 2·r(τ), with the energies from prefix
 * sums and the lagged products r for all frames from one running sum per lag
 * over the signal (cheaper than a per-frame FFT correlation when frames
 * overlap 3×, as they do at a 10 ms hop).
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
  const W = Math.max(2, Math.round((cfg.windowMs * sr) / 1000));
  const tauMax = Math.ceil(sr / cfg.fmin);
  const tauMin = Math.max(2, Math.floor(sr / cfg.fmax));
  const L = W + tauMax + 1; // samples analysed per frame
  const T = times.length;
  const f0 = new Float32Array(T);
  const voiced = new Float32Array(T);
  const aper = new Float32Array(T);
  if (T === 0) return { times: new Float32Array(0), f0, voiced, aperiodicity: aper };

  // Zero-padded copy so every frame's window [start, start + L) lies inside.
  const starts = new Int32Array(T);
  for (let t = 0; t < T; t++) starts[t] = Math.round(times[t] * sr) - Math.floor(L / 2);
  let lo = 0;
  let hi = audio.pcm.length;
  for (let t = 0; t < T; t++) {
    lo = Math.min(lo, starts[t]);
    hi = Math.max(hi, starts[t] + L);
  }
  const x = new Float64Array(hi - lo);
  for (let i = 0; i < audio.pcm.length; i++) x[i - lo] = audio.pcm[i];
  for (let t = 0; t < T; t++) starts[t] -= lo;

  // Running lagged products: r_t(τ) = Σ_{j<W} x[s_t+j]·x[s_t+j+τ] = C_τ(s_t+W) − C_τ(s_t), with C_τ the
  // prefix sum of x[j]·x[j+τ]. One pass over the signal per lag (O(len·τmax) in all, however much
  // frames overlap), recording C_τ only at the window edges, which ascend with t.
  const r = new Float64Array(T * (tauMax + 1));
  const edges = new Int32Array(2 * T);
  for (let t = 0; t < T; t++) {
    edges[2 * t] = starts[t];
    edges[2 * t + 1] = starts[t] + W;
  }
  const order = Array.from({ length: 2 * T }, (_, k) => k).sort((a, b) => edges[a] - edges[b]);
  const atEdge = new Float64Array(2 * T);
  const last = edges[order[2 * T - 1]];
  for (let tau = 0; tau <= tauMax; tau++) {
    let acc = 0;
    let j = 0;
    for (let e = 0; e < 2 * T; e++) {
      const k = order[e];
      const stop = edges[k];
      // Four partial sums break the floating-point add latency chain (measured 1.4× here).
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (; j + 3 < stop; j += 4) {
        a0 += x[j] * x[j + tau];
        a1 += x[j + 1] * x[j + 1 + tau];
        a2 += x[j + 2] * x[j + 2 + tau];
        a3 += x[j + 3] * x[j + 3 + tau];
      }
      for (; j < stop; j++) a0 += x[j] * x[j + tau];
      acc += a0 + a1 + a2 + a3;
      atEdge[k] = acc;
    }
    if (j > last) break;
    for (let t = 0; t < T; t++) r[t * (tauMax + 1) + tau] = atEdge[2 * t + 1] - atEdge[2 * t];
  }

  const sq = new Float64Array(L + 1);
  const dn = new Float64Array(tauMax + 2);
  for (let t = 0; t < T; t++) {
    const s0 = starts[t];
    for (let i = 0; i < L; i++) sq[i + 1] = sq[i] + x[s0 + i] * x[s0 + i];
    const e0 = sq[W];
    if (Math.sqrt(e0 / W) < cfg.minRms) {
      aper[t] = 1;
      continue;
    }
    // d(τ) = Σ_{j<W} (x_j − x_{j+τ})² = E(0) + E(τ) − 2 r(τ); then d′ (step 3).
    const rt = t * (tauMax + 1);
    dn[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= tauMax; tau++) {
      const v = Math.max(0, e0 + (sq[tau + W] - sq[tau]) - 2 * r[rt + tau]);
      running += v;
      dn[tau] = running > 0 ? (v * tau) / running : 1;
    }
    let minDn = Infinity;
    let best = -1;
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
