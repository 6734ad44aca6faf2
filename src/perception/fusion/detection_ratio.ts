/**
 * Detection-ratio weighting, paper 000 eq. 1–4, as DESIGN.md defines it:
 * on the validation split, for model m and class c,
 *   DR = TP / (TP + TN + FP + FN),  W = 1 − DR,  S = W · P,
 * and the output class is the argmax of the highest score across models
 * (`combine: max`, eq. 4) or of the summed scores (`combine: sum`).
 * TP, TN, FP, FN are one-vs-rest counts for class c, so the denominator is the
 * number of validation samples the model saw and DR_c = confusion[c][c] / N.
 */

export type Combine = 'max' | 'sum';

/** Confusion matrix, rows = true class, columns = predicted class. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  const cm = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]] += 1;
  return cm;
}

/** Per-class DR and W = 1 − DR from one model's validation confusion matrix. With N = 0, DR = 0 (W = 1). */
export function detectionRatioWeights(confusion: number[][]): { dr: number[]; w: number[]; n: number } {
  const K = confusion.length;
  let n = 0;
  for (const row of confusion) for (const v of row) n += v;
  const dr: number[] = [];
  for (let c = 0; c < K; c++) {
    const tp = confusion[c][c];
    // TP + TN + FP + FN over one-vs-rest counts is every sample.
    dr.push(n > 0 ? tp / n : 0);
  }
  return { dr, w: dr.map((d) => 1 - d), n };
}

/**
 * Scores S[m][c] = W[m][c]·P[m][c] over the present models, combined by
 * `max` (per class, the highest score of any model) or `sum`; returns the
 * combined per-class scores and the winning class. No present model → all
 * zeros and class 0 is not meaningful; callers treat it as uniform.
 */
export function combineScores(P: number[][], W: number[][], present: boolean[], combine: Combine): { scores: number[]; cls: number } {
  const K = P[0].length;
  const scores = new Array<number>(K).fill(combine === 'max' ? -Infinity : 0);
  let any = false;
  for (let m = 0; m < P.length; m++) {
    if (!present[m]) continue;
    any = true;
    for (let c = 0; c < K; c++) {
      const s = W[m][c] * P[m][c];
      scores[c] = combine === 'max' ? Math.max(scores[c], s) : scores[c] + s;
    }
  }
  if (!any) scores.fill(0);
  let cls = 0;
  for (let c = 1; c < K; c++) if (scores[c] > scores[cls]) cls = c;
  return { scores, cls };
}
