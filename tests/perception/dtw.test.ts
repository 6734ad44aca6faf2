import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { bandHalfWidth, derivativeEstimate, dtw } from '../../src/perception/align/dtw.js';

/** Independent O(n·m) reference: the textbook recursion over the full matrix, band as a predicate. */
function bruteDtw(a: number[][], b: number[][], w: number, cost: 'euclidean' | 'cosine', penalty = 0): number {
  const n = a.length;
  const m = b.length;
  const slope = n > 1 ? (m - 1) / (n - 1) : 0;
  const inBand = (i: number, j: number) => n === 1 || Math.abs(j - i * slope) <= w + 1e-9;
  const local = (x: number[], y: number[]) => {
    if (cost === 'euclidean') return Math.sqrt(x.reduce((s, v, k) => s + (v - y[k]) ** 2, 0));
    const dot = x.reduce((s, v, k) => s + v * y[k], 0);
    const nx = Math.hypot(...x);
    const ny = Math.hypot(...y);
    return 1 - (nx * ny > 0 ? dot / (nx * ny) : 0);
  };
  const D: number[][] = Array.from({ length: n }, () => new Array(m).fill(Infinity));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (!inBand(i, j)) continue;
      // A vertical or horizontal step (expansion/compression) pays `penalty` on top of the local cost.
      const prev = i === 0 && j === 0 ? 0 : Math.min(i > 0 ? D[i - 1][j] + penalty : Infinity, j > 0 ? D[i][j - 1] + penalty : Infinity, i > 0 && j > 0 ? D[i - 1][j - 1] : Infinity);
      D[i][j] = local(a[i], b[j]) + prev;
    }
  }
  return D[n - 1][m - 1];
}

const flat = (rows: number[][]) => ({ values: Float64Array.from(rows.flat()), dim: rows[0].length });

function pathCost(a: number[][], b: number[][], path: Int32Array): number {
  let s = 0;
  for (let p = 0; p < path.length; p += 2) s += Math.sqrt(a[path[p]].reduce((t, v, k) => t + (v - b[path[p + 1]][k]) ** 2, 0));
  return s;
}

function checkPath(path: Int32Array, n: number, m: number): void {
  expect([path[0], path[1]]).toEqual([0, 0]);
  expect([path[path.length - 2], path[path.length - 1]]).toEqual([n - 1, m - 1]);
  for (let p = 2; p < path.length; p += 2) {
    const di = path[p] - path[p - 2];
    const dj = path[p + 1] - path[p - 1];
    expect(di === 0 || di === 1).toBe(true);
    expect(dj === 0 || dj === 1).toBe(true);
    expect(di + dj).toBeGreaterThan(0);
  }
}

