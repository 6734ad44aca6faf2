import { DataError, show } from '../core/errors.js';
import type { Env, Info } from './env.js';
import type { Space } from './spaces.js';

export interface VectorInfo<O> {
  /** Per env: the observation that ended the episode (before the autoreset), else null. */
  final_obs: (O | null)[];
  /** Per env: the info of the step that ended the episode (holds `episode` under RecordEpisodeStatistics), else null. */
  final_info: (Info | null)[];
  /** Per env: the info of this step (the reset's info for envs that were autoreset). */
  infos: Info[];
}

export interface VectorStepResult<O> {
  obs: O[];
  rewards: Float64Array;
  terminated: boolean[];
  truncated: boolean[];
  info: VectorInfo<O>;
}

/**
 * Runs `n` envs one after another in this process (Gymnasium's SyncVectorEnv)
 * with same-step autoreset: when an env terminates or truncates, it is reset in
 * the same `step` call; the returned observation is the new episode's first,
 * and the last observation and info of the finished episode go to
 * `info.final_obs[i]` / `info.final_info[i]` (Gymnasium's `AutoresetMode.SAME_STEP`,
 * the behaviour CleanRL's PPO was written against).
 */
export class SyncVectorEnv<O = unknown, A = unknown> {
  readonly envs: Env<O, A>[];
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<O>;
  readonly singleActionSpace: Space<A>;
  constructor(envFns: (() => Env<O, A>)[]) {
    if (envFns.length === 0) throw new DataError('SyncVectorEnv: no env constructors given; expected at least one');
    this.envs = envFns.map((f) => f());
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    const o = JSON.stringify(this.singleObservationSpace.toJSON());
    const a = JSON.stringify(this.singleActionSpace.toJSON());
    this.envs.forEach((e, i) => {
      if (JSON.stringify(e.observationSpace.toJSON()) !== o || JSON.stringify(e.actionSpace.toJSON()) !== a) {
        throw new DataError(`SyncVectorEnv: env ${i} has spaces ${show([e.observationSpace.toJSON(), e.actionSpace.toJSON()])}; expected the same spaces as env 0`);
      }
    });
  }

  /** Env i is seeded with `seed + i` (numeric seeds) or `${seed}/${i}`, as Gymnasium does. */
  reset(opts: { seed?: number | string; options?: Record<string, unknown> } = {}): { obs: O[]; infos: Info[] } {
    const obs: O[] = [];
    const infos: Info[] = [];
    this.envs.forEach((e, i) => {
      const seed = opts.seed === undefined ? undefined : typeof opts.seed === 'number' ? opts.seed + i : `${opts.seed}/${i}`;
      const r = e.reset({ seed, options: opts.options });
      obs.push(r.obs);
      infos.push(r.info);
    });
    return { obs, infos };
  }

  step(actions: readonly A[]): VectorStepResult<O> {
    if (actions.length !== this.numEnvs) {
      throw new DataError(`SyncVectorEnv.step: got ${actions.length} actions; expected one per env (${this.numEnvs})`);
    }
    const n = this.numEnvs;
    const res: VectorStepResult<O> = {
      obs: new Array<O>(n),
      rewards: new Float64Array(n),
      terminated: new Array<boolean>(n),
      truncated: new Array<boolean>(n),
      info: { final_obs: new Array(n).fill(null), final_info: new Array(n).fill(null), infos: new Array<Info>(n) },
    };
    for (let i = 0; i < n; i++) {
      const r = this.envs[i].step(actions[i]);
      res.rewards[i] = r.reward;
      res.terminated[i] = r.terminated;
      res.truncated[i] = r.truncated;
      if (r.terminated || r.truncated) {
        res.info.final_obs[i] = r.obs;
        res.info.final_info[i] = r.info;
        const rr = this.envs[i].reset();
        res.obs[i] = rr.obs;
        res.info.infos[i] = rr.info;
      } else {
        res.obs[i] = r.obs;
        res.info.infos[i] = r.info;
      }
    }
    return res;
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }
}
