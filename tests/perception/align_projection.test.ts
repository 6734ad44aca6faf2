import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { alignToReference, learnedTrajectory } from '../../src/perception/align/align.js';
import { alignSectionSchema } from '../../src/perception/align/config.js';
import { applyProjection, fitAlignProjections, solveSpd, type ProjectionClip } from '../../src/perception/align/projection.js';
import type { FeatureSequence } from '../../src/perception/types.js';

const seq = (rows: number[][], hz = 10): FeatureSequence => ({
  times: Float32Array.from(rows, (_, k) => k / hz),
  values: Float32Array.from(rows.flat()),
  dim: rows[0].length,
});

describe('fitAlignProjections', () => {
  it('hand-computed ridge fit on one standardised column', () => {
    // Two one-frame clips: x = 0 → arousal −1, x = 2 → arousal 1. Mean 1, std 1, so z = ∓1,
    // zᵀz = 2, zᵀy = 2, and the ridge weight is 2 / (2 + λ·2) = 1 / (1 + λ).
    const clips: ProjectionClip[] = [
      { features: { face: seq([[0]]) }, arousal: -1, valence: 0 },
      { features: { face: seq([[2]]) }, arousal: 1, valence: 0 },
    ];
    for (const [lambda, w] of [[0, 1], [1, 0.5], [3, 0.25]]) {
      const p = fitAlignProjections(clips, { lambda, targets: ['arousal'], modalities: ['face'] }).face!;
      expect(p.mean[0]).toBeCloseTo(1, 12);
      expect(p.std[0]).toBeCloseTo(1, 12);
      expect(p.bias[0]).toBeCloseTo(0, 12);
      expect(p.weights[0][0]).toBeCloseTo(w, 12);
      expect(Array.from(applyProjection(p, [2, 0], 1))).toEqual([expect.closeTo(w, 12), expect.closeTo(-w, 12)]);
    }
  });

  it('weights every clip alike whatever its frame count (1/T per frame)', () => {
    // Clip A: one frame at x = 0; clip B: three frames at x = 2. Per-clip weighting gives mean 1
    // (plain frame pooling would give 1.5) and the exact fit maps 0 → −1 and 2 → 1.
    const clips: ProjectionClip[] = [
      { features: { physio: seq([[0]]) }, arousal: -1, valence: 0.5 },
      { features: { physio: seq([[2], [2], [2]]) }, arousal: 1, valence: 0.5 },
    ];
    const p = fitAlignProjections(clips, { lambda: 0, targets: ['arousal', 'valence'], modalities: ['physio'] }).physio!;
    expect(p.mean[0]).toBeCloseTo(1, 12);
    expect(p.targets).toEqual(['arousal', 'valence']);
    const y = applyProjection(p, [0, 2], 1);
    expect(Array.from(y)).toEqual([expect.closeTo(-1, 12), expect.closeTo(0.5, 12), expect.closeTo(1, 12), expect.closeTo(0.5, 12)]);
  });

  it('orders frames by arousal from several columns (one unrelated) and skips absent modalities', () => {
    // Frames x = (2a' + 1, −a' + 3, u), a' = a scaled per frame, u unrelated to a.
    const rng = new Rng(5);
    const clips: ProjectionClip[] = Array.from({ length: 30 }, () => {
      const a = rng.uniform(-1, 1);
      const T = rng.intBetween(2, 6);
      const rows = Array.from({ length: T }, () => {
        const at = a * rng.uniform(0.3, 1);
        return [2 * at + 1, -at + 3, rng.normal()];
      });
      return { features: { face: seq(rows) }, arousal: a, valence: 0 };
    });
    const p = fitAlignProjections(clips, { lambda: 0, targets: ['arousal'], modalities: ['face', 'audio'] });
    expect(p.audio).toBeUndefined();
    const y = applyProjection(p.face!, [2 * 0.4 + 1, -0.4 + 3, 0.7], 3);
    // Not exactly 0.4: frame targets are the clip label, frames carry a·(0.3..1); the fit is a
    // linear read-out, so check the ordering and the sign instead of a value it cannot reach.
    const y2 = applyProjection(p.face!, [2 * -0.4 + 1, 0.4 + 3, 0.7], 3);
    expect(y[0]).toBeGreaterThan(0);
    expect(y2[0]).toBeLessThan(0);
    expect(y[0] - y2[0]).toBeGreaterThan(0.5);
  });

  it('rejects bad input with a clear error', () => {
    const clips: ProjectionClip[] = [{ features: { face: seq([[0, 1]]) }, arousal: 0, valence: 0 }];
    expect(() => fitAlignProjections(clips, { lambda: -1, targets: ['arousal'], modalities: ['face'] })).toThrow(/lambda -1; expected ≥ 0/);
    expect(() => fitAlignProjections(clips, { lambda: 1, targets: [], modalities: ['face'] })).toThrow(DataError);
    const p = fitAlignProjections(clips, { lambda: 1, targets: ['arousal'], modalities: ['face'] }).face!;
    expect(() => applyProjection(p, [1, 2, 3], 3)).toThrow(/features have dim 3, the fitted projection 2/);
    // Singular normal equations without a ridge term.
    expect(() => solveSpd(Float64Array.from([1, 1, 1, 1]), Float64Array.from([1, 1]), 2)).toThrow(/not positive definite at column 1/);
  });
});

