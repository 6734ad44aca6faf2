import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { MultiHeadAttention } from '../layers/attention.js';
import { LayerNorm, Linear } from '../layers/linear.js';
import { Module } from '../layers/module.js';
import { GRU, PLAIN_RECURRENCE_MAX_BATCH } from '../layers/recurrent.js';
import { commonFields, FusionBase, Heads, ModalityTokens } from './common.js';
import type { FusionFactory, FusionOutput, ModalityDims, PerceptionBatch } from './types.js';

export interface AttentionGruConfig {
  name: 'attention_gru';
  /** Token width after the per-modality projections. */
  dim: number;
  heads: number;
  /** Number of cross-modal attention blocks. */
  layers: number;
  /** Hidden width of each block's feed-forward sublayer. */
  ffn: number;
  /** GRU width = emotion-vector (embedding) width. */
  hidden: number;
  /** true: a token attends only to tokens of *other* modalities (paper 001's cross-modal attention); false: to all tokens. */
  crossOnly: boolean;
  /** How the modality tokens of one step become the GRU input: concatenation or mean over present modalities. */
  merge: 'concat' | 'mean';
  /** `post` (the original Transformer, the paper's framework) or `pre` layer norm. */
  norm: 'post' | 'pre';
  positional: boolean;
  dropout?: number;
}

/** One Transformer block whose attention is restricted to cross-modal pairs. */
class CrossModalBlock extends Module {
  readonly mha: MultiHeadAttention;
  readonly ln1: LayerNorm;
  readonly ln2: LayerNorm;
  readonly ff1: Linear;
  readonly ff2: Linear;
  constructor(dim: number, heads: number, ffn: number, rng: Rng) {
    super();
    this.mha = this.child('mha', new MultiHeadAttention(dim, heads, rng.fork('mha')));
    this.ln1 = this.child('ln1', new LayerNorm(dim));
    this.ln2 = this.child('ln2', new LayerNorm(dim));
    this.ff1 = this.child('ff1', new Linear(dim, ffn, rng.fork('ff1')));
    this.ff2 = this.child('ff2', new Linear(ffn, dim, rng.fork('ff2')));
  }

  forward(h: tf.Tensor3D, mask: tf.Tensor2D, allowed: tf.Tensor2D | undefined, norm: 'post' | 'pre', drop: (x: tf.Tensor) => tf.Tensor): tf.Tensor3D {
    const attend = (x: tf.Tensor3D) => this.mha.forward(x, x, { keyMask: mask, allowed }).out;
    const ffn = (x: tf.Tensor) => this.ff2.apply(tf.relu(this.ff1.apply(x)));
    let out: tf.Tensor;
    if (norm === 'post') {
      const a = this.ln1.apply(tf.add(h, drop(attend(h))));
      out = this.ln2.apply(tf.add(a, drop(ffn(a))));
    } else {
      const a = tf.add(h, drop(attend(this.ln1.apply(h) as tf.Tensor3D)));
      out = tf.add(a, drop(ffn(this.ln2.apply(a))));
    }
    return tf.mul(out, mask.expandDims(2)) as tf.Tensor3D;
  }
}

/**
 * Paper 001's perception model: per-modality projections, cross-modal
 * multi-head attention (each modality's tokens attend to the other
 * modalities' tokens, all modalities and heads in one batched attention over
 * the M·T tokens with a block mask), then a GRU compresses the fused sequence
 * into the emotion vector (its last state), which feeds the heads.
 * With a single modality and crossOnly there is nothing to attend to: the
 * attention sublayer contributes zero and the block reduces to its FFN.
 */
