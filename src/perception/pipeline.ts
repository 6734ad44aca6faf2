import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tf } from '../core/backend.js';
import { ConfigError, DataError, show } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { Progress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { createDataset, datasetCacheKey, FeatureCache, groupSplits, hashConfig, holdoutSplit, kfoldSplits, type Dataset, type ModalityName, type Sample, type Split } from '../data/index.js';
import type { SynthTruth } from '../data/types.js';
import { MODALITIES } from '../data/types.js';
import { classificationReport, rocOvr, sim, trainingStability } from '../eval/metrics.js';
import { mean, std } from '../eval/stats.js';
import { alignToReference, scoreAlignment, type AlignOptions, type AlignSection, type AlignedSample } from './align/index.js';
import { interp1 } from './align/resample.js';
import { extractFeatures, newFeatureStats, type FeatureStats, type TextTokenizer } from './features/index.js';
import { canonicalModalities, disposeBatch, makeSet, toBatch, type PerceptionItem, type PerceptionSet } from './fusion/batch.js';
import type { FusionModel, ModalityDims } from './fusion/types.js';
import { createPerceptionModel, parseFusionConfig, zodMessage } from './model.js';
import { perceptionSectionSchema, type PerceptionSection } from './pipeline_schema.js';
import { trainPerception, type EpochRecord, type TrainResult } from './train.js';
import type { SampleFeatures } from './types.js';

/**
 * The perception pipeline as one call: dataset → split → features (cached) →
 * alignment → pooled, model-ready sets → training → test metrics. Plain data
 * in (the composed config), plain data out (metrics, confusion, ROC, the
 * alignment example) plus the trained models for inference.
 */

/** Bumped when the prepared-feature layout changes, so old cache entries are not reused. */
const PREPARED_VERSION = 1;

export interface PipelineConfig {
  dataset: Record<string, unknown>;
  perception: unknown;
  fusion: unknown;
}

export interface PipelineOptions {
  config: PipelineConfig;
  rng: Rng;
  log?: Logger;
  /** Base of a relative `perception.cache.dir` and of the default `.affectlab-cache/` (default: process.cwd()). */
  cwd?: string;
  /** The generator's tokenizer, when `perception.features.text.tokenizer` is `generator`. */
  tokenizer?: TextTokenizer;
  /** Called after every epoch of every fold (the job logs it to metrics.jsonl). */
  onEpoch?: (fold: string, record: EpochRecord) => void;
  /** Each fold checkpoints (and resumes) under `<checkpointDir>/<fold>`. */
  checkpointDir?: string;
  signal?: AbortSignal;
  progress?: (label: string, total: number) => Progress;
  /** Use this dataset instead of building one from `config.dataset` (tests, notebooks). */
  dataset?: Dataset;
}

/** Where preparation spent its time and what the caches did; nothing is skipped silently. */
export interface PrepStats {
  samples: number;
  /** Samples rendered/loaded with `dataset.get` (labels, signals or truth were needed). */
  loaded: number;
  /** Samples whose raw features were computed (feature-cache misses). */
  extracted: number;
  featureCacheHits: number;
  /** Samples whose aligned, pooled features came straight from the cache. */
  preparedCacheHits: number;
  loadS: number;
  extractS: number;
  alignS: number;
  totalS: number;
  features: FeatureStats;
  /** Per selected modality: samples where it is missing (masked in the model, not dropped). */
  missing: Partial<Record<ModalityName, number>>;
}

/** Per-column standardisation fitted on the training split (valid frames only). */
export interface NormStats {
  mean: Partial<Record<ModalityName, number[]>>;
  std: Partial<Record<ModalityName, number[]>>;
}

export interface PreparedData {
  classes: string[];
  /** Modalities the model sees (canonical order). */
  modalities: ModalityName[];
  dims: ModalityDims;
  /** Steps of the model timeline (`perception.steps`). */
  T: number;
  /** One item per dataset index. */
  items: PerceptionItem[];
  stats: PrepStats;
}

export interface RocCurveRow {
  label: string;
  fpr: number[];
  tpr: number[];
  auc: number;
}

export interface FoldResult {
  name: string;
  sizes: { train: number; val: number; test: number };
  /** Test metrics (see `testMetrics`) plus TS, epochs, best_epoch. */
  metrics: Record<string, number>;
  confusion: number[][];
  train: Omit<TrainResult, 'final'> & { final: TrainResult['final'] };
  model: FusionModel;
  norm: NormStats;
  /** Test-split ids, predicted probabilities [n·C] and arousal/valence [n·2]. */
  test: { ids: string[]; y: Int32Array; probs: Float32Array; av: Float32Array; avTrue: Float32Array };
}

/** One SynAffect alignment example: pairs (modality time, reference time), as number arrays. */
export interface AlignmentTable {
  sample: string;
  modality: ModalityName;
  truth: { t: number[]; tau: number[] };
  dtw: { t: number[]; tau: number[] };
  none: { t: number[]; tau: number[] };
}

export interface PipelineResult {
  classes: string[];
  modalities: ModalityName[];
  /** Feature width per modality and model timeline steps: what `loadModel`/`makeSet` need for inference. */
  dims: ModalityDims;
  T: number;
  fusion: string;
  split: string;
  /** Mean over folds; `<name>_std` (sample std) beside each when there are several folds. */
  metrics: Record<string, number>;
  /** Summed over folds (= the confusion of the pooled out-of-fold predictions). */
  confusion: number[][];
  /** One-vs-rest ROC of the pooled test predictions; classes without a curve are left out (see notes). */
  roc: RocCurveRow[];
  alignment?: AlignmentTable;
  folds: FoldResult[];
  prep: PrepStats;
  notes: string[];
  /** Releases every fold's model. */
  dispose(): void;
}

export function parsePerceptionSection(raw: unknown, where = 'perception'): PerceptionSection {
  const r = perceptionSectionSchema.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(zodMessage(where, r.error));
  return r.data;
}

export function cacheRoot(cfg: PerceptionSection, cwd: string): string {
  return resolve(cwd, cfg.cache.dir ?? '.affectlab-cache');
}

// ---------------------------------------------------------------------------
// Preparation: features → alignment → text embedding → pooled steps.

/**
 * Fixed pseudo-random vectors for token ids (see `perception.text`): each id's
 * vector is drawn once from an Rng seeded by (seed, id), unit-variance entries
 * scaled by 1/√dim, memoised.
 */
export class HashedTokenEmbedding {
  private readonly memo = new Map<number, Float32Array>();
  constructor(
    readonly dim: number,
    readonly seed: number,
  ) {}

  vector(id: number): Float32Array {
    let v = this.memo.get(id);
    if (!v) {
      // Id 0 is padding: the zero vector.
      v = id === 0 ? new Float32Array(this.dim) : new Rng(`text-embedding:${this.seed}:${id}`).normalArray(this.dim, 0, 1 / Math.sqrt(this.dim));
      this.memo.set(id, v);
    }
    return v;
  }

  embed(ids: Float32Array): Float32Array {
    const out = new Float32Array(ids.length * this.dim);
    for (let i = 0; i < ids.length; i++) out.set(this.vector(Math.round(ids[i])), i * this.dim);
    return out;
  }
}

/**
 * Mean-pools frames on one timeline into `steps` equal time bins over
 * [times[0], times[last]]. A sequence no longer than `steps` is kept as is; a
 * bin that receives no frame (uneven times) repeats the previous bin.
 */
export function poolSteps(times: Float32Array, values: Float32Array, dim: number, steps: number): { times: Float32Array; values: Float32Array } {
  const L = times.length;
  if (L <= steps) return { times: Float32Array.from(times), values: Float32Array.from(values) };
  const t0 = times[0];
  const span = times[L - 1] - t0;
  const sum = new Float64Array(steps * dim);
  const count = new Int32Array(steps);
  for (let j = 0; j < L; j++) {
    const b = span > 0 ? Math.min(steps - 1, Math.floor(((times[j] - t0) / span) * steps)) : 0;
    count[b]++;
    for (let c = 0; c < dim; c++) sum[b * dim + c] += values[j * dim + c];
  }
  const out = new Float32Array(steps * dim);
  const outT = new Float32Array(steps);
  for (let b = 0; b < steps; b++) {
    outT[b] = t0 + ((b + 0.5) * span) / steps;
    if (count[b] === 0) {
      if (b > 0) out.copyWithin(b * dim, (b - 1) * dim, b * dim);
      continue;
    }
    for (let c = 0; c < dim; c++) out[b * dim + c] = sum[b * dim + c] / count[b];
  }
  return { times: outT, values: out };
}

interface LabelRow {
  y: number;
  a: number;
  v: number;
}

/** `truth`: the sample's simulator ground truth, read only by `align.method: oracle` (`where` names the sample in its error). */
function prepareOne(raw: SampleFeatures, cfg: PerceptionSection, embed: HashedTokenEmbedding, truth: SynthTruth | undefined, where: string): SampleFeatures {
  let align: AlignOptions = cfg.align;
  if (cfg.align.method === 'oracle') {
    // A dataset without stored warps is a config error, not a silent fallback to `none`.
    if (!truth) throw new ConfigError(`perception.align.method: "oracle" needs ground-truth warps, which ${where} does not have; expected a simulator that stores them (dataset=synaffect), or use dtw / none`);
    align = { ...cfg.align, truthWarps: truth.warps };
  }
  const aligned = alignToReference(raw, align);
  const out: SampleFeatures = {};
  for (const m of MODALITIES) {
    const seq = aligned.features[m];
    if (!seq) continue;
    const isText = m === 'text';
    const values = isText ? embed.embed(seq.values) : seq.values;
    const dim = isText ? embed.dim : seq.dim;
    const pooled = poolSteps(aligned.times, values, dim, cfg.steps);
    out[m] = { times: pooled.times, values: pooled.values, dim };
  }
  return out;
}

function readLabels(path: string): Record<string, LabelRow> {
  if (!existsSync(path)) return {};
  try {
    return readJson<Record<string, LabelRow>>(path);
  } catch {
    return {};
  }
}

/**
 * Features for every sample of the dataset, ready for `makeSet`. Two cache
 * levels under `perception.cache.dir`: the raw features (FeatureCache keyed by
 * dataset, sample id, hash of `perception.features`), shared by every
 * alignment and model setting; and the aligned, pooled features (keyed by a
 * hash of features + align + steps + text embedding), shared by every fusion
 * strategy, modality subset and seed. Labels are kept beside them so a fully
 * cached run never renders a sample.
 */
export function prepareFeatures(ds: Dataset, cfg: PerceptionSection, opts: { cwd: string; log: Logger; tokenizer?: TextTokenizer; progress?: PipelineOptions['progress']; signal?: AbortSignal }): PreparedData {
  const t0 = performance.now();
  const log = opts.log;
  const dsModalities = canonicalModalities(ds.info.modalities, 'dataset modalities');
  const wanted = cfg.modalities ?? dsModalities;
  const modalities = canonicalModalities(wanted, 'perception.modalities');
  for (const m of modalities) {
    if (!dsModalities.includes(m)) throw new ConfigError(`perception.modalities: ${show(m)} is not provided by dataset ${show(ds.info.name)}; expected some of ${dsModalities.join(', ')}`);
  }
  const featHash = hashConfig(cfg.features);
  const prepHash = hashConfig({ v: PREPARED_VERSION, features: cfg.features, align: cfg.align, steps: cfg.steps, text: cfg.text });
  const dsKey = datasetCacheKey(ds);
  const cache = cfg.cache.enabled ? new FeatureCache(cacheRoot(cfg, opts.cwd), log) : undefined;
  const labelsPath = cache ? join(cache.root, dsKey.replace(/[^A-Za-z0-9._-]/g, '_'), `labels-${featHash}.json`) : '';
  const labels = cache ? readLabels(labelsPath) : {};
  let labelsDirty = false;
  const embed = new HashedTokenEmbedding(cfg.text.dim, cfg.text.seed);
  const featureStats = newFeatureStats();
  const stats: PrepStats = {
    samples: ds.size,
    loaded: 0,
    extracted: 0,
    featureCacheHits: 0,
    preparedCacheHits: 0,
    loadS: 0,
    extractS: 0,
    alignS: 0,
    totalS: 0,
    features: featureStats,
    missing: {},
  };
  const classes = ds.info.classes;
  const items: PerceptionItem[] = [];
  const bar = opts.progress?.('features', ds.size);
  try {
    for (let i = 0; i < ds.size; i++) {
      if (opts.signal?.aborted) throw new DataError('feature preparation aborted');
      const id = ds.meta(i).id;
      let sample: Sample | undefined;
      const load = (): Sample => {
        if (!sample) {
          const tl = performance.now();
          sample = ds.get(i);
          stats.loadS += (performance.now() - tl) / 1000;
          stats.loaded++;
          if (sample.id !== id) throw new DataError(`dataset ${ds.info.name}: get(${i}).id is ${show(sample.id)} but meta(${i}).id is ${show(id)}; expected the same sample`);
        }
        return sample;
      };
      let prepared = cache?.get(dsKey, id, prepHash);
      if (prepared) stats.preparedCacheHits++;
      else {
        let raw = cache?.get(dsKey, id, featHash);
        if (raw) stats.featureCacheHits++;
        else {
          const s = load();
          const te = performance.now();
          raw = extractFeatures(s, cfg.features, { tokenizer: opts.tokenizer, log, stats: featureStats });
          stats.extractS += (performance.now() - te) / 1000;
          stats.extracted++;
          cache?.put(dsKey, id, featHash, raw);
        }
        const ta = performance.now();
        const truth = cfg.align.method === 'oracle' && Object.keys(raw).length > 0 ? load().truth : undefined;
        prepared = Object.keys(raw).length > 0 ? prepareOne(raw, cfg, embed, truth, `dataset ${show(ds.info.name)} sample ${id}`) : {};
        stats.alignS += (performance.now() - ta) / 1000;
        cache?.put(dsKey, id, prepHash, prepared);
      }
      let lab = labels[id];
      if (!lab) {
        const l = load().labels;
        lab = { y: l.classIndex, a: l.arousal, v: l.valence };
        labels[id] = lab;
        labelsDirty = true;
      }
      const features: PerceptionItem['features'] = {};
      for (const m of modalities) {
        const f = prepared[m];
        if (f && f.times.length > 0) features[m] = { values: f.values, dim: f.dim, T: f.times.length };
        else stats.missing[m] = (stats.missing[m] ?? 0) + 1;
      }
      items.push({ id, features, classIndex: lab.y, arousal: lab.a, valence: lab.v });
      bar?.tick(1);
    }
  } finally {
    bar?.stop();
    if (cache && labelsDirty) writeJsonAtomic(labelsPath, labels);
  }
  if (cache) {
    log.info(`features: ${stats.extracted} extracted, ${stats.featureCacheHits} raw + ${stats.preparedCacheHits} prepared cache hits, ${stats.loaded} samples loaded (${cache.root})`);
  }
  const dims: ModalityDims = {};
  for (const m of modalities) {
    const it = items.find((x) => x.features[m]);
    if (!it) throw new DataError(`perception.modalities: no sample of dataset ${show(ds.info.name)} has ${m} features (all missing or empty); drop it from the modalities`);
    dims[m] = it.features[m]!.dim;
  }
  for (const [m, n] of Object.entries(stats.missing)) if (n! > 0) log.info(`features: ${n}/${ds.size} samples lack ${m} (masked in the model, not dropped)`);
  stats.totalS = (performance.now() - t0) / 1000;
  return { classes, modalities, dims, T: cfg.steps, items, stats };
}

/**
 * One sample → a model-ready item on the same path as `prepareFeatures`
 * (features → alignment → text embedding → pooled steps), uncached: the
 * batch-1 inference path (the pipeline job's RT). Null when none of
 * `modalities` is present (the caller counts it).
 */
export function prepareSample(
  sample: Sample,
  cfg: PerceptionSection,
  modalities: readonly ModalityName[],
  opts: { embed?: HashedTokenEmbedding; tokenizer?: TextTokenizer; stats?: FeatureStats; log?: Logger } = {},
): PerceptionItem | null {
  const raw = extractFeatures(sample, cfg.features, { tokenizer: opts.tokenizer, log: opts.log, stats: opts.stats });
  if (Object.keys(raw).length === 0) return null;
  const prepared = prepareOne(raw, cfg, opts.embed ?? new HashedTokenEmbedding(cfg.text.dim, cfg.text.seed), sample.truth, `sample ${sample.id}`);
  const features: PerceptionItem['features'] = {};
  for (const m of modalities) {
    const f = prepared[m];
    if (f && f.times.length > 0) features[m] = { values: f.values, dim: f.dim, T: f.times.length };
  }
  if (Object.keys(features).length === 0) return null;
  const l = sample.labels;
  return { id: sample.id, features, classIndex: l.classIndex, arousal: l.arousal, valence: l.valence };
}

// ---------------------------------------------------------------------------
// Splits, normalisation, evaluation.

export function splitsFor(ds: Dataset, cfg: PerceptionSection, rng: Rng): Split[] {
  const s = cfg.split;
  let splits: Split[];
  if (s.method === 'holdout') splits = [holdoutSplit(ds, rng.fork('split'), { testShare: s.testShare, valShare: s.valShare, stratify: s.stratify })];
  else if (s.method === 'kfold') splits = kfoldSplits(ds, rng.fork('split'), { k: s.k, valShare: s.valShare });
  else splits = groupSplits(ds, rng.fork('split'), { by: s.by, valShare: s.valShare, valBy: s.valBy });
  if (s.folds !== null && s.method !== 'holdout') splits = splits.slice(0, s.folds);
  for (const sp of splits) {
    for (const part of ['train', 'val', 'test'] as const) {
      if (sp[part].length === 0) throw new DataError(`perception.split (${sp.name}): the ${part} side is empty for a dataset of ${ds.size} samples; use a larger dataset or other shares`);
    }
  }
  return splits;
}

/** Column means/stds over the valid frames (time mask × presence) of `set`. */
export function fitNorm(set: PerceptionSet): NormStats {
  const out: NormStats = { mean: {}, std: {} };
  const M = set.modalities.length;
  set.modalities.forEach((m, j) => {
    const D = set.dims[m]!;
    const x = set.x[m]!;
    const s1 = new Float64Array(D);
    const s2 = new Float64Array(D);
    let n = 0;
    for (let i = 0; i < set.n; i++) {
      if (set.presence[i * M + j] === 0) continue;
      for (let t = 0; t < set.T; t++) {
        if (set.timeMask[i * set.T + t] === 0) continue;
        const o = (i * set.T + t) * D;
        for (let c = 0; c < D; c++) {
          s1[c] += x[o + c];
          s2[c] += x[o + c] * x[o + c];
        }
        n++;
      }
    }
    const mu = Array.from(s1, (v) => (n > 0 ? v / n : 0));
    // A constant column keeps unit scale instead of dividing by ~0.
    const sd = Array.from(s2, (v, c) => {
      const varc = n > 0 ? v / n - mu[c] * mu[c] : 0;
      return varc > 1e-12 ? Math.sqrt(varc) : 1;
    });
    out.mean[m] = mu;
    out.std[m] = sd;
  });
  return out;
}

/** Standardises `set` in place on its valid frames; padding and missing modalities stay zero. */
export function applyNorm(set: PerceptionSet, norm: NormStats): void {
  const M = set.modalities.length;
  set.modalities.forEach((m, j) => {
    const D = set.dims[m]!;
    const x = set.x[m]!;
    const mu = norm.mean[m]!;
    const sd = norm.std[m]!;
    for (let i = 0; i < set.n; i++) {
      if (set.presence[i * M + j] === 0) continue;
      for (let t = 0; t < set.T; t++) {
        if (set.timeMask[i * set.T + t] === 0) continue;
        const o = (i * set.T + t) * D;
        for (let c = 0; c < D; c++) x[o + c] = (x[o + c] - mu[c]) / sd[c];
      }
    }
  });
}

/** `item` standardised with `norm` (a copy; modalities without statistics are dropped, as the model has no input for them). */
export function normalizeItem(item: PerceptionItem, norm: NormStats): PerceptionItem {
  const features: PerceptionItem['features'] = {};
  for (const [m, f] of Object.entries(item.features) as [ModalityName, NonNullable<PerceptionItem['features'][ModalityName]>][]) {
    const mu = norm.mean[m];
    const sd = norm.std[m];
    if (!mu || !sd) continue;
    if (mu.length !== f.dim) throw new DataError(`${item.id ?? 'item'}: features.${m}.dim ${f.dim}; the normalisation statistics have ${mu.length} columns`);
    const v = new Float32Array(f.values.length);
    for (let i = 0; i < v.length; i++) v[i] = (f.values[i] - mu[i % f.dim]) / sd[i % f.dim];
    features[m] = { values: v, dim: f.dim, T: f.T };
  }
  return { ...item, features };
}

export interface SplitSets {
  train: PerceptionSet;
  val: PerceptionSet;
  test: PerceptionSet;
  /** Training-split statistics (identity when `perception.normalize` is off). */
  norm: NormStats;
  /** Dataset indices of each set's items, in set order. */
  indices: { train: number[]; val: number[]; test: number[] };
  /** Items with none of the selected modalities left out per part (`dropEmpty`), counted and logged. */
  skipped: { train: number; val: number; test: number };
}

/**
 * Model-ready train/val/test sets of one split, standardised with statistics
 * fitted on the training side only. By default an item with every modality
 * missing stays in (fully masked: the model sees the missingness); with
 * `dropEmpty` it is left out, counted in `skipped` and logged.
 */
export function splitSets(
  data: PreparedData,
  split: { train: readonly number[]; val: readonly number[]; test: readonly number[] },
  opts: { normalize: boolean; dropEmpty?: boolean; log?: Logger },
): SplitSets {
  const C = data.classes.length;
  const skipped = { train: 0, val: 0, test: 0 };
  const indices = { train: [] as number[], val: [] as number[], test: [] as number[] };
  const pick = (part: 'train' | 'val' | 'test') => {
    for (const i of split[part]) {
      if (i < 0 || i >= data.items.length) throw new DataError(`split.${part}: index ${i}; expected one in [0, ${data.items.length})`);
      if (opts.dropEmpty && Object.keys(data.items[i].features).length === 0) skipped[part]++;
      else indices[part].push(i);
    }
    if (skipped[part] > 0) opts.log?.warn(`perception: ${skipped[part]} ${part} sample(s) have none of [${data.modalities}] and were left out`);
    return makeSet(indices[part].map((i) => data.items[i]), data.modalities, data.dims, data.T, { nClasses: C });
  };
  const train = pick('train');
  const val = pick('val');
  const test = pick('test');
  const norm = opts.normalize ? fitNorm(train) : { mean: {}, std: {} };
  if (opts.normalize) for (const s of [train, val, test]) applyNorm(s, norm);
  return { train, val, test, norm, indices, skipped };
}

/** Class probabilities [n·C] and arousal/valence [n·2] for a whole set, one read-back per chunk. */
export function predictSet(model: FusionModel, set: PerceptionSet, batchSize: number): { probs: Float32Array; av: Float32Array } {
  const C = model.nClasses;
  const probs = new Float32Array(set.n * C);
  const av = new Float32Array(set.n * 2);
  for (let start = 0; start < set.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.n - start) }, (_, k) => start + k);
    const batch = toBatch(set, idx);
    const [p, a] = tf.tidy(() => {
      const out = model.forward(batch, false);
      // Late fusion returns log-probabilities: softmax renormalises them to the same probabilities.
      return [tf.softmax(out.logits), out.av];
    });
    probs.set(p.dataSync() as Float32Array, start * C);
    av.set(a.dataSync() as Float32Array, start * 2);
    tf.dispose([p, a]);
    disposeBatch(batch);
  }
  return { probs, av };
}

