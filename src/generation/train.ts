import { tf } from '../core/backend.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Rng } from '../core/rng.js';
import { parseGeneratorConfig, type GeneratorConfig } from './config.js';
import { conditionVector, entryCondition } from './model/condition.js';
import { ConditionalTransformer, type ModelInputs } from './model/transformer.js';
import { STRATEGIES, TONES, type CorpusEntry, type Tokenizer } from './types.js';
import { outputAlignment, trainEmotionCritic, type EmotionCritic } from './critic.js';

/** One encoded training example. */
export interface EncodedExample {
  /** [BOS, t₁ … tₙ, EOS], at most max_len + 1 long (inputs drop the last, targets the first). */
  seq: number[];
  tone: number;
  strategy: number;
  cond: number[];
}

export interface Batch extends ModelInputs {
  /** [B, T] int32 next-token targets. */
  targets: tf.Tensor2D;
  /** [B, C] target emotion distribution. */
  target: tf.Tensor2D;
  /** Real target tokens in the batch. */
  tokens: number;
}

/**
 * Tokenizes corpus entries. A text longer than max_len − 1 tokens is truncated
 * (EOS kept) and counted; an entry whose emotion/tone/strategy is unknown is an error.
 */
export function encodeEntries(entries: readonly CorpusEntry[], tokenizer: Tokenizer, cfg: GeneratorConfig, classes: readonly string[]): { examples: EncodedExample[]; truncated: number } {
  let truncated = 0;
  const examples = entries.map((e) => {
    let ids = tokenizer.encode(e.text);
    // Tolerate tokenizers that already add BOS/EOS.
    if (ids[0] === tokenizer.bosId) ids = ids.slice(1);
    if (ids[ids.length - 1] === tokenizer.eosId) ids = ids.slice(0, -1);
    if (ids.length === 0) throw new DataError(`corpus entry ${e.id}: text ${JSON.stringify(e.text)} encodes to no tokens; expected a non-empty reply`);
    if (ids.length > cfg.max_len - 1) {
      ids = ids.slice(0, cfg.max_len - 1);
      truncated++;
    }
    const tone = TONES.indexOf(e.tone);
    if (tone < 0) throw new DataError(`corpus entry ${e.id}: tone ${JSON.stringify(e.tone)}; expected one of ${TONES.join(', ')}`);
    const strategy = STRATEGIES.indexOf(e.strategy);
    if (strategy < 0) throw new DataError(`corpus entry ${e.id}: strategy ${JSON.stringify(e.strategy)}; expected one of ${STRATEGIES.join(', ')}`);
    const cond = conditionVector(entryCondition(e, cfg, classes), cfg, classes, `corpus entry ${e.id}`);
    return { seq: [tokenizer.bosId, ...ids, tokenizer.eosId], tone, strategy, cond };
  });
  return { examples, truncated };
}

/** Pads a list of examples into one batch (right padding; T = the longest input). */
export function makeBatch(ex: readonly EncodedExample[], padId: number, classes: number): Batch {
  const B = ex.length;
  const T = Math.max(...ex.map((e) => e.seq.length - 1));
  const ids = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  ex.forEach((e, b) => {
    for (let t = 0; t < e.seq.length - 1; t++) {
      ids[b * T + t] = e.seq[t];
      targets[b * T + t] = e.seq[t + 1];
      mask[b * T + t] = 1;
      tokens++;
    }
  });
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    targets: tf.tensor2d(targets, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T]),
    tone: tf.tensor1d(ex.map((e) => e.tone), 'int32'),
    strategy: tf.tensor1d(ex.map((e) => e.strategy), 'int32'),
    cond: tf.tensor2d(ex.map((e) => e.cond)),
    target: tf.tensor2d(ex.map((e) => e.cond.slice(0, classes))),
    tokens,
  };
}

export function disposeBatch(b: Batch): void {
  for (const t of [b.ids, b.targets, b.mask, b.tone, b.strategy, b.cond, b.target]) t.dispose();
}

export interface LossParts {
  loss: tf.Scalar;
  ce: tf.Scalar;
  /** The alignment term λ multiplies (its source: generator.align_source). */
  align: tf.Scalar;
  /** 'output' source only: the state-head probe's 1 − cos (the consistency monitor's head; trained on detached states). */
  probe?: tf.Scalar;
}

/** Frozen critic tensors for the 'output' alignment loss (owned by the caller). */
export interface CriticTensors {
  A: tf.Tensor2D;
  b: tf.Tensor1D;
}

export function criticTensors(c: EmotionCritic): CriticTensors {
  return { A: tf.tensor2d(c.weights, [c.vocabSize, c.classes]), b: tf.tensor1d(c.bias) };
}

