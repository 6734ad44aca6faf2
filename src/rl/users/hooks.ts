import type { Rng } from '../../core/rng.js';
import type { Controls, Intervention, Tone } from '../../generation/types.js';
import { TONES } from '../../generation/types.js';
import type { EmotionVector } from '../../perception/types.js';
import type { Intent } from '../../reasoning/types.js';
import type { Persona, PersonaState } from './persona.js';
import { cosine } from '../../core/vector.js';

/**
 * The stages the intervention env runs each turn, as pluggable hooks with the
 * shared stage types, so the trained models replace the defaults here without
 * touching the env: the SynAffect emitters (`SignalEmitter`), the trained
 * perception model (`PerceptionHook`), reasoning (`ReasoningHook`) and the
 * conditional generator (`GenerationHook`). The defaults are closed-form
 * stand-ins that keep the RL layer runnable and testable on its own.
 */

/** The hidden state as the emitters see it (plus whether this turn carries crisis language). */
export interface EmitInput {
  state: PersonaState;
  crisis: boolean;
  /** Who is speaking (a renderer keeps one voice and face per persona); the agent never sees it. */
  persona?: Persona;
}

export interface SignalEmitter<S = unknown> {
  emit(input: EmitInput, rng: Rng): S;
}

export interface PerceptionHook<S = unknown> {
  perceive(signal: S, rng: Rng): EmotionVector;
}

export interface ReasoningContext {
  turn: number;
  /** Earlier perceptions of this episode, oldest first. */
  history: EmotionVector[];
  /** Crisis cue detected in the user's words by the safety rules (transcript keywords). */
  crisisCue: boolean;
}

export interface ReasoningHook {
  reason(ev: EmotionVector, ctx: ReasoningContext): Intent;
}

export interface Generated {
  intervention: Intervention;
  /** Fluency/appropriateness of the reply, [0, 1] (a scorer's estimate for real text). */
  quality: number;
}

export interface GenerationHook {
  readonly kind: 'full' | 'surrogate';
  generate(intent: Intent, controls: Controls, rng: Rng): Generated;
}

// --- defaults ---------------------------------------------------------------

/** Emotion classes of the default hooks, with arousal–valence prototypes (circumplex placement). */
export const DEFAULT_CLASSES = ['neutral', 'happy', 'sad', 'angry', 'fearful'] as const;
const PROTOTYPES: Record<(typeof DEFAULT_CLASSES)[number], [number, number]> = {
  // [valence, arousal]
  neutral: [0, 0],
  happy: [0.7, 0.4],
  sad: [-0.7, -0.4],
  angry: [-0.6, 0.7],
  fearful: [-0.4, 0.6],
};

/** Default emitter: the hidden valence/arousal plus emission noise, and the crisis cue. */
export interface SimpleSignal {
  valence: number;
  arousal: number;
  crisisCue: boolean;
}

export class NoisySignalEmitter implements SignalEmitter<SimpleSignal> {
  constructor(readonly noise = 0.1) {}
  emit(input: EmitInput, rng: Rng): SimpleSignal {
    return {
      valence: input.state.valence + rng.normal(0, this.noise),
      arousal: input.state.arousal + rng.normal(0, this.noise),
      crisisCue: input.crisis,
    };
  }
}

/** Default perception: class probabilities from the distance to each class prototype (softmax of −d²/τ). */
export class PrototypePerception implements PerceptionHook<SimpleSignal> {
  constructor(readonly tau = 0.15) {}
  perceive(s: SimpleSignal): EmotionVector {
    const classes = [...DEFAULT_CLASSES];
    const logits = classes.map((c) => -((s.valence - PROTOTYPES[c][0]) ** 2 + (s.arousal - PROTOTYPES[c][1]) ** 2) / this.tau);
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const z = e.reduce((a, b) => a + b, 0);
    const clamp = (x: number): number => Math.min(Math.max(x, -1), 1);
    return { classes, probs: e.map((x) => x / z), arousal: clamp(s.arousal), valence: clamp(s.valence), embedding: [clamp(s.valence), clamp(s.arousal)], modalities: [] };
  }
}

/**
 * Default reasoning: the reply addresses the most probable emotion; its target
 * mixes the perceived distribution (mirroring) with neutral (settling), the
 * reading of paper 001's H_t = f(E_t, C_t, W) with a fixed W. Intensity is the
 * distance from the neutral point; the context is the mean of earlier turns.
 */
