import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { ConfigError } from '../../src/core/errors.js';
import {
  computeFans,
  glorotNormal,
  glorotUniform,
  heNormal,
  layerInitializer,
  lecunNormal,
  ones,
  orthogonal,
  seededDropout,
  zeros,
} from '../../src/core/init.js';
import { assertNoLeak, TensorLeakError, withTensorCheck } from '../../src/core/leak.js';
import { Rng } from '../../src/core/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function stats(t: tf.Tensor): { mean: number; variance: number; min: number; max: number; values: Float32Array } {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, variance: q / v.length, min: Math.min(...v), max: Math.max(...v), values: v };
}

describe('computeFans (Keras convention)', () => {
  it('dense, conv and vector shapes', () => {
    expect(computeFans([30, 50])).toEqual([30, 50]);
    expect(computeFans([3, 5, 4, 8])).toEqual([60, 120]);
    expect(computeFans([7])).toEqual([7, 7]);
    expect(() => computeFans([3, 0])).toThrow(ConfigError);
  });
});

describe('initialiser statistics follow the formulas', () => {
  // 200×300 = 60 000 draws: the sample variance is within ~1.5% of the target (4σ ≈ 4·sqrt(2/n)).
  const shape = [200, 300];
  const [fanIn, fanOut] = [200, 300];
  it('glorotUniform: U(-l, l), l = sqrt(6/(fanIn+fanOut)), variance 2/(fanIn+fanOut)', () => {
    const s = stats(glorotUniform(shape, new Rng(1)));
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeGreaterThan(0.99 * limit);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
    expect(s.variance / (2 / (fanIn + fanOut))).toBeCloseTo(1, 1);
  });
  it('glorotNormal: variance 2/(fanIn+fanOut), truncated at 2 rescaled σ', () => {
    const s = stats(glorotNormal(shape, new Rng(2)));
    const target = 2 / (fanIn + fanOut);
    expect(Math.abs(s.variance / target - 1)).toBeLessThan(0.03);
    expect(s.max).toBeLessThanOrEqual((2 * Math.sqrt(target)) / 0.87962566103423978 + 1e-6);
  });
  it('heNormal: variance 2/fanIn (truncated and plain normal)', () => {
    for (const dist of ['truncatedNormal', 'normal'] as const) {
      const s = stats(heNormal(shape, new Rng(3), dist));
      expect(Math.abs(s.variance / (2 / fanIn) - 1)).toBeLessThan(0.03);
    }
  });
  it('lecunNormal: variance 1/fanIn; conv kernels use the receptive field', () => {
    const s = stats(lecunNormal([3, 3, 64, 32], new Rng(4)));
    expect(Math.abs(s.variance / (1 / (9 * 64)) - 1)).toBeLessThan(0.05);
  });
  it('zeros and ones', () => {
    expect(Array.from(zeros([2, 2]).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).dataSync())).toEqual([1, 1, 1]);
  });
  it('same seed → same weights; different seed → different weights', () => {
    const a = glorotUniform([4, 5], new Rng('s')).dataSync();
    const b = glorotUniform([4, 5], new Rng('s')).dataSync();
    const c = glorotUniform([4, 5], new Rng('t')).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

function gram(values: Float32Array, rows: number, cols: number, byColumns: boolean): number[][] {
  const k = byColumns ? cols : rows;
  const g = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      const len = byColumns ? rows : cols;
      for (let r = 0; r < len; r++) s += byColumns ? values[r * cols + i] * values[r * cols + j] : values[i * cols + r] * values[j * cols + r];
      g[i][j] = s;
    }
  return g;
}

describe('orthogonal', () => {
  it('tall matrix: WᵀW = gain² I', () => {
    const w = orthogonal([12, 5], new Rng(5), 2).dataSync() as Float32Array;
    const g = gram(w, 12, 5, true);
    g.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 4 : 0, 5)));
  });
  it('wide matrix: WWᵀ = I (rows orthonormal); conv shape flattens to [prod(shape[:-1]), out]', () => {
    const w = orthogonal([4, 9], new Rng(6)).dataSync() as Float32Array;
    gram(w, 4, 9, false).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
    const c = orthogonal([2, 2, 3, 6], new Rng(7)).dataSync() as Float32Array;
    gram(c, 12, 6, true).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
  });
  it('rejects a vector shape', () => {
    expect(() => orthogonal([5], new Rng(1))).toThrow(/at least 2 dimensions/);
  });
});

describe('layerInitializer', () => {
  it('plugs into tf.layers and reproduces the seeded weights', () => {
    const build = (): number[] => {
      const layer = tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: layerInitializer('glorotUniform', new Rng('L')) });
      const model = tf.sequential({ layers: [layer] });
      const w = Array.from(layer.getWeights()[0].dataSync());
      model.dispose();
      return w;
    };
    const expected = Array.from(glorotUniform([4, 3], new Rng('L')).dataSync());
    expect(build()).toEqual(expected);
  });
});

describe('seededDropout', () => {
  it('keeps ≈ (1−rate), scales kept values by 1/(1−rate), same rng seed → same mask', () => {
    const x = tf.ones([100, 100]);
    const a = seededDropout(x, 0.25, new Rng('d')).dataSync();
    const b = seededDropout(x, 0.25, new Rng('d')).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const kept = Array.from(a).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 10000 - 0.75)).toBeLessThan(0.02);
    // A noise shape shares the mask across a broadcast axis.
    const c = seededDropout(tf.ones([3, 5]), 0.5, new Rng('e'), [1, 5]).arraySync() as number[][];
    expect(c[1]).toEqual(c[0]);
    expect(() => seededDropout(x, 1, new Rng(1))).toThrow(ConfigError);
    x.dispose();
  });
});

describe('leak helpers', () => {
  it('assertNoLeak passes for tidy code and names the leak otherwise', async () => {
    await assertNoLeak(() => tf.tidy(() => void tf.add(tf.ones([2]), 1)));
    await expect(assertNoLeak(() => void tf.ones([2]), 'leaky')).rejects.toThrow(/leaky: leaked 1 tensor/);
  });
  it('withTensorCheck detects growth across steps', async () => {
    const held: tf.Tensor[] = [];
    await expect(withTensorCheck(() => void held.push(tf.ones([1])), { steps: 2 })).rejects.toBeInstanceOf(TensorLeakError);
    tf.dispose(held);
    const counts = await withTensorCheck(() => tf.tidy(() => void tf.ones([1])), { steps: 2 });
    expect(counts).toHaveLength(3);
  });
});
