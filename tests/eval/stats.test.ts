import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  confidenceInterval,
  incompleteBeta,
  lgamma,
  meanStd,
  normalCdf,
  normalSf,
  pairedTTest,
  rankAverage,
  tCdf,
  tQuantile,
  wilcoxonSignedRank,
} from '../../src/eval/index.js';

// Produced once by scripts/fixtures/sklearn_metrics.py (scipy 1.10.1).
const fx = JSON.parse(readFileSync(new URL('../fixtures/eval/sklearn_metrics.json', import.meta.url), 'utf8'));

/** Relative tolerance against scipy, absolute below 1. */
const close = (a: number, b: number, tol: number): void => {
  if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) throw new Error(`${a} != ${b} (tol ${tol})`);
};
const relClose = (a: number, b: number, tol: number): void => {
  if (!(Math.abs(a - b) <= tol * Math.abs(b))) throw new Error(`${a} != ${b} (relative tol ${tol})`);
};

describe('Student t and normal distributions', () => {
  it('log-gamma matches scipy.special.gammaln', () => {
    for (const r of fx.lgamma) close(lgamma(r.x), r.value, 1e-14);
  });
  it('regularised incomplete beta matches scipy.special.betainc', () => {
    for (const r of fx.betainc) relClose(incompleteBeta(r.x, r.a, r.b), r.value, 1e-12);
    // Hand-derived: I_x(½,½) = (2/π)·asin(√x) (arcsine law).
    relClose(incompleteBeta(0.9, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.9)), 1e-12);
    // Hand-derived: I_x(1,1) = x; I_x(a,1) = x^a.
    expect(incompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 14);
    expect(incompleteBeta(0.5, 3, 1)).toBeCloseTo(0.125, 14);
  });
  it('t quantile matches mpmath (relative 1e-10) and scipy.stats.t.ppf (relative 1e-8) over df 0.5..1e5', () => {
    expect(fx.tQuantile.length).toBeGreaterThan(90);
    for (const r of fx.tQuantile) {
      const q = tQuantile(r.p, r.df);
      // The median is 0 exactly; scipy returns 0 or ~1e-16 there.
      if (r.qMp === 0) {
        expect(q).toBe(0);
        continue;
      }
      if (r.qMp !== null) relClose(q, r.qMp, 1e-10);
      // scipy's stdtrit is ~1e-9 off in the far tail at df=1 (636.61924943 vs 636.61924877 exact).
      relClose(q, r.q, 1e-8);
    }
  });
  it('t quantile: closed forms for df=1 (Cauchy) and df=2, and the published 95% table', () => {
    for (const p of [0.6, 0.9, 0.975, 0.999]) {
      relClose(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-10);
      relClose(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-10);
    }
    // Student t table, two-sided 95%: df 1..5, 10, 30 (3 decimals as printed).
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
    ];
    for (const [df, q] of table) expect(tQuantile(0.975, df)).toBeCloseTo(q, 3);
  });
  it('t CDF matches scipy.stats.t.cdf, including far tails', () => {
    for (const r of fx.tCdf) close(tCdf(r.t, r.df), r.cdf, 1e-12);
    for (const r of fx.tCdf.filter((x: { cdf: number }) => x.cdf < 1e-3)) relClose(tCdf(r.t, r.df), r.cdf, 1e-9);
  });
  it('normal cdf/sf match scipy (relative in the tails)', () => {
    for (const r of fx.normal) {
      relClose(normalSf(r.z), r.sf, 1e-10);
      relClose(normalCdf(r.z), r.cdf, 1e-10);
    }
  });
  it('bad parameters are refused with the value named', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p=1; expected a probability in \(0, 1\)/);
    expect(() => tQuantile(0.5, 0)).toThrow(/df=0/);
  });
});

describe('mean ± std and confidence intervals', () => {
  it('sample std (ddof=1) and Student-t CI match numpy/scipy', () => {
    for (const key of ['a', 'b', 'small', 'n10x']) {
      const v: number[] = fx.samples[key];
      const d = fx.describe[key];
      const ms = meanStd(v);
      close(ms.mean, d.mean, 1e-12);
      close(ms.std, d.std, 1e-12);
      const ci = confidenceInterval(v);
      close(ci.low, d.ci95[0], 1e-9);
      close(ci.high, d.ci95[1], 1e-9);
      const ci99 = confidenceInterval(v, 0.99);
      close(ci99.low, d.ci99[0], 1e-9);
      close(ci99.high, d.ci99[1], 1e-9);
    }
    expect(meanStd([0.7]).std).toBeNaN();
    expect(() => confidenceInterval([0.7])).toThrow(/1 value\(s\); expected at least 2/);
  });
});

describe('paired tests', () => {
  it('paired t-test matches scipy.stats.ttest_rel', () => {
    for (const r of fx.pairedT) {
      const res = pairedTTest(fx.samples[r.x], fx.samples[r.y]);
      close(res.statistic, r.statistic, 1e-9);
      relClose(res.pvalue, r.pvalue, 1e-9);
      expect(res.df).toBe(r.df);
    }
    expect(() => pairedTTest([1, 2], [1])).toThrow(/x has 2 values, y 1/);
    // Constant non-zero difference: t = ±∞, p = 0.
    expect(pairedTTest([2, 3, 4], [1, 2, 3])).toMatchObject({ statistic: Infinity, pvalue: 0 });
  });
  it('Wilcoxon signed-rank matches scipy.stats.wilcoxon (exact and normal approximation)', () => {
    expect(fx.wilcoxon.length).toBe(7);
    for (const r of fx.wilcoxon) {
      const res = wilcoxonSignedRank(r.x, r.y, { method: r.method, correction: r.correction });
      expect(res.statistic).toBe(r.statistic);
      relClose(res.pvalue, r.pvalue, 1e-9);
      // 'auto' picks exact for these small tie-free cases.
      if (r.method === 'exact') expect(wilcoxonSignedRank(r.x, r.y).method).toBe('wilcoxon exact');
    }
  });
  it('Wilcoxon exact, hand-derived: n=3 all positive → p = 2/8', () => {
    const r = wilcoxonSignedRank([1, 2, 3], [0, 0, 0]);
    expect(r).toMatchObject({ statistic: 0, pvalue: 0.25, n: 3, method: 'wilcoxon exact' });
    expect(() => wilcoxonSignedRank([1, 1], [1, 1])).toThrow(/all 2 differences are zero/);
    expect(() => wilcoxonSignedRank([1, 2, 3], [0, 1, 2], { method: 'exact' })).toThrow(/contain ties/);
  });
  it('average ranks share ties', () => {
    expect(rankAverage([10, 20, 10, 5])).toEqual([2.5, 4, 2.5, 1]);
  });
});
