// Synthetic aligned-feature tasks for the fusion tests: a class signal planted in chosen modalities.
import { Rng } from '../../src/core/rng.js';
import type { ModalityName } from '../../src/data/types.js';
import type { PerceptionItem } from '../../src/perception/fusion/batch.js';
import type { ModalityDims } from '../../src/perception/fusion/types.js';

export const CLASSES = ['neutral', 'happy', 'sad'];
/** Class-conditional (arousal, valence) centres. */
const AV: [number, number][] = [
  [0.0, 0.0],
  [0.6, 0.7],
  [-0.5, -0.6],
];

export interface SynthOptions {
  n: number;
  T: number;
  dims: ModalityDims;
  /** Modalities carrying the class signal, with its strength (in noise std units). */
  signal: Partial<Record<ModalityName, number>>;
  /** Probability that each modality is missing from an item (never all of them). */
  pMissing?: number;
  seed?: number;
}

/**
 * Items whose class shifts feature `c` of each signal modality by `strength`
 * over a random window of the sequence, on N(0,1) noise; lengths vary in
 * [T/2, T]; arousal/valence = class centre + small noise.
 */
export function synthItems(o: SynthOptions): PerceptionItem[] {
  const rng = new Rng(o.seed ?? 1);
  const mods = Object.keys(o.dims) as ModalityName[];
  const items: PerceptionItem[] = [];
  for (let i = 0; i < o.n; i++) {
    const c = i % CLASSES.length;
    const len = rng.intBetween(Math.ceil(o.T / 2), o.T);
    const on = rng.int(Math.max(1, len - 2));
    const features: PerceptionItem['features'] = {};
    const missing = mods.filter(() => rng.bernoulli(o.pMissing ?? 0));
    if (missing.length === mods.length) missing.pop();
    for (const m of mods) {
      if (missing.includes(m)) continue;
      const D = o.dims[m]!;
      const values = rng.normalArray(len * D);
      const s = o.signal[m] ?? 0;
      if (s > 0) for (let t = on; t < len; t++) values[t * D + (c % D)] += s;
      features[m] = { values, dim: D, T: len };
    }
    const clamp = (v: number) => Math.max(-1, Math.min(1, v));
    items.push({ id: `s${i}`, features, classIndex: c, arousal: clamp(AV[c][0] + rng.normal(0, 0.1)), valence: clamp(AV[c][1] + rng.normal(0, 0.1)) });
  }
  return items;
}