export class RuleReasoning implements ReasoningHook {
  constructor(readonly mirror = 0.6) {}
  reason(ev: EmotionVector, ctx: ReasoningContext): Intent {
    let idx = 0;
    ev.probs.forEach((p, i) => (p > ev.probs[idx] ? (idx = i) : 0));
    const neutral = Math.max(0, ev.classes.indexOf('neutral'));
    const target = ev.probs.map((p, i) => this.mirror * p + (i === neutral ? 1 - this.mirror : 0));
    const context = ctx.history.length
      ? [ctx.history.reduce((a, h) => a + h.valence, 0) / ctx.history.length, ctx.history.reduce((a, h) => a + h.arousal, 0) / ctx.history.length]
      : [0, 0];
    return {
      emotion: ev.classes[idx],
      emotionIndex: idx,
      target,
      intensity: Math.min(1, Math.hypot(ev.valence, ev.arousal) / Math.SQRT2),
      polarity: ev.valence,
      context,
      ...(ctx.crisisCue ? { crisis: true } : {}),
    };
  }
}

/** Each tone's own emotional colouring, over DEFAULT_CLASSES (neutral, happy, sad, angry, fearful). */
const TONE_COLOUR: Record<Tone, number[]> = {
  warm: [0.35, 0.45, 0.12, 0.04, 0.04],
  calm: [0.7, 0.15, 0.07, 0.03, 0.05],
  encouraging: [0.25, 0.65, 0.04, 0.03, 0.03],
  validating: [0.3, 0.1, 0.3, 0.15, 0.15],
  direct: [0.8, 0.1, 0.04, 0.03, 0.03],
};

export { cosine };

/**
 * `rl.generator: surrogate`: maps controls and intent to the reply's emotion
 * trend and quality without decoding text. The reply's emotion is the tone's
 * colouring pulled toward the intent's target with strength emotionWeight
 * (geometric mixture), flattened by temperature and drifting back to the tone
 * over the reply's sentences; quality peaks at moderate temperature and drops
 * when the emotion conditioning is overdriven (emotionWeight > 1.2), the
 * qualitative behaviour of a conditional transformer under these controls.
 */
export class SurrogateGenerator implements GenerationHook {
  readonly kind = 'surrogate' as const;
  constructor(readonly sentences = 4) {}
  generate(intent: Intent, controls: Controls): Generated {
    const colour = TONE_COLOUR[controls.tone];
    const C = intent.target.length;
    const logits = Array.from({ length: C }, (_, i) => ((1 - Math.min(controls.emotionWeight, 1)) * Math.log(colour[i % colour.length]) + controls.emotionWeight * Math.log(intent.target[i] + 1e-3)) / controls.temperature);
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const z = e.reduce((a, b) => a + b, 0);
    const p = e.map((x) => x / z);
    const trend: number[][] = [];
    for (let s = 0; s < this.sentences; s++) {
      const drift = Math.min(1, 0.08 * controls.temperature * s);
      trend.push(p.map((v, i) => (1 - drift) * v + drift * colour[i % colour.length]));
    }
    const fluency = Math.exp(-(((controls.temperature - 0.8) / 0.6) ** 2));
    const overdrive = 0.3 * Math.max(0, controls.emotionWeight - 1.2) ** 2;
    const quality = Math.min(Math.max(fluency - overdrive, 0), 1);
    return {
      intervention: {
        text: '',
        tokens: [],
        emotionTrend: trend,
        controls,
        safety: { verdict: 'ok', needsHuman: false },
        trace: { generator: 'surrogate', quality },
      },
      quality,
    };
  }
}

/** Mean emotion of a reply (over its trend rows). */
export function meanTrend(trend: number[][]): number[] {
  const out = new Array<number>(trend[0]?.length ?? 0).fill(0);
  for (const row of trend) row.forEach((v, i) => (out[i] += v / trend.length));
  return out;
}

/** Emotional alignment of a reply with the intent: cosine of its mean emotion and the target. */
export function alignment(iv: Intervention, intent: Intent): number {
  return trendAlignment(iv.emotionTrend, intent.target);
}

export function trendAlignment(trend: number[][], target: number[]): number {
  return trend.length ? Math.max(0, cosine(meanTrend(trend), target)) : 0;
}

/**
 * Kendall's τ-b between two scorings of the same items: how well the surrogate
 * ranks control settings the way the full generator does. Used to validate the
 * surrogate once the full generator is plugged in.
 */
export function kendallTau(a: number[], b: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}

export { TONES };
