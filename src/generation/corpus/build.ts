/**
 * Composes the bundled intervention corpus from the grammar: every emotion ×
 * intensity × tone × strategy cell gets `perCell` replies (opener + core +
 * closer), deterministically from the Rng. `templateId` is
 * `strategy.index.emotion`: sentences sharing it are paraphrases (same core
 * template, same emotion's words; opener, closer, intensity and wording
 * alternatives vary). The held-out split is by core template:
 * per strategy, a share of the core templates is reserved, so held-out
 * sentences are new compositions, never copies or near-copies of training ones.
 */
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Rng } from '../../core/rng.js';
import { didYouMean } from '../../core/suggest.js';
import { STRATEGIES, TONES, type CorpusEntry, type IntensityLevel, type Strategy, type Tone } from '../types.js';
import { expandTemplate, type SlotValues } from './expand.js';
import {
  CLOSERS,
  EKMAN7,
  INTENSITIES,
  INTENSITY_WORDS,
  LEXICON,
  OPENERS,
  POLARITY,
  STRATEGY_TEMPLATES,
  type Ekman7,
} from './grammar.js';

export interface BuildCorpusOptions {
  rng: Rng;
  /**
   * Replies per emotion × intensity × tone × strategy cell. The held-out
   * templates get their share of the draws (at least one, so every cell has a
   * held-out reference); the rest cycle over the training templates. Default 8.
   */
  perCell?: number;
  /** Share of each strategy's templates reserved for the held-out split, in [0, 0.5]. Default 0.2. */
  heldoutShare?: number;
  /** Emotion classes to cover (a subset of ekman7, e.g. the gu5 or iemocap4 preset). Default all of ekman7. */
  emotions?: readonly string[];
  tones?: readonly Tone[];
  strategies?: readonly Strategy[];
  /** Where the count of duplicate draws that were skipped is reported. */
  log?: Logger;
}

export interface CorpusBuildStats {
  entries: number;
  distinctTexts: number;
  train: number;
  heldout: number;
  /** Draws that repeated a sentence already in the same cell and were re-drawn without success. */
  duplicatesSkipped: number;
  heldoutTemplates: string[];
}

const MAX_REDRAWS = 6;

/** Validates an emotion list against ekman7 with a did-you-mean error. */
export function checkEmotions(emotions: readonly string[], where = 'corpus.emotions'): Ekman7[] {
  for (const e of emotions) {
    if (!(EKMAN7 as readonly string[]).includes(e)) {
      throw new ConfigError(`${where}: unknown emotion ${JSON.stringify(e)}; expected one of ${EKMAN7.join(', ')}${didYouMean(e, EKMAN7)}`);
    }
  }
  return emotions as Ekman7[];
}

/** Which templates of each strategy are held out (chosen by the Rng, at least one kept for training). */
export function heldoutTemplateIds(rng: Rng, heldoutShare: number, strategies: readonly Strategy[] = STRATEGIES): Set<string> {
  const out = new Set<string>();
  for (const s of strategies) {
    const n = STRATEGY_TEMPLATES[s].length;
    const k = heldoutShare > 0 ? Math.min(n - 1, Math.max(1, Math.round(heldoutShare * n))) : 0;
    const order = rng.fork(`heldout/${s}`).shuffle([...Array(n).keys()]);
    for (const i of order.slice(0, k)) out.add(`${s}.${i}`);
  }
  return out;
}

export function buildCorpus(opts: BuildCorpusOptions): CorpusEntry[] {
  return buildCorpusWithStats(opts).entries;
}

