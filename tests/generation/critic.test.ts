// The 'output' alignment loss: a frozen bag-of-tokens emotion critic scores the
// model's expected output tokens, so the term's gradient reaches the logits and
// every decoder weight (and not the state head, which is a detached probe).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { criticScore, outputAlignment, tokenHistograms, trainEmotionCritic } from '../../src/generation/critic.js';
import { ConditionalTransformer } from '../../src/generation/model/transformer.js';
import { criticTensors, disposeBatch, encodeEntries, generatorLoss, makeBatch, trainGenerator } from '../../src/generation/train.js';
import { WordTokenizer, tinyCorpus } from './model_helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('tokenHistograms', () => {
  it('normalised counts, special ids skipped (hand-derived)', () => {
    const h = tokenHistograms([[1, 4, 4, 5, 2], [1, 2], [3]], 6, [0, 1, 2]);
    expect(Array.from(h.slice(0, 6))).toEqual([0, 0, 0, 0, 2 / 3, 1 / 3].map((x) => Math.fround(x)));
    expect(Array.from(h.slice(6, 12))).toEqual([0, 0, 0, 0, 0, 0]); // only specials: all zero, not NaN
    expect(Array.from(h.slice(12, 18))).toEqual([0, 0, 0, 1, 0, 0]);
    expect(() => tokenHistograms([[7]], 6, [])).toThrow(/token id 7 in text 0; expected 0 ≤ id < 6/);
  });
});

