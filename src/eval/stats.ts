/**
 * Statistics for comparing runs: mean ± std, Student-t confidence intervals,
 * paired t-test and Wilcoxon signed-rank test (scipy semantics; checked
 * against scipy 1.10 fixtures).
 *
 * The t distribution is hand-written because no installed package provides
 * it (mathjs has gamma/erf but no incomplete beta or t quantile;
 * vega-statistics only has normal/uniform/lognormal). The regularised
 * incomplete beta uses the Lentz continued fraction (Numerical Recipes §6.4)
 * and the quantile inverts it by bisection to floating-point resolution,
 * which is slow-ish (microseconds × ~100) but cannot diverge.
 * log Γ is hand-written too: mathjs's `lgamma` is ~2e-12 off at 0.5 and
 * importing mathjs costs ~2 s of CPU.
 */
import { DataError } from '../core/errors.js';

const EPS = 1e-16;
const TINY = 1e-300;

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients): ~1e-15 relative for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function finiteValues(values: readonly number[], field: string): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new DataError(`${field}[${i}] = ${v}; expected a finite number`);
  });
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new DataError('mean: no values; expected at least one');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (ddof = 1, as numpy `std(ddof=1)` / pandas); NaN for a single value. */
export function std(values: readonly number[], ddof = 1): number {
  const m = mean(values);
  if (values.length - ddof <= 0) return NaN;
  return Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / (values.length - ddof));
}

export interface MeanStd {
  n: number;
  mean: number;
  /** Sample std (ddof=1); NaN when n = 1. */
  std: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  finiteValues(values, 'meanStd');
  return { n: values.length, mean: mean(values), std: std(values, 1) };
}

/** Continued fraction for the incomplete beta (modified Lentz). */
function betacf(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b) (scipy.special.betainc(a, b, x)). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new DataError(`incompleteBeta: a=${a}, b=${b}; expected positive shape parameters`);
  if (!(x >= 0 && x <= 1)) throw new DataError(`incompleteBeta: x=${x}; expected a number in [0, 1]`);
  if (x === 0 || x === 1) return x;
  const lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lbt) * betacf(x, a, b)) / a;
  return 1 - (Math.exp(lbt) * betacf(1 - x, b, a)) / b;
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new DataError(`Student t: df=${df}; expected a positive finite number`);
}

/** Tail mass P(T > |t|) computed without cancellation. */
function tTail(t: number, df: number): number {
  const x = df / (df + t * t);
  return 0.5 * incompleteBeta(x, df / 2, 0.5);
}

/** Student t CDF (scipy.stats.t.cdf). */
export function tCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = tTail(t, df);
  return t > 0 ? 1 - tail : tail;
}

/** Student t quantile (scipy.stats.t.ppf), p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new DataError(`tQuantile: p=${p}; expected a probability in (0, 1)`);
  if (p === 0.5) return 0;
  // Solve tail(x) = min(p, 1-p) for x = df/(df+t²) ∈ (0, 1]; the tail grows with x.
  const target = Math.min(p, 1 - p);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 2000; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (0.5 * incompleteBeta(mid, df / 2, 0.5) < target) lo = mid;
    else hi = mid;
  }
  const x = 0.5 * (lo + hi);
  const t = Math.sqrt((df * (1 - x)) / x);
  return p > 0.5 ? t : -t;
}

/** Upper regularised incomplete gamma Q(a, x) (continued fraction / series, Numerical Recipes §6.2). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const gln = lgamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let n = 0; n < 10000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - gln) * h;
}

/** Standard normal survival function P(Z > z), accurate in the far tail. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2);
  return z >= 0 ? tail : 1 - tail;
}

export function normalCdf(z: number): number {
  return normalSf(-z);
}

export interface ConfidenceInterval {
  n: number;
  mean: number;
  std: number;
  level: number;
  low: number;
  high: number;
  /** Half-width t · s/√n. */
  halfWidth: number;
}

/** Student-t CI of the mean (scipy.stats.t.interval(level, n-1, mean, sem)); needs n ≥ 2. */
export function confidenceInterval(values: readonly number[], level = 0.95): ConfidenceInterval {
  finiteValues(values, 'confidenceInterval');
  if (values.length < 2) throw new DataError(`confidenceInterval: ${values.length} value(s); expected at least 2`);
  if (!(level > 0 && level < 1)) throw new DataError(`confidenceInterval: level=${level}; expected a number in (0, 1)`);
  const n = values.length;
  const m = mean(values);
  const s = std(values, 1);
  const halfWidth = tQuantile(0.5 + level / 2, n - 1) * (s / Math.sqrt(n));
  return { n, mean: m, std: s, level, low: m - halfWidth, high: m + halfWidth, halfWidth };
}

export interface TestResult {
  statistic: number;
  pvalue: number;
  n: number;
  /** Which computation gave the p-value. */
  method: string;
  df?: number;
}

