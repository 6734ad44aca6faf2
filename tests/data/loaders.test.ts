import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DataError } from '../../src/core/errors.js';
import { Logger, silentLogger } from '../../src/core/log.js';
import { createDataset, groupSplits, predefinedSplit } from '../../src/data/index.js';
import { hasFfmpeg } from '../../src/data/loaders/meld.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'data');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8'));

/** A logger that keeps its lines, to check what was reported. */
function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = { write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream;
  return { log: new Logger('debug', 'test', stream), lines };
}
const ctx = (log: Logger = silentLogger) => ({ rng: new Rng(0), log });

describe('IEMOCAP loader', () => {
  it('reads labels, times, V/A/D, transcripts, audio and motion capture; 4-class mapping merges excited into happy', () => {
    const { log, lines } = recorder();
    const ds = createDataset({ name: 'iemocap', path: join(FIX, 'iemocap'), sessions: [1, 2] }, ctx(log));
    expect(ds.info.classes).toEqual(['neutral', 'happy', 'sad', 'angry']);
    // 7 header lines; xxx and fru are outside the 4-class mapping.
    expect(ds.size).toBe(5);
    expect(lines.join('')).toMatch(/keeps 5 of 7 utterances; not in the mapping: xxx 1, fru 1/);
    const ids = Array.from({ length: ds.size }, (_, i) => ds.meta(i).id);
    expect(ids).toEqual(['Ses01F_impro01_F000', 'Ses01F_impro01_M000', 'Ses01F_impro01_M001', 'Ses02M_script01_1_M000', 'Ses02M_script01_1_F000']);
    const exc = ds.get(1);
    expect(exc.labels.className).toBe('happy');
    const e = expected.iemocap.Ses01F_impro01_M000;
    expect(exc.labels.valence).toBeCloseTo((e.vad[0] - 3) / 2, 10);
    expect(exc.labels.arousal).toBeCloseTo((e.vad[1] - 3) / 2, 10);
    expect(exc.durationS).toBeCloseTo(e.duration, 6);
    expect(exc.transcript).toBe(e.text);
    expect(exc.speaker).toBe('Ses01_M');
    expect(exc.meta!.emotion).toBe('exc');
    expect(exc.audio!.sampleRate).toBe(16000);
    expect(exc.audio!.pcm.length).toBe(e.n);
    Array.from(exc.audio!.pcm.slice(0, 5)).forEach((v, k) => expect(v).toBeCloseTo(e.pcm_head[k], 7));
    const f0 = ds.get(0);
    const mc = expected.iemocap.Ses01F_impro01_F000.mocap;
    expect(f0.mocap!.markers).toEqual(mc.markers);
    expect(Array.from(f0.mocap!.values.slice(12, 18))).toEqual(mc.frame2);
    expect(f0.mocap!.times[1]).toBeCloseTo(mc.times[1], 6);
    expect(ds.meta(3).group).toBe('Session2');
    const splits = groupSplits(ds, new Rng(1), { by: 'group' });
    expect(splits.map((s) => s.name)).toEqual(['group=Session1', 'group=Session2']);
    expect(splits[1].test).toEqual([3, 4]);
  });

  it('offers other mappings', () => {
    const ds = createDataset({ name: 'iemocap', path: join(FIX, 'iemocap'), sessions: [1, 2], mapping: '6class' }, ctx());
    expect(ds.size).toBe(6);
    expect(ds.info.classes).toContain('frustrated');
  });

  it('a malformed label line: a precise error, or skipped and counted with onError: skip', () => {
    const path = join(FIX, 'iemocap_broken_line');
    expect(() => createDataset({ name: 'iemocap', path, sessions: [1, 2] }, ctx())).toThrow(
      /iemocap_broken_line\/Session1\/dialog\/EmoEvaluation\/Ses01F_impro01\.txt:7: malformed utterance header .*expected "\[START - END\]<TAB>UTT_ID<TAB>EMO<TAB>\[V, A, D\]"/,
    );
    const { log, lines } = recorder();
    const ds = createDataset({ name: 'iemocap', path, sessions: [1, 2], onError: 'skip' }, ctx(log));
    expect(ds.size).toBe(5);
    expect(lines.join('')).toMatch(/iemocap: skipped 1 bad item\(s\) of 8 \(onError: skip\); first: .*Ses01F_impro01\.txt:7/);
  });

  it('a truncated WAV: a precise error, or skipped and counted', () => {
    const path = join(FIX, 'iemocap_truncated_wav');
    expect(() => createDataset({ name: 'iemocap', path, sessions: [1, 2] }, ctx())).toThrow(/Ses02M_script01_1_F000\.wav: truncated WAV \(data chunk declares 640 bytes, file holds 440\)/);
    const { log, lines } = recorder();
    const ds = createDataset({ name: 'iemocap', path, sessions: [1, 2], onError: 'skip' }, ctx(log));
    expect(ds.size).toBe(4);
    expect(lines.join('')).toMatch(/skipped 1 bad item/);
  });

  it('missing path or session folder', () => {
    expect(() => createDataset({ name: 'iemocap' }, ctx())).toThrow(/dataset\.path: not set for dataset iemocap/);
    expect(() => createDataset({ name: 'iemocap', path: join(FIX, 'iemocap'), sessions: [3] }, ctx())).toThrow(/Session3\/dialog\/EmoEvaluation: not found/);
  });
});

