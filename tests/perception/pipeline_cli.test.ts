// CLI-level: `affectlab run fusion_ablation` writes results.json with the perception metrics and tables.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson } from '../../src/core/io.js';
import { cli, tmpProject } from '../cli/helpers.js';

function runDirOf(cwd: string): string {
  const day = readdirSync(join(cwd, 'outputs'))[0];
  const time = readdirSync(join(cwd, 'outputs', day))[0];
  return join(cwd, 'outputs', day, time);
}

describe('affectlab run fusion_ablation', () => {
  it('writes results.json with ACC/UA/F1/SIM, confusion, ROC and the alignment example', () => {
    const cwd = tmpProject();
    const r = cli(
      [
        'run',
        'fusion_ablation',
        'dataset.n=60',
        'dataset.durationS=[1.5,2]',
        'fusion=early',
        'fusion.hidden=8',
        'perception.steps=6',
        'perception.train.maxEpochs=1',
        'perception.alignScoreSamples=2',
        'backend=wasm',
        'progress=off',
      ],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    const dir = runDirOf(cwd);
    const res = readJson<{ metrics: Record<string, number>; tables: Record<string, any>; artifacts: Record<string, string> }>(join(dir, 'results.json'));
    for (const k of ['ACC', 'UA', 'F1_macro', 'F1_weighted', 'SIM', 'AUC_macro', 'warp_err_dtw', 'warp_err_none']) expect(Number.isFinite(res.metrics[k]), k).toBe(true);
    expect(res.tables.confusion.classes).toHaveLength(7);
    expect(res.tables.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(res.metrics.n_test);
    expect(res.tables.roc.curves.length).toBeGreaterThan(0);
    expect(res.tables.alignment.truth.t.length).toBeGreaterThan(0);
    expect(res.tables.alignment.truth.tau).toHaveLength(res.tables.alignment.truth.t.length);
    expect(existsSync(join(dir, res.artifacts.model))).toBe(true);
    // The feature cache lives under the working directory.
    expect(existsSync(join(cwd, '.affectlab-cache'))).toBe(true);
  }, 300_000);

  it('rejects an unknown perception or fusion key in one line with a suggestion', () => {
    const cwd = tmpProject();
    const a = cli(['run', 'fusion_ablation', '+perception.spilt.method=kfold'], cwd);
    expect(a.code).not.toBe(0);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/perception/);
    expect(a.stderr).toMatch(/spilt/);
    const b = cli(['run', 'fusion_ablation', 'fusion=late_dr', '+fusion.combin=sum'], cwd);
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/fusion.*combin/);
  }, 60_000);
});
