import { describe, expect, it } from 'vitest';
import { samplingDistributionBefore } from '../../bench/baselines.js';
import { Rng } from '../../src/core/rng.js';
import { samplingDistribution } from '../../src/generation/decode.js';

describe('samplingDistribution after the optimisation pass', () => {
  it('is bitwise identical to the index-sort implementation, ties and -Infinity included', () => {
    const rng = new Rng('sampling-parity');
    for (let c = 0; c < 600; c++) {
      const n = 1 + rng.int(60) * (c % 3 === 0 ? 20 : 1);
      // Rounded logits make many exact ties in probability; some tokens are banned (-Infinity).
      const l = Array.from({ length: n }, () => (rng.uniform() < 0.3 ? Math.round(rng.normal() * 2) : rng.normal() * 3));
      if (rng.uniform() < 0.2) l[rng.int(n)] = -Infinity;
      const t = [0.5, 1, 1.7][c % 3];
      const k = [0, 1, 5, 50][c % 4];
      const p = [1, 0.9, 0.5, 0.99][(c >> 2) % 4];
      const before = Array.from(samplingDistributionBefore(l, t, k, p));
      const after = Array.from(samplingDistribution(l, t, k, p));
      expect(after).toEqual(before);
    }
  });

  it('keeps the lowest ids among tied probabilities at the cut (hand case)', () => {
    // Four equal logits, top-k 2: ids 0 and 1 survive with 1/2 each.
    expect(Array.from(samplingDistribution([1, 1, 1, 1], 1, 2, 1))).toEqual([0.5, 0.5, 0, 0]);
    // p = softmax([ln 4, ln 2, ln 1, ln 1]) = [0.5, 0.25, 0.125, 0.125]; top-p 0.8 keeps 0.5 + 0.25 + one 0.125 (id 2).
    const q = samplingDistribution([Math.log(4), Math.log(2), 0, 0], 1, 0, 0.8);
    expect(q[0]).toBeCloseTo(0.5 / 0.875, 12);
    expect(q[1]).toBeCloseTo(0.25 / 0.875, 12);
    expect(q[2]).toBeCloseTo(0.125 / 0.875, 12);
    expect(q[3]).toBe(0);
  });
});
