// How far each alignment is from SynAffect's true warps, and how much of each modality's
// recording it keeps (docs/perception-pipeline.md, "Session 4"): fusion_ablation's corpus and
// features, the first `n` samples, mean |time error| (s) of none / oracle / DTW (penalty and
// band given), and the share of a modality's recorded span that the alignment reads.
// Usage: npx tsx /path/to/scripts/probe_oracle_align.ts [n=25] [penalties=0,0.3,1] [band=0.1] [config overrides...]
//   e.g. ... 25 0,1 0.3 dataset.maxOffsetS=1.0 dataset.warpStrength=0.6
// Session 4 (25 clips, 47 clip x modality pairs): default warps none 0.258, oracle 0.035, DTW (penalty 1) 0.259;
//   strong warps none 0.489, oracle 0.188, DTW 0.489-0.571; span read: oracle 0.93 / 0.68, none 1.00.
//   oracle with oracleSpan union reads 1.00 of every span; its error here (0.054 / 0.239) is scoreWarp's:
//   it clamps true time to the anchor's window, so the frames union adds beyond that window count as error.
import { resolve } from 'node:path';
import { silentLogger } from '../src/core/log.js';
import { Rng } from '../src/core/rng.js';
import { composeConfig } from '../src/config/compose.js';
import { createDataset } from '../src/data/index.js';
import { alignToReference, scoreAlignment, type AlignOptions, type AlignedSample } from '../src/perception/align/index.js';
import { extractFeatures } from '../src/perception/features/index.js';
import { parsePerceptionSection } from '../src/perception/pipeline.js';
import type { SampleFeatures } from '../src/perception/types.js';

const n = Number(process.argv[2] ?? 25);
const penalties = (process.argv[3] ?? '0,0.3,1').split(',').map(Number);
const band = Number(process.argv[4] ?? 0.1);
const repo = resolve(import.meta.dirname, '..');
const { config } = composeConfig({ configDir: resolve(repo, 'configs'), experiment: 'fusion_ablation', overrides: process.argv.slice(5) });
const ds = createDataset(config.dataset as { name: string } & Record<string, unknown>, { rng: new Rng(0).fork('dataset'), log: silentLogger });
const cfg = parsePerceptionSection(config.perception);

const err: Record<string, number[]> = {};
const span: Record<string, number[]> = {};
const push = (o: Record<string, number[]>, k: string, v: number) => (o[k] ??= []).push(v);
/** Share of the modality's recorded time span that the alignment reads (a held end frame reads nothing new). */
function spanRead(al: AlignedSample, raw: SampleFeatures, key: string): void {
  for (const [m, w] of Object.entries(al.warps)) {
    const t = raw[m as keyof SampleFeatures]?.times;
    if (!w || m === al.anchor || m === 'text' || !t || t.length < 2) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of w.src) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    push(span, key, (Math.min(hi, t[t.length - 1]) - Math.max(lo, t[0])) / (t[t.length - 1] - t[0]));
  }
}
for (let i = 0; i < Math.min(n, ds.size); i++) {
  const s = ds.get(i);
  if (!s.truth) throw new Error(`sample ${s.id} has no ground truth; this probe needs SynAffect`);
  const raw = extractFeatures(s, cfg.features, {});
  const variants: [string, AlignOptions][] = [
    ['none', { ...cfg.align, method: 'none' }],
    ['oracle', { ...cfg.align, method: 'oracle', truthWarps: s.truth.warps }],
    ['oracle union', { ...cfg.align, method: 'oracle', oracleSpan: 'union', truthWarps: s.truth.warps }],
    ...penalties.map((p): [string, AlignOptions] => [`dtw p=${p} band=${band}`, { ...cfg.align, method: 'dtw', stepPenalty: p, band }]),
  ];
  for (const [key, opts] of variants) {
    const al = alignToReference(raw, opts);
    for (const e of Object.values(scoreAlignment(al, s.truth))) push(err, key, e!);
    spanRead(al, raw, key);
  }
}
const mean = (a: number[] = []) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
for (const k of Object.keys(err)) console.log(`${k.padEnd(22)} warp error ${mean(err[k]).toFixed(4)} s over ${err[k].length} clip x modality pairs; span read ${mean(span[k]).toFixed(3)}`);
