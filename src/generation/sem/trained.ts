import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../core/backend.js';
import { ConfigError, DataError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/io.js';
import type { Logger } from '../../core/log.js';
import type { Rng } from '../../core/rng.js';
import type { CorpusEntry, Tokenizer } from '../types.js';
import type { SentenceEncoder } from './encoder.js';

import { trainedEncoderSchema, type TrainedEncoderConfig } from './schema.js';

export { trainedEncoderSchema, type TrainedEncoderConfig };

const NAME = 'affectlab-corpus-contrastive';
const FORMAT = 'affectlab.sem-encoder/1';

export interface TrainedEncoderOptions {
  entries: readonly CorpusEntry[];
  tokenizer: Tokenizer;
  cfg?: Partial<TrainedEncoderConfig>;
  /** Where trained encoders are cached, keyed by the hash of config + tokenizer + training texts. */
  cacheDir: string;
  /** Default: a Rng seeded with cfg.seed (so the cache key fully determines the weights). */
  rng?: Rng;
  log?: Logger;
}

/**
 * The default SEM encoder when the user configures none: a bag-of-embeddings
 * sentence encoder (mean of token embeddings → linear projection → L2 norm)
 * trained contrastively (InfoNCE, symmetric, in-batch negatives; van den Oord
 * et al. 2018, as in SimCSE/SBERT's MultipleNegativesRanking loss) on
 * paraphrase pairs of the corpus: texts from the same template (`templateId`),
 * train split only so held-out references stay unseen. It is trained once per
 * (config, tokenizer, corpus) and cached on disk. Inference is plain
 * Float32Array arithmetic. Hand-written because no npm package trains a
 * sentence encoder offline; a user's own pretrained model goes through
 * HfLocalEncoder instead.
 */
export class TrainedCorpusEncoder implements SentenceEncoder {
  readonly name = NAME;
  private constructor(
    readonly hash: string,
    readonly dim: number,
    private readonly embedDim: number,
    private readonly E: Float32Array,
    private readonly W: Float32Array,
    private readonly tokenizer: Tokenizer,
    /** Whether this instance came from the cache. */
    readonly fromCache: boolean,
    readonly cachePath: string,
  ) {}

  static cacheKey(o: Pick<TrainedEncoderOptions, 'entries' | 'tokenizer'>, cfg: TrainedEncoderConfig): string {
    const h = createHash('sha256');
    h.update(JSON.stringify({ cfg, tokenizer: o.tokenizer.toJSON() }));
    for (const e of o.entries.filter((x) => x.split === 'train')) h.update(`${e.id}\u0000${e.templateId ?? ''}\u0000${e.text}\n`);
    return h.digest('hex').slice(0, 16);
  }

  static async trainOrLoad(o: TrainedEncoderOptions): Promise<TrainedCorpusEncoder> {
    const parsed = trainedEncoderSchema.safeParse(o.cfg ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ConfigError(`sem.trained.${i.path.map(String).join('.')}: ${i.message}`);
    }
    const cfg = parsed.data;
    const key = TrainedCorpusEncoder.cacheKey(o, cfg);
    const path = join(o.cacheDir, `sem-encoder-${key}.json`);
    if (existsSync(path)) {
      const raw = JSON.parse(readFileSync(path, 'utf8'));
      if (raw.format !== FORMAT || raw.key !== key) throw new DataError(`${path}: not a cached affectlab SEM encoder for key ${key}; delete it to retrain`);
      o.log?.info(`sem encoder: loaded ${NAME}@${raw.hash} from ${path}`);
      return new TrainedCorpusEncoder(raw.hash, cfg.dim, cfg.embed_dim, fromB64(raw.E), fromB64(raw.W), o.tokenizer, true, path);
    }
    const { E, W } = await train(o, cfg);
    const hash = createHash('sha256').update(f32(E)).update(f32(W)).digest('hex').slice(0, 16);
    writeJsonAtomic(path, { format: FORMAT, key, hash, name: NAME, config: cfg, E: f32(E).toString('base64'), W: f32(W).toString('base64') });
    o.log?.info(`sem encoder: trained ${NAME}@${hash}, cached at ${path}`);
    return new TrainedCorpusEncoder(hash, cfg.dim, cfg.embed_dim, E, W, o.tokenizer, false, path);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const ids = this.tokenizer.encode(text).filter((i) => i !== this.tokenizer.bosId && i !== this.tokenizer.eosId && i !== this.tokenizer.padId);
    const e = this.embedDim;
    const mean = new Float32Array(e);
    for (const id of ids) for (let j = 0; j < e; j++) mean[j] += this.E[id * e + j];
    if (ids.length > 0) for (let j = 0; j < e; j++) mean[j] /= ids.length;
    const out = new Float32Array(this.dim);
    for (let j = 0; j < e; j++) for (let k = 0; k < this.dim; k++) out[k] += mean[j] * this.W[j * this.dim + k];
    let n = 0;
    for (let k = 0; k < this.dim; k++) n += out[k] * out[k];
    n = Math.sqrt(n) || 1;
    for (let k = 0; k < this.dim; k++) out[k] /= n;
    return out;
  }
}

async function train(o: TrainedEncoderOptions, cfg: TrainedEncoderConfig): Promise<{ E: Float32Array; W: Float32Array }> {
  const rng = o.rng ?? new (await import('../../core/rng.js')).Rng(cfg.seed);
  const V = o.tokenizer.vocabSize;
  const groups = new Map<string, number[][]>();
  let noTemplate = 0;
  for (const e of o.entries) {
    if (e.split !== 'train') continue;
    if (!e.templateId) {
      noTemplate++;
      continue;
    }
    const ids = o.tokenizer.encode(e.text).filter((i) => i !== o.tokenizer.bosId && i !== o.tokenizer.eosId && i !== o.tokenizer.padId);
    if (ids.length === 0) continue;
    const g = groups.get(e.templateId) ?? [];
    g.push(ids);
    groups.set(e.templateId, g);
  }
  const usable = [...groups.values()].filter((g) => g.length >= 2);
  const singles = groups.size - usable.length;
  if (noTemplate > 0 || singles > 0) o.log?.warn(`sem encoder: skipped ${noTemplate} train entries without templateId and ${singles} templates with a single text (no paraphrase pair)`);
  if (usable.length < 2) throw new DataError(`sem encoder: ${usable.length} templates with paraphrase pairs in the train split; expected at least 2 (entries need templateId shared by paraphrases)`);
  const Evar = tf.tidy(() => tf.variable(tf.tensor2d(rng.fork('E').normalArray(V * cfg.embed_dim, 0, 1 / Math.sqrt(cfg.embed_dim)), [V, cfg.embed_dim]))); // tidy frees the initial tensor
  const Wvar = tf.tidy(() => tf.variable(tf.tensor2d(rng.fork('W').normalArray(cfg.embed_dim * cfg.dim, 0, 1 / Math.sqrt(cfg.embed_dim)), [cfg.embed_dim, cfg.dim])));
  const opt = tf.train.adam(cfg.lr);
  const bow = (seqs: number[][]) => {
    // Normalised bag-of-words rows: row·E is the mean token embedding, and its gradient is a matmul (no gather).
    const m = new Float32Array(seqs.length * V);
    seqs.forEach((s, r) => s.forEach((id) => (m[r * V + id] += 1 / s.length)));
    return tf.tensor2d(m, [seqs.length, V]);
  };
  const enc = (x: tf.Tensor2D) => {
    const z = x.matMul(Evar).matMul(Wvar);
    return z.div(z.norm('euclidean', 1, true).maximum(1e-12));
  };
  const pairRng = rng.fork('pairs');
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const order = pairRng.shuffle(usable.map((_, i) => i));
    for (let s = 0; s < order.length; s += cfg.batch) {
      const part = order.slice(s, s + cfg.batch);
      if (part.length < 2) continue; // InfoNCE needs an in-batch negative
      const a: number[][] = [];
      const p: number[][] = [];
      for (const gi of part) {
        const g = usable[gi];
        const i = pairRng.int(g.length);
        let j = pairRng.int(g.length - 1);
        if (j >= i) j++;
        a.push(g[i]);
        p.push(g[j]);
      }
      const A = bow(a);
      const P = bow(p);
      opt.minimize(() => {
        const logits = enc(A).matMul(enc(P), false, true).div(cfg.temperature);
        const labels = tf.oneHot(tf.range(0, part.length, 1, 'int32'), part.length);
        return tf.losses.softmaxCrossEntropy(labels, logits).add(tf.losses.softmaxCrossEntropy(labels, logits.transpose())).div(2) as tf.Scalar;
      }, false, [Evar, Wvar]);
      tf.dispose([A, P]);
    }
    if (epoch % 5 === 4) await new Promise((r) => setImmediate(r));
  }
  const E = Evar.dataSync() as Float32Array;
  const W = Wvar.dataSync() as Float32Array;
  tf.dispose([Evar, Wvar]);
  opt.dispose();
  return { E: E.slice(), W: W.slice() };
}

function f32(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function fromB64(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice();
}
