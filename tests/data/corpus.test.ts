import { mkdtempSync, rmSync, writeFileSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { DataError, RunStateError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { createDataset, createSynAffect, synaffectConfig, writeSynthCorpus } from '../../src/data/index.js';
import { digest } from './helpers/same.js';

const tmp = mkdtempSync(join(tmpdir(), 'affectlab-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('SynAffect corpus on disk', () => {
  const cfg = { n: 10, degradedRate: { audio: 0.3, face: 0.3, physio: 0.3, text: 0.3 } };

  it('round trip: writing a corpus and loading the folder gives identical samples', () => {
    const out = join(tmp, 'rt');
    const progress: number[] = [];
    const res = writeSynthCorpus({ out, config: cfg, rng: new Rng(21), log: silentLogger, onProgress: (d) => progress.push(d) });
    expect(res.n).toBe(10);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const gen = createSynAffect(synaffectConfig(cfg), new Rng(21));
    const disk = createDataset({ name: 'synaffect_dir', path: out }, { rng: new Rng(0), log: silentLogger });
    expect(disk.size).toBe(10);
    expect(disk.info).toEqual(gen.info);
    for (let i = 0; i < 10; i++) {
      expect(disk.meta(i)).toEqual(gen.meta(i));
      expect(digest(disk.get(i))).toEqual(digest(gen.get(i)));
    }
    // The WAV is a standard RIFF float file: format tag 3 (IEEE float), 1 channel, 16 kHz.
    const wav = readFileSync(join(out, 'audio', `${gen.meta(0).id}.wav`));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(20)).toBe(3);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(16000);
  });

  it('never writes over a non-empty folder, and reports a damaged corpus precisely', () => {
    const out = join(tmp, 'rt2');
    writeSynthCorpus({ out, config: { n: 3, modalities: ['audio', 'physio'], missingRate: { audio: 0, face: 0, physio: 0, text: 0 } }, rng: new Rng(2), log: silentLogger });
    expect(() => writeSynthCorpus({ out, config: { n: 3 }, rng: new Rng(2), log: silentLogger })).toThrow(RunStateError);
    expect(() => writeSynthCorpus({ out: join(tmp, 'bad'), config: { n: 0 }, rng: new Rng(2), log: silentLogger })).toThrow(/^dataset\.n: .*\(received 0\)$/);
    const ds = createDataset({ name: 'synaffect_dir', path: out }, { rng: new Rng(0), log: silentLogger });
    const id = ds.meta(1).id;
    const wav = join(out, 'audio', `${id}.wav`);
    truncateSync(wav, 1000);
    expect(() => ds.get(1)).toThrow(new RegExp(`${id}\\.wav: truncated WAV \\(data chunk declares \\d+ bytes, file holds 956\\)`));
    writeFileSync(join(out, 'physio', `${ds.meta(2).id}.csv`), 'ecg,gsr\n0.1,abc\n');
    expect(() => ds.get(2)).toThrow(/\.csv:2: column gsr: "abc" is not a number/);
    rmSync(join(out, 'index.json'));
    expect(() => createDataset({ name: 'synaffect_dir', path: out }, { rng: new Rng(0), log: silentLogger })).toThrow(DataError);
    expect(() => createDataset({ name: 'synaffect_dir' }, { rng: new Rng(0), log: silentLogger })).toThrow(/dataset\.path: not set/);
  });

  it('streams samples in bounded memory', () => {
    const ds = createSynAffect(synaffectConfig({ n: 220, durationS: [3.5, 4], missingRate: { audio: 0, face: 0, physio: 0, text: 0 } }), new Rng(5));
    for (let i = 0; i < 20; i++) ds.get(i); // warm up
    const before = process.memoryUsage().rss;
    let peak = before;
    let bytes = 0;
    for (let i = 20; i < 220; i++) {
      const s = ds.get(i);
      bytes += s.audio!.pcm.byteLength + s.video!.frames.length * 48 * 48 + 2 * s.physio!.channels.gsr.byteLength;
      if (i % 20 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    // Retaining the 200 samples would cost `bytes` (~55 MB); streaming keeps the growth well below half of that.
    expect(bytes).toBeGreaterThan(40e6);
    expect(peak - before).toBeLessThan(bytes / 2);
  });
});
