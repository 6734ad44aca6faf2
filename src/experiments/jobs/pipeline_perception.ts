// Dataset → features → DTW alignment → PerceptionSet glue for the `pipeline` job.
// Written here because `src/perception/pipeline.ts` (percep-pipeline branch) had not
// landed when this job was built; once it does, this file should call it instead.
import { DataError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Progress } from '../../core/progress.js';
import type { Dataset, ModalityName, Sample } from '../../data/types.js';
import { alignOptionsFrom, alignSectionSchema, alignToReference, type AlignOptions, type AlignSection } from '../../perception/align/index.js';
import { extractFeatures, featuresSectionSchema, newFeatureStats, type FeaturesSection, type FeatureStats } from '../../perception/features/index.js';
import { makeSet, type PerceptionItem, type PerceptionSet } from '../../perception/fusion/batch.js';
import type { ModalityDims } from '../../perception/fusion/types.js';
import { zodMessage } from '../../perception/model.js';
import { ConfigError } from '../../core/errors.js';

/** One sample on the shared timeline, before normalisation. */
export interface AlignedItem extends PerceptionItem {
  id: string;
}

/** Per modality, per feature column: train-split mean and std (z-scoring; features mix Hz, bpm, log energies). */
export type Standardizer = Partial<Record<ModalityName, { mean: Float32Array; std: Float32Array }>>;

export interface PerceptionPrep {
  features: FeaturesSection;
  align: AlignOptions;
  modalities: ModalityName[];
}

export function parsePrep(perception: Record<string, unknown> | undefined, modalities: ModalityName[]): PerceptionPrep {
  const f = featuresSectionSchema.safeParse(perception?.features ?? {});
  if (!f.success) throw new ConfigError(zodMessage('perception.features', f.error));
  const a = alignSectionSchema.safeParse(perception?.align ?? {});
  if (!a.success) throw new ConfigError(zodMessage('perception.align', a.error));
  const features = f.data;
  // Extract only what the model uses: a modality left out is never computed.
  for (const m of ['audio', 'face', 'physio', 'text'] as const) if (!modalities.includes(m)) features[m].enabled = false;
  return { features, align: alignOptionsFrom(a.data as AlignSection), modalities };
}

/**
 * Features of one sample on the shared timeline (batch-1 path, also timed for
 * RT). Returns null when no selected modality is present (the caller counts it).
 */
export function alignSample(sample: Sample, prep: PerceptionPrep, stats?: FeatureStats, log?: Logger): AlignedItem | null {
  const feats = extractFeatures(sample, prep.features, { stats, log });
  const present = prep.modalities.filter((m) => feats[m] !== undefined && feats[m]!.times.length > 0);
  if (present.length === 0) return null;
  const kept = Object.fromEntries(present.map((m) => [m, feats[m]]));
  const aligned = alignToReference(kept, prep.align);
  const T = aligned.times.length;
  const features: PerceptionItem['features'] = {};
  for (const m of present) {
    const s = aligned.features[m]!;
    features[m] = { values: s.values, dim: s.dim, T };
  }
  return { id: sample.id, features, classIndex: sample.labels.classIndex, arousal: sample.labels.arousal, valence: sample.labels.valence };
}

/** Column means/stds over every frame of the training items (std floored at 1e-6 so constant columns stay finite). */
export function fitStandardizer(items: readonly AlignedItem[], dims: ModalityDims): Standardizer {
  const out: Standardizer = {};
  for (const [m, D] of Object.entries(dims) as [ModalityName, number][]) {
    const sum = new Float64Array(D);
    const sq = new Float64Array(D);
    let n = 0;
    for (const it of items) {
      const f = it.features[m];
      if (!f) continue;
      for (let t = 0; t < f.T; t++) {
        for (let d = 0; d < D; d++) {
          const v = f.values[t * D + d];
          sum[d] += v;
          sq[d] += v * v;
        }
        n++;
      }
    }
    if (n === 0) throw new DataError(`perception: no training sample has ${m} features; drop ${m} from pipeline.modalities`);
    const mean = new Float32Array(D);
    const std = new Float32Array(D);
    for (let d = 0; d < D; d++) {
      mean[d] = sum[d] / n;
      std[d] = Math.max(Math.sqrt(Math.max(sq[d] / n - mean[d] * mean[d], 0)), 1e-6);
    }
    out[m] = { mean, std };
  }
  return out;
}