/** Identity forward, zero gradient: the probe head learns from the states without shaping them. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as <T extends tf.Tensor>(x: T) => T;

/**
 * Paper 001 §2.2 joint loss: token cross-entropy (mean over non-pad positions)
 * + λ · mean_b(1 − cos(emotion of the sequence, target emotion)).
 * align_source 'output': the emotion of the sequence is the frozen critic's
 * reading of the expected output tokens (critic.ts, `outputAlignment`); the
 * emotion head over the states is then trained as a probe on detached states
 * (weight 1, no gradient into the decoder) so the consistency monitor works
 * whatever λ is. align_source 'states': the emotion head over mean-pooled
 * decoder states, with gradient into the decoder.
 */
export function generatorLoss(
  model: ConditionalTransformer,
  batch: Batch,
  lambda: number,
  opts: { training?: boolean; rng?: Rng; emotionWeight?: number; critic?: CriticTensors } = {},
): LossParts {
  const source = model.cfg.align_source;
  if (source === 'output' && !opts.critic) throw new ConfigError("generator.align_source: 'output' needs the emotion critic (trainGenerator fits it); pass opts.critic");
  return tf.tidy(() => {
    const { logits, hidden, emotion } = model.forward(batch, opts);
    const [B, T, V] = logits.shape;
    const logp3 = tf.logSoftmax(logits) as tf.Tensor3D;
    const logp = logp3.reshape([B * T, V]);
    const nll = logp.mul(tf.oneHot(batch.targets.reshape([-1]), V).toFloat()).sum(1).neg();
    const m = batch.mask.reshape([-1]);
    const ce = nll.mul(m).sum().div(m.sum()) as tf.Scalar;
    const cosLoss = (e: tf.Tensor2D) =>
      tf.scalar(1).sub(e.mul(batch.target).sum(1).div(e.norm('euclidean', 1).mul(batch.target.norm('euclidean', 1)).maximum(1e-12)).mean()) as tf.Scalar;
    if (source === 'states') {
      const align = cosLoss(emotion);
      const loss = lambda > 0 ? (ce.add(align.mul(lambda)) as tf.Scalar) : ce;
      return { loss, ce, align };
    }
    const align = outputAlignment(logp3, batch.mask, batch.target, opts.critic!.A, opts.critic!.b);
    const probe = cosLoss(model.emotionHead(stopGradient(hidden), batch.mask));
    let loss = ce.add(probe) as tf.Scalar;
    if (lambda > 0) loss = loss.add(align.mul(lambda)) as tf.Scalar;
    return { loss, ce, align, probe };
  });
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainCe: number;
  trainAlign: number;
  /** Held-out split (entries with split 'heldout'); NaN when there is none. */
  valCe: number;
  valAlign: number;
  seconds: number;
  /** Training tokens per second (forward + backward + update). */
  tokensPerSec: number;
}

export interface TrainGeneratorOptions {
  entries: readonly CorpusEntry[];
  tokenizer: Tokenizer;
  /** The `generator` section (validated here). */
  cfg: Partial<GeneratorConfig> | GeneratorConfig;
  rng: Rng;
  log?: Logger;
  /** Emotion classes of the label preset; default: the sorted distinct emotions of the entries. */
  classes?: string[];
  onEpoch?: (s: EpochStats) => void;
  signal?: AbortSignal;
}

export interface TrainGeneratorResult {
  model: ConditionalTransformer;
  classes: string[];
  history: EpochStats[];
  /** Training examples / held-out examples / texts truncated to max_len. */
  counts: { train: number; heldout: number; truncated: number };
  /** Whether the signal stopped training early. */
  aborted: boolean;
  /** The frozen emotion critic of the 'output' alignment loss (absent with align_source 'states'). */
  critic?: EmotionCritic;
  seconds: number;
}

/**
 * One epoch's minibatches as index lists. Without bucketing: a shuffle cut into batches. With bucketing:
 * a shuffle, stably sorted by length (ties keep the shuffled order), cut into batches, batch order shuffled.
 */
export function epochBatches(lengths: readonly number[], batch: number, bucketing: boolean, rng: Rng): number[][] {
  let order = rng.shuffle(lengths.map((_, i) => i));
  if (bucketing) order = [...order].sort((a, b) => lengths[a] - lengths[b]);
  const out: number[][] = [];
  for (let s = 0; s < order.length; s += batch) out.push(order.slice(s, s + batch));
  return bucketing ? rng.shuffle(out) : out;
}

/**
 * Learning rate at optimiser step `step` (0-based) of `total` under generator.lr_schedule:
 * constant lr, or linear warm-up to lr over warmup_steps ((step+1)/warmup·lr) then cosine decay
 * lr·(r + (1 − r)·(1 + cos(π·p))/2) with p = (step − warmup)/(total − warmup − 1) ∈ [0, 1], r = min_lr_ratio.
 */
