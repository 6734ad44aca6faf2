// Which DTW cost trajectory recovers SynAffect's warps (docs/perception-pipeline.md):
// fusion_ablation's corpus and features (read from the feature cache when filled), the
// holdout split of seed `seed`; learned projections are fitted on its training side and
// every variant is scored on its VALIDATION side against the stored warps (never the test side).
// Usage (from a folder whose .affectlab-cache/ holds the fusion_ablation features):
//   npx tsx /path/to/scripts/probe_dtw_cost.ts [seed=0] [max val samples=72] [pca,learned] [penalties=0.1,0.3,1,3]
// Session 3 (validation split, 71 clips each; warp error s, none / plain DTW / stepPenalty 1):
//   seed 0: 0.2875 / 0.3048 / 0.2843; seed 1: 0.3028 / 0.3304 / 0.2999; seed 2: 0.3053 / (n.r.) / 0.3021.
import { resolve } from 'node:path';
import { silentLogger } from '../src/core/log.js';
import { Rng } from '../src/core/rng.js';
import { composeConfig } from '../src/config/compose.js';
import { createDataset, datasetCacheKey, FeatureCache, hashConfig } from '../src/data/index.js';
import { alignToReference, fitAlignProjections, scoreAlignment, type AlignOptions, type ProjectionClip } from '../src/perception/align/index.js';
import { extractFeatures } from '../src/perception/features/index.js';
import { cacheRoot, parsePerceptionSection, splitsFor } from '../src/perception/pipeline.js';
import type { SampleFeatures } from '../src/perception/types.js';

const seed = Number(process.argv[2] ?? 0);
const maxVal = Number(process.argv[3] ?? 72);
const repo = resolve(import.meta.dirname, '..');
const { config } = composeConfig({ configDir: resolve(repo, 'configs'), experiment: 'fusion_ablation', overrides: [`seed=${seed}`] });
const rng = new Rng(seed);
const ds = createDataset(config.dataset as { name: string } & Record<string, unknown>, { rng: rng.fork('dataset'), log: silentLogger });
const cfg = parsePerceptionSection(config.perception);
const split = splitsFor(ds, cfg, rng)[0];
const cache = new FeatureCache(cacheRoot(cfg, process.cwd()), silentLogger);
const featHash = hashConfig(cfg.features);
const dsKey = datasetCacheKey(ds);
const rawOf = (i: number): SampleFeatures => cache.get(dsKey, ds.meta(i).id, featHash) ?? extractFeatures(ds.get(i), cfg.features, {});
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

const t0 = performance.now();
const clips: ProjectionClip[] = split.train.map((i) => {
  const l = ds.meta(i);
  const lab = ds.get(i).labels;
  void l;
  return { features: rawOf(i), arousal: lab.arousal, valence: lab.valence };
});
console.log(`train ${clips.length} clips loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const mods = ['audio', 'face', 'physio'] as const;
const wantFits = (process.argv[4] ?? 'pca,learned').includes('learned');
const fits: Record<string, ReturnType<typeof fitAlignProjections>> = {};
for (const lambda of wantFits ? [1] : []) {
  const t1 = performance.now();
  fits[`a/${lambda}`] = fitAlignProjections(clips, { lambda, targets: ['arousal'], modalities: mods });
  fits[`av/${lambda}`] = fitAlignProjections(clips, { lambda, targets: ['arousal', 'valence'], modalities: mods });
  console.log(`fits at lambda ${lambda}: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
}

const val = split.val.slice(0, maxVal).map((i) => ({ raw: rawOf(i), truth: ds.get(i).truth! }));
const base: AlignOptions = { ...cfg.align } as AlignOptions;
const variants: [string, AlignOptions][] = [
  ['none', { ...base, method: 'none' }],
  ['dtw pca plain (stepPenalty 0)', { ...base, stepPenalty: 0 }],
];
const which = (process.argv[4] ?? 'pca,learned').split(',');
for (const pen of (process.argv[5] ?? '0.1,0.3,1,3').split(',').map(Number)) {
  if (which.includes('pca')) variants.push([`dtw pca penalty ${pen}`, { ...base, stepPenalty: pen }]);
  if (which.includes('pca')) variants.push([`dtw pca band .2 penalty ${pen}`, { ...base, band: 0.2, stepPenalty: pen }]);
  if (which.includes('learned')) variants.push([`learned av/1 clip penalty ${pen}`, { ...base, trajectory: 'learned', projections: fits['av/1'], learnedScale: 'clip', stepPenalty: pen }]);
  if (which.includes('learned')) variants.push([`learned av/1 clip band .2 penalty ${pen}`, { ...base, trajectory: 'learned', projections: fits['av/1'], learnedScale: 'clip', band: 0.2, stepPenalty: pen }]);
  if (which.includes('learned')) variants.push([`learned a/1 clip penalty ${pen}`, { ...base, trajectory: 'learned', projections: fits['a/1'], learnedScale: 'clip', stepPenalty: pen }]);
}
console.log(`warp error (s) on ${val.length} validation clips of seed ${seed}: all | per modality`);
for (const [name, opts] of variants) {
  const per: Record<string, number[]> = {};
  const t1 = performance.now();
  for (const v of val) {
    const sc = scoreAlignment(alignToReference(v.raw, opts), v.truth, cfg.align.categorical);
    for (const [m, e] of Object.entries(sc)) (per[m] ??= []).push(e!);
  }
  const all = Object.values(per).flat();
  console.log(`  ${name.padEnd(44)} ${mean(all).toFixed(4)} | ${Object.entries(per).map(([m, e]) => `${m} ${mean(e).toFixed(4)}`).join(', ')}  (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
}
