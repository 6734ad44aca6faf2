import { tf } from '../../core/backend.js';
import { DataError, show } from '../../core/errors.js';
import { MODALITIES, type ModalityName } from '../../data/types.js';
import type { SampleFeatures } from '../types.js';
import type { ModalityDims, PerceptionBatch } from './types.js';

/** One sample's aligned features and labels, as plain data. */
export interface PerceptionItem {
  /** `values` is T×dim row-major on the shared timeline; an absent key = missing modality. */
  features: Partial<Record<ModalityName, { values: Float32Array; dim: number; T: number }>>;
  classIndex: number;
  arousal: number;
  valence: number;
  /** For error messages. */
  id?: string;
}

/**
 * Turns aligned `SampleFeatures` (one FeatureSequence per present modality,
 * already on the shared timeline) and labels into a PerceptionItem. Labels
 * default to class 0 and (0, 0) for inference-only use.
 */
export function itemFromFeatures(
  features: SampleFeatures,
  labels: { classIndex: number; arousal: number; valence: number } = { classIndex: 0, arousal: 0, valence: 0 },
  id?: string,
): PerceptionItem {
  const out: PerceptionItem['features'] = {};
  for (const [m, seq] of Object.entries(features) as [ModalityName, NonNullable<SampleFeatures[ModalityName]>][]) {
    if (!seq) continue;
    const where = `${id ?? 'sample'}: features.${m}`;
    if (!Number.isInteger(seq.dim) || seq.dim <= 0) throw new DataError(`${where}.dim ${show(seq.dim)}; expected a positive integer`);
    if (seq.values.length !== seq.times.length * seq.dim) {
      throw new DataError(`${where}.values has ${seq.values.length} numbers; expected times.length·dim = ${seq.times.length}·${seq.dim}`);
    }
    out[m] = { values: seq.values, dim: seq.dim, T: seq.times.length };
  }
  return { features: out, ...labels, id };
}

/**
 * A whole split packed into flat arrays (no tensors), so the training loop can
 * shuffle and slice minibatches without holding tensors for the whole set.
 */
export interface PerceptionSet {
  modalities: ModalityName[];
  dims: ModalityDims;
  T: number;
  n: number;
  /** Per modality [n, T, dim], zeros where missing or padded. */
  x: Partial<Record<ModalityName, Float32Array>>;
  /** [n, T] */
  timeMask: Float32Array;
  /** [n, M] */
  presence: Float32Array;
  y: Int32Array;
  /** [n, 2] */
  av: Float32Array;
  ids: string[];
}

/** Orders modalities canonically and rejects unknown or duplicate names. */
export function canonicalModalities(modalities: readonly string[], where = 'modalities'): ModalityName[] {
  for (const m of modalities) {
    if (!MODALITIES.includes(m as ModalityName)) throw new DataError(`${where}: unknown modality ${show(m)}; expected some of ${MODALITIES.join(', ')}`);
  }
  if (new Set(modalities).size !== modalities.length) throw new DataError(`${where}: duplicate modality in ${show(modalities)}`);
  if (modalities.length === 0) throw new DataError(`${where}: empty; expected at least one of ${MODALITIES.join(', ')}`);
  return MODALITIES.filter((m) => modalities.includes(m));
}

/**
 * Packs items into a PerceptionSet. Each item's valid length is the longest of
 * its present modalities (shorter ones are zero-padded); longer than `T`, a
 * wrong `dim`, a short `values` array, a class outside [0, nClasses) or
 * arousal/valence outside [-1, 1] are errors naming the item and field.
 * Modalities of an item that are not in `modalities` are ignored (an ablation
 * subset), and counted in `ignored`.
 */
