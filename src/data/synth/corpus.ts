import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { encode as encodePng, decode as decodePng } from 'fast-png';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import type { Logger } from '../../core/log.js';
import { DataError, RunStateError } from '../../core/errors.js';
import { readJson, writeJsonAtomic } from '../../core/io.js';
import type { Dataset, DatasetInfo, ModalityName, ModalityQuality, Sample, SampleMeta, TimeWarp } from '../types.js';
import { synaffectConfig, type SynAffectConfig } from './config.js';
import { SynAffectDataset } from './generator.js';

const { WaveFile } = wavefile as unknown as { WaveFile: typeof import('wavefile').WaveFile };

export const CORPUS_FORMAT = 'affectlab-synaffect-corpus';
export const CORPUS_VERSION = 1;

/** The SynAffect dataset for a config and the run's Rng: `seed` fixes the corpus across runs, else it follows the run seed. */
export function createSynAffect(config: SynAffectConfig, rng: Rng): SynAffectDataset {
  const base = config.seed !== null ? new Rng(`synaffect/${config.seed}`) : rng;
  return new SynAffectDataset(config, base.fork(`synaffect:${config.seedOffset}`));
}

interface IndexEntry {
  id: string;
  speaker: string;
  dialogue?: string;
  turn?: number;
  durationS: number;
  labels: Sample['labels'];
  quality: Record<ModalityName, ModalityQuality>;
  transcript?: string;
  meta?: Record<string, unknown>;
  audio?: { file: string; sampleRate: number };
  video?: { files: string[]; fps: number; width: number; height: number; times: number[]; facePresent?: boolean[] };
  physio?: { file: string; sampleRate: number; channels: string[] };
  truth?: string;
}

interface CorpusIndex {
  format: string;
  version: number;
  config: SynAffectConfig;
  info: DatasetInfo;
  samples: IndexEntry[];
}

export interface WriteCorpusOptions {
  out: string;
  /** The `dataset` section (partial: defaults filled in). */
  config: Partial<SynAffectConfig>;
  rng: Rng;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
  /** Write into a folder that already holds files (never the default: a corpus is not silently replaced). */
  overwrite?: boolean;
}

export interface WriteCorpusResult {
  n: number;
  bytes: number;
  seconds: number;
}

/**
 * Writes a SynAffect corpus: `audio/<id>.wav` (32-bit float, lossless),
 * `frames/<id>_<k>.png` (8-bit gray), `physio/<id>.csv` (one column per
 * channel), `truth/<id>.json` (timeline and warps), and `index.json` last, so
 * a folder without an index is visibly incomplete. One sample in memory at a time.
 */
