/**
 * Per-modality signal on SynAffect: a ridge classifier on simple features
 * (tests/data/helpers) trained on clean samples, tested on the same held-out
 * samples clean and degraded. The unit test asserts thresholds; this prints the numbers.
 *
 *   node --import tsx bench/synaffect_signal.ts [--train 200] [--test 200]
 */
import { Rng } from '../src/core/rng.js';
import { SynAffectDataset, synaffectConfig } from '../src/data/index.js';
import type { ModalityName, Sample } from '../src/data/types.js';
import { audioFeatures, faceFeatures, physioFeatures, ridgeAccuracy, textFeatures } from '../tests/data/helpers/simple_features.js';

const arg = (n: string, d: number) => {
  const k = process.argv.indexOf(`--${n}`);
  return k >= 0 ? Number(process.argv[k + 1]) : d;
};
const nTrain = arg('train', 200);
const nTest = arg('test', 200);
const zero = { audio: 0, face: 0, physio: 0, text: 0 };
const one = { audio: 1, face: 1, physio: 1, text: 1 };
for (const mod of ['audio', 'face', 'physio', 'text'] as ModalityName[]) {
  const base = { n: nTrain + nTest, preset: 'iemocap4' as const, modalities: [mod], missingRate: zero };
  const clean = new SynAffectDataset(synaffectConfig({ ...base, degradedRate: zero }), new Rng(7));
  const degraded = new SynAffectDataset(synaffectConfig({ ...base, degradedRate: one }), new Rng(7));
  const vocab = new Map<string, number>();
  const train: Sample[] = [];
  for (let i = 0; i < nTrain; i++) {
    const s = clean.get(i);
    if (mod === 'text') for (const w of s.transcript!.split(' ')) if (!vocab.has(w)) vocab.set(w, vocab.size);
    train.push(s);
  }
  const feat = (s: Sample) => (mod === 'audio' ? audioFeatures(s) : mod === 'face' ? faceFeatures(s) : mod === 'physio' ? physioFeatures(s) : textFeatures(s, vocab));
  const tr = train.map((s) => ({ x: feat(s), y: s.labels.classIndex }));
  const tc = [];
  const td = [];
  for (let i = nTrain; i < nTrain + nTest; i++) {
    const a = clean.get(i);
    const b = degraded.get(i);
    tc.push({ x: feat(a), y: a.labels.classIndex });
    td.push({ x: feat(b), y: b.labels.classIndex });
  }
  console.log(JSON.stringify({ modality: mod, nTrain, nTest, chance: 0.25, clean: ridgeAccuracy(tr, tc, 4, 10), degraded: ridgeAccuracy(tr, td, 4, 10) }));
}
