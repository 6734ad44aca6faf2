import { ConfigError, DataError } from '../../core/errors.js';
import { MODALITIES, type ModalityName, type SynthTruth, type TimeWarp } from '../../data/types.js';
import type { FeatureSequence, SampleFeatures } from '../types.js';
import { dtw, type DtwCost } from './dtw.js';
import { movingAverage } from '../features/filters.js';
import { checkSequence, interp1, resampleLinear, resampleNearest, zNormalize } from './resample.js';
import { applyProjection, type AlignProjection, type AlignProjections } from './projection.js';

/**
 * Puts every modality of a sample on one timeline.
 *
 * Modalities differ in dimension and meaning, so DTW cannot compare their
 * frames directly. Each modality is first resampled linearly (by time) onto
 * the reference timeline, which fixes the rate mismatch (face at 1 fps, audio
 * at 100 fps), then reduced to one z-normalised trajectory per frame:
 * - `pca` (default): the first principal component of the z-scored features,
 *   its sign chosen to correlate positively with the anchor's trajectory.
 *   Every modality of an emotional episode rises and falls with arousal, and
 *   the first component of z-scored features follows the dominant slow change,
 *   which is that shared arousal course; the sign is otherwise arbitrary.
 * - `norm`: the RMS of the z-scored features per frame (activity level;
 *   sign-free, more robust when a modality's first component is noise).
 * - `learned`: a per-modality linear read-out of (arousal, valence) fitted on
 *   the training split (`projections`, see projection.ts): the same units in
 *   every modality, so no sign matching; `learnedScale` says whether each
 *   clip's trajectory is z-scored (`clip`) or only centred (`center`: keeps
 *   the fitted scale, so a flat trajectory stays flat instead of having its
 *   noise blown up to unit variance).
 * The anchor is the audio modality when present, else the first present one
 * (in the order audio, face, physio, text). Its clock defines the reference
 * timeline: with `reference: 'audio'` the timeline is the audio frame times,
 * with `{ grid: T }` it is T evenly spaced times spanning all modalities. The
 * anchor itself is resampled linearly; every other modality's trajectory is
 * DTW-aligned to the anchor's, and each reference frame takes the mean of the
 * (resampled) modality frames the path maps onto it.
 * `method: 'none'` is the ablation: linear resampling by time only.
 * `method: 'oracle'` is the ablation's upper bound on a simulator with ground
 * truth (SynAffect): every modality with a stored warp is resampled at the
 * times its clock shows when the anchor's clock shows each reference time,
 * t_m = τ_m⁻¹(τ_anchor(t)), i.e. the warp a perfect aligner would recover.
 * Categorical modalities (`categorical`, default text: token ids) are never
 * interpolated or warped: each reference frame takes the token nearest in
 * time (the transcript has no timing of its own to recover).
 */
export interface AlignOptions {
  reference: 'audio' | { grid: number };
  method: 'dtw' | 'none' | 'oracle';
  /** `method: 'oracle'`: the sample's ground-truth warps (modality clock → true time), anchor's included. */
  truthWarps?: Partial<Record<ModalityName, TimeWarp>>;
  /** `method: 'oracle'`: the anchor's frames as the timeline (`anchor`, default) or a timeline over every modality's recording (`union`); see oracleAlign. */
  oracleSpan?: 'anchor' | 'union';
  /** Sakoe–Chiba half-width, fraction of the timeline length (see dtw). */
  band?: number;
  cost?: DtwCost;
  derivative?: boolean;
  /** dtw()'s penalty per non-diagonal step, in units of the (z-scored or centred) trajectory. Default 0. */
  stepPenalty?: number;
  trajectory?: 'pca' | 'norm' | 'learned';
  /** `trajectory: 'learned'`: the fitted read-out per warped modality (anchor included). */
  projections?: AlignProjections;
  /** `trajectory: 'learned'`: per-clip z-score (`clip`, default) or centring only (`center`). */
  learnedScale?: 'clip' | 'center';
  /** Steps of the fallback grid when `reference: 'audio'` but the sample has no audio. */
  fallbackGrid?: number;
  /** Modalities whose values are ids, resampled by nearest time. Default ['text']. */
  categorical?: ModalityName[];
  /** Moving-average width (s) applied to each trajectory before DTW (syllable-rate wiggle is not the shared course). 0 = none. */
  smoothS?: number;
  /** A modality with fewer original frames than this is resampled linearly, not warped (too few points to recover a warp). Default 8. */
  minFrames?: number;
}

