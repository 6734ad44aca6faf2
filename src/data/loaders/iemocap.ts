import { closeSync, existsSync, openSync, readSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Dataset, DatasetInfo, MotionCapture, Sample, SampleMeta } from '../types.js';
import { readWavMono, checkWavHeader } from '../synth/corpus.js';
import { onErrorSchema, Problems, qualities, requirePath } from './common.js';
import { hashConfig } from '../hash.js';

/**
 * IEMOCAP (Busso et al. 2008) in its release layout: `Session1..5/` with
 * `dialog/EmoEvaluation/<dialog>.txt` (one header line per utterance:
 * `[START - END]\tUTT_ID\tEMO\t[V, A, D]`), `dialog/transcriptions/<dialog>.txt`,
 * `sentences/wav/<dialog>/<utt>.wav` and, where present,
 * `sentences/MOCAP_rotated/<dialog>/<utt>.txt`.
 */
export const IEMOCAP_MAPPINGS = {
  /** The standard 4-class setup: excited merged into happy. */
  '4class': { neu: 'neutral', hap: 'happy', exc: 'happy', sad: 'sad', ang: 'angry' },
  /** 4 classes without excited. */
  '4class_noexc': { neu: 'neutral', hap: 'happy', sad: 'sad', ang: 'angry' },
  '6class': { neu: 'neutral', hap: 'happy', sad: 'sad', ang: 'angry', exc: 'excited', fru: 'frustrated' },
  /** Every annotated category except xxx (no agreement). */
  all: { neu: 'neutral', hap: 'happy', sad: 'sad', ang: 'angry', exc: 'excited', fru: 'frustrated', sur: 'surprised', fea: 'fearful', dis: 'disgusted', oth: 'other' },
} as const satisfies Record<string, Record<string, string>>;

export const iemocapSchema = z.strictObject({
  name: z.literal('iemocap'),
  path: z.string().min(1).nullable().default(null),
  sessions: z.array(z.number().int().min(1).max(5)).default([1, 2, 3, 4, 5]),
  mapping: z.enum(Object.keys(IEMOCAP_MAPPINGS) as [keyof typeof IEMOCAP_MAPPINGS]).default('4class'),
  /** Read facial motion capture where present. */
  mocap: z.boolean().default(true),
  mocapFps: z.number().positive().default(120),
  onError: onErrorSchema,
});
export type IemocapConfig = z.infer<typeof iemocapSchema>;

