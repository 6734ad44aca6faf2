import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { DEFAULT_PHYSIO, PHYSIO_FEATURE_NAMES, decomposeGsr, detectPpgPeaks, detectRPeaks, hrv, physioFeatures } from '../../src/perception/features/physio.js';

const SR = 128;

/** Beat times with a slowly varying RR (0.65–1.0 s) and beat-to-beat jitter. */
function beatTimes(durS: number, rng: Rng): number[] {
  const out: number[] = [];
  let t = 0.5 + rng.uniform(0, 0.3);
  while (t < durS - 0.5) {
    out.push(t);
    t += 0.82 + 0.15 * Math.sin(t / 3) + rng.uniform(-0.04, 0.04);
  }
  return out;
}

/** ECG as a sum of Gaussian P, Q, R, S, T waves per beat (McSharry et al. 2003 shape), R apex at the beat time. */
function syntheticEcg(beats: number[], durS: number, noise: number, rng: Rng): Float32Array {
  const waves = [
    [-0.2, 0.15, 0.025],
    [-0.028, -0.12, 0.01],
    [0, 1.0, 0.01],
    [0.028, -0.25, 0.01],
    [0.25, 0.3, 0.05],
  ];
  const n = Math.round(durS * SR);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    let v = 0.3 * Math.sin(2 * Math.PI * 0.25 * t); // baseline wander
    for (const b of beats) {
      if (Math.abs(t - b) > 0.5) continue;
      for (const [dt, a, w] of waves) v += a * Math.exp(-(((t - b - dt) / w) ** 2) / 2);
    }
    x[i] = v + noise * rng.normal();
  }
  return x;
}

function matchBeats(found: Int32Array, beats: number[]): number {
  expect(found.length).toBe(beats.length);
  let maxErr = 0;
  beats.forEach((b, k) => (maxErr = Math.max(maxErr, Math.abs(found[k] - Math.round(b * SR)))));
  return maxErr;
}

describe('HRV (Task Force 1996), hand-computed', () => {
  it('RR = 800, 850, 780, 900, 860 ms', () => {
    // Δ = 50, −70, 120, −40: RMSSD = √(23400/4); mean 838, SDNN = √(9280/4); |Δ| > 50: two of them.
    const h = hrv([800, 850, 780, 900, 860]);
    expect(h.rmssdMs).toBeCloseTo(Math.sqrt(5850), 10);
    expect(h.sdnnMs).toBeCloseTo(Math.sqrt(2320), 10);
    expect(h.pnn50).toBeCloseTo(40, 10);
    expect(h.hrBpm).toBeCloseTo(60000 / 838, 10);
    expect(hrv([800, 850, 780, 900, 860], 'differences').pnn50).toBeCloseTo(50, 10);
    expect(Number.isNaN(hrv([800]).sdnnMs)).toBe(true);
  });
});

describe('R-peak detection', () => {
  it('finds every beat of a clean synthetic ECG within 1 sample at 128 Hz', () => {
    const rng = new Rng(1);
    const beats = beatTimes(60, rng);
    const found = detectRPeaks(syntheticEcg(beats, 60, 0, rng), SR);
    expect(matchBeats(found, beats)).toBeLessThanOrEqual(1);
  });

  it('with noise and baseline wander: no misses, no extras, within 1 sample', () => {
    const rng = new Rng(2);
    const beats = beatTimes(60, rng);
    const found = detectRPeaks(syntheticEcg(beats, 60, 0.05, rng.fork('noise')), SR);
    expect(matchBeats(found, beats)).toBeLessThanOrEqual(1);
  });

  it('PPG systolic peaks (Elgendi) give the same beat count and RR', () => {
    const rng = new Rng(3);
    const beats = beatTimes(60, rng);
    const n = 60 * SR;
    // A pulse per beat: a systolic Gaussian 0.15 s after the R wave and a smaller dicrotic one.
    const ppg = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / SR;
      let v = 0.02 * rng.normal();
      for (const b of beats) v += Math.exp(-(((t - b - 0.15) / 0.07) ** 2) / 2) + 0.3 * Math.exp(-(((t - b - 0.45) / 0.08) ** 2) / 2);
      ppg[i] = v;
    }
    const peaks = detectPpgPeaks(ppg, SR);
    expect(peaks.length).toBe(beats.length);
    beats.forEach((b, k) => expect(Math.abs(peaks[k] / SR - (b + 0.15))).toBeLessThan(0.03));
  });
});

