// Why DTW does not beat linear resampling on SynAffect (docs/perception-pipeline.md):
//  1. how well each modality's per-sample alignment trajectory follows the true emotion
//     course (|Pearson r| between trajectoryOf(features) and the true intensity at each
//     frame's true time), on clean samples;
//  2. an oracle: DTW on the true intensity itself, seen through each modality's warp, with
//     Gaussian noise added, vs linear resampling (`none`), scored on the stored warps.
// Usage: npx tsx scripts/probe_alignment.ts [n=30]
import { silentLogger } from '../src/core/log.js';
import { Rng } from '../src/core/rng.js';
import { createDataset } from '../src/data/index.js';
import type { ModalityName } from '../src/data/types.js';
import { alignToReference, scoreAlignment, trajectoryOf } from '../src/perception/align/index.js';
import { interp1 } from '../src/perception/align/resample.js';
import { extractFeatures } from '../src/perception/features/index.js';
import { parsePerceptionSection } from '../src/perception/pipeline.js';
import type { SampleFeatures } from '../src/perception/types.js';

const n = Number(process.argv[2] ?? 30);
const clean = { audio: 0, face: 0, physio: 0, text: 0 };
// fusion_ablation's corpus and features, without degradation or missing modalities.
const ds = createDataset({ name: 'synaffect', n, seed: 7, fps: 10, modalities: ['audio', 'face', 'physio'], degradedRate: clean, missingRate: clean }, { rng: new Rng(0), log: silentLogger });
const cfg = parsePerceptionSection({ features: { text: { enabled: false }, physio: { windowS: 2, hopS: 0.1 } } });
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const pearson = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const ma = mean(Array.from(a));
  const mb = mean(Array.from(b));
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb + 1e-12);
};

const samples = Array.from({ length: n }, (_, i) => ds.get(i));
const corr: Record<string, number[]> = {};
for (const s of samples) {
  const raw = extractFeatures(s, cfg.features, {});
  const tl = s.truth!.timeline;
  for (const m of ['audio', 'face', 'physio'] as const) {
    const f = raw[m];
    const w = s.truth!.warps[m];
    if (!f || !w || f.times.length < 4) continue;
    const truth = Array.from(f.times, (t) => interp1(tl.t, tl.intensity, interp1(w.t, w.tau, t)));
    for (const kind of ['pca', 'norm'] as const) (corr[`${m}/${kind}`] ??= []).push(Math.abs(pearson(trajectoryOf(f, kind, undefined), truth)));
  }
}
console.log('|r| between the alignment trajectory and the true intensity (clean samples):');
for (const [k, v] of Object.entries(corr)) console.log(`  ${k.padEnd(12)} ${mean(v).toFixed(3)} (${v.length} samples)`);

const rates: Record<string, number> = { audio: 100, face: 10, physio: 10 };
console.log('oracle trajectories (true intensity through each warp + noise; intensity spans ~0.75):');
for (const noise of [0, 0.1, 0.25, 0.5, 1]) {
  const err: Record<'dtw' | 'none', number[]> = { dtw: [], none: [] };
  const rng = new Rng(`noise:${noise}`);
  for (const s of samples) {
    const tl = s.truth!.timeline;
    const feats: SampleFeatures = {};
    for (const m of ['audio', 'face', 'physio'] as ModalityName[]) {
      const w = s.truth!.warps[m]!;
      const T = Math.floor(w.t[w.t.length - 1] * rates[m]);
      const times = new Float32Array(T);
      const values = new Float32Array(T);
      for (let k = 0; k < T; k++) {
        times[k] = (k + 0.5) / rates[m];
        values[k] = interp1(tl.t, tl.intensity, interp1(w.t, w.tau, times[k])) + noise * rng.normal();
      }
      feats[m] = { times, values, dim: 1 };
    }
    for (const method of ['dtw', 'none'] as const) err[method].push(...Object.values(scoreAlignment(alignToReference(feats, { reference: 'audio', method, band: 0.1 }), s.truth!)));
  }
  console.log(`  noise std ${noise.toFixed(2)}: |warp error| dtw ${mean(err.dtw).toFixed(3)} s, none ${mean(err.none).toFixed(3)} s`);
}
