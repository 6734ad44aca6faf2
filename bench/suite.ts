// The benchmark list, in the order of the issue: each entry a module under bench/.
import type { BenchContext, Section } from './measure.js';

export const BENCHES = ['rt', 'perception', 'generator', 'ppo', 'dtw', 'synaffect'] as const;
export type BenchName = (typeof BENCHES)[number];

const loaders: Record<BenchName, () => Promise<(ctx: BenchContext) => Promise<Section>>> = {
  rt: async () => (await import('./rt.js')).benchRt,
  perception: async () => (await import('./perception.js')).benchPerception,
  generator: async () => (await import('./generator_bench.js')).benchGenerator,
  ppo: async () => (await import('./ppo.js')).benchPpo,
  dtw: async () => (await import('./dtw.js')).benchDtw,
  synaffect: async () => (await import('./synaffect.js')).benchSynaffect,
};

/** Runs the named benchmarks in order; one that throws is recorded as skipped with its reason. */
export async function runBenches(names: readonly BenchName[], ctx: BenchContext): Promise<Section[]> {
  const out: Section[] = [];
  for (const name of names) {
    const t0 = performance.now();
    ctx.log(`${name} ...`);
    let s: Section;
    try {
      s = await (await loaders[name]())(ctx);
    } catch (err) {
      const why = (err as Error).message.split('\n')[0];
      ctx.log(`${name} skipped: ${why}`);
      s = { name, title: name, figures: [], skipped: why };
    }
    s.seconds = (performance.now() - t0) / 1000;
    out.push(s);
  }
  return out;
}
