import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/**
 * The `reasoning` config section: how an EmotionVector and the previous turns
 * become an Intent (paper 001 §2.2, H_t = f(E_t, C_t, W)).
 */
export const reasoningSectionSchema = z.strictObject({
  /** 'learned': emotion embedding matrix + attention over the window (tfjs weights); 'rule': deterministic ablation. */
  mode: z.enum(['learned', 'rule']).default('learned'),
  /** Width of the emotion embedding (one row per class). */
  embed_dim: z.number().int().positive().default(16),
  /** Width of the attention keys/values over previous turns. */
  attn_dim: z.number().int().positive().default(16),
  /** Width of the context vector (learned mode; rule mode's is 2 × classes). */
  context_dim: z.number().int().positive().default(16),
  /** Length of utterance encodings in the history (0 = none used). */
  utterance_dim: z.number().int().nonnegative().default(0),
  /** Previous turns attended to; older turns fall outside the window. */
  window: z.number().int().positive().default(4),
  /** intensity = clip(w_margin·(p₁ − p₂) + w_arousal·(arousal + 1)/2, 0, 1). */
  intensity_margin_weight: z.number().nonnegative().default(0.5),
  intensity_arousal_weight: z.number().nonnegative().default(0.5),
  /** polarity = clip(β·valence + (1 − β)·Σ p_c·v_c, −1, 1), v_c the class valence. */
  polarity_valence_weight: z.number().min(0).max(1).default(0.5),
  /** The intent's target distribution: the recognised probabilities, or one-hot on the top class. */
  target: z.enum(['probs', 'onehot']).default('probs'),
  /** Rule mode: weight of a turn `age` steps back is decay^(age−1). */
  rule_decay: z.number().gt(0).lte(1).default(0.5),
  class_valence: z.record(z.string(), z.number().min(-1).max(1)).default({}),
});

export type ReasoningConfig = z.infer<typeof reasoningSectionSchema>;

export function parseReasoningConfig(raw: unknown, where = 'reasoning'): ReasoningConfig {
  const r = reasoningSectionSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
  }
  return r.data;
}
