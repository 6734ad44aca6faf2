import { z } from 'zod';
import { alignSectionSchema } from './align/config.js';
import { featuresSectionSchema } from './features/config.js';
import { perceptionTrainSchema } from './schema.js';

const modalityName = z.enum(['audio', 'face', 'physio', 'text']);

/**
 * `perception.split`: how the dataset is divided.
 * - holdout (default): stratified test share (paper 001: 80:20), validation
 *   carved from the training side (early stopping, late-fusion weights);
 * - kfold: stratified k folds (paper 000: 8), every fold trained and tested
 *   inside one job, metrics reported as mean ± std over folds;
 * - group: leave-one-group-out (speaker / session / subject), same reporting.
 * `folds` runs only the first N folds of kfold/group (null = all): a budget
 * knob for quick runs, recorded in the results.
 */
export const splitSectionSchema = z
  .object({
    method: z.enum(['holdout', 'kfold', 'group']).default('holdout'),
    testShare: z.number().gt(0).lt(1).default(0.2),
    valShare: z.number().gt(0).lt(1).default(0.1),
    stratify: z.boolean().default(true),
    k: z.number().int().min(2).default(8),
    by: z.enum(['group', 'speaker', 'dialogue', 'partition']).default('group'),
    valBy: z.enum(['group', 'sample']).default('group'),
    folds: z.number().int().positive().nullable().default(null),
  })
  .strict();

/**
 * `perception.text`: the transcript's token ids become vectors before fusion.
 * The fusion strategies project every modality linearly, which is meaningless
 * on raw ids, so each id gets a fixed pseudo-random vector (feature hashing
 * into `dim` dimensions, seeded by the id and `seed`, independent of the run
 * seed so cached features stay valid). A trainable embedding would need every
 * fusion strategy to own one; frozen random embeddings keep ids distinct and
 * let the sequence model learn which ones matter.
 */
export const textEmbeddingSchema = z
  .object({
    dim: z.number().int().min(2).default(32),
    seed: z.number().int().default(0),
  })
  .strict();

/**
 * The whole `perception` section: feature extraction, alignment, training,
 * plus the pipeline's own keys (modalities, split, steps, normalisation,
 * text embedding, feature cache, alignment scoring).
 */
export const perceptionSectionSchema = z
  .object({
    features: featuresSectionSchema.prefault({}),
    align: alignSectionSchema.prefault({}),
    train: perceptionTrainSchema.prefault({}),
    /** Modalities fed to the model; null = all the dataset provides. A subset is an ablation. */
    modalities: z.array(modalityName).min(1).nullable().default(null),
    split: splitSectionSchema.prefault({}),
    /**
     * Steps of the model's timeline: the aligned sequence (on the reference
     * clock, e.g. 100 audio frames/s) is mean-pooled into this many equal
     * time bins. Keeps attention and recurrence affordable; alignment itself
     * runs at full resolution.
     */
    steps: z.number().int().min(1).default(32),
    /** z-score every feature column with training-split statistics (valid frames only). */
    normalize: z.boolean().default(true),
    text: textEmbeddingSchema.prefault({}),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        /** null = `.affectlab-cache/` under the working directory. */
        dir: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /** SynAffect: score dtw and none against the ground-truth warps on up to this many test samples (0 = off). */
    alignScoreSamples: z.number().int().min(0).default(100),
  })
  .strict();

export type PerceptionSection = z.output<typeof perceptionSectionSchema>;
export type SplitSection = z.output<typeof splitSectionSchema>;
