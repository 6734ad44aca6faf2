import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 20 }, () => a.next());
    const xb = Array.from({ length: 20 }, () => b.next());
    const xc = Array.from({ length: 20 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('forks independent streams that do not advance the parent', () => {
    const a = new Rng(1);
    const f1 = a.fork('x').next();
    const first = a.next();
    const b = new Rng(1);
    expect(b.next()).toBe(first);
    expect(new Rng(1).fork('x').next()).toBe(f1);
    expect(new Rng(1).fork('y').next()).not.toBe(f1);
  });

  it('draws normals with the right moments', () => {
    const r = new Rng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal(2, 3);
      s += z;
      s2 += z * z;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // Standard errors: 3/sqrt(n) ≈ 0.0067 for the mean, ≈ 0.028 for the variance (9·sqrt(2/n)).
    expect(Math.abs(mean - 2)).toBeLessThan(0.03);
    expect(Math.abs(variance - 9)).toBeLessThan(0.15);
  });

  it('draws integers uniformly in range and categorical by weight', () => {
    const r = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.categorical([1, 2, 7])]++;
    expect(counts[0] / 30_000).toBeCloseTo(0.1, 1);
    expect(counts[2] / 30_000).toBeCloseTo(0.7, 1);
    for (let i = 0; i < 1000; i++) {
      const k = r.intBetween(-2, 2);
      expect(k).toBeGreaterThanOrEqual(-2);
      expect(k).toBeLessThanOrEqual(2);
    }
  });

  it('restores from saved state mid-stream', () => {
    const a = new Rng('s');
    a.next();
    a.normal();
    const saved = a.state() as { seed: string; gen: object; spare: number | null };
    const rest = Array.from({ length: 5 }, () => a.normal());
    const b = Rng.fromState(JSON.parse(JSON.stringify(saved)));
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(rest);
  });

  it('shuffles to a permutation', () => {
    const r = new Rng(9);
    const xs = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
