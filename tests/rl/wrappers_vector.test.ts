import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../../src/rl/env.js';
import { SeededEnv, findWrapper } from '../../src/rl/env.js';
import { EnvCheckError, checkEnv } from '../../src/rl/checker.js';
import { CartPoleEnv, PendulumEnv } from '../../src/rl/envs/classic_control.js';
import { make } from '../../src/rl/registry.js';
import { Box, Discrete } from '../../src/rl/spaces.js';
import { SyncVectorEnv } from '../../src/rl/vector.js';
import { ClipAction, NormalizeObservation, NormalizeReward, RecordEpisodeStatistics, RunningMeanStd, TimeLimit } from '../../src/rl/wrappers.js';

/** A counter env: obs = [t], reward = action, terminates at t = length. */
class CountEnv extends SeededEnv<Float32Array, number> {
  readonly observationSpace = new Box(0, 100, [1]);
  readonly actionSpace = new Discrete(3);
  t = 0;
  constructor(readonly length = 3) {
    super();
  }
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    this.t = 0;
    return { obs: Float32Array.of(0), info: { reset: true } };
  }
  step(a: number): StepResult<Float32Array> {
    this.t++;
    return { obs: Float32Array.of(this.t), reward: a, terminated: this.t >= this.length, truncated: false, info: { t: this.t } };
  }
  protected ownState(): Record<string, unknown> {
    return { t: this.t };
  }
  protected loadOwnState(s: Record<string, unknown>): void {
    this.t = s.t as number;
  }
}

describe('wrappers', () => {
  it('TimeLimit truncates after maxEpisodeSteps; RecordEpisodeStatistics reports r and l', () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new CountEnv(10), 4));
    env.reset();
    const rs = [2, 1, 0, 2].map((a) => env.step(a));
    expect(rs.map((r) => r.truncated)).toEqual([false, false, false, true]);
    expect(rs[2].info.episode).toBeUndefined();
    expect(rs[3].info.episode).toMatchObject({ r: 5, l: 4 });
    expect(() => new TimeLimit(new CountEnv(), 0)).toThrow(/maxEpisodeSteps=0/);
  });

  it('RunningMeanStd matches numpy mean/var of the stream (epsilon start count 1e-4)', () => {
    const rms = new RunningMeanStd(1);
    const xs = [1, 2, 3, 4, 10];
    for (const x of xs) rms.update([x]);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    // The 1e-4 prior sample (mean 0, var 1) shifts the estimates by ~1e-4 relative.
    expect(rms.mean[0]).toBeCloseTo(mean, 3);
    expect(rms.var[0]).toBeCloseTo(v, 3);
    expect(rms.count).toBeCloseTo(5.0001, 10);
  });

  it('NormalizeObservation normalises with running stats and can be frozen', () => {
    const env = new NormalizeObservation(new CountEnv(100));
    env.reset();
    let last = 0;
    for (let i = 0; i < 20; i++) last = env.step(1).obs[0];
    // After obs 0..20, 20 is ~1.65 std above the mean of a uniform-ish stream.
    expect(last).toBeGreaterThan(1.4);
    expect(last).toBeLessThan(1.9);
    env.updateRunningMean = false;
    const before = env.rms.toJSON();
    env.step(1);
    expect(env.rms.toJSON()).toEqual(before);
    expect(findWrapper(env, NormalizeObservation)).toBe(env);
  });

  it('NormalizeReward divides by the std of the discounted return (no mean shift)', () => {
    const env = new NormalizeReward(new CountEnv(100), 0.5);
    env.reset();
    const r1 = env.step(2).reward;
    // Discounted return 2 → var after one update: count 1e-4 → 1.0001, M2 = 1e-4 + 4·1e-4/1.0001.
    const c = 1e-4;
    const mean = (2 * 1) / (c + 1);
    const m2 = 1 * c + (2 - 0) ** 2 * c * 1 / (c + 1);
    expect(r1).toBeCloseTo(2 / Math.sqrt(m2 / (c + 1) + 1e-8), 6);
    expect(mean).toBeGreaterThan(0);
  });

  it('ClipAction clips into the inner Box and widens the outer space', () => {
    const env = new ClipAction(new PendulumEnv());
    env.reset({ options: { state: [0, 0] } });
    const a = env.step(Float32Array.of(100)).reward;
    const inner = new PendulumEnv();
    inner.reset({ options: { state: [0, 0] } });
    expect(inner.step(Float32Array.of(2)).reward).toBe(a);
    expect((env.actionSpace as Box).high[0]).toBe(Infinity);
  });
});