export function learningRateAt(step: number, total: number, cfg: Pick<GeneratorConfig, 'lr' | 'lr_schedule' | 'warmup_steps' | 'min_lr_ratio'>): number {
  if (cfg.lr_schedule === 'constant') return cfg.lr;
  const w = cfg.warmup_steps;
  if (step < w) return (cfg.lr * (step + 1)) / w;
  const span = total - w - 1;
  const p = span > 0 ? Math.min(1, (step - w) / span) : 1;
  return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** tfjs's Adam reads its (protected) learningRate field on every update, so a schedule can set it between steps. */
function setLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

/** Trains the conditional transformer on corpus entries (Adam, global-norm clipping, shuffled minibatches). */
export async function trainGenerator(o: TrainGeneratorOptions): Promise<TrainGeneratorResult> {
  const cfg = parseGeneratorConfig(o.cfg);
  const classes = o.classes ?? [...new Set(o.entries.map((e) => e.emotion))].sort();
  if (classes.length < 2) throw new ConfigError(`trainGenerator: classes=${JSON.stringify(classes)}; expected at least 2 emotion classes`);
  let trainEntries = o.entries.filter((e) => e.split === 'train');
  if (cfg.max_train_texts > 0 && trainEntries.length > cfg.max_train_texts) {
    const n = trainEntries.length;
    trainEntries = o.rng.fork('subsample').shuffle([...trainEntries]).slice(0, cfg.max_train_texts);
    o.log?.info(`generator: training on ${cfg.max_train_texts} of ${n} train texts (max_train_texts); ${n - cfg.max_train_texts} not used`);
  }
  let heldEntries = o.entries.filter((e) => e.split === 'heldout');
  if (cfg.val_texts > 0 && heldEntries.length > cfg.val_texts) heldEntries = o.rng.fork('val').shuffle([...heldEntries]).slice(0, cfg.val_texts);
  const other = o.entries.filter((e) => e.split !== 'train' && e.split !== 'heldout').length;
  if (other > 0) throw new DataError(`trainGenerator: ${other} entries have a split other than 'train' or 'heldout'`);
  if (trainEntries.length === 0) throw new DataError('trainGenerator: no entries with split "train"');
  const tr = encodeEntries(trainEntries, o.tokenizer, cfg, classes);
  const he = encodeEntries(heldEntries, o.tokenizer, cfg, classes);
  const truncated = tr.truncated + he.truncated;
  if (truncated > 0) o.log?.warn(`generator: ${truncated} corpus texts longer than max_len=${cfg.max_len} were truncated`);
  let critic: EmotionCritic | undefined;
  if (cfg.align_source === 'output') {
    const tk = o.tokenizer;
    critic = trainEmotionCritic(tr.examples.map((e) => e.seq), tr.examples.map((e) => e.cond.slice(0, classes.length)), tk.vocabSize, [tk.padId, tk.bosId, tk.eosId], cfg.critic);
    o.log?.info(`generator: emotion critic fitted on ${tr.examples.length} train texts (train accuracy ${critic.trainAccuracy.toFixed(3)})`);
  }
  const ct = critic ? criticTensors(critic) : undefined;
  const model = new ConditionalTransformer(cfg, { vocabSize: o.tokenizer.vocabSize, classes }, o.rng.fork('init'));
  o.log?.info(
    `generator: ${model.parameterCount()} parameters, ${tr.examples.length} train / ${he.examples.length} held-out texts, ` +
      `backend ${tf.getBackend()}, embedding ${model.useGather ? 'gather' : 'one-hot matmul'}`,
  );
  const opt = tf.train.adam(cfg.lr);
  const vars = model.variables();
  const totalSteps = cfg.epochs * Math.ceil(tr.examples.length / cfg.batch);
  const lengths = tr.examples.map((e) => e.seq.length);
  if (cfg.lr_schedule === 'cosine' && cfg.warmup_steps >= totalSteps) {
    o.log?.warn(`generator.warmup_steps=${cfg.warmup_steps} ≥ the run's ${totalSteps} optimiser steps: the learning rate never reaches generator.lr=${cfg.lr}`);
  }
  let step = 0;
  const history: EpochStats[] = [];
  const shuffleRng = o.rng.fork('shuffle');
  const dropRng = o.rng.fork('dropout');
  const t0 = performance.now();
  let aborted = false;
  for (let epoch = 1; epoch <= cfg.epochs && !aborted; epoch++) {
    const te = performance.now();
    const batches = epochBatches(lengths, cfg.batch, cfg.length_bucketing, shuffleRng);
    let sums = [0, 0, 0];
    let nb = 0;
    let tokens = 0;
    for (const idx of batches) {
      if (o.signal?.aborted) {
        aborted = true;
        break;
      }
      const batch = makeBatch(idx.map((i) => tr.examples[i]), o.tokenizer.padId, classes.length);
      const lr = learningRateAt(step++, totalSteps, cfg);
      setLearningRate(opt, lr);
      const parts = trainStep(model, opt, vars, batch, cfg, dropRng, ct, lr);
      sums = sums.map((x, i) => x + parts[i]);
      nb++;
      tokens += batch.tokens;
      disposeBatch(batch);
      // Yield to the event loop so an abort signal (SIGINT) can be delivered.
      if (nb % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    if (nb === 0) break;
    const seconds = (performance.now() - te) / 1000;
    const val = he.examples.length > 0 ? evaluate(model, he.examples, o.tokenizer.padId, classes.length, cfg, 1, ct) : { ce: NaN, align: NaN };
    const st: EpochStats = {
      epoch,
      trainLoss: sums[0] / nb,
      trainCe: sums[1] / nb,
      trainAlign: sums[2] / nb,
      valCe: val.ce,
      valAlign: val.align,
      seconds,
      tokensPerSec: tokens / seconds,
    };
    history.push(st);
    o.log?.info(
      `generator epoch ${epoch}/${cfg.epochs}: loss ${st.trainLoss.toFixed(4)} ce ${st.trainCe.toFixed(4)} align ${st.trainAlign.toFixed(4)} ` +
        `val_ce ${st.valCe.toFixed(4)} val_align ${st.valAlign.toFixed(4)} ${seconds.toFixed(1)}s ${st.tokensPerSec.toFixed(0)} tok/s`,
    );
    o.onEpoch?.(st);
  }
  opt.dispose();
  if (ct) tf.dispose([ct.A, ct.b]);
  return {
    model,
    classes,
    history,
    counts: { train: tr.examples.length, heldout: he.examples.length, truncated },
    aborted,
    critic,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** One optimiser step; returns [loss, ce, align] (one sync per step, not per op). */
export function trainStep(model: ConditionalTransformer, opt: tf.Optimizer, vars: tf.Variable[], batch: Batch, cfg: GeneratorConfig, rng: Rng, critic?: CriticTensors, lr = cfg.lr): [number, number, number] {
  let parts: tf.Scalar[] = [];
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const l = generatorLoss(model, batch, cfg.lambda, { training: true, rng, critic });
      parts = [tf.keep(l.ce), tf.keep(l.align)];
      return l.loss;
    }, vars);
    parts.unshift(tf.keep(value));
    let g = grads;
    if (cfg.grad_clip > 0) {
      const names = Object.keys(grads);
      const clipped = clipByGlobalNorm(names.map((n) => grads[n]), cfg.grad_clip);
      g = Object.fromEntries(names.map((n, i) => [n, clipped[i]]));
    }
    opt.applyGradients(g);
    if (cfg.weight_decay > 0) {
      // Decoupled weight decay (AdamW, Loshchilov & Hutter 2019) on matrices only; tfjs's Adam has none.
      for (const v of vars) if (v.rank === 2) v.assign(v.mul(1 - lr * cfg.weight_decay));
    }
  });
  const vals = parts.map((t) => t.dataSync()[0]);
  tf.dispose(parts);
  return [vals[0], vals[1], vals[2]];
}

export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => g.square().sum())));
    const scale = tf.minimum(1, tf.scalar(maxNorm).div(norm.maximum(1e-12)));
    return grads.map((g) => g.mul(scale));
  });
}

/** Mean CE and alignment loss over examples, no dropout, batched. */
export function evaluate(
  model: ConditionalTransformer,
  ex: readonly EncodedExample[],
  padId: number,
  classes: number,
  cfg: GeneratorConfig,
  emotionWeight = 1,
  critic?: CriticTensors,
): { ce: number; align: number } {
  let ceSum = 0;
  let alSum = 0;
  let tokSum = 0;
  for (let s = 0; s < ex.length; s += cfg.batch) {
    const part = ex.slice(s, s + cfg.batch);
    const batch = makeBatch(part, padId, classes);
    const l = generatorLoss(model, batch, 0, { emotionWeight, critic });
    ceSum += l.ce.dataSync()[0] * batch.tokens;
    alSum += l.align.dataSync()[0] * part.length;
    tokSum += batch.tokens;
    tf.dispose([l.loss, l.ce, l.align, ...(l.probe ? [l.probe] : [])]);
    disposeBatch(batch);
  }
  return { ce: ceSum / tokSum, align: alSum / ex.length };
}
