/**
 * Paired comparison of two strategies over the same seeds/folds: the runs of
 * strategy A and B are matched on `pairBy` config keys (e.g. seed, fold),
 * then the paired t-test and Wilcoxon signed-rank test are run on the
 * matched metric values. Unmatched runs are counted and listed, never
 * dropped silently.
 */
import { DataError } from '../core/errors.js';
import { getPath, type ResultRecord } from './tables.js';
import { mean, pairedTTest, wilcoxonSignedRank, type TestResult, type WilcoxonOptions } from './stats.js';

export interface CompareOptions {
  /** Dotted config key naming the strategy, e.g. 'fusion.name'. */
  by: string;
  /** Values of `by` for the two strategies. */
  a: string;
  b: string;
  metric: string;
  /** Dotted config keys that identify a matched pair (default ['seed']). */
  pairBy?: string[];
  wilcoxon?: WilcoxonOptions;
}

export interface CompareResult {
  metric: string;
  a: string;
  b: string;
  n: number;
  meanA: number;
  meanB: number;
  /** Mean of a − b over the pairs. */
  meanDiff: number;
  tTest?: TestResult;
  wilcoxon?: TestResult;
  /** Runs that had no partner, or lacked the metric, with why. */
  unmatched: string[];
}

function pairKey(r: ResultRecord, keys: string[]): string {
  return JSON.stringify(keys.map((k) => getPath(r.config, k) ?? null));
}

export function comparePaired(records: readonly ResultRecord[], opts: CompareOptions): CompareResult {
  const pairBy = opts.pairBy ?? ['seed'];
  const side = (value: string): Map<string, ResultRecord> => {
    const m = new Map<string, ResultRecord>();
    for (const r of records) {
      if (String(getPath(r.config, opts.by)) !== value) continue;
      const k = pairKey(r, pairBy);
      if (m.has(k)) {
        throw new DataError(`compare: two runs of ${opts.by}=${value} share ${pairBy.join(', ')} = ${k} (${m.get(k)!.source ?? '?'} and ${r.source ?? '?'}); expected one run per pair key`);
      }
      m.set(k, r);
    }
    return m;
  };
  const A = side(opts.a);
  const B = side(opts.b);
  if (A.size === 0) throw new DataError(`compare: no runs with ${opts.by}=${JSON.stringify(opts.a)}`);
  if (B.size === 0) throw new DataError(`compare: no runs with ${opts.by}=${JSON.stringify(opts.b)}`);
  const xs: number[] = [];
  const ys: number[] = [];
  const unmatched: string[] = [];
  for (const [k, ra] of A) {
    const rb = B.get(k);
    if (!rb) {
      unmatched.push(`${opts.a} ${k}: no ${opts.b} run`);
      continue;
    }
    const x = ra.metrics[opts.metric];
    const y = rb.metrics[opts.metric];
    if (typeof x !== 'number' || typeof y !== 'number') {
      unmatched.push(`${k}: metric ${opts.metric} missing in ${typeof x !== 'number' ? opts.a : opts.b}`);
      continue;
    }
    xs.push(x);
    ys.push(y);
  }
  for (const k of B.keys()) if (!A.has(k)) unmatched.push(`${opts.b} ${k}: no ${opts.a} run`);
  const n = xs.length;
  if (n === 0) throw new DataError(`compare: no matched pairs of ${opts.a} and ${opts.b} on ${pairBy.join(', ')} with metric ${opts.metric}`);
  const result: CompareResult = {
    metric: opts.metric,
    a: opts.a,
    b: opts.b,
    n,
    meanA: mean(xs),
    meanB: mean(ys),
    meanDiff: mean(xs.map((x, i) => x - ys[i])),
    unmatched,
  };
  if (n >= 2) result.tTest = pairedTTest(xs, ys);
  if (xs.some((x, i) => x !== ys[i])) result.wilcoxon = wilcoxonSignedRank(xs, ys, opts.wilcoxon);
  return result;
}
