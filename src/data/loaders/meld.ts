import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { DataError, UnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Dataset, DatasetInfo, Sample, SampleMeta } from '../types.js';
import { EMOTIONS, type EmotionName } from '../synth/presets.js';
import { onErrorSchema, Problems, qualities, requirePath } from './common.js';
import { hashConfig } from '../hash.js';

/**
 * MELD (Poria et al. 2019): `train_sent_emo.csv`, `dev_sent_emo.csv`,
 * `test_sent_emo.csv` and the `diaX_uttY.mp4` clips, decoded with ffmpeg.
 */
export const MELD_COLUMNS = ['Sr No.', 'Utterance', 'Speaker', 'Emotion', 'Sentiment', 'Dialogue_ID', 'Utterance_ID', 'Season', 'Episode', 'StartTime', 'EndTime'] as const;
export const MELD_CLASSES = ['neutral', 'joy', 'sadness', 'anger', 'surprise', 'fear', 'disgust'] as const;
/** MELD's labels on the circumplex, for arousal/valence (MELD annotates no dimensions; documented approximation). */
const MELD_TO_PROTOTYPE: Record<(typeof MELD_CLASSES)[number], EmotionName> = { neutral: 'neutral', joy: 'happy', sadness: 'sad', anger: 'angry', surprise: 'surprised', fear: 'fearful', disgust: 'disgusted' };

export const meldSchema = z.strictObject({
  name: z.literal('meld'),
  path: z.string().min(1).nullable().default(null),
  partitions: z.array(z.enum(['train', 'dev', 'test'])).min(1).default(['train', 'dev', 'test']),
  /** Clip folders per partition, relative to path (the names of the MELD.Raw release). */
  clipDirs: z.strictObject({ train: z.string(), dev: z.string(), test: z.string() }).default({ train: 'train_splits', dev: 'dev_splits_complete', test: 'output_repeated_splits_test' }),
  /** auto: decode clips when ffmpeg is on the PATH, else mark audio/face missing with a warning; require: error without ffmpeg; off: text only. */
  decode: z.enum(['auto', 'require', 'off']).default('auto'),
  audioRate: z.number().int().min(8000).default(16000),
  frameSize: z.tuple([z.number().int().positive(), z.number().int().positive()]).default([48, 48]),
  fps: z.number().positive().default(1),
  /** Replace curly quotes and the common cp1252 mojibake with ASCII quotes. */
  normalizeQuotes: z.boolean().default(true),
  onError: onErrorSchema,
});
export type MeldConfig = z.infer<typeof meldSchema>;

interface Row {
  id: string;
  partition: string;
  utterance: string;
  speaker: string;
  emotion: (typeof MELD_CLASSES)[number];
  sentiment: string;
  dialogue: number;
  utt: number;
  season: number;
  episode: number;
  start: number;
  end: number;
  clip?: string;
}

/** `hh:mm:ss,mmm` → seconds. */
export function parseSrtTime(s: string): number | undefined {
  const m = /^(\d+):(\d\d):(\d\d)[,.](\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4].padEnd(3, '0')) / 1000;
}

function normalizeQuotes(s: string): string {
  return s
    .replace(/[\u2018\u2019\u0091\u0092]/g, "'")
    .replace(/[\u201c\u201d\u0093\u0094]/g, '"')
    .replace(/\u0085|\u2026/g, '...')
    .replace(/\u0096|\u0097|\u2013|\u2014/g, '-');
}

const ffmpegChecked = new Map<string, boolean>();
/** Whether `ffmpeg` runs from the current PATH (checked once per PATH value). */
export function hasFfmpeg(): boolean {
  const key = process.env.PATH ?? '';
  if (!ffmpegChecked.has(key)) ffmpegChecked.set(key, spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0);
  return ffmpegChecked.get(key)!;
}

