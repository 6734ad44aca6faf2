import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initBackend, tf } from '../../src/core/backend.js';
import { measure, percentile, rate, type Section } from '../../bench/measure.js';
import { attachReferences, runReferences } from '../../bench/reference.js';
import { renderMarkdown, type BenchResult } from '../../bench/report.js';
import { runBenches } from '../../bench/suite.js';
import { machineInfo } from '../../src/experiments/machine.js';

const figureSchema = z.object({
  name: z.string().min(1),
  unit: z.string().min(1),
  value: z.number().positive(),
  cpuValue: z.number().positive().optional(),
  memory: z.object({ peakRssMb: z.number().positive(), liveTensors: z.number().int().min(0), tensorGrowth: z.number().int() }).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
const sectionSchema = z.object({
  name: z.string(),
  title: z.string(),
  figures: z.array(figureSchema).min(1),
  tables: z.array(z.object({ title: z.string(), columns: z.array(z.string()), rows: z.array(z.array(z.union([z.string(), z.number()]))) })).optional(),
  seconds: z.number().min(0),
});

describe('bench helpers', () => {
  it('percentile interpolates between closest ranks like numpy (hand values)', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    // numpy.percentile(range(1, 11), 95) = 1 + 0.95·9 = 9.55
    expect(percentile(Array.from({ length: 10 }, (_, i) => i + 1), 0.95)).toBeCloseTo(9.55, 12);
    expect(percentile([7], 0.95)).toBe(7);
  });

  it('measure counts timed calls, passes -1 to warm-up calls and reports leaked tensors', async () => {
    await initBackend('cpu');
    const seen: number[] = [];
    const m = measure((i) => seen.push(i), { warmup: 2, calls: 3 });
    expect(seen).toEqual([-1, -1, 0, 1, 2]);
    expect(m.calls).toBe(3);
    expect(m.tensorGrowth).toBe(0);
    const leaked: tf.Tensor[] = [];
    const l = measure(() => leaked.push(tf.scalar(1)), { warmup: 0, calls: 4 });
    expect(l.tensorGrowth).toBe(4);
    tf.dispose(leaked);
    const r = rate('x', 'items/s', 10, { ...m, wallMs: 500, cpuMs: 250 });
    expect(r.value).toBe(20);
    expect(r.cpuValue).toBe(40);
  });

  it('attaches PyTorch figures and the time ratio (hand-derived)', () => {
    const s: Section = {
      name: 's',
      title: 's',
      figures: [
        { name: 'rate', unit: 'samples/s', value: 100, cpuValue: 200, ref: 'a', unitsPerCall: 32 },
        { name: 'lat', unit: 'ms', value: 40, cpuValue: 30, ref: 'b' },
        { name: 'none', unit: 'ms', value: 1, ref: 'missing' },
      ],
    };
    attachReferences([s], { available: true, results: { a: { wallMs: 200, cpuMs: 100, calls: 1 }, b: { wallMs: 25, cpuMs: 20, calls: 1 } } });
    // 32 samples per 100 CPU-ms = 320 samples/CPU-s; affectlab 200 → affectlab takes 1.6× PyTorch's time.
    expect(s.figures[0].pytorch).toBe(160);
    expect(s.figures[0].pytorchCpu).toBe(320);
    expect(s.figures[0].ratio).toBe(1.6);
    expect(s.figures[1].ratio).toBe(1.5);
    expect(s.figures[2].ratio).toBeUndefined();
  });

  it('says why the references are skipped when no figure has one', () => {
    const r = runReferences({ quick: true, log: () => {}, sections: [{ name: 's', title: 's', figures: [{ name: 'f', unit: 'ms', value: 1 }] }] });
    expect(r.available).toBe(false);
    expect(r.reason).toMatch(/no figure/);
  });
});

describe('bench quick mode', () => {
  it('runs DTW and SynAffect quickly with a valid schema, the DTW band area and no tensor growth', async () => {
    await initBackend('cpu');
    const logs: string[] = [];
    const sections = await runBenches(['dtw', 'synaffect'], { quick: true, log: (m) => logs.push(m) });
    expect(sections.map((s) => s.name)).toEqual(['dtw', 'synaffect']);
    for (const s of sections) {
      expect(s.skipped).toBeUndefined();
      sectionSchema.parse(s);
      for (const f of s.figures) expect(f.memory!.tensorGrowth).toBe(0);
    }
    // A Sakoe–Chiba band of half-width w on an n×n problem covers n(2w+1) − w(w+1) cells.
    const dtw = sections[0];
    const cols = dtw.tables![0].columns;
    for (const row of dtw.tables![0].rows) {
      const n = row[cols.indexOf('n')] as number;
      const w = row[cols.indexOf('w')] as number;
      expect(row[cols.indexOf('cells/call')]).toBe(n * (2 * w + 1) - w * (w + 1));
    }
    const result: BenchResult = {
      schema: 'affectlab.bench/1',
      date: '2026-01-01T00:00:00Z',
      quick: true,
      backend: { requested: 'cpu', name: 'cpu', tfjsVersion: tf.version.tfjs },
      machine: { ...machineInfo(), loadAverage: [1, 1, 1] },
      seconds: 1,
      peakRssMb: 100,
      sections: [...sections, { name: 'rt', title: 'RT', figures: [], skipped: 'no model' }],
      reference: { available: false, reason: 'PyTorch not available' },
    };
    const md = renderMarkdown(result);
    expect(md).toContain('| dtw dim=1 n=250 band=0.1 | cells/s |');
    expect(md).toContain('skipped: no model');
    expect(md).toContain('PyTorch references skipped: PyTorch not available');
    expect(md).toContain(`${machineInfo().cores} cores`);
  }, 60_000);
});
