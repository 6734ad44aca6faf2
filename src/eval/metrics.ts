/**
 * Classification and regression metrics on plain arrays, with sklearn
 * semantics wherever sklearn defines the metric (checked against fixtures
 * made by scripts/fixtures/sklearn_metrics.py):
 * - every per-class and averaged figure uses `labels = 0..numClasses-1`, so a
 *   class absent from both truth and predictions still counts in macro means;
 * - `zero_division = 0`: a ratio with a zero denominator is 0;
 * - UA is `recall_score(average='macro', labels=..., zero_division=0)`. It
 *   differs from sklearn's `balanced_accuracy_score` when a class is absent
 *   from the truth: balanced accuracy averages over the classes present in
 *   y_true only, UA here averages over all `numClasses` (that class's recall
 *   is 0). `balancedAccuracy` is also exported for the other reading.
 * - WA is plain accuracy (the speech-emotion literature's "weighted accuracy").
 * Pure functions on numbers: no tensors, no tfjs (eval depends on core only).
 */
import { DataError } from '../core/errors.js';

export type Labels = ArrayLike<number>;

function checkLabels(y: Labels, field: string, numClasses: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new DataError(`${field}[${i}]: label ${v} is invalid; expected an integer in [0, ${numClasses - 1}] (numClasses=${numClasses})`);
    }
  }
}

function checkPair(yTrue: Labels, yPred: Labels, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DataError(`numClasses: ${numClasses} is invalid; expected a positive integer`);
  }
  if (yTrue.length !== yPred.length) {
    throw new DataError(`yPred: length ${yPred.length} does not match yTrue length ${yTrue.length}; expected one prediction per label`);
  }
  if (yTrue.length === 0) throw new DataError('yTrue: empty; expected at least one sample');
  checkLabels(yTrue, 'yTrue', numClasses);
  checkLabels(yPred, 'yPred', numClasses);
}

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Rows: true class, columns: predicted class (sklearn `confusion_matrix`). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses: number): number[][] {
  checkPair(yTrue, yPred, numClasses);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]]++;
  return cm;
}

export function accuracy(yTrue: Labels, yPred: Labels, numClasses: number): number {
  checkPair(yTrue, yPred, numClasses);
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** WA: weighted accuracy = overall accuracy. */
export const weightedAccuracy = accuracy;

export interface Averaged {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassReport {
  numClasses: number;
  confusion: number[][];
  /** Per class, index = class id. */
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of true samples of each class. */
  support: number[];
  /** One-vs-rest false-positive rate FP / (FP + TN), 0 when undefined. */
  fpr: number[];
  /** One-vs-rest false-negative rate FN / (FN + TP), 0 when undefined. */
  fnr: number[];
  macro: Averaged & { fpr: number; fnr: number };
  /** Averages weighted by support (sklearn average='weighted'). */
  weighted: Averaged;
  accuracy: number;
  /** Unweighted accuracy = macro recall over all numClasses. */
  ua: number;
  /** Weighted accuracy = accuracy. */
  wa: number;
}

/** Per-class figures from a confusion matrix (rows true, columns predicted). */
export function reportFromConfusion(confusion: number[][]): ClassReport {
  const k = confusion.length;
  const colSum = new Array<number>(k).fill(0);
  const rowSum = new Array<number>(k).fill(0);
  let total = 0;
  let diag = 0;
  for (let i = 0; i < k; i++) {
    if (confusion[i].length !== k) throw new DataError(`confusion[${i}]: length ${confusion[i].length}; expected ${k} (square matrix)`);
    for (let j = 0; j < k; j++) {
      rowSum[i] += confusion[i][j];
      colSum[j] += confusion[i][j];
      total += confusion[i][j];
    }
    diag += confusion[i][i];
  }
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const fpr: number[] = [];
  const fnr: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    const fp = colSum[c] - tp;
    const fn = rowSum[c] - tp;
    const tn = total - tp - fp - fn;
    const p = ratio(tp, tp + fp);
    const r = ratio(tp, tp + fn);
    precision.push(p);
    recall.push(r);
    // sklearn: F = 2PR/(P+R), 0 when P+R = 0 (zero_division=0).
    f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
    fpr.push(ratio(fp, fp + tn));
    fnr.push(ratio(fn, fn + tp));
  }
  const weightedMean = (xs: number[]): number => ratio(xs.reduce((a, x, c) => a + x * rowSum[c], 0), total);
  return {
    numClasses: k,
    confusion: confusion.map((r) => [...r]),
    precision,
    recall,
    f1,
    support: rowSum,
    fpr,
    fnr,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1), fpr: mean(fpr), fnr: mean(fnr) },
    weighted: { precision: weightedMean(precision), recall: weightedMean(recall), f1: weightedMean(f1) },
    accuracy: ratio(diag, total),
    ua: mean(recall),
    wa: ratio(diag, total),
  };
}

