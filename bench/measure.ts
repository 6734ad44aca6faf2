// Shared measurement helpers for `npm run bench` (bench/run.ts): wall time, this process's CPU
// time (user + sys; on a shared machine the steadier figure), peak RSS and live tfjs tensors.
import { tf } from '../src/core/backend.js';
import { peakRssMb } from '../src/experiments/machine.js';

export interface Measurement {
  calls: number;
  wallMs: number;
  cpuMs: number;
  /** Peak RSS of the process so far (process.resourceUsage().maxRSS), MB. */
  peakRssMb: number;
  /** Live tfjs tensors after the calls, and their change over the timed calls (0 = no leak). */
  liveTensors: number;
  tensorGrowth: number;
}

export interface MeasureOptions {
  /** Untimed calls first (JIT, kernel set-up, caches). */
  warmup?: number;
  /** Timed calls; or stop after `minMs` of wall time once `minCalls` are done. */
  calls?: number;
  minCalls?: number;
  minMs?: number;
}

/**
 * Runs `fn` warm-up + timed times; warm-up calls get i = -1, timed calls i = 0, 1, …
 * `samples` receives each timed call's wall ms when given.
 */
export function measure(fn: (i: number) => void, o: MeasureOptions = {}, samples?: number[]): Measurement {
  for (let i = 0; i < (o.warmup ?? 1); i++) fn(-1);
  const before = tf.memory().numTensors;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  const max = o.calls ?? Infinity;
  const minCalls = o.minCalls ?? (Number.isFinite(max) ? max : 1);
  for (; calls < max; calls++) {
    if (calls >= minCalls && o.minMs !== undefined && performance.now() - t0 >= o.minMs) break;
    const s = samples ? performance.now() : 0;
    fn(calls);
    if (samples) samples.push(performance.now() - s);
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const live = tf.memory().numTensors;
  return { calls, wallMs, cpuMs: (c.user + c.system) / 1000, peakRssMb: peakRssMb(), liveTensors: live, tensorGrowth: live - before };
}

/** One reported figure. `perCpuS` is the same rate per CPU-second (null for latencies). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Same quantity computed from CPU time instead of wall time. */
  cpuValue?: number;
  /** PyTorch's figure for the same shapes, measured in this invocation (same unit). */
  pytorch?: number;
  pytorchCpu?: number;
  /** affectlab time / PyTorch time (>1: affectlab slower), from CPU time when both have it. */
  ratio?: number;
  /** Key of the matching PyTorch reference (bench/reference/run_all.py) and the shapes it gets. */
  ref?: string;
  refSpec?: Record<string, unknown>;
  /** Work units (samples, tokens) per reference call, to turn its ms per call into this figure's rate. */
  unitsPerCall?: number;
  config?: Record<string, unknown>;
  memory?: { peakRssMb: number; liveTensors: number; tensorGrowth: number };
  note?: string;
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface Section {
  name: string;
  title: string;
  figures: Figure[];
  tables?: Table[];
  /** Set when the benchmark could not run: the reason. */
  skipped?: string;
  config?: Record<string, unknown>;
  seconds?: number;
}

export interface BenchContext {
  quick: boolean;
  log: (msg: string) => void;
}

export type Bench = (ctx: BenchContext) => Promise<Section> | Section;

/** Rate figure from a measurement: `units` processed over the timed calls. */
export function rate(name: string, unit: string, units: number, m: Measurement, extra: Partial<Figure> = {}): Figure {
  return {
    name,
    unit,
    value: round(units / (m.wallMs / 1000)),
    cpuValue: round(units / (Math.max(m.cpuMs, 1e-3) / 1000)),
    memory: { peakRssMb: m.peakRssMb, liveTensors: m.liveTensors, tensorGrowth: m.tensorGrowth },
    ...extra,
  };
}

/** Per-call latency figure (ms). */
export function latency(name: string, m: Measurement, extra: Partial<Figure> = {}): Figure {
  return {
    name,
    unit: 'ms',
    value: round(m.wallMs / m.calls),
    cpuValue: round(m.cpuMs / m.calls),
    memory: { peakRssMb: m.peakRssMb, liveTensors: m.liveTensors, tensorGrowth: m.tensorGrowth },
    ...extra,
  };
}

/**
 * A trivial compare-and-add loop (Mops per CPU-second and per wall-second), run at the start and
 * end, to read the other figures on a shared machine (higher = less contention for the core).
 */
export function calibrate(n = 2e7): { mPerCpuS: number; mPerWallS: number } {
  const a = new Float64Array(1e5);
  for (let i = 0; i < a.length; i++) a[i] = (i * 2654435761) % 1000;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let s = 0;
  for (let r = 0; r < n / a.length; r++) for (let i = 1; i < a.length; i++) s += a[i] < a[i - 1] ? a[i] : a[i - 1];
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (s < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
  return { mPerCpuS: round(n / ((c.user + c.system) / 1e6) / 1e6, 3), mPerWallS: round(n / wall / 1e6, 3) };
}

export function percentile(xs: readonly number[], p: number): number {
  // Linear interpolation between closest ranks (numpy's default 'linear' method).
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const f = 10 ** Math.max(0, digits - 1 - mag);
  return Math.round(x * f) / f;
}
