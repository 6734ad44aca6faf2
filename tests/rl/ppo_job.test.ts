import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import type { BackendInfo } from '../../src/core/backend.js';
import { ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { Rng } from '../../src/core/rng.js';
import { ppoCartpoleJob } from '../../src/experiments/jobs/ppo_gym.js';
import type { RunContext } from '../../src/experiments/types.js';
import { parseRlSection } from '../../src/rl/config.js';
import { PPO_CONTINUOUS_DEFAULTS, PPO_DISCRETE_DEFAULTS } from '../../src/rl/ppo.js';

const tmp = mkdtempSync(join(tmpdir(), 'affectlab-ppojob-'));
let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ctxFor(rl: unknown, runDir: string, records: Record<string, unknown>[]): RunContext {
  return {
    config: { rl },
    runDir,
    rng: new Rng(11),
    log: silentLogger,
    backend,
    metrics: { log: (r) => records.push(r) },
    progress: () => ({ tick: () => {}, stop: () => {} }),
    signal: new AbortController().signal,
  };
}

describe('rl config section', () => {
  it('the shipped YAML files parse and carry CleanRL defaults', () => {
    const root = new URL('../../configs/rl/', import.meta.url);
    const cart = parseRlSection(YAML.parse(readFileSync(new URL('cartpole.yaml', root), 'utf8')));
    expect(cart.ppo.env_id).toBe('CartPole-v1');
    expect(cart.ppo.total_timesteps).toBeLessThanOrEqual(100_000);
    const tuned = parseRlSection(YAML.parse(readFileSync(new URL('pendulum.yaml', root), 'utf8')));
    expect(tuned.ppo.total_timesteps).toBeLessThanOrEqual(500_000);
    expect([tuned.ppo.norm_obs, tuned.ppo.norm_reward, tuned.ppo.clip_action]).toEqual([true, true, true]);
    const pend = parseRlSection(YAML.parse(readFileSync(new URL('pendulum_cleanrl.yaml', root), 'utf8')));
    for (const k of ['num_envs', 'num_steps', 'learning_rate', 'num_minibatches', 'update_epochs', 'ent_coef', 'norm_obs', 'norm_reward', 'clip_action'] as const) {
      expect(pend.ppo[k], k).toEqual(PPO_CONTINUOUS_DEFAULTS[k]);
    }
    parseRlSection(YAML.parse(readFileSync(new URL('intervention.yaml', root), 'utf8')));
  });
  it('defaults fill in; bad values give one-line errors naming the key and value', () => {
    expect(parseRlSection({}).ppo).toEqual(PPO_DISCRETE_DEFAULTS);
    expect(() => parseRlSection({ ppo: { num_envs: 0 } })).toThrow(ConfigError);
    expect(() => parseRlSection({ ppo: { num_envs: 0 } })).toThrow(/rl\.ppo\.num_envs: .*\(got 0\)/);
    expect(() => parseRlSection({ ppo: { lr: 1 } })).toThrow(/rl\.ppo: .*"lr"/);
    expect(() => parseRlSection({ generator: 'fast' })).toThrow(/rl\.generator: .*\(got "fast"\)/);
  });
});

describe('ppo_cartpole job', () => {
  it('trains, logs each update, checkpoints, evaluates; a rerun resumes from the checkpoint', async () => {
    const rl = { ppo: { total_timesteps: 1024, num_envs: 2, num_steps: 128 }, eval_episodes: 3, checkpoint_every: 2 };
    const runDir = join(tmp, 'run');
    const records: Record<string, unknown>[] = [];
    const res = await ppoCartpoleJob.run(ctxFor(rl, runDir, records));
    expect(records).toHaveLength(4);
    expect(records[3]['global_step']).toBe(1024);
    expect(records[0]).toHaveProperty('losses/approx_kl');
    expect(res.metrics.train_steps).toBe(1024);
    for (const k of ['eval_return_mean', 'eval_return_std', 'wall_s', 'sps']) expect(Number.isFinite(res.metrics[k]), k).toBe(true);
    expect((res.tables!.eval_returns as number[]).length).toBe(3);
    expect(existsSync(join(runDir, 'checkpoint', 'checkpoint.json'))).toBe(true);
    // Finished run: resuming trains nothing more and evaluates again.
    const again: Record<string, unknown>[] = [];
    const res2 = await ppoCartpoleJob.run(ctxFor(rl, runDir, again));
    expect(again).toHaveLength(0);
    expect(res2.metrics.train_steps).toBe(1024);
  });
});
