// Bench-only glue: loads the bundled corpus and tokenizer modules (src/generation/corpus,
// src/generation/tokenizer.ts; another engineer's work) from AFFECTLAB_CORPUS_ROOT (default:
// this repo) by path, so this file typechecks before they are merged.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CorpusEntry, Tokenizer } from '../src/generation/types.js';
import type { Rng } from '../src/core/rng.js';

export interface CorpusModules {
  buildCorpus(o: { rng: Rng; perCell?: number; heldoutShare?: number; emotions?: readonly string[] }): CorpusEntry[];
  referenceFor(entries: readonly CorpusEntry[], q: { emotion: string; intensity: string | number; tone: string; strategy: string }, o?: { split?: string }): CorpusEntry[];
  emotionCueVector(text: string, emotions?: readonly string[], alpha?: number): number[];
  trainTokenizer(texts: Iterable<string>, o: { vocabSize: number }): Tokenizer;
}

export async function loadCorpusModules(): Promise<CorpusModules> {
  const root = resolve(process.env.AFFECTLAB_CORPUS_ROOT ?? join(import.meta.dirname, '..'));
  const corpus = await import(pathToFileURL(join(root, 'src/generation/corpus/index.ts')).href);
  const tok = await import(pathToFileURL(join(root, 'src/generation/tokenizer.ts')).href);
  return { buildCorpus: corpus.buildCorpus, referenceFor: corpus.referenceFor, emotionCueVector: corpus.emotionCueVector, trainTokenizer: tok.trainTokenizer };
}
