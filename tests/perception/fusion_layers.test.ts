// Forward parity of the custom layers with PyTorch (fixtures written once by
// scripts/fixtures/torch_layers.py with Debian's python3-torch), on the default backend.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { MultiHeadAttention } from '../../src/perception/layers/attention.js';
import { TemporalConv } from '../../src/perception/layers/conv.js';
import { orthogonal } from '../../src/perception/layers/init.js';
import { LayerNorm } from '../../src/perception/layers/linear.js';
import type { Module, NamedWeight } from '../../src/perception/layers/module.js';
import { GRU, LSTM, SimpleRNN } from '../../src/perception/layers/recurrent.js';
import { Adam } from '../../src/perception/optim.js';

type Nested = number | Nested[];
const fx = JSON.parse(readFileSync(new URL('../fixtures/perception/torch_layers.json', import.meta.url), 'utf8')) as Record<string, any>;

function flat(a: Nested): number[] {
  return Array.isArray(a) ? a.flatMap(flat) : [a];
}
function shapeOf(a: Nested): number[] {
  return Array.isArray(a) ? [a.length, ...shapeOf(a[0])] : [];
}
function tensor(a: Nested): tf.Tensor {
  return tf.tensor(flat(a), shapeOf(a), 'float32');
}
function w(name: string, a: Nested): NamedWeight {
  return { name, shape: shapeOf(a), values: Float32Array.from(flat(a)) };
}
function maxAbsDiff(t: tf.Tensor, ref: Nested): number {
  const got = t.dataSync();
  const want = flat(ref);
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
  return m;
}
function load(m: Module, weights: Record<string, Nested>): void {
  m.setWeights(Object.entries(weights).map(([k, v]) => w(k, v)));
}

beforeAll(async () => {
  await initBackend('auto');
});

describe('recurrent layers match torch', () => {
  for (const [name, Cls] of [
    ['gru', GRU],
    ['lstm', LSTM],
    ['rnn', SimpleRNN],
  ] as const) {
    it(`${name}: all outputs, final state, and the packed (masked) final state within 1e-4`, () => {
      const f = fx[name];
      const layer = new Cls(f.in_dim, f.hidden, new Rng(1));
      load(layer, f.weights);
      const x = tensor(f.x) as tf.Tensor3D;
      const T = x.shape[1];
      const mask = tf.tensor2d((f.lengths as number[]).map((L) => Array.from({ length: T }, (_, t) => (t < L ? 1 : 0))));
      const full = layer.forward(x);
      const masked = layer.forward(x, mask);
      expect(maxAbsDiff(full.outputs, f.outputs)).toBeLessThan(1e-4);
      expect(maxAbsDiff(full.last, f.last)).toBeLessThan(1e-4);
      expect(maxAbsDiff(masked.last, f.last_masked)).toBeLessThan(1e-4);
      // The plain-JS inference recurrence gives the same numbers.
      const plain = layer.forward(x, undefined, undefined, { plain: true });
      const plainMasked = layer.forward(x, mask, undefined, { plain: true });
      expect(maxAbsDiff(plain.outputs, f.outputs)).toBeLessThan(1e-4);
      expect(maxAbsDiff(plainMasked.last, f.last_masked)).toBeLessThan(1e-4);
      expect(maxAbsDiff(plainMasked.outputs, masked.outputs.arraySync() as number[][][])).toBeLessThan(1e-5);
      tf.dispose([plain.outputs, plain.last, plainMasked.outputs, plainMasked.last]);
      // The packed final state really differs from the unmasked one for the short sample.
      expect(Math.abs(flat(f.last_masked)[f.hidden] - flat(f.last)[f.hidden])).toBeGreaterThan(1e-3);
      tf.dispose([x, mask, full.outputs, full.last, masked.outputs, masked.last]);
      layer.dispose();
    });
  }
});