describe('outputAlignment', () => {
  // B = 1, T = 3 (last position masked out), V = 3, C = 2; A maps token 0 → class 0, token 1 → class 1.
  const P = [
    [0.5, 0.25, 0.25],
    [0.2, 0.6, 0.2],
    [0.0001, 0.9998, 0.0001], // masked: must not count
  ];
  const A = [
    [1, 0],
    [0, 1],
    [0, 0],
  ];

  it('equals 1 − cos(softmax(mean_t p_t·A + b), target), hand-derived', () => {
    // mean over the two real positions of p_t·A = [(0.5 + 0.2)/2, (0.25 + 0.6)/2] = [0.35, 0.425]; b = [0.1, 0]
    const z = [0.35 + 0.1, 0.425];
    const e = z.map(Math.exp);
    const q = e.map((x) => x / (e[0] + e[1]));
    const expected = 1 - q[0] / Math.hypot(q[0], q[1]); // target [1, 0]
    const v = tf.tidy(() =>
      outputAlignment(tf.tensor3d([P]).log() as tf.Tensor3D, tf.tensor2d([[1, 1, 0]]), tf.tensor2d([[1, 0]]), tf.tensor2d(A), tf.tensor1d([0.1, 0])).dataSync()[0],
    );
    expect(v).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(0.2841, 3); // q = [0.50625, 0.49375]
  });

  it('its gradient w.r.t. the log-probabilities matches central differences (float64 reference in JS)', () => {
    const logits = [
      [0.3, -0.2, 0.1],
      [1.0, 0.5, -0.7],
    ];
    const target = [0.2, 0.8];
    const Am = [
      [0.9, -0.4],
      [-0.3, 1.2],
      [0.1, 0.2],
    ];
    // Reference: the same quantity as a function of the raw logits, in float64.
    const f = (L: number[][]): number => {
      const z = [0, 0];
      for (const row of L) {
        const m = Math.max(...row);
        const ex = row.map((x) => Math.exp(x - m));
        const s = ex.reduce((a, b) => a + b, 0);
        ex.forEach((x, v) => {
          z[0] += ((x / s) * Am[v][0]) / L.length;
          z[1] += ((x / s) * Am[v][1]) / L.length;
        });
      }
      const ez = z.map(Math.exp);
      const q = ez.map((x) => x / (ez[0] + ez[1]));
      return 1 - (q[0] * target[0] + q[1] * target[1]) / (Math.hypot(q[0], q[1]) * Math.hypot(target[0], target[1]));
    };
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => outputAlignment(tf.logSoftmax(x) as tf.Tensor3D, tf.tensor2d([[1, 1]]), tf.tensor2d([target]), tf.tensor2d(Am), tf.tensor1d([0, 0])))(tf.tensor3d([logits]))
        .dataSync(),
    );
    const h = 1e-5;
    let k = 0;
    for (let t = 0; t < 2; t++) {
      for (let v = 0; v < 3; v++, k++) {
        const up = logits.map((r) => [...r]);
        const dn = logits.map((r) => [...r]);
        up[t][v] += h;
        dn[t][v] -= h;
        expect(g[k]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 4);
      }
    }
    expect(Math.max(...Array.from(g).map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('trainEmotionCritic', () => {
  it('learns which tokens signal which emotion on a separable toy set; deterministic', () => {
    // tokens 4, 5 → class 0; 6, 7 → class 1; 8 appears in both (uninformative)
    const seqs = [[1, 4, 8, 2], [1, 5, 4, 2], [1, 8, 5, 2], [1, 6, 8, 2], [1, 7, 6, 2], [1, 8, 7, 2]];
    const targets = [[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]];
    const cfg = { steps: 200, lr: 0.1, l2: 1e-4 };
    const before = tf.memory().numTensors;
    const c = trainEmotionCritic(seqs, targets, 9, [0, 1, 2], cfg);
    expect(tf.memory().numTensors).toBe(before); // the critic is plain data; no tensor outlives the fit
    expect(c.trainAccuracy).toBe(1);
    expect(criticScore(c, [4], [0, 1, 2])[0]).toBeGreaterThan(0.8);
    expect(criticScore(c, [7], [0, 1, 2])[1]).toBeGreaterThan(0.8);
    expect(Math.abs(criticScore(c, [8], [0, 1, 2])[0] - 0.5)).toBeLessThan(0.1);
    // special tokens never occur in the histograms: their weights stay at the zero init
    for (const s of [0, 1, 2]) expect([c.weights[s * 2], c.weights[s * 2 + 1]]).toEqual([0, 0]);
    expect(Array.from(trainEmotionCritic(seqs, targets, 9, [0, 1, 2], cfg).weights)).toEqual(Array.from(c.weights));
    expect(() => trainEmotionCritic(seqs, targets.slice(1), 9, [], cfg)).toThrow(/5 targets for 6 texts/);
  });
});

describe("generatorLoss with align_source 'output'", () => {
  const corpus = tinyCorpus();
  const tok = new WordTokenizer(corpus.map((e) => e.text));
  const classes = ['angry', 'happy', 'sad'];
  const cfg = parseGeneratorConfig({ layers: 1, d_model: 16, heads: 2, ff: 32, max_len: 16, cond_hidden: 8, dropout: 0, align_source: 'output' });

  it('the alignment term reaches the decoder weights, not the state head; the probe reaches only the state head', () => {
    const model = new ConditionalTransformer(cfg, { vocabSize: tok.vocabSize, classes }, new Rng(3));
    const { examples } = encodeEntries(corpus.filter((e) => e.split === 'train'), tok, cfg, classes);
    const critic = criticTensors({ vocabSize: tok.vocabSize, classes: 3, weights: new Rng(9).normalArray(tok.vocabSize * 3), bias: new Float32Array(3), trainAccuracy: 0 });
    const batch = makeBatch(examples.slice(0, 4), tok.padId, 3);
    const vars = model.variables();
    const norms = (which: 'align' | 'probe') =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => generatorLoss(model, batch, 1, { critic })[which]!, vars);
        return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.split('/')[1], g.norm().dataSync()[0]]));
      });
    const before = tf.memory().numTensors;
    const a = norms('align');
    const p = norms('probe');
    expect(tf.memory().numTensors).toBe(before);
    for (const k of ['tok', 'pos', 'tone', 'cond1_w', 'cond2_w', 'l0.qkv_w', 'l0.ff1_w', 'l0.ff2_w', 'lnf_g', 'out_b']) expect(a[k], k).toBeGreaterThan(1e-6);
    expect(a.emo_w ?? 0).toBe(0);
    expect(p.emo_w).toBeGreaterThan(1e-6);
    for (const k of ['tok', 'cond1_w', 'l0.qkv_w', 'l0.ff2_w']) expect(p[k] ?? 0, k).toBe(0);
    // the whole loss: CE + probe + λ·align
    const parts = generatorLoss(model, batch, 0.7, { critic });
    const [loss, ce, align, probe] = [parts.loss, parts.ce, parts.align, parts.probe!].map((t) => t.dataSync()[0]);
    expect(loss).toBeCloseTo(ce + probe + 0.7 * align, 5);
    tf.dispose([parts.loss, parts.ce, parts.align, parts.probe!, critic.A, critic.b]);
    disposeBatch(batch);
    expect(() => generatorLoss(model, makeBatch(examples.slice(0, 1), tok.padId, 3), 1)).toThrow(ConfigError);
    model.dispose();
  });

  it('λ > 0 lowers the critic alignment of the output distribution more than λ = 0 (same seed)', async () => {
    const run = async (lambda: number) => {
      const r = await trainGenerator({ entries: corpus, tokenizer: tok, cfg: { ...cfg, lambda, epochs: 25, batch: 9, lr: 1e-2 }, rng: new Rng(5), classes });
      r.model.dispose();
      expect(r.critic?.trainAccuracy).toBe(1);
      return r.history[r.history.length - 1];
    };
    const off = await run(0);
    const on = await run(5);
    // the held-out texts' expected tokens read as their emotion more clearly with the term on
    expect(on.valAlign).toBeLessThan(off.valAlign - 0.02);
    expect(on.trainAlign).toBeLessThan(off.trainAlign);
  });
});
