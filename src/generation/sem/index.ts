import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { CorpusEntry, Tokenizer } from '../types.js';
import type { SentenceEncoder } from './encoder.js';
import { HfLocalEncoder } from './hf.js';
import { TrainedCorpusEncoder, trainedEncoderSchema } from './trained.js';

export * from './encoder.js';
export { HfLocalEncoder, hashFolder } from './hf.js';
export { TrainedCorpusEncoder, trainedEncoderSchema } from './trained.js';

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

/** Builds the configured SEM encoder. */
export async function loadSemEncoder(cfg: SemConfig, deps: { entries: readonly CorpusEntry[]; tokenizer: Tokenizer; log?: Logger }): Promise<SentenceEncoder> {
  if (cfg.encoder === 'local') {
    if (!cfg.path) throw new ConfigError('sem.path: missing; expected the folder of a local sentence-embedding model when sem.encoder=local');
    return HfLocalEncoder.load(cfg.path, { pooling: cfg.pooling, normalize: cfg.normalize });
  }
  return TrainedCorpusEncoder.trainOrLoad({ entries: deps.entries, tokenizer: deps.tokenizer, cfg: cfg.trained, cacheDir: cfg.cache_dir, log: deps.log });
}
