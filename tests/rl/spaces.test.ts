import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Dict, Discrete, MultiDiscrete, Tuple } from '../../src/rl/spaces.js';

describe('spaces', () => {
  it('Discrete: seeded samples, membership, one-hot flatten', () => {
    const d = new Discrete(3, 1);
    const a = Array.from({ length: 50 }, () => d.sample(new Rng(1)));
    expect(new Set(a).size).toBe(1); // same seed, same draw
    const r = new Rng(2);
    const draws = Array.from({ length: 300 }, () => d.sample(r));
    expect(new Set(draws)).toEqual(new Set([1, 2, 3]));
    expect(d.contains(1)).toBe(true);
    expect(d.contains(4)).toBe(false);
    expect(d.contains(1.5)).toBe(false);
    expect(d.contains('1')).toBe(false);
    expect(Array.from(d.flatten(2))).toEqual([0, 1, 0]);
    expect(d.unflatten([0, 0, 1])).toBe(3);
    expect(() => new Discrete(0)).toThrow(/n=0; expected a positive integer/);
  });

  it('Box: bounded uniform, unbounded normal, half-bounded exponential; contains; clip', () => {
    const b = new Box([-1, -Infinity, 0], [1, Infinity, Infinity]);
    const r = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const x = b.sample(r);
      expect(b.contains(x)).toBe(true);
      expect(x[2]).toBeGreaterThanOrEqual(0);
    }
    expect(b.contains(Float32Array.of(2, 0, 0))).toBe(false);
    expect(b.contains([0, 0, 0])).toBe(false); // must be a Float32Array
    expect(b.contains(Float32Array.of(0, Number.NaN, 0))).toBe(false);
    expect(Array.from(b.clip([5, -7, -1]))).toEqual([1, -7, 0]);
    expect(new Box(-2, 2, [2, 3]).flatDim).toBe(6);
    expect(() => new Box([1], [0])).toThrow(/low\[0\]=1 > high\[0\]=0/);
    expect(() => new Box([0, 0], [1])).toThrow(DataError);
  });

  it('MultiDiscrete: per-entry ranges and concatenated one-hots', () => {
    const m = new MultiDiscrete([2, 3]);
    const x = Int32Array.of(1, 2);
    expect(m.contains(x)).toBe(true);
    expect(m.contains(Int32Array.of(2, 0))).toBe(false);
    expect(Array.from(m.flatten(x))).toEqual([0, 1, 0, 0, 1]);
    expect(Array.from(m.unflatten(m.flatten(x)))).toEqual([1, 2]);
    const r = new Rng(4);
    for (let i = 0; i < 50; i++) expect(m.contains(m.sample(r))).toBe(true);
  });

  it('Dict: keys in sorted order fix the flat layout; round trip; strict membership', () => {
    const d = new Dict({ tone: new Discrete(5), temperature: new Box(0.3, 1.5, [1]), emotionWeight: new Box(0, 2, [1]) });
    expect(d.keys).toEqual(['emotionWeight', 'temperature', 'tone']);
    expect(d.flatDim).toBe(7);
    const v = { tone: 3, temperature: Float32Array.of(0.75), emotionWeight: Float32Array.of(1.25) };
    expect(Array.from(d.flatten(v))).toEqual([1.25, 0.75, 0, 0, 0, 1, 0]);
    expect(d.unflatten(d.flatten(v))).toEqual(v);
    expect(d.contains(v)).toBe(true);
    expect(d.contains({ ...v, extra: 1 })).toBe(false);
    expect(d.contains({ tone: 3, temperature: Float32Array.of(0.75) })).toBe(false);
    expect(d.contains({ ...v, tone: 5 })).toBe(false);
    const r1 = new Rng(5);
    const r2 = new Rng(5);
    expect(d.sample(r1)).toEqual(d.sample(r2));
  });

  it('Tuple: ordered product, flatten/unflatten round trip', () => {
    const t = new Tuple([new Discrete(2), new Box(-1, 1, [2])]);
    const v = [1, Float32Array.of(0.5, -0.5)];
    expect(t.contains(v)).toBe(true);
    expect(t.contains([1])).toBe(false);
    expect(Array.from(t.flatten(v))).toEqual([0, 1, 0.5, -0.5]);
    expect(t.unflatten(t.flatten(v))).toEqual(v);
  });
});