export function buildCorpusWithStats(opts: BuildCorpusOptions): { entries: CorpusEntry[]; stats: CorpusBuildStats } {
  const perCell = opts.perCell ?? 8;
  const heldoutShare = opts.heldoutShare ?? 0.2;
  if (!Number.isInteger(perCell) || perCell < 1) throw new ConfigError(`corpus.perCell: got ${perCell}; expected an integer >= 1`);
  if (!(heldoutShare >= 0 && heldoutShare <= 0.5)) {
    throw new ConfigError(`corpus.heldoutShare: got ${heldoutShare}; expected a number in [0, 0.5]`);
  }
  const emotions = checkEmotions(opts.emotions ?? EKMAN7);
  const tones = opts.tones ?? TONES;
  const strategies = opts.strategies ?? STRATEGIES;
  for (const t of tones) if (!(TONES as readonly string[]).includes(t)) throw new ConfigError(`corpus.tones: unknown tone ${JSON.stringify(t)}; expected one of ${TONES.join(', ')}${didYouMean(t, TONES)}`);
  for (const s of strategies) if (!(STRATEGIES as readonly string[]).includes(s)) throw new ConfigError(`corpus.strategies: unknown strategy ${JSON.stringify(s)}; expected one of ${STRATEGIES.join(', ')}${didYouMean(s, STRATEGIES)}`);

  const held = heldoutTemplateIds(opts.rng, heldoutShare, strategies);
  const entries: CorpusEntry[] = [];
  let duplicatesSkipped = 0;

  for (const emotion of emotions) {
    const lex = LEXICON[emotion];
    const polarity = POLARITY[emotion];
    for (const intensity of INTENSITIES) {
      const words = INTENSITY_WORDS[intensity];
      const slots: SlotValues = { ...lex, feel: lex.feel[intensity], hard: words.hard, good: words.good, big: words.big };
      for (const tone of tones) {
        for (const strategy of strategies) {
          const cell = `${emotion}.${intensity}.${tone}.${strategy}`;
          const rng = opts.rng.fork(cell);
          const templates = STRATEGY_TEMPLATES[strategy];
          // Held-out draws get the held-out templates' share of perCell (at least one, so every cell has a
          // reference); the other draws cycle over the training templates. Both orders are shuffled per cell.
          const all = rng.shuffle([...templates.keys()]);
          const heldIdx = all.filter((i) => held.has(`${strategy}.${i}`));
          const trainIdx = all.filter((i) => !held.has(`${strategy}.${i}`));
          const nHeld = heldIdx.length === 0 ? 0 : Math.min(perCell, Math.max(1, Math.round((perCell * heldIdx.length) / templates.length)));
          const seen = new Set<string>();
          for (let k = 0; k < perCell; k++) {
            const ti = k < nHeld ? heldIdx[k % heldIdx.length] : trainIdx[(k - nHeld) % trainIdx.length];
            const core = `${strategy}.${ti}`;
            // Paraphrases: the same core template filled with the same emotion's words (tone and intensity vary).
            const templateId = `${core}.${emotion}`;
            let text: string | undefined;
            for (let tries = 0; tries < MAX_REDRAWS && text === undefined; tries++) {
              const parts = [
                expandTemplate(OPENERS[tone][polarity], slots, rng, `opener ${tone}/${polarity}`),
                expandTemplate(templates[ti], slots, rng, `template ${templateId}`),
                expandTemplate(CLOSERS[tone], slots, rng, `closer ${tone}`),
              ].filter((p) => p !== '');
              const candidate = parts.join(' ');
              if (!seen.has(candidate)) text = candidate;
            }
            if (text === undefined) {
              duplicatesSkipped++;
              continue;
            }
            seen.add(text);
            entries.push({
              id: `${cell}.${k}`,
              text,
              emotion,
              intensity,
              tone,
              strategy,
              split: held.has(core) ? 'heldout' : 'train',
              templateId,
            });
          }
        }
      }
    }
  }
  if (duplicatesSkipped > 0) {
    opts.log?.info(`corpus: ${duplicatesSkipped} draws repeated a sentence already in their cell after ${MAX_REDRAWS} tries and were skipped`);
  }
  const heldoutCount = entries.filter((e) => e.split === 'heldout').length;
  return {
    entries,
    stats: {
      entries: entries.length,
      distinctTexts: new Set(entries.map((e) => e.text)).size,
      train: entries.length - heldoutCount,
      heldout: heldoutCount,
      duplicatesSkipped,
      heldoutTemplates: [...held].sort(),
    },
  };
}

/** An intent-like key: intensity as a level or as a number in [0, 1] (reasoning's Intent.intensity). */
export interface ReferenceQuery {
  emotion: string;
  intensity: IntensityLevel | number;
  tone: Tone;
  strategy: Strategy;
}

/** Maps a [0, 1] intensity to a level: [0, 1/3) low, [1/3, 2/3) medium, [2/3, 1] high. */
export function intensityLevel(x: IntensityLevel | number): IntensityLevel {
  if (typeof x === 'string') {
    if (!(INTENSITIES as readonly string[]).includes(x)) throw new ConfigError(`intensity: got ${JSON.stringify(x)}; expected low, medium, high or a number in [0, 1]`);
    return x;
  }
  if (!(x >= 0 && x <= 1)) throw new ConfigError(`intensity: got ${x}; expected a number in [0, 1]`);
  return x < 1 / 3 ? 'low' : x < 2 / 3 ? 'medium' : 'high';
}

const INDEX_CACHE = new WeakMap<readonly CorpusEntry[], Map<string, CorpusEntry[]>>();

function cellKey(emotion: string, intensity: IntensityLevel, tone: string, strategy: string): string {
  return `${emotion}\u0000${intensity}\u0000${tone}\u0000${strategy}`;
}

/**
 * The reference replies for an intent (for SEM): the entries of the same
 * emotion × intensity × tone × strategy cell in `split` (default 'heldout',
 * the evaluation split; 'any' for both). Empty when the corpus has no such cell.
 */
export function referenceFor(
  entries: readonly CorpusEntry[],
  query: ReferenceQuery,
  opts: { split?: 'train' | 'heldout' | 'any' } = {},
): CorpusEntry[] {
  let index = INDEX_CACHE.get(entries);
  if (!index) {
    index = new Map();
    for (const e of entries) {
      const k = cellKey(e.emotion, e.intensity, e.tone, e.strategy);
      const list = index.get(k);
      if (list) list.push(e);
      else index.set(k, [e]);
    }
    INDEX_CACHE.set(entries, index);
  }
  const level = intensityLevel(query.intensity);
  const cell = index.get(cellKey(query.emotion, level, query.tone, query.strategy)) ?? [];
  const split = opts.split ?? 'heldout';
  return split === 'any' ? [...cell] : cell.filter((e) => e.split === split);
}

/** Distinct emotion × intensity × tone × strategy cells of the entries' held-out side (held-out intents), `n` drawn with `rng`. */
export function heldoutCells(entries: readonly CorpusEntry[], n: number, rng: Rng): CorpusEntry[] {
  const seen = new Map<string, CorpusEntry>();
  for (const e of entries) if (e.split === 'heldout') seen.set(`${e.emotion}|${e.intensity}|${e.tone}|${e.strategy}`, e);
  return rng.shuffle([...seen.values()]).slice(0, n);
}