export function writeSynthCorpus(o: WriteCorpusOptions): WriteCorpusResult {
  const t0 = performance.now();
  const config = synaffectConfig({ ...o.config, name: 'synaffect' });
  if (existsSync(o.out) && readdirSync(o.out).length > 0 && !o.overwrite) {
    throw new RunStateError(`${o.out}: folder exists and is not empty; choose a new --out folder (a corpus is never written over another)`);
  }
  // The index is the commit point: removed first, written atomically last, so a folder
  // with an index always holds a complete corpus. Sample files are plain writes
  // (an fsync per file would cost ~0.1 s each and buys nothing here).
  rmSync(join(o.out, 'index.json'), { force: true });
  for (const d of ['audio', 'frames', 'physio', 'truth']) mkdirSync(join(o.out, d), { recursive: true });
  const ds = createSynAffect(config, o.rng);
  const samples: IndexEntry[] = [];
  let bytes = 0;
  const put = (rel: string, data: string | Uint8Array) => {
    writeFileSync(join(o.out, rel), data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  };
  for (let i = 0; i < ds.size; i++) {
    const s = ds.get(i);
    const e: IndexEntry = { id: s.id, speaker: s.speaker, dialogue: s.dialogue, turn: s.turn, durationS: s.durationS, labels: s.labels, quality: s.quality, transcript: s.transcript, meta: s.meta };
    if (s.audio) {
      e.audio = { file: `audio/${s.id}.wav`, sampleRate: s.audio.sampleRate };
      put(e.audio.file, encodeWavFloat32(s.audio.pcm, s.audio.sampleRate));
    }
    if (s.video) {
      const v = s.video;
      e.video = { files: v.frames.map((_, k) => `frames/${s.id}_${k}.png`), fps: v.fps, width: v.width, height: v.height, times: Array.from(v.times), facePresent: v.facePresent };
      v.frames.forEach((f, k) => put(e.video!.files[k], encodePng({ width: v.width, height: v.height, data: f, depth: 8, channels: 1 })));
    }
    if (s.physio) {
      const names = Object.keys(s.physio.channels);
      const chans = names.map((n) => s.physio!.channels[n]);
      const lines = [names.join(',')];
      // Float32 values printed as their shortest double form parse back to the same float32.
      for (let k = 0; k < chans[0].length; k++) lines.push(chans.map((c) => String(c[k])).join(','));
      e.physio = { file: `physio/${s.id}.csv`, sampleRate: s.physio.sampleRate, channels: names };
      put(e.physio.file, `${lines.join('\n')}\n`);
    }
    if (s.truth) {
      e.truth = `truth/${s.id}.json`;
      const tr = s.truth;
      const arr = (a: Float32Array) => Array.from(a);
      put(
        e.truth,
        JSON.stringify({
          timeline: { t: arr(tr.timeline.t), arousal: arr(tr.timeline.arousal), valence: arr(tr.timeline.valence), intensity: arr(tr.timeline.intensity) },
          warps: Object.fromEntries(Object.entries(tr.warps).map(([m, w]) => [m, { t: arr(w!.t), tau: arr(w!.tau) }])),
          speakerBaseline: tr.speakerBaseline,
        }),
      );
    }
    samples.push(e);
    o.onProgress?.(i + 1, ds.size);
  }
  const index: CorpusIndex = { format: CORPUS_FORMAT, version: CORPUS_VERSION, config, info: ds.info, samples };
  writeJsonAtomic(join(o.out, 'index.json'), index);
  const seconds = (performance.now() - t0) / 1000;
  o.log.info(`synaffect: wrote ${ds.size} samples (${(bytes / 1e6).toFixed(1)} MB) to ${o.out} in ${seconds.toFixed(1)} s`);
  return { n: ds.size, bytes, seconds };
}

export const synaffectDirSchema = z.strictObject({
  name: z.literal('synaffect_dir'),
  /** Folder written by `affectlab data synth --out`. */
  path: z.string().min(1).nullable().default(null),
});
export type SynAffectDirConfig = z.infer<typeof synaffectDirSchema>;

/** Reads a corpus written by writeSynthCorpus back into the same samples the generator gives. */
export class SynAffectDirDataset implements Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  readonly config: SynAffectConfig;
  private readonly entries: IndexEntry[];

  constructor(readonly root: string) {
    const indexPath = join(root, 'index.json');
    if (!existsSync(indexPath)) throw new DataError(`${indexPath}: not found (expected a folder written by \`affectlab data synth --out\`; an interrupted write leaves no index)`);
    const idx = readJson<CorpusIndex>(indexPath);
    if (idx.format !== CORPUS_FORMAT) throw new DataError(`${indexPath}: field "format" is ${JSON.stringify(idx.format)}, expected ${JSON.stringify(CORPUS_FORMAT)}`);
    if (idx.version !== CORPUS_VERSION) throw new DataError(`${indexPath}: field "version" is ${JSON.stringify(idx.version)}, expected ${CORPUS_VERSION}`);
    if (!Array.isArray(idx.samples)) throw new DataError(`${indexPath}: field "samples" is not an array`);
    this.entries = idx.samples;
    // Same content as the generator that wrote it: keep its fingerprint (a cache filled from either serves both).
    this.info = idx.info;
    this.config = idx.config;
    this.size = idx.samples.length;
  }

  meta(i: number): SampleMeta {
    const e = this.entries[i];
    if (!e) throw new RangeError(`synaffect_dir: sample index ${i} out of range [0, ${this.size})`);
    return { id: e.id, classIndex: e.labels.classIndex, speaker: e.speaker, dialogue: e.dialogue, group: e.speaker };
  }

  private file(rel: string): Buffer {
    const p = join(this.root, rel);
    try {
      return readFileSync(p);
    } catch (err) {
      throw new DataError(`${p}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}); the corpus is incomplete`);
    }
  }

  get(i: number): Sample {
    const e = this.entries[i];
    if (!e) throw new RangeError(`synaffect_dir: sample index ${i} out of range [0, ${this.size})`);
    const s: Sample = { id: e.id, dataset: 'synaffect', speaker: e.speaker, dialogue: e.dialogue, turn: e.turn, durationS: e.durationS, labels: e.labels, quality: e.quality, meta: e.meta };
    if (e.transcript !== undefined) s.transcript = e.transcript;
    if (e.audio) s.audio = { sampleRate: e.audio.sampleRate, pcm: readWavMono(join(this.root, e.audio.file), this.file(e.audio.file)).pcm };
    if (e.video) {
      const v = e.video;
      s.video = {
        fps: v.fps,
        width: v.width,
        height: v.height,
        times: Float32Array.from(v.times),
        frames: v.files.map((f) => readPngGray(join(this.root, f), this.file(f), v.width, v.height)),
        facePresent: v.facePresent,
      };
    }
    if (e.physio) {
      const path = join(this.root, e.physio.file);
      s.physio = { sampleRate: e.physio.sampleRate, channels: readCsvChannels(path, this.file(e.physio.file).toString('utf8'), e.physio.channels) };
    }
    if (e.truth) {
      const tr = JSON.parse(this.file(e.truth).toString('utf8'));
      const f = (a: number[]) => Float32Array.from(a);
      s.truth = {
        timeline: { t: f(tr.timeline.t), arousal: f(tr.timeline.arousal), valence: f(tr.timeline.valence), intensity: f(tr.timeline.intensity) },
        warps: Object.fromEntries(Object.entries(tr.warps as Record<string, { t: number[]; tau: number[] }>).map(([m, w]) => [m, { t: f(w.t), tau: f(w.tau) } as TimeWarp])),
        speakerBaseline: tr.speakerBaseline,
      };
    }
    return s;
  }
}

