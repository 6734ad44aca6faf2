// PyTorch side by side: runs bench/reference/run_all.py with Debian's /usr/bin/python3 (the
// python3 on PATH may be another interpreter without torch) in this invocation, on the same
// machine, with torch.set_num_threads(2), for every figure that names a `ref`, and attaches
// PyTorch's figure and the time ratio affectlab / PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { round, type Section } from './measure.js';

export interface ReferenceTiming {
  wallMs: number;
  cpuMs: number;
  calls: number;
  error?: string;
}

export interface ReferenceRun {
  available: boolean;
  /** Why the references did not run (no torch, failure). */
  reason?: string;
  python?: string;
  torch?: string;
  threads?: number;
  seconds?: number;
  results?: Record<string, ReferenceTiming>;
}

/** The interpreter with torch: $AFFECTLAB_BENCH_PYTHON, else Debian's /usr/bin/python3. */
export function findTorchPython(): { python?: string; torch?: string; reason?: string } {
  const candidates = [process.env.AFFECTLAB_BENCH_PYTHON, '/usr/bin/python3'].filter((p): p is string => !!p);
  const tried: string[] = [];
  for (const py of candidates) {
    if (!existsSync(py)) {
      tried.push(`${py}: not found`);
      continue;
    }
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python: py, torch: r.stdout.trim() };
    tried.push(`${py}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1)}`);
  }
  return { reason: `PyTorch not available (${tried.join('; ')}); install Debian's python3-torch to compare` };
}

export function runReferences(o: { quick: boolean; log: (m: string) => void; sections: Section[] }): ReferenceRun {
  const requests = o.sections.flatMap((s) => s.figures.filter((f) => f.ref && f.refSpec).map((f) => ({ key: f.ref!, spec: f.refSpec! })));
  if (requests.length === 0) return { available: false, reason: 'no figure in this run has a PyTorch reference' };
  const found = findTorchPython();
  if (!found.python) {
    o.log(`skipped PyTorch references: ${found.reason}`);
    return { available: false, reason: found.reason };
  }
  o.log(`PyTorch ${found.torch} references (${requests.length}) with ${found.python} ...`);
  const t0 = performance.now();
  const r = spawnSync(found.python, [join(import.meta.dirname, 'reference', 'run_all.py'), ...(o.quick ? ['--quick'] : [])], {
    input: JSON.stringify(requests),
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, OMP_NUM_THREADS: '2' },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    const why = `reference run failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
    o.log(why);
    return { available: false, reason: why, python: found.python, torch: found.torch, seconds };
  }
  const out = JSON.parse(r.stdout) as { torch: string; threads: number; results: Record<string, ReferenceTiming> };
  return { available: true, python: found.python, torch: out.torch, threads: out.threads, seconds, results: out.results };
}

/** Adds pytorch / pytorchCpu / ratio to every figure with a reference result. */
export function attachReferences(sections: Section[], ref: ReferenceRun): void {
  if (!ref.results) return;
  for (const s of sections) {
    for (const f of s.figures) {
      const t = f.ref ? ref.results[f.ref] : undefined;
      if (!t || t.error || !(t.wallMs > 0)) continue;
      if (f.unit === 'ms') {
        f.pytorch = round(t.wallMs);
        f.pytorchCpu = round(t.cpuMs);
        f.ratio = round(f.cpuValue !== undefined && t.cpuMs > 0 ? f.cpuValue / t.cpuMs : f.value / t.wallMs, 3);
      } else {
        const units = f.unitsPerCall ?? 1;
        f.pytorch = round((units * 1000) / t.wallMs);
        f.pytorchCpu = t.cpuMs > 0 ? round((units * 1000) / t.cpuMs) : undefined;
        // Time ratio = PyTorch's rate / affectlab's rate.
        f.ratio = round(f.cpuValue !== undefined && f.pytorchCpu ? f.pytorchCpu / f.cpuValue : f.pytorch / f.value, 3);
      }
    }
  }
}