/**
 * Test metrics with src/eval (sklearn-checked): ACC, UA (macro recall over
 * all classes), WA (= ACC), macro and weighted precision/recall/F1, macro
 * one-vs-rest FPR and FNR, macro AUC (classes with a defined curve), SIM.
 */
export function testMetrics(y: Int32Array, probs: Float32Array, av: Float32Array, avTrue: Float32Array, C: number): { metrics: Record<string, number>; confusion: number[][]; rocNotes: string[] } {
  const n = y.length;
  const pred = new Int32Array(n);
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = probs.subarray(i * C, (i + 1) * C);
    rows.push(row);
    let best = 0;
    for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
    pred[i] = best;
  }
  const r = classificationReport(y, pred, C);
  const roc = rocOvr(y, rows, C);
  const pairs = (a: Float32Array) => Array.from({ length: n }, (_, i) => [a[2 * i], a[2 * i + 1]]);
  const s = sim(pairs(av), pairs(avTrue));
  return {
    metrics: {
      ACC: r.accuracy,
      UA: r.ua,
      WA: r.wa,
      P_macro: r.macro.precision,
      R_macro: r.macro.recall,
      F1_macro: r.macro.f1,
      P_weighted: r.weighted.precision,
      R_weighted: r.weighted.recall,
      F1_weighted: r.weighted.f1,
      FPR_macro: r.macro.fpr,
      FNR_macro: r.macro.fnr,
      AUC_macro: roc.macroAuc,
      SIM: s.value,
    },
    confusion: r.confusion,
    rocNotes: roc.notes,
  };
}