export function makeSet(
  items: readonly PerceptionItem[],
  modalities: readonly ModalityName[],
  dims: ModalityDims,
  T: number,
  opts: { nClasses?: number } = {},
): PerceptionSet & { ignored: Partial<Record<ModalityName, number>> } {
  const mods = canonicalModalities(modalities);
  for (const m of mods) {
    const d = dims[m];
    if (d === undefined || !Number.isInteger(d) || d <= 0) throw new DataError(`dims.${m}: ${show(d)}; expected a positive integer feature width`);
  }
  if (!Number.isInteger(T) || T <= 0) throw new DataError(`T: ${show(T)}; expected a positive integer number of steps`);
  const n = items.length;
  const M = mods.length;
  const x: Partial<Record<ModalityName, Float32Array>> = {};
  for (const m of mods) x[m] = new Float32Array(n * T * dims[m]!);
  const timeMask = new Float32Array(n * T);
  const presence = new Float32Array(n * M);
  const y = new Int32Array(n);
  const av = new Float32Array(n * 2);
  const ids: string[] = [];
  const ignored: Partial<Record<ModalityName, number>> = {};
  for (let i = 0; i < n; i++) {
    const it = items[i];
    const id = it.id ?? `item ${i}`;
    ids.push(id);
    if (!Number.isInteger(it.classIndex) || it.classIndex < 0 || (opts.nClasses !== undefined && it.classIndex >= opts.nClasses)) {
      throw new DataError(`${id}: classIndex ${show(it.classIndex)}; expected an integer in [0, ${opts.nClasses ?? 'nClasses'})`);
    }
    for (const [k, v] of [
      ['arousal', it.arousal],
      ['valence', it.valence],
    ] as const) {
      if (!Number.isFinite(v) || v < -1 || v > 1) throw new DataError(`${id}: ${k} ${show(v)}; expected a number in [-1, 1]`);
    }
    y[i] = it.classIndex;
    av[2 * i] = it.arousal;
    av[2 * i + 1] = it.valence;
    let len = 0;
    for (const key of Object.keys(it.features) as ModalityName[]) {
      if (!mods.includes(key)) ignored[key] = (ignored[key] ?? 0) + 1;
    }
    mods.forEach((m, j) => {
      const f = it.features[m];
      if (!f) return;
      const D = dims[m]!;
      if (f.dim !== D) throw new DataError(`${id}: features.${m}.dim ${show(f.dim)}; expected ${D}`);
      if (!Number.isInteger(f.T) || f.T < 0 || f.T > T) throw new DataError(`${id}: features.${m}.T ${show(f.T)}; expected an integer in [0, ${T}] (the shared timeline length)`);
      if (f.values.length !== f.T * D) throw new DataError(`${id}: features.${m}.values has ${f.values.length} numbers; expected T·dim = ${f.T * D}`);
      for (let q = 0; q < f.values.length; q++) {
        if (!Number.isFinite(f.values[q])) throw new DataError(`${id}: features.${m}.values[${q}] is ${f.values[q]}; expected finite numbers`);
      }
      if (f.T === 0) return; // present but empty: treated as missing
      x[m]!.set(f.values, i * T * D);
      presence[i * M + j] = 1;
      len = Math.max(len, f.T);
    });
    timeMask.fill(1, i * T, i * T + len);
  }
  return { modalities: mods, dims: Object.fromEntries(mods.map((m) => [m, dims[m]])), T, n, x, timeMask, presence, y, av, ids, ignored };
}

/** Tensors for the rows `idx` of a set (all rows when omitted). The caller disposes (disposeBatch). */
export function toBatch(set: PerceptionSet, idx?: readonly number[]): PerceptionBatch {
  const rows = idx ?? Array.from({ length: set.n }, (_, i) => i);
  const B = rows.length;
  const { T } = set;
  const M = set.modalities.length;
  const pick = (src: Float32Array, width: number): Float32Array => {
    const out = new Float32Array(B * width);
    rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
    return out;
  };
  const inputs: PerceptionBatch['inputs'] = {};
  for (const m of set.modalities) {
    const D = set.dims[m]!;
    inputs[m] = { x: tf.tensor3d(pick(set.x[m]!, T * D), [B, T, D]) };
  }
  return {
    modalities: set.modalities,
    inputs,
    timeMask: tf.tensor2d(pick(set.timeMask, T), [B, T]),
    presence: tf.tensor2d(pick(set.presence, M), [B, M]),
    y: tf.tensor1d(Int32Array.from(rows, (r) => set.y[r]), 'int32'),
    av: tf.tensor2d(pick(set.av, 2), [B, 2]),
  };
}

/** Packs plain-data items straight into a tensor batch (the contract feature extraction feeds). */
export function makeBatch(items: readonly PerceptionItem[], modalities: readonly ModalityName[], dims: ModalityDims, T: number): PerceptionBatch {
  return toBatch(makeSet(items, modalities, dims, T));
}

export function disposeBatch(b: PerceptionBatch): void {
  tf.dispose([b.timeMask, b.presence, b.y, b.av, ...Object.values(b.inputs).map((v) => v!.x)]);
}

export function batchSize(b: PerceptionBatch): number {
  return b.y.shape[0];
}
