// 6. SynAffect: samples per second generated (all modalities of the default config, in memory).
import { Rng } from '../src/core/rng.js';
import { createSynAffect, synaffectConfig } from '../src/data/index.js';
import { measure, rate, type BenchContext, type Section } from './measure.js';

export async function benchSynaffect(ctx: BenchContext): Promise<Section> {
  const n = ctx.quick ? 8 : 200;
  const config = synaffectConfig({ n: n + 1 });
  const ds = createSynAffect(config, new Rng(0));
  let audioS = 0;
  let next = 0; // every call (the warm-up included) draws a new sample
  const m = measure(() => (audioS += ds.get(next++).durationS), { warmup: 1, calls: n });
  return {
    name: 'synaffect',
    title: 'SynAffect generation',
    figures: [rate('synaffect samples', 'samples/s', m.calls, m, { config: { preset: config.preset, modalities: config.modalities, meanDurationS: audioS / (m.calls + 1) } })],
    config: { n },
  };
}
