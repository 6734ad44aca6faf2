import { Registry } from '../core/registry.js';
import type { Env } from './env.js';
import { CartPoleEnv, PendulumEnv } from './envs/classic_control.js';
import type { InterventionEnvOptions } from './envs/intervention.js';
import { InterventionEnv } from './envs/intervention.js';
import { TimeLimit } from './wrappers.js';

/** A registered env: how to build it and its time limit (Gymnasium's EnvSpec, reduced to what we use). */
export interface EnvSpec {
  id: string;
  maxEpisodeSteps?: number;
  /** Gymnasium's reward threshold for "solved". */
  rewardThreshold?: number;
  entryPoint: (kwargs: Record<string, unknown>) => Env;
}

/** Env ids → specs. `make(id)` builds the env and adds its TimeLimit, as `gymnasium.make` does. */
export const envRegistry = new Registry<EnvSpec>('env');

envRegistry.register('CartPole-v1', {
  id: 'CartPole-v1',
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  entryPoint: (kw) => new CartPoleEnv(kw as { suttonBartoReward?: boolean }),
});
envRegistry.register('Pendulum-v1', {
  id: 'Pendulum-v1',
  maxEpisodeSteps: 200,
  entryPoint: (kw) => new PendulumEnv(kw as { g?: number }),
});

envRegistry.register('Intervention-v0', {
  id: 'Intervention-v0',
  // The env ends episodes at its own turn limit (options.maxTurns).
  entryPoint: (kw) => new InterventionEnv(kw as InterventionEnvOptions),
});

/** Builds a registered env wrapped in its TimeLimit; `maxEpisodeSteps` overrides the spec's. */
export function make(id: string, opts: { maxEpisodeSteps?: number; kwargs?: Record<string, unknown> } = {}): Env {
  const spec = envRegistry.get(id, 'rl.env_id');
  const env = spec.entryPoint(opts.kwargs ?? {});
  Object.defineProperty(env, 'id', { value: id, enumerable: true });
  const limit = opts.maxEpisodeSteps ?? spec.maxEpisodeSteps;
  return limit ? new TimeLimit(env, limit) : env;
}
