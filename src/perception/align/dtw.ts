import { DataError } from '../../core/errors.js';
import type { FeatureSequence } from '../types.js';

/**
 * Dynamic time warping between multivariate sequences, banded.
 *
 * Hand-written: the npm DTW packages (dtw, dynamic-time-warping) are O(n·m)
 * in time and memory over nested JS arrays with no band and no multivariate
 * cost; a band-limited, typed-array implementation is short and is the hot
 * loop of the align step.
 *
 * Band (Sakoe–Chiba), relative to the diagonal so sequences of different
 * lengths work: row i may visit columns j with |j − i·(m−1)/(n−1)| ≤ w, where
 * w = max(ceil(band · max(n, m)), ceil((slope + 1) / 2)) and slope is the
 * number of columns the diagonal advances per row (at least 1). The second
 * term is the narrowest band in which neighbouring rows still overlap, so a
 * path from (0,0) to (n−1,m−1) always exists. band ≥ 1 is unconstrained.
 * Time is O(n·w); memory is two cost rows plus one traceback byte per band cell.
 */
export type DtwCost = 'euclidean' | 'cosine';

export interface DtwOptions {
  /** Sakoe–Chiba half-width as a fraction of the longer length; ≥ 1 = no band. Default 0.1. */
  band?: number;
  /** Local cost: Euclidean distance, or 1 − cosine similarity (a zero vector has similarity 0). */
  cost?: DtwCost;
  /** Derivative DTW (Keogh & Pazzani 2001): compare derivative estimates instead of values. */
  derivative?: boolean;
  /**
   * Added to the accumulated cost of every non-diagonal step (an expansion or
   * compression), in local-cost units; 0 (default) is plain DTW. As
   * dtaidistance's `penalty`: where the sequences carry no timing (flat
   * stretches, noise) every path costs about the same and plain DTW wanders;
   * the penalty keeps the path on the diagonal unless the signals pay for
   * leaving it. Included in `cost`.
   */
  stepPenalty?: number;
}

export interface DtwResult {
  /** Sum of local costs along the optimal path. */
  cost: number;
  /** The warping path as flattened (i, j) pairs, from (0, 0) to (n−1, m−1). */
  path: Int32Array;
  /** Number of pairs in the path (path.length / 2). */
  length: number;
  /** Cells evaluated (the band's area), for throughput figures. */
  cells: number;
}

/** A plain multivariate sequence: T×dim row-major. */
export interface Series {
  values: ArrayLike<number>;
  dim: number;
}

/** The band half-width (in columns) used for an n×m problem. */
export function bandHalfWidth(n: number, m: number, band: number): number {
  if (band >= 1 || n <= 1 || m <= 1) return Math.max(n, m);
  const slope = Math.max(1, (m - 1) / (n - 1));
  return Math.max(Math.ceil(band * Math.max(n, m)), Math.ceil((slope + 1) / 2));
}

/**
 * Keogh & Pazzani (2001) derivative estimate, per dimension:
 * D[i] = ((x[i] − x[i−1]) + (x[i+1] − x[i−1]) / 2) / 2 for interior points;
 * the first and last estimates copy their neighbours'.
 */
export function derivativeEstimate(values: ArrayLike<number>, dim: number): Float64Array {
  const T = Math.floor(values.length / dim);
  const out = new Float64Array(T * dim);
  if (T < 3) return out; // fewer than 3 points: no interior estimate; a flat derivative
  for (let i = 1; i < T - 1; i++) {
    for (let k = 0; k < dim; k++) {
      const a = values[(i - 1) * dim + k];
      const b = values[i * dim + k];
      const c = values[(i + 1) * dim + k];
      out[i * dim + k] = (b - a + (c - a) / 2) / 2;
    }
  }
  for (let k = 0; k < dim; k++) {
    out[k] = out[dim + k];
    out[(T - 1) * dim + k] = out[(T - 2) * dim + k];
  }
  return out;
}

function checkSeries(s: Series, name: string): number {
  if (!Number.isInteger(s.dim) || s.dim < 1) throw new DataError(`dtw: ${name}.dim is ${s.dim}; expected a positive integer`);
  if (s.values.length % s.dim !== 0) {
    throw new DataError(`dtw: ${name}.values has length ${s.values.length}, not a multiple of dim ${s.dim}`);
  }
  const T = s.values.length / s.dim;
  if (T < 1) throw new DataError(`dtw: ${name} is empty; expected at least one frame`);
  return T;
}

