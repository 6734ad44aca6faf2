// DTW throughput (cells/s; wall and per CPU-second, since the dev machine is shared) with a Sakoe–Chiba band: `node --import tsx bench/perception_dtw.ts`.
import { Rng } from '../src/core/rng.js';
import { dtw } from '../src/perception/align/dtw.js';

const rng = new Rng(1);
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
