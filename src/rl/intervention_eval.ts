import { UnavailableError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { TONES, type Controls } from '../generation/types.js';
import type { InterventionConfig, RlSection } from './config.js';
import type { InterventionAction, InterventionEnvOptions } from './envs/intervention.js';
import { InterventionEnv, generatorFor } from './envs/intervention.js';
import type { PpoUpdateLog } from './ppo.js';
import { Ppo } from './ppo.js';
import type { GenerationHook, PerceptionHook, SignalEmitter } from './users/hooks.js';
import type { ArchetypeName } from './users/persona.js';
import { ARCHETYPE_NAMES } from './users/persona.js';

/** Env options from the `rl.intervention` config section. */
export function interventionOptions(cfg: InterventionConfig, generator: GenerationHook): InterventionEnvOptions {
  return {
    numPersonas: cfg.num_personas,
    maxTurns: cfg.max_turns,
    disengageThreshold: cfg.disengage_threshold,
    rewardWeights: { ...cfg.reward },
    temperatureRange: cfg.temperature,
    emotionWeightRange: cfg.emotion_weight,
    perceptionNoise: cfg.perception_noise,
    generator,
  };
}

export type InterventionPolicy = (obs: Float32Array, env: InterventionEnv) => InterventionAction;

export interface PolicyEval {
  /** Mean episode reward (sum over turns). */
  meanReturn: number;
  stdReturn: number;
  meanLength: number;
  /** Mean per-turn reward terms. */
  terms: { alignment: number; continuity: number; engagement: number };
  escalations: number;
  disengagements: number;
  /** Share of generated turns whose tone was the persona's preferred one. */
  toneMatchRate: number;
  /** Per archetype: how often each tone was chosen (fractions over TONES). */
  toneByArchetype: Record<ArchetypeName, Record<string, number>>;
}

/** Runs a policy for `episodes` conversations; episode e uses env seed `seed + e`, so policies face the same users. */
export function evaluatePolicy(env: InterventionEnv, policy: InterventionPolicy, episodes: number, seed: number): PolicyEval {
  const returns: number[] = [];
  let turns = 0;
  let esc = 0;
  let dis = 0;
  let matched = 0;
  let generated = 0;
  const terms = { alignment: 0, continuity: 0, engagement: 0 };
  const counts = Object.fromEntries(ARCHETYPE_NAMES.map((a) => [a, new Array<number>(TONES.length).fill(0)])) as Record<ArchetypeName, number[]>;
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset({ seed: seed + e });
    let ret = 0;
    for (;;) {
      const r = env.step(policy(obs, env));
      ret += r.reward;
      turns++;
      const info = r.info as { generated: boolean; escalated: boolean; disengaged: boolean; tone: string; reward_terms: typeof terms };
      if (info.generated) {
        generated++;
        terms.alignment += info.reward_terms.alignment;
        terms.continuity += info.reward_terms.continuity;
        terms.engagement += info.reward_terms.engagement;
        if (info.tone === env.persona!.preferredTone) matched++;
        counts[env.persona!.archetype][TONES.indexOf(info.tone as (typeof TONES)[number])]++;
      }
      obs = r.obs;
      if (r.terminated || r.truncated) {
        if (info.escalated) esc++;
        if (info.disengaged) dis++;
        break;
      }
    }
    returns.push(ret);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  const toneByArchetype = Object.fromEntries(
    ARCHETYPE_NAMES.map((a) => {
      const tot = counts[a].reduce((x, y) => x + y, 0) || 1;
      return [a, Object.fromEntries(TONES.map((t, i) => [t, counts[a][i] / tot]))];
    }),
  ) as Record<ArchetypeName, Record<string, number>>;
  const g = Math.max(generated, 1);
  return {
    meanReturn: mean,
    stdReturn: std,
    meanLength: turns / episodes,
    terms: { alignment: terms.alignment / g, continuity: terms.continuity / g, engagement: terms.engagement / g },
    escalations: esc,
    disengagements: dis,
    toneMatchRate: matched / g,
    toneByArchetype,
  };
}

const fixed = (tone: number, temperature: number, emotionWeight: number): InterventionPolicy => () => ({ tone, temperature: Float32Array.of(temperature), emotionWeight: Float32Array.of(emotionWeight) });

/** Best fixed control on a grid (tone × temperature × emotionWeight), chosen on tuning episodes disjoint from evaluation's. */
export function bestFixedControl(env: InterventionEnv, episodes: number, seed: number, grid = { temperature: [0.5, 0.8, 1.1, 1.4], emotionWeight: [0.5, 1.0, 1.5] }): { tone: number; temperature: number; emotionWeight: number; tuneReturn: number } {
  let best = { tone: 0, temperature: 1, emotionWeight: 1, tuneReturn: -Infinity };
  for (let tone = 0; tone < TONES.length; tone++) {
    for (const temperature of grid.temperature) {
      for (const emotionWeight of grid.emotionWeight) {
        const r = evaluatePolicy(env, fixed(tone, temperature, emotionWeight), episodes, seed).meanReturn;
        if (r > best.tuneReturn) best = { tone, temperature, emotionWeight, tuneReturn: r };
      }
    }
  }
  return best;
}

/** The real perception path: SynAffect signals read by the trained perception model (`rl.intervention.perception: trained`). */
export interface RealPerception {
  emitter: SignalEmitter;
  perception: PerceptionHook;
}

export interface InterventionResult {
  ppo: PolicyEval;
  random: PolicyEval;
  fixed: PolicyEval;
  fixedControl: Controls;
  trainSteps: number;
  trainS: number;
  /** Process CPU ms per env step of the stand-in evaluation (policy, env and hooks; resets included). */
  evalCpuMsPerStep: number;
  /** Where PPO trained and the fixed control was tuned: the stand-in hooks or the real path. */
  trainedOn: 'prototype' | 'trained';
  /** With the real path: the same three policies on it (`trained_eval_episodes` users each) and the CPU cost. */
  real?: { ppo: PolicyEval; random: PolicyEval; fixed: PolicyEval; episodes: number; steps: number; evalS: number; /** As `evalCpuMsPerStep`, on the real path. */ cpuMsPerStep: number };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Trains PPO on the intervention env and compares it with a uniformly random
 * policy and the best fixed control setting on the same evaluation users.
 */
export function runInterventionExperiment(
  section: RlSection,
  rng: Rng,
  opts: {
    full?: GenerationHook;
    /** The surrogate for rl.generator=surrogate (a calibrated one from rl/surrogate.ts surrogateFor); default the closed form. */
    surrogate?: GenerationHook;
    onUpdate?: (l: PpoUpdateLog) => void;
    signal?: AbortSignal;
    tuneEpisodes?: number;
    /** Builds each training env (e.g. one that taps the reward terms); evaluation uses a plain env. */
    makeEnv?: (envOpts: ConstructorParameters<typeof InterventionEnv>[0]) => InterventionEnv;
    /** Required by `rl.intervention.perception: trained`. */
    real?: RealPerception;
  } = {},
): InterventionResult {
  const cfg = section.intervention;
  const generator = generatorFor(section.generator, opts.full, opts.surrogate);
  const standIn = interventionOptions(cfg, generator);
  let realOpts: InterventionEnvOptions | undefined;
  if (cfg.perception === 'trained') {
    if (!opts.real) {
      throw new UnavailableError('rl.intervention.perception=trained: this job has no trained perception model to read the SynAffect signals; use the pipeline job (experiment=default) or rl.intervention.perception=prototype');
    }
    realOpts = { ...standIn, emitter: opts.real.emitter, perception: opts.real.perception };
  }
  const trainedOn = realOpts && cfg.trained_use === 'all' ? 'trained' : 'prototype';
  const envOpts = trainedOn === 'trained' ? realOpts! : standIn;
  const makeEnv = opts.makeEnv ?? ((o) => new InterventionEnv(o));
  const t0 = performance.now();
  const ppo = new Ppo({ ...section.ppo, max_episode_steps: null }, { rng: rng.fork('ppo'), envSeed: rng.fork('envs').int32(), envFactory: (i) => makeEnv({ ...envOpts, seed: i }) });
  try {
    ppo.train({ onUpdate: opts.onUpdate, signal: opts.signal });
    const trainS = (performance.now() - t0) / 1000;
    ppo.agent.syncHost();
    const env = new InterventionEnv(envOpts);
    // Same evaluation users for all three policies; tuning episodes are disjoint from them.
    const evalSeed = 1_000_000 + rng.fork('eval').int(1_000_000);
    const ppoPolicy: InterventionPolicy = (obs) => ppo.layout.toEnvAction(ppo.agent.act(obs, 1, null, true).actions) as InterventionAction;
    const randRng = rng.fork('random-policy');
    const best = bestFixedControl(env, opts.tuneEpisodes ?? 60, 2_000_000 + rng.fork('tune').int(1_000_000));
    const fixedPolicy = fixed(best.tone, best.temperature, best.emotionWeight);
    // The real-path evaluation's random policy draws from its own stream (the stand-in's keeps the original one).
    const evalAll = (e: InterventionEnv, episodes: number, rr: Rng) => {
      return {
        ppo: evaluatePolicy(e, ppoPolicy, episodes, evalSeed),
        random: evaluatePolicy(e, (_obs, en) => en.actionSpace.sample(rr) as InterventionAction, episodes, evalSeed),
        fixed: evaluatePolicy(e, fixedPolicy, episodes, evalSeed),
      };
    };
    const c0 = cpuMs();
    const main = evalAll(new InterventionEnv(standIn), cfg.eval_episodes, randRng);
    const mainSteps = cfg.eval_episodes * (main.ppo.meanLength + main.random.meanLength + main.fixed.meanLength);
    const evalCpuMsPerStep = (cpuMs() - c0) / mainSteps;
    let real: InterventionResult['real'];
    if (realOpts) {
      const realEnv = trainedOn === 'trained' ? env : new InterventionEnv(realOpts);
      const c1 = cpuMs();
      const t1 = performance.now();
      const r = evalAll(realEnv, cfg.trained_eval_episodes, randRng.fork('trained'));
      const steps = cfg.trained_eval_episodes * (r.ppo.meanLength + r.random.meanLength + r.fixed.meanLength);
      real = { ...r, episodes: cfg.trained_eval_episodes, steps, evalS: (performance.now() - t1) / 1000, cpuMsPerStep: (cpuMs() - c1) / steps };
    }
    return {
      ...main,
      fixedControl: { tone: TONES[best.tone], temperature: best.temperature, emotionWeight: best.emotionWeight },
      trainSteps: ppo.globalStep,
      trainS,
      evalCpuMsPerStep,
      trainedOn,
      ...(real ? { real } : {}),
    };
  } finally {
    ppo.dispose();
  }
}