// ---------------------------------------------------------------------------
// Alignment scoring against SynAffect's ground-truth warps.

interface WarpScores {
  dtw: Partial<Record<ModalityName, number>>;
  none: Partial<Record<ModalityName, number>>;
}

/**
 * Mean absolute warp error (s) of dtw and of none on up to `limit` test
 * samples that carry ground truth, per warped modality; cached beside the
 * features (keyed by the align settings other than the method) because it
 * needs the rendered samples. Also returns one example for the report.
 */
function scoreWarps(
  ds: Dataset,
  indices: number[],
  cfg: PerceptionSection,
  opts: { cwd: string; log: Logger; tokenizer?: TextTokenizer },
): { metrics: Record<string, number>; example?: AlignmentTable } {
  const limit = Math.min(cfg.alignScoreSamples, indices.length);
  if (limit === 0) return { metrics: {} };
  const featHash = hashConfig(cfg.features);
  const { method: _m, ...alignRest } = cfg.align;
  const scoreHash = hashConfig({ v: PREPARED_VERSION, features: cfg.features, align: alignRest });
  const cache = cfg.cache.enabled ? new FeatureCache(cacheRoot(cfg, opts.cwd), opts.log) : undefined;
  const dsKey = datasetCacheKey(ds);
  const path = cache ? join(cache.root, dsKey.replace(/[^A-Za-z0-9._-]/g, '_'), `warp-${scoreHash}.json`) : '';
  const stored: Record<string, WarpScores | null> = cache && existsSync(path) ? readJson(path) : {};
  let dirty = false;
  let example: AlignmentTable | undefined;
  const byMethod = (method: 'dtw' | 'none'): AlignSection => ({ ...cfg.align, method });
  const rawOf = (s: Sample): SampleFeatures =>
    cache?.get(dsKey, s.id, featHash) ?? extractFeatures(s, cfg.features, { tokenizer: opts.tokenizer, log: opts.log });
  const chosen = indices.slice(0, limit);
  for (const i of chosen) {
    const id = ds.meta(i).id;
    const needExample = example === undefined;
    if (stored[id] !== undefined && !needExample) continue;
    const s = ds.get(i);
    if (!s.truth) {
      stored[id] = null;
      dirty = true;
      continue;
    }
    const raw = rawOf(s);
    if (Object.keys(raw).length === 0) {
      stored[id] = null;
      dirty = true;
      continue;
    }
    const al: Record<'dtw' | 'none', AlignedSample> = { dtw: alignToReference(raw, byMethod('dtw')), none: alignToReference(raw, byMethod('none')) };
    const cat = cfg.align.categorical;
    const sc: WarpScores = { dtw: scoreAlignment(al.dtw, s.truth, cat), none: scoreAlignment(al.none, s.truth, cat) };
    if (stored[id] === undefined) {
      stored[id] = sc;
      dirty = true;
    }
    if (needExample) {
      // The warped modality with the most frames makes the clearest picture.
      const cands = (Object.keys(sc.dtw) as ModalityName[]).filter((m) => raw[m]);
      if (cands.length > 0) {
        const m = cands.reduce((a, b) => (raw[b]!.times.length > raw[a]!.times.length ? b : a));
        const truthWarp = s.truth.warps[m]!;
        const refTruth = s.truth.warps[al.dtw.anchor];
        // Truth as (modality time, reference time) at the modality's frame times: true time mapped back onto the anchor's clock.
        const tt = Array.from(raw[m]!.times);
        const tau = tt.map((t) => {
          const trueT = interp1(truthWarp.t, truthWarp.tau, t);
          return refTruth ? interp1(refTruth.tau, refTruth.t, trueT) : trueT;
        });
        const asPairs = (w: { src: Float32Array; ref: Float32Array }) => ({ t: Array.from(w.src), tau: Array.from(w.ref) });
        example = { sample: id, modality: m, truth: { t: tt, tau }, dtw: asPairs(al.dtw.warps[m]!), none: asPairs(al.none.warps[m]!) };
      }
    }
  }
  if (cache && dirty) writeJsonAtomic(path, stored);
  const metrics: Record<string, number> = {};
  for (const method of ['dtw', 'none'] as const) {
    const all: number[] = [];
    const per: Partial<Record<ModalityName, number[]>> = {};
    for (const i of chosen) {
      const sc = stored[ds.meta(i).id];
      if (!sc) continue;
      for (const [m, e] of Object.entries(sc[method]) as [ModalityName, number][]) {
        all.push(e);
        (per[m] ??= []).push(e);
      }
    }
    if (all.length === 0) continue;
    metrics[`warp_err_${method}`] = mean(all);
    for (const [m, e] of Object.entries(per)) metrics[`warp_err_${method}_${m}`] = mean(e!);
    metrics.warp_n = chosen.filter((i) => stored[ds.meta(i).id]).length;
  }
  return { metrics, example };
}


