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
  /** Set when a clinician's callback reviewed the intervention (safety/override.ts). */
  override?: HumanOverrideRecord;
}

/** What a human reviewer did with an intervention before it was returned. */
export interface HumanOverrideRecord {
  action: 'approve' | 'edit' | 'replace';
  /** Reviewer id, as the deployment names reviewers. */
  by?: string;
  reason?: string;
  /** ISO time of the decision. */
  time: string;
  /** The text before an edit or replacement. */
  originalText?: string;
  /** The output filter's verdict on the reviewer's text (recorded; the reviewer has the last word unless `enforce`). */
  recheck?: { verdict: 'ok' | 'blocked'; rule?: string };
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

export type IntensityLevel = 'low' | 'medium' | 'high';

/** One labelled supportive reply (bundled grammar corpus, or a loaded public corpus). */
export interface CorpusEntry {
  id: string;
  text: string;
  /** The emotion the reply addresses (a class name of the active label preset). */
  emotion: string;
  intensity: IntensityLevel;
  tone: Tone;
  strategy: Strategy;
  /** 'train' | 'heldout'. */
  split: 'train' | 'heldout';
  /** Id of the template the sentence came from: paraphrases share it. */
  templateId?: string;
}

/** The tokenizer contract the generator and the text encoder share. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The token strings of `ids` (for audit traces). */
  tokens(ids: readonly number[]): string[];
  /** Plain-data form, to save beside model weights. */
  toJSON(): unknown;
}
