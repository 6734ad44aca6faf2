/**
 * Small local metric helpers for the perception loop (ACC, UA, weighted F1,
 * SIM as DESIGN.md defines them). To be switched to `src/eval/metrics.ts`
 * (sklearn-checked) once it lands; the definitions follow sklearn:
 *  - UA = macro recall over the classes present in y_true (balanced_accuracy_score);
 *  - F1w = per-class F1 weighted by true support (f1_score average='weighted',
 *    zero_division=0).
 */

export interface ClassificationMetrics {
  ACC: number;
  UA: number;
  F1w: number;
}

export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): ClassificationMetrics {
  const n = yTrue.length;
  if (n === 0) return { ACC: NaN, UA: NaN, F1w: NaN };
  const tp = new Array<number>(nClasses).fill(0);
  const support = new Array<number>(nClasses).fill(0);
  const predicted = new Array<number>(nClasses).fill(0);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    support[yTrue[i]] += 1;
    predicted[yPred[i]] += 1;
    if (yTrue[i] === yPred[i]) {
      tp[yTrue[i]] += 1;
      correct += 1;
    }
  }
  let recallSum = 0;
  let present = 0;
  let f1w = 0;
  for (let c = 0; c < nClasses; c++) {
    if (support[c] === 0) continue;
    present += 1;
    const recall = tp[c] / support[c];
    recallSum += recall;
    const precision = predicted[c] > 0 ? tp[c] / predicted[c] : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    f1w += (support[c] / n) * f1;
  }
  return { ACC: correct / n, UA: recallSum / present, F1w: f1w };
}

/**
 * SIM: mean cosine similarity between predicted and true (arousal, valence)
 * vectors centred on the scale midpoint (0 on affectlab's [-1, 1] scale).
 * A zero vector has no direction: its cosine counts as 0 (torch's
 * cosine_similarity with eps gives the same).
 */
export function simAV(pred: ArrayLike<number>, truth: ArrayLike<number>, midpoint = 0): number {
  const n = truth.length / 2;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const pa = pred[2 * i] - midpoint;
    const pv = pred[2 * i + 1] - midpoint;
    const ta = truth[2 * i] - midpoint;
    const tv = truth[2 * i + 1] - midpoint;
    const den = Math.hypot(pa, pv) * Math.hypot(ta, tv);
    s += den > 1e-12 ? (pa * ta + pv * tv) / den : 0;
  }
  return s / n;
}