/** Corresponding (modality clock, reference clock) times: the recovered warp, as pairs. */
export interface WarpMap {
  src: Float32Array;
  ref: Float32Array;
}

export interface AlignedSample {
  /** The reference timeline (s, on the anchor's clock). */
  times: Float32Array;
  /** What the timeline is: the audio frames, or a grid (asked for, or the fallback when audio is missing). */
  reference: 'audio' | 'grid';
  /** The modality whose clock the timeline is on; score warps against its ground-truth warp. */
  anchor: ModalityName;
  /** Every present modality, resampled onto `times`. */
  features: SampleFeatures;
  warps: Partial<Record<ModalityName, WarpMap>>;
  /** DTW cost per aligned modality (mean local cost along the path). */
  costs: Partial<Record<ModalityName, number>>;
}

export function alignToReference(features: SampleFeatures, opts: AlignOptions): AlignedSample {
  const present = MODALITIES.filter((m) => features[m] !== undefined);
  if (present.length === 0) throw new DataError('alignToReference: the sample has no modality features; expected at least one');
  for (const m of present) {
    const T = checkSequence(features[m]!, `features.${m}`);
    if (T === 0) throw new DataError(`features.${m} has no frames; drop the modality (mark it missing) instead of passing it empty`);
  }
  if (opts.method !== 'dtw' && opts.method !== 'none' && opts.method !== 'oracle') {
    throw new ConfigError(`perception.align.method: ${JSON.stringify(opts.method)}; expected "dtw", "none" or "oracle"`);
  }
  const trajectory = opts.trajectory ?? 'pca';
  if (opts.method === 'dtw' && opts.cost === 'cosine') {
    throw new ConfigError(
      'perception.align.cost: "cosine" compares only signs on the 1-D alignment trajectories; use "euclidean" (cosine is for dtw() on same-dimension sequences)',
    );
  }
  const categorical = new Set(opts.categorical ?? ['text']);
  const anchor = present.find((m) => !categorical.has(m)) ?? present[0];

  let times: Float32Array;
  let reference: 'audio' | 'grid';
  if (opts.reference === 'audio' && features.audio) {
    times = Float32Array.from(features.audio.times);
    reference = 'audio';
  } else {
    const steps = opts.reference === 'audio' ? (opts.fallbackGrid ?? 100) : opts.reference.grid;
    if (!Number.isInteger(steps) || steps < 2) {
      throw new ConfigError(`perception.align.reference.grid: ${steps}; expected an integer ≥ 2`);
    }
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const m of present) {
      const ts = features[m]!.times;
      t0 = Math.min(t0, ts[0]);
      t1 = Math.max(t1, ts[ts.length - 1]);
    }
    times = new Float32Array(steps);
    for (let k = 0; k < steps; k++) times[k] = t0 + ((t1 - t0) * k) / (steps - 1);
    reference = 'grid';
  }
  const T = times.length;

  const out: SampleFeatures = {};
  const warps: Partial<Record<ModalityName, WarpMap>> = {};
  const costs: Partial<Record<ModalityName, number>> = {};
  const resampled = new Map<ModalityName, FeatureSequence>();
  for (const m of present) resampled.set(m, categorical.has(m) ? resampleNearest(features[m]!, times) : resampleLinear(features[m]!, times));

  const smoothFrames = T >= 2 ? Math.round((opts.smoothS ?? 0) / Math.max(1e-9, (times[T - 1] - times[0]) / (T - 1))) : 0;
  const minFrames = opts.minFrames ?? 8;
  const learned = trajectory === 'learned';
  const projectionOf = (m: ModalityName): AlignProjection => {
    const p = opts.projections?.[m];
    if (!p) throw new ConfigError(`perception.align.trajectory: "learned" needs a fitted projection for ${m}; none was given (fit them on the training split, see fitAlignProjections)`);
    return p;
  };
  const trajOf = (m: ModalityName, signRef: Float64Array | undefined): Float64Array =>
    learned ? learnedTrajectory(resampled.get(m)!, projectionOf(m), smoothFrames, opts.learnedScale ?? 'clip', m) : trajectoryOf(resampled.get(m)!, trajectory as 'pca' | 'norm', signRef, smoothFrames);
  const anchorTraj = opts.method === 'dtw' && present.some((m) => m !== anchor && !categorical.has(m) && features[m]!.times.length >= minFrames) ? trajOf(anchor, undefined) : undefined;
  if (opts.method === 'oracle') return oracleAlign(features, present, anchor, categorical, times, reference, resampled, opts.truthWarps, opts.oracleSpan ?? 'anchor');
  for (const m of present) {
    const r = resampled.get(m)!;
    if (opts.method === 'none' || m === anchor || categorical.has(m) || T < 2 || features[m]!.times.length < minFrames) {
      out[m] = r;
      warps[m] = { src: Float32Array.from(times), ref: Float32Array.from(times) };
      continue;
    }
    const traj = trajOf(m, anchorTraj);
    const trajDim = learned ? projectionOf(m).weights.length : 1;
    const res = dtw({ values: traj, dim: trajDim }, { values: anchorTraj!, dim: trajDim }, {
      band: opts.band ?? 0.1,
      cost: 'euclidean',
      derivative: opts.derivative ?? false,
      stepPenalty: opts.stepPenalty ?? 0,
    });
    // Each reference frame j takes the mean of the modality frames k mapped onto it.
    const d = r.dim;
    const sum = new Float64Array(T * d);
    const count = new Int32Array(T);
    const src = new Float32Array(res.length);
    const ref = new Float32Array(res.length);
    for (let p = 0; p < res.length; p++) {
      const k = res.path[2 * p];
      const j = res.path[2 * p + 1];
      for (let c = 0; c < d; c++) sum[j * d + c] += r.values[k * d + c];
      count[j]++;
      src[p] = times[k];
      ref[p] = times[j];
    }
    const values = new Float32Array(T * d);
    for (let j = 0; j < T; j++) for (let c = 0; c < d; c++) values[j * d + c] = sum[j * d + c] / count[j];
    out[m] = { times: Float32Array.from(times), values, dim: d };
    warps[m] = { src, ref };
    costs[m] = res.cost / res.length;
  }
  return { times, reference, anchor, features: out, warps, costs };
}

