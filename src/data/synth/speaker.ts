import type { Rng } from '../../core/rng.js';

/** A simulated speaker/subject: the personal baselines every modality starts from. */
export interface Speaker {
  id: string;
  sex: 'f' | 'm';
  /** Mean pitch (Hz) and pitch range (semitones of accent excursion). */
  f0: number;
  pitchRange: number;
  /** Linear loudness factor and syllables per second at neutral arousal. */
  loudness: number;
  rate: number;
  /** Vocal-tract length factor scaling the formants (women ~1.15). */
  tract: number;
  breathiness: number;
  /** Resting heart rate (bpm), HRV (relative RR std), tonic skin conductance (µS), SCR gain. */
  restHr: number;
  hrv: number;
  scl: number;
  scrGain: number;
  /** Face geometry in units of the frame (fractions), and skin brightness (0–255). */
  faceW: number;
  faceH: number;
  eyeGap: number;
  eyeSize: number;
  mouthW: number;
  skin: number;
  /** Scales every emotional deviation (face, prosody, physiology). */
  expressiveness: number;
}

/** Draws speaker k's baselines from its own stream, so speakers never depend on each other. */
export function makeSpeaker(rng: Rng, k: number): Speaker {
  const r = rng.fork(`speaker:${k}`);
  const sex = r.bernoulli(0.5) ? 'f' : 'm';
  return {
    id: `spk${String(k).padStart(2, '0')}`,
    sex,
    f0: sex === 'f' ? r.uniform(170, 240) : r.uniform(90, 145),
    pitchRange: r.uniform(1.5, 3.5),
    loudness: r.uniform(0.7, 1.3),
    rate: r.uniform(3.5, 5.5),
    tract: sex === 'f' ? r.uniform(1.1, 1.2) : r.uniform(0.95, 1.05),
    breathiness: r.uniform(0, 0.2),
    restHr: r.uniform(58, 82),
    hrv: r.uniform(0.03, 0.07),
    scl: r.uniform(2, 10),
    scrGain: r.uniform(0.5, 1.5),
    faceW: r.uniform(0.3, 0.38),
    faceH: r.uniform(0.4, 0.47),
    eyeGap: r.uniform(0.14, 0.18),
    eyeSize: r.uniform(0.045, 0.06),
    mouthW: r.uniform(0.16, 0.22),
    skin: r.uniform(150, 210),
    expressiveness: r.uniform(0.6, 1.2),
  };
}

export function speakerBaseline(s: Speaker): Record<string, number> {
  const { id: _id, sex, ...nums } = s;
  return { ...nums, female: sex === 'f' ? 1 : 0 };
}
