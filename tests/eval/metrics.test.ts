import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import {
  accuracy,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  percentile,
  rocAuc,
  rocCurve,
  rocOvr,
  rtSummary,
  sim,
  trainingStability,
  unweightedAccuracy,
  weightedAccuracy,
} from '../../src/eval/index.js';

// Produced once by scripts/fixtures/sklearn_metrics.py (sklearn 1.2.1, scipy 1.10.1, numpy 1.24.2).
const fx = JSON.parse(readFileSync(new URL('../fixtures/eval/sklearn_metrics.json', import.meta.url), 'utf8'));

interface Case {
  name: string;
  numClasses: number;
  yTrue: number[];
  yPred: number[];
  proba: number[][];
  accuracy: number;
  recallMacro: number;
  balancedAccuracy: number;
  confusion: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  fpr: number[];
  fnr: number[];
  fprMacro: number;
  fnrMacro: number;
  roc: Array<{ fpr: number[]; tpr: number[]; thresholds: Array<number | null> } | null>;
  auc: Array<number | null>;
  aucMacro: number | null;
  aucMacroSklearnOvr?: number;
}

const cases: Case[] = fx.classification;
const close = (a: number, b: number, tol = 1e-9): void => {
  if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) throw new Error(`${a} != ${b} (tol ${tol})`);
};
const closeAll = (a: readonly number[], b: readonly number[], tol = 1e-9): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => close(v, b[i], tol));
};

