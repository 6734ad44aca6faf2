import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { executeRun } from '../../src/experiments/runner.js';
import { createUniqueDir } from '../../src/experiments/rundir.js';
import { resolveConfig } from '../../src/experiments/resolve.js';
import { placeholderJob } from '../../src/experiments/jobs/placeholder.js';
import { readJson, readJsonl } from '../../src/core/io.js';
import { silentLogger } from '../../src/core/log.js';
import { initBackend, tf } from '../../src/core/backend.js';
import { AffectlabError } from '../../src/core/errors.js';
import type { JobDefinition } from '../../src/experiments/types.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'affectlab-run-'));

async function placeholderConfig(overrides: string[] = []) {
  const r = await resolveConfig({ experiment: 'placeholder', overrides: ['progress=off', ...overrides], cwd: tmp() });
  return r;
}

describe('run folders', () => {
  it('never reuses a folder: two runs in the same second get distinct folders', () => {
    const root = tmp();
    const now = new Date(2026, 0, 2, 3, 4, 5);
    const a = createUniqueDir(root, 'x', now);
    const b = createUniqueDir(root, 'x', now);
    expect(a).toBe(join(root, '2026-01-02', '03-04-05-x'));
    expect(b).toBe(join(root, '2026-01-02', '03-04-05-x_2'));
  });
});

describe('executeRun', () => {
  beforeAll(async () => {
    await initBackend('auto');
  });

  it('writes config, overrides, log, one metrics line per epoch and results', async () => {
    const r = await placeholderConfig(['placeholder.epochs=4']);
    const dir = tmp();
    const before = tf.memory().numTensors;
    const rec = await executeRun({ config: r.config, overrides: r.overrides, runDir: dir, job: placeholderJob, log: silentLogger });
    expect(tf.memory().numTensors).toBe(before);
    expect(YAML.parse(readFileSync(join(dir, 'config.yaml'), 'utf8'))).toEqual(r.config);
    expect(YAML.parse(readFileSync(join(dir, 'overrides.yaml'), 'utf8'))).toEqual(r.overrides);
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toMatch(/backend=wasm/);
    const lines = readJsonl<Record<string, number>>(join(dir, 'metrics.jsonl'));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    const saved = readJson<typeof rec>(join(dir, 'results.json'));
    expect(saved.metrics).toEqual(rec.metrics);
    expect(saved.backend.name).toBe('wasm');
    expect(saved.run.machine.cores).toBeGreaterThan(0);
    // Well-separated blobs: a working training loop gets them nearly all right.
    expect(rec.metrics.ACC).toBeGreaterThan(0.9);
  });

  it('is deterministic: the same seed gives identical metrics, another seed different ones', async () => {
    const r0 = await placeholderConfig(['seed=5', 'placeholder.epochs=3']);
    const r1 = await placeholderConfig(['seed=6', 'placeholder.epochs=3']);
    const a = await executeRun({ config: r0.config, overrides: [], runDir: tmp(), job: placeholderJob, log: silentLogger });
    const b = await executeRun({ config: r0.config, overrides: [], runDir: tmp(), job: placeholderJob, log: silentLogger });
    const c = await executeRun({ config: r1.config, overrides: [], runDir: tmp(), job: placeholderJob, log: silentLogger });
    expect(b.metrics).toEqual(a.metrics);
    expect(c.metrics.loss).not.toBe(a.metrics.loss);
  });

  it('records a failure without a results.json and keeps what was written', async () => {
    const r = await placeholderConfig();
    const failing: JobDefinition = {
      name: 'failing',
      description: 'logs one step, then fails',
      run: async (ctx) => {
        ctx.metrics.log({ step: 1, loss: 0.5 });
        throw new AffectlabError('bad input: x');
      },
    };
    const dir = tmp();
    await expect(executeRun({ config: r.config, overrides: [], runDir: dir, job: failing, log: silentLogger })).rejects.toThrow('bad input: x');
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
    expect(readJson<{ error: string }>(join(dir, 'failure.json')).error).toBe('bad input: x');
    expect(readJsonl(join(dir, 'metrics.jsonl'))).toHaveLength(1);
    expect(existsSync(join(dir, 'config.yaml'))).toBe(true);
  });
});
