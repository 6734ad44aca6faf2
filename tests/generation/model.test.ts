import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { ConditionalTransformer } from '../../src/generation/model/transformer.js';
import { FastDecoder } from '../../src/generation/model/fast.js';
import { generatorLoss, type Batch } from '../../src/generation/train.js';
import { DataError } from '../../src/core/errors.js';

// Reference from scripts/fixtures/make_generator_reference.py (PyTorch, float64): an independent implementation.
const ref = JSON.parse(readFileSync(new URL('../fixtures/generation/transformer_reference.json', import.meta.url), 'utf8'));
// The reference implements the 'states' alignment source (emotion head over decoder states).
const cfg = parseGeneratorConfig({ ...ref.config, embedding_lookup: 'onehot', align_source: 'states' });
const dims = { vocabSize: ref.vocab_size as number, classes: ref.classes as string[] };

function build(lookup: 'onehot' | 'gather' = 'onehot'): ConditionalTransformer {
  const m = new ConditionalTransformer({ ...cfg, embedding_lookup: lookup }, dims, new Rng(1));
  m.load(ref.weights);
  return m;
}

function batch(): Batch {
  const i = ref.inputs;
  return {
    ids: tf.tensor2d(i.ids, undefined, 'int32'),
    targets: tf.tensor2d(i.targets, undefined, 'int32'),
    mask: tf.tensor2d(i.mask),
    tone: tf.tensor1d(i.tone, 'int32'),
    strategy: tf.tensor1d(i.strategy, 'int32'),
    cond: tf.tensor2d(i.cond),
    target: tf.tensor2d(i.cond.map((r: number[]) => r.slice(0, 3))),
    tokens: 8,
  };
}

function close(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

describe('ConditionalTransformer vs PyTorch reference', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('forward: logits, final states and emotion head match', () => {
    const m = build();
    const b = batch();
    const out = m.forward(b, { emotionWeight: ref.emotion_weight });
    close(out.logits.dataSync(), ref.expected.logits, 2e-4);
    close(out.hidden.dataSync(), ref.expected.hidden, 2e-4);
    close(out.emotion.dataSync(), ref.expected.emotion, 2e-4);
    tf.dispose([out.logits, out.hidden, out.emotion]);
    m.dispose();
  });

  it('loss = masked CE + λ·(1 − cos) and its gradients match', () => {
    const m = build();
    const b = batch();
    const vars = m.variables();
    const names = ['tok', 'cond1_w', 'l1.qkv_w', 'emo_w', 'tone'];
    const { value, grads } = tf.variableGrads(() => generatorLoss(m, b, ref.config.lambda, { emotionWeight: ref.emotion_weight }).loss, vars);
    expect(value.dataSync()[0]).toBeCloseTo(ref.expected.loss, 4);
    for (const n of names) close(grads[`${m.scope}/${n}`].dataSync(), ref.expected.grads[n], 5e-4);
    const parts = generatorLoss(m, b, ref.config.lambda, { emotionWeight: ref.emotion_weight });
    expect(parts.ce.dataSync()[0]).toBeCloseTo(ref.expected.ce, 4);
    expect(parts.align.dataSync()[0]).toBeCloseTo(ref.expected.align, 4);
    tf.dispose([value, ...Object.values(grads), parts.loss, parts.ce, parts.align]);
    m.dispose();
  });

  it('the fast Float32 path reproduces the reference logits position by position', () => {
    const m = build();
    const fast = new FastDecoder(m.cfg, m.dims, m.snapshot());
    const i = ref.inputs;
    const V = ref.vocab_size;
    for (let b = 0; b < 2; b++) {
      const n = i.mask[b].reduce((x: number, y: number) => x + y, 0);
      const prep = fast.prepare(i.cond[b], i.tone[b], i.strategy[b], ref.emotion_weight);
      const cache = fast.newCache();
      for (let t = 0; t < n; t++) {
        const { logits } = fast.step(prep, cache, i.ids[b][t]);
        const T = i.ids[0].length;
        close(logits, ref.expected.logits.slice((b * T + t) * V, (b * T + t + 1) * V), 2e-4);
      }
    }
    m.dispose();
  });

  it('gather and one-hot embedding lookups give the same forward', async () => {
    const a = build('onehot');
    const g = build('gather');
    const b = batch();
    const x = a.forward(b).logits;
    const y = g.forward(b).logits;
    close(x.dataSync(), Array.from(y.dataSync()), 1e-5);
    tf.dispose([x, y]);
    a.dispose();
    g.dispose();
  });

  it('emotion weight 0 removes the condition: different conds give the same logits', () => {
    const m = build();
    const b = batch();
    const other = { ...b, cond: tf.tensor2d([[0, 0, 1, 0.1, 0.9], [1, 0, 0, 0.2, -0.9]]) };
    const x = m.forward(b, { emotionWeight: 0 }).logits;
    const y = m.forward(other, { emotionWeight: 0 }).logits;
    const z = m.forward(other, { emotionWeight: 1 }).logits;
    close(x.dataSync(), Array.from(y.dataSync()), 1e-6);
    expect(Math.max(...Array.from(tf.sub(x, z).abs().dataSync()))).toBeGreaterThan(1e-3);
    tf.dispose([x, y, z]);
    m.dispose();
  });

  it('rejects a wrong-length weight and a condition of the wrong width with named errors', () => {
    const m = build();
    expect(() => m.load({ ...ref.weights, tok: [1, 2, 3] })).toThrow(/weights\.tok: length 3; expected 88/);
    const b = { ...batch(), cond: tf.zeros([2, 4]) as tf.Tensor2D };
    expect(() => m.forward(b)).toThrow(DataError);
    expect(() => m.forward(b)).toThrow(/cond: width 4; expected 5/);
    m.dispose();
  });
});
