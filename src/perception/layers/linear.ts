import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { glorotUniform } from './init.js';
import { Module } from './module.js';
import { linearMatMul } from './ops.js';

/**
 * y = x Wᵀ + b over the last axis. W is stored [out, in] (PyTorch layout) so
 * torch state dicts map one to one; any leading axes are flattened into one
 * matmul.
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    opts: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param('weight', [outDim, inDim], glorotUniform(rng, inDim, outDim));
    this.bias = opts.bias === false ? undefined : this.param('bias', [outDim], new Float32Array(outDim));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const shape = x.shape;
    const x2 = shape.length === 2 ? (x as tf.Tensor2D) : x.reshape([-1, this.inDim]) as tf.Tensor2D;
    let y: tf.Tensor = linearMatMul(x2, this.weight as tf.Tensor2D);
    if (this.bias) y = tf.add(y, this.bias);
    return shape.length === 2 ? y : y.reshape([...shape.slice(0, -1), this.outDim]);
  }
}

/** Layer normalisation over the last axis, PyTorch semantics (biased variance, eps inside the sqrt). */
export class LayerNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.gamma = this.param('weight', [dim], new Float32Array(dim).fill(1));
    this.beta = this.param('bias', [dim], new Float32Array(dim));
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps))), this.gamma), this.beta);
    });
  }
}
