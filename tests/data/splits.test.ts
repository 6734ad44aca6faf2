import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { groupSplits, holdoutSplit, kfoldSplits, predefinedSplit, SynAffectDataset, synaffectConfig } from '../../src/data/index.js';
import type { SampleMeta } from '../../src/data/types.js';

/** A hand-built meta list: 3 classes with 50/30/20 samples, 5 speakers, 2 sessions. */
function metas(): SampleMeta[] {
  const out: SampleMeta[] = [];
  const per = [50, 30, 20];
  let k = 0;
  per.forEach((n, c) => {
    for (let j = 0; j < n; j++, k++) out.push({ id: `s${k}`, classIndex: c, speaker: `spk${k % 5}`, group: `Session${(k % 5) < 2 ? 1 : 2}`, dialogue: `d${Math.floor(k / 4)}`, partition: ['train', 'dev', 'test'][k % 3] });
  });
  return out;
}

const count = (ms: SampleMeta[], idx: number[], c: number) => idx.filter((i) => ms[i].classIndex === c).length;

function checkPartition(n: number, s: { train: number[]; val: number[]; test: number[] }) {
  const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i)); // disjoint and complete
}

describe('splits', () => {
  it('holdout is 80:20 per class, with validation carved from train per class', () => {
    const ms = metas();
    const s = holdoutSplit(ms, new Rng(1), { testShare: 0.2, valShare: 0.1 });
    checkPartition(100, s);
    // Hand-derived: test = round(0.2·50, 0.2·30, 0.2·20) = 10, 6, 4; val = round(0.1·40, 0.1·24, 0.1·16) = 4, 2, 2.
    expect([0, 1, 2].map((c) => count(ms, s.test, c))).toEqual([10, 6, 4]);
    expect([0, 1, 2].map((c) => count(ms, s.val, c))).toEqual([4, 2, 2]);
    expect(holdoutSplit(ms, new Rng(1))).toEqual(s);
    expect(holdoutSplit(ms, new Rng(2)).test).not.toEqual(s.test);
  });

  it('k-fold: 8 stratified folds, every sample tested exactly once, sizes within one', () => {
    const ms = metas();
    const folds = kfoldSplits(ms, new Rng(3), { k: 8, valShare: 0.1 });
    expect(folds).toHaveLength(8);
    const tested = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const f of folds) {
      checkPartition(100, f);
      // 50 samples of class 0 over 8 folds: 6 or 7 per fold.
      expect(count(ms, f.test, 0)).toBeGreaterThanOrEqual(6);
      expect(count(ms, f.test, 0)).toBeLessThanOrEqual(7);
    }
    expect(kfoldSplits(ms, new Rng(3), { k: 8, valShare: 0.1 })).toEqual(folds);
  });

  it('leave-one-group-out never puts a group on two sides', () => {
    const ms = metas();
    for (const by of ['speaker', 'group', 'dialogue'] as const) {
      const splits = groupSplits(ms, new Rng(4), { by, valShare: 0.25 });
      const key = (i: number) => (by === 'group' ? ms[i].group! : by === 'speaker' ? ms[i].speaker : ms[i].dialogue!);
      expect(splits).toHaveLength(new Set(ms.map((m, i) => key(i))).size);
      for (const s of splits) {
        checkPartition(100, s);
        const sides = [s.train, s.val, s.test].map((idx) => new Set(idx.map(key)));
        expect(sides[2].size).toBe(1);
        for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) for (const g of sides[a]) expect(sides[b].has(g)).toBe(false);
        // Validation groups only when a training group remains besides them (2 sessions: none).
        if (splits.length > 2) expect(s.val.length).toBeGreaterThan(0);
        else expect(s.val).toEqual([]);
      }
    }
  });

  it('leave-one-speaker-out on SynAffect uses cheap meta only and separates speakers', () => {
    const ds = new SynAffectDataset(synaffectConfig({ n: 300, speakers: 6 }), new Rng(5));
    const splits = groupSplits(ds, new Rng(5), { by: 'speaker', valShare: 0.2 });
    expect(splits).toHaveLength(6);
    for (const s of splits) {
      const test = new Set(s.test.map((i) => ds.meta(i).speaker));
      const train = new Set([...s.train, ...s.val].map((i) => ds.meta(i).speaker));
      expect(test.size).toBe(1);
      expect([...test].some((g) => train.has(g))).toBe(false);
    }
  });

  it('predefined partitions and bad options', () => {
    const ms = metas();
    const p = predefinedSplit(ms);
    expect(p.train).toHaveLength(34);
    expect(p.val).toHaveLength(33);
    expect(p.test).toHaveLength(33);
    expect(() => holdoutSplit(ms, new Rng(1), { testShare: 1.2 })).toThrow(ConfigError);
    expect(() => kfoldSplits(ms, new Rng(1), { k: 1 })).toThrow(/split\.k: expected an integer >= 2, got 1/);
    expect(() => groupSplits(ms.map((m) => ({ ...m, group: 'one' })), new Rng(1))).toThrow(DataError);
  });
});