/** Everything per class and averaged, from integer labels and predictions. */
export function classificationReport(yTrue: Labels, yPred: Labels, numClasses: number): ClassReport {
  return reportFromConfusion(confusionMatrix(yTrue, yPred, numClasses));
}

/** UA: macro recall over all numClasses (sklearn recall_score average='macro', zero_division=0). */
export function unweightedAccuracy(yTrue: Labels, yPred: Labels, numClasses: number): number {
  return classificationReport(yTrue, yPred, numClasses).ua;
}

/** sklearn `balanced_accuracy_score`: mean recall over the classes present in yTrue only. */
export function balancedAccuracy(yTrue: Labels, yPred: Labels, numClasses: number): number {
  const r = classificationReport(yTrue, yPred, numClasses);
  const present = r.recall.filter((_, c) => r.support[c] > 0);
  return mean(present);
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Decreasing score thresholds; thresholds[0] = +Infinity (sklearn ≥ 1.3; sklearn < 1.3 used max score + 1). */
  thresholds: number[];
}

/**
 * Binary ROC curve with sklearn `roc_curve(drop_intermediate=True)`
 * semantics: one point per distinct score (ties grouped), collinear
 * intermediate points dropped, a (0, 0) point prepended. Returns undefined
 * when the truth has no positives or no negatives (the curve is undefined).
 */
