import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { PpoArgs } from './ppo.js';
import { PPO_DISCRETE_DEFAULTS as D } from './ppo.js';

/**
 * The `rl` config section. `rl.ppo` holds PpoArgs (CleanRL names, snake_case);
 * unspecified keys take CleanRL's `ppo.py` defaults, so configs/rl/*.yaml spell
 * out every value they change (pendulum.yaml the continuous defaults).
 */
export const ppoArgsSchema = z.strictObject({
  env_id: z.string().min(1).default(D.env_id),
  total_timesteps: z.number().int().positive().default(D.total_timesteps),
  learning_rate: z.number().positive().default(D.learning_rate),
  num_envs: z.number().int().positive().default(D.num_envs),
  num_steps: z.number().int().positive().default(D.num_steps),
  anneal_lr: z.boolean().default(D.anneal_lr),
  gamma: z.number().min(0).max(1).default(D.gamma),
  gae_lambda: z.number().min(0).max(1).default(D.gae_lambda),
  num_minibatches: z.number().int().positive().default(D.num_minibatches),
  update_epochs: z.number().int().positive().default(D.update_epochs),
  norm_adv: z.boolean().default(D.norm_adv),
  clip_coef: z.number().positive().default(D.clip_coef),
  clip_vloss: z.boolean().default(D.clip_vloss),
  ent_coef: z.number().min(0).default(D.ent_coef),
  vf_coef: z.number().min(0).default(D.vf_coef),
  max_grad_norm: z.number().positive().default(D.max_grad_norm),
  target_kl: z.number().positive().nullable().default(D.target_kl),
  adam_eps: z.number().positive().default(D.adam_eps),
  hidden_sizes: z.array(z.number().int().positive()).min(1).default(D.hidden_sizes),
  init_logstd: z.number().default(D.init_logstd),
  use_sde: z.boolean().default(D.use_sde),
  sde_sample_freq: z.number().int().default(D.sde_sample_freq),
  bootstrap_truncated: z.boolean().default(D.bootstrap_truncated),
  norm_obs: z.boolean().default(D.norm_obs),
  norm_reward: z.boolean().default(D.norm_reward),
  clip_action: z.boolean().default(D.clip_action),
  obs_clip: z.number().positive().default(D.obs_clip),
  reward_clip: z.number().positive().default(D.reward_clip),
  max_episode_steps: z.number().int().positive().nullable().default(D.max_episode_steps),
});

/** Reward weights of the intervention env: w1·alignment + w2·continuity + w3·engagement. */
export const rewardWeightsSchema = z.strictObject({
  alignment: z.number().default(1.0),
  continuity: z.number().default(0.5),
  engagement: z.number().default(0.5),
});

export const interventionSchema = z.strictObject({
  /** Number of personas in the population the env samples from. */
  num_personas: z.number().int().positive().default(64),
  /** Turn limit of one episode (truncation). */
  max_turns: z.number().int().positive().default(12),
  /** Engagement below this ends the episode (the user leaves: termination). */
  disengage_threshold: z.number().min(0).max(1).default(0.15),
  reward: rewardWeightsSchema.prefault({}),
  /** Temperature Box bounds of the action. */
  temperature: z.tuple([z.number().positive(), z.number().positive()]).default([0.3, 1.5]),
  /** emotionWeight Box bounds of the action. */
  emotion_weight: z.tuple([z.number().min(0), z.number().positive()]).default([0, 2]),
  /** Std of the noise the default perception hook adds to the hidden arousal/valence. */
  perception_noise: z.number().min(0).default(0.1),
  /** Evaluation episodes per policy (PPO, best fixed control, random). */
  eval_episodes: z.number().int().positive().default(200),
  /**
   * How the agent perceives the user. prototype: the stand-ins (hidden valence/arousal plus
   * `perception_noise`, read by a prototype classifier); trained: each turn the SynAffect emitters
   * render the hidden state as voice, face frames, physiology and transcript and the trained
   * perception model reads them (needs a job that trains one: `pipeline`).
   */
  perception: z.enum(['prototype', 'trained']).default('prototype'),
  /**
   * perception=trained: where the real path runs. eval: PPO trains and the fixed control is tuned on
   * the stand-ins, then PPO, best fixed and random are evaluated on both the stand-ins and the real
   * path (~0.1 CPU-s per step, see docs/rl.md); all: training and tuning on the real path too.
   */
  trained_use: z.enum(['eval', 'all']).default('eval'),
  /** perception=trained: evaluation episodes per policy on the real path. */
  trained_eval_episodes: z.number().int().positive().default(30),
  /** SynAffect emitter: nearest class segment to the hidden state, or a draw from the class posterior. */
  emitter_choice: z.enum(['nearest', 'posterior']).default('nearest'),
});