/**
 * Reads a WAV file as mono float PCM in [-1, 1] (channels averaged). wavefile
 * parses and validates the header; the two layouts corpora actually ship
 * (16-bit integer PCM, 32-bit float) are decoded straight from the data chunk,
 * because wavefile's generic per-sample unpacking costs ~50 ms per second of
 * audio; every other layout goes through wavefile's own conversion.
 */
export function readWavMono(path: string, bytes: Uint8Array): { sampleRate: number; pcm: Float32Array } {
  const data = checkWavHeader(path, bytes);
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes, false);
  } catch (err) {
    throw new DataError(`${path}: not a readable WAV file (${(err as Error).message})`);
  }
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; audioFormat: number; bitsPerSample: number };
  const ch = fmt.numChannels;
  if (!(ch >= 1)) throw new DataError(`${path}: WAV header declares ${ch} channels (expected >= 1)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + data.offset, data.size);
  let pcm: Float32Array;
  if ((fmt.audioFormat === 1 && fmt.bitsPerSample === 16) || (fmt.audioFormat === 3 && fmt.bitsPerSample === 32)) {
    const bps = fmt.bitsPerSample / 8;
    const n = Math.floor(data.size / (bps * ch));
    pcm = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let acc = 0;
      for (let c = 0; c < ch; c++) {
        const o = (k * ch + c) * bps;
        acc += bps === 2 ? dv.getInt16(o, true) / 32768 : dv.getFloat32(o, true);
      }
      pcm[k] = ch === 1 ? acc : acc / ch;
    }
  } else {
    const full = new WaveFile();
    full.fromBuffer(bytes);
    full.toBitDepth('32f');
    const raw = full.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
    const chans = Array.isArray(raw) ? raw : [raw];
    pcm = new Float32Array(chans[0].length);
    for (const c of chans) for (let k = 0; k < pcm.length; k++) pcm[k] += c[k] / chans.length;
  }
  return { sampleRate: fmt.sampleRate, pcm };
}

/** 32-bit float mono WAV bytes (header by wavefile, samples copied as they are: lossless). */
export function encodeWavFloat32(pcm: Float32Array, sampleRate: number): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '32f', []);
  const data = wav.data as { samples: Uint8Array; chunkSize: number };
  data.samples = new Uint8Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
  data.chunkSize = data.samples.length;
  return wav.toBuffer();
}

/** RIFF/WAVE header and `data` chunk length against the bytes present: catches truncated files with a precise message. */
export function checkWavHeader(path: string, b: Uint8Array, fileSize = b.length): { offset: number; size: number } {
  const ascii = (o: number) => String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
  if (b.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') throw new DataError(`${path}: not a RIFF/WAVE file (expected "RIFF....WAVE" header, file has ${b.length} bytes)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let off = 12;
  while (off + 8 <= b.length) {
    const id = ascii(off);
    const size = dv.getUint32(off + 4, true);
    if (id === 'data') {
      const have = fileSize - off - 8;
      if (have < size) throw new DataError(`${path}: truncated WAV (data chunk declares ${size} bytes, file holds ${have})`);
      return { offset: off + 8, size };
    }
    off += 8 + size + (size % 2);
  }
  if (fileSize > b.length) throw new DataError(`${path}: no "data" chunk in the first ${b.length} bytes of the WAV header`);
  throw new DataError(`${path}: truncated WAV (no complete "data" chunk; file has ${b.length} bytes)`);
}

