// 5. DTW throughput (cells/s) over lengths n and Sakoe–Chiba band widths: the banded
// dynamic programme evaluates ≈ n·(2w+1) cells, so time per call should grow with n·w
// while cells/s stays flat. Euclidean cost, equal lengths, random-normal series.
import { Rng } from '../src/core/rng.js';
import { bandHalfWidth, dtw } from '../src/perception/align/dtw.js';
import { measure, rate, round, type BenchContext, type Figure, type Section } from './measure.js';

export async function benchDtw(ctx: BenchContext): Promise<Section> {
  const rng = new Rng('bench/dtw');
  const lengths = ctx.quick ? [250, 1000] : [500, 2000, 8000];
  const bands = ctx.quick ? [0.1] : [0.05, 0.1, 0.2];
  const dims = ctx.quick ? [1] : [1, 8];
  const rows: (string | number)[][] = [];
  const figures: Figure[] = [];
  for (const dim of dims) {
    for (const n of lengths) {
      // Multivariate series: one band width (the per-cell cost scales with dim, not the shape of the table).
      for (const band of dim === 1 ? bands : [0.1]) {
        const a = { values: rng.normalArray(n * dim), dim };
        const b = { values: rng.normalArray(n * dim), dim };
        const w = bandHalfWidth(n, n, band);
        let cells = 0;
        // Enough calls for ~0.3 s (quick: ~0.05 s) of work at 10^8 cells/s.
        const m = measure((i) => {
          const c = dtw(a, b, { band }).cells;
          if (i >= 0) cells += c; // warm-up calls (i = -1) are not timed
        }, { warmup: 1, minCalls: 2, calls: 1000, minMs: ctx.quick ? 50 : 200 });
        const f = rate(`dtw dim=${dim} n=${n} band=${band}`, 'cells/s', cells, m, { config: { dim, n, band, halfWidth: w } });
        figures.push(f);
        rows.push([dim, n, band, w, n * w, round(cells / m.calls), round(m.wallMs / m.calls, 3), round(m.cpuMs / m.calls, 3), round(f.value / 1e6, 3), round(f.cpuValue! / 1e6, 3)]);
      }
    }
  }
  const best = figures.filter((f) => f.config!.band !== 1).map((f) => f.cpuValue!);
  return {
    name: 'dtw',
    title: 'DTW (Sakoe–Chiba band, Euclidean)',
    figures,
    tables: [
      {
        title: 'DTW cost grows with n·w (w = band half-width in cells)',
        columns: ['dim', 'n', 'band', 'w', 'n·w', 'cells/call', 'ms/call (wall)', 'ms/call (CPU)', 'Mcells/s (wall)', 'Mcells/CPU-s'],
        rows,
      },
    ],
    config: { lengths, bands, dims, goal: '≥ 1e8 cells/s with a band', minCellsPerCpuS: Math.min(...best) },
  };
}
