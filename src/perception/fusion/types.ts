import type { z } from 'zod';
import type { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import type { ModalityName } from '../../data/types.js';
import type { NamedWeight } from '../layers/module.js';

export type { NamedWeight };

/** Feature width per modality used by a model (its keys are the model's modalities). */
export type ModalityDims = Partial<Record<ModalityName, number>>;

/**
 * A batch of already-aligned features on one shared timeline. A missing
 * modality has zeros in `inputs[m].x` and 0 in its `presence` column.
 */
export interface PerceptionBatch {
  /** Modalities in presence-column order (canonical MODALITIES order). */
  modalities: ModalityName[];
  inputs: Partial<Record<ModalityName, { x: tf.Tensor3D }>>;
  /** [B,T], 1 = a real step, 0 = padding. */
  timeMask: tf.Tensor2D;
  /** [B,M], 1 = modality present for that sample. */
  presence: tf.Tensor2D;
  /** [B] int32 class indices. */
  y: tf.Tensor1D;
  /** [B,2] arousal, valence in [-1, 1]. */
  av: tf.Tensor2D;
}

/** Per-modality predictions of a late-fusion model (trained with their own losses). */
export interface PartOutput {
  modality: ModalityName;
  logits: tf.Tensor2D;
  av: tf.Tensor2D;
  /** [B], 1 where the modality is present (the part's loss counts only those). */
  mask: tf.Tensor1D;
}

export interface FusionOutput {
  /** [B,C] class logits (log-probabilities for late fusion). */
  logits: tf.Tensor2D;
  /** [B,2] predicted arousal, valence in [-1, 1]. */
  av: tf.Tensor2D;
  /** [B,E] fused representation. */
  embedding: tf.Tensor2D;
  /** Late fusion only: per-modality outputs the training loss is computed on. */
  parts?: PartOutput[];
}

/** What a post-training fusion fit on the validation split found, for logs and results. */
export interface FusionFitReport {
  /** Fusion weights as plain data, e.g. W[m][c] for detection-ratio fusion. */
  weights?: Record<string, number[]>;
  /** Validation samples on which a modality was absent and so not used for its weights. */
  skipped?: Record<string, number>;
  notes?: string[];
}

/**
 * The one interface every fusion strategy implements. Weights live in tf
 * Variables; `getWeights/setWeights` move them as plain data (including fitted
 * fusion weights that are not trainable).
 */
export interface FusionModel {
  readonly name: string;
  readonly modalities: ModalityName[];
  readonly nClasses: number;
  /** Seeds dropout masks; replaced on resume so a resumed run draws the same masks. */
  rng: Rng;
  forward(batch: PerceptionBatch, training: boolean): FusionOutput;
  readonly trainableWeights: tf.Variable[];
  getWeights(): NamedWeight[];
  setWeights(weights: NamedWeight[], where?: string): void;
  /** Late fusion: fits the fusion weights on the validation batch (never test data). */
  fitFusion?(val: PerceptionBatch): FusionFitReport;
  countParams(): number;
  dispose(): void;
}

/** Registry entry: a strict zod schema for the `fusion` config section, and a constructor. */
export interface FusionFactory<C extends { name: string } = any> {
  schema: z.ZodType<C>;
  description: string;
  create(cfg: C, dims: ModalityDims, nClasses: number, rng: Rng): FusionModel;
}
