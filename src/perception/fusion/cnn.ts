import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { TemporalConv } from '../layers/conv.js';
import { commonFields, FusionBase, Heads, maskedMax, maskedMean } from './common.js';
import type { FusionFactory, FusionOutput, ModalityDims, PerceptionBatch } from './types.js';

export interface CnnConfig {
  name: 'cnn';
  channels: number[];
  kernel: number;
  pool: 'max' | 'mean';
  dropout?: number;
}

/**
 * Paper 000's CNN baseline on the aligned sequence: concatenated features →
 * stacked 1-D temporal convolutions with ReLU (padded steps re-zeroed after
 * each) → masked global pooling over time → heads.
 */
export class CnnFusion extends FusionBase {
  readonly convs: TemporalConv[];
  readonly heads: Heads;
  constructor(
    readonly cfg: CnnConfig & { dropout: number },
    dims: ModalityDims,
    nClasses: number,
    rng: Rng,
  ) {
    super('cnn', dims, nClasses, cfg.dropout, rng);
    let d = this.modalities.reduce((a, m) => a + dims[m]!, 0);
    this.convs = cfg.channels.map((c, i) => {
      const conv = this.child(`conv${i}`, new TemporalConv(d, c, cfg.kernel, rng.fork(`conv${i}`)));
      d = c;
      return conv;
    });
    this.heads = this.child('heads', new Heads(d, nClasses, rng.fork('heads')));
  }

  forward(batch: PerceptionBatch, training: boolean): FusionOutput {
    this.check(batch);
    return tf.tidy(() => {
      const tm = batch.timeMask.expandDims(2);
      let h = this.concatInputs(batch) as tf.Tensor3D;
      for (const conv of this.convs) h = tf.mul(this.drop(tf.relu(conv.forward(h)), training), tm) as tf.Tensor3D;
      const emb = this.cfg.pool === 'max' ? maskedMax(h, batch.timeMask) : maskedMean(h, batch.timeMask);
      const { logits, av } = this.heads.apply(emb);
      return { logits, av, embedding: emb };
    });
  }
}

const schema = z
  .object({
    name: z.literal('cnn'),
    channels: z.array(z.number().int().positive()).min(1).default([64, 64]),
    kernel: z.number().int().positive().refine((k) => k % 2 === 1, 'kernel must be odd').default(3),
    pool: z.enum(['max', 'mean']).default('max'),
    ...commonFields,
  })
  .strict();

export const cnnBaseline: FusionFactory<CnnConfig> = {
  schema: schema as unknown as z.ZodType<CnnConfig>,
  description: 'paper 000 baseline: concatenated features → temporal CNN → masked pooling → heads',
  create: (cfg, dims, nClasses, rng) => new CnnFusion({ ...cfg, dropout: cfg.dropout ?? 0 }, dims, nClasses, rng),
};