/** A stored warp (clock → true time) extended at rate 1 beyond its ends, and its inverse (τ is strictly increasing). */
function warpForward(w: TimeWarp, t: number): number {
  const n = w.t.length;
  if (t < w.t[0]) return w.tau[0] + (t - w.t[0]);
  if (t > w.t[n - 1]) return w.tau[n - 1] + (t - w.t[n - 1]);
  return interp1(w.t, w.tau, t);
}
function warpInverse(w: TimeWarp, x: number): number {
  const n = w.tau.length;
  if (x < w.tau[0]) return w.t[0] + (x - w.tau[0]);
  if (x > w.tau[n - 1]) return w.t[n - 1] + (x - w.tau[n - 1]);
  return interp1(w.tau, w.t, x);
}

/**
 * `method: 'oracle'` (see the module comment): the ground-truth warps applied by resampling.
 * `span: 'anchor'` keeps the anchor's frames as the timeline, so whatever another modality
 * recorded before or after the anchor's window (in true time) is not read and its end frame
 * holds instead. `span: 'union'` extends the timeline (on the anchor's clock, at its frame rate,
 * rate 1 beyond its stored warp) over every modality's recording, so nothing is dropped and each
 * modality holds its end frames where it recorded nothing: synchrony without loss of coverage.
 */
