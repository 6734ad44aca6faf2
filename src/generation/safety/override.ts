/**
 * Human override: a clinician's callback sees every intervention before it is
 * returned and approves, edits or replaces it. The decision is recorded in the
 * safety verdict (and so in the audit log), with the text it replaced.
 */
import { DataError, show } from '../../core/errors.js';
import type { HumanOverrideRecord, Intervention, Tokenizer } from '../types.js';
import { filterOutput } from './output_filter.js';

export type OverrideDecision =
  | { action: 'approve'; by?: string; reason?: string }
  | { action: 'edit' | 'replace'; text: string; by?: string; reason?: string };

export type OverrideCallback = (intervention: Readonly<Intervention>) => OverrideDecision | Promise<OverrideDecision>;

export interface OverrideOptions {
  /**
   * 'record' (default): the reviewer has the last word; the output filter's
   * verdict on their text is only recorded. 'enforce': reviewer text the
   * filter blocks is rejected with an error, so it cannot reach the user.
   */
  recheck?: 'record' | 'enforce';
  /** Re-tokenises edited text for the trace; without it `tokens` is emptied. */
  tokenizer?: Tokenizer;
  now?: () => Date;
}

export async function applyHumanOverride(intervention: Intervention, callback: OverrideCallback, opts: OverrideOptions = {}): Promise<Intervention> {
  const decision = await callback(intervention);
  const time = (opts.now ?? (() => new Date()))().toISOString();
  if (!decision || typeof decision !== 'object' || !['approve', 'edit', 'replace'].includes((decision as { action?: string }).action ?? '')) {
    throw new DataError(`human override: callback returned ${show(decision)}; expected { action: "approve" | "edit" | "replace", text? }`);
  }
  const base = { by: decision.by, reason: decision.reason, time };
  if (decision.action === 'approve') {
    const override: HumanOverrideRecord = stripUndefined({ action: 'approve', ...base });
    return { ...intervention, safety: { ...intervention.safety, override } };
  }
  if (typeof decision.text !== 'string' || decision.text.trim() === '') {
    throw new DataError(`human override: action "${decision.action}" needs a non-empty text; got ${show(decision.text)}`);
  }
  const check = filterOutput(decision.text);
  if (check.verdict === 'blocked' && opts.recheck === 'enforce') {
    throw new DataError(`human override: the ${decision.action}ed text is blocked by output rule ${check.rule} ("${check.evidence}"); expected text that passes the output filter (recheck: enforce)`);
  }
  const override: HumanOverrideRecord = stripUndefined({
    action: decision.action,
    ...base,
    originalText: intervention.text,
    recheck: stripUndefined({ verdict: check.verdict === 'blocked' ? ('blocked' as const) : ('ok' as const), rule: check.rule }),
  });
  const tokens = opts.tokenizer ? opts.tokenizer.tokens(opts.tokenizer.encode(decision.text)) : [];
  return {
    ...intervention,
    text: decision.text,
    tokens,
    // The per-step emotion trend described the generated text, not the reviewer's.
    emotionTrend: decision.action === 'edit' ? intervention.emotionTrend : [],
    safety: { ...intervention.safety, override },
  };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
