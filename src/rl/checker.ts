import { AffectlabError, show } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Env, ResetResult, StepResult } from './env.js';
import type { Space } from './spaces.js';
import { describeValue } from './spaces.js';

/** An env that breaks the contract. */
export class EnvCheckError extends AffectlabError {}

export interface EnvCheckReport {
  /** Non-fatal findings (Gymnasium's checker warns on these). */
  warnings: string[];
  stepsRun: number;
}

function isSpace(s: unknown): s is Space {
  return typeof s === 'object' && s !== null && typeof (s as Space).sample === 'function' && typeof (s as Space).contains === 'function' && typeof (s as Space).flatten === 'function';
}

function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameValue(ka, kb) && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function checkReset(name: string, r: ResetResult<unknown>, space: Space): void {
  if (typeof r !== 'object' || r === null || !('obs' in r) || !('info' in r)) {
    throw new EnvCheckError(`${name}.reset(): returned ${show(r)}; expected { obs, info }`);
  }
  if (typeof r.info !== 'object' || r.info === null) throw new EnvCheckError(`${name}.reset(): info=${show(r.info)}; expected an object`);
  if (!space.contains(r.obs)) {
    throw new EnvCheckError(`${name}.reset(): obs=${describeValue(r.obs)} is not in the observation space ${show(space.toJSON())}`);
  }
}

function checkStep(name: string, r: StepResult<unknown>, space: Space, t: number): void {
  const where = `${name}.step() at step ${t}`;
  if (typeof r !== 'object' || r === null) throw new EnvCheckError(`${where}: returned ${show(r)}; expected { obs, reward, terminated, truncated, info }`);
  for (const key of ['obs', 'reward', 'terminated', 'truncated', 'info'] as const) {
    if (!(key in r)) throw new EnvCheckError(`${where}: result has no field "${key}"; expected { obs, reward, terminated, truncated, info }`);
  }
  if (typeof r.reward !== 'number' || Number.isNaN(r.reward)) throw new EnvCheckError(`${where}: reward=${show(r.reward)}; expected a number`);
  if (typeof r.terminated !== 'boolean') throw new EnvCheckError(`${where}: terminated=${show(r.terminated)}; expected a boolean`);
  if (typeof r.truncated !== 'boolean') throw new EnvCheckError(`${where}: truncated=${show(r.truncated)}; expected a boolean`);
  if (typeof r.info !== 'object' || r.info === null) throw new EnvCheckError(`${where}: info=${show(r.info)}; expected an object`);
  if (!space.contains(r.obs)) throw new EnvCheckError(`${where}: obs=${describeValue(r.obs)} is not in the observation space ${show(space.toJSON())}`);
}

/**
 * Runs an env through Gymnasium's contract (after `gymnasium.utils.env_checker`):
 * spaces are spaces; reset and step return the right shapes and types; every
 * observation is in the observation space; `reset({ seed })` is deterministic
 * (same seed → same first observation, and the same actions then give the same
 * trajectory); sampled actions are accepted. Throws EnvCheckError on the first
 * violation; softer findings come back as warnings.
 */
export function checkEnv(env: Env, opts: { seed?: number; steps?: number; name?: string } = {}): EnvCheckReport {
  const name = opts.name ?? env.id ?? env.constructor.name;
  const seed = opts.seed ?? 0;
  const steps = opts.steps ?? 50;
  const warnings: string[] = [];
  if (!isSpace(env.observationSpace)) throw new EnvCheckError(`${name}.observationSpace=${show(env.observationSpace)}; expected a Space`);
  if (!isSpace(env.actionSpace)) throw new EnvCheckError(`${name}.actionSpace=${show(env.actionSpace)}; expected a Space`);
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace;

  const rng = new Rng(`envcheck/${seed}`);
  const actions = Array.from({ length: steps }, () => actSpace.sample(rng));
  actions.forEach((a, i) => {
    if (!actSpace.contains(a)) throw new EnvCheckError(`${name}.actionSpace.sample() gave ${describeValue(a)} (draw ${i}), which its own contains() rejects`);
  });

  const rollout = (): { first: unknown; traj: StepResult<unknown>[] } => {
    const r0 = env.reset({ seed });
    checkReset(name, r0, obsSpace);
    const traj: StepResult<unknown>[] = [];
    for (let t = 0; t < steps; t++) {
      const r = env.step(actions[t]);
      checkStep(name, r, obsSpace, t);
      traj.push({ ...r, obs: ArrayBuffer.isView(r.obs) ? (r.obs as unknown as Float32Array).slice() : r.obs });
      if (r.terminated || r.truncated) {
        const rr = env.reset();
        checkReset(name, rr, obsSpace);
      }
    }
    return { first: ArrayBuffer.isView(r0.obs) ? (r0.obs as unknown as Float32Array).slice() : r0.obs, traj };
  };

  const a = rollout();
  const b = rollout();
  if (!sameValue(a.first, b.first)) {
    throw new EnvCheckError(`${name}.reset({ seed: ${seed} }) twice gave ${describeValue(a.first)} then ${describeValue(b.first)}; expected the same observation (seeding is not deterministic)`);
  }
  for (let t = 0; t < steps; t++) {
    const x = a.traj[t];
    const y = b.traj[t];
    if (!sameValue(x.obs, y.obs) || x.reward !== y.reward || x.terminated !== y.terminated || x.truncated !== y.truncated) {
      throw new EnvCheckError(
        `${name}: same seed (${seed}) and actions diverged at step ${t}: obs ${describeValue(x.obs)} vs ${describeValue(y.obs)}, reward ${x.reward} vs ${y.reward}; expected identical trajectories`,
      );
    }
  }
  const c = env.reset({ seed: seed + 1 });
  if (sameValue(c.obs, a.first)) warnings.push(`${name}.reset(): seeds ${seed} and ${seed + 1} gave the same first observation; is the seed used?`);
  const unseeded = env.reset();
  checkReset(name, unseeded, obsSpace);
  return { warnings, stepsRun: 2 * steps };
}
