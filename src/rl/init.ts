import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/**
 * Orthogonal initialisation as `torch.nn.init.orthogonal_` (Saxe et al. 2014):
 * QR of a Gaussian matrix, columns sign-corrected by diag(R) so the result is
 * Haar-distributed, scaled by `gain`. Returns the weight in affectlab's
 * [inDim, outDim] (x·W) layout, i.e. torch's [out, in] weight transposed.
 * Written here because src/core has no initialiser module yet and tfjs's
 * `orthogonal` initialiser cannot draw from our Rng. The QR is modified
 * Gram–Schmidt, which yields Q with a positive diagonal in R, i.e. Householder
 * QR's Q after torch's sign correction (mathjs's qr did the same job but its
 * import alone cost ~2 s of CPU in every process).
 */
export function orthogonal(rng: Rng, inDim: number, outDim: number, gain: number): Float32Array {
  if (!(inDim > 0 && outDim > 0)) throw new DataError(`orthogonal: shape [${inDim}, ${outDim}]; expected positive dimensions`);
  // torch draws the [rows=out, cols=in] matrix and transposes it when rows < cols so QR runs on a tall matrix.
  const rows = outDim;
  const cols = inDim;
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a: number[][] = Array.from({ length: m }, () => Array.from({ length: n }, () => rng.normal()));
  const q = gramSchmidt(a, m, n);
  // weight[out][in]: q when tall, else q transposed.
  const w = new Float32Array(inDim * outDim);
  for (let o = 0; o < outDim; o++) {
    for (let i = 0; i < inDim; i++) {
      const v = tall ? q[o][i] : q[i][o];
      w[i * outDim + o] = gain * v;
    }
  }
  return w;
}

/** Reduced Q (m×n, m ≥ n) of A by modified Gram–Schmidt: orthonormal columns, R with a positive diagonal. */
function gramSchmidt(a: number[][], m: number, n: number): number[][] {
  const cols: Float64Array[] = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => a[i][j]));
  for (let j = 0; j < n; j++) {
    const v = cols[j];
    for (let p = 0; p < j; p++) {
      const u = cols[p];
      let dot = 0;
      for (let i = 0; i < m; i++) dot += u[i] * v[i];
      for (let i = 0; i < m; i++) v[i] -= dot * u[i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new DataError('orthogonal: a degenerate Gaussian draw (zero column); use another seed');
    for (let i = 0; i < m; i++) v[i] /= norm;
  }
  return Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => cols[j][i]));
}
