import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // rl-baselines3-zoo's PPO Pendulum-v1 set: n_envs 4, n_steps 1024, batch_size 64, n_epochs 10, gamma 0.9,
    // gae_lambda 0.95, lr 1e-3, clip 0.2, ent_coef 0, use_sde, sde_sample_freq 4, normalize.
    const zoo = parseRlSection(YAML.parse(readFileSync(new URL('pendulum_sde.yaml', root), 'utf8'))).ppo;
    expect([zoo.num_envs, zoo.num_steps, (zoo.num_envs * zoo.num_steps) / zoo.num_minibatches, zoo.update_epochs]).toEqual([4, 1024, 64, 10]);
    expect([zoo.gamma, zoo.gae_lambda, zoo.learning_rate, zoo.clip_coef, zoo.ent_coef, zoo.anneal_lr]).toEqual([0.9, 0.95, 1e-3, 0.2, 0, false]);
    expect([zoo.use_sde, zoo.sde_sample_freq, zoo.norm_obs, zoo.norm_reward, zoo.bootstrap_truncated]).toEqual([true, 4, true, true, true]);
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

describe('model selection (rl.model_selection)', () => {
  it('keeps the policy with the best selection return, scores it and the last one on the same fresh episodes, and survives a resume', async () => {
    const rl = { ppo: { total_timesteps: 1536, num_envs: 2, num_steps: 128, learning_rate: 2e-3 }, eval_episodes: 4, model_selection: { every: 1, episodes: 2 } };
    const runDir = join(tmp, 'sel');
    const records: Record<string, unknown>[] = [];
    const res = await ppoCartpoleJob.run(ctxFor(rl, runDir, records));
    const scores = records.map((r) => r['eval/selection_return'] as number);
    expect(scores).toHaveLength(6);
    scores.forEach((x) => expect(Number.isFinite(x)).toBe(true));
    // First iteration with the highest selection return (a later tie does not replace it).
    const bestIdx = scores.indexOf(Math.max(...scores));
    expect(res.metrics.selected_iteration).toBe(bestIdx + 1);
    expect(res.metrics.selected_global_step).toBe((bestIdx + 1) * 256);
    expect(res.metrics.selection_return).toBe(scores[bestIdx]);
    for (const k of ['eval_return_mean', 'final_eval_return_mean']) expect(Number.isFinite(res.metrics[k]), k).toBe(true);
    if (bestIdx === 5) expect(res.metrics.eval_return_mean).toBe(res.metrics.final_eval_return_mean);
    expect((res.tables!.final_eval_returns as number[]).length).toBe(4);
    const meta = JSON.parse(readFileSync(join(runDir, 'best_model', 'meta.json'), 'utf8'));
    expect(meta.iteration).toBe(bestIdx + 1);
    // A finished run resumed: no training, the saved selection is reused.
    const res2 = await ppoCartpoleJob.run(ctxFor(rl, runDir, []));
    expect(res2.metrics.selected_iteration).toBe(bestIdx + 1);
    expect(res2.metrics.eval_return_mean).toBe(res.metrics.eval_return_mean);
  }, 120_000);
});

describe('ppo_intervention job', () => {
  it('runs on a saved surrogate calibration and reports its held-out taus; without one it notes the closed form', async () => {
    const { ppoInterventionJob } = await import('../../src/experiments/jobs/ppo_intervention.js');
    const { CALIBRATION_FORMAT, SURROGATE_FEATURES } = await import('../../src/rl/users/calibrated.js');
    const path = join(tmp, 'surrogate_calibration.json');
    const coef = (x: number): number[] => SURROGATE_FEATURES.map((f) => (f === 'intercept' ? x : f === 'emotion_weight' ? 0.1 : 0));
    const summary = { mean: 0.7, std: 0.1, positive: 8 };
    writeFileSync(
      path,
      JSON.stringify({
        format: CALIBRATION_FORMAT,
        features: [...SURROGATE_FEATURES],
        alignment: coef(0.6),
        quality: coef(0.8),
        fit: { n: 1, r2: { alignment: 1, quality: 1 }, rmse: { alignment: 0, quality: 0 } },
        source: { generator: 'abc123', states: 1, samples: 1, grid: { tones: ['warm'], temperature: [1], emotionWeight: [1] }, ridge: 0 },
        check: { states: 8, tau: { alignment: summary, quality: summary, reward: { ...summary, mean: 0.65 } }, topAgreement: 2, meanRegret: 0.05 },
      }),
    );
    const rl = { ppo: { env_id: 'Intervention-v0', total_timesteps: 128, num_envs: 2, num_steps: 64, update_epochs: 1 }, intervention: { num_personas: 8, eval_episodes: 2 }, surrogate: { calibration: path } };
    const res = await ppoInterventionJob.run(ctxFor(rl, join(tmp, 'iv'), []));
    expect(res.metrics.surrogate_tau_reward).toBe(0.65);
    expect(res.notes!.join('\n')).toMatch(/calibrated, loaded from .*generator abc123, held-out reward τ 0.650/);
    const plain = await ppoInterventionJob.run(ctxFor({ ...rl, surrogate: {} }, join(tmp, 'iv2'), []));
    expect(plain.metrics.surrogate_tau_reward).toBeUndefined();
    expect(plain.notes!.join('\n')).toMatch(/closed form; rl.surrogate.calibrate=true but this job trains no generator/);
  }, 120_000);
});
