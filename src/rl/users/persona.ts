import { DataError, show } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Tone } from '../../generation/types.js';
import { TONES } from '../../generation/types.js';

/**
 * Simulated users. A persona is a seeded draw of stable traits; its hidden
 * arousal–valence state moves turn by turn in response to what the system
 * says. The agent never sees any of this: it sees what perception reads from
 * the signals the state emits, and an intake profile (a noisy self-report of
 * the persona's usual mood, as an intake questionnaire would give).
 *
 * Archetypes tie the usual mood to the tone a person tends to prefer (anxious →
 * calm, low mood → warm, flat → encouraging, frustrated → validating, pragmatic
 * → direct), with `toneConsistency` of personas following their archetype and
 * the rest preferring another tone, so the mapping is learnable but not exact.
 */
export type RiskLevel = 'low' | 'moderate' | 'high';

export interface RiskProfile {
  level: RiskLevel;
  /** Per-turn probability of a crisis turn at neutral mood. */
  baseHazard: number;
  /** Multiplier on the hazard per unit of valence below −0.5. */
  valenceSensitivity: number;
}

export interface Persona {
  id: string;
  archetype: ArchetypeName;
  /** Usual mood, each in [-1, 1]. */
  baselineValence: number;
  baselineArousal: number;
  /** How far one reply moves the state, (0, 1]. */
  reactivity: number;
  preferredTone: Tone;
  /** [0, 1]: 0 wants predictable replies (low temperature), 1 welcomes novelty (high temperature). */
  noveltyTolerance: number;
  /** Fraction of engagement lost per turn regardless of the reply. */
  engagementDecay: number;
  risk: RiskProfile;
  /** Intake self-report of (valence, arousal): the baseline plus report noise. Observable. */
  intake: [number, number];
}

export interface PersonaState {
  valence: number;
  arousal: number;
  /** [0, 1]; below the env's threshold the user leaves. */
  engagement: number;
  turn: number;
}

export const ARCHETYPES = {
  anxious: { valence: -0.3, arousal: 0.7, tone: 'calm' },
  low: { valence: -0.7, arousal: -0.2, tone: 'warm' },
  flat: { valence: -0.2, arousal: -0.7, tone: 'encouraging' },
  frustrated: { valence: -0.7, arousal: 0.5, tone: 'validating' },
  pragmatic: { valence: 0.2, arousal: 0.1, tone: 'direct' },
} as const satisfies Record<string, { valence: number; arousal: number; tone: Tone }>;
export type ArchetypeName = keyof typeof ARCHETYPES;
export const ARCHETYPE_NAMES = Object.keys(ARCHETYPES) as ArchetypeName[];

const RISK: Record<RiskLevel, Omit<RiskProfile, 'level'>> = {
  low: { baseHazard: 0.002, valenceSensitivity: 2 },
  moderate: { baseHazard: 0.008, valenceSensitivity: 4 },
  high: { baseHazard: 0.02, valenceSensitivity: 6 },
};