describe('multi-head attention matches torch.nn.MultiheadAttention', () => {
  const f = fx.mha;
  const E = f.dim as number;
  const inW = flat(f.weights.in_proj_weight);
  const inB = flat(f.weights.in_proj_bias);
  const weights: NamedWeight[] = ['q', 'k', 'v'].flatMap((n, i) => [
    { name: `${n}.weight`, shape: [E, E], values: Float32Array.from(inW.slice(i * E * E, (i + 1) * E * E)) },
    { name: `${n}.bias`, shape: [E], values: Float32Array.from(inB.slice(i * E, (i + 1) * E)) },
  ]);
  weights.push(w('out.weight', f.weights['out_proj.weight']), w('out.bias', f.weights['out_proj.bias']));

  it('unmasked and with key padding + attention masks, outputs and head-averaged weights within 1e-4', () => {
    const mha = new MultiHeadAttention(E, f.heads, new Rng(2));
    mha.setWeights(weights);
    const q = tensor(f.query) as tf.Tensor3D;
    const kv = tensor(f.kv) as tf.Tensor3D;
    const plain = mha.forward(q, kv);
    expect(maxAbsDiff(plain.out, f.out)).toBeLessThan(1e-4);
    expect(maxAbsDiff(plain.weights, f.attn)).toBeLessThan(1e-4);
    // torch masks mark what is blocked (True); ours mark what is allowed (1).
    const keyMask = tf.tensor2d((f.key_padding_mask as number[][]).map((r) => r.map((v) => 1 - v)));
    const allowed = tf.tensor2d((f.attn_mask as number[][]).map((r) => r.map((v) => 1 - v)));
    const masked = mha.forward(q, kv, { keyMask, allowed });
    expect(maxAbsDiff(masked.out, f.out_masked)).toBeLessThan(1e-4);
    expect(maxAbsDiff(masked.weights, f.attn_masked)).toBeLessThan(1e-4);
    tf.dispose([q, kv, keyMask, allowed, plain.out, plain.weights, masked.out, masked.weights]);
    mha.dispose();
  });

  it('a query with no allowed key gets a zero output instead of NaN', () => {
    const mha = new MultiHeadAttention(E, f.heads, new Rng(3));
    const q = tf.randomNormal([2, 3, E], 0, 1, 'float32', 1) as tf.Tensor3D;
    const kv = tf.randomNormal([2, 4, E], 0, 1, 'float32', 2) as tf.Tensor3D;
    const keyMask = tf.tensor2d([
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ]);
    const { out, weights: aw } = mha.forward(q, kv, { keyMask });
    const o = out.arraySync() as number[][][];
    expect(o.flat(2).every(Number.isFinite)).toBe(true);
    expect(o[1].flat().every((v) => v === 0)).toBe(true);
    expect(o[0].flat().some((v) => v !== 0)).toBe(true);
    tf.dispose([q, kv, keyMask, out, aw]);
    mha.dispose();
  });
});

it('layer norm matches torch.nn.LayerNorm within 1e-4', () => {
  const f = fx.layer_norm;
  const ln = new LayerNorm(f.dim, f.eps);
  load(ln, f.weights);
  const x = tensor(f.x);
  const y = ln.apply(x);
  expect(maxAbsDiff(y, f.y)).toBeLessThan(1e-4);
  tf.dispose([x, y]);
  ln.dispose();
});

it('im2col temporal conv matches torch.nn.Conv1d (padding=1) within 1e-4', () => {
  const f = fx.conv1d;
  const conv = new TemporalConv(f.in_dim, f.out_dim, f.kernel, new Rng(4));
  // torch weight [out, in, k] → ours [out, k·in] with index j·in + d.
  const tw = f.weights.weight as number[][][];
  const W = new Float32Array(f.out_dim * f.kernel * f.in_dim);
  for (let o = 0; o < f.out_dim; o++) for (let d = 0; d < f.in_dim; d++) for (let j = 0; j < f.kernel; j++) W[o * f.kernel * f.in_dim + j * f.in_dim + d] = tw[o][d][j];
  conv.setWeights([
    { name: 'proj.weight', shape: [f.out_dim, f.kernel * f.in_dim], values: W },
    w('proj.bias', f.weights.bias),
  ]);
  const x = tensor(f.x) as tf.Tensor3D;
  const y = conv.forward(x);
  expect(maxAbsDiff(y, f.y)).toBeLessThan(1e-4);
  tf.dispose([x, y]);
  conv.dispose();
});

describe('Adam matches torch.optim over 5 steps', () => {
  for (const [name, mode] of [
    ['adam_l2', 'l2'],
    ['adamw', 'decoupled'],
  ] as const) {
    it(`${name} (weightDecayMode=${mode})`, () => {
      const f = fx[name];
      const wv = tf.variable(tensor(f.w0));
      const target = tensor(f.target);
      const scale = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const opt = new Adam([wv], { lr: f.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: f.weight_decay, weightDecayMode: mode });
      for (let s = 0; s < 5; s++) {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.square(tf.sub(wv, target)), scale)) as tf.Scalar, [wv]);
        opt.apply([grads[wv.name]]);
        tf.dispose(grads);
        expect(maxAbsDiff(wv, f.trajectory[s])).toBeLessThan(1e-5);
      }
      opt.dispose();
      tf.dispose([wv, target, scale]);
    });
  }
});

it('orthogonal init has orthonormal rows (and columns for tall matrices)', () => {
  for (const [r, c] of [
    [4, 4],
    [3, 7],
    [7, 3],
  ]) {
    const m = orthogonal(new Rng(9), r, c);
    const byRows = r <= c;
    const n = byRows ? r : c;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let d = 0;
        for (let k = 0; k < (byRows ? c : r); k++) d += byRows ? m[i * c + k] * m[j * c + k] : m[k * c + i] * m[k * c + j];
        expect(d).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
  }
});
