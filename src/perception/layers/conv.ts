import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

/**
 * 1-D convolution over time ('same' padding, stride 1) written as im2col: the
 * k shifted copies of the zero-padded input are concatenated on the feature
 * axis and multiplied by one [out, k·in] matrix. Written this way because the
 * wasm backend has no Conv2DBackpropFilter (tf.conv1d's gradient), and one
 * matmul is as fast as the conv kernel at these sizes. Weight layout:
 * weight[o, j·in + d] = torch Conv1d weight[o, d, j].
 */
export class TemporalConv extends Module {
  readonly proj: Linear;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly kernel: number,
    rng: Rng,
  ) {
    super();
    if (kernel < 1 || kernel % 2 !== 1) throw new Error(`TemporalConv: kernel must be odd and ≥ 1, got ${kernel}`);
    this.proj = this.child('proj', new Linear(kernel * inDim, outDim, rng));
  }

  /** x [B,T,D] → [B,T,out]; padded/masked steps should be zero in x. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, D] = x.shape;
      const p = (this.kernel - 1) / 2;
      const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [0, 0]]) : x;
      const cols: tf.Tensor[] = [];
      for (let j = 0; j < this.kernel; j++) cols.push(tf.slice(padded, [0, j, 0], [B, T, D]));
      return this.proj.apply(cols.length === 1 ? cols[0] : tf.concat(cols, -1)) as tf.Tensor3D;
    });
  }
}