export function rocCurve(yTrue: ArrayLike<number | boolean>, scores: ArrayLike<number>, dropIntermediate = true): RocCurve | undefined {
  const n = yTrue.length;
  if (scores.length !== n) throw new DataError(`scores: length ${scores.length} does not match yTrue length ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new DataError(`scores[${i}]: ${scores[i]} is invalid; expected a finite number`);
  }
  order.sort((a, b) => scores[b] - scores[a]);
  // Cumulative TP/FP at each distinct threshold (sklearn _binary_clf_curve).
  const tps: number[] = [];
  const fps: number[] = [];
  const thr: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const idx = order[i];
    if (yTrue[idx]) tp++;
    else fp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[idx]) {
      tps.push(tp);
      fps.push(fp);
      thr.push(scores[idx]);
    }
  }
  if (tp === 0 || fp === 0) return undefined;
  let keep = tps.map((_, i) => i);
  if (dropIntermediate && tps.length > 2) {
    // Keep the end points and every point where the second difference of fps or tps is non-zero.
    keep = keep.filter(
      (i) => i === 0 || i === tps.length - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0,
    );
  }
  return {
    fpr: [0, ...keep.map((i) => fps[i] / fp)],
    tpr: [0, ...keep.map((i) => tps[i] / tp)],
    thresholds: [Infinity, ...keep.map((i) => thr[i])],
  };
}

/** Area under a curve by the trapezoidal rule (x must be monotone, as ROC fpr is). */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** Binary ROC AUC (sklearn roc_auc_score); undefined when only one class is present in yTrue. */
export function rocAuc(yTrue: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | undefined {
  const c = rocCurve(yTrue, scores, false);
  return c ? trapezoidArea(c.fpr, c.tpr) : undefined;
}

export interface OvrRoc {
  /** Per class; undefined where the class has no positives or no negatives in yTrue. */
  curves: Array<RocCurve | undefined>;
  auc: Array<number | undefined>;
  /** Mean AUC over the classes where it is defined (NaN if none). */
  macroAuc: number;
  /** Classes left out of macroAuc, with the reason. */
  notes: string[];
}

/**
 * One-vs-rest ROC curves and AUCs from class probabilities (n × numClasses,
 * row-major arrays). A class absent from the truth (or present in every
 * sample) has no ROC curve: its AUC is undefined and it is excluded from the
 * macro mean, with a note. sklearn's multiclass roc_auc_score refuses such
 * input outright; where every class is defined the two agree.
 */
export function rocOvr(yTrue: Labels, proba: ArrayLike<ArrayLike<number>>, numClasses: number): OvrRoc {
  if (proba.length !== yTrue.length) throw new DataError(`proba: ${proba.length} rows do not match yTrue length ${yTrue.length}`);
  checkLabels(yTrue, 'yTrue', numClasses);
  const curves: Array<RocCurve | undefined> = [];
  const auc: Array<number | undefined> = [];
  const notes: string[] = [];
  for (let c = 0; c < numClasses; c++) {
    const scores = new Float64Array(yTrue.length);
    const truth = new Uint8Array(yTrue.length);
    for (let i = 0; i < yTrue.length; i++) {
      const row = proba[i];
      if (row.length !== numClasses) throw new DataError(`proba[${i}]: ${row.length} columns; expected numClasses=${numClasses}`);
      scores[i] = row[c];
      truth[i] = yTrue[i] === c ? 1 : 0;
    }
    const curve = rocCurve(truth, scores);
    curves.push(curve);
    auc.push(curve ? trapezoidArea(curve.fpr, curve.tpr) : undefined);
    if (!curve) {
      const pos = truth.reduce((a, b) => a + b, 0);
      notes.push(`class ${c}: AUC undefined (${pos === 0 ? 'absent from the truth' : 'present in every sample'}); excluded from macro AUC`);
    }
  }
  const defined = auc.filter((a): a is number => a !== undefined);
  return { curves, auc, macroAuc: defined.length ? mean(defined) : NaN, notes };
}

export interface SimOptions {
  /** Scale midpoint subtracted from both vectors before the cosine (0 for data in [-1, 1]; 5 for 1..9 SAM ratings). */
  midpoint?: number;
  /**
   * What a zero (centred) vector scores, where the cosine is undefined:
   * 'convention' (default): both zero → 1 (both say "neutral"), one zero → 0
   * (orthogonal: no agreement either way); 'skip': leave the pair out (counted in `skipped`).
   */
  zeroVector?: 'convention' | 'skip';
}

export interface SimResult {
  value: number;
  perSample: number[];
  n: number;
  skipped: number;
}

/** SIM (DESIGN.md): mean cosine similarity of predicted vs true arousal–valence vectors, each centred on the scale midpoint. */
export function sim(pred: ArrayLike<ArrayLike<number>>, truth: ArrayLike<ArrayLike<number>>, opts: SimOptions = {}): SimResult {
  const { midpoint = 0, zeroVector = 'convention' } = opts;
  if (pred.length !== truth.length) throw new DataError(`sim: pred has ${pred.length} vectors, truth ${truth.length}; expected the same count`);
  if (pred.length === 0) throw new DataError('sim: no vectors; expected at least one pair');
  const perSample: number[] = [];
  let skipped = 0;
  for (let i = 0; i < pred.length; i++) {
    const a = pred[i];
    const b = truth[i];
    if (a.length !== b.length) throw new DataError(`sim: pred[${i}] has ${a.length} dims, truth[${i}] ${b.length}; expected equal`);
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < a.length; d++) {
      const x = a[d] - midpoint;
      const y = b[d] - midpoint;
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new DataError(`sim: pair ${i} dim ${d}: ${a[d]} / ${b[d]}; expected finite numbers`);
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    if (na === 0 || nb === 0) {
      if (zeroVector === 'skip') {
        skipped++;
        continue;
      }
      perSample.push(na === 0 && nb === 0 ? 1 : 0);
      continue;
    }
    perSample.push(dot / Math.sqrt(na * nb));
  }
  return { value: perSample.length ? mean(perSample) : NaN, perSample, n: perSample.length, skipped };
}

export interface TsOptions {
  /** Number of final epochs (DESIGN.md: 5). */
  window?: number;
  /** 'population' (ddof=0, numpy's default; default here) or 'sample' (ddof=1). */
  std?: 'population' | 'sample';
}

/**
 * TS (DESIGN.md): 1 − std/mean of the validation metric over the last
 * `window` epochs, clipped to [0, 1]. Population std by default: the window
 * is the whole set of epochs being described, not a sample of a larger one.
 */
export function trainingStability(curve: readonly number[], opts: TsOptions = {}): number {
  const { window = 5, std = 'population' } = opts;
  if (curve.length < window) throw new DataError(`TS: ${curve.length} epoch value(s); expected at least window=${window}`);
  const last = curve.slice(-window);
  const m = mean(last);
  if (!(m > 0)) throw new DataError(`TS: mean of the last ${window} values is ${m}; expected a positive metric (accuracy-like)`);
  const ddof = std === 'sample' ? 1 : 0;
  const variance = last.reduce((a, x) => a + (x - m) ** 2, 0) / (window - ddof);
  return Math.min(1, Math.max(0, 1 - Math.sqrt(variance) / m));
}

/** numpy.percentile with the default 'linear' method; q in [0, 100]. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new DataError('percentile: no values; expected at least one');
  if (!(q >= 0 && q <= 100)) throw new DataError(`percentile: q=${q}; expected a number in [0, 100]`);
  const s = [...values].sort((a, b) => a - b);
  const h = ((s.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export interface RtSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** RT (DESIGN.md): summary of per-utterance wall-clock milliseconds. */
export function rtSummary(ms: readonly number[]): RtSummary {
  if (ms.length === 0) throw new DataError('RT: no timings; expected at least one');
  ms.forEach((v, i) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new DataError(`RT: timing[${i}] = ${v}; expected a finite non-negative number of ms`);
  });
  return {
    n: ms.length,
    mean: mean([...ms]),
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    // reduce, not Math.min(...ms): spreading 10^5+ timings overflows the call stack.
    min: ms.reduce((a, b) => Math.min(a, b), Infinity),
    max: ms.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}
