import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ConfigError, DataError } from '../../src/core/errors.js';
import type { TimeWarp } from '../../src/data/types.js';
import type { FeatureSequence } from '../../src/perception/types.js';
import { alignToReference, pathToWarpMap, scoreAlignment, scoreWarp } from '../../src/perception/align/align.js';
import { dtw } from '../../src/perception/align/dtw.js';
import { resampleLinear } from '../../src/perception/align/resample.js';
import { alignSectionSchema } from '../../src/perception/align/config.js';

/** A smooth, non-periodic "arousal course": a few Gaussian bumps of different heights. */
function course(tau: number): number {
  const bumps = [
    [0.6, 0.25, 1.0],
    [1.5, 0.35, -0.6],
    [2.4, 0.2, 1.4],
    [3.3, 0.3, 0.7],
    [4.2, 0.3, -0.8],
  ];
  return bumps.reduce((s, [c, w, h]) => s + h * Math.exp(-(((tau - c) / w) ** 2)), 0);
}

/** Frames of `dim` features observing course(warp(t)) through a fixed mixing, plus noise. */
function observe(times: Float32Array, warp: (t: number) => number, mix: number[], offsets: number[], noise: number, rng: Rng): FeatureSequence {
  const dim = mix.length;
  const values = new Float32Array(times.length * dim);
  for (let i = 0; i < times.length; i++) {
    const x = course(warp(times[i]));
    for (let c = 0; c < dim; c++) values[i * dim + c] = mix[c] * x + offsets[c] + noise * rng.normal();
  }
  return { times, values, dim };
}

const grid = (t0: number, t1: number, hz: number) => Float32Array.from({ length: Math.round((t1 - t0) * hz) + 1 }, (_, k) => t0 + k / hz);

function sampledWarp(f: (t: number) => number, t0: number, t1: number): TimeWarp {
  const t = grid(t0, t1, 50);
  return { t, tau: t.map(f) };
}

describe('resampleLinear', () => {
  it('interpolates linearly by time and holds the ends', () => {
    const seq = { times: Float32Array.from([0, 1, 3]), values: Float32Array.from([0, 10, 1, 20, 5, 0]), dim: 2 };
    const r = resampleLinear(seq, [-1, 0.5, 2, 4]);
    expect(Array.from(r.values)).toEqual([0, 10, 0.5, 15, 3, 10, 5, 0]);
  });
});

