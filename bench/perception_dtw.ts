// DTW throughput (cells/s; wall and per CPU-second, since the dev machine is shared) with a Sakoe–Chiba band: `node --import tsx bench/perception_dtw.ts`.
import { Rng } from '../src/core/rng.js';
import { dtw } from '../src/perception/align/dtw.js';

const rng = new Rng(1);
// Calibration: a trivial compare-and-add loop, to read the figures on a shared machine.
{
  const a = rng.normalArray(1e6);
  const c0 = process.cpuUsage();
  let s = 0;
  for (let r = 0; r < 50; r++) for (let i = 1; i < a.length; i++) s += a[i] < a[i - 1] ? a[i] : a[i - 1];
  const cu = process.cpuUsage(c0);
  console.log(`calibration: ${((50 * 1e6) / ((cu.user + cu.system) / 1e6) / 1e6).toFixed(0)} M trivial loop iterations per CPU-s (checksum ${s.toFixed(0)})`);
}
for (const dim of [1, 8]) {
  for (const n of [500, 2000, 8000]) {
    for (const band of [0.1, 0.2]) {
      const a = { values: rng.normalArray(n * dim), dim };
      const b = { values: rng.normalArray(n * dim), dim };
      dtw(a, b, { band }); // warm-up
      const reps = Math.max(1, Math.round(2e7 / (n * n * band * 2)));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let cells = 0;
      for (let r = 0; r < reps; r++) cells += dtw(a, b, { band }).cells;
      const s = (performance.now() - t0) / 1000;
      const cu = process.cpuUsage(c0);
      const cpu = (cu.user + cu.system) / 1e6;
      console.log(`dim=${dim} n=${n} band=${band}: ${(cells / s / 1e6).toFixed(0)} Mcells/s wall, ${(cells / cpu / 1e6).toFixed(0)} Mcells per CPU-s (${((s / reps) * 1000).toFixed(2)} ms per call)`);
    }
  }
}
