import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { Sample } from '../../src/data/types.js';
import { alignToReference } from '../../src/perception/align/align.js';
import { alignSectionSchema } from '../../src/perception/align/config.js';
import { defaultFeaturesSection, featuresSectionSchema } from '../../src/perception/features/config.js';
import { extractFeatures, newFeatureStats } from '../../src/perception/features/extract.js';
import { PHYSIO_FEATURE_NAMES } from '../../src/perception/features/physio.js';
import { speechFeatureNames } from '../../src/perception/features/speech.js';
import { HashWordTokenizer, splitWords, textFeatures } from '../../src/perception/features/text.js';

function makeSample(rng: Rng): Sample {
  const dur = 3;
  const sr = 16000;
  const pcm = Float32Array.from({ length: dur * sr }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 160 * i) / sr) + 0.01 * rng.normal());
  const psr = 64;
  const ecg = new Float32Array(dur * psr);
  for (let b = 0.3; b < dur; b += 0.8) for (let i = 0; i < ecg.length; i++) ecg[i] += Math.exp(-(((i / psr - b) / 0.015) ** 2) / 2);
  const gsr = new Float32Array(dur * psr).fill(4);
  const frames = Array.from({ length: 3 }, () => Uint8Array.from({ length: 32 * 32 }, () => rng.int(256)));
  return {
    id: 's1',
    dataset: 'test',
    speaker: 'spk',
    durationS: dur,
    labels: { classIndex: 0, className: 'neutral', arousal: 0, valence: 0 },
    audio: { sampleRate: sr, pcm },
    physio: { sampleRate: psr, channels: { ecg, gsr } },
    video: { fps: 1, width: 32, height: 32, frames, times: Float32Array.from([0.5, 1.5, 2.5]), facePresent: [true, false, true] },
    transcript: 'I feel fine today',
    quality: { audio: 'clean', face: 'clean', physio: 'clean', text: 'clean' },
  };
}

describe('featuresSectionSchema', () => {
  it('fills nested defaults and rejects unknown keys with a path', () => {
    const d = defaultFeaturesSection();
    expect(d.audio).toMatchObject({ frameMs: 25, hopMs: 10, nMfcc: 13, deltaOrder: 2, pitch: { fmin: 60, fmax: 400 } });
    expect(d.physio).toMatchObject({ windowS: 4, hopS: 0.5 });
    expect(d.face).toMatchObject({ descriptor: 'hog', sampleFps: null, resnet: { embeddingDim: 128 } });
    expect(featuresSectionSchema.parse({ audio: { nMfcc: 20 } }).audio.melBands).toBe(26);
    const bad = featuresSectionSchema.safeParse({ audio: { mfccCount: 20 } });
    expect(bad.success).toBe(false);
    const refine = featuresSectionSchema.safeParse({ audio: { pitch: { fmin: 300, fmax: 100 } } });
    expect(refine.success).toBe(false);
    expect(refine.error!.issues[0].path).toEqual(['audio', 'pitch', 'fmax']);
  });
});

describe('text features', () => {
  it('hashing tokenizer follows FNV-1a (published test vector) and spreads words over the utterance', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c.
    const tok = new HashWordTokenizer(1000);
    expect(tok.idOf('a')).toBe(2 + (0xe40c292c % 998));
    expect(tok.idOf('A')).toBe(tok.idOf('a'));
    expect(splitWords("I don't know, 42 times!")).toEqual(['I', "don't", 'know', '42', 'times']);
    const seq = textFeatures('I feel fine today', 2, tok)!;
    expect(Array.from(seq.times)).toEqual([0.25, 0.75, 1.25, 1.75]);
    expect(seq.values[1]).toBe(tok.idOf('feel'));
    // A sub-word tokenizer: tokens share their word's span; BOS/EOS are dropped.
    const sub = { vocabSize: 50, padId: 0, bosId: 1, eosId: 2, encode: (w: string) => [1, ...Array.from(w, (c) => 3 + (c.charCodeAt(0) % 40)), 2] };
    const s2 = textFeatures('hi yo', 1, sub)!;
    expect(Array.from(s2.times)).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(textFeatures('  ...  ', 1, tok)).toBeUndefined();
    expect(() => textFeatures('x', 1, { ...sub, encode: () => [99] })).toThrow(/gave id 99/);
  });
});

