// Markdown summary of a bench result: machine and backend, then one table per section with
// each figure (wall and per CPU-second), PyTorch's figure, the ratio, memory, and extra tables.
import type { BackendInfo } from '../src/core/backend.js';
import type { MachineInfo } from '../src/experiments/machine.js';
import type { Figure, Section } from './measure.js';
import type { ReferenceRun } from './reference.js';

export interface BenchResult {
  schema: string;
  date: string;
  quick: boolean;
  backend: BackendInfo;
  machine: MachineInfo & { loadAverage: number[]; calibration?: { start: { mPerCpuS: number; mPerWallS: number }; end: { mPerCpuS: number; mPerWallS: number } } };
  seconds: number;
  peakRssMb: number;
  sections: Section[];
  reference: ReferenceRun;
  optimisation?: { title: string; columns: string[]; rows: (string | number)[][] };
}

const fmt = (x: number | undefined): string => {
  if (x === undefined || x === null || Number.isNaN(x)) return '–';
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toPrecision(4)} M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toPrecision(4)} k`;
  return `${+x.toPrecision(4)}`;
};
const esc = (s: string | number) => String(s).replace(/\|/g, '\\|');

function table(columns: string[], rows: (string | number)[][]): string {
  return [`| ${columns.map(esc).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function figureRow(f: Figure): (string | number)[] {
  return [
    f.name,
    f.unit,
    fmt(f.value),
    fmt(f.cpuValue),
    fmt(f.pytorch),
    fmt(f.pytorchCpu),
    f.ratio !== undefined ? `${f.ratio.toFixed(2)}×` : '–',
    f.memory ? `${f.memory.peakRssMb}` : '–',
    f.memory ? `${f.memory.liveTensors} (${f.memory.tensorGrowth >= 0 ? '+' : ''}${f.memory.tensorGrowth})` : '–',
  ];
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const b = r.backend;
  const out: string[] = [];
  out.push(`# affectlab bench ${r.date}${r.quick ? ' (quick)' : ''}`);
  out.push('');
  out.push(`- machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, load average ${m.loadAverage.map((x) => x.toFixed(1)).join(' / ')} at the end`);
  if (m.calibration) {
    const c = m.calibration;
    out.push(`- calibration (trivial loop, M iterations per CPU-s / per wall-s; higher = less contention, compare runs by it): start ${c.start.mPerCpuS} / ${c.start.mPerWallS}, end ${c.end.mPerCpuS} / ${c.end.mPerWallS}`);
  }
  out.push(`- backend: tfjs ${b.tfjsVersion} ${b.name}${b.simd !== undefined ? ` (SIMD ${b.simd ? 'on' : 'off'}, threads ${b.threads ? 'on' : 'off'})` : ''}`);
  out.push(
    r.reference.available
      ? `- PyTorch ${r.reference.torch} (${r.reference.python}, ${r.reference.threads} threads), same shapes, same invocation (${(r.reference.seconds ?? 0).toFixed(0)} s)`
      : `- PyTorch references skipped: ${r.reference.reason}`,
  );
  out.push(`- total ${r.seconds.toFixed(0)} s, peak RSS ${r.peakRssMb} MB`);
  out.push('');
  out.push('Rates and latencies from wall time and from this process\'s CPU time (user + sys): the machine is shared, so the CPU figure is the steadier one. Ratio = affectlab time / PyTorch time (CPU time when both have it; > 1 means affectlab is slower).');
  for (const s of r.sections) {
    out.push('');
    out.push(`## ${s.title}${s.seconds !== undefined ? ` (${s.seconds.toFixed(0)} s)` : ''}`);
    out.push('');
    if (s.skipped) {
      out.push(`skipped: ${s.skipped}`);
      continue;
    }
    out.push(table(['figure', 'unit', 'wall', 'per CPU', 'PyTorch wall', 'PyTorch per CPU', 'ratio', 'peak RSS MB', 'live tensors (Δ)'], s.figures.map(figureRow)));
    for (const t of s.tables ?? []) {
      out.push('');
      out.push(`**${t.title}**`);
      out.push('');
      out.push(table(t.columns, t.rows));
    }
  }
  if (r.optimisation) {
    out.push('');
    out.push(`## ${r.optimisation.title}`);
    out.push('');
    out.push(table(r.optimisation.columns, r.optimisation.rows));
  }
  out.push('');
  return out.join('\n');
}
