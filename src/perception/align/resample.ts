import { DataError } from '../../core/errors.js';
import type { FeatureSequence } from '../types.js';

/** Piecewise-linear interpolation of y(x) at `at`; x ascending; outside the range the end values hold. */
export function interp1(x: ArrayLike<number>, y: ArrayLike<number>, at: number): number {
  const n = x.length;
  if (n === 0) return NaN;
  if (at <= x[0]) return y[0];
  if (at >= x[n - 1]) return y[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= at) lo = mid;
    else hi = mid;
  }
  const dx = x[hi] - x[lo];
  const f = dx > 0 ? (at - x[lo]) / dx : 0;
  return y[lo] + f * (y[hi] - y[lo]);
}

/** Checks a FeatureSequence's shape and that its times ascend; `where` names it in errors. */
export function checkSequence(seq: FeatureSequence, where: string): number {
  if (!Number.isInteger(seq.dim) || seq.dim < 1) throw new DataError(`${where}.dim is ${seq.dim}; expected a positive integer`);
  const T = seq.times.length;
  if (seq.values.length !== T * seq.dim) {
    throw new DataError(`${where}.values has length ${seq.values.length}; expected times.length × dim = ${T} × ${seq.dim}`);
  }
  for (let i = 1; i < T; i++) {
    if (!(seq.times[i] >= seq.times[i - 1])) {
      throw new DataError(`${where}.times[${i}] is ${seq.times[i]} after ${seq.times[i - 1]}; expected non-decreasing times`);
    }
  }
  return T;
}

/**
 * Linear resampling by time onto `times` (the `align: none` ablation and the
 * first step of DTW alignment). Before the first and after the last frame
 * the end frames hold. An empty sequence cannot be resampled.
 */
export function resampleLinear(seq: FeatureSequence, times: ArrayLike<number>): FeatureSequence {
  const T = seq.times.length;
  if (T === 0) throw new DataError('resampleLinear: the sequence has no frames; expected at least one');
  const d = seq.dim;
  const out = new Float32Array(times.length * d);
  let lo = 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    if (T === 1 || t <= seq.times[0]) {
      for (let c = 0; c < d; c++) out[k * d + c] = seq.values[c];
      continue;
    }
    if (t >= seq.times[T - 1]) {
      for (let c = 0; c < d; c++) out[k * d + c] = seq.values[(T - 1) * d + c];
      continue;
    }
    // Target times are usually ascending: walk forward, restart when they are not.
    if (seq.times[lo] > t) lo = 0;
    while (lo + 1 < T - 1 && seq.times[lo + 1] <= t) lo++;
    const t0 = seq.times[lo];
    const t1 = seq.times[lo + 1];
    const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
    for (let c = 0; c < d; c++) {
      const a = seq.values[lo * d + c];
      out[k * d + c] = a + f * (seq.values[(lo + 1) * d + c] - a);
    }
  }
  return { times: Float32Array.from(times), values: out, dim: d };
}

/** Nearest-in-time resampling (for categorical values such as token ids; ties take the earlier frame). */
export function resampleNearest(seq: FeatureSequence, times: ArrayLike<number>): FeatureSequence {
  const T = seq.times.length;
  if (T === 0) throw new DataError('resampleNearest: the sequence has no frames; expected at least one');
  const d = seq.dim;
  const out = new Float32Array(times.length * d);
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    let lo = 0;
    let hi = T - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (seq.times[mid] <= t) lo = mid;
      else hi = mid;
    }
    const i = Math.abs(seq.times[hi] - t) < Math.abs(t - seq.times[lo]) ? hi : lo;
    for (let c = 0; c < d; c++) out[k * d + c] = seq.values[i * d + c];
  }
  return { times: Float32Array.from(times), values: out, dim: d };
}

/** Column-wise z-normalisation (a constant column becomes 0). */
export function zNormalize(values: ArrayLike<number>, dim: number): Float64Array {
  const T = Math.floor(values.length / dim);
  const out = new Float64Array(T * dim);
  for (let c = 0; c < dim; c++) {
    let mean = 0;
    for (let i = 0; i < T; i++) mean += values[i * dim + c];
    mean /= Math.max(T, 1);
    let v = 0;
    for (let i = 0; i < T; i++) v += (values[i * dim + c] - mean) ** 2;
    const sd = Math.sqrt(v / Math.max(T, 1));
    for (let i = 0; i < T; i++) out[i * dim + c] = sd > 1e-12 ? (values[i * dim + c] - mean) / sd : 0;
  }
  return out;
}
