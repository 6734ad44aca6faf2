/**
 * Loaders for public supportive-dialogue corpora a researcher may have on
 * disk, into CorpusEntry-like records:
 *
 * - EmpatheticDialogues (Rashkin et al. 2019): `train.csv` / `valid.csv` /
 *   `test.csv` with columns `conv_id,utterance_idx,context,prompt,speaker_idx,
 *   utterance,selfeval,tags`. Not RFC 4180: commas inside text are written
 *   `_comma_` and quotes are literal, so the file is split on every comma
 *   (csv-parse with quoting disabled). The listener's turns (even
 *   `utterance_idx`) are the supportive replies; `context` is the emotion label.
 * - ESConv (Liu et al. 2021): one JSON array of dialogues with `emotion_type`,
 *   `problem_type`, `situation`, `survey_score.seeker.initial_emotion_intensity`
 *   and `dialog: [{speaker, content, annotation: {strategy}}]`. Supporter turns
 *   are the replies, with their strategy mapped to ours.
 *
 * Neither corpus labels tone, so `tone` stays undefined (`toCorpusEntries`
 * fills a chosen default). Labels outside the maps, or outside the active
 * preset, are counted per label and logged, never dropped silently.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError, show } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { STRATEGIES, TONES, type CorpusEntry, type IntensityLevel, type Strategy, type Tone } from '../types.js';
import { EKMAN7 } from './grammar.js';

export interface LoadedEntry {
  id: string;
  text: string;
  /** Mapped to the active preset; undefined when the source label has no mapping. */
  emotion?: string;
  sourceEmotion: string;
  intensity?: IntensityLevel;
  tone?: Tone;
  strategy?: Strategy;
  sourceStrategy?: string;
  split: 'train' | 'heldout';
  source: 'empathetic_dialogues' | 'esconv';
  dialogue: string;
  turn: number;
  /** The other person's previous turn, which this reply answers. */
  context?: string;
}

export interface LoadStats {
  file: string;
  dialogues: number;
  /** Replies kept (with a mapped emotion). */
  replies: number;
  /** Replies skipped because their emotion label is unmapped or outside the preset, per source label. */
  unmappedEmotion: Record<string, number>;
  /** Kept replies whose strategy could not be mapped (strategy undefined), per source label. */
  unmappedStrategy: Record<string, number>;
  /** Other skipped rows or turns, per reason. */
  skipped: Record<string, number>;
}

export interface LoadOptions {
  split?: 'train' | 'heldout';
  /** Active label preset (default ekman7); mapped labels outside it are skipped and counted. */
  emotions?: readonly string[];
  /** Overrides or extends the default source-label → preset mapping. */
  emotionMap?: Record<string, string>;
  log?: Logger;
}

/**
 * EmpatheticDialogues' 32 situation labels → ekman7. Clear cases follow the
 * label's meaning; the judgement calls, documented here: self-conscious
 * negative labels (ashamed, embarrassed, guilty) → sad (low-arousal negative;
 * ekman7 has no shame class); nostalgic → sad (loss-tinged), sentimental →
 * happy (tender, positive); jealous → angry; impressed → surprised;
 * anticipating → happy (positive expectation); the calm trust/readiness
 * labels (caring, faithful, prepared, trusting) → neutral.
 */
export const ED_EMOTION_MAP: Record<string, string> = {
  afraid: 'fearful', terrified: 'fearful', anxious: 'fearful', apprehensive: 'fearful',
  angry: 'angry', furious: 'angry', annoyed: 'angry', jealous: 'angry',
  sad: 'sad', devastated: 'sad', disappointed: 'sad', lonely: 'sad', nostalgic: 'sad', ashamed: 'sad', embarrassed: 'sad', guilty: 'sad',
  joyful: 'happy', excited: 'happy', content: 'happy', grateful: 'happy', hopeful: 'happy', proud: 'happy', confident: 'happy', sentimental: 'happy', anticipating: 'happy',
  disgusted: 'disgusted',
  surprised: 'surprised', impressed: 'surprised',
  caring: 'neutral', faithful: 'neutral', prepared: 'neutral', trusting: 'neutral',
};

/** ESConv's emotion_type values → ekman7 (shame and guilt → sad, as for EmpatheticDialogues; nervousness → fearful). */
export const ESCONV_EMOTION_MAP: Record<string, string> = {
  anxiety: 'fearful', fear: 'fearful', nervousness: 'fearful',
  depression: 'sad', sadness: 'sad', shame: 'sad', guilt: 'sad', pain: 'sad',
  anger: 'angry', jealousy: 'angry',
  disgust: 'disgusted',
};

/**
 * ESConv's eight strategies → ours. Question, Self-disclosure and Others have
 * no counterpart and stay unmapped (counted). "Providing Suggestions" →
 * activation is the reading that fits most ESConv suggestions (do something
 * small); pass `strategyMap: { 'Providing Suggestions': 'reframing' }` for the
 * other reading.
 */
