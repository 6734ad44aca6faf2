// Detection-ratio late fusion (paper 000 eq. 1–4, DESIGN.md definition): hand-computed
// weights and decisions, and the tensor implementation inside late_dr agreeing with them.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { makeBatch, disposeBatch } from '../../src/perception/fusion/batch.js';
import { combineScores, confusionMatrix, detectionRatioWeights } from '../../src/perception/fusion/detection_ratio.js';
import type { LateFusion } from '../../src/perception/fusion/late.js';
import { createPerceptionModel } from '../../src/perception/model.js';
import { synthItems } from './fusion_synth.js';

beforeAll(async () => {
  await initBackend('auto');
});

describe('detection ratio by hand', () => {
  // rows = true, cols = predicted; N = 10.
  const cm = [
    [3, 1, 0],
    [1, 2, 1],
    [0, 0, 2],
  ];
  const round = (v: number[]) => v.map((x) => +x.toFixed(12));

  it('literal: DR = TP / N per class, W = 1 − DR, from a 3-class confusion matrix', () => {
    const { dr, w, n } = detectionRatioWeights(cm, 'literal');
    expect(n).toBe(10);
    // class 0: TP=3, FP=1, FN=1, TN=5 → 3/10; class 1: TP=2 → 2/10; class 2: TP=2 → 2/10.
    expect(round(dr)).toEqual([0.3, 0.2, 0.2]);
    expect(round(w)).toEqual([0.7, 0.8, 0.8]);
  });

  it('precision (default reading): W = (TP + α)/(TP + FP + 2α); recall: W = (TP + α)/(TP + FN + 2α)', () => {
    // Column sums (predicted): 4, 3, 3; row sums (true): 4, 4, 2.
    // α = 0: precision 3/4, 2/3, 2/3; recall 3/4, 2/4, 2/2.
    expect(round(detectionRatioWeights(cm, 'precision', 0).w)).toEqual(round([3 / 4, 2 / 3, 2 / 3]));
    expect(round(detectionRatioWeights(cm, 'recall', 0).w)).toEqual(round([3 / 4, 1 / 2, 1]));
    // α = 1: (3+1)/(4+2), (2+1)/(3+2), (2+1)/(3+2); recall (3+1)/(4+2), (2+1)/(4+2), (2+1)/(2+2).
    expect(round(detectionRatioWeights(cm, 'precision', 1).w)).toEqual(round([4 / 6, 3 / 5, 3 / 5]));
    expect(round(detectionRatioWeights(cm, 'recall', 1).w)).toEqual(round([4 / 6, 3 / 6, 3 / 4]));
    // The literal DR is reported whatever the reading.
    expect(round(detectionRatioWeights(cm, 'precision').dr)).toEqual([0.3, 0.2, 0.2]);
  });

  it('the literal reading down-weights the classes a model gets right; precision up-weights them', () => {
    // Model A is perfect on class 0 and always wrong on class 1 (predicts 0 or 2 for it).
    const a = [
      [5, 0, 0],
      [3, 0, 2],
      [0, 0, 5],
    ];
    const lit = detectionRatioWeights(a, 'literal').w;
    expect(lit[0]).toBeLessThan(lit[1]); // 1 − 5/15 < 1 − 0/15
    const prec = detectionRatioWeights(a, 'precision', 1).w;
    // class 0: (5+1)/(8+2) = 0.6; class 1: never predicted → (0+1)/(0+2) = 0.5; class 2: (5+1)/(7+2) = 2/3.
    expect(round(prec)).toEqual(round([0.6, 0.5, 2 / 3]));
    // An empty confusion matrix is neutral: literal 1, precision/recall the prior 1/2.
    const empty = [
      [0, 0],
      [0, 0],
    ];
    expect(detectionRatioWeights(empty, 'literal').w).toEqual([1, 1]);
    expect(detectionRatioWeights(empty, 'recall', 1).w).toEqual([0.5, 0.5]);
    expect(detectionRatioWeights(empty, 'precision', 0).w).toEqual([0.5, 0.5]);
    expect(() => detectionRatioWeights(a, 'f1' as never)).toThrow(/weighting "f1"; expected one of literal, precision, recall/);
  });

  it('confusion matrix counts rows = true, columns = predicted', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
  });

  it('combine: max (eq. 4) and sum pick different classes on a hand example', () => {
    const P = [
      [0.7, 0.3, 0.0], // audio
      [0.0, 0.55, 0.45], // face
    ];
    const W = [
      [0.8, 1, 1],
      [1, 1, 1],
    ];
    // S_audio = [0.56, 0.30, 0], S_face = [0, 0.55, 0.45]
    const mx = combineScores(P, W, [true, true], 'max');
    expect(mx.scores.map((x) => +x.toFixed(12))).toEqual([0.56, 0.55, 0.45]);
    expect(mx.cls).toBe(0);
    const sm = combineScores(P, W, [true, true], 'sum');
    expect(sm.scores.map((x) => +x.toFixed(12))).toEqual([0.56, 0.85, 0.45]);
    expect(sm.cls).toBe(1);
    // An absent model does not vote.
    expect(combineScores(P, W, [false, true], 'max').cls).toBe(1);
  });
});

