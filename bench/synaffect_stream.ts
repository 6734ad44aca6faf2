/**
 * SynAffect streaming benchmark: generates N samples one at a time (default
 * config, default 10,000 samples) and reports throughput and peak RSS; with
 * `--write DIR` it also writes the corpus to disk.
 *
 *   node --import tsx bench/synaffect_stream.ts [--n 10000] [--write /tmp/corpus] [--preset ekman7]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { Rng } from '../src/core/rng.js';
import { silentLogger } from '../src/core/log.js';
import { writeJsonAtomic } from '../src/core/io.js';
import { createSynAffect, synaffectConfig, writeSynthCorpus, type SynAffectConfig } from '../src/data/index.js';

function arg(name: string): string | undefined {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const n = Number(arg('n') ?? 10000);
const out = arg('write');
const config = synaffectConfig({ n, preset: (arg('preset') ?? 'ekman7') as SynAffectConfig['preset'] });
let peakRss = process.memoryUsage().rss;
const startRss = peakRss;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let audioSeconds = 0;
const tick = (i: number) => {
  if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (i % 1000 === 0) process.stderr.write(`${i}/${n} ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`);
};
if (out) {
  writeSynthCorpus({ out, config, rng: new Rng(0), log: silentLogger, onProgress: (d) => tick(d) });
} else {
  const ds = createSynAffect(config, new Rng(0));
  for (let i = 0; i < n; i++) {
    audioSeconds += ds.get(i).durationS;
    tick(i + 1);
  }
}
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const result = {
  bench: 'synaffect_stream',
  mode: out ? 'write' : 'generate',
  n,
  preset: config.preset,
  modalities: config.modalities,
  wallS: wall,
  cpuUserS: cpu.user / 1e6,
  samplesPerS: n / wall,
  samplesPerCpuS: n / ((cpu.user + cpu.system) / 1e6),
  startRssMB: startRss / 1e6,
  peakRssMB: peakRss / 1e6,
  meanDurationS: out ? undefined : audioSeconds / n,
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  date: new Date().toISOString(),
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeJsonAtomic(join(import.meta.dirname, 'results', `synaffect_stream_${result.mode}.json`), result);
console.log(JSON.stringify(result, null, 2));
