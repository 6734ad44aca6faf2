// Pipeline helpers with hand-derived values: pooling, standardisation, test metrics, schema errors.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { makeSet } from '../../src/perception/fusion/batch.js';
import { applyNorm, fitNorm, HashedTokenEmbedding, normalizeItem, parsePerceptionSection, poolSteps, splitSets, testMetrics, type PreparedData } from '../../src/perception/pipeline.js';

describe('poolSteps', () => {
  it('mean-pools frames into equal time bins (hand-computed)', () => {
    // 6 frames at t = 0..5 into 3 bins over [0, 5]: bins [0,5/3), [5/3,10/3), [10/3,5] get {0,1}, {2,3}, {4,5}.
    const times = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const values = Float32Array.from([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]); // dim 2
    const p = poolSteps(times, values, 2, 3);
    expect(Array.from(p.values)).toEqual([0.5, 10.5, 2.5, 12.5, 4.5, 14.5]);
    expect(Array.from(p.times).map((t) => +t.toFixed(4))).toEqual([0.8333, 2.5, 4.1667]);
  });

  it('keeps a sequence no longer than the step count unchanged', () => {
    const p = poolSteps(Float32Array.from([0, 1]), Float32Array.from([3, 4]), 1, 5);
    expect(Array.from(p.values)).toEqual([3, 4]);
  });
});

describe('fitNorm / applyNorm', () => {
  it('standardises valid frames with training statistics and leaves padding and missing rows at zero', () => {
    const items = [
      { id: 'a', classIndex: 0, arousal: 0, valence: 0, features: { audio: { values: Float32Array.from([1, 3]), dim: 1, T: 2 } } },
      { id: 'b', classIndex: 1, arousal: 0, valence: 0, features: { audio: { values: Float32Array.from([5]), dim: 1, T: 1 }, face: { values: Float32Array.from([2, 2]), dim: 2, T: 1 } } },
    ];
    const set = makeSet(items, ['audio', 'face'], { audio: 1, face: 2 }, 3);
    const norm = fitNorm(set);
    // audio frames 1, 3, 5: mean 3, population std sqrt(8/3).
    expect(norm.mean.audio![0]).toBeCloseTo(3, 6);
    expect(norm.std.audio![0]).toBeCloseTo(Math.sqrt(8 / 3), 6);
    // A constant column keeps unit scale.
    expect(norm.std.face).toEqual([1, 1]);
    applyNorm(set, norm);
    const s = Math.sqrt(8 / 3);
    expect(Array.from(set.x.audio!).map((v) => +v.toFixed(5))).toEqual([-2 / s, 0, 0, 2 / s, 0, 0].map((v) => +v.toFixed(5)));
    // Sample a has no face: its face rows stay zero; b's face frame becomes 0 after centring.
    expect(Array.from(set.x.face!)).toEqual(new Array(12).fill(0));
  });
});

describe('normalizeItem / splitSets', () => {
  it('standardises one item with the training statistics (hand-computed), the batch-1 path of the pipeline job', () => {
    const norm = { mean: { audio: [3, 10] }, std: { audio: [Math.sqrt(8 / 3), 1] } };
    const item = { id: 'b', classIndex: 1, arousal: 0, valence: 0, features: { audio: { values: Float32Array.of(5, 10, 1, 12), dim: 2, T: 2 } } };
    const z = normalizeItem(item, norm);
    const s = Math.sqrt(8 / 3);
    expect(Array.from(z.features.audio!.values).map((v) => +v.toFixed(5))).toEqual([2 / s, 0, -2 / s, 2].map((v) => +v.toFixed(5)));
    // The input is not modified; a modality without statistics is dropped.
    expect(Array.from(item.features.audio.values)).toEqual([5, 10, 1, 12]);
    const withFace = { ...item, features: { ...item.features, face: { values: Float32Array.of(1), dim: 1, T: 1 } } };
    expect(Object.keys(normalizeItem(withFace, norm).features)).toEqual(['audio']);
    expect(() => normalizeItem({ ...item, features: { audio: { values: Float32Array.of(1, 2, 3), dim: 3, T: 1 } } }, norm)).toThrow(/features\.audio\.dim 3; the normalisation statistics have 2 columns/);
  });

  it('fits the statistics on the training side only and counts items without any modality when dropEmpty', () => {
    const item = (id: string, v: number[] | null) => ({ id, classIndex: 0, arousal: 0, valence: 0, features: v ? { audio: { values: Float32Array.from(v), dim: 1, T: v.length } } : {} });
    const data: PreparedData = {
      classes: ['a', 'b'],
      modalities: ['audio'],
      dims: { audio: 1 },
      T: 2,
      // train: 0 (frames 1, 3), 1 (5), 2 (empty); val: 3 (100); test: 4 (empty), 5 (3).
      items: [item('0', [1, 3]), item('1', [5]), item('2', null), item('3', [100]), item('4', null), item('5', [3])],
      stats: {} as PreparedData['stats'],
    };
    const split = { train: [0, 1, 2], val: [3], test: [4, 5] };
    const kept = splitSets(data, split, { normalize: true });
    // Empty items stay in (fully masked) by default; statistics over valid frames 1, 3, 5 only.
    expect(kept.train.n).toBe(3);
    expect(kept.norm.mean.audio![0]).toBeCloseTo(3, 6);
    expect(kept.val.x.audio![0]).toBeCloseTo(97 / Math.sqrt(8 / 3), 4);
    const warned: string[] = [];
    const log = { warn: (m: string) => warned.push(m) } as unknown as Parameters<typeof splitSets>[2]['log'];
    const dropped = splitSets(data, split, { normalize: true, dropEmpty: true, log });
    expect(dropped.skipped).toEqual({ train: 1, val: 0, test: 1 });
    expect(dropped.indices).toEqual({ train: [0, 1], val: [3], test: [5] });
    expect(dropped.test.ids).toEqual(['5']);
    expect(warned.join('\n')).toMatch(/1 train sample\(s\) have none of \[audio\]/);
    expect(() => splitSets(data, { train: [0], val: [9], test: [5] }, { normalize: false })).toThrow(/split\.val: index 9; expected one in \[0, 6\)/);
  });
});

