// 3. Generator: training tokens/s (forward + backward + Adam on batches of the default config)
// and decoding tokens/s with and without the key/value cache (same greedy tokens either way).
import { tf } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { criticTensors, disposeBatch, encodeEntries, makeBatch, trainStep } from '../src/generation/train.js';
import { trainEmotionCritic } from '../src/generation/critic.js';
import { samplingDistribution } from '../src/generation/decode.js';
import { samplingDistributionBefore } from './baselines.js';
import { generatorFixture } from './fixtures.js';
import { latency, measure, rate, type BenchContext, type Figure, type Section } from './measure.js';
import type { Intent } from '../src/reasoning/types.js';

export function benchIntent(classes: readonly string[], i = 0): Intent {
  const k = i % classes.length;
  const target = classes.map((_, j) => (j === k ? 0.7 : 0.3 / (classes.length - 1)));
  return { emotion: classes[k], emotionIndex: k, target, intensity: 0.6, polarity: -0.3, context: [] };
}

export async function benchGenerator(ctx: BenchContext): Promise<Section> {
  const fx = generatorFixture();
  const { cfg, tokenizer, generator } = fx;
  const model = generator.model;
  const classes = model.dims.classes;
  const figures: Figure[] = [];
  const config = { layers: cfg.layers, d_model: cfg.d_model, heads: cfg.heads, ff: cfg.ff, max_len: cfg.max_len, vocab: tokenizer.vocabSize, batch: cfg.batch, params: model.parameterCount() };

  // Training: batches of `cfg.batch` corpus texts, in corpus order.
  const { examples } = encodeEntries(fx.entries.filter((e) => e.split === 'train'), tokenizer, cfg, classes);
  const nb = ctx.quick ? 2 : 12;
  const batches = Array.from({ length: nb + 1 }, (_, k) => makeBatch(examples.slice((k * cfg.batch) % (examples.length - cfg.batch), ((k * cfg.batch) % (examples.length - cfg.batch)) + cfg.batch), tokenizer.padId, classes.length));
  const opt = tf.train.adam(cfg.lr);
  const vars = model.variables();
  const rng = new Rng('bench/dropout');
  // The 'output' alignment loss scores the expected tokens with a frozen critic fitted on the training texts.
  const critic = cfg.align_source === 'output'
    ? criticTensors(trainEmotionCritic(examples.map((e) => e.seq), examples.map((e) => e.cond.slice(0, classes.length)), tokenizer.vocabSize, [tokenizer.padId, tokenizer.bosId, tokenizer.eosId], cfg.critic))
    : undefined;
  let tokens = 0;
  const mt = measure((i) => {
    const b = batches[i + 1]; // the warm-up (i = -1) uses batches[0]
    trainStep(model, opt, vars, b, cfg, rng, critic);
    if (i >= 0) tokens += b.tokens;
  }, { warmup: 1, calls: nb });
  figures.push(rate('generator training', 'tokens/s', tokens, mt, { config: { ...config, meanTokensPerBatch: tokens / nb } }));
  batches.forEach(disposeBatch);
  opt.dispose();
  if (critic) tf.dispose([critic.A, critic.b]);
  generator.refresh();

  // Decoding, greedy, batch 1, up to max_new_tokens.
  for (const kvCache of [true, false]) {
    let n = 0;
    const reps = ctx.quick ? 2 : kvCache ? 30 : 4;
    const m = measure((i) => {
      const k = generator.generate(benchIntent(classes, Math.max(i, 0)), { tone: 'warm', temperature: 1, emotionWeight: 1 }, { strategy: 'greedy', kvCache }).tokens.length;
      if (i >= 0) n += k;
    }, { warmup: 1, calls: reps });
    figures.push(rate(`generator decode ${kvCache ? 'with' : 'without'} KV cache`, 'tokens/s', n, m, { ref: kvCache ? 'generator.decode_cached' : 'generator.decode_uncached', unitsPerCall: 1, refSpec: { vocab: tokenizer.vocabSize, d_model: cfg.d_model, layers: cfg.layers, heads: cfg.heads, ff: cfg.ff, max_len: cfg.max_len, cond_dim: classes.length + 2, classes: classes.length, tokens: Math.max(1, Math.round(n / m.calls)) }, config: { ...config, kvCache, strategy: 'greedy', meanReplyTokens: n / m.calls } }));
  }
  // Optimisation pass, same invocation: the top-k/top-p cut before (index sort with a comparator)
  // and after (native Float64Array sort), at this vocabulary, default top-p and temperature.
  const logits = new Rng('bench/logits').normalArray(tokenizer.vocabSize, 0, 3);
  const d = cfg.decoding;
  for (const [label, f] of [['before: index sort', samplingDistributionBefore], ['after: native sort', samplingDistribution]] as const) {
    const m = measure(() => f(logits, d.temperature, d.top_k, d.top_p), { warmup: 50, calls: ctx.quick ? 50 : 2000 });
    figures.push(latency(`sampling distribution, vocab ${tokenizer.vocabSize} (${label})`, m, { config: { temperature: d.temperature, top_k: d.top_k, top_p: d.top_p } }));
  }
  return { name: 'generator', title: 'Generator', figures, config };
}