describe('alignToReference with learned trajectories and a step penalty', () => {
  // Audio on the true clock, face lagging 0.3 s; both observe a bump course through different mixings.
  const bump = (t: number) => Math.exp(-(((t - 1.2) / 0.25) ** 2)) - 0.7 * Math.exp(-(((t - 2.4) / 0.3) ** 2));
  const observe = (hz: number, lag: number, mix: number[]): FeatureSequence => {
    const T = Math.round(3.5 * hz);
    const rows = Array.from({ length: T }, (_, k) => mix.map((w, c) => w * bump(k / hz - lag) + c));
    return seq(rows, hz);
  };
  const audio = observe(100, 0, [1, -2]);
  const face = observe(10, 0.3, [0.5, 0.5, -1]);
  // Hand-made read-outs: each modality's own mixing inverted (least squares), bias 0.
  const proj = (mix: number[]) => {
    const n2 = mix.reduce((s, w) => s + w * w, 0);
    return { dim: mix.length, mean: mix.map((_, c) => c), std: mix.map(() => 1), weights: [mix.map((w) => w / n2)], bias: [0], targets: ['arousal' as const], clips: 1 };
  };
  const projections = { audio: proj([1, -2]), face: proj([0.5, 0.5, -1]) };

  it('the learned read-out is the course itself, so DTW recovers the lag', () => {
    const traj = learnedTrajectory(face, projections.face, 0, 'center');
    // Centred bump values at the face frames (hand: mixing inverted exactly).
    const want = Array.from(face.times, (t) => bump(t - 0.3));
    const mu = want.reduce((a, b) => a + b, 0) / want.length;
    traj.forEach((v, i) => expect(v).toBeCloseTo(want[i] - mu, 5));
    const a = alignToReference({ audio, face }, { reference: 'audio', method: 'dtw', band: 0.2, trajectory: 'learned', projections });
    // Pairs inside the bumps map face time s to reference time s − 0.3.
    let err = 0;
    let n = 0;
    const w = a.warps.face!;
    for (let p = 0; p < w.src.length; p++) {
      if (w.src[p] < 1.2 || w.src[p] > 2.9) continue;
      err += Math.abs(w.ref[p] - (w.src[p] - 0.3));
      n++;
    }
    expect(n).toBeGreaterThan(50);
    expect(err / n).toBeLessThan(0.05);
  });

  it('a large step penalty keeps the path on the diagonal (= resampling)', () => {
    const a = alignToReference({ audio, face }, { reference: 'audio', method: 'dtw', band: 0.2, stepPenalty: 1e6 });
    expect(Array.from(a.warps.face!.src)).toEqual(Array.from(a.warps.face!.ref));
    const none = alignToReference({ audio, face }, { reference: 'audio', method: 'none' });
    expect(Array.from(a.features.face!.values)).toEqual(Array.from(none.features.face!.values));
  });

  it('names the modality whose projection is missing', () => {
    expect(() => alignToReference({ audio, face }, { reference: 'audio', method: 'dtw', trajectory: 'learned', projections: { audio: projections.audio } })).toThrow(ConfigError);
    expect(() => alignToReference({ audio, face }, { reference: 'audio', method: 'dtw', trajectory: 'learned', projections: { audio: projections.audio } })).toThrow(/projection for face/);
  });

  it('perception.align.stepPenalty: default 0, negative rejected', () => {
    expect(alignSectionSchema.parse({}).stepPenalty).toBe(0);
    expect(alignSectionSchema.parse({ stepPenalty: 1 }).stepPenalty).toBe(1);
    expect(alignSectionSchema.safeParse({ stepPenalty: -0.5 }).success).toBe(false);
  });
});