describe('dtw', () => {
  it('hand-computed 1-D cases', () => {
    // [0,1,2] vs [0,0,1,2]: the repeated 0 is absorbed at zero cost; path (0,0),(0,1),(1,2),(2,3).
    const r = dtw({ values: [0, 1, 2], dim: 1 }, { values: [0, 0, 1, 2], dim: 1 }, { band: 1 });
    expect(r.cost).toBe(0);
    expect(Array.from(r.path)).toEqual([0, 0, 0, 1, 1, 2, 2, 3]);
    // [1,2,3] vs [2,2,2]: |1-2| + |2-2| + |3-2| = 2 along the diagonal.
    const s = dtw({ values: [1, 2, 3], dim: 1 }, { values: [2, 2, 2], dim: 1 }, { band: 1 });
    expect(s.cost).toBe(2);
    expect(Array.from(s.path)).toEqual([0, 0, 1, 1, 2, 2]);
    // 2-D Euclidean: (0,0)-(3,4) = 5, (1,1)-(1,1) = 0.
    const e = dtw({ values: [0, 0, 1, 1], dim: 2 }, { values: [3, 4, 1, 1], dim: 2 }, { band: 1 });
    expect(e.cost).toBeCloseTo(5, 12);
    // Cosine: orthogonal vectors cost 1, parallel ones 0.
    const c = dtw({ values: [1, 0, 0, 2], dim: 2 }, { values: [0, 5, 0, 1], dim: 2 }, { band: 1, cost: 'cosine' });
    expect(c.cost).toBeCloseTo(1, 12);
  });

  it('matches the brute-force reference on random inputs, with and without a band', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const n = rng.intBetween(1, 25);
      const m = rng.intBetween(1, 25);
      const d = rng.intBetween(1, 3);
      const a = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
      const b = Array.from({ length: m }, () => Array.from({ length: d }, () => rng.normal()));
      const cost = trial % 3 === 0 ? 'cosine' : 'euclidean';
      for (const band of [1, 0.2, 0.05]) {
        const r = dtw(flat(a), flat(b), { band, cost });
        const ref = bruteDtw(a, b, bandHalfWidth(n, m, band), cost);
        expect(r.cost).toBeCloseTo(ref, 9);
        checkPath(r.path, n, m);
        expect(r.length).toBe(r.path.length / 2);
        if (cost === 'euclidean') expect(pathCost(a, b, r.path)).toBeCloseTo(r.cost, 9);
      }
    }
  });

  it('step penalty: hand-computed trade-off between warping and staying diagonal', () => {
    // a's peak is one frame later than b's. Matching the peaks costs 0 locally but needs two
    // non-diagonal steps ((0,0)→(1,0) and (3,2)→(3,3)): 2p. The diagonal pays |0−1| + |1−0| = 2.
    // Every other path pays at least min(2p, 2), so the optimum is min(2p, 2).
    const a = { values: [0, 0, 1, 0], dim: 1 };
    const b = { values: [0, 1, 0, 0], dim: 1 };
    const cheap = dtw(a, b, { band: 1, stepPenalty: 0.25 });
    expect(cheap.cost).toBeCloseTo(0.5, 12);
    expect(Array.from(cheap.path)).toEqual([0, 0, 1, 0, 2, 1, 3, 2, 3, 3]);
    const dear = dtw(a, b, { band: 1, stepPenalty: 2 });
    expect(dear.cost).toBeCloseTo(2, 12);
    expect(Array.from(dear.path)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(dtw(a, b, { band: 1 }).cost).toBe(0);
  });

  it('penalised DTW matches the brute-force reference on random inputs', () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 30; trial++) {
      const n = rng.intBetween(1, 20);
      const m = rng.intBetween(1, 20);
      const d = rng.intBetween(1, 2);
      const a = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
      const b = Array.from({ length: m }, () => Array.from({ length: d }, () => rng.normal()));
      for (const [band, penalty] of [[1, 0.3], [0.2, 1], [1, 5]]) {
        const r = dtw(flat(a), flat(b), { band, stepPenalty: penalty });
        expect(r.cost).toBeCloseTo(bruteDtw(a, b, bandHalfWidth(n, m, band), 'euclidean', penalty), 9);
        checkPath(r.path, n, m);
        // The returned cost is the path's local costs plus the penalty of each non-diagonal step.
        let offDiag = 0;
        for (let p = 2; p < r.path.length; p += 2) if (r.path[p] === r.path[p - 2] || r.path[p + 1] === r.path[p - 1]) offDiag++;
        expect(pathCost(a, b, r.path) + penalty * offDiag).toBeCloseTo(r.cost, 9);
      }
    }
  });

  it('a band never beats the unconstrained optimum and visits O(n·w) cells', () => {
    const rng = new Rng(3);
    const a = Array.from({ length: 400 }, () => [rng.normal()]);
    const b = Array.from({ length: 300 }, () => [rng.normal()]);
    const full = dtw(flat(a), flat(b), { band: 1 });
    const banded = dtw(flat(a), flat(b), { band: 0.05 });
    expect(banded.cost).toBeGreaterThanOrEqual(full.cost - 1e-9);
    expect(full.cells).toBe(400 * 300);
    const w = bandHalfWidth(400, 300, 0.05);
    expect(banded.cells).toBeLessThanOrEqual(400 * (2 * w + 1));
  });

  it('derivative estimate follows Keogh & Pazzani (hand-computed)', () => {
    // x = [0, 1, 4, 9]: D1 = ((1-0) + (4-0)/2)/2 = 1.5; D2 = ((4-1) + (9-1)/2)/2 = 3.5; ends copy.
    expect(Array.from(derivativeEstimate([0, 1, 4, 9], 1))).toEqual([1.5, 1.5, 3.5, 3.5]);
    // Derivative DTW ignores a constant offset between the sequences.
    const x = [0, 1, 3, 2, 5, 4, 4];
    const r = dtw({ values: x, dim: 1 }, { values: x.map((v) => v + 10), dim: 1 }, { band: 1, derivative: true });
    expect(r.cost).toBeCloseTo(0, 12);
    expect(dtw({ values: x, dim: 1 }, { values: x.map((v) => v + 10), dim: 1 }, { band: 1 }).cost).toBeGreaterThan(10);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => dtw({ values: [1, 2, 3], dim: 2 }, { values: [1, 2], dim: 2 })).toThrow(DataError);
    expect(() => dtw({ values: [1, 2], dim: 2 }, { values: [1], dim: 1 })).toThrow(/a.dim is 2 but b.dim is 1/);
    expect(() => dtw({ values: [], dim: 1 }, { values: [1], dim: 1 })).toThrow(/a is empty/);
    expect(() => dtw({ values: [1], dim: 1 }, { values: [1], dim: 1 }, { band: 0 })).toThrow(/band is 0/);
    expect(() => dtw({ values: [1], dim: 1 }, { values: [1], dim: 1 }, { stepPenalty: -1 })).toThrow(/stepPenalty is -1; expected a finite number ≥ 0/);
  });
});
