import type { Rng } from '../../core/rng.js';
import type { AudioSignal, TimeWarp } from '../types.js';
import type { EmotionPrototype } from './presets.js';
import type { Speaker } from './speaker.js';
import { emotionAt, type Timeline } from './timeline.js';
import { NoiseSource } from './noise.js';

/** Peterson & Barney (1952) average adult male formants F1–F3 (Hz) for five vowels. */
const VOWELS: readonly [number, number, number][] = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
];
const BANDWIDTHS = [80, 100, 130];

export interface VoiceOptions {
  sampleRate: number;
  durationS: number;
  snrDb: number;
  peakIntensity: number;
}

/** Two-pole resonator coefficients (Klatt 1980) for centre f and bandwidth b. */
function resonator(f: number, b: number, fs: number): [number, number, number] {
  const r = Math.exp((-Math.PI * b) / fs);
  const a1 = 2 * r * Math.cos((2 * Math.PI * f) / fs);
  const a2 = -r * r;
  return [1 - a1 - a2, a1, a2];
}

/**
 * Source-filter voice (hand-written: no maintained JS package synthesises
 * parametric speech). A glottal pulse train whose pitch level, range, jitter,
 * open quotient (tension) and aspiration (breathiness) follow the emotion seen
 * through the audio warp, shaped by three formant resonators per syllable,
 * syllable rate and energy rising with arousal; then white background noise at
 * the requested SNR.
 */
export function synthVoice(rng: Rng, sp: Speaker, proto: EmotionPrototype, tl: Timeline, warp: TimeWarp, o: VoiceOptions): AudioSignal {
  const fs = o.sampleRate;
  const n = Math.round(o.durationS * fs);
  const pcm = new Float32Array(n);
  const ex = sp.expressiveness;
  // Syllable plan on the audio clock.
  type Syl = { start: number; end: number; vowel: number; voiced: boolean; accent: number };
  const syls: Syl[] = [];
  let t = rng.uniform(0.03, 0.12);
  while (t < o.durationS - 0.12) {
    const e = emotionAt(tl, warp, t, o.peakIntensity);
    const rate = sp.rate * (1 + 0.3 * e.arousal * ex);
    const dur = Math.max(0.08, (1 / rate) * rng.uniform(0.75, 1.25));
    const end = Math.min(o.durationS - 0.02, t + dur);
    syls.push({ start: t, end, vowel: rng.int(VOWELS.length), voiced: rng.bernoulli(0.85), accent: rng.uniform(-1, 1) });
    t = end + (rng.bernoulli(0.1) ? rng.uniform(0.08, 0.2) : 0.01);
  }
  const src = new NoiseSource(rng);
  let phase = 0;
  let prevPulse = 0;
  const y = [
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  const block = Math.round(fs * 0.01);
  let sig2 = 0;
  for (const s of syls) {
    const i0 = Math.round(s.start * fs);
    const i1 = Math.min(n, Math.round(s.end * fs));
    const mid = (s.start + s.end) / 2;
    const e = emotionAt(tl, warp, mid, o.peakIntensity);
    const breath = Math.min(1, sp.breathiness + proto.voice.breathiness * e.env * ex);
    const tension = proto.voice.tension * e.env * ex;
    const jitter = 0.004 + 0.04 * proto.voice.jitter * e.env * ex;
    const oq = Math.min(0.85, Math.max(0.35, 0.65 - 0.25 * tension));
    const gain = 0.12 * sp.loudness * Math.pow(10, (9 * e.arousal * ex + 2 * e.intensity) / 20);
    const f1shift = 1 + 0.12 * e.arousal;
    const coefs = VOWELS[s.vowel].map((f, k) => resonator(f * sp.tract * (k === 0 ? f1shift : 1), BANDWIDTHS[k] * (1 + 0.5 * breath), fs));
    // Pitch (semitones re speaker mean): arousal raises level and range; valence tilts up; declination over the utterance.
    const range = sp.pitchRange * Math.max(0.3, 1 + 0.8 * e.arousal * ex + 0.3 * e.valence);
    let periodJitter = 1;
    let f0 = sp.f0;
    const [b0a, a1a, a2a] = coefs[0];
    const [b0b, a1b, a2b] = coefs[1];
    const [b0c, a1c, a2c] = coefs[2];
    let [ya1, ya2] = y[0];
    let [yb1, yb2] = y[1];
    let [yc1, yc2] = y[2];
    const aspiration = breath * 0.3 * Math.sqrt(3); // uniform noise of std breath*0.3
    for (let i = i0; i < i1; i++) {
      const ti = i / fs;
      const pos = (ti - s.start) / (s.end - s.start);
      if ((i - i0) % block === 0) {
        // Control parameters every 10 ms: the warped emotion and the pitch target.
        if (i > i0) {
          const ee = emotionAt(tl, warp, ti, o.peakIntensity);
          e.arousal = ee.arousal;
          e.valence = ee.valence;
        }
        const semis = 5 * e.arousal * ex + 1.5 * e.valence + range * s.accent * Math.sin(Math.PI * pos) - 2 * (ti / o.durationS);
        f0 = sp.f0 * Math.pow(2, semis / 12);
      }
      const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * Math.min(1, Math.max(0, pos)));
      let x: number;
      if (s.voiced) {
        phase += (f0 * periodJitter) / fs;
        if (phase >= 1) {
          phase -= 1;
          periodJitter = 1 + jitter * rng.normal();
        }
        const pulse = phase < oq ? Math.sin((Math.PI * phase) / oq) ** 2 : 0;
        // Lip radiation ≈ first difference; aspiration noise for breathy voice.
        x = (pulse - prevPulse) * 8 + aspiration * (2 * src.uniform() - 1);
        prevPulse = pulse;
      } else {
        x = 0.35 * Math.sqrt(3) * (2 * src.uniform() - 1); // fricative-like consonant
      }
      const va = b0a * x + a1a * ya1 + a2a * ya2;
      ya2 = ya1;
      ya1 = va;
      const vb = b0b * x + a1b * yb1 + a2b * yb2;
      yb2 = yb1;
      yb1 = vb;
      const vc = b0c * x + a1c * yc1 + a2c * yc2;
      yc2 = yc1;
      yc1 = vc;
      const v = gain * env * (va + 0.6 * vb + 0.3 * vc);
      pcm[i] = v;
      sig2 += v * v;
    }
    y[0] = [ya1, ya2];
    y[1] = [yb1, yb2];
    y[2] = [yc1, yc2];
  }
  addNoise(rng, pcm, sig2 / Math.max(1, n), o.snrDb);
  for (let i = 0; i < n; i++) pcm[i] = Math.max(-1, Math.min(1, pcm[i]));
  return { sampleRate: fs, pcm };
}

/** Adds white noise so that signal power / noise power = 10^(snrDb/10). */
export function addNoise(rng: Rng, pcm: Float32Array, signalPower: number, snrDb: number): void {
  const std = Math.sqrt(Math.max(signalPower, 1e-8) / Math.pow(10, snrDb / 10));
  const noise = new NoiseSource(rng);
  for (let i = 0; i < pcm.length; i++) pcm[i] += std * noise.normal();
}
