// Finite-difference gradient checks for every custom layer, on the cpu backend
// (float32): for each parameter tensor and the input, the analytic directional
// derivative ⟨∇L, u⟩ along a random unit direction u must match the central
// difference (L(θ+εu) − L(θ−εu)) / 2ε.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { MultiHeadAttention } from '../../src/perception/layers/attention.js';
import { TemporalConv } from '../../src/perception/layers/conv.js';
import { GraphConv } from '../../src/perception/layers/graph.js';
import { LayerNorm, Linear } from '../../src/perception/layers/linear.js';
import { GRU, LSTM, SimpleRNN } from '../../src/perception/layers/recurrent.js';

const EPS = 3e-3;

beforeAll(async () => {
  await initBackend('cpu');
});

/**
 * Checks every variable in `vars` separately. `f` must be a scalar function of
 * the variables' current values. Returns the worst relative error.
 */
function gradCheck(vars: tf.Variable[], f: () => tf.Scalar, seed = 1): number {
  const rng = new Rng(seed);
  const { value, grads } = tf.variableGrads(f, vars);
  value.dispose();
  let worst = 0;
  for (const v of vars) {
    const g = grads[v.name];
    expect(g, `no gradient for a ${v.shape} weight`).toBeDefined();
    const u = rng.normalArray(v.size);
    let norm = 0;
    for (const x of u) norm += x * x;
    for (let i = 0; i < u.length; i++) u[i] /= Math.sqrt(norm);
    const gv = g.dataSync();
    let analytic = 0;
    for (let i = 0; i < u.length; i++) analytic += gv[i] * u[i];
    const base = v.dataSync().slice();
    const evalAt = (s: number): number => {
      tf.tidy(() => v.assign(tf.tensor(base.map((b, i) => b + s * u[i]), v.shape)));
      return tf.tidy(() => f().dataSync()[0]);
    };
    const numeric = (evalAt(EPS) - evalAt(-EPS)) / (2 * EPS);
    tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    const err = Math.abs(analytic - numeric) / Math.max(1e-2, Math.abs(analytic), Math.abs(numeric));
    worst = Math.max(worst, err);
    expect(err, `directional derivative ${analytic} vs finite difference ${numeric} for a ${v.shape} weight`).toBeLessThan(2e-2);
  }
  tf.dispose(grads);
  return worst;
}

/** A variable input and a fixed random projection R: L = Σ out ⊙ R. */
function setup(shape: number[], seed: number): { x: tf.Variable; proj: (t: tf.Tensor) => tf.Scalar; dispose: () => void } {
  const x = tf.variable(tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape));
  const cache = new Map<string, tf.Tensor>();
  const rng = new Rng(seed + 100);
  return {
    x,
    proj: (t) => {
      const key = t.shape.join('x');
      if (!cache.has(key)) cache.set(key, tf.keep(tf.tensor(rng.normalArray(t.size), t.shape)));
      return tf.sum(tf.mul(t, cache.get(key)!)) as tf.Scalar;
    },
    dispose: () => {
      x.dispose();
      tf.dispose([...cache.values()]);
    },
  };
}

describe('gradient checks (cpu, float32)', () => {
  it('Linear (custom x·Wᵀ gradient) on a rank-3 input', () => {
    const s = setup([2, 3, 5], 1);
    const lin = new Linear(5, 4, new Rng(1));
    lin.setWeights(lin.getWeights().map((w) => ({ ...w, values: new Rng(w.name).normalArray(w.values.length) })));
    gradCheck([s.x, ...lin.trainableWeights], () => s.proj(lin.apply(s.x)));
    s.dispose();
    lin.dispose();
  });

  it('LayerNorm', () => {
    const s = setup([3, 6], 2);
    const ln = new LayerNorm(6);
    ln.setWeights(ln.getWeights().map((w) => ({ ...w, values: new Rng(w.name).uniformArray(w.values.length, 0.5, 1.5) })));
    gradCheck([s.x, ...ln.trainableWeights], () => s.proj(ln.apply(s.x)));
    s.dispose();
    ln.dispose();
  });

  for (const [name, Cls] of [
    ['GRU', GRU],
    ['LSTM', LSTM],
    ['RNN', SimpleRNN],
  ] as const) {
    it(`${name} with a time mask (outputs and last state)`, () => {
      const s = setup([2, 4, 3], 3);
      const layer = new Cls(3, 5, new Rng(3));
      const mask = tf.tensor2d([
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ]);
      gradCheck([s.x, ...layer.trainableWeights], () => {
        const o = layer.forward(s.x as tf.Tensor3D, mask);
        return tf.add(s.proj(o.outputs), s.proj(tf.mul(o.last, 2))) as tf.Scalar;
      });
      mask.dispose();
      s.dispose();
      layer.dispose();
    });
  }

  it('MultiHeadAttention with key padding and attention masks (query and key/value inputs)', () => {
    const s = setup([2, 3, 8], 4);
    const kv = tf.variable(tf.tensor(new Rng(44).normalArray(2 * 4 * 8), [2, 4, 8]));
    const mha = new MultiHeadAttention(8, 2, new Rng(4));
    const keyMask = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 0, 1],
    ]);
    const allowed = tf.tensor2d([
      [1, 0, 1, 1],
      [1, 1, 1, 1],
      [0, 1, 1, 0],
    ]);
    gradCheck([s.x, kv, ...mha.trainableWeights], () => s.proj(mha.forward(s.x as tf.Tensor3D, kv as tf.Tensor3D, { keyMask, allowed }).out));
    tf.dispose([kv, keyMask, allowed]);
    s.dispose();
    mha.dispose();
  });

  for (const twoHop of ['difference', 'power'] as const) {
    it(`GraphConv (twoHop=${twoHop}) with a node mask`, () => {
      const s = setup([2, 5, 4], 5);
      const gc = new GraphConv(4, 3, { adjDim: 3, twoHop, selfLoops: false }, new Rng(5));
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0],
      ]);
      gradCheck([s.x, ...gc.trainableWeights], () => s.proj(gc.forward(s.x as tf.Tensor3D, mask).out), 7);
      mask.dispose();
      s.dispose();
      gc.dispose();
    });
  }

  it('TemporalConv (im2col)', () => {
    const s = setup([2, 5, 3], 6);
    const conv = new TemporalConv(3, 4, 3, new Rng(6));
    gradCheck([s.x, ...conv.trainableWeights], () => s.proj(conv.forward(s.x as tf.Tensor3D)));
    s.dispose();
    conv.dispose();
  });

  it('the check itself fails on a wrong gradient', () => {
    const x = tf.variable(tf.tensor1d([0.3, -0.7, 1.1]));
    // y = x², but with a custom gradient of 3x instead of 2x.
    const bad = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s, 3)) };
    }) as any) as (a: tf.Tensor) => tf.Tensor;
    expect(() => gradCheck([x], () => tf.sum(bad(x)) as tf.Scalar)).toThrow();
    x.dispose();
  });
});