export const ESCONV_STRATEGY_MAP: Record<string, Strategy | null> = {
  'Restatement or Paraphrasing': 'reflection',
  'Reflection of feelings': 'reflection',
  'Affirmation and Reassurance': 'validation',
  'Providing Suggestions': 'activation',
  Information: 'psychoeducation',
  Question: null,
  'Self-disclosure': null,
  Others: null,
};

const ED_HEADER = ['conv_id', 'utterance_idx', 'context', 'prompt', 'speaker_idx', 'utterance', 'selfeval', 'tags'];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

function mapEmotion(label: string, map: Record<string, string>, emotions: readonly string[]): string | undefined {
  const e = map[label];
  return e !== undefined && emotions.includes(e) ? e : undefined;
}

function report(stats: LoadStats, log?: Logger): void {
  const fmt = (m: Record<string, number>): string => Object.entries(m).map(([k, v]) => `${k}: ${v}`).join(', ');
  if (Object.keys(stats.unmappedEmotion).length) log?.info(`${stats.file}: skipped replies with unmapped emotion labels (${fmt(stats.unmappedEmotion)})`);
  if (Object.keys(stats.unmappedStrategy).length) log?.info(`${stats.file}: replies kept without a strategy (${fmt(stats.unmappedStrategy)})`);
  if (Object.keys(stats.skipped).length) log?.info(`${stats.file}: skipped (${fmt(stats.skipped)})`);
}

const unescapeEd = (s: string): string => s.replace(/_comma_/g, ',').trim();