describe('extractFeatures', () => {
  const cfg = featuresSectionSchema.parse({ text: { tokenizer: 'hash' } });

  it('runs every extractor on a complete sample, with the documented shapes', () => {
    const stats = newFeatureStats();
    const f = extractFeatures(makeSample(new Rng(1)), cfg, { stats });
    expect(f.audio!.dim).toBe(speechFeatureNames().length);
    expect(f.audio!.dim).toBe(13 * 3 + 3);
    expect(f.audio!.times.length).toBe(1 + Math.floor((48000 - 400) / 160));
    expect(f.physio!.dim).toBe(PHYSIO_FEATURE_NAMES.length);
    expect(f.face!.dim).toBe(4 * 4 * 9);
    expect(Array.from(f.face!.times)).toEqual([0.5, 2.5]);
    expect(stats.faceFramesExcluded).toBe(1);
    expect(f.text!.times.length).toBe(4);
    // Physio: 0.8 s beats → 75 bpm.
    expect(f.physio!.values[0]).toBeCloseTo(75, 0);
  });

  it('skips missing modalities and counts them; inconsistent samples are errors', () => {
    const s = makeSample(new Rng(2));
    s.quality.physio = 'missing';
    s.quality.text = 'missing';
    const stats = newFeatureStats();
    const f = extractFeatures(s, cfg, { stats });
    expect(Object.keys(f).sort()).toEqual(['audio', 'face']);
    expect(stats.missing.physio).toBe(1);
    const t = makeSample(new Rng(3));
    delete t.audio;
    expect(() => extractFeatures(t, cfg)).toThrow(/quality.audio is "clean" but the audio data is absent/);
    expect(() => extractFeatures(makeSample(new Rng(4)), defaultFeaturesSection())).toThrow(DataError);
    const u = makeSample(new Rng(5));
    u.video!.facePresent = [false, false, false];
    const st2 = newFeatureStats();
    expect(extractFeatures(u, cfg, { stats: st2 }).face).toBeUndefined();
    expect(st2.empty.face).toBe(1);
  });

  it('1 fps sampling keeps one frame per second', () => {
    const s = makeSample(new Rng(6));
    s.video!.fps = 4;
    s.video!.frames = Array.from({ length: 9 }, () => new Uint8Array(32 * 32).fill(90));
    s.video!.times = Float32Array.from({ length: 9 }, (_, i) => i / 4);
    s.video!.facePresent = undefined;
    const stats = newFeatureStats();
    const f = extractFeatures(s, featuresSectionSchema.parse({ text: { tokenizer: 'hash' }, face: { sampleFps: 1 } }), { stats });
    expect(Array.from(f.face!.times)).toEqual([0, 1, 2]);
    expect(stats.faceFramesSubsampledAway).toBe(6);
  });

  it('feeds alignToReference: every modality on the audio frames, text by nearest token', () => {
    const f = extractFeatures(makeSample(new Rng(7)), cfg);
    const a = alignToReference(f, { ...alignSectionSchema.parse({}) });
    const T = f.audio!.times.length;
    for (const m of ['audio', 'face', 'physio', 'text'] as const) expect(a.features[m]!.times.length).toBe(T);
    const tok = new HashWordTokenizer(4096);
    const ids = new Set(['I', 'feel', 'fine', 'today'].map((w) => tok.idOf(w)));
    expect(Array.from(a.features.text!.values).every((v) => ids.has(v))).toBe(true);
    // The frame at 0.1 s is nearest the first word (centred at 0.375 s).
    const k = f.audio!.times.findIndex((t) => t >= 0.1);
    expect(a.features.text!.values[k]).toBe(tok.idOf('I'));
  });
});

describe('TokenEmbedding', () => {
  it('embeds ids with a seeded table, masks padding, and does not leak tensors', async () => {
    const { tf, initBackend } = await import('../../src/core/backend.js');
    await initBackend('wasm');
    const { TokenEmbedding } = await import('../../src/perception/features/text.js');
    const a = new TokenEmbedding(20, 4, new Rng(1));
    const b = new TokenEmbedding(20, 4, new Rng(1));
    const ids = tf.tensor2d([[3, 5, 0]], [1, 3], 'int32');
    expect(() => new TokenEmbedding(20, 4, new Rng(2))).not.toThrow();
    const ea = a.apply(ids);
    const eb = b.apply(ids);
    expect(ea.shape).toEqual([1, 3, 4]);
    expect(Array.from(ea.dataSync())).toEqual(Array.from(eb.dataSync()));
    const mask = a.mask(ids);
    expect(Array.from(mask.dataSync())).toEqual([1, 1, 0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => {
      a.apply(ids);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, ea, eb, mask]);
    a.dispose();
    b.dispose();
  });
});
