/**
 * Detection-ratio weighting, paper 000 eq. 1–4: on the validation split, per
 * model m and class c a weight W[m][c], scores S = W · P, and the output class
 * is the argmax of the highest score across models (`combine: max`, eq. 4) or
 * of the summed scores (`combine: sum`).
 *
 * How W is read from the validation confusion (`weighting`):
 * - `literal`: DESIGN.md / eq. 1–2 as written, DR = TP / (TP + TN + FP + FN),
 *   W = 1 − DR. TP, TN, FP, FN are one-vs-rest counts for class c, so the
 *   denominator is every validation sample and DR_c = confusion[c][c] / N.
 *   This *lowers* the weight of the classes a model gets right (a perfect
 *   model on K balanced classes gets W = 1 − 1/K on every class, a model that
 *   never gets c right keeps W = 1) and, with K = 7, W only spans [0.86, 1].
 * - `precision` (default): W = (TP + α) / (TP + FP + 2α), the share of the
 *   model's class-c predictions that were right, with α pseudo-counts
 *   (`smoothing`) so a class the model never predicted gets 1/2, not 0/0. Read
 *   as "how far to trust this model when it says c", which is what S = W · P
 *   followed by a max over models needs; the paper's "detection ratio" with
 *   the weight increasing in detection quality.
 * - `recall`: W = (TP + α) / (TP + FN + 2α), the class's detection rate (a
 *   model that predicts c for everything gets W = 1 on c, so it is the
 *   alternative, not the default).
 */

export type Combine = 'max' | 'sum';
export type DrWeighting = 'literal' | 'precision' | 'recall';
export const DR_WEIGHTINGS: readonly DrWeighting[] = ['literal', 'precision', 'recall'];

/** Confusion matrix, rows = true class, columns = predicted class. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  const cm = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]] += 1;
  return cm;
}

/**
 * Per-class weights from one model's validation confusion matrix (rows = true
 * class), read as `weighting` says (see the module comment); `dr` is the
 * literal DR = TP / N whatever the reading. With N = 0 every weight is 1
 * (literal) or 1/2 (precision, recall: the prior), i.e. neutral across classes.
 */
export function detectionRatioWeights(confusion: number[][], weighting: DrWeighting = 'literal', smoothing = 1): { dr: number[]; w: number[]; n: number } {
  if (!DR_WEIGHTINGS.includes(weighting)) throw new RangeError(`detection-ratio weighting ${JSON.stringify(weighting)}; expected one of ${DR_WEIGHTINGS.join(', ')}`);
  if (!(smoothing >= 0)) throw new RangeError(`detection-ratio smoothing ${smoothing}; expected a number ≥ 0`);
  const K = confusion.length;
  let n = 0;
  for (const row of confusion) for (const v of row) n += v;
  const dr: number[] = [];
  const w: number[] = [];
  for (let c = 0; c < K; c++) {
    const tp = confusion[c][c];
    let predicted = 0; // TP + FP: column c
    for (let r = 0; r < K; r++) predicted += confusion[r][c];
    let actual = 0; // TP + FN: row c
    for (const v of confusion[c]) actual += v;
    // TP + TN + FP + FN over one-vs-rest counts is every sample.
    dr.push(n > 0 ? tp / n : 0);
    const ratio = (den: number) => (den + 2 * smoothing > 0 ? (tp + smoothing) / (den + 2 * smoothing) : 0.5);
    w.push(weighting === 'literal' ? 1 - dr[c] : ratio(weighting === 'precision' ? predicted : actual));
  }
  return { dr, w, n };
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
