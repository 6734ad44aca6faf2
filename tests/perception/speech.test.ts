import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { Fft } from '../../src/perception/features/fft.js';
import { DEFAULT_SPEECH, mfcc, speechFeatureNames, speechFeatures, type SpeechConfig } from '../../src/perception/features/speech.js';
import { yinTrack } from '../../src/perception/features/yin.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/perception/speech_features.json', import.meta.url), 'utf8'));

/** The fixture's analytic test signal (scripts/fixtures/speech_features.py: signal()). */
function fixtureSignal(): Float32Array {
  const sr = fixture.sampleRate;
  const n = Math.round(sr * fixture.durationS);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const tones = 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.2 * Math.sin(2 * Math.PI * 700 * t + 0.5) + 0.1 * Math.sin(2 * Math.PI * 1800 * t + 1.0);
    const chirp = 0.2 * Math.sin(2 * Math.PI * (300 * t + ((3000 - 300) * t * t) / (2 * fixture.durationS)));
    out[i] = tones + chirp;
  }
  return out;
}

const tone = (f: number, sr: number, seconds: number, amp = 0.5) => Float32Array.from({ length: Math.round(sr * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr));

describe('Fft', () => {
  it('matches a direct DFT and inverts', () => {
    const rng = new Rng(1);
    const n = 32;
    const x = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const re = Float64Array.from(x.map((v) => v[0]));
    const im = Float64Array.from(x.map((v) => v[1]));
    new Fft(n).transform(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * k * j) / n;
        sr += x[j][0] * Math.cos(a) - x[j][1] * Math.sin(a);
        si += x[j][0] * Math.sin(a) + x[j][1] * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
    new Fft(n).inverse(re, im);
    for (let j = 0; j < n; j++) expect(re[j]).toBeCloseTo(x[j][0], 12);
    expect(() => new Fft(12)).toThrow(/power of two/);
  });
});

describe('MFCC', () => {
  const audio = { sampleRate: fixture.sampleRate, pcm: fixtureSignal() };
  const cfg: SpeechConfig = { ...DEFAULT_SPEECH, pitch: { ...DEFAULT_SPEECH.pitch, enabled: false } };

  for (const impl of ['fast', 'meyda'] as const) {
    it(`${impl}: matches the numpy reference (meyda conventions) on tones + chirp`, () => {
      const r = mfcc(audio, { ...cfg, mfccImpl: impl });
      expect(r.times.length).toBe(fixture.times.length);
      for (let t = 0; t < fixture.times.length; t++) {
        expect(r.times[t]).toBeCloseTo(fixture.times[t], 6);
        expect(r.logEnergy[t]).toBeCloseTo(fixture.logEnergy[t], 3);
        for (let k = 0; k < 13; k++) {
          const want = fixture.mfcc[t][k];
          expect(Math.abs(r.mfcc[t * 13 + k] - want)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want)));
        }
      }
    });
  }

  it('deltas and the assembled sequence match the reference; column names line up', () => {
    const seq = speechFeatures(audio, cfg);
    const names = speechFeatureNames(cfg);
    expect(seq.dim).toBe(names.length);
    expect(names.slice(0, 2)).toEqual(['mfcc_0', 'mfcc_1']);
    expect(names[names.length - 1]).toBe('log_energy');
    for (let t = 0; t < fixture.times.length; t++) {
      for (let k = 0; k < 13; k++) {
        expect(seq.values[t * seq.dim + 13 + k]).toBeCloseTo(fixture.delta[t][k], 2);
        expect(seq.values[t * seq.dim + 26 + k]).toBeCloseTo(fixture.delta2[t][k], 2);
      }
    }
  });

  it('log energy of whole periods equals the hand value ln(A²·frame/2)', () => {
    // 200 Hz at 16 kHz: 80 samples per period, a 400-sample frame holds 5 periods, Σ sin² = 200.
    const r = mfcc({ sampleRate: 16000, pcm: tone(200, 16000, 0.2, 0.5) }, cfg);
    for (const e of r.logEnergy) expect(e).toBeCloseTo(Math.log(0.25 * 200), 4);
  });

  it('rejects bad configs and input', () => {
    expect(() => mfcc({ sampleRate: 0, pcm: new Float32Array(100) }, cfg)).toThrow(DataError);
    expect(() => mfcc(audio, { ...cfg, nMfcc: 30 })).toThrow(/nMfcc is 30/);
    expect(() => mfcc(audio, { ...cfg, fftSize: 300 })).toThrow(/fftSize is 300/);
    const bad = Float32Array.from(audio.pcm);
    bad[77] = NaN;
    expect(() => mfcc({ sampleRate: 16000, pcm: bad }, cfg)).toThrow(/audio.pcm\[77\] is NaN/);
  });
});

