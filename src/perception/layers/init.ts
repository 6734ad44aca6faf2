import type { Rng } from '../../core/rng.js';

/**
 * Seeded weight initialisers returning plain Float32Arrays (row-major), so a
 * model's initial weights depend only on its Rng, never on tfjs's global seed.
 * Local until a shared `src/core/init.ts` lands.
 */

/** Glorot/Xavier uniform for a [fanOut, fanIn] (or [fanIn, fanOut]) matrix: U(±sqrt(6/(fanIn+fanOut))). */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return rng.uniformArray(fanIn * fanOut, -a, a);
}

/** U(-a, a): PyTorch's default for recurrent and linear biases is a = 1/sqrt(hidden or fanIn). */
export function uniform(rng: Rng, n: number, a: number): Float32Array {
  return rng.uniformArray(n, -a, a);
}

/**
 * A (rows × cols) matrix with orthonormal rows (rows ≤ cols) or columns
 * (rows > cols), by modified Gram–Schmidt on Gaussian draws — the Saxe et al.
 * orthogonal init used for recurrent weights. Gram–Schmidt is enough at these
 * sizes (≤ a few hundred) and avoids pulling in a linear-algebra package.
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  const tall = rows > cols;
  const n = tall ? cols : rows; // number of orthonormal vectors
  const len = tall ? rows : cols; // their length
  const vecs: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float64Array(len);
    for (;;) {
      for (let k = 0; k < len; k++) v[k] = rng.normal();
      for (const u of vecs) {
        let d = 0;
        for (let k = 0; k < len; k++) d += u[k] * v[k];
        for (let k = 0; k < len; k++) v[k] -= d * u[k];
      }
      let norm = 0;
      for (let k = 0; k < len; k++) norm += v[k] * v[k];
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let k = 0; k < len; k++) v[k] /= norm;
        break;
      }
    }
    vecs.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < len; k++) {
      if (tall) out[k * cols + i] = gain * vecs[i][k];
      else out[i * cols + k] = gain * vecs[i][k];
    }
  }
  return out;
}
