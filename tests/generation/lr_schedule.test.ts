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
