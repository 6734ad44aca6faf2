import { z } from 'zod';

/**
 * `perception.features`: which extractors run and their parameters. Every
 * field has a default; an unknown key is an error (strict objects).
 * audio: MFCC + Δ + ΔΔ, log energy, YIN pitch on 25 ms frames every 10 ms.
 * physio: HR/HRV/GSR in `windowS` windows every `hopS` seconds (4 s / 0.5 s:
 *   short enough for few-second clips, long enough for 3–5 beats).
 * face: a fixed per-frame descriptor (`hog` or `pixels`) for alignment and
 *   fixed-feature fusion; `resnet` holds the trainable FaceResNet's shape for
 *   fusion models that learn from raw frames; `excludeNoFace` drops frames
 *   without a face; `sampleFps` (e.g. 1, as in paper 000) subsamples frames.
 * text: token ids of the transcript; `tokenizer: generator` uses the tokenizer
 *   passed in by the caller (the generator's), `hash` the hashing word tokenizer.
 */
const pitchSchema = z
  .object({
    enabled: z.boolean().default(true),
    fmin: z.number().positive().default(60),
    fmax: z.number().positive().default(400),
    threshold: z.number().positive().max(1).default(0.15),
    windowMs: z.number().positive().default(30),
    minRms: z.number().nonnegative().default(1e-3),
  })
  .strict()
  .refine((p) => p.fmax > p.fmin, { message: 'fmax must be greater than fmin', path: ['fmax'] });

const audioSchema = z
  .object({
    enabled: z.boolean().default(true),
    frameMs: z.number().positive().default(25),
    hopMs: z.number().positive().default(10),
    nMfcc: z.number().int().min(1).max(40).default(13),
    melBands: z.number().int().min(1).default(26),
    deltaOrder: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2),
    deltaWidth: z.number().int().min(1).default(2),
    preemphasis: z.number().min(0).max(1).default(0.97),
    window: z.enum(['hann', 'hamming', 'rect']).default('hann'),
    fftSize: z.number().int().nonnegative().default(0),
    mfccImpl: z.enum(['fast', 'meyda']).default('fast'),
    pitch: pitchSchema.prefault({}),
  })
  .strict()
  .refine((a) => a.melBands >= a.nMfcc, { message: 'melBands must be ≥ nMfcc', path: ['melBands'] });

const physioSchema = z
  .object({
    enabled: z.boolean().default(true),
    windowS: z.number().positive().default(4),
    hopS: z.number().positive().default(0.5),
    pnn50Denominator: z.enum(['intervals', 'differences']).default('intervals'),
    gsrTonicCutoffHz: z.number().positive().default(0.05),
    scrMinAmplitude: z.number().nonnegative().default(0.02),
    refractoryS: z.number().positive().default(0.25),
  })
  .strict();

const resnetSchema = z
  .object({
    inputSize: z.number().int().min(2).default(48),
    channels: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
    blocksPerStage: z.number().int().nonnegative().default(1),
    embeddingDim: z.number().int().positive().default(128),
    convImpl: z.enum(['im2col', 'native']).default('im2col'),
  })
  .strict();

const faceSchema = z
  .object({
    enabled: z.boolean().default(true),
    descriptor: z.enum(['hog', 'pixels']).default('hog'),
    size: z.number().int().min(2).default(32),
    cells: z.number().int().min(1).default(4),
    bins: z.number().int().min(2).default(9),
    excludeNoFace: z.boolean().default(true),
    sampleFps: z.number().positive().nullable().default(null),
    resnet: resnetSchema.prefault({}),
  })
  .strict()
  .refine((f) => f.descriptor !== 'hog' || f.size % f.cells === 0, { message: 'size must be a multiple of cells for hog', path: ['size'] });

const textSchema = z
  .object({
    enabled: z.boolean().default(true),
    tokenizer: z.enum(['generator', 'hash']).default('generator'),
    vocabSize: z.number().int().min(3).default(4096),
    lowercase: z.boolean().default(true),
  })
  .strict();

export const featuresSectionSchema = z
  .object({
    audio: audioSchema.prefault({}),
    physio: physioSchema.prefault({}),
    face: faceSchema.prefault({}),
    text: textSchema.prefault({}),
  })
  .strict();

export type FeaturesSection = z.infer<typeof featuresSectionSchema>;

/** The defaults, as the schema fills them. */
export function defaultFeaturesSection(): FeaturesSection {
  return featuresSectionSchema.parse({});
}
