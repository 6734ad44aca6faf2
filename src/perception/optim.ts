import { tf } from '../core/backend.js';

export type WeightDecayMode = 'l2' | 'decoupled';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /**
   * `l2` (torch.optim.Adam): wd·w is added to the gradient, so it passes
   * through the adaptive scaling. `decoupled` (torch.optim.AdamW, Loshchilov &
   * Hutter): w ← w − lr·wd·w separately from the Adam step.
   */
  weightDecayMode: WeightDecayMode;
}

/** Adam state as plain data (checkpoints). */
export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * Adam / AdamW with PyTorch's update rule (bias-corrected, eps outside the
 * sqrt), checked against torch in tests. Written here rather than using
 * tf.train.adam because tfjs's Adam has no weight decay and its internal
 * accumulators cannot be restored exactly for resume.
 */
export class Adam {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  constructor(
    readonly vars: tf.Variable[],
    readonly opts: AdamOptions,
  ) {
    const zeroVar = (x: tf.Variable) => {
      const z = tf.zerosLike(x);
      const v = tf.variable(z, false);
      z.dispose(); // the variable keeps its own reference
      return v;
    };
    this.m = vars.map(zeroVar);
    this.v = vars.map(zeroVar);
  }

  get step(): number {
    return this.t;
  }

  /** Applies one update; `grads[i]` belongs to `vars[i]`. Does not dispose the grads. */
  apply(grads: tf.Tensor[]): void {
    const { lr, beta1, beta2, eps, weightDecay, weightDecayMode } = this.opts;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const w = this.vars[i];
        let g = grads[i];
        if (weightDecay > 0 && weightDecayMode === 'l2') g = tf.add(g, tf.mul(w, weightDecay));
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const base = weightDecay > 0 && weightDecayMode === 'decoupled' ? tf.mul(w, 1 - lr * weightDecay) : w;
        w.assign(tf.sub(base, tf.div(tf.mul(m, stepSize), tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps))));
      }
    });
  }

  getState(): AdamState {
    return { step: this.t, m: this.m.map((x) => (x.dataSync() as Float32Array).slice()), v: this.v.map((x) => (x.dataSync() as Float32Array).slice()) };
  }

  setState(s: AdamState, where = 'optimizer state'): void {
    if (s.m.length !== this.m.length || s.v.length !== this.v.length) {
      throw new Error(`${where}: ${s.m.length} moment tensors, expected ${this.m.length}`);
    }
    this.t = s.step;
    tf.tidy(() => {
      for (let i = 0; i < this.m.length; i++) {
        if (s.m[i].length !== this.m[i].size || s.v[i].length !== this.v[i].size) {
          throw new Error(`${where}: moment ${i} has ${s.m[i].length} values, expected ${this.m[i].size}`);
        }
        this.m[i].assign(tf.tensor(s.m[i], this.m[i].shape));
        this.v[i].assign(tf.tensor(s.v[i], this.v[i].shape));
      }
    });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

/** Scales grads so their global L2 norm is at most `maxNorm` (torch clip_grad_norm_); returns new tensors. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return grads.map((g) => tf.mul(g, scale));
  });
}
