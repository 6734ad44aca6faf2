export const TONES = ['warm', 'calm', 'encouraging', 'validating', 'direct'] as const;
export type Tone = (typeof TONES)[number];

export const STRATEGIES = [
  'validation',
  'reflection',
  'reframing',
  'grounding',
  'activation',
  'psychoeducation',
  'referral',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** What the RL loop tunes. */
export interface Controls {
  tone: Tone;
  /** Sampling temperature, > 0. */
  temperature: number;
  /** Scales the emotion conditioning strength; 1 = as trained. */
  emotionWeight: number;
}

export interface SafetyVerdict {
  verdict: 'ok' | 'blocked' | 'escalated';
  /** The rule that fired, if any. */
  rule?: string;
  needsHuman: boolean;
}

export interface Intervention {
  text: string;
  tokens: string[];
  /** Emotion distribution of the text as it was generated, one row per step (or per sentence). */
  emotionTrend: number[][];
  controls: Controls;
  safety: SafetyVerdict;
  /** Free-form trace for the audit log: decoding parameters, model version, timings. */
  trace: Record<string, unknown>;
}
