import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { parseEinsum } from '../../src/core/grads.js';
import { Rng } from '../../src/core/rng.js';

const data = (seed: string, shape: number[]): tf.Tensor => tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape);
const values = (ts: tf.Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

function expectClose(a: number[][], b: number[][]): void {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  a.forEach((row, k) => row.forEach((v, i) => expect(Math.abs(v - b[k][i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[k][i])))));
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('parseEinsum', () => {
  it('explicit and implicit outputs (numpy convention)', () => {
    expect(parseEinsum('ij,jk->ik')).toEqual({ inputs: ['ij', 'jk'], output: 'ik' });
    expect(parseEinsum('ij, jk')).toEqual({ inputs: ['ij', 'jk'], output: 'ik' });
    expect(parseEinsum('ba')).toEqual({ inputs: ['ba'], output: 'ab' });
  });
});

describe('Einsum gradient (registered by initBackend) matches the equivalent matMul/sum gradients', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`batched matmul 'bij,bjk->bik' on ${backend}`, async () => {
      await tf.setBackend(backend);
      const got = tf.tidy(() => {
        const a = data('a', [2, 3, 4]);
        const b = data('b', [2, 4, 5]);
        const probe = data('p', [2, 3, 5]);
        const viaEinsum = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.einsum('bij,bjk->bik', x, y), probe)))([a, b]);
        const viaMatMul = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), probe)))([a, b]);
        return { e: values(viaEinsum), m: values(viaMatMul) };
      });
      expectClose(got.e, got.m);
      await tf.setBackend('wasm');
    });
  }

  it("transposed operands: 'ji,kj->ik' = Aᵀ·Bᵀ", () => {
    const got = tf.tidy(() => {
      const a = data('a', [4, 3]); // j i
      const b = data('b', [5, 4]); // k j
      const probe = data('p', [3, 5]);
      const e = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.einsum('ji,kj->ik', x, y), probe)))([a, b]);
      const m = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, true, true), probe)))([a, b]);
      return { e: values(e), m: values(m) };
    });
    expectClose(got.e, got.m);
  });

  it("a letter summed in one operand only is broadcast back: 'ij,ik->j'", () => {
    const got = tf.tidy(() => {
      const a = data('a', [3, 4]);
      const b = data('b', [3, 5]);
      const probe = data('p', [4]);
      const e = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.einsum('ij,ik->j', x, y), probe)))([a, b]);
      // Same function: out_j = Σ_i A_ij · (Σ_k B_ik).
      const m = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, tf.sum(y, 1, true), true, false).reshape([4]), probe)))([a, b]);
      return { e: values(e), m: values(m) };
    });
    expectClose(got.e, got.m);
    // Hand-derived: dL/dB_ik = Σ_j p_j A_ij, the same for every k.
    const b0 = got.e[1].slice(0, 5);
    b0.forEach((v) => expect(v).toBeCloseTo(b0[0], 5));
  });

  it("single operand: 'ij->j' and full sum 'ij->'", () => {
    const got = tf.tidy(() => {
      const a = data('a', [3, 4]);
      const p = data('p', [4]);
      return values([tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.einsum('ij->j', x), p)))(a), tf.grad((x: tf.Tensor) => tf.einsum('ij->', x) as tf.Scalar)(a)]);
    });
    const p = Array.from(data('p', [4]).dataSync());
    expectClose([got[0]], [[...p, ...p, ...p]]);
    expect(got[1]).toEqual(new Array(12).fill(1));
  });

  it('keeps the tensor count flat', () => {
    const a = data('a', [3, 4]);
    const b = data('b', [4, 2]);
    const step = (): void => tf.tidy(() => void tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.einsum('ij,jk->ik', x, y)))([a, b]));
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
