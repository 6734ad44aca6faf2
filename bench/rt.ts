// 1. Real time: one intervention end to end, batch 1, warm — perception (the default fusion
// model's forward on one sample's feature sequences → EmotionVector), reasoning (learned
// intent with the previous turns as context) and generation (sampled reply, default
// decoding, KV cache) — p50/p95 over ≥ 100 calls and the time of each stage.
// Feature extraction from raw signals is not part of it (bench/perception_features.ts).
import { tf } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { disposeBatch, toBatch } from '../src/perception/fusion/batch.js';
import { predictEmotion } from '../src/perception/model.js';
import type { HistoryTurn } from '../src/reasoning/model.js';
import { PERCEPTION_SHAPE, generatorFixture, perceptionModel, perceptionSet, reasoningModel } from './fixtures.js';
import { measure, percentile, round, type BenchContext, type Figure, type Section } from './measure.js';

export async function benchRt(ctx: BenchContext): Promise<Section> {
  const calls = ctx.quick ? 10 : 120;
  const set = perceptionSet(16, 'bench/rt');
  const { model, fusion } = perceptionModel('attention_gru');
  const reasoning = reasoningModel();
  const { generator, cfg } = generatorFixture();
  const classes = PERCEPTION_SHAPE.classes;
  const batches = Array.from({ length: set.n }, (_, i) => toBatch(set, [i]));
  const stages = { perception: [] as number[], reasoning: [] as number[], generation: [] as number[] };
  const total: number[] = [];
  let history: HistoryTurn[] = [];
  let tokens = 0;
  const rng = new Rng('bench/rt');
  const once = (i: number) => {
    const t0 = performance.now();
    const ev = predictEmotion(model, batches[Math.max(i, 0) % batches.length], classes)[0];
    const t1 = performance.now();
    const intent = reasoning.intent(ev, history);
    const t2 = performance.now();
    const out = generator.generate(intent, { tone: 'warm', temperature: cfg.decoding.temperature, emotionWeight: 1 }, { rng });
    const t3 = performance.now();
    history = [...history, { ev }].slice(-reasoning.cfg.window);
    if (i >= 0) {
      stages.perception.push(t1 - t0);
      stages.reasoning.push(t2 - t1);
      stages.generation.push(t3 - t2);
      tokens += out.tokens.length;
    }
  };
  const m = measure(once, { warmup: 5, calls }, total);
  const mem = { peakRssMb: m.peakRssMb, liveTensors: m.liveTensors, tensorGrowth: m.tensorGrowth };
  const config = { fusion, generator: { layers: cfg.layers, d_model: cfg.d_model, decoding: cfg.decoding }, reasoning: reasoning.cfg, calls, meanReplyTokens: round(tokens / calls) };
  const figures: Figure[] = [
    { name: 'RT end-to-end p50', unit: 'ms', value: round(percentile(total, 0.5)), memory: mem, config, note: 'goal ≤ 28 ms, aim 10 ms' },
    { name: 'RT end-to-end p95', unit: 'ms', value: round(percentile(total, 0.95)), memory: mem, config },
    { name: 'RT end-to-end mean (CPU)', unit: 'ms', value: round(m.wallMs / m.calls), cpuValue: round(m.cpuMs / m.calls), memory: mem, config },
  ];
  for (const [k, xs] of Object.entries(stages)) {
    figures.push({ name: `RT stage ${k} p50`, unit: 'ms', value: round(percentile(xs, 0.5)), config: { p95: round(percentile(xs, 0.95)) } });
  }
  batches.forEach(disposeBatch);
  model.dispose();
  reasoning.dispose();
  generator.dispose();
  // Everything this benchmark made is released again.
  void tf;
  return { name: 'rt', title: 'Real time: one intervention, batch 1', figures, config };
}
