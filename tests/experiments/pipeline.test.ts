import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { initBackend, tf } from '../../src/core/backend.js';
import { ConfigError } from '../../src/core/errors.js';
import { readJsonl } from '../../src/core/io.js';
import { silentLogger } from '../../src/core/log.js';
import { executeRun, type RunRecord } from '../../src/experiments/runner.js';
import { resolveConfig } from '../../src/experiments/resolve.js';
import { jobs } from '../../src/experiments/registry.js';
import { pipelineJob } from '../../src/experiments/jobs/pipeline.js';
import { RewardTap } from '../../src/experiments/jobs/pipeline_rl.js';
import { verifyAudit } from '../../src/generation/audit.js';

const root = mkdtempSync(join(tmpdir(), 'affectlab-pipeline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The smallest configuration that still runs every stage of `pipeline`. */
const TINY = [
  'progress=off',
  'dataset.n=32',
  'perception.align.reference={grid: 8}',
  'perception.cache.enabled=false',
  'perception.train.maxEpochs=2',
  'perception.train.patience=0',
  'fusion.dim=16',
  'fusion.hidden=16',
  'fusion.ffn=32',
  'generator.layers=1',
  'generator.d_model=32',
  'generator.ff=64',
  'generator.cond_hidden=32',
  'generator.epochs=1',
  'generator.max_train_texts=32',
  'generator.val_texts=16',
  'generator.decoding.max_new_tokens=12',
  'sem.trained.epochs=1',
  'rl.ppo.total_timesteps=256',
  'rl.ppo.num_envs=2',
  'rl.ppo.num_steps=64',
  'rl.ppo.update_epochs=1',
  'rl.intervention.eval_episodes=2',
  'rl.surrogate.states=2',
  'rl.surrogate.check_states=2',
  'rl.intervention.trained_eval_episodes=2',
  'pipeline.ts_window=2',
  'pipeline.corpus.per_cell=2',
  'pipeline.corpus.vocab=320',
  'pipeline.sem_intents=6',
  'pipeline.rt.utterances=4',
  'pipeline.rt.warmup=1',
  'pipeline.samples=3',
  'pipeline.ppo.tune_episodes=1',
];

describe('experiment configs', () => {
  it('`default` selects the pipeline job; placeholder, gu2025 and ppo_intervention resolve with their settings', async () => {
    const d = await resolveConfig({ overrides: [], cwd: root });
    expect(d.config.job).toBe('pipeline');
    expect(d.config.fusion.name).toBe('attention_gru');
    expect(d.config.rl.ppo.env_id).toBe('Intervention-v0');
    expect(d.config.pipeline.rt.utterances).toBeGreaterThanOrEqual(50); // DESIGN.md: RT over ≥ 50 utterances
    const p = await resolveConfig({ experiment: 'placeholder', overrides: [], cwd: root });
    expect(p.config.job).toBe('placeholder');
    const g = await resolveConfig({ experiment: 'gu2025', overrides: [], cwd: root });
    // Paper 001's settings, as stated in the paper (not read back from our defaults).
    expect(g.config.job).toBe('pipeline');
    expect(g.config.perception.train.optimizer.lr).toBe(1e-4);
    expect(g.config.perception.train.optimizer.weightDecay).toBe(1e-5);
    expect(g.config.perception.train.batchSize).toBe(32);
    expect(g.config.perception.train.dropout).toBe(0.3);
    expect(g.config.perception.train.patience).toBe(5);
    expect(g.config.perception.train.maxEpochs).toBe(60);
    expect(g.config.pipeline.test_share).toBe(0.2);
    const r = await resolveConfig({ experiment: 'ppo_intervention', overrides: [], cwd: root });
    expect(r.config.job).toBe('ppo_intervention');
    expect(r.config.rl.generator).toBe('surrogate');
    // Each resolves to its own file's PPO budget (the default's override beats the rl group's value).
    const yamlOf = (file: string): { ppo?: { total_timesteps: number }; rl?: { ppo: { total_timesteps: number } } } =>
      YAML.parse(readFileSync(new URL(`../../configs/${file}`, import.meta.url), 'utf8'));
    expect(r.config.rl.ppo.total_timesteps).toBe(yamlOf('rl/intervention.yaml').ppo!.total_timesteps);
    expect(d.config.rl.ppo.total_timesteps).toBe(yamlOf('experiment/default.yaml').rl!.ppo.total_timesteps);
    expect(d.config.rl.ppo.total_timesteps).not.toBe(r.config.rl.ppo.total_timesteps);
    expect(jobs.has('pipeline')).toBe(true);
  });

  it('rejects a bad pipeline key with the path and the value', async () => {
    await expect(resolveConfig({ overrides: ['pipeline.modalities=[audio, smell]'], cwd: root })).rejects.toThrow(/pipeline\.modalities/);
    await expect(resolveConfig({ overrides: ['pipeline.controls=loud'], cwd: root })).rejects.toThrow(ConfigError);
  });
});

describe('pipeline helpers', () => {
  it('RewardTap reports the mean of each term per generated turn, then resets', () => {
    const tap = new RewardTap();
    tap.add({ alignment: 0.5, continuity: 1, engagement: 0.2 });
    tap.add({ alignment: -0.1, continuity: 0, engagement: 0.6 });
    const d = tap.drain();
    expect(d.alignment).toBeCloseTo(0.2, 12);
    expect(d.continuity).toBeCloseTo(0.5, 12);
    expect(d.engagement).toBeCloseTo(0.4, 12);
    expect(tap.drain()).toEqual({ alignment: null, continuity: null, engagement: null });
  });
});

describe('pipeline job end to end (tiny)', () => {
  let rec: RunRecord;
  let dir: string;
  let tensorsBefore = 0;
  let tensorsAfter = 0;
  let seconds = 0;
  beforeAll(async () => {
    await initBackend('wasm');
    const r = await resolveConfig({ overrides: [...TINY, `sem.cache_dir=${join(root, 'cache')}`], cwd: root });
    dir = join(root, 'run');
    tensorsBefore = tf.memory().numTensors;
    const t0 = performance.now();
    rec = await executeRun({ config: r.config, overrides: r.overrides, runDir: dir, job: pipelineJob, log: silentLogger });
    seconds = (performance.now() - t0) / 1000;
    tensorsAfter = tf.memory().numTensors;
  }, 240_000);

  it('writes every Table 1 metric, finite and in range', () => {
    const m = rec.metrics;
    for (const k of ['ACC', 'UA', 'F1w', 'SIM', 'SEM', 'RT_p50', 'RT_p95', 'TS', 'ppo_return', 'fixed_return', 'random_return']) {
      expect(Number.isFinite(m[k]), k).toBe(true);
    }
    for (const k of ['ACC', 'UA', 'F1w', 'TS']) {
      expect(m[k]).toBeGreaterThanOrEqual(0);
      expect(m[k]).toBeLessThanOrEqual(1);
    }
    for (const k of ['SIM', 'SEM']) expect(Math.abs(m[k])).toBeLessThanOrEqual(1 + 1e-6);
    expect(m.RT_p50).toBeGreaterThan(0);
    expect(m.RT_p95).toBeGreaterThanOrEqual(m.RT_p50);
    expect(m.RT_p50).toBeCloseTo(m.RT_perception_p50 + m.RT_reasoning_p50 + m.RT_generation_p50, -3); // stages add up (medians only roughly)
    console.log(`tiny pipeline: ${seconds.toFixed(1)} s wall, cpu ${m.cpu_s.toFixed(1)} s`);
  });

  it('ACC and UA agree with the confusion matrix in tables (test split)', () => {
    const { classes, matrix } = rec.tables!.confusion as { classes: string[]; matrix: number[][] };
    expect(classes.length).toBe(7);
    const n = matrix.flat().reduce((a, b) => a + b, 0);
    const diag = matrix.reduce((a, row, i) => a + row[i], 0);
    expect(rec.metrics.ACC).toBeCloseTo(diag / n, 12);
    const recalls = matrix.flatMap((row, i) => {
      const s = row.reduce((a, b) => a + b, 0);
      return s > 0 ? [row[i] / s] : [];
    });
    expect(rec.metrics.UA).toBeCloseTo(recalls.reduce((a, b) => a + b, 0) / recalls.length, 12);
    const roc = rec.tables!.roc as { curves: { fpr: number[]; tpr: number[] }[] };
    expect(roc.curves.length).toBeGreaterThan(0);
    for (const c of roc.curves) {
      expect(c.fpr.at(-1)).toBe(1);
      expect(c.tpr.at(-1)).toBe(1);
    }
  });

  it('logs perception epochs and every PPO update with the reward components', () => {
    const lines = readJsonl<Record<string, unknown>>(join(dir, 'metrics.jsonl'));
    expect(lines.filter((l) => l.stage === 'perception').map((l) => l.epoch)).toEqual([1, 2]);
    const ppo = lines.filter((l) => l.stage === 'ppo');
    expect(ppo.length).toBe(2); // 256 steps / (2 envs × 64 steps)
    for (const l of ppo) for (const k of ['charts/episodic_return', 'reward/alignment', 'reward/continuity', 'reward/engagement']) expect(k in l, k).toBe(true);
    expect(ppo.some((l) => typeof l['reward/alignment'] === 'number')).toBe(true);
  });

  it('fits the surrogate to the run’s generator (7 classes, the env’s 5) and writes the calibration beside the run', () => {
    const cal = JSON.parse(readFileSync(join(dir, 'surrogate_calibration.json'), 'utf8')) as { source: { states: number }; check: { states: number } };
    expect(cal.source.states).toBe(2);
    expect(cal.check.states).toBe(2);
    for (const k of ['surrogate_tau_alignment', 'surrogate_tau_quality', 'surrogate_tau_reward']) {
      expect(Math.abs(rec.metrics[k]), k).toBeLessThanOrEqual(1);
    }
  });

  it('evaluates the three policies on SynAffect signals read by the trained perception model too', () => {
    const m = rec.metrics;
    for (const k of ['ppo_return_real', 'fixed_return_real', 'random_return_real', 'real_cpu_ms_per_step', 'ppo_eval_cpu_ms_per_step']) expect(Number.isFinite(m[k]), k).toBe(true);
    expect(m.real_eval_episodes).toBe(2);
    const t = rec.tables!.ppo as { perception: string; trainedOn: string; real: { ppo: { meanLength: number } } | null };
    expect(t.perception).toBe('trained');
    expect(t.trainedOn).toBe('prototype');
    expect(t.real!.ppo.meanLength).toBeGreaterThan(0);
    // Rendering + features + a forward pass per step cost far more than the closed-form stand-ins.
    expect(m.real_cpu_ms_per_step).toBeGreaterThan(m.ppo_eval_cpu_ms_per_step);
  });

  it('every intervention went through the safety layer into an audit log that verifies', () => {
    const v = verifyAudit(join(dir, 'audit.jsonl'));
    expect(v.ok).toBe(true);
    expect(v.records).toBe(5); // 1 warm-up + 4 timed
    expect(rec.metrics.audit_records).toBe(5);
    const records = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const r of records) expect(['ok', 'blocked', 'escalated']).toContain(r.safety.verdict);
    const ivs = rec.tables!.interventions as { emotion: string; controls: { tone: string }; text: string; safety: { verdict: string } }[];
    expect(ivs.length).toBe(3);
    for (const iv of ivs) {
      expect(typeof iv.text).toBe('string');
      expect(['ok', 'blocked', 'escalated']).toContain(iv.safety.verdict);
    }
  });

  it('records the SEM encoder (name + hash) and the RT backend; leaks no tensors', () => {
    const enc = rec.tables!.sem_encoder as { name: string; hash: string };
    expect(enc.name).toMatch(/\S/);
    expect(enc.hash).toMatch(/^[0-9a-f]{8,}$/);
    expect((rec.tables!.rt as { backend: { name: string } }).backend.name).toBe('wasm');
    expect(tensorsAfter).toBe(tensorsBefore);
    expect(rec.run.liveTensors).toBe(tensorsBefore);
  });
});
