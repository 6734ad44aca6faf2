import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Decoding defaults; every field can be overridden per call. */
export const decodingSchema = z.strictObject({
  /** 'greedy' takes the argmax; 'sample' draws from the processed distribution. */
  strategy: z.enum(['greedy', 'sample']).default('sample'),
  temperature: z.number().positive().default(0.8),
  /** 0 disables top-k. */
  top_k: z.number().int().nonnegative().default(0),
  /** 1 disables nucleus sampling. */
  top_p: z.number().gt(0).lte(1).default(0.9),
  /** CTRL-style penalty (Keskar et al. 2019): logits of already generated tokens are divided (if > 0) or multiplied (if < 0) by it; 1 disables. */
  repetition_penalty: z.number().gte(1).default(1.2),
  /** Maximum new tokens (BOS excluded). */
  max_new_tokens: z.number().int().positive().default(40),
  /** Scales the FiLM conditioning: γ = 1 + w·Δγ, β = w·β. 1 = as trained, 0 = unconditioned on emotion. */
  emotion_weight: z.number().nonnegative().default(1),
  /** KV-cached incremental decoding; false recomputes the whole prefix each step (reference path). */
  kv_cache: z.boolean().default(true),
});

/** Emotion-consistency monitor (paper 001 §2.2). */
export const monitorSchema = z.strictObject({
  /** Drift when the cosine of the final emotion with the intent target falls below this. */
  min_cosine: z.number().min(-1).max(1).default(0.5),
  /** Drift when the cosine's least-squares slope over the generated steps is below this (trending away). */
  min_slope: z.number().default(-0.02),
});

/**
 * The `generator` config section: the conditional transformer (paper 001 §2.2,
 * eq. 1–2), its training loss (CE + λ·(1 − cos)) and decoding defaults.
 */