function oracleAlign(
  features: SampleFeatures,
  present: ModalityName[],
  anchor: ModalityName,
  categorical: ReadonlySet<string>,
  anchorTimes: Float32Array,
  reference: 'audio' | 'grid',
  resampledOnAnchor: Map<ModalityName, FeatureSequence>,
  truthWarps: Partial<Record<ModalityName, TimeWarp>> | undefined,
  span: 'anchor' | 'union',
): AlignedSample {
  const anchorWarp = truthWarps?.[anchor];
  if (!anchorWarp) {
    throw new DataError(`perception.align.method: "oracle" needs the sample's ground-truth warps (a simulator such as SynAffect stores them); none was given for the anchor modality ${anchor}`);
  }
  let times = anchorTimes;
  if (span === 'union' && anchorTimes.length >= 2) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const m of present) {
      const w = truthWarps![m];
      const ts = features[m]!.times;
      if (categorical.has(m) || !w) continue;
      lo = Math.min(lo, warpForward(w, ts[0]));
      hi = Math.max(hi, warpForward(w, ts[ts.length - 1]));
    }
    const a0 = Math.min(anchorTimes[0], warpInverse(anchorWarp, lo));
    const a1 = Math.max(anchorTimes[anchorTimes.length - 1], warpInverse(anchorWarp, hi));
    const step = (anchorTimes[anchorTimes.length - 1] - anchorTimes[0]) / (anchorTimes.length - 1);
    const n = step > 0 ? Math.max(anchorTimes.length, Math.round((a1 - a0) / step) + 1) : anchorTimes.length;
    times = Float32Array.from({ length: n }, (_, k) => a0 + ((a1 - a0) * k) / Math.max(1, n - 1));
  }
  const out: SampleFeatures = {};
  const warps: Partial<Record<ModalityName, WarpMap>> = {};
  for (const m of present) {
    const w = truthWarps![m];
    if (m === anchor || categorical.has(m) || !w) {
      // The anchor's clock is the reference clock; text has no timing; a modality without a stored warp cannot be corrected.
      out[m] = times === anchorTimes ? resampledOnAnchor.get(m)! : categorical.has(m) ? resampleNearest(features[m]!, times) : resampleLinear(features[m]!, times);
      warps[m] = { src: Float32Array.from(times), ref: Float32Array.from(times) };
      continue;
    }
    // `anchor` keeps the clamped warps the session-4 oracle runs used (extrapolating them moves the anchor's
    // last few frames, which lie past its stored warp); `union` must extrapolate to reach beyond the anchor's window.
    const src =
      span === 'union'
        ? Float32Array.from(times, (t) => warpInverse(w, warpForward(anchorWarp, t)))
        : Float32Array.from(times, (t) => interp1(w.tau, w.t, interp1(anchorWarp.t, anchorWarp.tau, t)));
    const r = resampleLinear(features[m]!, src);
    out[m] = { times: Float32Array.from(times), values: r.values, dim: r.dim };
    warps[m] = { src, ref: Float32Array.from(times) };
  }
  return { times, reference, anchor, features: out, warps, costs: {} };
}

/** One z-normalised value per frame (see the module comment). */
export function trajectoryOf(seq: FeatureSequence, kind: 'pca' | 'norm', signRef: Float64Array | undefined, smoothFrames = 0): Float64Array {
  const T = seq.times.length;
  const d = seq.dim;
  const z = zNormalize(seq.values, d);
  const traj = new Float64Array(T);
  if (kind === 'norm' || d === 1) {
    if (d === 1) traj.set(z);
    else for (let i = 0; i < T; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += z[i * d + c] ** 2;
      traj[i] = Math.sqrt(s / d);
    }
  } else {
    const v = firstComponent(z, T, d);
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += z[i * d + c] * v[c];
      traj[i] = s;
    }
  }
  const zt = zNormalize(smoothFrames > 1 ? movingAverage(traj, smoothFrames | 1) : traj, 1);
  if (signRef && kind === 'pca' && d > 1) {
    let corr = 0;
    for (let i = 0; i < T; i++) corr += zt[i] * signRef[i];
    if (corr < 0) for (let i = 0; i < T; i++) zt[i] = -zt[i];
  }
  return zt;
}

/**
 * The learned trajectory: the fitted (arousal, valence) read-out of every
 * frame, smoothed, then per target z-scored (`clip`) or centred (`center`)
 * over the clip. T×targets, row-major.
 */
export function learnedTrajectory(seq: FeatureSequence, p: AlignProjection, smoothFrames: number, scale: 'clip' | 'center', where = 'features'): Float64Array {
  const T = seq.times.length;
  const K = p.weights.length;
  const y = applyProjection(p, seq.values, seq.dim, `perception.align projection of ${where}`);
  const out = new Float64Array(T * K);
  const col = new Float64Array(T);
  for (let r = 0; r < K; r++) {
    for (let i = 0; i < T; i++) col[i] = y[i * K + r];
    const c = smoothFrames > 1 ? movingAverage(col, smoothFrames | 1) : col;
    let z: Float64Array;
    if (scale === 'clip') z = zNormalize(c, 1);
    else {
      let mu = 0;
      for (let i = 0; i < T; i++) mu += c[i];
      mu /= Math.max(1, T);
      z = Float64Array.from(c, (v) => v - mu);
    }
    for (let i = 0; i < T; i++) out[i * K + r] = z[i];
  }
  return out;
}