describe('MELD loader', () => {
  it('reads the three CSVs with curly quotes, durations, speakers and partitions', () => {
    const ds = createDataset({ name: 'meld', path: join(FIX, 'meld'), normalizeQuotes: false, decode: 'off' }, ctx());
    expect(ds.size).toBe(8);
    expect(ds.info.classes).toEqual(['neutral', 'joy', 'sadness', 'anger', 'surprise', 'fear', 'disgust']);
    for (let i = 0; i < ds.size; i++) {
      const s = ds.get(i);
      const e = expected.meld[s.id];
      expect(s.transcript).toBe(e.utterance);
      expect(s.speaker).toBe(e.speaker);
      expect(s.labels.className).toBe(e.emotion);
      expect(s.meta!.sentiment).toBe(e.sentiment);
      expect(s.durationS).toBeCloseTo(e.duration, 6);
      expect(s.quality.physio).toBe('missing');
    }
    expect(ds.get(0).transcript).toContain('\u2019');
    const p = predefinedSplit(ds);
    expect([p.train.length, p.val.length, p.test.length]).toEqual([4, 2, 2]);
    const norm = createDataset({ name: 'meld', path: join(FIX, 'meld'), decode: 'off' }, ctx());
    expect(norm.get(2).transcript).toBe('"That I did. That I did."');
  });

  it('a CSV with a missing column: a precise error', () => {
    expect(() => createDataset({ name: 'meld', path: join(FIX, 'meld_missing_column') }, ctx())).toThrow(
      /meld_missing_column\/train_sent_emo\.csv: missing column\(s\) "Sentiment" \(expected columns Sr No\., Utterance/,
    );
  });
});

describe('MELD bad rows', () => {
  it('an unknown emotion names file, line and column; onError: skip counts it', () => {
    const path = join(FIX, 'meld_bad_row');
    expect(() => createDataset({ name: 'meld', path }, ctx())).toThrow(/meld_bad_row\/dev_sent_emo\.csv:3: column Emotion: "grossed-out" is not one of neutral, joy, sadness, anger, surprise, fear, disgust/);
    const { log, lines } = recorder();
    const ds = createDataset({ name: 'meld', path, onError: 'skip', decode: 'off' }, ctx(log));
    expect(ds.size).toBe(7);
    expect(lines.join('')).toMatch(/meld: skipped 1 bad item\(s\) of 8/);
  });
});

describe('DEAP loader', () => {
  const base = { name: 'deap', expectShape: [2, 40, 16], baselineS: 4 / 128 };

  it('reads numpy pickles: GSR channel 37 and plethysmograph 39, baseline dropped, binary labels at threshold 5', () => {
    const ds = createDataset({ ...base, path: join(FIX, 'deap') }, ctx());
    expect(ds.size).toBe(4);
    expect(ds.info.classes).toEqual(['low_valence', 'high_valence']);
    const ex = expected.deap.s02_t01;
    const i = [0, 1, 2, 3].find((k) => ds.meta(k).id === 's02_t01')!;
    const s = ds.get(i);
    expect(Array.from(s.physio!.channels.gsr)).toEqual(ex.gsr.map(Math.fround));
    expect(Array.from(s.physio!.channels.ppg)).toEqual(ex.ppg.map(Math.fround));
    expect(s.durationS).toBeCloseTo(12 / 128, 10);
    // Ratings [5.0, 5.01, 5, 5]: valence 5 is not above the threshold → low; arousal 5.01 → high.
    expect(s.labels.className).toBe('low_valence');
    expect(s.labels.valence).toBeCloseTo((ex.labels[0] - 5) / 4, 10);
    expect(s.labels.arousal).toBeCloseTo((ex.labels[1] - 5) / 4, 10);
    expect(ds.meta(i).group).toBe('s02');
    const ar = createDataset({ ...base, path: join(FIX, 'deap'), target: 'arousal' }, ctx());
    expect(ar.meta(i).classIndex).toBe(1);
    const q = createDataset({ ...base, path: join(FIX, 'deap'), target: 'quadrant' }, ctx());
    // s01 trial 2: valence 2.1 (low), arousal 8.9 (high) → LVHA.
    expect(q.info.classes[q.meta(1).classIndex]).toBe('LVHA');
    expect(q.get(1).physio!.channels.gsr[0]).toBe(Math.fround(expected.deap.s01_t02.gsr_first));
    const groups = groupSplits(ds, new Rng(0), { by: 'group' });
    expect(groups.map((g) => g.test.map((k) => ds.meta(k).id))).toEqual([['s01_t01', 's01_t02'], ['s02_t01', 's02_t02']]);
  });

  it('reads Python-2 era pickles (array bytes as BINSTRING), as the DEAP release ships them', () => {
    const ds = createDataset({ ...base, path: join(FIX, 'deap_py2') }, ctx());
    expect(ds.size).toBe(2);
    const s = ds.get(0);
    expect(s.id).toBe('s02_t01');
    expect(Array.from(s.physio!.channels.gsr)).toEqual(expected.deap.s02_t01.gsr.map(Math.fround));
    expect(Array.from(s.physio!.channels.ppg)).toEqual(expected.deap.s02_t01.ppg.map(Math.fround));
  });

  it('the real shape is required unless expectShape says otherwise; a wrong shape names the file and field', () => {
    expect(() => createDataset({ name: 'deap', path: join(FIX, 'deap') }, ctx())).toThrow(/s01\.dat: field "data" has shape \[2, 40, 16\], expected \[40, 40, 8064\]/);
    const path = join(FIX, 'deap_bad_shape');
    expect(() => createDataset({ ...base, path }, ctx())).toThrow(/deap_bad_shape\/data_preprocessed_python\/s02\.dat: field "data" has shape \[2, 39, 16\], expected \[2, 40, 16\]/);
    const { log, lines } = recorder();
    const ds = createDataset({ ...base, path, onError: 'skip' }, ctx(log));
    expect(ds.size).toBe(2);
    expect(lines.join('')).toMatch(/deap: skipped 1 bad item\(s\) of 2/);
  });

  it('bad config values are reported on one line', () => {
    expect(() => createDataset({ ...base, path: join(FIX, 'deap'), threshold: 12 }, ctx())).toThrow(/dataset\.threshold: .*\(received 12\)/);
    expect(() => createDataset({ ...base, path: join(FIX, 'nope') }, ctx())).toThrow(DataError);
  });
});

describe('MELD clip decoding', () => {
  it('without ffmpeg on the PATH: a clear warning (auto) or error (require)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'affectlab-nopath-'));
    const oldPath = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(hasFfmpeg()).toBe(false);
      const { log, lines } = recorder();
      const ds = createDataset({ name: 'meld', path: join(FIX, 'meld') }, ctx(log));
      expect(lines.join('')).toMatch(/ffmpeg is not on the PATH, so the 1 clip\(s\) are not decoded and audio\/face are marked missing/);
      expect(ds.get(0).quality.audio).toBe('missing');
      expect(ds.info.modalities).toEqual(['text']);
      expect(() => createDataset({ name: 'meld', path: join(FIX, 'meld'), decode: 'require' }, ctx())).toThrow(/meld: decode=require but ffmpeg is not on the PATH/);
    } finally {
      process.env.PATH = oldPath;
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('asks ffmpeg for mono float PCM and 1 fps grayscale frames and uses what it returns', () => {
    // A stand-in ffmpeg on the PATH that logs its arguments and emits fixed bytes: 3 float32 samples or 2 frames of 4×3.
    const dir = mkdtempSync(join(tmpdir(), 'affectlab-ffmpeg-'));
    const argLog = join(dir, 'args.txt');
    writeFileSync(
      join(dir, 'ffmpeg'),
      `#!/bin/sh\n[ "$1" = "-version" ] && exit 0\necho "$@" >> ${argLog}\ncase "$*" in\n  *f32le*) printf '\\000\\000\\000\\077\\000\\000\\200\\276\\000\\000\\000\\000' ;;\n  *rawvideo*) printf 'abcdefghijklABCDEFGHIJKL' ;;\nesac\n`,
    );
    chmodSync(join(dir, 'ffmpeg'), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${dir}:${oldPath}`;
    try {
      expect(hasFfmpeg()).toBe(true);
      const ds = createDataset({ name: 'meld', path: join(FIX, 'meld'), decode: 'require', frameSize: [4, 3], audioRate: 8000 }, ctx());
      expect(ds.info.modalities).toEqual(['audio', 'face', 'text']);
      const s = ds.get(0);
      expect(Array.from(s.audio!.pcm)).toEqual([0.5, -0.25, 0]);
      expect(s.audio!.sampleRate).toBe(8000);
      expect(s.video!.frames).toHaveLength(2);
      expect(Buffer.from(s.video!.frames[1]).toString('ascii')).toBe('ABCDEFGHIJKL');
      expect(s.quality).toEqual({ audio: 'clean', face: 'clean', physio: 'missing', text: 'clean' });
      const args = readFileSync(argLog, 'utf8');
      expect(args).toMatch(/-i \S+dia0_utt0\.mp4 -vn -ac 1 -ar 8000 -f f32le -/);
      expect(args).toMatch(/-an -vf fps=1,scale=4:3,format=gray -f rawvideo -/);
      // A row without a clip keeps audio and face missing.
      expect(ds.get(1).quality.audio).toBe('missing');
    } finally {
      process.env.PATH = oldPath;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
