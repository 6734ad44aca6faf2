import { DataError, show } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { EMOTIONS, makeSpeaker, renderSample, synaffectConfig, type EmotionName, type Sample, type Speaker, type SynAffectConfig } from '../../data/index.js';
import { DEFAULT_CLASSES, type EmitInput, type SignalEmitter } from './hooks.js';

/**
 * `rl.intervention.signals: synaffect`: the persona's hidden arousal–valence
 * state rendered as a real multimodal SynAffect sample (voice, face frames,
 * physiology, transcript), for the trained perception model to read.
 *
 * SynAffect draws a sample of class c as (arousal, valence) = s·prototype(c) +
 * noise with intensity s ~ U[intensity range]. The emitter inverts that: the
 * class is the one whose segment {s·prototype(c) : s in range} passes closest
 * to the hidden state (neutral's prototype is the origin), and s is the
 * state's projection on that prototype, clipped to the range (the maximum-
 * likelihood reading under isotropic noise). `choice: posterior` instead draws
 * the class with probability ∝ exp(−d²/2σ²), σ = the config's `avNoise`, so
 * states between prototypes yield either class as SynAffect itself would.
 * The rendered timeline's apex is the hidden state itself; each persona keeps
 * one speaker (voice, face, physiology baselines) for all its turns.
 */
export interface SynAffectEmitterOptions {
  /** SynAffect renderer settings (a `dataset` section: frame size, rates, missing/degraded shares), validated; defaults as the dataset's. */
  dataset?: Partial<SynAffectConfig> | Record<string, unknown>;
  /** Classes the emitter renders; each must be a SynAffect emotion (default: the env's classes). */
  classes?: readonly string[];
  choice?: 'nearest' | 'posterior';
  /** Seeds the personas' speakers. */
  seed?: number | string;
}

/** The emotion SynAffect would label a hidden state with. */
export interface StateEmotion {
  classIndex: number;
  className: EmotionName;
  /** [0, 1]: the state's projection on the class prototype, clipped to the intensity range (drawn for neutral). */
  intensity: number;
  /** Squared distance of the state to each class's segment, in `classes` order. */
  distances: number[];
}

/** Squared distance of (valence, arousal) to each class's segment s·prototype, s in [lo, hi], and the s reaching it. */
export function classDistances(valence: number, arousal: number, classes: readonly EmotionName[], range: readonly [number, number]): { d2: number[]; s: number[] } {
  const d2: number[] = [];
  const s: number[] = [];
  for (const c of classes) {
    const p = EMOTIONS[c];
    const n2 = p.valence * p.valence + p.arousal * p.arousal;
    // Neutral's segment is the origin: its distance is the state's norm.
    const k = n2 === 0 ? 0 : Math.min(Math.max((valence * p.valence + arousal * p.arousal) / n2, range[0]), range[1]);
    s.push(k);
    d2.push((valence - k * p.valence) ** 2 + (arousal - k * p.arousal) ** 2);
  }
  return { d2, s };
}

export class SynAffectEmitter implements SignalEmitter<Sample> {
  readonly config: SynAffectConfig;
  readonly classes: EmotionName[];
  readonly choice: 'nearest' | 'posterior';
  private readonly speakerRng: Rng;
  private readonly speakers = new Map<string, Speaker>();

  constructor(opts: SynAffectEmitterOptions = {}) {
    this.config = synaffectConfig({ ...(opts.dataset as Partial<SynAffectConfig>), name: 'synaffect' });
    const classes = opts.classes ?? DEFAULT_CLASSES;
    for (const c of classes) {
      if (!(c in EMOTIONS)) throw new DataError(`SynAffectEmitter: class ${show(c)}; expected one of SynAffect's emotions ${Object.keys(EMOTIONS).join(', ')}`);
    }
    if (classes.length === 0) throw new DataError('SynAffectEmitter: classes is empty; expected at least one SynAffect emotion');
    this.classes = [...classes] as EmotionName[];
    this.choice = opts.choice ?? 'nearest';
    this.speakerRng = new Rng(`synaffect-emitter/${opts.seed ?? 0}`);
  }

  /** The class and intensity a hidden state is rendered as (`rng` only for `posterior` and neutral's intensity). */
  emotionFor(valence: number, arousal: number, rng: Rng): StateEmotion {
    const range = this.config.intensity;
    const { d2, s } = classDistances(valence, arousal, this.classes, range);
    let k = 0;
    if (this.choice === 'nearest') d2.forEach((d, i) => (d < d2[k] ? (k = i) : 0));
    else {
      const sig2 = 2 * Math.max(this.config.avNoise, 1e-3) ** 2;
      const m = Math.min(...d2);
      k = rng.categorical(d2.map((d) => Math.exp(-(d - m) / sig2)));
    }
    const name = this.classes[k];
    const p = EMOTIONS[name];
    // Neutral carries no intensity in its position; SynAffect draws it from the range.
    const intensity = p.valence === 0 && p.arousal === 0 ? rng.uniform(range[0], range[1]) : s[k];
    return { classIndex: k, className: name, intensity, distances: d2 };
  }

  /** Each persona keeps one speaker: its own draw of voice, face and physiology baselines. */
  speakerFor(id: string): Speaker {
    let sp = this.speakers.get(id);
    if (!sp) {
      sp = { ...makeSpeaker(this.speakerRng.fork(id), 0), id };
      this.speakers.set(id, sp);
    }
    return sp;
  }

  emit(input: EmitInput, rng: Rng): Sample {
    const { state, crisis } = input;
    const id = input.persona?.id ?? 'user';
    // One draw from the env's stream seeds this turn's rendering (fork alone is stateless: same label, same stream).
    const r = rng.fork(`synaffect/${rng.int32()}`);
    const clamp1 = (x: number): number => Math.min(Math.max(x, -1), 1);
    const valence = clamp1(state.valence);
    const arousal = clamp1(state.arousal);
    if (!Number.isFinite(valence) || !Number.isFinite(arousal)) {
      throw new DataError(`SynAffectEmitter.emit: state (valence ${show(state.valence)}, arousal ${show(state.arousal)}); expected finite numbers`);
    }
    const emo = this.emotionFor(valence, arousal, r);
    const c = this.config;
    const durationS = Math.round(r.uniform(c.durationS[0], c.durationS[1]) * 100) / 100;
    const sample = renderSample(r, c, this.speakerFor(id), {
      id: `${id}/turn${state.turn}`,
      speaker: id,
      dialogue: id,
      turn: state.turn,
      durationS,
      labels: { classIndex: emo.classIndex, className: emo.className, arousal, valence, intensity: emo.intensity },
    });
    if (crisis) {
      // A crisis turn's words carry the risk, whether or not the transcript channel was otherwise present.
      const phrase = r.choice(CRISIS_PHRASES);
      sample.transcript = sample.transcript ? `${sample.transcript} ${phrase}` : phrase;
      sample.meta = { ...sample.meta, crisis: true };
    }
    return sample;
  }
}

/** What a user in crisis says (each is flagged by generation/safety's detectCrisis; tested). */
export const CRISIS_PHRASES = ['i want to kill myself', 'i do not want to live anymore', 'i am going to end my life', 'i keep thinking about suicide'] as const;