describe('HashedTokenEmbedding', () => {
  it('gives each id a fixed vector independent of call order, and padding the zero vector', () => {
    const a = new HashedTokenEmbedding(8, 0);
    const b = new HashedTokenEmbedding(8, 0);
    const x = a.embed(Float32Array.from([5, 7, 5, 0]));
    b.vector(7);
    expect(Array.from(b.vector(5))).toEqual(Array.from(x.subarray(0, 8)));
    expect(Array.from(x.subarray(16, 24))).toEqual(Array.from(x.subarray(0, 8)));
    expect(Array.from(x.subarray(24, 32))).toEqual(new Array(8).fill(0));
    expect(Array.from(x.subarray(0, 8))).not.toEqual(Array.from(x.subarray(8, 16)));
    expect(Array.from(new HashedTokenEmbedding(8, 1).vector(5))).not.toEqual(Array.from(a.vector(5)));
  });
});

describe('testMetrics', () => {
  it('matches hand-computed ACC, UA, macro F1, FPR, FNR, AUC and SIM', () => {
    // 4 samples, 2 classes; predictions 0,0,1,0 for truth 0,0,1,1.
    const y = Int32Array.from([0, 0, 1, 1]);
    const probs = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4]);
    const av = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]);
    const avTrue = Float32Array.from([1, 0, 1, 0, 1, 1, 1, 0]);
    const { metrics, confusion } = testMetrics(y, probs, av, avTrue, 2);
    expect(confusion).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(metrics.ACC).toBeCloseTo(0.75, 12);
    // recall 1 and 0.5 → UA 0.75; precision 2/3 and 1; F1 0.8 and 2/3.
    expect(metrics.UA).toBeCloseTo(0.75, 12);
    expect(metrics.F1_macro).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
    // class 0: FPR = 1/2, FNR = 0; class 1: FPR = 0, FNR = 1/2.
    expect(metrics.FPR_macro).toBeCloseTo(0.25, 12);
    expect(metrics.FNR_macro).toBeCloseTo(0.25, 12);
    // Class 1 scores 0.1, 0.2 (neg) vs 0.7, 0.4 (pos): every positive outranks every negative → AUC 1 for both classes.
    expect(metrics.AUC_macro).toBeCloseTo(1, 12);
    // cosines: 1, 0, 1, -1 → 0.25.
    expect(metrics.SIM).toBeCloseTo(0.25, 6);
  });
});

describe('perception section schema', () => {
  it('rejects an unknown key with a one-line error naming it', () => {
    expect(() => parsePerceptionSection({ splt: { method: 'kfold' } })).toThrow(ConfigError);
    expect(() => parsePerceptionSection({ splt: { method: 'kfold' } })).toThrow(/perception.*splt/);
    expect(() => parsePerceptionSection({ split: { method: 'loo' } })).toThrow(/perception\.split\.method/);
    const ok = parsePerceptionSection({ split: { method: 'kfold' }, modalities: ['face', 'audio'] });
    expect(ok.split.k).toBe(8);
    expect(ok.align.method).toBe('dtw');
  });
});
