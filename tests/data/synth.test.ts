import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { createDataset, datasets, LABEL_PRESETS, SynAffectDataset, synaffectConfig } from '../../src/data/index.js';
import { MODALITIES } from '../../src/data/types.js';

const none = { audio: 0, face: 0, physio: 0, text: 0 };
const ctx = { rng: new Rng(1), log: silentLogger };

describe('SynAffect generator', () => {
  it('gives the same sample for the same seed, whatever was generated before', () => {
    const cfg = synaffectConfig({ n: 20 });
    const a = new SynAffectDataset(cfg, new Rng(42));
    const b = new SynAffectDataset(cfg, new Rng(42));
    const late = a.get(13);
    b.get(2);
    b.get(19);
    expect(b.get(13)).toEqual(late);
    const c = new SynAffectDataset(cfg, new Rng(43));
    expect(c.get(13).audio?.pcm ?? c.get(13).transcript).not.toEqual(late.audio?.pcm ?? late.transcript);
  });

  it('meta(i) agrees with get(i) and samples follow the contract', () => {
    const ds = new SynAffectDataset(synaffectConfig({ n: 24, missingRate: none, degradedRate: none }), new Rng(3));
    for (let i = 0; i < 24; i += 5) {
      const m = ds.meta(i);
      const s = ds.get(i);
      expect(s.id).toBe(m.id);
      expect(s.labels.classIndex).toBe(m.classIndex);
      expect(s.speaker).toBe(m.speaker);
      expect(s.labels.className).toBe(LABEL_PRESETS.ekman7[m.classIndex]);
      expect(Math.abs(s.labels.arousal)).toBeLessThanOrEqual(1);
      expect(Math.abs(s.labels.valence)).toBeLessThanOrEqual(1);
      expect(s.durationS).toBeGreaterThanOrEqual(1.5);
      expect(s.durationS).toBeLessThanOrEqual(4);
      // Audio: 16 kHz PCM of the sample's duration, in [-1, 1].
      expect(s.audio!.sampleRate).toBe(16000);
      expect(s.audio!.pcm.length).toBe(Math.round(s.durationS * 16000));
      expect(s.audio!.pcm.every((v) => v >= -1 && v <= 1)).toBe(true);
      // Video: 1 fps, 48×48, one frame per started second.
      expect(s.video!.frames.length).toBe(Math.ceil(s.durationS - 1e-9));
      expect(s.video!.frames[0].length).toBe(48 * 48);
      // Physiology at 128 Hz, ECG and GSR.
      expect(s.physio!.sampleRate).toBe(128);
      expect(Object.keys(s.physio!.channels).sort()).toEqual(['ecg', 'gsr']);
      expect(s.physio!.channels.gsr.length).toBe(Math.round(s.durationS * 128));
      expect(typeof s.transcript).toBe('string');
      // Warps are monotone and cover the utterance.
      for (const mod of ['audio', 'face', 'physio'] as const) {
        const w = s.truth!.warps[mod]!;
        for (let k = 1; k < w.tau.length; k++) expect(w.tau[k]).toBeGreaterThan(w.tau[k - 1]);
        expect(w.t[w.t.length - 1]).toBeCloseTo(s.durationS, 4);
      }
    }
  });

  it('uses the preset classes and their arousal–valence prototypes', () => {
    const ds = new SynAffectDataset(synaffectConfig({ n: 120, preset: 'gu5', modalities: ['text'], avNoise: 0 }), new Rng(5));
    expect(ds.info.classes).toEqual(['happy', 'angry', 'sad', 'surprised', 'neutral']);
    for (let i = 0; i < 120; i += 7) {
      const s = ds.get(i);
      // With no spread, the point is intensity × prototype (Russell-circumplex signs: happy +v, angry +a −v, sad −a −v).
      const sign = { happy: [1, 1], angry: [1, -1], sad: [-1, -1], surprised: [1, 1], neutral: [0, 0] }[s.labels.className]!;
      expect(Math.sign(s.labels.arousal)).toBe(sign[0]);
      expect(Math.sign(s.labels.valence)).toBe(sign[1]);
    }
  });

  it('groups samples into dialogues whose emotions follow the Markov chain', () => {
    const p = 0.6;
    const ds = new SynAffectDataset(synaffectConfig({ n: 8000, preset: 'iemocap4', dialogueLength: 10, emotionPersistence: p }), new Rng(9));
    const T = ds.transitionMatrix();
    // Hand-derived: stay = p + (1 − p)/4 = 0.7, move to another given class = (1 − p)/4 = 0.1.
    expect(T[0][0]).toBeCloseTo(0.7, 10);
    expect(T[2][1]).toBeCloseTo(0.1, 10);
    let stay = 0;
    let pairs = 0;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < ds.size; i++) {
      const m = ds.meta(i);
      counts[m.classIndex]++;
      if (i % 10 !== 0) {
        const prev = ds.meta(i - 1);
        expect(prev.dialogue).toBe(m.dialogue);
        pairs++;
        if (prev.classIndex === m.classIndex) stay++;
        expect(prev.speaker).not.toBe(m.speaker); // two speakers alternate
      }
    }
    expect(stay / pairs).toBeGreaterThan(0.67);
    expect(stay / pairs).toBeLessThan(0.73);
    for (const c of counts) expect(c / ds.size).toBeGreaterThan(0.22); // uniform stationary mix
  });

  it('draws quality flags at the configured rates and drops missing modalities', () => {
    const ds = new SynAffectDataset(
      synaffectConfig({ n: 400, modalities: ['text'], missingRate: { audio: 0, face: 0, physio: 0, text: 0.2 }, degradedRate: { audio: 0, face: 0, physio: 0, text: 0.3 } }),
      new Rng(4),
    );
    const n = { clean: 0, degraded: 0, missing: 0 };
    for (let i = 0; i < 400; i++) {
      const s = ds.get(i);
      n[s.quality.text]++;
      expect(s.quality.audio).toBe('missing'); // not enabled
      expect(s.audio).toBeUndefined();
      expect(s.transcript === undefined).toBe(s.quality.text === 'missing');
    }
    // Binomial(400, 0.2): sd = 8; accept ±4 sd.
    expect(Math.abs(n.missing - 80)).toBeLessThan(32);
    expect(Math.abs(n.degraded - 120)).toBeLessThan(37);
  });

  it('simulates heart rate around the subject baseline and follows the physio rate', () => {
    const ds = new SynAffectDataset(synaffectConfig({ n: 40, preset: 'iemocap4', modalities: ['physio'], physioRate: 256, durationS: [4, 4], missingRate: none, degradedRate: none }), new Rng(8));
    for (let i = 0; i < 40; i++) {
      if (ds.meta(i).classIndex !== 0) continue; // neutral: arousal ≈ 0, so HR ≈ resting HR
      const s = ds.get(i);
      const ecg = s.physio!.channels.ecg;
      expect(s.physio!.sampleRate).toBe(256);
      expect(ecg.length).toBe(1024);
      const peaks: number[] = [];
      for (let k = 1; k < ecg.length - 1; k++) if (ecg[k] > 0.6 && ecg[k] >= ecg[k - 1] && ecg[k] > ecg[k + 1]) peaks.push(k);
      const hr = (60 * 256 * (peaks.length - 1)) / (peaks[peaks.length - 1] - peaks[0]);
      const rest = s.truth!.speakerBaseline!.restHr;
      expect(Math.abs(hr - rest) / rest).toBeLessThan(0.2);
    }
  });

  it('honours frame size, fps, PPG and the face-free frame share', () => {
    const ds = new SynAffectDataset(
      synaffectConfig({ n: 60, modalities: ['face', 'physio'], frameSize: [32, 24], fps: 2, cardiac: 'ppg', noFaceRate: 0.5, durationS: [2, 2], missingRate: none, degradedRate: none }),
      new Rng(12),
    );
    let faces = 0;
    let frames = 0;
    for (let i = 0; i < 60; i++) {
      const s = ds.get(i);
      expect(Object.keys(s.physio!.channels).sort()).toEqual(['gsr', 'ppg']);
      expect(s.video!.width).toBe(32);
      expect(s.video!.height).toBe(24);
      expect(s.video!.frames[0].length).toBe(32 * 24);
      expect(Array.from(s.video!.times)).toEqual([0.25, 0.75, 1.25, 1.75]);
      frames += s.video!.frames.length;
      faces += s.video!.facePresent!.filter(Boolean).length;
    }
    // Binomial(240, 0.5): sd ≈ 7.7.
    expect(Math.abs(faces - frames / 2)).toBeLessThan(31);
  });

  it('is registered, validates its section strictly, and reports bad values on one line', () => {
    expect(datasets.names()).toEqual(['deap', 'iemocap', 'meld', 'synaffect', 'synaffect_dir']);
    const ds = createDataset({ name: 'synaffect', n: 10 }, ctx);
    expect(ds.size).toBe(10);
    expect(() => createDataset({ name: 'synaffect', physioRate: 50 }, ctx)).toThrow(/dataset\.physioRate: .*100.*\(received 50\)/);
    expect(() => createDataset({ name: 'synaffect', bogus: 1 }, ctx)).toThrow(ConfigError);
    expect(() => createDataset({ name: 'synafect' }, ctx)).toThrow(/did you mean.*synaffect/i);
    expect(() => createDataset({ name: 'synaffect', preset: 'gu5', classWeights: [1, 2] }, ctx)).toThrow(/classWeights: expected 5 weights/);
  });

  it('fixes the corpus across run seeds when `seed` is set', () => {
    const a = createDataset({ name: 'synaffect', n: 5, seed: 7, modalities: ['text'] }, { rng: new Rng(1), log: silentLogger });
    const b = createDataset({ name: 'synaffect', n: 5, seed: 7, modalities: ['text'] }, { rng: new Rng(2), log: silentLogger });
    const c = createDataset({ name: 'synaffect', n: 5, modalities: ['text'] }, { rng: new Rng(2), log: silentLogger });
    expect(b.get(3)).toEqual(a.get(3));
    expect([0, 1, 2, 3, 4].map((i) => c.get(i).transcript)).not.toEqual([0, 1, 2, 3, 4].map((i) => a.get(i).transcript));
    expect(MODALITIES.length).toBe(4);
  });
});