export interface PopulationOptions {
  /** Share of personas whose preferred tone is their archetype's. */
  toneConsistency?: number;
  /** Std of a persona's baseline around its archetype's. */
  baselineJitter?: number;
  /** Std of the intake report around the baseline. */
  intakeNoise?: number;
  /** Probabilities of low / moderate / high risk. */
  riskMix?: [number, number, number];
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

export function samplePersona(rng: Rng, id: string, opts: PopulationOptions = {}): Persona {
  const consistency = opts.toneConsistency ?? 0.8;
  const jitter = opts.baselineJitter ?? 0.1;
  const intakeNoise = opts.intakeNoise ?? 0.1;
  const riskMix = opts.riskMix ?? [0.7, 0.25, 0.05];
  const archetype = rng.choice(ARCHETYPE_NAMES);
  const a = ARCHETYPES[archetype];
  const preferredTone: Tone = rng.bernoulli(consistency) ? a.tone : rng.choice(TONES.filter((t) => t !== a.tone));
  const level = (['low', 'moderate', 'high'] as const)[rng.categorical(riskMix)];
  const baselineValence = clamp(a.valence + rng.normal(0, jitter), -1, 1);
  const baselineArousal = clamp(a.arousal + rng.normal(0, jitter), -1, 1);
  return {
    id,
    archetype,
    baselineValence,
    baselineArousal,
    reactivity: rng.uniform(0.15, 0.45),
    preferredTone,
    noveltyTolerance: rng.uniform(0, 1),
    engagementDecay: rng.uniform(0.02, 0.08),
    risk: { level, ...RISK[level] },
    intake: [clamp(baselineValence + rng.normal(0, intakeNoise), -1, 1), clamp(baselineArousal + rng.normal(0, intakeNoise), -1, 1)],
  };
}

/** A seeded population: the same seed gives the same personas. */
export function samplePopulation(n: number, rng: Rng, opts: PopulationOptions = {}): Persona[] {
  if (!Number.isInteger(n) || n <= 0) throw new DataError(`samplePopulation: n=${show(n)}; expected a positive integer`);
  return Array.from({ length: n }, (_, i) => samplePersona(rng.fork(`persona/${i}`), `p${String(i).padStart(3, '0')}`, opts));
}

export function initialState(p: Persona, rng: Rng): PersonaState {
  return {
    valence: clamp(p.baselineValence + rng.normal(0, 0.1), -1, 1),
    arousal: clamp(p.baselineArousal + rng.normal(0, 0.1), -1, 1),
    engagement: rng.uniform(0.6, 0.9),
    turn: 0,
  };
}

/** Affinity of a delivered tone to a preferred one: 1 when equal; related tones partly satisfy. */
const TONE_AFFINITY: Partial<Record<Tone, Partial<Record<Tone, number>>>> = {
  warm: { validating: 0.5, calm: 0.4, encouraging: 0.35 },
  calm: { warm: 0.4, validating: 0.3 },
  encouraging: { warm: 0.4, direct: 0.3 },
  validating: { warm: 0.5, calm: 0.3 },
  direct: { encouraging: 0.3 },
};

export function toneMatch(preferred: Tone, delivered: Tone): number {
  if (preferred === delivered) return 1;
  return TONE_AFFINITY[preferred]?.[delivered] ?? 0.15;
}

/** Preferred sampling temperature: predictable personas like ~0.5, novelty-seeking ones ~1.3. */
export function preferredTemperature(p: Persona): number {
  return 0.5 + 0.8 * p.noveltyTolerance;
}

/** What the persona gets from one reply. */
export interface ReplyQuality {
  tone: Tone;
  temperature: number;
  /** Cosine between the reply's emotion and the intent's target, [0, 1]. */
  alignment: number;
  /** Fluency/appropriateness of the text, [0, 1]. */
  quality: number;
}

export interface Reaction {
  /** [0, 1]: how well the reply landed. */
  reception: number;
  toneMatch: number;
  temperatureFit: number;
}

/** How reception mixes tone fit, temperature fit and the text's emotional fit (alignment × quality). */
export const RECEPTION_WEIGHTS = { tone: 0.6, temperature: 0.15, text: 0.25 } as const;
/** Engagement gained per unit of reception above 0.5 (lost below). */
export const ENGAGEMENT_GAIN = 0.5;

/**
 * One turn of the hidden dynamics. Reception mixes tone fit, temperature fit
 * and how well the text's emotion matched (scaled by its quality); valence
 * rises with reception, calming tones lower arousal, both relax toward the
 * baseline; engagement decays and is restored by good replies.
 */
export function react(p: Persona, s: PersonaState, r: ReplyQuality, rng: Rng): { state: PersonaState; reaction: Reaction } {
  const tm = toneMatch(p.preferredTone, r.tone);
  const tf = Math.exp(-(((r.temperature - preferredTemperature(p)) / 0.35) ** 2));
  const reception = clamp(RECEPTION_WEIGHTS.tone * tm + RECEPTION_WEIGHTS.temperature * tf + RECEPTION_WEIGHTS.text * r.alignment * r.quality, 0, 1);
  const calming = r.tone === 'calm' || r.tone === 'warm' ? 1 : r.tone === 'direct' ? -0.5 : 0;
  const valence = clamp(s.valence + p.reactivity * 1.2 * (reception - 0.45) + 0.15 * (p.baselineValence - s.valence) + rng.normal(0, 0.04), -1, 1);
  const arousal = clamp(s.arousal - p.reactivity * 0.3 * calming * reception + 0.15 * (p.baselineArousal - s.arousal) + rng.normal(0, 0.04), -1, 1);
  const engagement = clamp(s.engagement * (1 - p.engagementDecay) + ENGAGEMENT_GAIN * (reception - 0.5), 0, 1);
  return { state: { valence, arousal, engagement, turn: s.turn + 1 }, reaction: { reception, toneMatch: tm, temperatureFit: tf } };
}

/** Probability that the user's next turn is a crisis turn (risk profile × how low the mood is). */
export function crisisHazard(p: Persona, s: PersonaState): number {
  return clamp(p.risk.baseHazard * (1 + p.risk.valenceSensitivity * Math.max(0, -s.valence - 0.5)), 0, 1);
}