describe('alignToReference', () => {
  const rng = new Rng(11);
  // Audio runs on the true clock; physio and face lag with a smooth monotone warp plus offset.
  const physioWarp = (t: number) => t + 0.3 + 0.15 * Math.sin((2 * Math.PI * t) / 4);
  const faceWarp = (t: number) => 0.95 * t + 0.25;
  const audio = observe(grid(0, 4.5, 100), (t) => t, [1, 0.5, -0.8], [0, 2, 1], 0.05, rng.fork('a'));
  const physio = observe(grid(0, 4, 4), physioWarp, [2, -1], [60, 3], 0.05, rng.fork('p'));
  const face = observe(grid(0, 4, 5), faceWarp, [0.3, 0.1, -0.2, 0.4], [0, 0, 0, 0], 0.02, rng.fork('f'));

  it('DTW recovers a known smooth warp with small error and beats plain resampling', () => {
    const feats = { audio, physio, face };
    const a = alignToReference(feats, { reference: 'audio', method: 'dtw', band: 0.2 });
    const none = alignToReference(feats, { reference: 'audio', method: 'none' });
    expect(a.reference).toBe('audio');
    expect(a.anchor).toBe('audio');
    const pw = sampledWarp(physioWarp, 0, 4);
    const fw = sampledWarp(faceWarp, 0, 4);
    const ePhysio = scoreWarp(a.warps.physio!, pw);
    const eFace = scoreWarp(a.warps.face!, fw);
    const nPhysio = scoreWarp(none.warps.physio!, pw);
    const nFace = scoreWarp(none.warps.face!, fw);
    // The true lag is 0.15–0.45 s; plain resampling keeps all of it.
    expect(nPhysio).toBeGreaterThan(0.25);
    expect(ePhysio).toBeLessThan(0.08);
    expect(eFace).toBeLessThan(0.08);
    expect(ePhysio).toBeLessThan(nPhysio / 3);
    expect(eFace).toBeLessThan(nFace / 3);
    // Every modality lands on the audio frames with its own dimension.
    for (const m of ['audio', 'physio', 'face'] as const) {
      expect(Array.from(a.features[m]!.times)).toEqual(Array.from(audio.times));
      expect(a.features[m]!.values.length).toBe(audio.times.length * feats[m].dim);
    }
  });

  it('scoreAlignment scores every warped modality against the simulator truth', () => {
    const feats = { audio, physio, face };
    const a = alignToReference(feats, { reference: 'audio', method: 'dtw', band: 0.2 });
    const truth = {
      timeline: { t: new Float32Array(0), arousal: new Float32Array(0), valence: new Float32Array(0), intensity: new Float32Array(0) },
      warps: { audio: sampledWarp((t) => t, 0, 4.5), physio: sampledWarp(physioWarp, 0, 4), face: sampledWarp(faceWarp, 0, 4) },
    };
    const s = scoreAlignment(a, truth);
    expect(Object.keys(s).sort()).toEqual(['face', 'physio']);
    expect(s.physio).toBeCloseTo(scoreWarp(a.warps.physio!, truth.warps.physio), 6);
    expect(s.physio!).toBeLessThan(0.08);
  });

  it('pathToWarpMap turns a dtw index path into times', () => {
    const r = dtw({ values: [0, 1, 2], dim: 1 }, { values: [0, 0, 1, 2], dim: 1 }, { band: 1 });
    const w = pathToWarpMap(r.path, [0, 0.5, 1], [0, 0.25, 0.5, 0.75]);
    expect(Array.from(w.src)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(w.ref)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(() => pathToWarpMap(r.path, [0, 1], [0, 1, 2, 3])).toThrow(DataError);
  });

  it('derivative DTW and the norm trajectory also recover the warp; a grid reference works', () => {
    const feats = { audio, physio };
    const pw = sampledWarp(physioWarp, 0, 4);
    const d = alignToReference(feats, { reference: 'audio', method: 'dtw', band: 0.2, derivative: true });
    const none = alignToReference(feats, { reference: 'audio', method: 'none' });
    const nErr = scoreWarp(none.warps.physio!, pw);
    expect(scoreWarp(d.warps.physio!, pw)).toBeLessThan(nErr / 2);
    const nrm = alignToReference(feats, { reference: 'audio', method: 'dtw', band: 0.2, trajectory: 'norm' });
    expect(scoreWarp(nrm.warps.physio!, pw)).toBeLessThan(nErr / 2);
    const g = alignToReference(feats, { reference: { grid: 120 }, method: 'dtw', band: 0.2 });
    expect(g.reference).toBe('grid');
    expect(g.times.length).toBe(120);
    expect(g.times[0]).toBeCloseTo(0, 6);
    expect(g.times[119]).toBeCloseTo(4.5, 5);
    expect(scoreWarp(g.warps.physio!, pw)).toBeLessThan(0.1);
  });

  it('falls back to a grid when audio is missing, anchoring on the next modality', () => {
    const r = alignToReference({ physio, face }, { reference: 'audio', method: 'dtw', fallbackGrid: 50, band: 0.2 });
    expect(r.reference).toBe('grid');
    expect(r.anchor).toBe('face');
    expect(r.times.length).toBe(50);
    // Relative warp: physio time s holds true time physioWarp(s), which the face clock shows at faceWarp⁻¹.
    const err = scoreWarp(r.warps.physio!, sampledWarp(physioWarp, 0, 4), sampledWarp(faceWarp, 0, 4));
    expect(err).toBeLessThan(0.08);
  });

  it('leaves sparse modalities unwarped (minFrames) and accepts trajectory smoothing', () => {
    const sparse = observe(grid(0, 4, 0.75), faceWarp, [1, 2], [0, 0], 0, rng.fork('s')); // 4 frames
    const a = alignToReference({ audio, face: sparse, physio }, { reference: 'audio', method: 'dtw', band: 0.2 });
    expect(Array.from(a.warps.face!.src)).toEqual(Array.from(a.warps.face!.ref));
    expect(a.costs.face).toBeUndefined();
    expect(a.costs.physio).toBeDefined();
    const s = alignToReference({ audio, physio }, { reference: 'audio', method: 'dtw', band: 0.2, smoothS: 0.2 });
    expect(scoreWarp(s.warps.physio!, sampledWarp(physioWarp, 0, 4))).toBeLessThan(0.1);
  });

  it('rejects bad input', () => {
    expect(() => alignToReference({}, { reference: 'audio', method: 'dtw' })).toThrow(DataError);
    const bad = { times: Float32Array.from([0, 1]), values: new Float32Array(3), dim: 2 };
    expect(() => alignToReference({ audio: bad }, { reference: 'audio', method: 'none' })).toThrow(/features.audio.values has length 3/);
    expect(() => alignToReference({ audio, physio }, { reference: 'audio', method: 'dtw', cost: 'cosine' })).toThrow(ConfigError);
  });
});

describe("alignToReference method 'oracle'", () => {
  // Audio clock: true time = t + 0.2 (offset); face clock: true time = 2t (runs at half speed).
  const audioWarp = sampledWarp((t) => t + 0.2, 0, 2);
  const faceWarp = sampledWarp((t) => 2 * t, 0, 2);
  const audioT = grid(0, 1, 100);
  const faceT = grid(0, 1.5, 10);
  // Each face frame holds its own clock time, so the aligned value is the face time read at each reference time.
  const face: FeatureSequence = { times: faceT, values: Float32Array.from(faceT), dim: 1 };
  const audio: FeatureSequence = { times: audioT, values: Float32Array.from(audioT, (t) => Math.sin(5 * t)), dim: 1 };
  const text: FeatureSequence = { times: Float32Array.of(0, 0.5), values: Float32Array.of(3, 7), dim: 1 };

  it('reads each modality at tau_m^-1(tau_anchor(t)): hand-derived (t + 0.2) / 2', () => {
    const al = alignToReference({ audio, face, text }, { reference: 'audio', method: 'oracle', truthWarps: { audio: audioWarp, face: faceWarp } });
    expect(al.anchor).toBe('audio');
    for (let k = 0; k < audioT.length; k++) {
      expect(al.features.face!.values[k]).toBeCloseTo((audioT[k] + 0.2) / 2, 5);
      expect(al.features.audio!.values[k]).toBeCloseTo(Math.sin(5 * audioT[k]), 6);
    }
    // Text is categorical: nearest token, never warped.
    expect(al.features.text!.values[0]).toBe(3);
    expect(al.features.text!.values[audioT.length - 1]).toBe(7);
    // The recovered warp is the truth: scoreAlignment (which maps the other way round) finds no error.
    const err = scoreAlignment(al, { timeline: { t: new Float32Array(2), arousal: new Float32Array(2), valence: new Float32Array(2), intensity: new Float32Array(2) }, warps: { audio: audioWarp, face: faceWarp } });
    expect(err.face!).toBeLessThan(1e-6);
    const none = alignToReference({ audio, face }, { reference: 'audio', method: 'none' });
    expect(scoreAlignment(none, { timeline: { t: new Float32Array(2), arousal: new Float32Array(2), valence: new Float32Array(2), intensity: new Float32Array(2) }, warps: { audio: audioWarp, face: faceWarp } }).face!).toBeGreaterThan(0.1);
  });

  it("span 'union' extends the timeline over every modality's recording: hand-derived [-0.2, 2.8], face read whole", () => {
    // Face records true times [0, 3] (2 × [0, 1.5]); audio [0.2, 1.2]. On the audio clock (t = x − 0.2, rate 1
    // beyond the stored warp's end at true 2.2) that union is [−0.2, 2.8], at the audio's 100 Hz: 301 frames.
    const al = alignToReference({ audio, face, text }, { reference: 'audio', method: 'oracle', oracleSpan: 'union', truthWarps: { audio: audioWarp, face: faceWarp } });
    expect(al.times.length).toBe(301);
    expect(al.times[0]).toBeCloseTo(-0.2, 5);
    expect(al.times[300]).toBeCloseTo(2.8, 5);
    const f = al.features.face!.values;
    for (let k = 0; k < al.times.length; k += 25) expect(f[k]).toBeCloseTo((al.times[k] + 0.2) / 2, 5);
    expect(f[0]).toBeCloseTo(0, 5);
    expect(f[300]).toBeCloseTo(1.5, 5);
    // The anchor holds its end frames where it recorded nothing; text stays nearest-in-time.
    expect(al.features.audio!.values[0]).toBeCloseTo(Math.sin(0), 6);
    expect(al.features.audio!.values[300]).toBeCloseTo(Math.sin(5), 6);
    expect(al.features.text!.values[300]).toBe(7);
    // The default span reads only the face frames inside the anchor's window: (0 + 0.2) / 2 to (1 + 0.2) / 2.
    const narrow = alignToReference({ audio, face }, { reference: 'audio', method: 'oracle', truthWarps: { audio: audioWarp, face: faceWarp } });
    expect(Math.min(...narrow.features.face!.values)).toBeCloseTo(0.1, 5);
    expect(Math.max(...narrow.features.face!.values)).toBeCloseTo(0.6, 5);
  });

  it('leaves a modality without a stored warp resampled, and needs the anchor warp', () => {
    const al = alignToReference({ audio, face }, { reference: 'audio', method: 'oracle', truthWarps: { audio: audioWarp } });
    const none = alignToReference({ audio, face }, { reference: 'audio', method: 'none' });
    expect(Array.from(al.features.face!.values)).toEqual(Array.from(none.features.face!.values));
    expect(() => alignToReference({ audio, face }, { reference: 'audio', method: 'oracle', truthWarps: { face: faceWarp } })).toThrow(/oracle.*ground-truth warps.*anchor modality audio/);
    expect(() => alignToReference({ audio, face }, { reference: 'audio', method: 'oracle' })).toThrow(DataError);
  });
});

describe('scoreWarp', () => {
  it('hand-computed errors', () => {
    const truth: TimeWarp = { t: Float32Array.from([0, 10]), tau: Float32Array.from([1, 11]) }; // tau = t + 1
    // Pairs (0 → 1) exact, (2 → 2.5) off by 0.5, (4 → 5) exact: mean 1/6.
    const e = scoreWarp({ src: Float32Array.from([0, 2, 4]), ref: Float32Array.from([1, 2.5, 5]) }, truth);
    expect(e).toBeCloseTo(0.5 / 3, 6);
    // With a reference clock that is itself true time minus 2 (tau_ref = t_ref + 2): want ref = src − 1.
    const refTruth: TimeWarp = { t: Float32Array.from([0, 10]), tau: Float32Array.from([2, 12]) };
    expect(scoreWarp({ src: Float32Array.from([3]), ref: Float32Array.from([2]) }, truth, refTruth)).toBeCloseTo(0, 6);
    expect(() => scoreWarp({ src: new Float32Array(0), ref: new Float32Array(0) }, truth)).toThrow(DataError);
  });
});

describe('alignSectionSchema', () => {
  it('fills defaults and rejects unknown keys and values', () => {
    const s = alignSectionSchema.parse({});
    expect(s).toMatchObject({ method: 'dtw', reference: 'audio', band: 0.1, cost: 'euclidean', derivative: false });
    expect(alignSectionSchema.parse({ reference: { grid: 64 } }).reference).toEqual({ grid: 64 });
    expect(alignSectionSchema.safeParse({ method: 'fastdtw' }).success).toBe(false);
    expect(alignSectionSchema.safeParse({ bandwidth: 0.1 }).success).toBe(false);
  });
});
