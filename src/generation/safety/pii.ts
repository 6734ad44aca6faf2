/**
 * Personal-data scrubbing for the audit trail: e-mail addresses, phone
 * numbers, street addresses and postcodes, and personal names are replaced by
 * `[EMAIL]`, `[PHONE]`, `[ADDRESS]`, `[NAME]` before anything is written.
 *
 * Names use three signals: cue phrases ("my name is …", "call me …", titles
 * such as "Dr …"), a list of common first names, and a capitalisation
 * heuristic (a Title-case word inside a sentence that is not a known common
 * capitalised word is taken as a name). The heuristic over-scrubs places and
 * brands; for an audit log that is the right side to err on. Hand-written: the
 * npm NER options (compromise, wink-ner) add large models for a job that must
 * above all be predictable and testable.
 */
import { CRISIS_LINES } from './escalation.js';

export interface ScrubResult {
  text: string;
  counts: { email: number; phone: number; address: number; name: number };
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const EMAIL_SPELLED = /\b(?:[\w+-]+\s+dot\s+)*[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*[a-z]{2,}\b/gi;
/** A run of digits with the usual separators; kept only when it has 7–15 digits (shorter runs are times, counts, hotline short codes). */
const PHONE = /(?<![\w+(])(?:\+|00|\()?\d(?:[\s().-]{0,3}\d){5,17}(?![\w])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const STREET_TYPES =
  'street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|terrace|way|close|crescent|square|sq|parkway|pkwy|highway|hwy|grove|gardens|row|mews|walk|circle|cir|trail|hill';
const STREET = new RegExp(
  `\\b\\d{1,5}[A-Za-z]?,?\\s+(?:[A-Za-z][A-Za-z'-]*\\s+){1,3}(?:${STREET_TYPES})\\b\\.?(?:,?\\s*(?:apt|apartment|flat|unit|suite|#)\\.?\\s*\\w+)?`,
  'gi',
);
const FLAT = /\b(?:flat|apartment|apt|unit|suite)\s*\.?\s*\d+[A-Za-z]?\b/gi;
const UK_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/g;
const US_ZIP = /\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/g;

const TITLE = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Doctor|Sir|Dame|Auntie|Uncle|Aunt|Nurse)\.?\s+[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?/g;
/** Cues after which the next word is a name even in lower case ("my name is sam"). */
const CUE = /\b(my name is|my name's|name is|i am called|i'm called|im called|call me|signed)(,?\s+)([A-Za-z][A-Za-z'’-]*)/gi;
/** Words that follow a cue without being a name ("call me tomorrow"). */
const CUE_STOP = new Set(
  (
    'a an the back later tomorrow today tonight now soon again anytime whenever when if please maybe on at in out up what anything something crazy names ' +
    'not never just so too very really if to by for sometime whatever old'
  ).split(' '),
);

/** Common first names (a small, deliberately diverse list); matched only when capitalised. */
const FIRST_NAMES = new Set(
  (
    'james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark donald steven paul andrew joshua ' +
    'kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin ' +
    'samuel gregory alexander patrick frank raymond jack dennis jerry tyler aaron jose adam nathan henry zachary douglas peter kyle noah ethan jeremy ' +
    'mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra margaret ashley kimberly emily donna michelle ' +
    'carol amanda melissa deborah stephanie rebecca sharon laura cynthia dorothy amy kathleen angela shirley brenda emma anna pamela nicole samantha ' +
    'katherine christine helen debra rachel carolyn janet maria catherine heather diane olivia julie joyce victoria ruth virginia lauren kelly christina ' +
    'joan evelyn judith andrea hannah megan cheryl jacqueline martha madison teresa gloria sara janice ann kathryn abigail sophia frances jean alice ' +
    'judy isabella julia amber denise danielle marilyn beverly charlotte natalie theresa diana brittany doris kayla alexis lori marie ' +
    'mohammed muhammad ahmed ali fatima aisha omar hassan yusuf priya ananya arjun rohan rahul aditya vikram deepa sanjay raj ' +
    'wei li jun hui ming yan chen hiroshi yuki haruto sakura kenji takeshi minh linh anh thanh duc ' +
    'juan carlos luis miguel jorge pedro alejandro diego javier sofia lucia valentina camila mateo santiago ' +
    'chloe lucy ella amelia mia isla freya poppy lily ivy harry oliver jake charlie leo oscar archie alfie freddie finn liam ' +
    'sean ciaran niamh aoife siobhan declan eoin connor tom tim ben sam dan jim bob steve mike chris matt nick alex jen kate liz ' +
    'kwame kofi ama abena chinedu ngozi oluwaseun tunde amara zainab ibrahim moses grace'
  ).split(/\s+/),
);

/** Capitalised words that are not names (so the heuristic leaves them alone). */
const COMMON_CAPS = new Set(
  (
    'i monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december ' +
    'christmas easter halloween ramadan eid diwali hanukkah thanksgiving new year god mum mom dad mother father grandma grandad granny nan ' +
    'english french spanish german chinese arabic hindi british american irish scottish welsh european ' +
    'uk us usa eu nhs gp tv ok okay covid internet monday\'s mr mrs ms dr ' +
    'samaritans lifeline shout hello suicide crisis ireland canada australia america england scotland wales britain europe ' +
    'the a an and but or so if when then my your our their his her its this that these those what why how where who which ' +
    'thank thanks hi hey dear yes no please sorry well oh'
  ).split(/\s+/),
);

export interface ScrubOptions {
  /** Digit strings never treated as phone numbers (default: the crisis-line numbers shipped in escalation.ts). */
  keepNumbers?: ReadonlySet<string>;
  /** Extra words the name heuristic must leave alone (product names, clinic names). */
  keepWords?: Iterable<string>;
}

const DEFAULT_KEEP_NUMBERS: ReadonlySet<string> = new Set(
  Object.values(CRISIS_LINES).flatMap((l) => `${l.emergency} ${l.crisis}`.match(/\d[\d ]*\d/g) ?? []).map((s) => s.replace(/\D/g, '')),
);

const isNameLike = (w: string): boolean => /^[A-Z][a-z'’-]+$/.test(w);

/** Replaces personal data in `text`; returns the text and what was found. */
export function scrubPII(text: string, opts: ScrubOptions = {}): ScrubResult {
  const counts = { email: 0, phone: 0, address: 0, name: 0 };
  const keepNumbers = opts.keepNumbers ?? DEFAULT_KEEP_NUMBERS;
  const keepWords = new Set([...COMMON_CAPS, ...[...(opts.keepWords ?? [])].map((w) => w.toLowerCase())]);
  let s = text.replace(EMAIL, () => (counts.email++, '[EMAIL]')).replace(EMAIL_SPELLED, () => (counts.email++, '[EMAIL]'));
  s = s.replace(STREET, () => (counts.address++, '[ADDRESS]'));
  s = s.replace(FLAT, () => (counts.address++, '[ADDRESS]'));
  s = s.replace(UK_POSTCODE, () => (counts.address++, '[ADDRESS]'));
  s = s.replace(US_ZIP, () => (counts.address++, '[ADDRESS]'));
  s = s.replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || ISO_DATE.test(m) || keepNumbers.has(digits)) return m;
    counts.phone++;
    return '[PHONE]';
  });
  s = s.replace(TITLE, () => (counts.name++, '[NAME]'));
  s = s.replace(CUE, (all, cue: string, sep: string, who: string) => {
    if (CUE_STOP.has(who.toLowerCase())) return all;
    counts.name++;
    return `${cue}${sep}[NAME]`;
  });
  s = scrubNames(s, keepWords, counts);
  return { text: s, counts };
}

/**
 * Title-case words: a listed first name anywhere; any other Title-case word
 * inside a sentence; at a sentence start only when followed by another
 * Title-case word ("Priya Patel called"). Adjacent [NAME]s merge.
 */
function scrubNames(text: string, keepWords: ReadonlySet<string>, counts: ScrubResult['counts']): string {
  const parts = text.match(/\[[A-Z]+\]|[A-Za-z][A-Za-z'’-]*|[^A-Za-z[]+|\[/g) ?? [];
  const out: string[] = [];
  let sentenceStart = true;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!/^[A-Za-z]/.test(p)) {
      out.push(p);
      if (/[.!?:\n]\s*$/.test(p) || /^\[[A-Z]+\]$/.test(p) === false && /[.!?\n]/.test(p)) sentenceStart = true;
      else if (/\S/.test(p)) sentenceStart = false;
      continue;
    }
    const bare = p.replace(/['’]s$/, '').toLowerCase();
    let name = false;
    if (isNameLike(p) && !(keepWords.has(bare) && !FIRST_NAMES.has(bare))) {
      if (FIRST_NAMES.has(bare) || !sentenceStart) name = true;
      else {
        const next = parts[i + 2];
        name = parts[i + 1] === ' ' && next !== undefined && isNameLike(next) && !keepWords.has(next.replace(/['’]s$/, '').toLowerCase());
      }
    }
    sentenceStart = false;
    if (!name) {
      out.push(p);
      continue;
    }
    counts.name++;
    // Merge "[NAME] [NAME]" into one placeholder.
    if (out.length >= 2 && out[out.length - 1] === ' ' && out[out.length - 2] === '[NAME]') {
      out.pop();
      counts.name--;
    } else out.push('[NAME]');
  }
  return out.join('');
}

/** Scrubs every string inside a plain-data value, leaving the keys in `skipKeys` untouched. */
export function scrubDeep<T>(value: T, skipKeys: ReadonlySet<string>, opts: ScrubOptions = {}): T {
  if (typeof value === 'string') return scrubPII(value, opts).text as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, skipKeys, opts)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = skipKeys.has(k) ? v : scrubDeep(v, skipKeys, opts);
    return out as T;
  }
  return value;
}
