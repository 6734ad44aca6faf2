import { z } from 'zod';

/**
 * `perception.train`: the one training loop's hyperparameters. Defaults are
 * paper 001's (Adam, weight decay 1e-5, batch 32, dropout 0.3, patience 5,
 * 60 epochs) except the learning rate (1e-3 here, 1e-4 in
 * configs/experiment/gu2025.yaml), which trains the small default models in
 * far fewer epochs.
 */
export const perceptionTrainSchema = z
  .object({
    optimizer: z
      .object({
        name: z.literal('adam').default('adam'),
        lr: z.number().positive().default(1e-3),
        beta1: z.number().min(0).lt(1).default(0.9),
        beta2: z.number().min(0).lt(1).default(0.999),
        eps: z.number().positive().default(1e-8),
        weightDecay: z.number().min(0).default(1e-5),
        /** `l2`: torch.optim.Adam's weight_decay (paper 001 used PyTorch Adam); `decoupled`: AdamW. */
        weightDecayMode: z.enum(['l2', 'decoupled']).default('l2'),
        /** Global gradient-norm clip; 0 = off. */
        clipNorm: z.number().min(0).default(0),
      })
      .strict()
      .prefault({}),
    batchSize: z.number().int().positive().default(32),
    evalBatchSize: z.number().int().positive().default(256),
    maxEpochs: z.number().int().positive().default(60),
    /** Epochs without improvement of `monitor` before stopping; 0 = never stop early. */
    patience: z.number().int().min(0).default(5),
    minDelta: z.number().min(0).default(0),
    monitor: z.enum(['UA', 'ACC', 'F1w', 'SIM', 'val_loss']).default('UA'),
    /** Dropout of every strategy whose `fusion.dropout` is unset. */
    dropout: z.number().min(0).lt(1).default(0.3),
    /** loss = cls · cross-entropy + av · MSE(arousal, valence). */
    lossWeights: z
      .object({ cls: z.number().min(0).default(1), av: z.number().min(0).default(1) })
      .strict()
      .prefault({}),
    /**
     * Late fusion: fit the fusion weights on the validation split before every
     * epoch's validation (`epoch`, so per-epoch metrics and early stopping see
     * the fused model as deployed) or only once after training (`end`; per-epoch
     * metrics then use the neutral initial weights). Both refit at the end.
     */
    fusionFit: z.enum(['epoch', 'end']).default('epoch'),
    /** Load the best epoch's weights at the end (before late-fusion fitting). */
    restoreBest: z.boolean().default(true),
    /** Continue from `checkpointDir/checkpoint.json` when it exists. */
    resume: z.boolean().default(true),
  })
  .strict();

export type PerceptionTrainConfig = z.output<typeof perceptionTrainSchema>;
