// The perception pipeline end to end on a tiny SynAffect corpus (wasm): strategies, cache, alignment scoring, leaks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { parsePerceptionSection, prepareSample, runPerceptionPipeline, type PipelineConfig } from '../../src/perception/pipeline.js';
import { SynAffectDataset } from '../../src/data/synth/generator.js';
import { synaffectConfig } from '../../src/data/synth/config.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'affectlab-pipeline-'));
  dirs.push(d);
  return d;
};

const N = 28;
function config(over: { fusion?: Record<string, unknown>; perception?: Record<string, unknown>; dataset?: Record<string, unknown> } = {}): PipelineConfig {
  return {
    dataset: { name: 'synaffect', preset: 'iemocap4', n: N, seed: 3, durationS: [1.5, 2], frameSize: [32, 32], speakers: 4, modalities: ['audio', 'face', 'text'], ...over.dataset },
    fusion: over.fusion ?? { name: 'early', hidden: 8 },
    perception: {
      steps: 6,
      text: { dim: 8 },
      features: { text: { tokenizer: 'hash' } },
      split: { method: 'holdout', testShare: 0.25, valShare: 0.2 },
      alignScoreSamples: 4,
      train: { maxEpochs: 2, patience: 0, batchSize: 16, resume: false },
      ...over.perception,
    },
  };
}