describe('GSR', () => {
  /** Tonic drift plus Bateman-shaped SCRs of known onset and peak amplitude. */
  function syntheticGsr(durS: number, scrs: [number, number][]): Float32Array {
    const tr = 0.75;
    const td = 2;
    const tPeak = (Math.log(td / tr) * tr * td) / (td - tr);
    const norm = Math.exp(-tPeak / td) - Math.exp(-tPeak / tr);
    const x = new Float32Array(Math.round(durS * SR));
    for (let i = 0; i < x.length; i++) {
      const t = i / SR;
      let v = 5 + 0.01 * t;
      for (const [on, amp] of scrs) if (t > on) v += (amp * (Math.exp(-(t - on) / td) - Math.exp(-(t - on) / tr))) / norm;
      x[i] = v;
    }
    return x;
  }

  it('counts SCRs and measures their amplitudes; tonic follows the drift', () => {
    const scrs: [number, number][] = [
      [3, 0.5],
      [12, 0.2],
      [20, 0.8],
      [31, 0.1],
    ];
    const d = decomposeGsr(syntheticGsr(40, scrs), SR);
    expect(d.responses.length).toBe(scrs.length);
    d.responses.forEach((r, k) => {
      // Peak of the Bateman response at t = ln(τd/τr)·τr·τd/(τd − τr) ≈ 1.18 s after onset. The trough
      // (onset) comes early where the drift outpaces the previous decay, so only its order is checked.
      expect(Math.abs(r.peak / SR - (scrs[k][0] + (Math.log(2 / 0.75) * 0.75 * 2) / 1.25))).toBeLessThan(0.2); // the drift moves the apex later, most for small responses
      expect(r.onset / SR).toBeLessThan(scrs[k][0] + 0.3);
      // Trough to peak includes ≈ 1.5 s of drift (0.015) and the previous response's tail.
      expect(Math.abs(r.amplitude - scrs[k][1])).toBeLessThan(0.12 * scrs[k][1] + 0.02);
    });
    const flat = decomposeGsr(syntheticGsr(40, []), SR);
    expect(flat.responses.length).toBe(0);
    for (let i = 2 * SR; i < 38 * SR; i += SR) expect(flat.tonic[i]).toBeCloseTo(5 + (0.01 * i) / SR, 2);
  });

  it('ignores rises below the minimum amplitude', () => {
    const d = decomposeGsr(syntheticGsr(20, [[5, 0.01]]), SR);
    expect(d.responses.length).toBe(0);
  });
});

describe('physioFeatures', () => {
  it('windowed HR/HRV/GSR columns on a synthetic recording', () => {
    const rng = new Rng(4);
    const beats = beatTimes(20, rng);
    const ecg = syntheticEcg(beats, 20, 0.02, rng.fork('n'));
    const gsr = new Float32Array(ecg.length).fill(3);
    const r = physioFeatures({ sampleRate: SR, channels: { ecg, gsr } });
    expect(r.beatSource).toBe('ecg');
    expect(r.features.dim).toBe(PHYSIO_FEATURE_NAMES.length);
    const count = 1 + Math.floor((20 - DEFAULT_PHYSIO.windowS) / DEFAULT_PHYSIO.hopS);
    expect(r.features.times.length).toBe(count);
    expect(r.features.times[0]).toBeCloseTo(DEFAULT_PHYSIO.windowS / 2, 6);
    // First window: its HR from the true beats whose interval ends inside [0, 4) s.
    const nn: number[] = [];
    for (let k = 1; k < beats.length; k++) if (beats[k] < 4) nn.push((beats[k] - beats[k - 1]) * 1000);
    const mean = nn.reduce((a, b) => a + b, 0) / nn.length;
    expect(Math.abs(r.features.values[0] - 60000 / mean)).toBeLessThan(1.5);
    expect(r.features.values[4]).toBeCloseTo(3, 4);
    expect(r.features.values[5]).toBe(0);
  });

  it('rejects mismatched channels', () => {
    expect(() => physioFeatures({ sampleRate: SR, channels: { ecg: new Float32Array(100), gsr: new Float32Array(90) } })).toThrow(DataError);
    expect(() => physioFeatures({ sampleRate: 0, channels: {} })).toThrow(/sampleRate is 0/);
    const gsr = new Float32Array(200).fill(1);
    gsr[5] = Infinity;
    expect(() => physioFeatures({ sampleRate: SR, channels: { gsr } })).toThrow(/channels.gsr\[5\] is Infinity/);
  });
});