/**
 * `rl.surrogate`: how the surrogate generator is made faithful to the trained
 * one (rl/surrogate.ts). Fitting needs a trained generator in the same job (the
 * pipeline); other jobs reuse a saved calibration or fall back, with a warning,
 * to the closed-form surrogate.
 */
export const surrogateSchema = z.strictObject({
  /** Fit the surrogate's response surface to the trained generator where the job trains one; false keeps the closed form. */
  calibrate: z.boolean().default(true),
  /** A saved surrogate_calibration.json (e.g. from a pipeline run folder) to use instead of fitting, in any job. */
  calibration: z.string().min(1).nullable().default(null),
  /** Env states the generator writes replies for when fitting (every control of the grid on each). */
  states: z.number().int().positive().default(10),
  /** Further, held-out states on which the fitted surrogate's ranking is checked against the generator (0 skips the check). */
  check_states: z.number().int().nonnegative().default(6),
  /** Replies drawn per state × control, averaged (the decoder samples). */
  samples: z.number().int().positive().default(1),
  /** Temperature levels of the grid (every tone is crossed with these and the emotion weights). */
  temperature: z.array(z.number().positive()).min(2).default([0.4, 0.9, 1.4]),
  emotion_weight: z.array(z.number().min(0)).min(2).default([0, 1, 2]),
  /** Ridge penalty of the least-squares fit (not on the intercept). */
  ridge: z.number().min(0).default(1e-3),
});

export const rlSectionSchema = z.strictObject({
  ppo: ppoArgsSchema.prefault({}),
  /** Evaluation episodes after training (deterministic policy: argmax / mean). */
  eval_episodes: z.number().int().positive().default(100),
  eval_deterministic: z.boolean().default(true),
  /**
   * Model selection as SB3's EvalCallback: every `every` iterations (0: off) the deterministic policy
   * plays `episodes` selection episodes (fixed seeds, separate from the final evaluation's) and the
   * best-scoring policy is kept; the final evaluation then scores that policy (and the last one, as
   * final_eval_*), on fresh episodes.
   */
  model_selection: z
    .strictObject({
      every: z.number().int().min(0).default(0),
      episodes: z.number().int().positive().default(10),
    })
    .prefault({}),
  /** Save a checkpoint every N iterations into <runDir>/checkpoint (0: only at the end). */
  checkpoint_every: z.number().int().min(0).default(0),
  /** Resume from <runDir>/checkpoint when it exists. */
  resume: z.boolean().default(true),
  /** full: the trained conditional transformer writes each reply; surrogate: closed-form emotion trend and quality. */
  generator: z.enum(['full', 'surrogate']).default('surrogate'),
  surrogate: surrogateSchema.prefault({}),
  intervention: interventionSchema.prefault({}),
});

export type RlSection = z.infer<typeof rlSectionSchema>;
export type InterventionConfig = z.infer<typeof interventionSchema>;
export type SurrogateConfig = z.infer<typeof surrogateSchema>;

/** Validates `config.rl`; errors name the key path, the value and what was expected (zod's messages). */
export function parseRlSection(raw: unknown, where = 'rl'): RlSection {
  const r = rlSectionSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = [where, ...issue.path.map(String)].join('.');
    let value: unknown = raw;
    for (const k of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
    throw new ConfigError(`${path}: ${issue.message} (got ${JSON.stringify(value) ?? 'undefined'})`);
  }
  return r.data;
}

/** PpoArgs from a parsed section (the types agree field by field). */
export function ppoArgsFrom(section: RlSection): PpoArgs {
  return { ...section.ppo };
}
