import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { GraphConv, type TwoHopMode } from '../layers/graph.js';
import { commonFields, FusionBase, Heads, maskedMax, maskedMean, ModalityTokens } from './common.js';
import type { FusionFactory, FusionOutput, ModalityDims, PerceptionBatch } from './types.js';

export interface DgcnnConfig {
  name: 'dgcnn';
  /** Node feature width after the per-modality projections. */
  dim: number;
  /** Width of each of the three concatenated branches (self, 1-hop, 2-hop); a layer outputs 3·branch. */
  branch: number;
  layers: number;
  /** Width of the node embeddings the adjacency is computed from. */
  adjDim: number;
  twoHop: TwoHopMode;
  selfLoops: boolean;
  positional: boolean;
  dropout?: number;
}

/**
 * Paper 000's DGCNN on aligned multimodal sequences. Nodes are (modality,
 * step) pairs — M·T of them, features projected per modality plus modality
 * and time codes; absent modalities and padded steps are masked nodes. Each
 * layer learns its adjacency from the current node features and aggregates
 * self, 1-hop and 2-hop (neighbour-difference) terms joined by concatenation
 * (eq. 5–6, see GraphConv). Readout: masked mean ‖ max over valid nodes.
 */
export class DgcnnFusion extends FusionBase {
  readonly tokens: ModalityTokens;
  readonly convs: GraphConv[];
  readonly heads: Heads;
  constructor(
    readonly cfg: DgcnnConfig & { dropout: number },
    dims: ModalityDims,
    nClasses: number,
    rng: Rng,
  ) {
    super('dgcnn', dims, nClasses, cfg.dropout, rng);
    this.tokens = this.child('tokens', new ModalityTokens(this.modalities, dims, cfg.dim, cfg.positional, rng.fork('tokens')));
    let d = cfg.dim;
    this.convs = Array.from({ length: cfg.layers }, (_, i) => {
      const g = this.child(`gc${i}`, new GraphConv(d, cfg.branch, { adjDim: cfg.adjDim, twoHop: cfg.twoHop, selfLoops: cfg.selfLoops }, rng.fork(`gc${i}`)));
      d = 3 * cfg.branch;
      return g;
    });
    this.heads = this.child('heads', new Heads(2 * d, nClasses, rng.fork('heads')));
  }

  forward(batch: PerceptionBatch, training: boolean): FusionOutput {
    this.check(batch);
    return tf.tidy(() => {
      const { tokens, mask } = this.tokens.forward(batch);
      let h = tokens;
      for (const g of this.convs) h = tf.mul(this.drop(g.forward(h, mask).out, training), mask.expandDims(2)) as tf.Tensor3D;
      const emb = tf.concat([maskedMean(h, mask), maskedMax(h, mask)], -1) as tf.Tensor2D;
      const { logits, av } = this.heads.apply(this.drop(emb, training) as tf.Tensor2D);
      return { logits, av, embedding: emb };
    });
  }
}

const schema = z
  .object({
    name: z.literal('dgcnn'),
    dim: z.number().int().positive().default(32),
    branch: z.number().int().positive().default(16),
    layers: z.number().int().min(1).default(2),
    adjDim: z.number().int().positive().default(16),
    twoHop: z.enum(['difference', 'power']).default('difference'),
    selfLoops: z.boolean().default(false),
    positional: z.boolean().default(true),
    ...commonFields,
  })
  .strict();

export const dgcnn: FusionFactory<DgcnnConfig> = {
  schema: schema as unknown as z.ZodType<DgcnnConfig>,
  description: 'paper 000: dynamic graph over (modality, time) nodes, 1-hop + 2-hop aggregation per layer',
  create: (cfg, dims, nClasses, rng) => new DgcnnFusion({ ...cfg, dropout: cfg.dropout ?? 0 }, dims, nClasses, rng),
};