export class AttentionGruFusion extends FusionBase {
  readonly tokens: ModalityTokens;
  readonly blocks: CrossModalBlock[];
  readonly gru: GRU;
  readonly heads: Heads;
  private allowedCache: { T: number; values: Float32Array } | undefined;
  constructor(
    readonly cfg: AttentionGruConfig & { dropout: number },
    dims: ModalityDims,
    nClasses: number,
    rng: Rng,
  ) {
    super('attention_gru', dims, nClasses, cfg.dropout, rng);
    this.tokens = this.child('tokens', new ModalityTokens(this.modalities, dims, cfg.dim, cfg.positional, rng.fork('tokens')));
    this.blocks = Array.from({ length: cfg.layers }, (_, i) => this.child(`block${i}`, new CrossModalBlock(cfg.dim, cfg.heads, cfg.ffn, rng.fork(`block${i}`))));
    const M = this.modalities.length;
    this.gru = this.child('gru', new GRU(cfg.merge === 'concat' ? M * cfg.dim : cfg.dim, cfg.hidden, rng.fork('gru')));
    this.heads = this.child('heads', new Heads(cfg.hidden, nClasses, rng.fork('heads')));
  }

  /** [M·T, M·T] with 1 where query and key tokens belong to different modalities. */
  private crossMask(T: number): Float32Array {
    if (this.allowedCache?.T === T) return this.allowedCache.values;
    const M = this.modalities.length;
    const N = M * T;
    const a = new Float32Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) a[i * N + j] = Math.floor(i / T) !== Math.floor(j / T) ? 1 : 0;
    this.allowedCache = { T, values: a };
    return a;
  }

  forward(batch: PerceptionBatch, training: boolean): FusionOutput {
    this.check(batch);
    return tf.tidy(() => {
      const [B, T] = batch.timeMask.shape;
      const M = this.modalities.length;
      const { tokens, mask } = this.tokens.forward(batch);
      const N = M * T;
      const allowed = this.cfg.crossOnly ? tf.tensor2d(this.crossMask(T), [N, N]) : undefined;
      const drop = (x: tf.Tensor) => this.drop(x, training);
      let h = drop(tokens) as tf.Tensor3D;
      for (const block of this.blocks) h = block.forward(h, mask, allowed, this.cfg.norm, drop);
      // Back to one vector per step: [B, M, T, E] → concat or present-modality mean.
      const perMod = h.reshape([B, M, T, this.cfg.dim]);
      let fused: tf.Tensor3D;
      if (this.cfg.merge === 'concat') fused = perMod.transpose([0, 2, 1, 3]).reshape([B, T, M * this.cfg.dim]) as tf.Tensor3D;
      else {
        const count = tf.maximum(tf.sum(batch.presence, 1), 1).reshape([B, 1, 1]);
        fused = tf.div(tf.sum(perMod, 1), count) as tf.Tensor3D;
      }
      const { last } = this.gru.forward(fused, batch.timeMask, undefined, { plain: !training && B <= PLAIN_RECURRENCE_MAX_BATCH });
      const { logits, av } = this.heads.apply(drop(last) as tf.Tensor2D);
      return { logits, av, embedding: last };
    });
  }
}

const schema = z
  .object({
    name: z.literal('attention_gru'),
    dim: z.number().int().positive().default(64),
    heads: z.number().int().positive().default(4),
    layers: z.number().int().min(1).default(1),
    ffn: z.number().int().positive().default(128),
    hidden: z.number().int().positive().default(64),
    crossOnly: z.boolean().default(true),
    merge: z.enum(['concat', 'mean']).default('concat'),
    norm: z.enum(['post', 'pre']).default('post'),
    positional: z.boolean().default(true),
    ...commonFields,
  })
  .strict()
  .refine((c) => c.dim % c.heads === 0, { message: 'dim must be divisible by heads', path: ['heads'] });

export const attentionGru: FusionFactory<AttentionGruConfig> = {
  schema: schema as unknown as z.ZodType<AttentionGruConfig>,
  description: 'paper 001: per-modality projections → cross-modal multi-head attention blocks → GRU emotion vector → heads',
  create: (cfg, dims, nClasses, rng) => new AttentionGruFusion({ ...cfg, dropout: cfg.dropout ?? 0 }, dims, nClasses, rng),
};
