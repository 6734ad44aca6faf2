/**
 * One safe turn: screen the input, generate only when it is safe, filter the
 * output, then let a human review it. The generator is a callback, so this
 * layer does not depend on the model, and a crisis turn provably never
 * reaches it.
 */
import type { Controls, Intervention, SafetyVerdict, Tokenizer } from '../types.js';
import { detectCrisis, type CrisisDetection } from './crisis.js';
import { escalationReply, type CrisisLine } from './escalation.js';
import { filterOutput } from './output_filter.js';
import { applyHumanOverride, type OverrideCallback, type OverrideOptions } from './override.js';

export interface SafeTurnOptions {
  /** The user's text for this turn (the transcript). */
  input: string;
  controls: Controls;
  /** Produces the model's intervention (its safety verdict, if any, is replaced); called only when the input shows no crisis. */
  generate: () => GeneratedText | Promise<GeneratedText>;
  /** Clinician review of the final intervention, escalations included. */
  override?: OverrideCallback;
  overrideOptions?: OverrideOptions;
  locale?: string;
  crisisLines?: Record<string, CrisisLine>;
  tokenizer?: Tokenizer;
  /** Replaces the default fallback for blocked outputs. */
  fallback?: string;
  /** Mark turns with concern words but no crisis match `needsHuman` (default true). */
  reviewConcern?: boolean;
}

/** What a generator returns: an intervention before the safety layer has judged it. */
export type GeneratedText = Omit<Intervention, 'safety'> & { safety?: SafetyVerdict };

export interface SafeTurn {
  intervention: Intervention;
  crisis: CrisisDetection;
  /** Whether the generator ran. */
  generated: boolean;
}

export async function respondSafely(opts: SafeTurnOptions): Promise<SafeTurn> {
  const crisis = detectCrisis(opts.input);
  const toks = (text: string): string[] => (opts.tokenizer ? opts.tokenizer.tokens(opts.tokenizer.encode(text)) : []);
  let intervention: Intervention;
  let generated = false;
  if (crisis.risk !== 'none') {
    const text = escalationReply(opts.locale, crisis.risk, opts.crisisLines);
    intervention = {
      text,
      tokens: toks(text),
      emotionTrend: [],
      controls: opts.controls,
      safety: { verdict: 'escalated', rule: `${crisis.risk}/${crisis.rule}`, needsHuman: true },
      trace: { crisis },
    };
  } else {
    const out = await opts.generate();
    generated = true;
    const verdict = filterOutput(out.text, { fallback: opts.fallback });
    if (verdict.verdict === 'blocked') {
      const text = verdict.replacement ?? '';
      intervention = {
        ...out,
        text,
        tokens: toks(text),
        emotionTrend: [],
        safety: { verdict: 'blocked', rule: verdict.rule, needsHuman: verdict.needsHuman },
        trace: { ...out.trace, blocked: { text: out.text, rule: verdict.rule, evidence: verdict.evidence } },
      };
    } else {
      // Concern words without a crisis match: the reply stands, a person reviews the turn.
      const concern = crisis.concern !== undefined && (opts.reviewConcern ?? true);
      intervention = {
        ...out,
        safety: { verdict: 'ok', needsHuman: concern, ...(concern ? { rule: `concern:${crisis.concern?.join(',')}` } : {}) },
      };
    }
  }
  if (opts.override) intervention = await applyHumanOverride(intervention, opts.override, { tokenizer: opts.tokenizer, ...opts.overrideOptions });
  return { intervention, crisis, generated };
}
