import { tf } from '../core/backend.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { GeneratorConfig } from './config.js';
import { mm } from './model/ops.js';

/**
 * The frozen emotion critic of the 'output' alignment loss: a bag-of-tokens
 * multinomial logistic regression, logits(text) = mean_i A[token_i] + b.
 * Because it is linear in the token histogram, its logits for the model's
 * expected output Σ_t p_t / T are exactly the expected logits under the
 * per-position distributions, so the alignment term is differentiable all the
 * way to softmax(logits): the gradient moves probability mass towards tokens
 * that signal the target emotion in the training texts. Fitted once on the
 * training texts' labels before the generator trains and never updated by the
 * generator's loss (a trainable critic and generator could collude on
 * probability shifts too small to change the decoded text).
 * Hand-written: ~30 lines of tfjs; no maintained JS package fits a softmax
 * regression on a dense token histogram with soft targets.
 */
export interface EmotionCritic {
  vocabSize: number;
  classes: number;
  /** [V × C] row-major token → emotion logit weights. */
  weights: Float32Array;
  /** [C]. */
  bias: Float32Array;
  /** Fraction of the fitting texts whose argmax matches the argmax of their target. */
  trainAccuracy: number;
}

export type CriticConfig = GeneratorConfig['critic'];

/** Normalised token histograms [N × V] of `seqs`, ignoring the `skip` ids (BOS, EOS, pad). */
export function tokenHistograms(seqs: readonly (readonly number[])[], vocabSize: number, skip: readonly number[]): Float32Array {
  const out = new Float32Array(seqs.length * vocabSize);
  const sk = new Set(skip);
  seqs.forEach((seq, n) => {
    let count = 0;
    for (const id of seq) {
      if (sk.has(id)) continue;
      if (!(id >= 0 && id < vocabSize)) throw new DataError(`emotion critic: token id ${id} in text ${n}; expected 0 ≤ id < ${vocabSize}`);
      out[n * vocabSize + id] += 1;
      count++;
    }
    if (count > 0) for (let v = 0; v < vocabSize; v++) out[n * vocabSize + v] /= count;
  });
  return out;
}

/**
 * Fits the critic: soft-target cross-entropy + l2·‖A‖² (mean over texts), full
 * batch Adam from zero weights (deterministic: no random draws).
 */
export function trainEmotionCritic(
  seqs: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  vocabSize: number,
  skip: readonly number[],
  cfg: CriticConfig,
): EmotionCritic {
  if (seqs.length === 0) throw new DataError('emotion critic: no training texts; expected at least one');
  if (targets.length !== seqs.length) throw new DataError(`emotion critic: ${targets.length} targets for ${seqs.length} texts; expected one per text`);
  const C = targets[0].length;
  if (C < 2) throw new ConfigError(`emotion critic: ${C} classes; expected at least 2`);
  const N = seqs.length;
  const X = tf.tensor2d(tokenHistograms(seqs, vocabSize, skip), [N, vocabSize]);
  const Y = tf.tensor2d(targets.map((t) => [...t]), [N, C]);
  // tidy: the zeros a variable is made from would otherwise stay alive beside it.
  const A = tf.tidy(() => tf.variable(tf.zeros([vocabSize, C]), true));
  const b = tf.tidy(() => tf.variable(tf.zeros([C]), true));
  const opt = tf.train.adam(cfg.lr);
  for (let s = 0; s < cfg.steps; s++) {
    opt.minimize(() => {
      const logp = tf.logSoftmax(mm(X, A).add(b));
      const ce = Y.mul(logp).sum(1).mean().neg();
      return (cfg.l2 > 0 ? ce.add(A.square().sum().mul(cfg.l2)) : ce) as tf.Scalar;
    }, false);
  }
  const pred = tf.tidy(() => X.matMul(A).add(b).argMax(1));
  const truth = tf.tidy(() => Y.argMax(1));
  const p = pred.dataSync();
  const t = truth.dataSync();
  let hits = 0;
  for (let i = 0; i < N; i++) if (p[i] === t[i]) hits++;
  const critic: EmotionCritic = { vocabSize, classes: C, weights: A.dataSync().slice() as Float32Array, bias: b.dataSync().slice() as Float32Array, trainAccuracy: hits / N };
  tf.dispose([X, Y, A, b, pred, truth]);
  opt.dispose();
  return critic;
}

/** The critic's emotion distribution for one token sequence (decoded text), skipping `skip` ids. */
export function criticScore(critic: EmotionCritic, ids: readonly number[], skip: readonly number[]): number[] {
  const h = tokenHistograms([ids], critic.vocabSize, skip);
  const C = critic.classes;
  const z = Array.from(critic.bias);
  for (let v = 0; v < critic.vocabSize; v++) {
    if (h[v] === 0) continue;
    for (let c = 0; c < C; c++) z[c] += h[v] * critic.weights[v * C + c];
  }
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, x) => a + x, 0);
  return e.map((x) => x / s);
}

/**
 * 1 − cos(softmax(mean_t (p_t·A) + b), target), mean over the batch, where
 * p_t = exp(logp_t) is the model's next-token distribution at real position t
 * (mask 1). logp: [B, T, V]; mask: [B, T]; target: [B, C].
 */
export function outputAlignment(logp: tf.Tensor3D, mask: tf.Tensor2D, target: tf.Tensor2D, A: tf.Tensor2D, b: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, V] = logp.shape;
    const C = A.shape[1];
    const z = mm(tf.exp(logp).reshape([B * T, V]), A).reshape([B, T, C]); // expected per-position critic logits
    const m = mask.expandDims(2);
    const q = tf.softmax(z.mul(m).sum(1).div(m.sum(1).maximum(1)).add(b)) as tf.Tensor2D;
    const cos = q.mul(target).sum(1).div(q.norm('euclidean', 1).mul(target.norm('euclidean', 1)).maximum(1e-12));
    return tf.scalar(1).sub(cos.mean()) as tf.Scalar;
  });
}
