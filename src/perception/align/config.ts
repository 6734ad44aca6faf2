import { z } from 'zod';
import type { AlignOptions } from './align.js';

/**
 * `perception.align`: how modalities are put on one timeline.
 * - method: `dtw` (default), `none` (linear resampling by time; the ablation) or `oracle`
 *   (the simulator's ground-truth warps applied: the upper bound any aligner could reach;
 *   only for datasets that store warps, i.e. SynAffect)
 * - oracleSpan: with `oracle`, `anchor` (default) reads every modality at the anchor's frames, so
 *   what a modality recorded outside the anchor's window is dropped; `union` extends the timeline
 *   over every modality's recording (synchrony without loss of coverage)
 * - reference: `audio` (the speech frames) or `{ grid: T }` (T evenly spaced steps)
 * - band: Sakoe–Chiba half-width as a fraction of the timeline (≥ 1 = no band)
 * - cost: local cost of dtw(); the align step's trajectories are 1-D, where only `euclidean` is meaningful
 * - derivative: derivative DTW (Keogh & Pazzani 2001)
 * - stepPenalty: cost added per non-diagonal DTW step, in units of the z-scored trajectory
 *   (0 = plain DTW). Where the trajectories carry little timing, plain DTW follows noise
 *   and recovers the warp worse than resampling; the penalty keeps the path diagonal unless
 *   the signals pay for a warp (docs/perception-pipeline.md, "DTW vs none").
 * - trajectory: `pca` (first principal component, sign-matched) or `norm` (RMS of z-scored features)
 * - fallbackGrid: grid steps used when the reference is audio but a sample has none
 * - categorical: modalities holding ids (text tokens), resampled by nearest time, never warped
 * - smoothS: moving-average width (s) applied to the trajectories before DTW (0 = off)
 * - minFrames: modalities with fewer original frames are resampled linearly, not warped
 *   (face at 1 fps over a 2–4 s clip has 2–4 frames: nothing to recover a warp from)
 */
export const alignSectionSchema = z
  .object({
    method: z.enum(['dtw', 'none', 'oracle']).default('dtw'),
    oracleSpan: z.enum(['anchor', 'union']).default('anchor'),
    reference: z
      .union([z.literal('audio'), z.object({ grid: z.number().int().min(2) }).strict()])
      .default('audio'),
    band: z.number().positive().default(0.1),
    cost: z.enum(['euclidean', 'cosine']).default('euclidean'),
    derivative: z.boolean().default(false),
    stepPenalty: z.number().nonnegative().default(0),
    trajectory: z.enum(['pca', 'norm']).default('pca'),
    fallbackGrid: z.number().int().min(2).default(100),
    categorical: z.array(z.enum(['audio', 'face', 'physio', 'text'])).default(['text']),
    smoothS: z.number().nonnegative().default(0),
    minFrames: z.number().int().min(2).default(8),
  })
  .strict();

export type AlignSection = z.infer<typeof alignSectionSchema>;

export function alignOptionsFrom(section: AlignSection): AlignOptions {
  return { ...section };
}
