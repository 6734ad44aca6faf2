import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { CorpusEntry, Tokenizer } from '../types.js';
import type { SentenceEncoder } from './encoder.js';
import { HfLocalEncoder } from './hf.js';
import { TrainedCorpusEncoder } from './trained.js';
import type { SemConfig } from './schema.js';

export * from './encoder.js';
export { HfLocalEncoder, hashFolder } from './hf.js';
export { TrainedCorpusEncoder } from './trained.js';
export { trainedEncoderSchema, type TrainedEncoderConfig } from './schema.js';

export { semSectionSchema, type SemConfig } from './schema.js';

/** Builds the configured SEM encoder. */
export async function loadSemEncoder(cfg: SemConfig, deps: { entries: readonly CorpusEntry[]; tokenizer: Tokenizer; log?: Logger }): Promise<SentenceEncoder> {
  if (cfg.encoder === 'local') {
    if (!cfg.path) throw new ConfigError('sem.path: missing; expected the folder of a local sentence-embedding model when sem.encoder=local');
    return HfLocalEncoder.load(cfg.path, { pooling: cfg.pooling, normalize: cfg.normalize });
  }
  return TrainedCorpusEncoder.trainOrLoad({ entries: deps.entries, tokenizer: deps.tokenizer, cfg: cfg.trained, cacheDir: cfg.cache_dir, log: deps.log });
}
