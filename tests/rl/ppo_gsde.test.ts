import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../../src/rl/env.js';
import { SeededEnv } from '../../src/rl/env.js';
import { ActionLayout, Agent, PPO_CONTINUOUS_DEFAULTS, Ppo, ppoLoss } from '../../src/rl/ppo.js';
import type { PpoArgs } from '../../src/rl/ppo.js';
import { Box } from '../../src/rl/spaces.js';
import { TimeLimit } from '../../src/rl/wrappers.js';

// Independent numpy reference written from SB3's StateDependentNoiseDistribution: scripts/fixtures/ppo_reference.py.
const ref = JSON.parse(readFileSync(new URL('../fixtures/rl/ppo_gsde_reference.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initBackend('wasm');
});

function close(actual: number, expected: number, tol: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected)));
}

function gsdeAgent(): Agent {
  const agent = new Agent(3, new ActionLayout(new Box(-Infinity, Infinity, [2])), ref.hidden, new Rng(0), 0, true);
  agent.setParams(Float32Array.from(ref.theta));
  return agent;
}

describe('gSDE (state-dependent exploration)', () => {
  it('log-prob, entropy, loss and the detached-latent gradient match the numpy reference', () => {
    const agent = gsdeAgent();
    expect(agent.numParams).toBe(ref.theta.length);
    const logstdBlock = agent.blocks.find((b) => b.name === 'actor_logstd');
    expect(logstdBlock?.shape).toEqual([4, 2]);
    const B = ref.obs.length;
    tf.tidy(() => {
      const obs = tf.tensor2d(ref.obs.flat(), [B, 3]);
      const act = tf.tensor2d(ref.act.flat(), [B, 2]);
      const ev = agent.evaluateActions(obs, null, act);
      const lp = ev.logprob.dataSync();
      const en = ev.entropy.dataSync();
      for (let i = 0; i < B; i++) {
        close(lp[i], ref.logprob[i], 1e-5, `logprob[${i}]`);
        // Entropy differs by row: σ depends on the state.
        close(en[i], ref.entropy[i], 1e-5, `entropy[${i}]`);
      }
      const args = { clip_coef: ref.clip_coef, clip_vloss: true, ent_coef: ref.ent_coef, vf_coef: ref.vf_coef };
      const { value, grads } = tf.variableGrads(
        () => ppoLoss(agent, args, obs, null, act, tf.tensor1d(ref.old_logp), tf.tensor1d(ref.adv), tf.tensor1d(ref.ret), tf.tensor1d(ref.old_v)).loss,
        [agent.theta],
      );
      close(value.dataSync()[0], ref.total, 1e-5, 'loss');
      const g = grads[agent.theta.name].dataSync();
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - ref.grad[i]), `grad[${i}]`).toBeLessThan(2e-5 + 1e-3 * Math.abs(ref.grad[i]));
    });
    agent.dispose();
  });

  it('host actions are mean + h·ε with the drawn ε, and their log-probs match the tfjs ones', () => {
    const agent = gsdeAgent();
    const B = ref.obs.length;
    const obs = Float32Array.from(ref.obs.flat() as number[]);
    // resetNoise draws ε_ij = exp(logstd_ij)·N(0,1): check its scale on many draws.
    const many = new Rng('scale');
    agent.resetNoise(4000, many);
    const sigma = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => Math.exp(ref.theta[ref.theta.length - 8 + k]));
    const noise = (agent as unknown as { sdeNoise: Float64Array[] }).sdeNoise;
    for (let k = 0; k < 8; k++) {
      const sd = Math.sqrt(noise.reduce((s, m) => s + m[k] * m[k], 0) / noise.length);
      expect(Math.abs(sd / sigma[k] - 1), `ε std entry ${k}`).toBeLessThan(0.06);
    }
    // With the reference's ε (one matrix per sample) the action is the reference's mean + h·ε.
    (agent as unknown as { sdeNoise: Float64Array[] }).sdeNoise = (ref.noise as number[][][]).map((m) => Float64Array.from(m.flat()));
    const { actions, logprobs } = agent.act(obs, B, new Rng(1));
    for (let i = 0; i < B; i++) for (let g = 0; g < 2; g++) close(actions[i * 2 + g], ref.sampled[i][g], 1e-5, `action[${i},${g}]`);
    tf.tidy(() => {
      const lp = agent.evaluateActions(tf.tensor2d(obs, [B, 3]), null, tf.tensor2d(actions, [B, 2])).logprob.dataSync();
      for (let i = 0; i < B; i++) close(logprobs[i], lp[i], 1e-4, `host logprob[${i}]`);
    });
    // Deterministic actions are the mean and need no noise.
    const det = agent.act(obs, B, null, true).actions;
    const fresh = gsdeAgent();
    expect(() => fresh.act(obs, B, new Rng(2))).toThrow(/resetNoise/);
    fresh.dispose();
    tf.tidy(() => {
      const mean = agent.actorHead(tf.tensor2d(obs, [B, 3])).dataSync();
      for (let i = 0; i < 2 * B; i++) close(det[i], mean[i], 1e-5, `mean[${i}]`);
    });
    agent.dispose();
  });

  it('the noise stays fixed between resamplings: with sde_sample_freq 4 it changes every 4 steps', () => {
    // A constant observation makes the noise h·ε a pure function of ε.
    const args: PpoArgs = { ...PPO_CONTINUOUS_DEFAULTS, use_sde: true, sde_sample_freq: 4, num_envs: 1, num_steps: 12, num_minibatches: 2, update_epochs: 1, total_timesteps: 12, norm_obs: false, norm_reward: false, clip_action: false };
    const ppo = new Ppo(args, { rng: new Rng(3), envSeed: 3, envFactory: () => new TimeLimit(new ConstantEnv() as Env, 100) });
    const seen: number[] = [];
    const env = ppo.envs.envs[0] as unknown as { unwrapped: ConstantEnv };
    ppo.iterate();
    seen.push(...env.unwrapped.actions);
    expect(seen).toHaveLength(12);
    for (let t = 0; t < 12; t++) {
      if (t % 4 === 0) {
        if (t > 0) expect(seen[t]).not.toBe(seen[t - 1]);
      } else expect(seen[t]).toBe(seen[t - 1]);
    }
    ppo.dispose();
  });
});

