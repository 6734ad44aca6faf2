/**
 * Emotion cue lexicon derived from the grammar's emotion words (the `feel`
 * phrases and bare feeling nouns): a word that names a feeling in one emotion's
 * lexicon is a cue for that emotion. Weights: the intensity the phrase was
 * written for (low 0.5, medium 1, high 1.5; nouns 1), divided by the number of
 * emotions that share the word, so shared words ("really") carry little. The
 * generator's emotion head can use `emotionCueVector` as a per-sentence soft
 * target; it is a lexicon heuristic, not a classifier.
 */
import { EKMAN7, LEXICON, type Ekman7 } from './grammar.js';
import { checkEmotions } from './build.js';

const INTENSITY_WEIGHT = { low: 0.5, medium: 1, high: 1.5 } as const;
/** Function and degree words that appear in feel phrases but name no feeling. */
const STOP = new Set([
  'a', 'an', 'the', 'bit', 'little', 'somewhat', 'very', 'really', 'deeply', 'completely', 'quietly', 'more', 'by', 'of',
  'full', 'and', 'how', 'you', 'feel', 'unsure', 'in', 'between', 'on', 'off', 'put', 'caught', 'guard', 'taken', 'mildly',
  'fairly', 'overwhelmed', 'low', 'mood',
]);

export type CueLexicon = Map<string, Partial<Record<Ekman7, number>>>;

function words(s: string): string[] {
  return s.toLowerCase().split(/[^a-z'-]+/).filter((w) => w !== '' && !STOP.has(w));
}

let cached: CueLexicon | undefined;

/** word → emotion → weight. */
export function emotionCueLexicon(): CueLexicon {
  if (cached) return cached;
  const raw = new Map<string, Map<Ekman7, number>>();
  const add = (w: string, e: Ekman7, weight: number): void => {
    const m = raw.get(w) ?? new Map<Ekman7, number>();
    m.set(e, Math.max(m.get(e) ?? 0, weight));
    raw.set(w, m);
  };
  for (const e of EKMAN7) {
    const lex = LEXICON[e];
    for (const level of ['low', 'medium', 'high'] as const) for (const p of lex.feel[level]) for (const w of words(p)) add(w, e, INTENSITY_WEIGHT[level]);
    for (const p of lex.nounBare) for (const w of words(p)) add(w, e, 1);
  }
  cached = new Map();
  for (const [w, m] of raw) {
    const rec: Partial<Record<Ekman7, number>> = {};
    for (const [e, v] of m) rec[e] = v / m.size;
    cached.set(w, rec);
  }
  return cached;
}

/**
 * Cue weights of `text` over `emotions` (default ekman7), normalised to sum to
 * 1 with add-`alpha` smoothing; uniform when no cue word occurs.
 */
export function emotionCueVector(text: string, emotions: readonly string[] = EKMAN7, alpha = 0.05): number[] {
  const em = checkEmotions(emotions);
  const lex = emotionCueLexicon();
  const score = em.map(() => alpha);
  for (const w of text.toLowerCase().split(/[^a-z'-]+/)) {
    const rec = lex.get(w);
    if (!rec) continue;
    em.forEach((e, i) => {
      score[i] += rec[e] ?? 0;
    });
  }
  const total = score.reduce((a, b) => a + b, 0);
  return score.map((s) => s / total);
}
