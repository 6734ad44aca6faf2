import type { Rng } from '../../core/rng.js';
import type { TimeWarp } from '../types.js';

/** Resolution of the stored ground-truth curves (timeline and warps). */
export const TRUTH_HZ = 20;

/** The true emotion trajectory: intensity envelope with onset, apex and offset. */
export interface Timeline {
  t: Float32Array;
  arousal: Float32Array;
  valence: Float32Array;
  intensity: Float32Array;
  /** Envelope phases (s on the true timeline). */
  onset: number;
  apexStart: number;
  apexEnd: number;
  offsetEnd: number;
}

function smoothstep(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  return c * c * (3 - 2 * c);
}

/**
 * Envelope in [floor, 1]: rises from `onset` to `apexStart`, holds, decays to
 * `offsetEnd`. The floor keeps a trace of the emotion outside the apex, as in
 * real utterances where the speaker does not return fully to neutral.
 */
export function envelope(tl: Pick<Timeline, 'onset' | 'apexStart' | 'apexEnd' | 'offsetEnd'>, t: number, floor = 0.25): number {
  let e: number;
  if (t < tl.apexStart) e = smoothstep((t - tl.onset) / Math.max(1e-3, tl.apexStart - tl.onset));
  else if (t <= tl.apexEnd) e = 1;
  else e = 1 - smoothstep((t - tl.apexEnd) / Math.max(1e-3, tl.offsetEnd - tl.apexEnd));
  return floor + (1 - floor) * e;
}

export function makeTimeline(rng: Rng, durationS: number, arousal: number, valence: number, intensity: number): Timeline {
  const onset = rng.uniform(0, 0.25) * durationS;
  const apexStart = onset + rng.uniform(0.1, 0.3) * durationS;
  const apexEnd = Math.min(durationS, apexStart + rng.uniform(0.15, 0.35) * durationS);
  const offsetEnd = apexEnd + rng.uniform(0.2, 0.5) * durationS;
  const n = Math.max(2, Math.round(durationS * TRUTH_HZ) + 1);
  const tl: Timeline = { t: new Float32Array(n), arousal: new Float32Array(n), valence: new Float32Array(n), intensity: new Float32Array(n), onset, apexStart, apexEnd, offsetEnd };
  for (let k = 0; k < n; k++) {
    const t = (k * durationS) / (n - 1);
    const e = envelope(tl, t);
    tl.t[k] = t;
    tl.arousal[k] = arousal * e;
    tl.valence[k] = valence * e;
    tl.intensity[k] = intensity * e;
  }
  return tl;
}

/** Linear interpolation of a sampled curve (clamped at the ends). */
export function interp(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const w = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + w * (ys[hi] - ys[lo]);
}

/**
 * A smooth monotone warp from a modality's clock to the true timeline:
 * tau(t) = offset + ∫ rate, with rate = 1 + strength·(smooth random curve in
 * [-1, 1]) > 0, so the modality runs ahead or lags by a varying amount.
 */
export function makeWarp(rng: Rng, durationS: number, maxOffsetS: number, strength: number): TimeWarp {
  const offset = rng.uniform(-maxOffsetS, maxOffsetS);
  // Two random sinusoidal components: smooth, and bounded so the rate stays positive.
  const a1 = rng.uniform(-1, 1);
  const a2 = rng.uniform(-1, 1);
  const p1 = rng.uniform(0, 2 * Math.PI);
  const p2 = rng.uniform(0, 2 * Math.PI);
  const norm = Math.max(1, Math.abs(a1) + Math.abs(a2));
  const n = Math.max(2, Math.round(durationS * TRUTH_HZ) + 1);
  const t = new Float32Array(n);
  const tau = new Float32Array(n);
  let acc = offset;
  const dt = durationS / (n - 1);
  for (let k = 0; k < n; k++) {
    const x = (k * dt) / durationS;
    t[k] = k * dt;
    tau[k] = acc;
    const r = 1 + (strength * (a1 * Math.sin(Math.PI * x + p1) + a2 * Math.sin(2 * Math.PI * x + p2))) / norm;
    acc += r * dt;
  }
  return { t, tau };
}

/** Emotion state seen by a modality at its own time t: the true timeline at tau(t). */
export interface EmotionAt {
  arousal: number;
  valence: number;
  intensity: number;
  /** Envelope in [0, 1] relative to the apex. */
  env: number;
}

export function emotionAt(tl: Timeline, warp: TimeWarp, t: number, peakIntensity: number): EmotionAt {
  const tau = interp(warp.t, warp.tau, t);
  const intensity = interp(tl.t, tl.intensity, tau);
  return {
    arousal: interp(tl.t, tl.arousal, tau),
    valence: interp(tl.t, tl.valence, tau),
    intensity,
    env: peakIntensity > 0 ? intensity / peakIntensity : 0,
  };
}
