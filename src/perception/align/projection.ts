import { DataError } from '../../core/errors.js';
import { MODALITIES, type ModalityName } from '../../data/types.js';
import type { SampleFeatures } from '../types.js';

/**
 * A learned per-modality alignment trajectory: frame features → (arousal,
 * valence), fitted by ridge regression on the training split only.
 *
 * Why: DTW needs one signal per modality that follows the same shared course.
 * The unsupervised trajectories (first principal component or RMS of per-clip
 * z-scored features) follow whatever varies most inside a clip (syllables,
 * blinks, beat-to-beat noise), which on SynAffect correlates only 0.2–0.6
 * with the true emotion course. Every modality's frames carry the emotion
 * through the same arousal/valence state, so a linear read-out of that state,
 * learned from labelled clips, is a trajectory in the same units for every
 * modality. The target of every frame is its clip's label (no frame-level
 * labels exist); frames are weighted 1/T per clip so a long or fast-rate clip
 * does not dominate. Columns are standardised with training statistics
 * before the fit (and at use), so the ridge penalty treats them alike.
 *
 * Hand-written: the fit is a (d+1)×(d+1) normal-equation solve on sufficient
 * statistics accumulated frame by frame (no T×d matrix is formed), which no
 * package does without materialising the frames.
 */
export interface AlignProjection {
  dim: number;
  /** Training column means and standard deviations (std 1 for constant columns). */
  mean: number[];
  std: number[];
  /** Outputs (rows) × dim: one weight vector per target. */
  weights: number[][];
  /** One intercept per target. */
  bias: number[];
  /** Names of the targets, in row order. */
  targets: ('arousal' | 'valence')[];
  /** Clips the fit used. */
  clips: number;
}

export type AlignProjections = Partial<Record<ModalityName, AlignProjection>>;

export interface ProjectionClip {
  features: SampleFeatures;
  arousal: number;
  valence: number;
}

export interface FitProjectionOptions {
  /** Ridge penalty on the standardised weights (per unit of total clip weight). */
  lambda: number;
  targets: ('arousal' | 'valence')[];
  /** Modalities to fit (categorical ones, e.g. text ids, must be left out). */
  modalities: readonly ModalityName[];
}

/** Fits one projection per modality present in at least one clip. */
export function fitAlignProjections(clips: readonly ProjectionClip[], opts: FitProjectionOptions): AlignProjections {
  if (!(opts.lambda >= 0)) throw new DataError(`fitAlignProjections: lambda ${opts.lambda}; expected ≥ 0`);
  if (opts.targets.length === 0) throw new DataError('fitAlignProjections: targets is empty; expected arousal and/or valence');
  const out: AlignProjections = {};
  for (const m of MODALITIES) {
    if (!opts.modalities.includes(m)) continue;
    const seqs = clips.filter((c) => c.features[m] && c.features[m]!.times.length > 0);
    if (seqs.length === 0) continue;
    const d = seqs[0].features[m]!.dim;
    // Pass 1: weighted column means and stds.
    const s1 = new Float64Array(d);
    const s2 = new Float64Array(d);
    let wsum = 0;
    for (const c of seqs) {
      const f = c.features[m]!;
      if (f.dim !== d) throw new DataError(`fitAlignProjections: ${m} has dim ${f.dim} in one clip and ${d} in another; expected one dimension`);
      const T = f.times.length;
      const w = 1 / T;
      for (let t = 0; t < T; t++) for (let k = 0; k < d; k++) {
        const v = f.values[t * d + k];
        s1[k] += w * v;
        s2[k] += w * v * v;
      }
      wsum += 1;
    }
    const mean = Array.from(s1, (v) => v / wsum);
    const std = Array.from(s2, (v, k) => {
      const sd = Math.sqrt(Math.max(0, v / wsum - mean[k] ** 2));
      return sd > 1e-9 ? sd : 1;
    });
    // Pass 2: normal equations of the centred, standardised problem (the intercept is the target mean).
    const xtx = new Float64Array(d * d);
    const xty = opts.targets.map(() => new Float64Array(d));
    const ymean = opts.targets.map((name) => seqs.reduce((a, c) => a + c[name], 0) / seqs.length);
    const z = new Float64Array(d);
    for (const c of seqs) {
      const f = c.features[m]!;
      const T = f.times.length;
      const w = 1 / T;
      const ys = opts.targets.map((name, r) => c[name] - ymean[r]);
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < d; k++) z[k] = (f.values[t * d + k] - mean[k]) / std[k];
        for (let a = 0; a < d; a++) {
          const za = w * z[a];
          if (za === 0) continue;
          for (let b = a; b < d; b++) xtx[a * d + b] += za * z[b];
          for (let r = 0; r < ys.length; r++) xty[r][a] += za * ys[r];
        }
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) xtx[a * d + b] = xtx[b * d + a];
      xtx[a * d + a] += opts.lambda * wsum;
    }
    const weights = xty.map((rhs) => solveSpd(xtx, rhs, d, m));
    out[m] = { dim: d, mean, std, weights, bias: ymean, targets: [...opts.targets], clips: seqs.length };
  }
  return out;
}

/** Applies a projection to T×dim frames: T×targets values, row-major. */
export function applyProjection(p: AlignProjection, values: ArrayLike<number>, dim: number, where = 'projection'): Float64Array {
  if (dim !== p.dim) throw new DataError(`${where}: features have dim ${dim}, the fitted projection ${p.dim}; expected the same features as the fit`);
  const T = Math.floor(values.length / dim);
  const K = p.weights.length;
  const out = new Float64Array(T * K);
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < K; r++) {
      const w = p.weights[r];
      let s = p.bias[r];
      for (let k = 0; k < dim; k++) s += w[k] * ((values[t * dim + k] - p.mean[k]) / p.std[k]);
      out[t * K + r] = s;
    }
  }
  return out;
}

/** Cholesky solve of A x = b for a symmetric positive-definite d×d A (row-major; A is not modified). */
export function solveSpd(A: Float64Array, b: Float64Array, d: number, where = 'matrix'): number[] {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) throw new DataError(`fitAlignProjections (${where}): the normal equations are not positive definite at column ${i}; expected lambda > 0 or more clips than feature columns`);
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * d + k] * y[k];
    y[i] = s / L[i * d + i];
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
    x[i] = s / L[i * d + i];
  }
  return x;
}