describe('SyncVectorEnv', () => {
  it('same-step autoreset puts the final obs and info in info.final_*', () => {
    const v = new SyncVectorEnv([() => new RecordEpisodeStatistics(new CountEnv(2)), () => new RecordEpisodeStatistics(new CountEnv(3))]);
    v.reset({ seed: 1 });
    const s1 = v.step([1, 1]);
    expect(s1.info.final_obs).toEqual([null, null]);
    const s2 = v.step([1, 2]);
    // Env 0 ended at t=2: the returned obs is the new episode's first, the final one is in info.
    expect(Array.from(s2.obs[0] as Float32Array)).toEqual([0]);
    expect(Array.from(s2.info.final_obs[0] as Float32Array)).toEqual([2]);
    expect((s2.info.final_info[0] as { episode: { r: number; l: number } }).episode).toMatchObject({ r: 2, l: 2 });
    expect(s2.info.infos[0]).toEqual({ reset: true });
    expect(s2.terminated).toEqual([true, false]);
    expect(Array.from(s2.obs[1] as Float32Array)).toEqual([2]);
    expect(Array.from(s2.rewards)).toEqual([1, 2]);
    expect(() => v.step([1])).toThrow(/got 1 actions; expected one per env \(2\)/);
  });

  it('seeds env i with seed + i', () => {
    const v = new SyncVectorEnv([0, 1, 2].map(() => () => make('CartPole-v1')));
    const a = v.reset({ seed: 10 }).obs as Float32Array[];
    expect(Array.from(a[1])).toEqual(Array.from(make('CartPole-v1').reset({ seed: 11 }).obs as Float32Array));
    expect(Array.from(a[0])).not.toEqual(Array.from(a[1]));
  });

  it('rejects envs with different spaces', () => {
    expect(() => new SyncVectorEnv<unknown, unknown>([() => new CartPoleEnv() as Env, () => new PendulumEnv() as Env])).toThrow(/env 1 has spaces/);
  });
});

describe('env checker', () => {
  it('accepts the built-in envs', () => {
    expect(checkEnv(make('CartPole-v1')).warnings).toEqual([]);
    expect(checkEnv(make('Pendulum-v1')).warnings).toEqual([]);
  });

  it('catches an env whose reset ignores the seed (non-deterministic)', () => {
    class Unseeded extends CountEnv {
      private r = new Rng('global');
      override reset(): ResetResult<Float32Array> {
        this.t = 0;
        return { obs: Float32Array.of(this.r.uniform(0, 1)), info: {} };
      }
    }
    expect(() => checkEnv(new Unseeded())).toThrow(EnvCheckError);
    expect(() => checkEnv(new Unseeded())).toThrow(/seeding is not deterministic/);
  });

  it('catches observations outside the space and wrong step types', () => {
    class OutOfSpace extends CountEnv {
      override step(a: number): StepResult<Float32Array> {
        return { ...super.step(a), obs: Float32Array.of(500) };
      }
    }
    expect(() => checkEnv(new OutOfSpace())).toThrow(/step\(\) at step 0: obs=Float32Array\[500\] is not in the observation space/);
    class BadFlag extends CountEnv {
      override step(a: number): StepResult<Float32Array> {
        return { ...super.step(a), terminated: 0 as unknown as boolean };
      }
    }
    expect(() => checkEnv(new BadFlag())).toThrow(/terminated=0; expected a boolean/);
  });
});