describe('late_dr model', () => {
  const dims = { audio: 4, face: 3 };
  const T = 5;
  const cases = [
    { combine: 'max', weighting: 'literal' },
    { combine: 'sum', weighting: 'literal' },
    { combine: 'max', weighting: undefined }, // the default: precision, α = 1
    { combine: 'sum', weighting: 'recall' },
  ] as const;
  for (const { combine, weighting } of cases) {
    it(`fitFusion sets W (${weighting ?? 'default = precision'}) from each modality's validation predictions, and forward applies S = W·P with combine=${combine}`, () => {
      const model = createPerceptionModel({ name: 'late_dr', hidden: 6, combine, ...(weighting ? { weighting } : {}) }, dims, 3, new Rng(11)) as LateFusion;
      const items = synthItems({ n: 30, T, dims, signal: { audio: 1 }, pMissing: 0.25, seed: 5 });
      const val = makeBatch(items, ['audio', 'face'], dims, T);
      // Per-modality probabilities from the untrained model (any predictions will do for the check).
      const out = model.forward(val, false);
      const Pm = out.parts!.map((p) => tf.softmax(p.logits).arraySync() as number[][]);
      tf.dispose(out as any);
      const pres = val.presence.arraySync() as number[][];
      const y = Array.from(val.y.dataSync());
      // Hand-rolled counts per modality and class over the samples where the modality is present.
      const expectW = Pm.map((P, m) => {
        const tp = [0, 0, 0];
        const predicted = [0, 0, 0];
        const actual = [0, 0, 0];
        let n = 0;
        P.forEach((p, b) => {
          if (!pres[b][m]) return;
          n++;
          const pred = p.indexOf(Math.max(...p));
          predicted[pred]++;
          actual[y[b]]++;
          if (pred === y[b]) tp[pred]++;
        });
        if (weighting === 'literal') return tp.map((t) => 1 - t / n);
        const den = weighting === 'recall' ? actual : predicted;
        return tp.map((t, c) => (t + 1) / (den[c] + 2));
      });
      const report = model.fitFusion(val);
      const W = model.getWeights().find((w) => w.name === 'fusion_w')!;
      expect(Array.from(W.values)).toEqual(expectW.flat().map((v) => Math.fround(v)));
      expect(report.weights!.audio.map((v) => Math.fround(v))).toEqual(expectW[0].map((v) => Math.fround(v)));
      expect(report.skipped!.audio + report.skipped!.face).toBeGreaterThan(0);
      // Fused output = normalised combineScores of the same P and W.
      const fused = model.forward(val, false);
      const probs = tf.exp(fused.logits).arraySync() as number[][];
      for (let b = 0; b < y.length; b++) {
        const ref = combineScores(
          Pm.map((P) => P[b]),
          expectW,
          pres[b].map((v) => v > 0),
          combine,
        );
        const tot = ref.scores.reduce((a, c) => a + c, 0);
        ref.scores.forEach((s, c) => expect(probs[b][c]).toBeCloseTo(s / tot, 5));
      }
      tf.dispose([fused.logits, fused.av, fused.embedding, ...fused.parts!.flatMap((p) => [p.logits, p.av, p.mask])]);
      disposeBatch(val);
      model.dispose();
    });
  }
});

describe('late_learned model', () => {
  const dims = { audio: 4, face: 3 };
  const T = 5;
  const partProbs = (model: LateFusion, batch: ReturnType<typeof makeBatch>) => {
    const out = model.forward(batch, false);
    const P = out.parts!.map((p) => tf.softmax(p.logits).arraySync() as number[][]);
    const fused = tf.exp(out.logits).arraySync() as number[][];
    tf.dispose([out.logits, out.av, out.embedding, ...out.parts!.flatMap((p) => [p.logits, p.av, p.mask])]);
    return { P, fused };
  };
  const nll = (fused: number[][], y: number[]) => -fused.reduce((a, p, b) => a + Math.log(p[y[b]]), 0) / y.length;

  it('before fitting, pool=prob is the mean and pool=logprob the normalised product of the present modalities', () => {
    const batch = makeBatch(synthItems({ n: 8, T, dims, signal: { audio: 1 }, pMissing: 0.3, seed: 6 }), ['audio', 'face'], dims, T);
    const pres = batch.presence.arraySync() as number[][];
    for (const pool of ['prob', 'logprob'] as const) {
      const model = createPerceptionModel({ name: 'late_learned', hidden: 5, pool }, dims, 3, new Rng(12)) as LateFusion;
      const { P, fused } = partProbs(model, batch);
      fused.forEach((row, b) => {
        const present = [0, 1].filter((m) => pres[b][m] > 0);
        const ref = [0, 1, 2].map((c) => (pool === 'prob' ? present.reduce((a, m) => a + P[m][b][c], 0) / present.length : present.reduce((a, m) => a * P[m][b][c], 1)));
        const tot = ref.reduce((a, v) => a + v, 0);
        row.forEach((v, c) => expect(v).toBeCloseTo(ref[c] / tot, 5));
      });
      model.dispose();
    }
    disposeBatch(batch);
  });

  for (const pool of ['prob', 'logprob'] as const) {
    it(`fitFusion (pool=${pool}) lowers the validation NLL of the fused output`, () => {
      const model = createPerceptionModel({ name: 'late_learned', hidden: 5, pool, granularity: 'class', fitSteps: 60 }, dims, 3, new Rng(13)) as LateFusion;
      const val = makeBatch(synthItems({ n: 24, T, dims, signal: { audio: 1 }, pMissing: 0.2, seed: 9 }), ['audio', 'face'], dims, T);
      const y = Array.from(val.y.dataSync());
      const before = nll(partProbs(model, val).fused, y);
      const report = model.fitFusion(val);
      const after = nll(partProbs(model, val).fused, y);
      expect(after).toBeLessThan(before - 1e-3);
      expect(report.weights!.audio).toHaveLength(3);
      disposeBatch(val);
      model.dispose();
    });
  }
});