/** Observation always [1, 0.5, -0.5]; reward 0; records the actions it gets. */
class ConstantEnv extends SeededEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [3]);
  readonly actionSpace = new Box(-Infinity, Infinity, [1]);
  actions: number[] = [];
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    return { obs: Float32Array.of(1, 0.5, -0.5), info: {} };
  }
  step(a: Float32Array): StepResult<Float32Array> {
    this.actions.push(a[0]);
    return { obs: Float32Array.of(1, 0.5, -0.5), reward: 0, terminated: false, truncated: false, info: {} };
  }
  protected ownState(): Record<string, unknown> {
    return {};
  }
  protected loadOwnState(): void {}
}

/** Reward 1 every step, never terminates; TimeLimit truncates it. */
class OnesEnv extends ConstantEnv {
  override step(a: Float32Array): StepResult<Float32Array> {
    return { ...super.step(a), reward: 1 };
  }
}

describe('bootstrap_truncated', () => {
  it('adds γ·V(final observation) to the reward of a time-limit step only', () => {
    const base: PpoArgs = { ...PPO_CONTINUOUS_DEFAULTS, num_envs: 1, num_steps: 6, num_minibatches: 2, update_epochs: 1, total_timesteps: 6, norm_obs: false, norm_reward: false, clip_action: false, gamma: 0.9 };
    const rewardsOf = (bootstrap: boolean): { rewards: Float32Array; v: number } => {
      const ppo = new Ppo({ ...base, bootstrap_truncated: bootstrap }, { rng: new Rng(4), envSeed: 4, envFactory: () => new TimeLimit(new OnesEnv() as Env, 3) });
      const v = ppo.agent.hostValue([1, 0.5, -0.5]);
      // Capture the rollout's rewards before the update changes anything.
      const buf = (ppo as unknown as { buf: { rewards: Float32Array } }).buf;
      ppo.iterate();
      const out = { rewards: Float32Array.from(buf.rewards), v };
      ppo.dispose();
      return out;
    };
    const cut = rewardsOf(false);
    expect(Array.from(cut.rewards)).toEqual([1, 1, 1, 1, 1, 1]);
    const boot = rewardsOf(true);
    // Steps 3 and 6 hit the 3-step limit; the final observation is the constant one.
    expect(boot.v).not.toBe(0);
    [0, 1, 3, 4].forEach((i) => expect(boot.rewards[i]).toBe(1));
    [2, 5].forEach((i) => close(boot.rewards[i], 1 + 0.9 * boot.v, 1e-6, `reward[${i}]`));
  });
});