function pairedDiffs(x: readonly number[], y: readonly number[], what: string): number[] {
  if (x.length !== y.length) throw new DataError(`${what}: x has ${x.length} values, y ${y.length}; expected paired samples of equal length`);
  finiteValues(x, `${what} x`);
  finiteValues(y, `${what} y`);
  return x.map((v, i) => v - y[i]);
}

/**
 * Paired t-test of x − y (scipy.stats.ttest_rel, two-sided). If every
 * difference is equal the statistic is ±Infinity (p = 0) or, when they are
 * all zero, NaN (p = NaN), as in scipy.
 */
export function pairedTTest(x: readonly number[], y: readonly number[]): TestResult {
  const d = pairedDiffs(x, y, 'pairedTTest');
  if (d.length < 2) throw new DataError(`pairedTTest: ${d.length} pair(s); expected at least 2`);
  const n = d.length;
  const m = mean(d);
  const s = std(d, 1);
  const statistic = m / (s / Math.sqrt(n));
  const pvalue = Number.isNaN(statistic) ? NaN : 2 * tCdf(-Math.abs(statistic), n - 1);
  return { statistic, pvalue: Math.min(1, pvalue), n, df: n - 1, method: 'paired t' };
}

/** Average ranks (1-based) with ties sharing the mean rank (scipy rankdata 'average'). */
export function rankAverage(values: readonly number[]): number[] {
  const idx = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Counts of subsets of {1..n} by their sum: the exact null distribution of W+ (×2^n). */
function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = max; s >= k; s--) c[s] += c[s - k];
  return c;
}

export interface WilcoxonOptions {
  /** 'auto' (default): exact when n ≤ 50 and there are no tied |differences|, else the normal approximation. */
  method?: 'auto' | 'exact' | 'approx';
  /** Continuity correction in the normal approximation (scipy default false). */
  correction?: boolean;
}

/**
 * Wilcoxon signed-rank test of x − y, two-sided, zero differences dropped
 * (scipy zero_method='wilcox'). Statistic = min(W+, W−) as scipy reports.
 * Exact p from the null distribution of W+ (2·min(P(W+ ≤ w), P(W+ ≥ w)),
 * 1 at the centre); the approximation uses the tie-corrected variance.
 * 'auto' goes exact only without ties (scipy ≥ 1.11 behaviour; scipy 1.10
 * went exact with ties and truncated the mid-rank sum). Exact with ties is
 * refused rather than silently approximated.
 */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[], opts: WilcoxonOptions = {}): TestResult {
  const { method = 'auto', correction = false } = opts;
  const all = pairedDiffs(x, y, 'wilcoxon');
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) throw new DataError(`wilcoxon: all ${all.length} differences are zero; the test is undefined`);
  const ranks = rankAverage(d.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  d.forEach((v, i) => {
    if (v > 0) wPlus += ranks[i];
    else wMinus += ranks[i];
  });
  const statistic = Math.min(wPlus, wMinus);
  const tieSizes = new Map<number, number>();
  for (const r of ranks) tieSizes.set(r, (tieSizes.get(r) ?? 0) + 1);
  const hasTies = [...tieSizes.values()].some((t) => t > 1);
  const exact = method === 'exact' || (method === 'auto' && n <= 50 && !hasTies);
  if (exact) {
    if (hasTies) throw new DataError(`wilcoxon: method=exact but the ${n} non-zero |differences| contain ties; use method=approx`);
    // 2^n must stay a finite double.
    if (n > 1000) throw new DataError(`wilcoxon: method=exact with n=${n} non-zero differences; expected n ≤ 1000 (use method=approx)`);
    const counts = signedRankCounts(n);
    const total = 2 ** n;
    const w = Math.round(wPlus);
    let pvalue: number;
    if (w === (counts.length - 1) / 2) pvalue = 1;
    else {
      let less = 0;
      let greater = 0;
      for (let s = 0; s < counts.length; s++) {
        if (s <= w) less += counts[s];
        if (s >= w) greater += counts[s];
      }
      pvalue = Math.min(1, (2 * Math.min(less, greater)) / total);
    }
    return { statistic, pvalue, n, method: 'wilcoxon exact' };
  }
  const mn = (n * (n + 1)) / 4;
  let se = n * (n + 1) * (2 * n + 1);
  for (const t of tieSizes.values()) if (t > 1) se -= 0.5 * t * (t * t - 1);
  se = Math.sqrt(se / 24);
  const cc = correction ? 0.5 * Math.sign(statistic - mn) : 0;
  const z = (statistic - mn - cc) / se;
  return { statistic, pvalue: Math.min(1, 2 * normalSf(Math.abs(z))), n, method: correction ? 'wilcoxon normal approx, continuity corrected' : 'wilcoxon normal approx' };
}
