import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface AttentionMasks {
  /** [B, Tk], 1 = a real key, 0 = padding (torch's key_padding_mask inverted). */
  keyMask?: tf.Tensor2D;
  /** [Tq, Tk], 1 = query may attend to key (torch's attn_mask inverted). */
  allowed?: tf.Tensor2D;
}

/** Large negative added to blocked scores; finite so fully blocked rows stay NaN-free. */
const BLOCKED = -1e9;

/**
 * Multi-head attention with torch.nn.MultiheadAttention's maths and weights
 * (q/k/v projections = the three row blocks of `in_proj_weight`, scale
 * 1/sqrt(head_dim), `out_proj`). All heads run in one batched matmul on
 * [B, heads, T, head_dim]. A query row with no allowed key (torch gives NaN)
 * gets a zero output here, so missing modalities mask instead of crash.
 */
export class MultiHeadAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  readonly headDim: number;
  constructor(
    readonly dim: number,
    readonly heads: number,
    rng: Rng,
  ) {
    super();
    if (dim % heads !== 0) throw new Error(`MultiHeadAttention: dim ${dim} is not divisible by heads ${heads}`);
    this.headDim = dim / heads;
    this.q = this.child('q', new Linear(dim, dim, rng));
    this.k = this.child('k', new Linear(dim, dim, rng));
    this.v = this.child('v', new Linear(dim, dim, rng));
    this.out = this.child('out', new Linear(dim, dim, rng));
  }

  private splitHeads(x: tf.Tensor, B: number, T: number): tf.Tensor4D {
    return x.reshape([B, T, this.heads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  }

  /**
   * query [B,Tq,E], kv [B,Tk,E] → out [B,Tq,E] and head-averaged weights [B,Tq,Tk].
   * `dropWeights` (training only) drops attention probabilities.
   */
  forward(query: tf.Tensor3D, kv: tf.Tensor3D, masks: AttentionMasks = {}, dropWeights?: (p: tf.Tensor) => tf.Tensor): { out: tf.Tensor3D; weights: tf.Tensor3D } {
    return tf.tidy(() => {
      const [B, Tq] = query.shape;
      const Tk = kv.shape[1];
      // Scale q (B·Tq·E values) rather than the scores (B·h·Tq·Tk).
      const q = this.splitHeads(tf.mul(this.q.apply(query), 1 / Math.sqrt(this.headDim)), B, Tq);
      const k = this.splitHeads(this.k.apply(kv), B, Tk);
      const v = this.splitHeads(this.v.apply(kv), B, Tk);
      let scores: tf.Tensor = tf.matMul(q, k, false, true); // [B,h,Tq,Tk]
      let allowed: tf.Tensor | undefined;
      if (masks.keyMask) allowed = masks.keyMask.reshape([B, 1, 1, Tk]);
      if (masks.allowed) {
        const a = masks.allowed.reshape([1, 1, Tq, Tk]);
        allowed = allowed ? tf.mul(allowed, a) : a;
      }
      if (allowed) scores = tf.add(scores, tf.mul(tf.sub(1, allowed), BLOCKED));
      let p = tf.softmax(scores, -1);
      const weights = p.mean(1) as tf.Tensor3D;
      if (dropWeights) p = dropWeights(p);
      const ctx = tf.matMul(p, v).transpose([0, 2, 1, 3]).reshape([B, Tq, this.dim]);
      let out = this.out.apply(ctx) as tf.Tensor3D;
      if (allowed) {
        // 1 where the query row has at least one allowed key; allowed is [b0,1,d2,Tk] with b0 ∈ {1,B}, d2 ∈ {1,Tq}.
        const [b0, , d2] = allowed.shape;
        const any = tf.greater(tf.max(allowed.reshape([b0, d2, Tk]), -1), 0).cast('float32');
        out = tf.mul(out, any.expandDims(2)) as tf.Tensor3D;
      }
      return { out, weights };
    });
  }
}