describe('YIN pitch', () => {
  const sr = 16000;
  const pcfg = DEFAULT_SPEECH.pitch;
  const frameTimes = (seconds: number) => Float32Array.from({ length: Math.floor((seconds - 0.05) / 0.01) }, (_, k) => 0.025 + k * 0.01);

  it('pure tones: every frame voiced, F0 within 1%', () => {
    for (const f of [80, 110, 220, 330]) {
      const times = frameTimes(0.5);
      const p = yinTrack({ sampleRate: sr, pcm: tone(f, sr, 0.5) }, times, pcfg);
      for (let t = 0; t < times.length; t++) {
        expect(p.voiced[t]).toBe(1);
        expect(Math.abs(p.f0[t] - f) / f).toBeLessThan(0.01);
      }
    }
  });

  it('an exponential glide 120 → 300 Hz is tracked within 2%', () => {
    const dur = 1;
    const k = Math.log(300 / 120) / dur;
    // Phase of f(t) = 120·e^{kt}: 2π·120·(e^{kt} − 1)/k.
    const pcm = Float32Array.from({ length: sr * dur }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 120 * (Math.exp((k * i) / sr) - 1)) / k));
    const times = frameTimes(dur);
    const p = yinTrack({ sampleRate: sr, pcm }, times, pcfg);
    let within = 0;
    for (let t = 0; t < times.length; t++) {
      const truth = 120 * Math.exp(k * times[t]);
      if (p.voiced[t] === 1 && Math.abs(p.f0[t] - truth) / truth < 0.02) within++;
    }
    expect(within / times.length).toBeGreaterThan(0.97);
  });

  it('silence and white noise are unvoiced', () => {
    const times = frameTimes(0.5);
    const silent = yinTrack({ sampleRate: sr, pcm: new Float32Array(sr / 2) }, times, pcfg);
    expect(Array.from(silent.voiced).every((v) => v === 0)).toBe(true);
    expect(Array.from(silent.f0).every((v) => v === 0)).toBe(true);
    const noise = yinTrack({ sampleRate: sr, pcm: new Rng(5).normalArray(sr / 2, 0, 0.3) }, times, pcfg);
    const voicedFrac = Array.from(noise.voiced).reduce((a, b) => a + b, 0) / times.length;
    expect(voicedFrac).toBeLessThan(0.1);
  });

  it('speechFeatures carries F0 and voicing columns', () => {
    const seq = speechFeatures({ sampleRate: sr, pcm: tone(150, sr, 0.3) });
    const names = speechFeatureNames();
    const fi = names.indexOf('f0_hz');
    const vi = names.indexOf('voiced');
    const T = seq.times.length;
    expect(T).toBe(1 + Math.floor((0.3 * sr - 400) / 160));
    for (let t = 2; t < T - 2; t++) {
      expect(seq.values[t * seq.dim + vi]).toBe(1);
      expect(Math.abs(seq.values[t * seq.dim + fi] - 150)).toBeLessThan(1.5);
    }
  });
});