describe('classification metrics match sklearn (labels=0..K-1, zero_division=0)', () => {
  it('the fixture covers the edge cases', () => {
    expect(cases.map((c) => c.name)).toEqual(['basic', 'never_predicted', 'absent_from_truth', 'single_class', 'perfect', 'all_wrong', 'binary']);
  });
  for (const c of cases) {
    it(`${c.name}: confusion, accuracy/WA, UA, per-class and averaged P/R/F1, FPR/FNR`, () => {
      expect(confusionMatrix(c.yTrue, c.yPred, c.numClasses)).toEqual(c.confusion);
      const r = classificationReport(c.yTrue, c.yPred, c.numClasses);
      close(accuracy(c.yTrue, c.yPred, c.numClasses), c.accuracy);
      close(weightedAccuracy(c.yTrue, c.yPred, c.numClasses), c.accuracy);
      close(r.wa, c.accuracy);
      close(unweightedAccuracy(c.yTrue, c.yPred, c.numClasses), c.recallMacro);
      close(r.ua, c.recallMacro);
      close(balancedAccuracy(c.yTrue, c.yPred, c.numClasses), c.balancedAccuracy);
      closeAll(r.precision, c.precision);
      closeAll(r.recall, c.recall);
      closeAll(r.f1, c.f1);
      expect(r.support).toEqual(c.support);
      for (const k of ['precision', 'recall', 'f1'] as const) {
        close(r.macro[k], c.macro[k]);
        close(r.weighted[k], c.weighted[k]);
      }
      closeAll(r.fpr, c.fpr);
      closeAll(r.fnr, c.fnr);
      close(r.macro.fpr, c.fprMacro);
      close(r.macro.fnr, c.fnrMacro);
    });
    it(`${c.name}: one-vs-rest ROC curves (drop_intermediate) and AUC`, () => {
      const ovr = rocOvr(c.yTrue, c.proba, c.numClasses);
      for (let k = 0; k < c.numClasses; k++) {
        const want = c.roc[k];
        const got = ovr.curves[k];
        if (want === null) {
          expect(got).toBeUndefined();
          expect(ovr.auc[k]).toBeUndefined();
          continue;
        }
        expect(got).toBeDefined();
        closeAll(got!.fpr, want.fpr);
        closeAll(got!.tpr, want.tpr);
        // sklearn 1.2 puts max+1 as the first threshold, sklearn >= 1.3 (and we) +Infinity; the rest must agree.
        expect(got!.thresholds[0]).toBe(Infinity);
        closeAll(got!.thresholds.slice(1), want.thresholds.slice(1) as number[]);
        close(ovr.auc[k]!, c.auc[k]!);
      }
      if (c.aucMacro === null) expect(ovr.macroAuc).toBeNaN();
      else close(ovr.macroAuc, c.aucMacro);
      if (c.aucMacroSklearnOvr !== undefined) close(ovr.macroAuc, c.aucMacroSklearnOvr);
      expect(ovr.notes.length).toBe(c.auc.filter((a) => a === null).length);
    });
  }

  it('absent class: UA averages over all K (0 recall), balanced accuracy over present classes, with a note for AUC', () => {
    const c = cases.find((x) => x.name === 'absent_from_truth')!;
    const r = classificationReport(c.yTrue, c.yPred, c.numClasses);
    expect(r.recall[3]).toBe(0);
    expect(r.ua).toBeLessThan(balancedAccuracy(c.yTrue, c.yPred, c.numClasses));
    expect(rocOvr(c.yTrue, c.proba, c.numClasses).notes[0]).toMatch(/class 3: AUC undefined \(absent from the truth\)/);
  });

  it('hand-checked binary ROC with ties', () => {
    // Scores 0.9(+) 0.8(-) 0.8(+) 0.3(-): thresholds 0.9, 0.8, 0.3 → (0,.5) (.5,1) (1,1).
    // AUC = P(s+ > s-) + ½P(tie) over the 4 pairs = (1 + 1 + ½ + 1)/4 = .875.
    const c = rocCurve([1, 0, 1, 0], [0.9, 0.8, 0.8, 0.3])!;
    expect(c.fpr).toEqual([0, 0, 0.5, 1]);
    expect(c.tpr).toEqual([0, 0.5, 1, 1]);
    expect(rocAuc([1, 0, 1, 0], [0.9, 0.8, 0.8, 0.3])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeUndefined();
  });

  it('bad input names the field, the value and what was expected', () => {
    expect(() => accuracy([0, 1], [0], 2)).toThrow(/yPred: length 1 does not match yTrue length 2/);
    expect(() => accuracy([0, 3], [0, 1], 3)).toThrow(DataError);
    expect(() => accuracy([0, 3], [0, 1], 3)).toThrow(/yTrue\[1\]: label 3 is invalid; expected an integer in \[0, 2\]/);
    expect(() => accuracy([0, 1.5], [0, 1], 3)).toThrow(/yTrue\[1\]/);
    expect(() => rocOvr([0, 1], [[0.5, 0.5], [0.2]], 2)).toThrow(/proba\[1\]: 1 columns/);
  });
});

describe('SIM', () => {
  it('matches numpy on [-1, 1] data and on a 1..9 scale with midpoint 5', () => {
    const r = sim(fx.sim.pred, fx.sim.true);
    close(r.value, fx.sim.value);
    closeAll(r.perSample, fx.sim.perSample);
    close(sim(fx.sim.predSam, fx.sim.trueSam, { midpoint: 5 }).value, fx.sim.value, 1e-9);
  });
  it('zero vectors: both zero → 1, one zero → 0; or skipped and counted', () => {
    const pred = [
      [0, 0],
      [0, 0],
      [1, 0],
      [0.5, 0.5],
    ];
    const truth = [
      [0, 0],
      [0.3, -0.2],
      [0, 0],
      [1, 1],
    ];
    const r = sim(pred, truth);
    expect(r.perSample).toEqual([1, 0, 0, 1]);
    expect(r.value).toBe(0.5);
    const s = sim(pred, truth, { zeroVector: 'skip' });
    expect(s).toMatchObject({ n: 1, skipped: 3, value: 1 });
    // Opposite vectors: -1 (hand-derived).
    expect(sim([[0.2, -0.4]], [[-0.1, 0.2]]).value).toBeCloseTo(-1, 12);
  });
});

describe('TS and RT', () => {
  it('TS: 1 - std/mean over the last 5 epochs, population by default, sample as an option', () => {
    close(trainingStability(fx.ts.curve), fx.ts.population);
    close(trainingStability(fx.ts.curve, { std: 'sample' }), fx.ts.sample);
    expect(trainingStability([0.5, 0.5, 0.5, 0.5, 0.5])).toBe(1);
    // Wildly varying metric: 1 - std/mean < 0 → clipped to 0.
    expect(trainingStability([0.01, 1, 0.01, 0.01, 0.01])).toBe(0);
    expect(() => trainingStability([0.1, 0.2])).toThrow(/2 epoch value\(s\); expected at least window=5/);
  });
  it('RT: numpy percentile (linear) p50/p95, mean, min, max', () => {
    const r = rtSummary(fx.rt.ms);
    close(r.p50, fx.rt.p50);
    close(r.p95, fx.rt.p95);
    close(r.mean, fx.rt.mean);
    expect([r.min, r.max, r.n]).toEqual([fx.rt.min, fx.rt.max, fx.rt.ms.length]);
    // Hand-derived: [1,2,3,4], q=95 → h = 2.85 → 3 + 0.85 = 3.85.
    expect(percentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    expect(() => rtSummary([1, -2])).toThrow(/timing\[1\] = -2/);
  });
});