export class MeldDataset implements Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  private readonly rows: Row[] = [];
  private readonly decode: boolean;

  constructor(
    readonly config: MeldConfig,
    log: Logger,
  ) {
    const root = requirePath('meld', config.path);
    const problems = new Problems('meld', config.onError, log);
    let total = 0;
    for (const part of config.partitions) {
      const file = join(root, `${part}_sent_emo.csv`);
      if (!existsSync(file)) throw new DataError(`${file}: not found (expected MELD's ${part}_sent_emo.csv under dataset.path)`);
      let records: Record<string, string>[];
      try {
        records = parseCsv(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as Record<string, string>[];
      } catch (err) {
        throw new DataError(`${file}: not valid CSV (${(err as Error).message})`);
      }
      const header = records.length > 0 ? Object.keys(records[0]) : (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').split(',');
      const missing = MELD_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length > 0) throw new DataError(`${file}: missing column(s) ${missing.map((c) => JSON.stringify(c)).join(', ')} (expected columns ${MELD_COLUMNS.join(', ')})`);
      records.forEach((r, k) => {
        total++;
        const line = k + 2; // header is line 1 (multi-line quoted fields would shift this; MELD has none)
        try {
          const int = (col: string) => {
            const v = Number(r[col]);
            if (!Number.isInteger(v) || r[col].trim() === '') throw new DataError(`${file}:${line}: column ${col}: ${JSON.stringify(r[col])} is not an integer`);
            return v;
          };
          const emotion = r.Emotion.trim().toLowerCase();
          if (!(MELD_CLASSES as readonly string[]).includes(emotion)) throw new DataError(`${file}:${line}: column Emotion: ${JSON.stringify(r.Emotion)} is not one of ${MELD_CLASSES.join(', ')}`);
          const start = parseSrtTime(r.StartTime);
          const end = parseSrtTime(r.EndTime);
          if (start === undefined) throw new DataError(`${file}:${line}: column StartTime: ${JSON.stringify(r.StartTime)} is not hh:mm:ss,mmm`);
          if (end === undefined) throw new DataError(`${file}:${line}: column EndTime: ${JSON.stringify(r.EndTime)} is not hh:mm:ss,mmm`);
          const dialogue = int('Dialogue_ID');
          const utt = int('Utterance_ID');
          const clip = join(root, config.clipDirs[part], `dia${dialogue}_utt${utt}.mp4`);
          this.rows.push({
            id: `${part}_dia${dialogue}_utt${utt}`,
            partition: part,
            utterance: config.normalizeQuotes ? normalizeQuotes(r.Utterance) : r.Utterance,
            speaker: r.Speaker.trim(),
            emotion: emotion as Row['emotion'],
            sentiment: r.Sentiment.trim().toLowerCase(),
            dialogue,
            utt,
            season: int('Season'),
            episode: int('Episode'),
            start,
            end,
            clip: existsSync(clip) ? clip : undefined,
          });
        } catch (err) {
          problems.report(err);
        }
      });
    }
    problems.summary(total);
    const clips = this.rows.filter((r) => r.clip).length;
    if (config.decode === 'require' && !hasFfmpeg()) throw new UnavailableError('meld: decode=require but ffmpeg is not on the PATH; install ffmpeg (e.g. apt-get install ffmpeg) or set dataset.decode=off for text only');
    this.decode = config.decode !== 'off' && hasFfmpeg();
    if (config.decode === 'auto' && !hasFfmpeg() && clips > 0) log.warn(`meld: ffmpeg is not on the PATH, so the ${clips} clip(s) are not decoded and audio/face are marked missing; install ffmpeg, or set dataset.decode=off to silence this`);
    if (this.rows.length - clips > 0 && config.decode !== 'off') log.info(`meld: ${this.rows.length - clips} of ${this.rows.length} utterance(s) have no clip; their audio/face are marked missing`);
    this.size = this.rows.length;
    this.info = { name: 'meld', classes: [...MELD_CLASSES], modalities: this.decode ? ['audio', 'face', 'text'] : ['text'], fingerprint: hashConfig({ config, n: this.size }) };
  }

  meta(i: number): SampleMeta {
    const r = this.rows[i];
    if (!r) throw new RangeError(`meld: sample index ${i} out of range [0, ${this.size})`);
    return { id: r.id, classIndex: MELD_CLASSES.indexOf(r.emotion), speaker: r.speaker, dialogue: `${r.partition}_dia${r.dialogue}`, partition: r.partition, group: r.speaker };
  }

  get(i: number): Sample {
    const r = this.rows[i];
    const m = this.meta(i);
    const proto = EMOTIONS[MELD_TO_PROTOTYPE[r.emotion]];
    const s: Sample = {
      id: r.id,
      dataset: 'meld',
      speaker: r.speaker,
      dialogue: m.dialogue,
      turn: r.utt,
      durationS: Math.max(0, r.end - r.start),
      labels: { classIndex: m.classIndex, className: r.emotion, arousal: proto.arousal, valence: proto.valence },
      transcript: r.utterance,
      quality: qualities({ text: true }),
      meta: { partition: r.partition, sentiment: r.sentiment, season: r.season, episode: r.episode, avSource: 'emotion-prototype' },
    };
    if (this.decode && r.clip) {
      s.audio = { sampleRate: this.config.audioRate, pcm: decodeAudio(r.clip, this.config.audioRate) };
      s.video = decodeFrames(r.clip, this.config.frameSize[0], this.config.frameSize[1], this.config.fps);
      s.quality = qualities({ text: true, audio: s.audio.pcm.length > 0, face: s.video.frames.length > 0 });
    }
    return s;
  }
}

function ffmpeg(args: string[], clip: string): Buffer {
  const res = spawnSync('ffmpeg', ['-v', 'error', '-i', clip, ...args, '-'], { maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new DataError(`${clip}: ffmpeg failed (${res.stderr?.toString().trim().split('\n').pop() ?? `exit ${res.status}`})`);
  return res.stdout;
}

/** Mono float PCM at `rate`. */
export function decodeAudio(clip: string, rate: number): Float32Array {
  const b = ffmpeg(['-vn', '-ac', '1', '-ar', String(rate), '-f', 'f32le'], clip);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength - (b.byteLength % 4)));
}

/** Grayscale frames at `fps`, scaled to w×h. */
export function decodeFrames(clip: string, w: number, h: number, fps: number) {
  const b = ffmpeg(['-an', '-vf', `fps=${fps},scale=${w}:${h},format=gray`, '-f', 'rawvideo'], clip);
  const n = Math.floor(b.length / (w * h));
  const frames = Array.from({ length: n }, (_, k) => new Uint8Array(b.subarray(k * w * h, (k + 1) * w * h)));
  return { fps, width: w, height: h, frames, times: Float32Array.from(frames, (_, k) => (k + 0.5) / fps) };
}
