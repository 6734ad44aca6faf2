import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { CELL_KINDS, createRecurrent, PLAIN_RECURRENCE_MAX_BATCH, type CellKind, type Recurrent } from '../layers/recurrent.js';
import { commonFields, FusionBase, Heads } from './common.js';
import type { FusionFactory, FusionOutput, ModalityDims, PerceptionBatch } from './types.js';

export interface SequenceConfig {
  name: string;
  hidden: number;
  cell: CellKind;
  dropout?: number;
}

/**
 * Early fusion and the recurrent baselines of paper 000: the aligned features
 * of all modalities concatenated per step (absent ones zero) → one recurrent
 * layer (time-masked) → its last state is the embedding → heads.
 * `early` uses a GRU (paper 001's recurrent unit); `lstm` and `rnn` are paper
 * 000's LSTM and RNN baselines, the same model with another cell.
 */
export class SequenceFusion extends FusionBase {
  readonly rec: Recurrent;
  readonly heads: Heads;
  constructor(cfg: SequenceConfig & { dropout: number }, dims: ModalityDims, nClasses: number, rng: Rng) {
    super(cfg.name, dims, nClasses, cfg.dropout, rng);
    const inDim = this.modalities.reduce((a, m) => a + dims[m]!, 0);
    this.rec = this.child('rec', createRecurrent(cfg.cell, inDim, cfg.hidden, rng.fork('rec')));
    this.heads = this.child('heads', new Heads(cfg.hidden, nClasses, rng.fork('heads')));
  }

  forward(batch: PerceptionBatch, training: boolean): FusionOutput {
    this.check(batch);
    return tf.tidy(() => {
      const x = this.drop(this.concatInputs(batch), training) as tf.Tensor3D;
      const plain = !training && batch.timeMask.shape[0] <= PLAIN_RECURRENCE_MAX_BATCH;
      const { last } = this.rec.forward(x, batch.timeMask, undefined, { plain });
      const { logits, av } = this.heads.apply(this.drop(last, training) as tf.Tensor2D);
      return { logits, av, embedding: last };
    });
  }
}

function sequenceFactory(name: string, cell: CellKind | undefined, description: string): FusionFactory<SequenceConfig> {
  const schema = z
    .object({
      name: z.literal(name),
      hidden: z.number().int().positive().default(64),
      // `early` may swap its cell; the baselines are fixed by name.
      cell: cell ? z.literal(cell).default(cell) : z.enum(CELL_KINDS as [CellKind, ...CellKind[]]).default('gru'),
      ...commonFields,
    })
    .strict();
  return {
    schema: schema as unknown as z.ZodType<SequenceConfig>,
    description,
    create: (cfg, dims, nClasses, rng) => new SequenceFusion({ ...cfg, dropout: cfg.dropout ?? 0 }, dims, nClasses, rng),
  };
}

export const earlyFusion = sequenceFactory('early', undefined, 'early fusion: concatenated aligned features → GRU → heads');
export const lstmBaseline = sequenceFactory('lstm', 'lstm', 'paper 000 baseline: concatenated features → LSTM → heads');
export const rnnBaseline = sequenceFactory('rnn', 'rnn', 'paper 000 baseline: concatenated features → Elman RNN → heads');