const HEADER = /^\[(\d+(?:\.\d+)?) - (\d+(?:\.\d+)?)\]\t(\S+)\t(\S+)\t\[(\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\]\s*$/;
const TRANSCRIPT = /^(\S+) \[[\d.]+-[\d.]+\]:\s?(.*)$/;

interface Utt {
  id: string;
  session: number;
  dialog: string;
  turn: number;
  start: number;
  end: number;
  emo: string;
  vad: [number, number, number];
  classIndex: number;
  wav?: string;
  mocap?: string;
  transcript?: string;
}

export class IemocapDataset implements Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  private readonly utts: Utt[] = [];

  constructor(
    readonly config: IemocapConfig,
    log: Logger,
  ) {
    const root = requirePath('iemocap', config.path);
    const map: Record<string, string> = IEMOCAP_MAPPINGS[config.mapping];
    const classes = [...new Set(Object.values(map))];
    const problems = new Problems('iemocap', config.onError, log);
    const dropped = new Map<string, number>();
    let seen = 0;
    let noWav = 0;
    for (const s of config.sessions) {
      const sdir = join(root, `Session${s}`);
      const evalDir = join(sdir, 'dialog', 'EmoEvaluation');
      if (!existsSync(evalDir)) throw new DataError(`${evalDir}: not found (expected IEMOCAP's Session${s}/dialog/EmoEvaluation/ under dataset.path, or leave session ${s} out of dataset.sessions)`);
      const files = readdirSync(evalDir).filter((f) => f.endsWith('.txt') && statSync(join(evalDir, f)).isFile()).sort();
      for (const f of files) {
        const dialog = f.slice(0, -4);
        const transcripts = this.readTranscripts(join(sdir, 'dialog', 'transcriptions', f));
        const path = join(evalDir, f);
        const lines = readFileSync(path, 'utf8').split(/\r?\n/);
        const inDialog: Utt[] = [];
        lines.forEach((line, ln) => {
          if (!line.startsWith('[')) return;
          seen++;
          try {
            const m = HEADER.exec(line);
            if (!m) throw new DataError(`${path}:${ln + 1}: malformed utterance header ${JSON.stringify(line.slice(0, 60))} (expected "[START - END]<TAB>UTT_ID<TAB>EMO<TAB>[V, A, D]")`);
            const [, st, en, id, emo, v, a, d] = m;
            const vad = [Number(v), Number(a), Number(d)] as [number, number, number];
            if (vad.some((x) => x < 1 || x > 5)) throw new DataError(`${path}:${ln + 1}: [V, A, D] = [${vad.join(', ')}] outside the 1–5 scale`);
            if (Number(en) < Number(st)) throw new DataError(`${path}:${ln + 1}: END ${en} is before START ${st}`);
            const cls = map[emo];
            if (cls === undefined) {
              dropped.set(emo, (dropped.get(emo) ?? 0) + 1);
              return;
            }
            const wav = join(sdir, 'sentences', 'wav', dialog, `${id}.wav`);
            const u: Utt = { id, session: s, dialog, turn: 0, start: Number(st), end: Number(en), emo, vad, classIndex: classes.indexOf(cls), transcript: transcripts.get(id) };
            if (existsSync(wav)) {
              checkWavHeader(wav, readHead(wav), statSync(wav).size);
              u.wav = wav;
            } else noWav++;
            const mc = join(sdir, 'sentences', 'MOCAP_rotated', dialog, `${id}.txt`);
            if (config.mocap && existsSync(mc)) u.mocap = mc;
            inDialog.push(u);
          } catch (err) {
            problems.report(err);
          }
        });
        inDialog.sort((x, y) => x.start - y.start).forEach((u, k) => (u.turn = k));
        this.utts.push(...inDialog);
      }
    }
    problems.summary(seen);
    if (dropped.size > 0) log.info(`iemocap: mapping ${config.mapping} keeps ${this.utts.length} of ${seen} utterances; not in the mapping: ${[...dropped].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (noWav > 0) log.warn(`iemocap: ${noWav} utterance(s) have no sentences/wav file; their audio is marked missing`);
    this.size = this.utts.length;
    // Motion capture rides along in `Sample.mocap`; the face modality (video frames) is absent from this release layout.
    this.info = { name: 'iemocap', classes, modalities: ['audio', 'text'], fingerprint: hashConfig({ config, n: this.size }) };
  }

  private readTranscripts(path: string): Map<string, string> {
    const out = new Map<string, string>();
    if (!existsSync(path)) return out;
    readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .forEach((line) => {
        const m = TRANSCRIPT.exec(line);
        if (m) out.set(m[1], m[2].trim());
      });
    return out;
  }

  meta(i: number): SampleMeta {
    const u = this.utts[i];
    if (!u) throw new RangeError(`iemocap: sample index ${i} out of range [0, ${this.size})`);
    return { id: u.id, classIndex: u.classIndex, speaker: speakerOf(u.id), dialogue: u.dialog, group: `Session${u.session}` };
  }

  get(i: number): Sample {
    const u = this.utts[i];
    const m = this.meta(i);
    const scale = (x: number) => (x - 3) / 2; // 1–5 → [-1, 1], midpoint 3
    const s: Sample = {
      id: u.id,
      dataset: 'iemocap',
      speaker: m.speaker,
      dialogue: u.dialog,
      turn: u.turn,
      durationS: u.end - u.start,
      labels: { classIndex: u.classIndex, className: this.info.classes[u.classIndex], valence: scale(u.vad[0]), arousal: scale(u.vad[1]), dominance: scale(u.vad[2]) },
      quality: qualities({ audio: !!u.wav, text: u.transcript !== undefined }),
      meta: { session: u.session, emotion: u.emo, valence: u.vad[0], activation: u.vad[1], dominance: u.vad[2], start: u.start, end: u.end },
    };
    if (u.wav) s.audio = readWavMono(u.wav, readFileSync(u.wav));
    if (u.transcript !== undefined) s.transcript = u.transcript;
    if (u.mocap) s.mocap = readMocap(u.mocap, this.config.mocapFps);
    return s;
  }
}

/** `Ses01F_impro01_F000` → `Ses01_F`: the session and the gender letter of the speaking actor. */
export function speakerOf(uttId: string): string {
  const last = uttId.split('_').pop() ?? '';
  return `${uttId.slice(0, 5)}_${last[0] ?? '?'}`;
}

/** The first 4 KiB: enough for a WAV header, so validating 10k files at start-up stays cheap. */
function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Motion capture text: a header `Frame# Time <marker> ...`, optionally a second
 * header row of axis names, then rows `frame time x1 y1 z1 x2 ...` (NaN where a
 * marker was lost).
 */
export function readMocap(path: string, fps: number): MotionCapture {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  if (header.length < 3 || !/^frame/i.test(header[0])) throw new DataError(`${path}:1: expected a header "Frame# Time <marker> ..." got ${JSON.stringify(lines[0]?.slice(0, 60))}`);
  const markers = header.slice(2);
  const rows = lines.slice(1).filter((l) => /^\s*[\d.-]/.test(l));
  const times = new Float32Array(rows.length);
  const values = new Float32Array(rows.length * markers.length * 3);
  rows.forEach((l, r) => {
    const f = l.trim().split(/\s+/).map(Number);
    if (f.length !== 2 + 3 * markers.length) throw new DataError(`${path}:${lines.indexOf(l) + 1}: ${f.length} values, expected ${2 + 3 * markers.length} (frame, time, x y z for ${markers.length} markers)`);
    times[r] = f[1];
    for (let k = 0; k < 3 * markers.length; k++) values[r * 3 * markers.length + k] = f[2 + k];
  });
  return { fps, markers, times, values };
}
