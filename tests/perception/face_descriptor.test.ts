import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { faceDescriptor, faceDescriptorSequence, hog, resizeArea } from '../../src/perception/features/face_descriptor.js';
import { majorityVote, sampleAtFps } from '../../src/perception/features/voting.js';

describe('face descriptor', () => {
  it('area resize averages exact blocks', () => {
    // 4×4 → 2×2: each output is the mean of a 2×2 block.
    const f = Uint8Array.from([0, 0, 255, 255, 0, 0, 255, 255, 51, 51, 102, 102, 51, 51, 102, 102]);
    expect(Array.from(resizeArea(f, 4, 4, 2))).toEqual([0, 1, 0.2, 0.4]);
  });

  it('HOG puts a horizontal edge in the 90° bin and a vertical edge half in each bin next to 0°', () => {
    const size = 8;
    const horiz = new Float64Array(size * size).map((_, i) => (Math.floor(i / size) >= 4 ? 1 : 0));
    const h = hog(horiz, size, 2, 9);
    // 90° is the centre of bin 4 (bins are 20° wide, centred at 10°, 30°, …): all mass there.
    for (let i = 0; i < h.length; i++) if (i % 9 !== 4) expect(h[i]).toBe(0);
    expect(h[4] + h[9 + 4] + h[18 + 4] + h[27 + 4]).toBeGreaterThan(0);
    const vert = new Float64Array(size * size).map((_, i) => (i % size >= 4 ? 1 : 0));
    const v = hog(vert, size, 2, 9);
    // 0° lies halfway between the centres of bins 8 (170°) and 0 (10°).
    for (let c = 0; c < 4; c++) {
      expect(v[c * 9]).toBeCloseTo(v[c * 9 + 8], 6);
      for (let b = 1; b < 8; b++) expect(v[c * 9 + b]).toBe(0);
    }
    // L2-Hys: unit norm.
    expect(Math.hypot(...Array.from(v))).toBeCloseTo(1, 5);
  });

  it('pixels descriptor is brightness- and contrast-invariant', () => {
    const a = Uint8Array.from({ length: 64 }, (_, i) => 50 + (i % 8) * 10);
    const b = Uint8Array.from(a, (v) => 2 * v - 40);
    const da = faceDescriptor(a, 8, 8, { kind: 'pixels', size: 4, cells: 1, bins: 1 });
    const db = faceDescriptor(b, 8, 8, { kind: 'pixels', size: 4, cells: 1, bins: 1 });
    for (let i = 0; i < da.length; i++) expect(db[i]).toBeCloseTo(da[i], 5);
  });

  it('excludes frames without a face and counts them', () => {
    const frame = () => Uint8Array.from({ length: 64 }, (_, i) => i * 3);
    const video = { fps: 1, width: 8, height: 8, frames: [frame(), frame(), frame()], times: Float32Array.from([0, 1, 2]), facePresent: [true, false, true] };
    const r = faceDescriptorSequence(video, { kind: 'hog', size: 8, cells: 2, bins: 9 });
    expect(r.excluded).toBe(1);
    expect(Array.from(r.features!.times)).toEqual([0, 2]);
    expect(r.features!.dim).toBe(36);
    const none = faceDescriptorSequence({ ...video, facePresent: [false, false, false] });
    expect(none.features).toBeUndefined();
    expect(none.excluded).toBe(3);
    expect(() => faceDescriptorSequence({ ...video, frames: [frame(), new Uint8Array(3), frame()] })).toThrow(/frames\[1\] has 3 pixels/);
    expect(() => faceDescriptorSequence({ ...video, times: Float32Array.from([0]) })).toThrow(DataError);
  });
});

describe('per-clip majority vote', () => {
  const p = (...v: number[]) => ({ present: true, probs: v });
  const none = { present: false, probs: [0, 0, 0] };

  it('majority wins; frames without a face do not vote', () => {
    const r = majorityVote([p(0.6, 0.3, 0.1), none, p(0.2, 0.7, 0.1), p(0.5, 0.4, 0.1), none]);
    expect(r.classIndex).toBe(0);
    expect(r.votes).toEqual([2, 1, 0]);
    expect(r.used).toBe(3);
    expect(r.excluded).toBe(2);
  });

  it('a tie goes to the higher mean probability', () => {
    // Votes 1–1 between classes 0 and 1; mean probs: class 0 (0.5 + 0.1)/2 = 0.3, class 1 (0.45 + 0.8)/2 = 0.625.
    const r = majorityVote([p(0.5, 0.45, 0.05), p(0.1, 0.8, 0.1)]);
    expect(r.votes).toEqual([1, 1, 0]);
    expect(r.meanProbs[0]).toBeCloseTo(0.3, 12);
    expect(r.meanProbs[1]).toBeCloseTo(0.625, 12);
    expect(r.classIndex).toBe(1);
    expect(majorityVote([none, none]).classIndex).toBe(-1);
  });

  it('samples one frame per second before voting', () => {
    // 5 fps for 2 s: ticks 0, 1, 2 s pick frames 0, 5, 10.
    const times = Float32Array.from({ length: 11 }, (_, i) => i / 5);
    expect(sampleAtFps(times, 1)).toEqual([0, 5, 10]);
    const frames = Array.from({ length: 11 }, (_, i) => (i % 5 === 0 ? p(0.1, 0.9, 0) : p(0.9, 0.1, 0)));
    const r = majorityVote(frames, { times, fps: 1 });
    expect(r.sampled).toEqual([0, 5, 10]);
    expect(r.classIndex).toBe(1);
    expect(majorityVote(frames).classIndex).toBe(0);
  });
});
