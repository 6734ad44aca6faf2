import { tf } from '../../core/backend.js';
import { DataError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { FeatureSequence } from '../types.js';

/**
 * Transcript → token-id sequence with times, for a trainable token encoder.
 *
 * The tokenizer is the generator's when the caller passes it (the generation
 * layer sits above perception, so the contract is restated structurally here:
 * generation's `Tokenizer` satisfies `TextTokenizer`). Without one, a hashing
 * word tokenizer is used: word ids are stable across runs and corpora with no
 * vocabulary file, at the price of rare collisions.
 *
 * Timing: the transcript has no word timestamps, so the K words are spread
 * evenly over the utterance — word k spans [k·D/K, (k+1)·D/K) — and a word's
 * tokens evenly within its span; each token is timed at its span's centre.
 * Features are one column, the token id (as a float; the fusion model embeds
 * it), so the align step resamples text by nearest time, never by interpolation.
 */
export interface TextTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId?: number;
  readonly eosId?: number;
  encode(text: string): number[];
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Word-level hashing tokenizer (FNV-1a 32-bit): 0 = pad, 1 = unknown/empty, words map to [2, vocabSize). */
export class HashWordTokenizer implements TextTokenizer {
  readonly padId = 0;
  readonly unkId = 1;
  constructor(
    readonly vocabSize = 4096,
    private readonly lowercase = true,
  ) {
    if (!Number.isInteger(vocabSize) || vocabSize < 3) throw new DataError(`text tokenizer vocabSize is ${vocabSize}; expected an integer ≥ 3`);
  }

  idOf(word: string): number {
    const w = this.lowercase ? word.toLowerCase() : word;
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) {
      h ^= w.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return 2 + (h % (this.vocabSize - 2));
  }

  encode(text: string): number[] {
    return splitWords(text).map((w) => this.idOf(w));
  }
}

export function textFeatures(transcript: string, durationS: number, tokenizer: TextTokenizer, where = 'transcript'): FeatureSequence | undefined {
  if (!(durationS > 0)) throw new DataError(`${where}: sample durationS is ${durationS}; expected > 0 to time the words`);
  const words = splitWords(transcript);
  if (words.length === 0) return undefined;
  const special = new Set([tokenizer.padId, tokenizer.bosId, tokenizer.eosId].filter((v): v is number => v !== undefined));
  const ids: number[] = [];
  const times: number[] = [];
  const span = durationS / words.length;
  words.forEach((w, k) => {
    const toks = tokenizer.encode(w).filter((id) => !special.has(id));
    toks.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
        throw new DataError(`${where}: tokenizer gave id ${id} for ${JSON.stringify(w)}; expected an integer in [0, ${tokenizer.vocabSize})`);
      }
      ids.push(id);
      times.push(k * span + ((j + 0.5) * span) / toks.length);
    });
  });
  if (ids.length === 0) return undefined;
  return { times: Float32Array.from(times), values: Float32Array.from(ids), dim: 1 };
}

/**
 * A trainable token embedding for the text sequence (ids → vectors), seeded
 * from an Rng. Padding (id 0) is masked (`maskZero`, so masked tfjs RNN layers
 * downstream skip it); `mask(ids)` gives the same mask explicitly.
 */
export class TokenEmbedding {
  readonly layer: tf.layers.Layer;
  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    rng: Rng,
  ) {
    this.layer = tf.layers.embedding({
      inputDim: vocabSize,
      outputDim: dim,
      maskZero: true,
      embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1 / Math.sqrt(dim), seed: rng.int32() }),
    });
  }

  /** [batch, T] int32 ids → [batch, T, dim]. */
  apply(ids: tf.Tensor2D): tf.Tensor3D {
    return this.layer.apply(ids) as tf.Tensor3D;
  }

  /** [batch, T] ids → [batch, T] bool, false at padding. */
  mask(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.notEqual(ids, 0);
  }

  dispose(): void {
    this.layer.dispose();
  }
}
