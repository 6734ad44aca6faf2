import type { ModalityName } from '../data/types.js';

/** A feature sequence on its own clock: `values` is T×dim, row-major. */
export interface FeatureSequence {
  times: Float32Array;
  values: Float32Array;
  dim: number;
}

/** Per-modality features of one sample; an absent key means the modality is missing. */
export type SampleFeatures = Partial<Record<ModalityName, FeatureSequence>>;

/** Perception's output for one sample. */
export interface EmotionVector {
  classes: string[];
  /** Class probabilities, summing to 1. */
  probs: number[];
  /** [-1, 1], 0 = scale midpoint. */
  arousal: number;
  valence: number;
  /** Fused representation (the GRU state for attention_gru). */
  embedding: number[];
  /** Which modalities contributed. */
  modalities: ModalityName[];
}
