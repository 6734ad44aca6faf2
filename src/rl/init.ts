import { qr } from 'mathjs';
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/**
 * Orthogonal initialisation as `torch.nn.init.orthogonal_` (Saxe et al. 2014):
 * QR of a Gaussian matrix, columns sign-corrected by diag(R) so the result is
 * Haar-distributed, scaled by `gain`. Returns the weight in affectlab's
 * [inDim, outDim] (x·W) layout, i.e. torch's [out, in] weight transposed.
 * Written here because src/core has no initialiser module yet and tfjs's
 * `orthogonal` initialiser cannot draw from our Rng; the QR is mathjs's.
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
  const { Q, R } = qr(a) as unknown as { Q: number[][]; R: number[][] };
  // Reduced Q (m×n) with columns scaled by sign(diag R).
  const q: number[][] = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => Q[i][j] * (R[j][j] < 0 ? -1 : 1)));
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
