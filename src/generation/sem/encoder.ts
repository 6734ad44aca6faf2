import { DataError } from '../../core/errors.js';
import { cosine } from '../../core/vector.js';

/**
 * A sentence encoder for SEM. `name` and `hash` identify it: every SEM figure
 * carries both, and figures from different encoders are never put side by side.
 * `embed` is async because ONNX Runtime inference is.
 */
export interface SentenceEncoder {
  readonly name: string;
  /** Content hash of the weights/files (hex, 12+ chars). */
  readonly hash: string;
  readonly dim: number;
  /** One L2-normalised embedding per text. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface EncoderId {
  name: string;
  hash: string;
}

/** A SEM figure: mean cosine between generated and reference embeddings, under a named encoder. */
export interface SemFigure {
  sem: number;
  std: number;
  n: number;
  /** Per-pair cosines, in input order. */
  cosines: number[];
  encoder: EncoderId;
}

/**
 * SEM (DESIGN.md): mean cosine similarity between the embedding of each
 * generated intervention and that of its reference for the same intent.
 */
export async function semScore(encoder: SentenceEncoder, generated: readonly string[], references: readonly string[]): Promise<SemFigure> {
  if (generated.length !== references.length) {
    throw new DataError(`semScore: ${generated.length} generated texts and ${references.length} references; expected one reference per generated text`);
  }
  if (generated.length === 0) throw new DataError('semScore: no texts; expected at least one generated/reference pair');
  const emb = await encoder.embed([...generated, ...references]);
  const n = generated.length;
  const cosines = generated.map((_, i) => cosine(emb[i], emb[n + i]));
  const mean = cosines.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(cosines.reduce((a, c) => a + (c - mean) ** 2, 0) / n);
  return { sem: mean, std, n, cosines, encoder: { name: encoder.name, hash: encoder.hash } };
}

/**
 * Guards a table of SEM figures: all must come from one encoder (same name and
 * hash). Returns that encoder's id for the table caption.
 */
export function assertSameEncoder(figures: readonly { encoder: EncoderId }[], where = 'SEM table'): EncoderId {
  if (figures.length === 0) throw new DataError(`${where}: no SEM figures`);
  const first = figures[0].encoder;
  for (let i = 1; i < figures.length; i++) {
    const e = figures[i].encoder;
    if (e.name !== first.name || e.hash !== first.hash) {
      throw new DataError(`${where}: row ${i} was scored with encoder ${e.name}@${e.hash}; expected ${first.name}@${first.hash} like row 0 (never mix encoders in one table)`);
    }
  }
  return first;
}
