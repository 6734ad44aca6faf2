// The optimisation pass's before/after table: pairs measured in this same invocation (old and
// new code path side by side), plus, with `--before <earlier result.json>`, every figure of an
// earlier run (before the pass) next to the same figure now.
import { readFileSync } from 'node:fs';
import { DataError } from '../src/core/errors.js';
import { round, type Figure, type Section } from './measure.js';

export interface OptimisationTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** [what, before-figure name, after-figure name]: both measured in this run. */
const SAME_RUN: [string, string, string][] = [
  ['perception stage, batch 1: tfjs model → LeanAttentionGru', 'perception stage alone, batch 1 (tfjs)', 'perception stage alone, batch 1 (lean)'],
  ['RT end-to-end mean: tfjs → lean perception', 'RT end-to-end mean (tfjs perception)', 'RT end-to-end mean (lean perception)'],
  ['top-p cut per sampled token: index sort → native sort', 'sampling distribution, vocab 1000 (before: index sort)', 'sampling distribution, vocab 1000 (after: native sort)'],
  ['decoding: without → with KV cache', 'generator decode without KV cache', 'generator decode with KV cache'],
];

const cpuOrWall = (f: Figure) => f.cpuValue ?? f.value;
const isRate = (f: Figure) => f.unit !== 'ms';
/** Speed-up after/before in time (>1 = faster after). */
const speedup = (b: Figure, a: Figure) => (isRate(a) ? cpuOrWall(a) / cpuOrWall(b) : cpuOrWall(b) / cpuOrWall(a));

export function optimisationTable(sections: Section[], beforePath?: string): OptimisationTable {
  const now = new Map(sections.flatMap((s) => s.figures).map((f) => [f.name, f]));
  const rows: (string | number)[][] = [];
  for (const [what, b, a] of SAME_RUN) {
    const fb = [...now.values()].find((f) => f.name === b || (b.startsWith('sampling') && f.name.startsWith(b.split(',')[0]) && f.name.includes('before')));
    const fa = [...now.values()].find((f) => f.name === a || (a.startsWith('sampling') && f.name.startsWith(a.split(',')[0]) && f.name.includes('after')));
    if (!fb || !fa) continue;
    rows.push([what, 'same run', fb.unit, round(cpuOrWall(fb)), round(cpuOrWall(fa)), `${round(speedup(fb, fa), 3)}×`]);
  }
  if (beforePath) {
    let before: { sections: Section[]; date: string };
    try {
      before = JSON.parse(readFileSync(beforePath, 'utf8'));
    } catch (err) {
      throw new DataError(`--before ${beforePath}: cannot read an earlier bench result (${(err as Error).message})`);
    }
    const old = new Map(before.sections.flatMap((s) => s.figures).map((f) => [f.name, f]));
    for (const f of now.values()) {
      // The RT figures gained a "(lean perception)" / "(tfjs perception)" suffix in the pass.
      const prev = old.get(f.name) ?? old.get(f.name.replace(/ \((lean|tfjs) perception\)/, '').replace(' mean', ' mean (CPU)'));
      if (!prev || prev.unit !== f.unit) continue;
      rows.push([f.name, `run of ${before.date}`, f.unit, round(cpuOrWall(prev)), round(cpuOrWall(f)), `${round(speedup(prev, f), 3)}×`]);
    }
  }
  return {
    title: 'Optimisation pass: before / after',
    columns: ['figure', 'before measured in', 'unit', 'before (per CPU where measured)', 'after', 'speed-up'],
    rows,
  };
}