export function readPngGray(path: string, bytes: Uint8Array, width: number, height: number): Uint8Array {
  let img;
  try {
    img = decodePng(bytes);
  } catch (err) {
    throw new DataError(`${path}: not a readable PNG (${(err as Error).message})`);
  }
  if (img.width !== width || img.height !== height || img.channels !== 1 || img.depth !== 8) {
    throw new DataError(`${path}: PNG is ${img.width}x${img.height}, ${img.channels} channel(s), ${img.depth} bit; expected ${width}x${height}, 1 channel, 8 bit`);
  }
  return new Uint8Array(img.data);
}

export function readCsvChannels(path: string, text: string, expected: string[]): Record<string, Float32Array> {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new DataError(`${path}: not valid CSV (${(err as Error).message})`);
  }
  const header = rows[0] ?? [];
  for (const c of expected) if (!header.includes(c)) throw new DataError(`${path}: missing column ${JSON.stringify(c)} (header has ${header.join(', ')}; expected ${expected.join(', ')})`);
  const out: Record<string, Float32Array> = {};
  for (const c of expected) {
    const j = header.indexOf(c);
    const col = new Float32Array(rows.length - 1);
    for (let r = 1; r < rows.length; r++) {
      const v = Number(rows[r][j]);
      if (rows[r][j] === undefined || rows[r][j] === '' || Number.isNaN(v)) throw new DataError(`${path}:${r + 1}: column ${c}: ${JSON.stringify(rows[r][j])} is not a number`);
      col[r - 1] = v;
    }
    out[c] = col;
  }
  return out;
}

/** Size on disk of a written corpus (for reports). */
export function corpusBytes(root: string): number {
  let total = 0;
  for (const d of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, d.name);
    total += d.isDirectory() ? corpusBytes(p) : statSync(p).size;
  }
  return total;
}
