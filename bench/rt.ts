// 1. Real time: one intervention end to end, batch 1, warm — perception (the default fusion
// model on one sample's feature sequences → EmotionVector), reasoning (learned intent with
// the previous turns as context) and generation (sampled reply, default decoding, KV cache) —
// p50/p95 over ≥ 100 calls and the time of each stage. Run twice: perception through the
// tfjs model (the path before the optimisation pass) and through LeanAttentionGru (after).
// Feature extraction from raw signals is not part of it (bench/perception_features.ts).
import { Rng } from '../src/core/rng.js';
import { disposeBatch, toBatch } from '../src/perception/fusion/batch.js';
import type { AttentionGruFusion } from '../src/perception/fusion/attention_gru.js';
import { LeanAttentionGru } from '../src/perception/fusion/lean.js';
import { predictEmotion } from '../src/perception/model.js';
import type { EmotionVector } from '../src/perception/types.js';
import type { ModalityName } from '../src/data/types.js';
import type { HistoryTurn } from '../src/reasoning/model.js';
import { PERCEPTION_SHAPE, generatorFixture, perceptionModel, perceptionSet, reasoningModel } from './fixtures.js';
import { latency, measure, percentile, round, type BenchContext, type Figure, type Section } from './measure.js';

export async function benchRt(ctx: BenchContext): Promise<Section> {
  const calls = ctx.quick ? 10 : 100;
  const set = perceptionSet(16, 'bench/rt');
  const { model, fusion } = perceptionModel('attention_gru');
  const lean = LeanAttentionGru.fromModel(model as AttentionGruFusion);
  const reasoning = reasoningModel();
  const { generator, cfg } = generatorFixture();
  const classes = PERCEPTION_SHAPE.classes;
  const T = set.T;
  const batches = Array.from({ length: set.n }, (_, i) => toBatch(set, [i]));
  const plain = Array.from({ length: set.n }, (_, i) => ({
    features: Object.fromEntries(set.modalities.map((m) => [m, set.x[m]!.subarray(i * T * set.dims[m]!, (i + 1) * T * set.dims[m]!)])) as Partial<Record<ModalityName, Float32Array>>,
    timeMask: set.timeMask.subarray(i * T, (i + 1) * T),
  }));
  const perceive = {
    tfjs: (i: number): EmotionVector => predictEmotion(model, batches[i], classes)[0],
    lean: (i: number): EmotionVector => {
      const o = lean.forward(plain[i]);
      return { classes: [...classes], probs: Array.from(o.probs), arousal: o.av[0], valence: o.av[1], embedding: Array.from(o.embedding), modalities: [...set.modalities] };
    },
  };
  const figures: Figure[] = [];
  // The perception stage alone, many calls: mean CPU per call is steadier than wall percentiles on a shared machine.
  for (const path of ['tfjs', 'lean'] as const) {
    const mp = measure((i) => perceive[path](Math.max(i, 0) % set.n), { warmup: 3, calls: ctx.quick ? 10 : 100 });
    figures.push(latency(`perception stage alone, batch 1 (${path})`, mp, { config: { fusion, T, dims: set.dims } }));
  }
  const config = { fusion, generator: { layers: cfg.layers, d_model: cfg.d_model, decoding: cfg.decoding }, reasoning: reasoning.cfg, calls };
  for (const path of ['lean', 'tfjs'] as const) {
    const stages = { perception: [] as number[], reasoning: [] as number[], generation: [] as number[] };
    const total: number[] = [];
    let history: HistoryTurn[] = [];
    let tokens = 0;
    const rng = new Rng('bench/rt');
    const once = (i: number) => {
      const t0 = performance.now();
      const ev = perceive[path](Math.max(i, 0) % set.n);
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
    // The tfjs-perception run is the before-figure of the optimisation pass: half the calls keep the bench short.
    const m = measure(once, { warmup: 5, calls: path === 'lean' ? calls : Math.max(10, calls >> 1) }, total);
    const mem = { peakRssMb: m.peakRssMb, liveTensors: m.liveTensors, tensorGrowth: m.tensorGrowth };
    const c = { ...config, calls: m.calls, perception: path, meanReplyTokens: round(tokens / m.calls) };
    const tag = path === 'lean' ? 'lean perception' : 'tfjs perception';
    figures.push(
      { name: `RT end-to-end p50 (${tag})`, unit: 'ms', value: round(percentile(total, 0.5)), memory: mem, config: c, note: 'goal ≤ 28 ms, aim 10 ms' },
      { name: `RT end-to-end p95 (${tag})`, unit: 'ms', value: round(percentile(total, 0.95)), memory: mem, config: c },
      { name: `RT end-to-end mean (${tag})`, unit: 'ms', value: round(m.wallMs / m.calls), cpuValue: round(m.cpuMs / m.calls), memory: mem, config: c },
    );
    for (const [k, xs] of Object.entries(stages)) {
      figures.push({ name: `RT stage ${k} (${tag}) p50`, unit: 'ms', value: round(percentile(xs, 0.5)), config: { p95: round(percentile(xs, 0.95)) } });
    }
    // Per reply token, so the figure does not hinge on reply length (untrained weights run to max_new_tokens).
    figures.push({ name: `RT generation per reply token (${tag})`, unit: 'ms', value: round(stages.generation.reduce((a, b) => a + b, 0) / Math.max(tokens, 1), 3), config: c });
  }
  batches.forEach(disposeBatch);
  model.dispose();
  reasoning.dispose();
  generator.dispose();
  return { name: 'rt', title: 'Real time: one intervention, batch 1', figures, config };
}
