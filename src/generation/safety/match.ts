/**
 * Phrase-rule matching for the safety layer: text normalisation robust to
 * misspelling and obfuscation, phrase patterns with small gaps, fuzzy word
 * matching, and negation scope.
 *
 * Hand-written: the npm NLP packages (natural, compromise, wink) offer
 * tokenisers and stemmers but no rule engine with negation scope and
 * per-word fuzzy matching, which is what a transparent, auditable safety
 * screen needs (every decision names the rule and the matched span). The
 * fuzzy distance is Damerau–Levenshtein, written here because
 * fast-levenshtein (installed transitively) has no transpositions.
 */

/** One normalised token; `boundary` tokens end a clause (negation does not reach across them). */
export interface Tok {
  w: string;
  boundary: boolean;
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan'?t\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\bain'?t\b/g, 'am not'],
  [/\b(do|does|did|would|could|should|is|are|was|were|have|has|had|must|need)n'?t\b/g, '$1 not'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\bi'?m\b/g, 'i am'],
  [/\bi'?d\b/g, 'i would'],
  [/\bi'?ll\b/g, 'i will'],
  [/\bi'?ve\b/g, 'i have'],
  [/\b(you|we|they|he|she|it|that|there|everyone|everything|things)'ll\b/g, '$1 will'],
  [/\b(you|we|they)'re\b/g, '$1 are'],
  [/\b(you|we|they)'ve\b/g, '$1 have'],
  [/\b(he|she|it|that|there|what|everything|this)'s\b/g, '$1 is'],
  [/\b(you|he|she|they|we)'d\b/g, '$1 would'],
  [/\byoure\b/g, 'you are'],
  [/\bwanna\b/g, 'want to'],
  [/\bgonna\b/g, 'going to'],
  [/\bgotta\b/g, 'got to'],
  [/\bkinda\b/g, 'kind of'],
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\bcuz\b/g, 'because'],
  [/\bnvr\b/g, 'never'],
  [/\bdont\b/g, 'do not'],
  [/\bdidnt\b/g, 'did not'],
  [/\bdoesnt\b/g, 'does not'],
  [/\bwouldnt\b/g, 'would not'],
  [/\bcouldnt\b/g, 'could not'],
  [/\bshouldnt\b/g, 'should not'],
  [/\bisnt\b/g, 'is not'],
  [/\barent\b/g, 'are not'],
  [/\bwasnt\b/g, 'was not'],
  [/\bhavent\b/g, 'have not'],
  [/\bim\b/g, 'i am'],
  [/\bive\b/g, 'i have'],
  [/\bitll\b/g, 'it will'],
  [/\bthats\b/g, 'that is'],
  [/\bits\b/g, 'it is'],
  [/\bmyslef\b/g, 'myself'],
];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Lower-case, strip accents, undo leetspeak inside words, expand contractions, squeeze letter runs. */
export function normalizeForMatch(text: string): string {
  let s = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'").replace(/[\u2013\u2014]/g, ' - ');
  // Leetspeak and masking only inside a word that has letters on both sides ("k!ll", "su1cide", "k*ll").
  s = s.replace(/(?<=\p{L})[013457@$!*]+(?=\p{L})/gu, (m) => (m.includes('*') ? '' : [...m].map((c) => LEET[c] ?? c).join('')));
  s = s.replace(/(\p{L})\1{2,}/gu, '$1$1');
  s = s.replace(/%/g, ' percent ').replace(/\bo\.d\.?/g, 'od').replace(/\bself[\s-]+harm/g, 'selfharm').replace(/\bself[\s-]+injur/g, 'selfinjur');
  for (const [re, rep] of CONTRACTIONS) s = s.replace(re, rep);
  // "never, ever" is one emphatic negation, not two clauses.
  s = s.replace(/\b(never|not),\s*ever\b/g, '$1 ever');
  return s;
}

const BOUNDARY_WORDS = new Set(['but', 'and', 'or', 'so', 'because', 'if', 'when', 'though', 'although', 'unless', 'until', 'that', 'yet', 'except', 'whereas', 'while']);

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  for (const m of normalizeForMatch(text).matchAll(/[\p{L}\p{N}']+|[.!?;:,()"\n-]+/gu)) {
    const w = m[0].replace(/^'+|'+$/g, '');
    if (w === '') continue;
    const punct = !/[\p{L}\p{N}]/u.test(w);
    out.push({ w, boundary: punct || BOUNDARY_WORDS.has(w) });
  }
  return out;
}

/** Optimal-string-alignment (restricted Damerau–Levenshtein) distance, with an early exit above `max`. */
export function damerau(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

const NUMBER_WORDS = new Set(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'twenty', 'fifty', 'hundred', 'a few', 'several', 'half', 'double']);

/**
 * Does text word `w` match pattern word `p`? `*` matches any word, `#num` any
 * number. Misspellings: pattern words of 5+ letters allow one edit (8+ letters
 * two), with the first letter kept. Shorter words must match exactly (common
 * misspellings of them are listed in the rules instead): one edit on a
 * four-letter word turns "deal" into "dead" and "fill" into "kill".
 */
export function wordMatches(w: string, p: string, fuzzy: boolean): 'exact' | 'fuzzy' | null {
  if (p === '*') return 'exact';
  if (p === '#num') return /^\d+([.,]\d+)?$/.test(w) || NUMBER_WORDS.has(w) ? 'exact' : null;
  if (w === p) return 'exact';
  if (!fuzzy || w[0] !== p[0]) return null;
  // Stretched letters in the text ("dieee", "hurtt", "myselff") match after collapsing its runs.
  if (/(.)\1/.test(w) && collapseRuns(w) === p) return 'fuzzy';
  if (!FUZZY_KEYWORDS.has(p)) return null;
  if (collapseRuns(w) === collapseRuns(p)) return 'fuzzy'; // "kil" for "kill"
  const max = p.length >= 9 ? 2 : 1;
  return damerau(w, p, max) <= max ? 'fuzzy' : null;
}

/**
 * The only pattern words that match by edit distance: the keywords people
 * misspell in crisis messages, none of which has a common English word one or
 * two edits away with the same first letter (unlike "noose"/"nose",
 * "overdosed"/"overjoyed", "dead"/"deal", "shoot"/"shot", which is why
 * fuzziness is not applied to every word).
 */
export const FUZZY_KEYWORDS: ReadonlySet<string> = new Set([
  'suicide', 'suicidal', 'suiciding', 'myself', 'yourself', 'herself', 'himself', 'themselves', 'overdose', 'overdosing', 'kill', 'killing',
  'cutting', 'harming', 'hurting', 'selfharm', 'selfharming', 'strangle', 'murder', 'stabbing', 'unalive', 'disappear', 'living', 'anymore',
  'pills', 'tablets', 'lethal', 'burden', 'worthless', 'hopeless', 'everyone', 'without', 'better', 'alive', 'punish', 'starve',
]);

const collapseRuns = (s: string): string => s.replace(/(.)\1+/g, '$1');

export interface Pattern {
  /** Each slot lists alternatives; an alternative may be several words ("my own life"). */
  slots: string[][];
  /** Words of the text allowed between consecutive slots (never across a clause boundary). Default 0. */
  gap?: number;
}

export interface Rule<K extends string = string> {
  name: string;
  kind: K;
  /** 0..1; a match scores weight (× 0.9 when a word matched only fuzzily). */
  weight: number;
  patterns: Pattern[];
  /** Whether a negator in scope cancels the match ("I would never hurt myself"). */
  negatable: boolean;
  /** Words or phrases that, anywhere in the match's clause, cancel it ("accidentally", "suicide squad"). */
  exclusions?: string[];
  /** Words that cancel the match when they are its last word or the word after it ("hurt her feelings", "kill the lights"). */
  spanExclusions?: string[];
  /** Whether to allow fuzzy word matching (off for rules whose words are short or common). Default true. */
  fuzzy?: boolean;
}

export interface Match<K extends string = string> {
  rule: Rule<K>;
  start: number;
  /** Exclusive. */
  end: number;
  fuzzy: boolean;
  /** Token indices inside the span that matched no pattern word (gap words). */
  gaps: number[];
  negated: boolean;
  score: number;
  span: string;
}

/** Matches one alternative's words at `at`; `$` matches a clause end without consuming a word. */
function matchAlt(toks: Tok[], at: number, alt: string[], fuzzy: boolean): { end: number; fuzzy: boolean } | null {
  let fz = false;
  let i = at;
  for (const p of alt) {
    const t = toks[i];
    if (p === '$') {
      if (t && !t.boundary) return null;
      continue;
    }
    // A clause-boundary word matches only itself ("and never wake up"); punctuation never matches.
    if (!t || (t.boundary && p !== t.w)) return null;
    const m = wordMatches(t.w, p, fuzzy);
    if (!m) return null;
    if (m === 'fuzzy') fz = true;
    i++;
  }
  return { end: i, fuzzy: fz };
}


interface CompiledSlot {
  /** Alternatives (as word lists) by their exact first word. */
  byWord: Map<string, string[][]>;
  /** Alternatives whose first word is a fuzzy keyword, by its first letter (the only ones that can match inexactly). */
  fuzzyByFirst: Map<string, string[][]>;
  /** Alternatives starting with a wildcard (`*`, `#num`, `$`): tried for every word. */
  any: string[][];
}
const COMPILED = new WeakMap<Pattern, CompiledSlot[]>();

function pushAlt(m: Map<string, string[][]>, k: string, v: string[]): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * Indexes alternatives so that each text word only tries the few that can
 * match it: by exact first word, plus (for fuzzy keywords) by first letter.
 */
function compile(pat: Pattern): CompiledSlot[] {
  let c = COMPILED.get(pat);
  if (c) return c;
  c = pat.slots.map((alts) => {
    const slot: CompiledSlot = { byWord: new Map(), fuzzyByFirst: new Map(), any: [] };
    for (const alt of alts) {
      const w = alt.split(' ');
      if (w[0] === '*' || w[0] === '#num' || w[0] === '$') slot.any.push(w);
      else {
        pushAlt(slot.byWord, w[0], w);
        if (FUZZY_KEYWORDS.has(w[0])) pushAlt(slot.fuzzyByFirst, w[0][0], w);
      }
    }
    return slot;
  });
  COMPILED.set(pat, c);
  return c;
}

const NO_ALTS: string[][] = [];

/** The alternatives of `slot` worth trying at word `w` (a superset of those that match it). */
function candidates(slot: CompiledSlot, w: string | undefined, fuzzy: boolean): string[][][] {
  if (w === undefined) return [slot.any];
  const out: string[][][] = [slot.byWord.get(w) ?? NO_ALTS];
  if (fuzzy) {
    if (/(.)\1/.test(w)) out.push(slot.byWord.get(collapseRuns(w)) ?? NO_ALTS);
    out.push(slot.fuzzyByFirst.get(w[0]) ?? NO_ALTS);
  }
  out.push(slot.any);
  return out;
}

/** All matches of a pattern starting at each position (the first way each start matches). */
function matchPattern(toks: Tok[], pat: Pattern, fuzzy: boolean): { start: number; end: number; fuzzy: boolean; gaps: number[] }[] {
  const gap = pat.gap ?? 0;
  const slots = compile(pat);
  const out: { start: number; end: number; fuzzy: boolean; gaps: number[] }[] = [];
  const tryAlts = (alts: string[][], slot: number, at: number, skip: number, start: number, fz: boolean, gaps: number[]) => {
    for (const alt of alts) {
      const m = matchAlt(toks, at + skip, alt, fuzzy);
      if (!m) continue;
      const g = skip > 0 ? [...gaps, ...Array.from({ length: skip }, (_, i) => at + i)] : gaps;
      const r = rec(slot + 1, m.end, slot === 0 ? at : start, fz || m.fuzzy, g);
      if (r) return r;
    }
    return null;
  };
  const rec = (slot: number, at: number, start: number, fz: boolean, gaps: number[]): { start: number; end: number; fuzzy: boolean; gaps: number[] } | null => {
    if (slot === slots.length) return { start, end: at, fuzzy: fz, gaps };
    for (let skip = 0; skip <= (slot === 0 ? 0 : gap); skip++) {
      if (skip > 0 && (!toks[at + skip - 1] || toks[at + skip - 1].boundary)) break;
      const t = toks[at + skip];
      for (const alts of candidates(slots[slot], t?.w, fuzzy)) {
        const r = tryAlts(alts, slot, at, skip, start, fz, gaps);
        if (r) return r;
      }
    }
    return null;
  };
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].boundary && !slots[0].byWord.has(toks[i].w)) continue;
    const r = rec(0, i, i, false, []);
    if (r) out.push(r);
  }
  return out;
}

export const NEGATORS = new Set(['not', 'never', 'no', 'nor', 'none', 'neither', 'nobody', 'nothing', 'without', 'hardly']);
/**
 * Words that turn a negation into a hedge ("I can't SAY I would never…",
 * "I'm not SURE I won't…", "it's not LIKE I want to die", "I can't STOP
 * thinking about dying"): a negation next to one of them does not cancel the match.
 */
const HEDGES = new Set(['say', 'saying', 'said', 'sure', 'promise', 'guarantee', 'certain', 'convinced', 'know', 'like', 'pretend', 'mean', 'stop', 'help']);
/** After a negated match, a contrast plus one of these keeps the risk ("I'd never hurt myself, but I've thought about it"). */
const CONTRAST = new Set(['but', 'though', 'although', 'yet', 'sometimes', 'except']);
const IDEATION = new Set(['want', 'wish', 'think', 'thinking', 'thought', 'thoughts', 'urge', 'urges', 'tempted', 'might', 'maybe', 'could', 'do', 'sometimes', 'part', 'lately', 'again']);
/** A time qualifier after a negated phrase keeps the risk: "I won't kill myself tonight", "never wanted to die before". */
const TEMPORAL = new Set(['until', 'till', 'before', 'anymore', 'tonight', 'today', 'yet', 'now', 'tomorrow']);

/**
 * Is the match negated? Scope: up to 6 words before it, stopping at a clause
 * boundary, plus its own gap words ("you are NOT weak"); an odd number of
 * negators negates. A hedged negation ("can't SAY", "not SURE", "not LIKE")
 * anywhere earlier in the same clause chain, a time qualifier or a contrast
 * that brings the thought back afterwards keep the match: a missed crisis
 * costs far more than a false alarm.
 */
function negationState(toks: Tok[], start: number, end: number, gaps: number[], conservative: boolean): boolean {
  let neg = 0;
  for (let i = start - 1; i >= 0 && i >= start - 6; i--) {
    if (toks[i].boundary) break;
    if (NEGATORS.has(toks[i].w)) neg++;
  }
  for (const g of gaps) if (NEGATORS.has(toks[g].w)) neg++;
  if (neg % 2 === 0) return false;
  if (!conservative) return true;
  for (let i = start - 1; i >= 0 && i >= start - 12; i--) {
    const w = toks[i].w;
    if (/[.!?;,]/.test(w)) break;
    if (HEDGES.has(w) && ((i >= 1 && NEGATORS.has(toks[i - 1].w)) || (i >= 2 && NEGATORS.has(toks[i - 2].w)))) return false;
  }
  let sawContrast = false;
  for (let i = end; i < toks.length && i < end + 10; i++) {
    const w = toks[i].w;
    // An ellipsis is a pause, not the end of the thought ("never… until now").
    if (/[.!?]/.test(w) && !/^\.{2,}$/.test(w)) break;
    if (TEMPORAL.has(w)) return false;
    if (CONTRAST.has(w)) sawContrast = true;
    else if (sawContrast && IDEATION.has(w)) return false;
  }
  return true;
}

function clauseText(toks: Tok[], start: number, end: number): string {
  let a = start;
  while (a > 0 && !/[.!?;,]/.test(toks[a - 1].w)) a--;
  let b = end;
  while (b < toks.length && !/[.!?;,]/.test(toks[b].w)) b++;
  return ` ${toks.slice(a, b).map((t) => t.w).join(' ')} `;
}

/**
 * Every rule match in `toks`, with its negation state and score.
 * `conservative` (input screening): hedged negations ("can't say I'd never")
 * and negations revived by a contrast or time qualifier do not cancel a match.
 * Off for output filtering, where "I can't promise it will be fine" is simply
 * not a promise.
 */
export function findMatches<K extends string>(toks: Tok[], rules: readonly Rule<K>[], opts: { conservative?: boolean } = {}): Match<K>[] {
  const out: Match<K>[] = [];
  for (const rule of rules) {
    for (const pat of rule.patterns) {
      for (const m of matchPattern(toks, pat, rule.fuzzy ?? true)) {
        if (rule.exclusions) {
          const clause = clauseText(toks, m.start, m.end);
          if (rule.exclusions.some((x) => clause.includes(` ${x} `))) continue;
        }
        if (rule.spanExclusions) {
          const tail = [toks[m.end - 1]?.w, toks[m.end]?.w];
          if (rule.spanExclusions.some((x) => tail.includes(x))) continue;
        }
        const negated = rule.negatable && negationState(toks, m.start, m.end, m.gaps, opts.conservative ?? true);
        out.push({
          rule,
          ...m,
          negated,
          score: negated ? 0 : rule.weight * (m.fuzzy ? 0.9 : 1),
          span: toks.slice(m.start, m.end).map((t) => t.w).join(' '),
        });
      }
    }
  }
  return out;
}

/** The highest-scoring non-negated match, ties to the earlier rule. */
export function bestMatch<K extends string>(matches: Match<K>[]): Match<K> | undefined {
  let best: Match<K> | undefined;
  for (const m of matches) if (m.score > 0 && (!best || m.score > best.score)) best = m;
  return best;
}
