import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError, UnavailableError } from '../../core/errors.js';
import type { SentenceEncoder } from './encoder.js';

export interface HfLocalEncoderOptions {
  /** Display name; default: the folder name. */
  name?: string;
  /** Pooling over token states, as the model card says (all-MiniLM-L6-v2: mean). */
  pooling?: 'mean' | 'cls';
  normalize?: boolean;
  /** ONNX weights variant (onnx/model.onnx for fp32, model_quantized.onnx for q8, ...). */
  dtype?: 'fp32' | 'fp16' | 'q8';
  /** Texts per ONNX call. */
  batchSize?: number;
}

type Extractor = (texts: string[], o: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[]; dispose?: () => void }>;

/** SHA-256 over every file under `dir` (relative path + bytes, sorted): the encoder's identity. */
export function hashFolder(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const r = rel ? `${rel}/${f}` : f;
      if (statSync(p).isDirectory()) walk(p, r);
      else {
        h.update(r);
        h.update(readFileSync(p));
      }
    }
  };
  walk(dir, '');
  return h.digest('hex').slice(0, 16);
}

/**
 * A user's own sentence-embedding model from a local folder (e.g. an ONNX export
 * of all-MiniLM-L6-v2 in the Hugging Face layout: config.json, tokenizer.json,
 * onnx/model.onnx), run with @huggingface/transformers on onnxruntime-node.
 * Remote models are switched off: nothing is downloaded.
 */
export class HfLocalEncoder implements SentenceEncoder {
  private constructor(
    readonly name: string,
    readonly hash: string,
    readonly dim: number,
    private readonly extractor: Extractor,
    private readonly opts: Required<Pick<HfLocalEncoderOptions, 'pooling' | 'normalize' | 'batchSize'>>,
  ) {}

  static async load(dir: string, o: HfLocalEncoderOptions = {}): Promise<HfLocalEncoder> {
    const abs = resolve(dir);
    for (const f of ['config.json', 'tokenizer.json']) {
      if (!existsSync(join(abs, f))) throw new DataError(`sem encoder folder ${abs}: ${f} missing; expected a Hugging Face model folder (config.json, tokenizer.json, onnx/model.onnx)`);
    }
    let hf: typeof import('@huggingface/transformers');
    try {
      hf = await import('@huggingface/transformers');
    } catch (err) {
      throw new UnavailableError(`sem encoder: @huggingface/transformers does not load (${(err as Error).message})`);
    }
    hf.env.allowRemoteModels = false;
    hf.env.allowLocalModels = true;
    hf.env.localModelPath = dirname(abs);
    let extractor: Extractor;
    try {
      extractor = (await hf.pipeline('feature-extraction', basename(abs), { dtype: o.dtype ?? 'fp32', local_files_only: true, device: 'cpu' })) as unknown as Extractor;
    } catch (err) {
      throw new DataError(`sem encoder folder ${abs}: cannot load the model (${(err as Error).message.split('\n')[0]})`);
    }
    const opts = { pooling: o.pooling ?? 'mean', normalize: o.normalize ?? true, batchSize: o.batchSize ?? 32 };
    const probe = await extractor(['probe'], { pooling: opts.pooling, normalize: opts.normalize });
    const dim = probe.dims[probe.dims.length - 1];
    return new HfLocalEncoder(o.name ?? basename(abs), hashFolder(abs), dim, extractor, opts);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < texts.length; s += this.opts.batchSize) {
      const part = texts.slice(s, s + this.opts.batchSize);
      const t = await this.extractor(part, { pooling: this.opts.pooling, normalize: this.opts.normalize });
      for (let i = 0; i < part.length; i++) out.push(t.data.slice(i * this.dim, (i + 1) * this.dim));
      t.dispose?.();
    }
    return out;
  }
}