export function standardize(item: AlignedItem, z: Standardizer): AlignedItem {
  const features: PerceptionItem['features'] = {};
  for (const [m, f] of Object.entries(item.features) as [ModalityName, NonNullable<PerceptionItem['features'][ModalityName]>][]) {
    const s = z[m];
    if (!s) continue;
    const D = f.dim;
    const v = new Float32Array(f.values.length);
    for (let i = 0; i < v.length; i++) v[i] = (f.values[i] - s.mean[i % D]) / s.std[i % D];
    features[m] = { values: v, dim: D, T: f.T };
  }
  return { ...item, features };
}

export interface PreparedSplits {
  train: PerceptionSet;
  val: PerceptionSet;
  test: PerceptionSet;
  dims: ModalityDims;
  T: number;
  standardizer: Standardizer;
  stats: FeatureStats;
  /** Samples with none of the selected modalities, per split (counted and logged, not silently dropped). */
  skipped: { train: number; val: number; test: number };
  /** Test-split dataset indices kept, in set order. */
  testIndices: number[];
}

/** Builds standardised train/val/test sets; widths from the data, normalisation fitted on train only. */
export function prepareSplits(
  dataset: Dataset,
  split: { train: number[]; val: number[]; test: number[] },
  prep: PerceptionPrep,
  opts: { log: Logger; progress?: (label: string, total: number) => Progress; signal?: AbortSignal },
): PreparedSplits {
  const stats = newFeatureStats();
  const skipped = { train: 0, val: 0, test: 0 };
  const total = split.train.length + split.val.length + split.test.length;
  const bar = opts.progress?.('features+align', total);
  const items: Record<'train' | 'val' | 'test', AlignedItem[]> = { train: [], val: [], test: [] };
  const testIndices: number[] = [];
  for (const which of ['train', 'val', 'test'] as const) {
    for (const i of split[which]) {
      if (opts.signal?.aborted) throw new DataError('perception: interrupted during feature extraction');
      const it = alignSample(dataset.get(i), prep, stats, opts.log);
      bar?.tick(1);
      if (!it) {
        skipped[which]++;
        continue;
      }
      items[which].push(it);
      if (which === 'test') testIndices.push(i);
    }
  }
  bar?.stop();
  for (const [w, n] of Object.entries(skipped)) if (n > 0) opts.log.warn(`perception: ${n} ${w} sample(s) have none of [${prep.modalities}] and were skipped`);
  const dims: ModalityDims = {};
  let T = 0;
  for (const it of [...items.train, ...items.val, ...items.test]) {
    for (const [m, f] of Object.entries(it.features) as [ModalityName, { dim: number; T: number }][]) {
      if (dims[m] !== undefined && dims[m] !== f.dim) throw new DataError(`${it.id}: features.${m}.dim ${f.dim}; other samples have ${dims[m]}`);
      dims[m] = f.dim;
      T = Math.max(T, f.T);
    }
  }
  const mods = prep.modalities.filter((m) => dims[m] !== undefined);
  const lacking = prep.modalities.filter((m) => dims[m] === undefined);
  if (lacking.length > 0) throw new DataError(`perception: no sample has ${lacking.join(', ')} features; drop them from pipeline.modalities`);
  const standardizer = fitStandardizer(items.train, dims);
  const C = dataset.info.classes.length;
  const pack = (xs: AlignedItem[]) => makeSet(xs.map((x) => standardize(x, standardizer)), mods, dims, T, { nClasses: C });
  return { train: pack(items.train), val: pack(items.val), test: pack(items.test), dims, T, standardizer, stats, skipped, testIndices };
}