export const generatorSectionSchema = z.strictObject({
  layers: z.number().int().positive().default(2),
  d_model: z.number().int().positive().default(96),
  heads: z.number().int().positive().default(4),
  /** Feed-forward width. */
  ff: z.number().int().positive().default(192),
  dropout: z.number().min(0).lt(1).default(0.1),
  /** Longest sequence (BOS + tokens + EOS); longer training texts are truncated and counted. */
  max_len: z.number().int().positive().default(32),
  activation: z.enum(['gelu', 'relu']).default('gelu'),
  /** Hidden width of the condition MLP that maps [target ⊕ intensity ⊕ polarity ⊕ context] to per-layer FiLM (γ, β). */
  cond_hidden: z.number().int().positive().default(64),
  /** Feed the intent's context vector into the condition. Off by default: the bundled corpus has no dialogue context to learn it from. */
  use_context: z.boolean().default(false),
  context_dim: z.number().int().nonnegative().default(0),
  /** Add a strategy embedding to the input (strategy is optional at generation time). */
  use_strategy: z.boolean().default(true),
  /** Weight λ of the emotional-alignment loss λ·(1 − cos(emotion of the sequence, target)). */
  lambda: z.number().nonnegative().default(0.5),
  /**
   * Where "the emotion of the generated sequence" in the alignment loss comes from (docs/generator.md).
   * 'output' (default): a frozen bag-of-tokens emotion critic, fitted to the training texts' labels before the
   * generator trains, scores the expected token distribution softmax(logits) at every position, so the term's
   * gradient changes which tokens the decoder emits. 'states': the learned emotion head over mean-pooled decoder
   * states (session-1 reading); under teacher forcing it can read the FiLM condition straight off the states.
   */
  align_source: z.enum(['output', 'states']).default('output'),
  /** The 'output' critic: multinomial logistic regression over normalised token counts, full-batch Adam. */
  critic: z
    .strictObject({
      steps: z.number().int().positive().default(300),
      lr: z.number().positive().default(0.05),
      /** L2 penalty on the token→emotion weights (keeps rare tokens near 0). */
      l2: z.number().nonnegative().default(1e-4),
    })
    .default({ steps: 300, lr: 0.05, l2: 1e-4 }),
  /** Label smoothing of the corpus entry's emotion into the target distribution (0 = one-hot). */
  target_smoothing: z.number().min(0).lt(1).default(0.1),
  /** Intensity value fed for each corpus intensity level. */
  intensity_levels: z
    .strictObject({ low: z.number().min(0).max(1), medium: z.number().min(0).max(1), high: z.number().min(0).max(1) })
    .default({ low: 0.25, medium: 0.55, high: 0.85 }),
  /** Polarity of each emotion class in [-1, 1] (overrides/extends the built-in table in reasoning/valence.ts). */
  class_valence: z.record(z.string(), z.number().min(-1).max(1)).default({}),
  lr: z.number().positive().default(2e-3),
  /**
   * Learning-rate schedule over the whole run: 'constant', or 'cosine' = linear warm-up over `warmup_steps`
   * from lr/warmup_steps to lr, then cosine decay to lr·min_lr_ratio at the last step (Loshchilov & Hutter
   * 2017, without restarts; the usual GPT recipe). A short run ends far from a minimum at a constant high lr.
   */
  lr_schedule: z.enum(['constant', 'cosine']).default('constant'),
  warmup_steps: z.number().int().nonnegative().default(0),
  min_lr_ratio: z.number().min(0).max(1).default(0.1),
  weight_decay: z.number().nonnegative().default(0),
  /** Clip gradients by global norm; 0 disables. */
  grad_clip: z.number().nonnegative().default(1),
  epochs: z.number().int().positive().default(6),
  /** Held-out texts scored after each epoch (drawn once with the Rng; 0 = all). */
  val_texts: z.number().int().nonnegative().default(256),
  /** Train on at most this many train-split texts, drawn with the Rng (0 = all); the rest are counted and logged. Bounds training time on large corpora. */
  max_train_texts: z.number().int().nonnegative().default(0),
  batch: z.number().int().positive().default(32),
  /**
   * Batches of texts of similar token length (shuffle, stable sort by length, cut into batches, shuffle the
   * batches), as fairseq/tensor2tensor do: a batch is padded to its longest text, and random batches of the
   * bundled corpus are ~1/3 padding. false = plain shuffled batches.
   */
  length_bucketing: z.boolean().default(false),
  /**
   * Token-embedding lookup. 'onehot' = one-hot × matrix (its gradient is a matmul, so it trains on wasm without
   * the UnsortedSegmentSum kernel); 'gather' = tf.gather; 'auto' = gather when the active backend has
   * UnsortedSegmentSum (e.g. once core/wasm_bridge.ts bridges it), else onehot.
   */
  embedding_lookup: z.enum(['auto', 'onehot', 'gather']).default('auto'),
  decoding: decodingSchema.default(decodingSchema.parse({})),
  monitor: monitorSchema.default(monitorSchema.parse({})),
});

export type GeneratorConfig = z.infer<typeof generatorSectionSchema>;
export type DecodingConfig = z.infer<typeof decodingSchema>;
export type MonitorConfig = z.infer<typeof monitorSchema>;

/** Validates a plain `generator` section (e.g. from YAML) with zod-style path/expected/received messages. */
export function parseGeneratorConfig(raw: unknown, where = 'generator'): GeneratorConfig {
  const r = generatorSectionSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = [where, ...issue.path.map(String)].join('.');
    throw new ConfigError(`${path}: ${issue.message}`);
  }
  const cfg = r.data;
  if (cfg.d_model % cfg.heads !== 0) {
    throw new ConfigError(`${where}.heads: d_model=${cfg.d_model} is not divisible by heads=${cfg.heads}; expected a divisor of d_model`);
  }
  if (cfg.use_context && cfg.context_dim === 0) {
    throw new ConfigError(`${where}.context_dim: 0 with use_context=true; expected the length of the reasoning context vector`);
  }
  return cfg;
}
