/**
 * Acceptance: every SynAffect modality carries emotion signal on its own, and
 * degrading it removes that signal; the stored time warps are the true ones.
 * The classifiers and features are deliberately simple and live in the test
 * helpers, independent of the generator.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { SynAffectDataset, synaffectConfig, interpCurve } from '../../src/data/index.js';
import type { ModalityName, Sample } from '../../src/data/types.js';
import { audioFeatures, faceFeatures, physioFeatures, ridgeAccuracy, textFeatures } from './helpers/simple_features.js';

const zero = { audio: 0, face: 0, physio: 0, text: 0 };
const all = { audio: 1, face: 1, physio: 1, text: 1 };

function pair(mod: ModalityName, n: number) {
  const base = { n, preset: 'iemocap4' as const, modalities: [mod], missingRate: zero, durationS: [1.5, 2] as [number, number] };
  // Same seed: the same labels and emotion trajectories, only the degradation differs.
  return {
    clean: new SynAffectDataset(synaffectConfig({ ...base, degradedRate: zero }), new Rng(7)),
    degraded: new SynAffectDataset(synaffectConfig({ ...base, degradedRate: all }), new Rng(7)),
  };
}

function evaluate(mod: ModalityName, nTrain: number, nTest: number) {
  const { clean, degraded } = pair(mod, nTrain + nTest);
  const vocab = new Map<string, number>();
  const train: Sample[] = [];
  for (let i = 0; i < nTrain; i++) {
    const s = clean.get(i);
    if (mod === 'text') for (const w of s.transcript!.split(' ')) if (!vocab.has(w)) vocab.set(w, vocab.size);
    train.push(s);
  }
  const feat = (s: Sample) => (mod === 'audio' ? audioFeatures(s) : mod === 'face' ? faceFeatures(s) : mod === 'physio' ? physioFeatures(s) : textFeatures(s, vocab));
  const tr = train.map((s) => ({ x: feat(s), y: s.labels.classIndex }));
  const testClean = [];
  const testDeg = [];
  for (let i = nTrain; i < nTrain + nTest; i++) {
    const a = clean.get(i);
    const b = degraded.get(i);
    expect(a.quality[mod]).toBe('clean');
    expect(b.quality[mod]).toBe('degraded');
    expect(b.labels).toEqual(a.labels);
    testClean.push({ x: feat(a), y: a.labels.classIndex });
    testDeg.push({ x: feat(b), y: b.labels.classIndex });
  }
  return { clean: ridgeAccuracy(tr, testClean, 4, 10), degraded: ridgeAccuracy(tr, testDeg, 4, 10) };
}

// 4 balanced classes: chance is 0.25. With 80–100 test samples the standard error of an
// accuracy near 0.3 is ~0.05, so "beats chance" is asserted at >= 0.4 and "drops" by >= 0.15.
describe('SynAffect modalities carry signal that degradation removes', () => {
  for (const [mod, nTrain, nTest] of [
    ['audio', 120, 80],
    ['face', 200, 100],
    ['physio', 200, 100],
    ['text', 200, 100],
  ] as const) {
    it(`${mod}: a simple classifier beats chance on clean data and drops on degraded data`, () => {
      const acc = evaluate(mod, nTrain, nTest);
      expect(acc.clean).toBeGreaterThanOrEqual(0.4);
      expect(acc.clean - acc.degraded).toBeGreaterThanOrEqual(0.15);
    });
  }
});

function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb + 1e-12);
}

describe('SynAffect time warps are ground truth', () => {
  it('aligning audio energy and skin conductance back with the stored warp reduces their mismatch with the true timeline', () => {
    const ds = new SynAffectDataset(synaffectConfig({ n: 200, modalities: ['audio', 'physio'], missingRate: zero, degradedRate: zero, durationS: [3, 4], warpStrength: 0.35, maxOffsetS: 0.4 }), new Rng(11));
    const mismatch = { audio: { raw: 0, aligned: 0 }, physio: { raw: 0, aligned: 0 } };
    let improved = 0;
    let n = 0;
    for (let i = 0; i < ds.size && n < 24; i++) {
      // High-arousal classes (angry, happy, surprised): the arousal trajectory moves energy and skin conductance visibly.
      if (![1, 3, 6].includes(ds.meta(i).classIndex)) continue;
      const s = ds.get(i);
      n++;
      const tl = s.truth!.timeline;
      // Audio: log energy in 0.3 s windows every 50 ms, on the audio's own clock t.
      const pcm = s.audio!.pcm;
      const fs = s.audio!.sampleRate;
      const ts: number[] = [];
      const en: number[] = [];
      for (let t = 0.15; t < s.durationS - 0.15; t += 0.05) {
        let e = 0;
        const a = Math.round((t - 0.15) * fs);
        const b = Math.round((t + 0.15) * fs);
        for (let k = a; k < b; k++) e += pcm[k] * pcm[k];
        ts.push(t);
        en.push(Math.log(e / (b - a) + 1e-9));
      }
      const wa = s.truth!.warps.audio!;
      // Unaligned: read the reference at t (clocks assumed equal); aligned: at the true time tau(t).
      const rawA = 1 - corr(en, ts.map((t) => interpCurve(tl.t, tl.intensity, t)));
      const alA = 1 - corr(en, ts.map((t) => interpCurve(tl.t, tl.intensity, interpCurve(wa.t, wa.tau, t))));
      const g = s.physio!.channels.gsr;
      const pfs = s.physio!.sampleRate;
      const wp = s.truth!.warps.physio!;
      const gt: number[] = [];
      const gv: number[] = [];
      for (let k = 0; k < g.length; k += 8) {
        gt.push(k / pfs);
        gv.push(g[k]);
      }
      const rawP = 1 - corr(gv, gt.map((t) => interpCurve(tl.t, tl.arousal, t)));
      const alP = 1 - corr(gv, gt.map((t) => interpCurve(tl.t, tl.arousal, interpCurve(wp.t, wp.tau, t))));
      mismatch.audio.raw += rawA / 24;
      mismatch.audio.aligned += alA / 24;
      mismatch.physio.raw += rawP / 24;
      mismatch.physio.aligned += alP / 24;
      if (alA < rawA) improved++;
    }
    expect(n).toBe(24);
    expect(mismatch.audio.aligned).toBeLessThan(0.85 * mismatch.audio.raw);
    expect(mismatch.physio.aligned).toBeLessThan(0.85 * mismatch.physio.raw);
    expect(improved).toBeGreaterThan(12);
  });
});
