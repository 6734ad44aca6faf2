import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

/** How the 2-hop term is formed (paper 000, eq. 6 is ambiguous in the available text). */
export type TwoHopMode = 'difference' | 'power';

export interface GraphConvOptions {
  /** Width of the learned node embeddings the adjacency is computed from. */
  adjDim: number;
  /** `difference` (default): A·(A·H − H), neighbours' aggregated differences; `power`: A²·H. */
  twoHop: TwoHopMode;
  /** Whether a node may be its own neighbour in A (the self term θ₀·H is always there). */
  selfLoops: boolean;
}

const BLOCKED = -1e9;

/**
 * One dynamic graph-convolution layer after paper 000 (eq. 5–6), our reading:
 *
 *   A  = softmax_j( (H W_a)(H W_b)ᵀ / sqrt(d_a) )      adjacency learned from the current node features,
 *                                                      recomputed in every layer (a *dynamic* graph), over valid nodes only
 *   H' = ReLU( θ₀H ‖ θ₁(A H) ‖ θ₂ A(A H − H) )         self, 1-hop, 2-hop through neighbour differences,
 *                                                      joined by concatenation (‖)
 *
 * Row i of (A H − H) is Σ_j A_ij (H_j − H_i): how node i's neighbours differ
 * from it; aggregating that once more reaches 2-hop nodes. `twoHop: power`
 * uses A²H instead. Output width is 3·outDim. Rows of invalid nodes are zeroed.
 */
export class GraphConv extends Module {
  readonly adjA: Linear;
  readonly adjB: Linear;
  readonly theta0: Linear;
  readonly theta1: Linear;
  readonly theta2: Linear;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly opts: GraphConvOptions,
    rng: Rng,
  ) {
    super();
    this.adjA = this.child('adj_a', new Linear(inDim, opts.adjDim, rng, { bias: false }));
    this.adjB = this.child('adj_b', new Linear(inDim, opts.adjDim, rng, { bias: false }));
    this.theta0 = this.child('theta0', new Linear(inDim, outDim, rng));
    this.theta1 = this.child('theta1', new Linear(inDim, outDim, rng, { bias: false }));
    this.theta2 = this.child('theta2', new Linear(inDim, outDim, rng, { bias: false }));
  }

  /** Adjacency [B,N,N] (rows sum to 1 over valid neighbours). nodeMask [B,N], 1 = valid. */
  adjacency(h: tf.Tensor3D, nodeMask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, N] = nodeMask.shape;
      const a = this.adjA.apply(h) as tf.Tensor3D;
      const b = this.adjB.apply(h) as tf.Tensor3D;
      let scores: tf.Tensor = tf.mul(tf.matMul(a, b, false, true), 1 / Math.sqrt(this.opts.adjDim));
      let allowed: tf.Tensor = nodeMask.reshape([B, 1, N]);
      if (!this.opts.selfLoops) allowed = tf.mul(allowed, tf.sub(1, tf.eye(N)).expandDims(0));
      scores = tf.add(scores, tf.mul(tf.sub(1, allowed), BLOCKED));
      // Rows with no valid neighbour would be uniform over invalid nodes: zero them.
      return tf.mul(tf.softmax(scores, -1), tf.greater(tf.max(allowed, -1, true), 0).cast('float32')) as tf.Tensor3D;
    });
  }

  forward(h: tf.Tensor3D, nodeMask: tf.Tensor2D): { out: tf.Tensor3D; adjacency: tf.Tensor3D } {
    return tf.tidy(() => {
      const A = this.adjacency(h, nodeMask);
      const ah = tf.matMul(A, h);
      const two = this.opts.twoHop === 'power' ? tf.matMul(A, ah) : tf.matMul(A, tf.sub(ah, h));
      const cat = tf.concat([this.theta0.apply(h), this.theta1.apply(ah), this.theta2.apply(two)], -1);
      const out = tf.mul(tf.relu(cat), nodeMask.expandDims(2)) as tf.Tensor3D;
      return { out, adjacency: A };
    });
  }
}
