/**
 * The fixed escalation reply for a crisis turn. It is written, not generated:
 * nothing the model could say is safer than a short, direct pointer to people
 * who can help now. The numbers are well-known national lines; deployers must
 * localise the table (pass `lines`) for their region and service.
 */
import type { CrisisRisk } from './crisis.js';

export interface CrisisLine {
  region: string;
  /** Emergency services number. */
  emergency: string;
  /** Crisis line guidance, one sentence. */
  crisis: string;
}

/** Keyed by BCP-47 locale (region part); `default` when the locale is unknown. */
export const CRISIS_LINES: Record<string, CrisisLine> = {
  'en-US': { region: 'the US', emergency: '911', crisis: 'call or text 988 (the 988 Suicide & Crisis Lifeline), any time' },
  'en-GB': { region: 'the UK', emergency: '999', crisis: 'call Samaritans free on 116 123, any time, or text SHOUT to 85258' },
  'en-IE': { region: 'Ireland', emergency: '112 or 999', crisis: 'call Samaritans free on 116 123, any time, or text HELLO to 50808' },
  'en-CA': { region: 'Canada', emergency: '911', crisis: 'call or text 988, any time' },
  'en-AU': { region: 'Australia', emergency: '000', crisis: 'call Lifeline on 13 11 14, any time' },
  default: {
    region: 'your country',
    emergency: 'your local emergency number (for example 911 in the US, 999 in the UK, 112 in the EU)',
    crisis: 'contact a local crisis line (in the US call or text 988; in the UK and Ireland call Samaritans on 116 123)',
  },
};

export function crisisLineFor(locale?: string, lines: Record<string, CrisisLine> = CRISIS_LINES): CrisisLine {
  if (locale && lines[locale]) return lines[locale];
  return lines.default ?? CRISIS_LINES.default;
}

/**
 * The escalation reply. For harm to others the wording asks the person to keep
 * themselves and others safe and to contact emergency services; otherwise it
 * speaks to the person's own safety. Both say that a person will look at the
 * conversation, because the turn is marked `needsHuman`.
 */
export function escalationReply(locale?: string, risk: CrisisRisk = 'suicide', lines?: Record<string, CrisisLine>): string {
  const l = crisisLineFor(locale, lines);
  const now =
    risk === 'harm_to_others'
      ? `If you feel you might hurt someone, or someone is in danger right now, please step away from the situation and call ${l.emergency}.`
      : `If you are in danger right now or might act on these thoughts, please call ${l.emergency}.`;
  const talk =
    risk === 'harm_to_others'
      ? `You can also talk to someone today: ${l.crisis}.`
      : `You do not have to go through this alone: ${l.crisis}.`;
  return [
    'Thank you for telling me. What you have shared is serious, and you deserve support from a person, not only from me.',
    now,
    talk,
    'I have flagged this conversation so that a member of the team can review it.',
  ].join(' ');
}
