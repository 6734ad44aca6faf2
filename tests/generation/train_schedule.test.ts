import { describe, expect, it } from 'vitest';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { learningRateAt } from '../../src/generation/train.js';

describe('generator learning-rate schedule', () => {
  it('constant: lr at every step', () => {
    const cfg = parseGeneratorConfig({ lr: 0.003 });
    expect(cfg.lr_schedule).toBe('constant');
    for (const s of [0, 5, 99]) expect(learningRateAt(s, 100, cfg)).toBe(0.003);
  });

  it('cosine: linear warm-up, then cosine decay to lr·min_lr_ratio at the last step (hand-derived)', () => {
    const cfg = { lr: 1, lr_schedule: 'cosine' as const, warmup_steps: 2, min_lr_ratio: 0.1 };
    // warm-up: (s+1)/2; decay over steps 2..5 (p = 0, 1/3, 2/3, 1): 0.1 + 0.9·(1 + cos πp)/2
    const want = [0.5, 1, 1, 0.775, 0.325, 0.1];
    want.forEach((w, s) => expect(learningRateAt(s, 6, cfg)).toBeCloseTo(w, 12));
    // no warm-up: the first step gets the full lr
    expect(learningRateAt(0, 10, { ...cfg, warmup_steps: 0 })).toBeCloseTo(1, 12);
    expect(learningRateAt(9, 10, { ...cfg, warmup_steps: 0 })).toBeCloseTo(0.1, 12);
  });
});

describe('epoch batches', () => {
  const lengths = [5, 30, 12, 7, 30, 5, 19, 12, 8, 25, 6];
  it('every example exactly once, batches of the configured size (the last may be short)', async () => {
    const { Rng } = await import('../../src/core/rng.js');
    const { epochBatches } = await import('../../src/generation/train.js');
    for (const bucketing of [false, true]) {
      const b = epochBatches(lengths, 4, bucketing, new Rng(7));
      expect(b.map((x) => x.length).sort()).toEqual([3, 4, 4]);
      expect(b.flat().sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i));
    }
  });
  it('bucketing: each batch holds consecutive lengths of the sorted list, so padding is minimal', async () => {
    const { Rng } = await import('../../src/core/rng.js');
    const { epochBatches } = await import('../../src/generation/train.js');
    const b = epochBatches(lengths, 4, true, new Rng(7));
    // sorted lengths 5 5 6 7 8 12 12 19 25 30 30 → batches {5,5,6,7} {8,12,12,19} {25,30,30}
    const sets = b.map((x) => x.map((i) => lengths[i]).sort((p, q) => p - q));
    expect(sets.sort((p, q) => p[0] - q[0])).toEqual([[5, 5, 6, 7], [8, 12, 12, 19], [25, 30, 30]]);
  });
});
