/**
 * Named corpus sources for configs (`generator.corpus.source: bundled |
 * empathetic_dialogues | esconv`): each turns plain options into
 * CorpusEntry[]. Loaded corpora have no held-out split of their own in one
 * file, so one is drawn by dialogue (whole conversations go to one side, the
 * analogue of the bundled corpus's split by template).
 */
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { Registry } from '../../core/registry.js';
import type { Rng } from '../../core/rng.js';
import type { CorpusEntry, Strategy, Tone } from '../types.js';
import { buildCorpus } from './build.js';
import { loadEmpatheticDialogues, loadEsconv, toCorpusEntries, type LoadedEntry } from './loaders.js';

export interface CorpusSourceOptions {
  rng: Rng;
  /** File for loaded corpora. */
  path?: string;
  emotions?: readonly string[];
  /** Bundled: replies per cell. */
  perCell?: number;
  /** Bundled: share of templates held out; loaded: share of dialogues held out. */
  heldoutShare?: number;
  /** Loaded corpora label no tone: this one is used (default 'warm'). */
  tone?: Tone;
  /**
   * Strategy for replies whose source has none: EmpatheticDialogues has no
   * strategy labels (default 'reflection', what its listeners mostly do);
   * for ESConv the default null drops unmapped turns (counted).
   */
  defaultStrategy?: Strategy | null;
  log?: Logger;
}

export type CorpusSource = (opts: CorpusSourceOptions) => CorpusEntry[];

/** Marks a share of groups (dialogues) held out, chosen by the Rng; at least one group stays in training. */
export function splitByGroup(entries: CorpusEntry[], rng: Rng, share: number): CorpusEntry[] {
  if (!(share >= 0 && share <= 0.5)) throw new ConfigError(`corpus.heldoutShare: got ${share}; expected a number in [0, 0.5]`);
  const groups = [...new Set(entries.map((e) => e.templateId ?? e.id))].sort();
  const k = share > 0 ? Math.min(groups.length - 1, Math.max(1, Math.round(share * groups.length))) : 0;
  const held = new Set(rng.shuffle(groups).slice(0, Math.max(0, k)));
  return entries.map((e) => ({ ...e, split: held.has(e.templateId ?? e.id) ? 'heldout' : 'train' }));
}

function needPath(name: string, opts: CorpusSourceOptions): string {
  if (!opts.path) throw new ConfigError(`corpus.path: missing; the ${name} source needs the path of its file`);
  return opts.path;
}

function finish(name: string, loaded: LoadedEntry[], opts: CorpusSourceOptions, strategy: Strategy | null): CorpusEntry[] {
  const { entries, dropped } = toCorpusEntries(loaded, { tone: opts.tone ?? 'warm', strategy });
  if (dropped > 0) opts.log?.info(`corpus ${name}: ${dropped} replies without an emotion or strategy dropped`);
  return splitByGroup(entries, opts.rng.fork(`${name}/split`), opts.heldoutShare ?? 0.2);
}

export const corpusSources = new Registry<CorpusSource>('corpus source');
corpusSources.register('bundled', (o) => buildCorpus({ rng: o.rng, perCell: o.perCell, heldoutShare: o.heldoutShare, emotions: o.emotions, log: o.log }));
corpusSources.register('empathetic_dialogues', (o) =>
  finish('empathetic_dialogues', loadEmpatheticDialogues(needPath('empathetic_dialogues', o), { emotions: o.emotions, log: o.log }).entries, o, o.defaultStrategy === undefined ? 'reflection' : o.defaultStrategy),
);
corpusSources.register('esconv', (o) => finish('esconv', loadEsconv(needPath('esconv', o), { emotions: o.emotions, log: o.log }).entries, o, o.defaultStrategy ?? null));
