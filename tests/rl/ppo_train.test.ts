import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../../src/rl/env.js';
import { SeededEnv } from '../../src/rl/env.js';
import { PPO_CONTINUOUS_DEFAULTS, PPO_DISCRETE_DEFAULTS, Ppo } from '../../src/rl/ppo.js';
import type { PpoArgs, PpoUpdateLog } from '../../src/rl/ppo.js';
import { Box, Dict, Discrete } from '../../src/rl/spaces.js';
import { TimeLimit } from '../../src/rl/wrappers.js';

const tmp = mkdtempSync(join(tmpdir(), 'affectlab-ppo-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const small: PpoArgs = { ...PPO_DISCRETE_DEFAULTS, num_envs: 2, num_steps: 64, num_minibatches: 2, update_epochs: 2, total_timesteps: 2 * 64 * 4 };

describe('PPO training loop', () => {
  it('does not leak tensors across updates and logs every CleanRL scalar', () => {
    const ppo = new Ppo(small, { rng: new Rng(1), envSeed: 1 });
    const first = ppo.iterate();
    const n0 = tf.memory().numTensors;
    const logs = [ppo.iterate(), ppo.iterate()];
    expect(tf.memory().numTensors).toBe(n0);
    for (const key of ['losses/value_loss', 'losses/policy_loss', 'losses/entropy', 'losses/old_approx_kl', 'losses/approx_kl', 'losses/clipfrac', 'charts/learning_rate', 'charts/SPS'] as const) {
      expect(Number.isFinite(logs[1][key]), key).toBe(true);
    }
    // Random CartPole episodes end quickly, so returns and lengths are logged.
    expect(first['charts/episodes']).toBeGreaterThan(0);
    expect(first['charts/episodic_return']).toBe(first['charts/episodic_length']);
    // Linear annealing: lr = (1 − (it − 1)/num_iterations)·lr0, 4 iterations.
    expect(first['charts/learning_rate']).toBeCloseTo(2.5e-4, 12);
    expect(logs[1]['charts/learning_rate']).toBeCloseTo(2.5e-4 * 0.5, 12);
    // Entropy of a near-uniform 2-way policy starts near ln 2 (actor head gain 0.01).
    expect(first['losses/entropy']).toBeGreaterThan(0.68);
    expect(first['losses/entropy']).toBeLessThanOrEqual(Math.LN2 + 1e-6);
    ppo.dispose();
  });

  it('same seed → same run; a checkpoint resume continues identically', () => {
    const straight = new Ppo(small, { rng: new Rng(5), envSeed: 5 });
    const logsA = straight.train();
    const thetaA = Array.from(straight.agent.theta.dataSync());

    const half = new Ppo(small, { rng: new Rng(5), envSeed: 5 });
    const logsB1 = half.train({ untilIteration: 2 });
    const dir = join(tmp, 'ckpt');
    half.save(dir);
    half.dispose();
    const resumed = Ppo.load(dir);
    expect(resumed.iteration).toBe(2);
    expect(resumed.globalStep).toBe(2 * 128);
    const logsB2 = resumed.train();
    const thetaB = Array.from(resumed.agent.theta.dataSync());
    expect(thetaB).toEqual(thetaA);
    const strip = (l: PpoUpdateLog): PpoUpdateLog => ({ ...l, 'charts/SPS': 0 });
    expect([...logsB1, ...logsB2].map(strip)).toEqual(logsA.map(strip));
    // And training changed the parameters at all.
    const fresh = new Ppo(small, { rng: new Rng(5), envSeed: 5 });
    expect(Array.from(fresh.agent.theta.dataSync())).not.toEqual(thetaA);
    for (const p of [straight, resumed, fresh]) p.dispose();
  });

  it('CartPole-v1 smoke: the deterministic policy beats a random one after 8k steps', () => {
    // A random policy averages ~22 steps on CartPole-v1.
    const args: PpoArgs = { ...PPO_DISCRETE_DEFAULTS, total_timesteps: 8192, learning_rate: 1e-3 };
    const ppo = new Ppo(args, { rng: new Rng(2), envSeed: 2 });
    ppo.train();
    const { returns } = ppo.evaluate(10, { seed: 123 });
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    expect(mean).toBeGreaterThan(60);
    ppo.dispose();
  });

  it('Pendulum-v1 smoke: continuous PPO with CleanRL wrappers runs, evaluates on raw rewards', () => {
    const args: PpoArgs = { ...PPO_CONTINUOUS_DEFAULTS, num_steps: 256, num_minibatches: 4, update_epochs: 2, total_timesteps: 512 };
    const ppo = new Ppo(args, { rng: new Rng(3), envSeed: 3 });
    const logs = ppo.train();
    expect(logs).toHaveLength(2);
    expect(ppo.obsNormalizer()).toBeDefined();
    const { returns, lengths } = ppo.evaluate(2, { seed: 9 });
    expect(lengths).toEqual([200, 200]);
    // Raw Pendulum returns lie in [-16.27·200, 0].
    for (const r of returns) {
      expect(r).toBeLessThan(0);
      expect(r).toBeGreaterThan(-16.28 * 200);
    }
    ppo.dispose();
  });
});

/**
 * A one-step bandit with the intervention's Dict action: reward 1 for tone 2,
 * minus the squared distance of the Box value from 0.5. PPO must learn both
 * parts, so the summed log-probability of the mixed action has to be right.
 */
class DictBandit extends SeededEnv<Float32Array, { tone: number; temperature: Float32Array }> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Dict({ tone: new Discrete(4), temperature: new Box(-2, 2, [1]) });
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    return { obs: Float32Array.of(this.npRandom.uniform(-1, 1), 0), info: {} };
  }
  step(a: { tone: number; temperature: Float32Array }): StepResult<Float32Array> {
    const reward = (a.tone === 2 ? 1 : 0) - (a.temperature[0] - 0.5) ** 2;
    return { obs: Float32Array.of(this.npRandom.uniform(-1, 1), 0), reward, terminated: true, truncated: false, info: {} };
  }
  protected ownState(): Record<string, unknown> {
    return {};
  }
  protected loadOwnState(): void {}
}

describe('PPO with a Dict action (categorical + Gaussian)', () => {
  it('learns the right tone and temperature in a contextual bandit', () => {
    const args: PpoArgs = { ...PPO_DISCRETE_DEFAULTS, num_envs: 4, num_steps: 32, total_timesteps: 4 * 32 * 25, learning_rate: 3e-3, ent_coef: 0 };
    const ppo = new Ppo(args, { rng: new Rng(4), envSeed: 4, envFactory: () => new TimeLimit(new DictBandit() as Env<Float32Array, { tone: number; temperature: Float32Array }>, 1) });
    ppo.train();
    ppo.agent.syncHost();
    const { actions } = ppo.agent.act(Float32Array.of(0.2, 0), 1, null, true);
    expect(actions[0]).toBe(2);
    expect(Math.abs(actions[1] - 0.5)).toBeLessThan(0.25);
    ppo.dispose();
  });
});