/** Leading eigenvector of ZᵀZ by power iteration on Z (never forms the d×d matrix). */
function firstComponent(z: Float64Array, T: number, d: number): Float64Array {
  // Deterministic, non-symmetric start so it is not orthogonal to the component by construction.
  let v = new Float64Array(d);
  for (let c = 0; c < d; c++) v[c] = 1 + c / d;
  const zv = new Float64Array(T);
  for (let it = 0; it < 100; it++) {
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += z[i * d + c] * v[c];
      zv[i] = s;
    }
    const nv = new Float64Array(d);
    for (let i = 0; i < T; i++) {
      const a = zv[i];
      if (a !== 0) for (let c = 0; c < d; c++) nv[c] += z[i * d + c] * a;
    }
    let norm = 0;
    for (let c = 0; c < d; c++) norm += nv[c] * nv[c];
    norm = Math.sqrt(norm);
    if (norm === 0) return v;
    let delta = 0;
    for (let c = 0; c < d; c++) {
      nv[c] /= norm;
      delta += Math.abs(nv[c] - v[c]);
    }
    v = nv;
    if (delta < 1e-9) break;
  }
  return v;
}

/**
 * Mean absolute time error (s) of a recovered warp against the ground truth.
 * Each pair (s, r) says the content at modality time s sits at reference time
 * r. The truth warp maps modality time to true time; the reference clock's own
 * truth warp (`refTruth`, e.g. the audio's, when the timeline is the audio's
 * clock) is inverted to bring true time onto the reference clock. Without
 * `refTruth` the reference clock is the true timeline (a grid over the true
 * timeline). The error is averaged over the path's pairs.
 */
export function scoreWarp(path: WarpMap, truth: TimeWarp, refTruth?: TimeWarp): number {
  if (path.src.length !== path.ref.length || path.src.length === 0) {
    throw new DataError(`scoreWarp: path has ${path.src.length} src and ${path.ref.length} ref times; expected equal, non-zero lengths`);
  }
  for (const [name, w] of [['truth', truth], ['refTruth', refTruth]] as const) {
    if (w && (w.t.length !== w.tau.length || w.t.length < 2)) {
      throw new DataError(`scoreWarp: ${name} has ${w.t.length} t and ${w.tau.length} tau samples; expected equal lengths ≥ 2`);
    }
  }
  let err = 0;
  for (let p = 0; p < path.src.length; p++) {
    const tau = interp1(truth.t, truth.tau, path.src[p]);
    const want = refTruth ? interp1(refTruth.tau, refTruth.t, tau) : tau;
    err += Math.abs(path.ref[p] - want);
  }
  return err / path.src.length;
}

/** A DTW index path (flattened (i, j) pairs) as times: i indexes `srcTimes`, j `refTimes`. */
export function pathToWarpMap(path: Int32Array, srcTimes: ArrayLike<number>, refTimes: ArrayLike<number>): WarpMap {
  const n = path.length / 2;
  const src = new Float32Array(n);
  const ref = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const i = path[2 * p];
    const j = path[2 * p + 1];
    if (i >= srcTimes.length || j >= refTimes.length) {
      throw new DataError(`pathToWarpMap: pair ${p} is (${i}, ${j}); expected indices below ${srcTimes.length} and ${refTimes.length}`);
    }
    src[p] = srcTimes[i];
    ref[p] = refTimes[j];
  }
  return { src, ref };
}

/**
 * Scores every warped modality of an aligned sample against a simulator's
 * ground truth (SynAffect): mean absolute time error (s) per modality. The
 * reference clock is the anchor's, so the anchor's own truth warp (when it
 * has one) maps true time back onto it. The anchor and categorical modalities
 * are not warped and not scored; a modality without a truth warp is skipped.
 */
export function scoreAlignment(aligned: AlignedSample, truth: SynthTruth, categorical: ModalityName[] = ['text']): Partial<Record<ModalityName, number>> {
  const out: Partial<Record<ModalityName, number>> = {};
  const refTruth = truth.warps[aligned.anchor];
  for (const m of MODALITIES) {
    const w = aligned.warps[m];
    const t = truth.warps[m];
    if (!w || !t || m === aligned.anchor || categorical.includes(m)) continue;
    out[m] = scoreWarp(w, t, refTruth);
  }
  return out;
}
