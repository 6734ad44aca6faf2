import { z } from 'zod';
import { MODALITIES, type ModalityName } from '../../data/types.js';
import { TONES } from '../../generation/types.js';

/*
 * Config sections the built-in jobs own, apart from their implementations:
 * validating a config (`affectlab config`, a sweep checking every job, the
 * launcher's parent process) needs the schemas, not the jobs' code and tfjs.
 */

/** `placeholder`: the tiny MLP on Gaussian blobs (jobs/placeholder.ts). */
export const placeholderSchema = z
  .object({
    samples: z.number().int().min(8).describe('number of generated points'),
    dim: z.number().int().min(1).describe('input dimension'),
    classes: z.number().int().min(2).describe('number of blobs / classes'),
    separation: z.number().positive().describe('distance scale between blob centres (in noise std units)'),
    hidden: z.number().int().min(1).describe('hidden units'),
    epochs: z.number().int().min(1),
    batch: z.number().int().min(1),
    lr: z.number().positive(),
    val_share: z.number().gt(0).lt(1),
  })
  .strict();
export type PlaceholderConfig = z.infer<typeof placeholderSchema>;

/**
 * `pipeline`: the job's own knobs. The stages' own sections (dataset,
 * perception, fusion, reasoning, generator, sem, rl) configure the models.
 */
export const pipelineSectionSchema = z
  .strictObject({
    /** Modalities perception uses (paper 001: speech, face, physiological signals; `text` adds transcript token ids). */
    modalities: z.array(z.enum(MODALITIES as unknown as [ModalityName, ...ModalityName[]])).min(1).default(['audio', 'face', 'physio']),
    /** Stratified holdout: test share (paper 001: 80:20) and validation share of the rest. */
    test_share: z.number().gt(0).lt(1).default(0.2),
    val_share: z.number().gt(0).lt(1).default(0.15),
    /** TS: validation metric and window (DESIGN.md: last 5 epochs). */
    ts_metric: z.enum(['ACC', 'UA', 'F1w', 'SIM']).default('ACC'),
    ts_window: z.number().int().positive().default(5),
    corpus: z
      .strictObject({
        /** Replies per emotion × intensity × tone × strategy cell of the bundled grammar corpus. */
        per_cell: z.number().int().positive().default(4),
        heldout_share: z.number().min(0).max(0.5).default(0.2),
        /** BPE vocabulary of the generator's tokenizer. */
        vocab: z.number().int().min(300).default(800),
      })
      .prefault({}),
    /** SEM: number of distinct held-out intents (emotion × intensity × tone × strategy cells) scored. */
    sem_intents: z.number().int().positive().default(70),
    rt: z
      .strictObject({
        /** Timed test utterances (DESIGN.md: p50/p95 over ≥ 50); the test split is cycled when smaller. */
        utterances: z.number().int().positive().default(50),
        /** Untimed warm-up utterances first (JIT, wasm kernels, caches). */
        warmup: z.number().int().min(0).default(5),
      })
      .prefault({}),
    /** Sample interventions kept in `tables.interventions` for the report. */
    samples: z.number().int().min(0).default(10),
    ppo: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Episodes per grid point when searching the best fixed control (tone × temperature × emotionWeight). */
        tune_episodes: z.number().int().positive().default(20),
      })
      .prefault({}),
    /**
     * Controls of the RT/audit interventions: `best_fixed` uses the best fixed
     * control PPO's comparison found (falls back to `config` without PPO),
     * `config` the generator's decoding defaults with `tone`.
     */
    controls: z.enum(['best_fixed', 'config']).default('best_fixed'),
    tone: z.enum(TONES).default('warm'),
  })
  .prefault({});
export type PipelineSection = z.infer<typeof pipelineSectionSchema>;

/**
 * `generator_eval`: the job's own knobs. The model, its loss (λ = generator.lambda,
 * generator.align_source) and decoding come from the `generator` section, the SEM
 * encoder from `sem`.
 */
export const generatorEvalSectionSchema = z.strictObject({
  corpus: z
    .strictObject({
      /** Replies per emotion × intensity × tone × strategy cell of the bundled grammar corpus (as the pipeline job). */
      per_cell: z.number().int().positive().default(4),
      heldout_share: z.number().min(0).max(0.5).default(0.2),
      /** BPE vocabulary of the generator's tokenizer. */
      vocab: z.number().int().min(300).default(800),
      /**
       * Seed of the corpus, its split and the tokenizer, fixed across runs: every run of a sweep then shares the
       * held-out intents and the SEM encoder (one encoder hash per table), and seeds vary only the generator.
       */
      seed: z.number().int().default(0),
    })
    .prefault({}),
  /**
   * 'heldout': score on the corpus's held-out templates (the acceptance figure).
   * 'validation': the held-out templates are dropped from the run entirely and `val_share` of the train templates
   * is held back and scored instead; use it to try changes without looking at the held-out split.
   */
  split: z.enum(['heldout', 'validation']).default('heldout'),
  val_share: z.number().gt(0).lt(0.5).default(0.2),
  /** Distinct emotion × intensity × tone × strategy cells scored (drawn once with the corpus seed). */
  intents: z.number().int().positive().default(70),
  /** Sampled replies per intent (decoding settings from generator.decoding). */
  samples: z.number().int().positive().default(2),
});
export type GeneratorEvalSection = z.infer<typeof generatorEvalSectionSchema>;