// ---------------------------------------------------------------------------
// The pipeline.

function aggregate(folds: FoldResult[]): Record<string, number> {
  const keys = Object.keys(folds[0].metrics);
  const out: Record<string, number> = {};
  for (const k of keys) {
    const vals = folds.map((f) => f.metrics[k]).filter((v) => Number.isFinite(v));
    out[k] = vals.length ? mean(vals) : NaN;
    if (folds.length > 1) out[`${k}_std`] = vals.length > 1 ? std(vals) : NaN;
  }
  return out;
}

/**
 * Runs the whole perception experiment described by `config` and returns
 * plain data plus the trained models (`result.dispose()` frees them).
 */
export async function runPerceptionPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const log = opts.log ?? silentLogger;
  const cwd = opts.cwd ?? process.cwd();
  const cfg = parsePerceptionSection(opts.config.perception);
  const fusionCfg = parseFusionConfig(opts.config.fusion);
  if (cfg.features.text.tokenizer === 'generator' && !opts.tokenizer) {
    throw new ConfigError('perception.features.text.tokenizer: "generator" needs the generator\'s tokenizer, which the perception job does not build; set it to "hash"');
  }
  const ds = opts.dataset ?? createDataset(opts.config.dataset as { name?: unknown } & Record<string, unknown>, { rng: opts.rng.fork('dataset'), log: log.child('data') });
  const data = prepareFeatures(ds, cfg, { cwd, log, tokenizer: opts.tokenizer, progress: opts.progress, signal: opts.signal });
  log.info(
    `features: ${data.stats.samples} samples in ${data.stats.totalS.toFixed(1)} s (load ${data.stats.loadS.toFixed(1)} s, extract ${data.stats.extractS.toFixed(1)} s, align+pool ${data.stats.alignS.toFixed(1)} s)`,
  );
  const splits = splitsFor(ds, cfg, opts.rng);
  const C = data.classes.length;
  const notes: string[] = [];
  const folds: FoldResult[] = [];
  const disposeAll = () => folds.forEach((f) => f.model.dispose());
  try {
    for (const sp of splits) {
      const foldName = splits.length === 1 ? 'holdout' : sp.name;
      const { train, val, test, norm } = splitSets(data, sp, { normalize: cfg.normalize });
      const foldRng = opts.rng.fork(`fold/${sp.name}`);
      const model = createPerceptionModel(fusionCfg, data.dims, C, foldRng, cfg.train);
      let tr: TrainResult;
      try {
        tr = await trainPerception({
          train,
          val,
          model,
          cfg: cfg.train,
          rng: foldRng,
          log,
          onEpoch: (rec) => opts.onEpoch?.(foldName, rec),
          checkpointDir: opts.checkpointDir ? join(opts.checkpointDir, foldName.replace(/[^A-Za-z0-9._-]/g, '_')) : undefined,
          signal: opts.signal,
          progress: opts.progress,
        });
      } catch (e) {
        model.dispose();
        throw e;
      }
      const { probs, av } = predictSet(model, test, cfg.train.evalBatchSize);
      const tm = testMetrics(test.y, probs, av, test.av, C);
      for (const note of tm.rocNotes) notes.push(`${foldName}: ${note}`);
      const monitor = cfg.train.monitor === 'val_loss' ? 'UA' : cfg.train.monitor;
      const curve = tr.history.map((h) => h[monitor]);
      const metrics: Record<string, number> = { ...tm.metrics, epochs: tr.history.length, best_epoch: tr.bestEpoch };
      if (curve.length >= 5 && mean(curve.slice(-5)) > 0) metrics.TS = trainingStability(curve);
      else notes.push(`${foldName}: TS needs 5 epochs with a positive validation ${monitor}; ${curve.length} ran`);
      folds.push({
        name: foldName,
        sizes: { train: train.n, val: val.n, test: test.n },
        metrics,
        confusion: tm.confusion,
        train: tr,
        model,
        norm,
        test: { ids: test.ids, y: test.y, probs, av, avTrue: test.av },
      });
      log.info(`${fusionCfg.name} ${foldName}: test ACC=${tm.metrics.ACC.toFixed(4)} UA=${tm.metrics.UA.toFixed(4)} F1_macro=${tm.metrics.F1_macro.toFixed(4)} SIM=${tm.metrics.SIM.toFixed(4)} (n=${test.n})`);
      if (opts.signal?.aborted) break;
    }
    const metrics = aggregate(folds);
    // Pooled test predictions: out-of-fold for kfold/group, the one test split for holdout.
    const yAll = Int32Array.from(folds.flatMap((f) => Array.from(f.test.y)));
    const probsAll = new Float32Array(yAll.length * C);
    let off = 0;
    for (const f of folds) {
      probsAll.set(f.test.probs, off);
      off += f.test.probs.length;
    }
    const rows = Array.from({ length: yAll.length }, (_, i) => probsAll.subarray(i * C, (i + 1) * C));
    const roc = rocOvr(yAll, rows, C);
    const rocRows: RocCurveRow[] = [];
    roc.curves.forEach((c, k) => {
      if (c) rocRows.push({ label: data.classes[k], fpr: c.fpr, tpr: c.tpr, auc: roc.auc[k]! });
    });
    const confusion = folds[0].confusion.map((row, i) => row.map((_, j) => folds.reduce((a, f) => a + f.confusion[i][j], 0)));
    metrics.folds = folds.length;
    metrics.n_test = yAll.length;
    metrics.prep_s = data.stats.totalS;
    metrics.extract_ms_per_sample = data.stats.extracted > 0 ? (1000 * data.stats.extractS) / data.stats.extracted : 0;
    metrics.features_extracted = data.stats.extracted;
    metrics.feature_cache_hits = data.stats.featureCacheHits + data.stats.preparedCacheHits;
    metrics.params = folds[0].model.countParams();

    // Alignment quality: dtw vs none against the ground-truth warps (the first fold's test samples).
    const warp = scoreWarps(ds, splits[0].test, cfg, { cwd, log, tokenizer: opts.tokenizer });
    Object.assign(metrics, warp.metrics);
    if (warp.metrics.warp_err_dtw !== undefined) {
      log.info(`alignment: mean |warp error| dtw=${warp.metrics.warp_err_dtw.toFixed(4)} s, none=${warp.metrics.warp_err_none.toFixed(4)} s over ${warp.metrics.warp_n} test samples`);
    }
    return {
      classes: data.classes,
      modalities: data.modalities,
      dims: data.dims,
      T: data.T,
      fusion: fusionCfg.name,
      split: cfg.split.method,
      metrics,
      confusion,
      roc: rocRows,
      alignment: warp.example,
      folds,
      prep: data.stats,
      notes,
      dispose: disposeAll,
    };
  } catch (e) {
    disposeAll();
    throw e;
  }
}
