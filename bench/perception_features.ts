// Feature extraction timings for one 4 s utterance at 16 kHz: `node --import tsx bench/perception_features.ts`.
import { Rng } from '../src/core/rng.js';
import { DEFAULT_SPEECH, mfcc, speechFeatures } from '../src/perception/features/speech.js';
import { yinTrack } from '../src/perception/features/yin.js';
import { Fft } from '../src/perception/features/fft.js';

const sr = 16000;
const rng = new Rng(1);
const pcm = new Float32Array(4 * sr);
for (let i = 0; i < pcm.length; i++) pcm[i] = 0.4 * Math.sin((2 * Math.PI * (140 + 40 * Math.sin(i / sr)) * i) / sr) + 0.02 * rng.normal();
const audio = { sampleRate: sr, pcm };

function time(label: string, fn: () => unknown, reps = 20): void {
  for (let r = 0; r < 3; r++) fn();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) fn();
  const cu = process.cpuUsage(c0);
  console.log(`${label}: ${((performance.now() - t0) / reps).toFixed(2)} ms wall, ${((cu.user + cu.system) / 1000 / reps).toFixed(2)} ms CPU per 4 s utterance`);
}

const noPitch = { ...DEFAULT_SPEECH, pitch: { ...DEFAULT_SPEECH.pitch, enabled: false } };
time('mfcc (fast)', () => mfcc(audio, noPitch));
time('mfcc (meyda extractor)', () => mfcc(audio, { ...noPitch, mfccImpl: 'meyda' }));
const times = mfcc(audio, noPitch).times;
time('yin', () => yinTrack(audio, times, DEFAULT_SPEECH.pitch));
time('speechFeatures (MFCC+Δ+ΔΔ, log E, F0, voicing)', () => speechFeatures(audio));

// Calibration for a shared machine: one 512-point complex FFT (a few µs on an idle modern core).
{
  const f = new Fft(512);
  const re = rng.normalArray(512).map((v) => v);
  const a = Float64Array.from(re);
  const b = new Float64Array(512);
  for (let r = 0; r < 500; r++) f.transform(a, b);
  const c0 = process.cpuUsage();
  for (let r = 0; r < 2000; r++) f.transform(a, b);
  const cu = process.cpuUsage(c0);
  console.log(`calibration: 512-point FFT ${((cu.user + cu.system) / 2000).toFixed(1)} µs CPU`);
}