let cacheDir: string;
beforeAll(async () => {
  await initBackend('wasm');
  cacheDir = tmp();
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('runPerceptionPipeline', () => {
  it('extracts once, then serves every later run from the cache', async () => {
    const first = await runPerceptionPipeline({ config: config(), rng: new Rng(0), cwd: cacheDir });
    first.dispose();
    expect(first.prep.extracted).toBe(N);
    expect(first.prep.loaded).toBe(N);
    const again = await runPerceptionPipeline({ config: config({ fusion: { name: 'late_mean', hidden: 8 } }), rng: new Rng(1), cwd: cacheDir });
    again.dispose();
    expect(again.prep.extracted).toBe(0);
    expect(again.prep.loaded).toBe(0);
    expect(again.prep.preparedCacheHits).toBe(N);
    // Another alignment reuses the raw features and re-aligns them.
    const none = await runPerceptionPipeline({ config: config({ perception: { align: { method: 'none' } } }), rng: new Rng(0), cwd: cacheDir });
    none.dispose();
    expect(none.prep.extracted).toBe(0);
    expect(none.prep.featureCacheHits).toBe(N);
    expect(none.prep.preparedCacheHits).toBe(0);
  }, 120_000);

  it('runs early, late_dr and attention_gru end to end with metrics in range and no tensor leak', async () => {
    const before = tf.memory().numTensors;
    for (const fusion of [
      { name: 'early', hidden: 8 },
      { name: 'late_dr', hidden: 8 },
      { name: 'attention_gru', dim: 8, heads: 2, ffn: 16, hidden: 8 },
    ]) {
      const seen: string[] = [];
      const r = await runPerceptionPipeline({ config: config({ fusion }), rng: new Rng(2), cwd: cacheDir, onEpoch: (fold, rec) => seen.push(`${fold}:${rec.epoch}`) });
      expect(seen).toEqual(['holdout:1', 'holdout:2']);
      expect(r.fusion).toBe(fusion.name);
      expect(r.modalities).toEqual(['audio', 'face', 'text']);
      for (const k of ['ACC', 'UA', 'WA', 'F1_macro', 'F1_weighted', 'P_macro', 'R_macro', 'FPR_macro', 'FNR_macro']) {
        expect(r.metrics[k], k).toBeGreaterThanOrEqual(0);
        expect(r.metrics[k], k).toBeLessThanOrEqual(1);
      }
      expect(r.metrics.SIM).toBeGreaterThanOrEqual(-1);
      expect(r.metrics.SIM).toBeLessThanOrEqual(1);
      // Confusion counts every test sample once; ACC is its trace share.
      const total = r.confusion.flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(r.metrics.n_test);
      expect(r.confusion.reduce((a, row, i) => a + row[i], 0) / total).toBeCloseTo(r.metrics.ACC, 12);
      expect(r.roc.length).toBeGreaterThan(0);
      for (const c of r.roc) {
        expect(c.fpr[0]).toBe(0);
        expect(c.fpr[c.fpr.length - 1]).toBe(1);
      }
      r.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000);

  it('runs every fold of a k-fold split and reports mean and std', async () => {
    const r = await runPerceptionPipeline({ config: config({ perception: { split: { method: 'kfold', k: 4, valShare: 0.2, folds: 2 } } }), rng: new Rng(0), cwd: cacheDir });
    r.dispose();
    expect(r.folds.map((f) => f.name)).toEqual(['fold0', 'fold1']);
    expect(r.metrics.ACC).toBeCloseTo((r.folds[0].metrics.ACC + r.folds[1].metrics.ACC) / 2, 12);
    expect(r.metrics.ACC_std).toBeCloseTo(Math.abs(r.folds[0].metrics.ACC - r.folds[1].metrics.ACC) / Math.SQRT2, 12);
    expect(r.metrics.n_test).toBe(r.folds[0].sizes.test + r.folds[1].sizes.test);
  }, 120_000);

  it('scores warps against the truth: exact without warps, off by the offsets with them', async () => {
    const dir = tmp();
    const flat = await runPerceptionPipeline({
      config: config({ dataset: { n: 12, maxOffsetS: 0, warpStrength: 0, modalities: ['audio', 'face', 'physio'] }, perception: { alignScoreSamples: 3, align: { method: 'none' } } }),
      rng: new Rng(0),
      cwd: dir,
    });
    flat.dispose();
    // No offsets and no warps: linear resampling by time is the truth.
    expect(flat.metrics.warp_err_none).toBeLessThan(1e-3);
    const warped = await runPerceptionPipeline({
      config: config({ dataset: { n: 12, maxOffsetS: 0.4, warpStrength: 0.35, modalities: ['audio', 'face', 'physio'] }, perception: { alignScoreSamples: 3 } }),
      rng: new Rng(0),
      cwd: dir,
    });
    warped.dispose();
    expect(warped.metrics.warp_err_none).toBeGreaterThan(0.02);
    expect(Number.isFinite(warped.metrics.warp_err_dtw)).toBe(true);
    const a = warped.alignment!;
    expect(['face', 'physio']).toContain(a.modality);
    expect(a.truth.t.length).toBe(a.truth.tau.length);
    expect(a.dtw.t.length).toBe(a.dtw.tau.length);
    expect(a.none.t.length).toBeGreaterThan(0);
  }, 120_000);

  it('align oracle: identity warps give the none features, real warps differ; a sample without truth is a config error', () => {
    const cfg = (method: string) => parsePerceptionSection({ steps: 6, text: { dim: 8 }, features: { text: { tokenizer: 'hash' } }, align: { method } });
    const mods = ['audio', 'face', 'physio'] as const;
    const sample = (warps: boolean) =>
      new SynAffectDataset(synaffectConfig({ n: 2, durationS: [2, 2], fps: 10, frameSize: [32, 32], modalities: [...mods], missingRate: { audio: 0, face: 0, physio: 0, text: 0 }, maxOffsetS: warps ? 0.4 : 0, warpStrength: warps ? 0.35 : 0 }), new Rng(4)).get(0);
    const flat = sample(false);
    const none = prepareSample(flat, cfg('none'), mods)!;
    const oracle = prepareSample(flat, cfg('oracle'), mods)!;
    for (const m of mods) {
      const a = none.features[m]!.values;
      const b = oracle.features[m]!.values;
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 3);
    }
    const warped = sample(true);
    const wNone = prepareSample(warped, cfg('none'), mods)!;
    const wOracle = prepareSample(warped, cfg('oracle'), mods)!;
    expect(Array.from(wOracle.features.audio!.values)).toEqual(Array.from(wNone.features.audio!.values));
    expect(Array.from(wOracle.features.face!.values)).not.toEqual(Array.from(wNone.features.face!.values));
    expect(() => prepareSample({ ...warped, truth: undefined }, cfg('oracle'), mods)).toThrow(/perception\.align\.method: "oracle" needs ground-truth warps.*sample syn000000/);
  }, 60_000);

  it('rejects a modality the dataset lacks, naming the key', async () => {
    await expect(runPerceptionPipeline({ config: config({ perception: { modalities: ['physio'] } }), rng: new Rng(0), cwd: cacheDir })).rejects.toThrow(ConfigError);
    await expect(runPerceptionPipeline({ config: config({ perception: { modalities: ['physio'] } }), rng: new Rng(0), cwd: cacheDir })).rejects.toThrow(/perception\.modalities.*physio/);
  });
});
