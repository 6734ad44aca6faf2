import type { Rng } from '../../core/rng.js';
import type { PhysioSignal, TimeWarp } from '../types.js';
import type { Speaker } from './speaker.js';
import { emotionAt, type Timeline } from './timeline.js';
import { NoiseSource } from './noise.js';

export interface PhysioOptions {
  sampleRate: number;
  durationS: number;
  cardiac: 'ecg' | 'ppg';
  degraded: boolean;
  peakIntensity: number;
}

/** ECG beat as a sum of Gaussians (P, Q, R, S, T), after McSharry et al. (2003): [offset s, amplitude mV, width s]. */
const ECG_WAVES: readonly [number, number, number][] = [
  [-0.2, 0.12, 0.025],
  [-0.035, -0.12, 0.01],
  [0, 1.1, 0.012],
  [0.035, -0.25, 0.012],
  [0.25, 0.3, 0.04],
];
/** PPG pulse: systolic peak and dicrotic wave, 0.15 s after the R peak (pulse transit). */
const PPG_WAVES: readonly [number, number, number][] = [
  [0.15, 1, 0.07],
  [0.45, 0.35, 0.08],
];

/**
 * ECG or PPG and GSR (hand-written: no JS package simulates physiology).
 * Heart rate rises and HRV falls with arousal (warped onto the physio clock),
 * with respiratory sinus arrhythmia at ~0.25 Hz; skin conductance is a tonic
 * level rising with arousal plus phasic SCRs (Bateman function, τ1 = 0.75 s,
 * τ2 = 2 s, Benedek & Kaernbach 2010) whose rate and amplitude grow with arousal.
 * The signal starts `pre` seconds before the utterance so the beat sequence and
 * tonic level are already settled at t = 0.
 */
export function synthPhysio(rng: Rng, sp: Speaker, tl: Timeline, warp: TimeWarp, o: PhysioOptions): PhysioSignal {
  const fs = o.sampleRate;
  const n = Math.round(o.durationS * fs);
  const cardiac = new Float32Array(n);
  const gsr = new Float32Array(n);
  const ex = sp.expressiveness;
  const arousalAt = (t: number) => emotionAt(tl, warp, Math.min(o.durationS, Math.max(0, t)), o.peakIntensity).arousal;
  // Beats, from 1.5 s before the start.
  const waves = o.cardiac === 'ecg' ? ECG_WAVES : PPG_WAVES;
  const respPhase = rng.uniform(0, 2 * Math.PI);
  let tb = -1.5 + rng.uniform(0, 0.8);
  const beats: number[] = [];
  while (tb < o.durationS + 0.5) {
    beats.push(tb);
    const a = arousalAt(tb);
    const hr = sp.restHr * (1 + 0.28 * a * ex);
    const hrv = sp.hrv * (1 - 0.5 * Math.max(0, a));
    const rsa = 1 + hrv * Math.sin(2 * Math.PI * 0.25 * tb + respPhase);
    tb += (60 / hr) * rsa * (1 + 0.5 * hrv * rng.normal());
  }
  const wander = rng.uniform(0, 2 * Math.PI);
  const noise = new NoiseSource(rng);
  for (const b of beats) {
    for (const [off, amp, wd] of waves) {
      const c = b + off;
      const i0 = Math.max(0, Math.floor((c - 4 * wd) * fs));
      const i1 = Math.min(n - 1, Math.ceil((c + 4 * wd) * fs));
      for (let i = i0; i <= i1; i++) cardiac[i] += amp * Math.exp(-0.5 * ((i / fs - c) / wd) ** 2);
    }
  }
  for (let i = 0; i < n; i++) cardiac[i] += 0.05 * Math.sin(2 * Math.PI * 0.3 * (i / fs) + wander) + 0.01 * noise.normal();
  // GSR: tonic level plus SCRs triggered by a Poisson process with arousal-dependent rate (from 4 s before).
  const scrs: { t: number; amp: number }[] = [];
  for (let t = -4; t < o.durationS; t += 0.05) {
    const a = Math.max(0, arousalAt(t));
    if (rng.bernoulli(0.05 * (0.05 + 0.6 * a * ex))) scrs.push({ t, amp: sp.scrGain * (0.1 + 0.6 * a) * rng.uniform(0.5, 1.5) });
  }
  const tau1 = 0.75;
  const tau2 = 2;
  const peak = bateman(tau1, tau2, (tau1 * tau2 * Math.log(tau2 / tau1)) / (tau2 - tau1));
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    let g = sp.scl * (1 + 0.2 * arousalAt(t) * ex);
    for (const s of scrs) if (t > s.t) g += (s.amp * bateman(tau1, tau2, t - s.t)) / peak;
    gsr[i] = g + 0.005 * noise.normal();
  }
  if (o.degraded) addArtefacts(rng, cardiac, gsr, fs);
  return { sampleRate: fs, channels: { [o.cardiac]: cardiac, gsr } };
}

function bateman(tau1: number, tau2: number, t: number): number {
  return Math.exp(-t / tau2) - Math.exp(-t / tau1);
}

/**
 * Motion artefacts and electrode problems: large random-walk baseline drift,
 * spikes, loose-lead dropouts and saturation, strong enough that heart rate and
 * skin conductance can no longer be read off simply.
 */
function addArtefacts(rng: Rng, cardiac: Float32Array, gsr: Float32Array, fs: number): void {
  const n = cardiac.length;
  let drift = 0;
  let gdrift = 0;
  for (let i = 0; i < n; i++) {
    drift += rng.normal(0, 0.15);
    gdrift += rng.normal(0, 0.08);
    cardiac[i] += drift + rng.normal(0, 0.6);
    gsr[i] += gdrift + rng.normal(0, 0.5);
  }
  const events = rng.intBetween(2, 5);
  for (let e = 0; e < events; e++) {
    const i0 = rng.int(n);
    const len = Math.round(rng.uniform(0.2, 0.8) * fs);
    const kind = rng.int(3);
    const level = rng.uniform(-3, 3);
    for (let i = i0; i < Math.min(n, i0 + len); i++) {
      if (kind === 0) cardiac[i] = 0; // lead off
      else if (kind === 1) cardiac[i] += level * 2; // motion spike
      else gsr[i] = Math.max(0, gsr[i] + level * 3); // electrode pressure change
    }
  }
}