/** Loads an EmpatheticDialogues CSV. */
export function loadEmpatheticDialogues(path: string, opts: LoadOptions = {}): { entries: LoadedEntry[]; stats: LoadStats } {
  const text = readText(path);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { quote: false, relax_column_count: true, skip_empty_lines: true, info: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    throw new DataError(`${path}: not readable as EmpatheticDialogues CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) throw new DataError(`${path}: empty file; expected the header ${ED_HEADER.join(',')}`);
  const header = rows[0].record.map((h) => h.trim());
  if (header.slice(0, 6).join(',') !== ED_HEADER.slice(0, 6).join(',')) {
    throw new DataError(`${path}:1: header is ${show(header.join(','))}; expected ${ED_HEADER.join(',')}`);
  }
  const emotions = opts.emotions ?? EKMAN7;
  const map = { ...ED_EMOTION_MAP, ...opts.emotionMap };
  const stats: LoadStats = { file: path, dialogues: 0, replies: 0, unmappedEmotion: {}, unmappedStrategy: {}, skipped: {} };
  const entries: LoadedEntry[] = [];
  const seenConv = new Set<string>();
  let prevUtterance: { conv: string; text: string } | undefined;
  for (let r = 1; r < rows.length; r++) {
    const { record: f, info } = rows[r];
    const line = info.lines;
    if (f.length < 6) throw new DataError(`${path}:${line}: ${f.length} fields; expected at least 6 (${ED_HEADER.slice(0, 6).join(',')})`);
    if (f.length > 8) bump(stats.skipped, 'extra fields ignored');
    const [conv, idxRaw, context, , , utteranceRaw] = f;
    const idx = Number(idxRaw);
    if (!Number.isInteger(idx) || idx < 1) throw new DataError(`${path}:${line}: utterance_idx is ${show(idxRaw)}; expected a positive integer`);
    if (conv.trim() === '') throw new DataError(`${path}:${line}: conv_id is empty; expected an id such as "hit:0_conv:1"`);
    if (!seenConv.has(conv)) {
      seenConv.add(conv);
      stats.dialogues++;
    }
    const utterance = unescapeEd(utteranceRaw);
    const contextTurn = prevUtterance && prevUtterance.conv === conv ? prevUtterance.text : undefined;
    prevUtterance = { conv, text: utterance };
    if (idx % 2 === 1) continue; // the speaker's own turns are not replies
    if (utterance === '') {
      bump(stats.skipped, 'empty utterance');
      continue;
    }
    const label = context.trim();
    const emotion = mapEmotion(label, map, emotions);
    if (emotion === undefined) {
      bump(stats.unmappedEmotion, label);
      continue;
    }
    entries.push({
      id: `ed:${conv}:${idx}`,
      text: utterance,
      emotion,
      sourceEmotion: label,
      split: opts.split ?? 'train',
      source: 'empathetic_dialogues',
      dialogue: conv,
      turn: idx,
      ...(contextTurn !== undefined ? { context: contextTurn } : {}),
    });
    stats.replies++;
  }
  report(stats, opts.log);
  return { entries, stats };
}

export interface EsconvOptions extends LoadOptions {
  strategyMap?: Record<string, Strategy | null>;
}

/** ESConv's 1–5 initial intensity: 1–2 low, 3 medium, 4–5 high. */
function esconvIntensity(v: unknown): IntensityLevel | undefined {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 1 || x > 5) return undefined;
  return x <= 2 ? 'low' : x === 3 ? 'medium' : 'high';
}

/** Loads ESConv.json. */
export function loadEsconv(path: string, opts: EsconvOptions = {}): { entries: LoadedEntry[]; stats: LoadStats } {
  const text = readText(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DataError(`${path}: top level is ${data === null ? 'null' : typeof data}; expected a JSON array of dialogues`);
  const emotions = opts.emotions ?? EKMAN7;
  const emap = { ...ESCONV_EMOTION_MAP, ...opts.emotionMap };
  const smap = { ...ESCONV_STRATEGY_MAP, ...opts.strategyMap };
  for (const [k, v] of Object.entries(smap)) {
    if (v !== null && !(STRATEGIES as readonly string[]).includes(v)) throw new DataError(`strategyMap[${show(k)}]: ${show(v)}; expected one of ${STRATEGIES.join(', ')} or null`);
  }
  const stats: LoadStats = { file: path, dialogues: data.length, replies: 0, unmappedEmotion: {}, unmappedStrategy: {}, skipped: {} };
  const entries: LoadedEntry[] = [];
  data.forEach((d: unknown, di: number) => {
    const where = `${path}: [${di}]`;
    if (!d || typeof d !== 'object') throw new DataError(`${where}: ${show(d)}; expected a dialogue object`);
    const dlg = d as Record<string, unknown>;
    if (typeof dlg.emotion_type !== 'string') throw new DataError(`${where}.emotion_type: ${show(dlg.emotion_type)}; expected a string such as "anxiety"`);
    if (!Array.isArray(dlg.dialog)) throw new DataError(`${where}.dialog: ${show(dlg.dialog)}; expected an array of turns`);
    const label = dlg.emotion_type.trim();
    const emotion = mapEmotion(label, emap, emotions);
    const seeker = ((dlg.survey_score as Record<string, unknown> | undefined)?.seeker ?? {}) as Record<string, unknown>;
    const intensity = esconvIntensity(seeker.initial_emotion_intensity);
    let lastSeeker: string | undefined;
    dlg.dialog.forEach((t: unknown, ti: number) => {
      const tw = `${where}.dialog[${ti}]`;
      if (!t || typeof t !== 'object') throw new DataError(`${tw}: ${show(t)}; expected a turn object`);
      const turn = t as Record<string, unknown>;
      if (turn.speaker !== 'seeker' && turn.speaker !== 'supporter') throw new DataError(`${tw}.speaker: ${show(turn.speaker)}; expected "seeker" or "supporter"`);
      if (typeof turn.content !== 'string') throw new DataError(`${tw}.content: ${show(turn.content)}; expected a string`);
      const content = turn.content.trim();
      if (turn.speaker === 'seeker') {
        lastSeeker = content;
        return;
      }
      if (content === '') {
        bump(stats.skipped, 'empty supporter turn');
        return;
      }
      if (emotion === undefined) {
        bump(stats.unmappedEmotion, label);
        return;
      }
      const ann = (turn.annotation ?? {}) as Record<string, unknown>;
      const sourceStrategy = typeof ann.strategy === 'string' ? ann.strategy : undefined;
      const strategy = sourceStrategy !== undefined ? (smap[sourceStrategy] ?? undefined) : undefined;
      if (strategy === undefined) bump(stats.unmappedStrategy, sourceStrategy ?? '(none)');
      entries.push({
        id: `esconv:${di}:${ti}`,
        text: content,
        emotion,
        sourceEmotion: label,
        ...(intensity ? { intensity } : {}),
        ...(strategy ? { strategy } : {}),
        ...(sourceStrategy !== undefined ? { sourceStrategy } : {}),
        split: opts.split ?? 'train',
        source: 'esconv',
        dialogue: String(di),
        turn: ti,
        ...(lastSeeker !== undefined ? { context: lastSeeker } : {}),
      });
      stats.replies++;
    });
  });
  report(stats, opts.log);
  return { entries, stats };
}

/**
 * Completes loaded records into CorpusEntry: fills tone, intensity and
 * strategy defaults where the source has none (`strategy: null` drops entries
 * without one instead); returns the number dropped so callers can report it.
 */
export function toCorpusEntries(
  loaded: readonly LoadedEntry[],
  defaults: { tone: Tone; intensity?: IntensityLevel; strategy?: Strategy | null },
): { entries: CorpusEntry[]; dropped: number } {
  if (!(TONES as readonly string[]).includes(defaults.tone)) throw new DataError(`defaults.tone: ${show(defaults.tone)}; expected one of ${TONES.join(', ')}`);
  const out: CorpusEntry[] = [];
  let dropped = 0;
  for (const e of loaded) {
    const strategy = e.strategy ?? defaults.strategy ?? undefined;
    if (e.emotion === undefined || strategy === undefined) {
      dropped++;
      continue;
    }
    out.push({
      id: e.id,
      text: e.text,
      emotion: e.emotion,
      intensity: e.intensity ?? defaults.intensity ?? 'medium',
      tone: e.tone ?? defaults.tone,
      strategy,
      split: e.split,
      templateId: `${e.source}:${e.dialogue}`,
    });
  }
  return { entries: out, dropped };
}
