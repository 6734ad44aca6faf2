import { DataError } from '../../core/errors.js';
import type { MonitorConfig } from '../config.js';
import { cosine } from '../../core/vector.js';

/** The consistency monitor's verdict on one generated text (paper 001 §2.2). */
export interface ConsistencyReport {
  /** cos(emotion of each prefix, intent target), one per trend row. */
  cosines: number[];
  /** Cosine of the whole text's emotion with the target (the last row). */
  final: number;
  /** Least-squares slope of the cosines per step (negative = trending away). */
  slope: number;
  drift: boolean;
  /** Why drift was flagged ('low_cosine', 'trending_away'), empty when none. */
  reasons: string[];
}

export { cosine };

/** Least-squares slope of ys against 0, 1, 2, …; 0 for fewer than two points. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (ys[i] - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}

/**
 * Scores a generated text's emotion trend (the emotion head over each prefix)
 * against the intent's target emotion: drift when the final cosine is below
 * `min_cosine`, or when the cosine trends away (slope below `min_slope`).
 */
export function checkConsistency(trend: readonly (readonly number[])[], target: readonly number[], cfg: MonitorConfig): ConsistencyReport {
  if (trend.length === 0) throw new DataError('consistency monitor: empty emotion trend; expected at least one row');
  const cosines = trend.map((row, i) => {
    if (row.length !== target.length) throw new DataError(`consistency monitor: trend[${i}] has ${row.length} classes; expected ${target.length}`);
    return cosine(row, target);
  });
  const final = cosines[cosines.length - 1];
  const s = slope(cosines);
  const reasons: string[] = [];
  if (final < cfg.min_cosine) reasons.push('low_cosine');
  if (s < cfg.min_slope) reasons.push('trending_away');
  return { cosines, final, slope: s, drift: reasons.length > 0, reasons };
}
