import { z } from 'zod';
import { LABEL_PRESETS } from './presets.js';
import { parseSection } from '../section.js';

const rate = z.number().min(0).max(1);
const perModality = <T extends z.ZodType>(t: T, d: { audio: z.infer<T>; face: z.infer<T>; physio: z.infer<T>; text: z.infer<T> }) =>
  z.strictObject({ audio: t, face: t, physio: t, text: t }).default(d as any);

/** The `dataset` section for `name: synaffect`. Every knob of the simulator, with its default. */
export const synaffectSchema = z
  .strictObject({
    name: z.literal('synaffect').default('synaffect'),
    preset: z.enum(Object.keys(LABEL_PRESETS) as [keyof typeof LABEL_PRESETS, ...(keyof typeof LABEL_PRESETS)[]]).default('ekman7'),
    /** Relative class frequencies (the Markov chain's stationary mix); null = uniform. */
    classWeights: z.array(z.number().positive()).nullable().default(null),
    n: z.number().int().positive().default(600),
    speakers: z.number().int().min(2).default(12),
    /** Turns per dialogue; two speakers alternate. */
    dialogueLength: z.number().int().positive().default(8),
    /** Probability that a turn keeps the previous turn's emotion (Markov chain self-transition). */
    emotionPersistence: rate.default(0.5),
    modalities: z.array(z.enum(['audio', 'face', 'physio', 'text'])).min(1).default(['audio', 'face', 'physio', 'text']),
    durationS: z.tuple([z.number().positive(), z.number().positive()]).default([1.5, 4]),
    /** Intensity range drawn per sample. */
    intensity: z.tuple([rate, rate]).default([0.4, 1]),
    /** Spread of the sample's arousal–valence point around its scaled prototype. */
    avNoise: z.number().min(0).default(0.12),
    audioRate: z.number().int().min(8000).max(48000).default(16000),
    snrDb: z.number().default(25),
    degradedSnrDb: z.number().default(-10),
    frameSize: z.tuple([z.number().int().min(16).max(256), z.number().int().min(16).max(256)]).default([48, 48]),
    fps: z.number().positive().max(30).default(1),
    /** Share of frames with no face in clean samples, and in degraded ones. */
    noFaceRate: rate.default(0.05),
    degradedNoFaceRate: rate.default(0.6),
    physioRate: z.number().int().min(100).max(512).default(128),
    cardiac: z.enum(['ecg', 'ppg']).default('ecg'),
    asrErrorRate: rate.default(0.05),
    degradedAsrErrorRate: rate.default(0.9),
    /** Per-modality offset (s, max absolute) and warp strength (max relative rate deviation). */
    maxOffsetS: z.number().min(0).default(0.4),
    warpStrength: z.number().min(0).max(0.9).default(0.35),
    missingRate: perModality(rate, { audio: 0.05, face: 0.05, physio: 0.05, text: 0.05 }),
    degradedRate: perModality(rate, { audio: 0.15, face: 0.15, physio: 0.15, text: 0.15 }),
    /** Mixed into the run's seed; null `seed` ties the corpus to the run seed, a number fixes it across runs. */
    seedOffset: z.number().int().default(0),
    seed: z.number().int().nullable().default(null),
  })
  .superRefine((c, ctx) => {
    if (c.durationS[0] > c.durationS[1]) ctx.addIssue({ code: 'custom', path: ['durationS'], message: `expected [min, max] with min <= max, got [${c.durationS.join(', ')}]` });
    if (c.intensity[0] > c.intensity[1]) ctx.addIssue({ code: 'custom', path: ['intensity'], message: `expected [min, max] with min <= max, got [${c.intensity.join(', ')}]` });
    const k = LABEL_PRESETS[c.preset].length;
    if (c.classWeights && c.classWeights.length !== k)
      ctx.addIssue({ code: 'custom', path: ['classWeights'], message: `expected ${k} weights for preset ${c.preset}, got ${c.classWeights.length}` });
    for (const m of ['audio', 'face', 'physio', 'text'] as const) {
      if (c.missingRate[m] + c.degradedRate[m] > 1)
        ctx.addIssue({ code: 'custom', path: ['degradedRate', m], message: `missingRate.${m} + degradedRate.${m} must be <= 1` });
    }
  });

export type SynAffectConfig = z.infer<typeof synaffectSchema>;

/** Full config from a partial one (defaults filled), with a one-line error on bad input. */
export function synaffectConfig(partial: Partial<z.input<typeof synaffectSchema>> = {}): SynAffectConfig {
  return parseSection(synaffectSchema, { name: 'synaffect', ...partial }, 'dataset');
}
