import type { Rng } from '../core/rng.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { Dataset, SampleMeta } from './types.js';

/** Index arrays into a dataset. `val` is carved from the training side (early stopping, fusion weights). */
export interface Split {
  name: string;
  train: number[];
  val: number[];
  test: number[];
}

/** What splits need: `meta(i)` for every sample (cheap on every dataset). */
export type MetaSource = Pick<Dataset, 'size' | 'meta'> | SampleMeta[];

function metas(src: MetaSource): SampleMeta[] {
  if (Array.isArray(src)) return src;
  return Array.from({ length: src.size }, (_, i) => src.meta(i));
}

function checkShare(name: string, v: number, lo: number, hi: number): void {
  if (!(v >= lo && v < hi)) throw new ConfigError(`split.${name}: expected a share in [${lo}, ${hi}), got ${v}`);
}

/** Indices grouped by class, each group shuffled by `rng`. */
function byClass(ms: SampleMeta[], idx: number[], rng: Rng): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const i of idx) {
    const c = ms[i].classIndex;
    if (!m.has(c)) m.set(c, []);
    m.get(c)!.push(i);
  }
  for (const k of [...m.keys()].sort((a, b) => a - b)) rng.shuffle(m.get(k)!);
  return new Map([...m.entries()].sort((a, b) => a[0] - b[0]));
}

/** Stratified draw of round(share·n_c) from each class c; returns [taken, rest], both sorted. */
function stratifiedTake(ms: SampleMeta[], idx: number[], share: number, rng: Rng): [number[], number[]] {
  const taken: number[] = [];
  const rest: number[] = [];
  for (const list of byClass(ms, idx, rng).values()) {
    const k = Math.round(share * list.length);
    taken.push(...list.slice(0, k));
    rest.push(...list.slice(k));
  }
  return [taken.sort((a, b) => a - b), rest.sort((a, b) => a - b)];
}

export interface HoldoutOptions {
  /** Test share (paper 001: 80:20). */
  testShare?: number;
  /** Validation share of the remaining training data. */
  valShare?: number;
  stratify?: boolean;
}

/** Stratified holdout: test drawn per class, then validation drawn per class from the rest. */
export function holdoutSplit(src: MetaSource, rng: Rng, opts: HoldoutOptions = {}): Split {
  const { testShare = 0.2, valShare = 0.1, stratify = true } = opts;
  checkShare('testShare', testShare, 0, 1);
  checkShare('valShare', valShare, 0, 1);
  const ms = metas(src);
  const all = ms.map((_, i) => i);
  const take = (idx: number[], share: number, r: Rng): [number[], number[]] => {
    if (stratify) return stratifiedTake(ms, idx, share, r);
    const sh = r.shuffle([...idx]);
    const k = Math.round(share * sh.length);
    return [sh.slice(0, k).sort((a, b) => a - b), sh.slice(k).sort((a, b) => a - b)];
  };
  const [test, rest] = take(all, testShare, rng.fork('holdout:test'));
  const [val, train] = take(rest, valShare, rng.fork('holdout:val'));
  return { name: 'holdout', train, val, test };
}

export interface KFoldOptions {
  /** Number of folds (paper 000: 8). */
  k?: number;
  valShare?: number;
}

/**
 * Stratified k-fold: each class's shuffled indices are dealt round-robin to
 * the folds (starting where the previous class stopped, so fold sizes differ
 * by at most one); fold f is the test set once.
 */
export function kfoldSplits(src: MetaSource, rng: Rng, opts: KFoldOptions = {}): Split[] {
  const { k = 8, valShare = 0.1 } = opts;
  if (!Number.isInteger(k) || k < 2) throw new ConfigError(`split.k: expected an integer >= 2, got ${k}`);
  checkShare('valShare', valShare, 0, 1);
  const ms = metas(src);
  if (ms.length < k) throw new DataError(`split.k: ${k} folds need at least ${k} samples, the dataset has ${ms.length}`);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const list of byClass(ms, ms.map((_, i) => i), rng.fork('kfold')).values()) {
    for (const i of list) {
      folds[next].push(i);
      next = (next + 1) % k;
    }
  }
  return folds.map((f, fi) => {
    const rest = folds.filter((_, j) => j !== fi).flat();
    const [val, train] = stratifiedTake(ms, rest, valShare, rng.fork(`kfold:val:${fi}`));
    return { name: `fold${fi}`, train, val, test: [...f].sort((a, b) => a - b) };
  });
}

export type GroupKey = 'group' | 'speaker' | 'dialogue' | 'partition';

export interface GroupOptions {
  /** Which meta field is the group; `group` falls back to `speaker` where a dataset sets no group. */
  by?: GroupKey;
  /** Share of the training groups held out for validation (whole groups); 0 = none. */
  valShare?: number;
  /** Carve validation by whole groups (speaker-independent early stopping) or by stratified samples. */
  valBy?: 'group' | 'sample';
}

export function groupOf(m: SampleMeta, by: GroupKey): string {
  const g = by === 'group' ? (m.group ?? m.speaker) : m[by];
  if (g === undefined || g === '') throw new DataError(`sample ${m.id}: has no ${by} to split on (expected a non-empty string)`);
  return g;
}

/**
 * Leave-one-group-out (IEMOCAP sessions, DEAP subjects, SynAffect speakers):
 * one split per group, that group as test; validation groups drawn from the
 * rest. A group never appears on two sides of a split.
 */
export function groupSplits(src: MetaSource, rng: Rng, opts: GroupOptions = {}): Split[] {
  const { by = 'group', valShare = 0.1, valBy = 'group' } = opts;
  checkShare('valShare', valShare, 0, 1);
  const ms = metas(src);
  const groups = new Map<string, number[]>();
  ms.forEach((m, i) => {
    const g = groupOf(m, by);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(i);
  });
  const names = [...groups.keys()].sort();
  if (names.length < 2) throw new DataError(`split: leave-one-group-out by ${by} needs at least 2 groups, found ${names.length}`);
  return names.map((g) => {
    const others = names.filter((n) => n !== g);
    let val: number[] = [];
    let train: number[];
    if (valBy === 'group') {
      // At least one validation group when a share is asked for, and at least one training group left.
      const nVal = valShare > 0 ? Math.min(others.length - 1, Math.max(1, Math.round(valShare * others.length))) : 0;
      const shuffled = rng.fork(`group:val:${g}`).shuffle([...others]);
      const valGroups = new Set(shuffled.slice(0, nVal));
      val = others.filter((n) => valGroups.has(n)).flatMap((n) => groups.get(n)!);
      train = others.filter((n) => !valGroups.has(n)).flatMap((n) => groups.get(n)!);
    } else {
      [val, train] = stratifiedTake(ms, others.flatMap((n) => groups.get(n)!), valShare, rng.fork(`group:val:${g}`));
    }
    return { name: `${by}=${g}`, train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b), test: [...groups.get(g)!].sort((a, b) => a - b) };
  });
}

/** The dataset's own partition (e.g. MELD train/dev/test) as a split. */
export function predefinedSplit(src: MetaSource, names: { train: string; val: string; test: string } = { train: 'train', val: 'dev', test: 'test' }): Split {
  const ms = metas(src);
  const out: Split = { name: 'predefined', train: [], val: [], test: [] };
  ms.forEach((m, i) => {
    if (m.partition === names.train) out.train.push(i);
    else if (m.partition === names.val) out.val.push(i);
    else if (m.partition === names.test) out.test.push(i);
    else throw new DataError(`sample ${m.id}: partition ${JSON.stringify(m.partition)} is none of ${names.train}, ${names.val}, ${names.test}`);
  });
  return out;
}