/** DTW between two sequences of equal dimension (FeatureSequence or plain Series). */
export function dtw(a: Series | FeatureSequence, b: Series | FeatureSequence, opts: DtwOptions = {}): DtwResult {
  const band = opts.band ?? 0.1;
  const costKind = opts.cost ?? 'euclidean';
  if (!(band > 0)) throw new DataError(`dtw: band is ${band}; expected a number > 0 (fraction of the longer length; ≥ 1 = no band)`);
  if (costKind !== 'euclidean' && costKind !== 'cosine') {
    throw new DataError(`dtw: cost is ${JSON.stringify(costKind)}; expected "euclidean" or "cosine"`);
  }
  const n = checkSeries(a, 'a');
  const m = checkSeries(b, 'b');
  if (a.dim !== b.dim) throw new DataError(`dtw: a.dim is ${a.dim} but b.dim is ${b.dim}; expected equal dimensions`);
  const d = a.dim;
  const pen = opts.stepPenalty ?? 0;
  if (!(pen >= 0) || !Number.isFinite(pen)) throw new DataError(`dtw: stepPenalty is ${pen}; expected a finite number ≥ 0`);
  // Monomorphic Float64 copies keep the inner loop on one hidden class.
  const x = opts.derivative ? derivativeEstimate(a.values, d) : Float64Array.from(a.values);
  const y = opts.derivative ? derivativeEstimate(b.values, d) : Float64Array.from(b.values);

  // Per-row band limits.
  const w = bandHalfWidth(n, m, band);
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const off = new Int32Array(n + 1);
  const slope = n > 1 ? (m - 1) / (n - 1) : 0;
  let maxWidth = 0;
  for (let i = 0; i < n; i++) {
    const c = i * slope;
    lo[i] = n > 1 ? Math.max(0, Math.ceil(c - w - 1e-9)) : 0;
    hi[i] = n > 1 ? Math.min(m - 1, Math.floor(c + w + 1e-9)) : m - 1;
    off[i + 1] = off[i] + (hi[i] - lo[i] + 1);
    maxWidth = Math.max(maxWidth, hi[i] - lo[i] + 1);
  }
  const cells = off[n];
  // Two rows of accumulated cost, and one byte per band cell for the traceback
  // (0 = diagonal, 1 = from the row above, 2 = from the left): O(n·w) bytes.
  let prev = new Float64Array(maxWidth);
  let cur = new Float64Array(maxWidth);
  const dir = new Uint8Array(cells);

  let nx: Float64Array | undefined;
  let ny: Float64Array | undefined;
  if (costKind === 'cosine') {
    nx = rowNorms(x, n, d);
    ny = rowNorms(y, m, d);
  }
  const cosine = nx !== undefined;

  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const h = hi[i];
    const o = off[i];
    const pl = i > 0 ? lo[i - 1] : 0;
    const ph = i > 0 ? hi[i - 1] : -1;
    const xi = i * d;
    let left = Infinity; // D(i, j−1)
    for (let j = l; j <= h; j++) {
      let c: number;
      const yj = j * d;
      if (!cosine) {
        if (d === 1) {
          const t = x[xi] - y[yj];
          c = t < 0 ? -t : t;
        } else {
          let s = 0;
          for (let k = 0; k < d; k++) {
            const t = x[xi + k] - y[yj + k];
            s += t * t;
          }
          c = Math.sqrt(s);
        }
      } else {
        let s = 0;
        for (let k = 0; k < d; k++) s += x[xi + k] * y[yj + k];
        const den = nx![i] * ny![j];
        c = 1 - (den > 0 ? s / den : 0);
      }
      // Predecessors outside the band are +∞; ties prefer the diagonal, then up.
      let diag: number;
      let up: number;
      if (j > pl && j <= ph) {
        // Interior of the previous row's band: the common case, no further checks.
        diag = prev[j - 1 - pl];
        up = prev[j - pl];
      } else {
        diag = j - 1 >= pl && j - 1 <= ph ? prev[j - 1 - pl] : i === 0 && j === 0 ? 0 : Infinity;
        up = j >= pl && j <= ph ? prev[j - pl] : Infinity;
      }
      up += pen;
      const fromLeft = left + pen;
      let best = diag;
      let step = 0;
      if (up < best) {
        best = up;
        step = 1;
      }
      if (fromLeft < best) {
        best = fromLeft;
        step = 2;
      }
      left = c + best;
      cur[j - l] = left;
      dir[o + j - l] = step;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }

  const total = prev[m - 1 - lo[n - 1]];
  const rev = new Int32Array(2 * (n + m));
  let len = 0;
  let i = n - 1;
  let j = m - 1;
  rev[len++] = i;
  rev[len++] = j;
  while (i > 0 || j > 0) {
    const step = dir[off[i] + j - lo[i]];
    if (step === 0) {
      i--;
      j--;
    } else if (step === 1) i--;
    else j--;
    rev[len++] = i;
    rev[len++] = j;
  }
  const pairs = len / 2;
  const path = new Int32Array(len);
  for (let p = 0; p < pairs; p++) {
    path[2 * p] = rev[len - 2 - 2 * p];
    path[2 * p + 1] = rev[len - 1 - 2 * p];
  }
  return { cost: total, path, length: pairs, cells };
}

function rowNorms(v: ArrayLike<number>, T: number, d: number): Float64Array {
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += v[i * d + k] * v[i * d + k];
    out[i] = Math.sqrt(s);
  }
  return out;
}
