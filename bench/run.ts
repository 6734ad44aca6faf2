// `npm run bench [-- --quick] [-- --only dtw,rt]`: runs the benchmarks in bench/, the PyTorch
// references in bench/reference/ (when Debian's python3-torch is present), and writes
// bench/results/<date>.json and .md atomically. Each figure carries its backend, the machine
// (cores, CPU model) and its config. See bench/README.md.
import { join } from 'node:path';
import { ConfigError } from '../src/core/errors.js';
import { initBackend, describeBackend, type BackendName } from '../src/core/backend.js';
import { writeFileAtomic, writeJsonAtomic } from '../src/core/io.js';
import { machineInfo, peakRssMb } from '../src/experiments/machine.js';
import { BENCHES, runBenches, type BenchName } from './suite.js';
import { attachReferences, runReferences } from './reference.js';
import { renderMarkdown } from './report.js';
import { optimisationTable } from './optimisation.js';
import { calibrate } from './measure.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const only = opt('only')?.split(',') as BenchName[] | undefined;
for (const n of only ?? []) if (!BENCHES.includes(n)) throw new ConfigError(`--only: unknown benchmark ${JSON.stringify(n)}; expected some of ${BENCHES.join(', ')}`);
const backend = await initBackend((opt('backend') ?? 'auto') as BackendName);
const t0 = performance.now();
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0)}s] ${m}\n`);
log(`backend ${describeBackend(backend)}${quick ? ' (quick)' : ''}`);
const calibrationStart = calibrate();
log(`calibration: ${calibrationStart.mPerCpuS} M trivial loop iterations per CPU-s, ${calibrationStart.mPerWallS} M per wall-s`);
const sections = await runBenches(only ?? BENCHES, { quick, log });
const reference = args.includes('--no-reference') ? { available: false, reason: 'disabled with --no-reference' } : runReferences({ quick, log, sections });
attachReferences(sections, reference);
const date = new Date().toISOString();
const result = {
  schema: 'affectlab.bench/1',
  date,
  quick,
  backend,
  machine: { ...machineInfo(), loadAverage: (await import('node:os')).loadavg(), calibration: { start: calibrationStart, end: calibrate() } },
  seconds: (performance.now() - t0) / 1000,
  peakRssMb: peakRssMb(),
  sections,
  reference,
  optimisation: optimisationTable(sections, opt('before')),
};
const dir = opt('out') ?? join(import.meta.dirname, 'results');
const stem = join(dir, date.replace(/[:.]/g, '-') + (quick ? '-quick' : ''));
writeJsonAtomic(`${stem}.json`, result);
const md = renderMarkdown(result);
writeFileAtomic(`${stem}.md`, md);
process.stdout.write(md);
log(`wrote ${stem}.json and ${stem}.md`);
