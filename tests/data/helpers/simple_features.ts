/**
 * Deliberately simple, independent feature extractors for checking that each
 * SynAffect modality carries signal (not the perception stage's extractors).
 */
import type { Sample } from '../../../src/data/types.js';

/** Audio: log energy (mean, std), zero-crossing rate and autocorrelation pitch/voicing, over 32 ms frames. */
export function audioFeatures(s: Sample): number[] {
  const { pcm, sampleRate: fs } = s.audio!;
  const N = Math.round(0.032 * fs);
  const energies: number[] = [];
  const pitches: number[] = [];
  const voicing: number[] = [];
  let zc = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1] < 0 !== pcm[i] < 0) zc++;
  for (let start = 0, f = 0; start + N <= pcm.length; start += N, f++) {
    let e = 0;
    for (let i = start; i < start + N; i++) e += pcm[i] * pcm[i];
    energies.push(Math.log(e / N + 1e-10));
    if (f % 3 !== 0) continue; // pitch on every third frame keeps the test fast
    let best = 0;
    let bestLag = 0;
    for (let lag = Math.floor(fs / 400); lag <= Math.floor(fs / 70); lag += 3) {
      let c = 0;
      for (let i = start; i < start + N - lag; i++) c += pcm[i] * pcm[i + lag];
      if (c > best) {
        best = c;
        bestLag = lag;
      }
    }
    voicing.push(e > 0 ? best / e : 0);
    if (bestLag > 0 && best / e > 0.3) pitches.push(Math.log(fs / bestLag));
  }
  const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
  const std = (a: number[]) => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
  return [mean(energies), std(energies), zc / pcm.length, mean(pitches), std(pitches), mean(voicing)];
}

/** Face: each frame standardised (removes brightness and contrast), pooled to 8×8 cells, averaged over frames. */
export function faceFeatures(s: Sample): number[] {
  const v = s.video!;
  const cells = 8;
  const out = new Array<number>(cells * cells).fill(0);
  for (const f of v.frames) {
    let m = 0;
    for (const p of f) m += p / f.length;
    let sd = 0;
    for (const p of f) sd += (p - m) ** 2 / f.length;
    sd = Math.sqrt(sd) + 1e-6;
    for (let y = 0; y < v.height; y++) for (let x = 0; x < v.width; x++) out[Math.floor((y * cells) / v.height) * cells + Math.floor((x * cells) / v.width)] += (f[y * v.width + x] - m) / sd;
  }
  return out.map((x) => x / v.frames.length);
}

/** Physiology: heart rate from R peaks (threshold on the ECG), GSR mean rise and range. */
export function physioFeatures(s: Sample): number[] {
  const fs = s.physio!.sampleRate;
  const ecg = s.physio!.channels.ecg;
  const gsr = s.physio!.channels.gsr;
  let max = 0;
  for (const x of ecg) max = Math.max(max, x);
  const peaks: number[] = [];
  for (let i = 1; i < ecg.length - 1; i++) {
    if (ecg[i] > 0.6 * max && ecg[i] >= ecg[i - 1] && ecg[i] > ecg[i + 1] && (peaks.length === 0 || i - peaks[peaks.length - 1] > 0.3 * fs)) peaks.push(i);
  }
  const hr = peaks.length > 1 ? (60 * fs * (peaks.length - 1)) / (peaks[peaks.length - 1] - peaks[0]) : 0;
  let gmin = Infinity;
  let gmax = -Infinity;
  for (const x of gsr) {
    gmin = Math.min(gmin, x);
    gmax = Math.max(gmax, x);
  }
  return [hr, gsr[gsr.length - 1] - gsr[0], gmax - gmin];
}

/** Text: bag of words over a vocabulary. */
export function textFeatures(s: Sample, vocab: Map<string, number>): number[] {
  const out = new Array<number>(vocab.size).fill(0);
  for (const w of s.transcript!.split(/\s+/)) {
    const k = vocab.get(w);
    if (k !== undefined) out[k] += 1;
  }
  return out;
}

/**
 * Ridge-regularised least-squares classifier onto one-hot targets (on z-scored
 * features), solved by Gaussian elimination; returns test accuracy.
 */
export function ridgeAccuracy(train: { x: number[]; y: number }[], test: { x: number[]; y: number }[], k: number, lambda = 1): number {
  const d = train[0].x.length;
  const mu = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const r of train) r.x.forEach((v, j) => (mu[j] += v / train.length));
  for (const r of train) r.x.forEach((v, j) => (sd[j] += (v - mu[j]) ** 2 / train.length));
  const z = (x: number[]) => [1, ...x.map((v, j) => (v - mu[j]) / (Math.sqrt(sd[j]) + 1e-9))];
  const D = d + 1;
  // Normal equations: (XᵀX + λI) W = XᵀY.
  const A = Array.from({ length: D }, (_, i) => Array.from({ length: D + k }, (_, j) => (i === j && i > 0 ? lambda : 0)));
  for (const r of train) {
    const zx = z(r.x);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) A[i][j] += zx[i] * zx[j];
      A[i][D + r.y] += zx[i];
    }
  }
  for (let c = 0; c < D; c++) {
    let p = c;
    for (let i = c + 1; i < D; i++) if (Math.abs(A[i][c]) > Math.abs(A[p][c])) p = i;
    [A[c], A[p]] = [A[p], A[c]];
    for (let i = 0; i < D; i++) {
      if (i === c) continue;
      const f = A[i][c] / A[c][c];
      for (let j = c; j < D + k; j++) A[i][j] -= f * A[c][j];
    }
  }
  let ok = 0;
  for (const r of test) {
    const zx = z(r.x);
    let best = 0;
    let bs = -Infinity;
    for (let y = 0; y < k; y++) {
      let sc = 0;
      for (let i = 0; i < D; i++) sc += (zx[i] * A[i][D + y]) / A[i][i];
      if (sc > bs) {
        bs = sc;
        best = y;
      }
    }
    if (best === r.y) ok++;
  }
  return ok / test.length;
}
