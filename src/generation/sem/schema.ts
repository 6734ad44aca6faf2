import { z } from 'zod';

/*
 * The `sem` section's schema, apart from the encoders: config validation
 * (every affectlab command, each sweep job) needs it without loading tfjs.
 */

export const trainedEncoderSchema = z.strictObject({
  /** Token-embedding width. */
  embed_dim: z.number().int().positive().default(64),
  /** Output (sentence-embedding) width. */
  dim: z.number().int().positive().default(64),
  epochs: z.number().int().positive().default(30),
  /** Paraphrase pairs per InfoNCE batch (in-batch negatives). */
  batch: z.number().int().min(2).default(64),
  lr: z.number().positive().default(5e-3),
  /** InfoNCE temperature τ. */
  temperature: z.number().positive().default(0.1),
  seed: z.number().int().default(0),
});
export type TrainedEncoderConfig = z.infer<typeof trainedEncoderSchema>;

/** The `sem` config section: which sentence encoder SEM uses. */
export const semSectionSchema = z.strictObject({
  /** 'trained': affectlab's own corpus-trained encoder (default); 'local': a user's model folder. */
  encoder: z.enum(['trained', 'local']).default('trained'),
  /** Folder of a local Hugging Face model (encoder=local), e.g. an ONNX export of all-MiniLM-L6-v2. */
  path: z.string().optional(),
  pooling: z.enum(['mean', 'cls']).default('mean'),
  normalize: z.boolean().default(true),
  /** Cache folder of trained encoders. */
  cache_dir: z.string().default('.affectlab-cache'),
  trained: trainedEncoderSchema.default(trainedEncoderSchema.parse({})),
});
export type SemConfig = z.infer<typeof semSectionSchema>;
