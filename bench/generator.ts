// Generator benchmark and acceptance figures (docs/generator.md):
//   node --import tsx bench/generator.ts [--seeds N] [--no-compare] [--per-cell N] [--vocab N] [key=value ...]
// Trains the conditional transformer on the bundled corpus with configs/generator/default.yaml
// (+ overrides), then reports training time and tokens/s (wall and per CPU-second, since the 2
// cores are shared), decode tokens/s with and without the KV cache, SEM on held-out intents under
// the default trained encoder, the measured direction of each control, and the λ > 0 vs λ = 0
// emotion-alignment comparison over seeds. Emotion alignment is scored by an independent scorer
// (the corpus's emotion-cue lexicon, emotionCueVector), not by the model's own emotion head.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { initBackend, describeBackend } from '../src/core/backend.js';
import { writeJsonAtomic } from '../src/core/io.js';
import { Logger } from '../src/core/log.js';
import { Rng } from '../src/core/rng.js';
import { parseGeneratorConfig, type GeneratorConfig } from '../src/generation/config.js';
import { entryCondition } from '../src/generation/model/condition.js';
import { Generator } from '../src/generation/model/generator.js';
import { loadSemEncoder, semSectionSchema } from '../src/generation/sem/index.js';
import { trainGenerator } from '../src/generation/train.js';
import type { CorpusEntry, Tone } from '../src/generation/types.js';
import type { Intent } from '../src/reasoning/types.js';
import { loadCorpusModules } from './generator_support.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const overrides = Object.fromEntries(
  args.filter((a) => /^[a-z_]+=/.test(a)).map((a) => {
    const [k, v] = a.split('=');
    return [k, YAML.parse(v)];
  }),
);
const root = join(import.meta.dirname, '..');
const log = new Logger('info', 'bench.generator');
const backend = await initBackend('wasm');
const mods = await loadCorpusModules();
const entries = mods.buildCorpus({ rng: new Rng(0), perCell: flag('per-cell', 8) });
const tokenizer = mods.trainTokenizer(entries.filter((e) => e.split === 'train').map((e) => e.text), { vocabSize: flag('vocab', 1000) });
const base = parseGeneratorConfig({ ...YAML.parse(readFileSync(join(root, 'configs/generator/default.yaml'), 'utf8')), ...overrides });
const classes = [...new Set(entries.map((e) => e.emotion))].sort();
log.info(`corpus ${entries.length} entries (${entries.filter((e) => e.split === 'heldout').length} held out), vocab ${tokenizer.vocabSize}, backend ${describeBackend(backend)}`);

/** Held-out intents: distinct emotion × intensity × tone × strategy cells of the held-out split. */
function heldoutCells(n: number, rng: Rng): CorpusEntry[] {
  const seen = new Map<string, CorpusEntry>();
  for (const e of entries) if (e.split === 'heldout') seen.set(`${e.emotion}|${e.intensity}|${e.tone}|${e.strategy}`, e);
  return rng.shuffle([...seen.values()]).slice(0, n);
}
const cells = heldoutCells(flag('intents', 70), new Rng('cells'));
const intentOf = (e: CorpusEntry, cfg: GeneratorConfig): Intent => {
  const c = entryCondition(e, cfg, classes);
  const idx = classes.indexOf(e.emotion);
  return { emotion: e.emotion, emotionIndex: idx, target: classes.map((_, i) => (i === idx ? 1 : 0)), intensity: c.intensity, polarity: c.polarity, context: [] };
};
const cos = (a: number[], b: number[]) => {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((x, i) => ((ab += x * b[i]), (aa += x * x), (bb += b[i] * b[i])));
  return ab / Math.sqrt(aa * bb);
};
/** Independent emotion alignment: cosine of the lexicon cue vector of the text with the one-hot intent emotion. */
const alignment = (texts: string[], intents: Intent[]) => mean(texts.map((t, i) => cos(mods.emotionCueVector(t, classes), intents[i].target)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const distinct2 = (texts: string[]) => {
  const all: string[] = [];
  for (const t of texts) {
    const w = t.toLowerCase().split(/\s+/);
    for (let i = 0; i + 1 < w.length; i++) all.push(`${w[i]} ${w[i + 1]}`);
  }
  return new Set(all).size / Math.max(1, all.length);
};

function generateAll(gen: Generator, cfg: GeneratorConfig, o: { temperature?: number; emotionWeight?: number; tone?: (e: CorpusEntry) => Tone; strategy?: 'greedy' | 'sample'; seed?: number }) {
  const intents = cells.map((e) => intentOf(e, cfg));
  const outs = cells.map((e, i) =>
    gen.generate(intents[i], { tone: o.tone ? o.tone(e) : e.tone, temperature: o.temperature ?? cfg.decoding.temperature, emotionWeight: o.emotionWeight ?? 1 }, {
      rng: new Rng(`${o.seed ?? 0}/${i}`),
      strategy: o.strategy,
      replyStrategy: e.strategy,
    }),
  );
  return { intents, outs, texts: outs.map((x) => x.text) };
}

async function trainOne(cfg: GeneratorConfig, seed: number) {
  const c0 = process.cpuUsage();
  const r = await trainGenerator({ entries, tokenizer, cfg, rng: new Rng(seed), classes, log });
  const u = process.cpuUsage(c0);
  const cpu = (u.user + u.system) / 1e6;
  const tokens = r.history.reduce((a, h) => a + h.tokensPerSec * h.seconds, 0);
  return { r, gen: new Generator(r.model, tokenizer), wall: r.seconds, cpu, tokens };
}

const results: Record<string, unknown> = { backend: describeBackend(backend), corpus: { entries: entries.length, vocab: tokenizer.vocabSize }, config: base, intents: cells.length };

const compareOnly = args.includes('--compare-only');
if (!compareOnly) await mainSections();

async function mainSections() {
// 1. Default training
const main = await trainOne(base, 1);
results.training = {
  wallSeconds: main.wall,
  cpuSeconds: main.cpu,
  tokensPerWallSecond: main.tokens / main.wall,
  tokensPerCpuSecond: main.tokens / main.cpu,
  parameters: main.r.model.parameterCount(),
  counts: main.r.counts,
  history: main.r.history,
};
log.info(`training: ${main.wall.toFixed(0)} s wall, ${main.cpu.toFixed(0)} CPU-s, ${(main.tokens / main.cpu).toFixed(0)} tok/CPU-s`);

// 2. Decode speed: cached vs uncached, greedy, same tokens
{
  const intents = cells.slice(0, 20).map((e) => intentOf(e, base));
  // Each path runs over all intents in one block so its CPU time can be measured (the cores are shared).
  const run = (kvCache: boolean) => {
    const c0 = process.cpuUsage();
    const outs = intents.map((it, i) => main.gen.generate(it, { tone: cells[i].tone, temperature: 1, emotionWeight: 1 }, { strategy: 'greedy', kvCache }));
    const u = process.cpuUsage(c0);
    return { outs, cpu: (u.user + u.system) / 1e6, wall: outs.reduce((a, o) => a + (o.trace.decodeMs as number), 0) / 1000 };
  };
  run(true); // warm-up
  const A = run(true);
  const Bu = run(false);
  const same = A.outs.filter((o, i) => o.tokens.join('\u0000') === Bu.outs[i].tokens.join('\u0000')).length;
  const ntok = A.outs.reduce((a, o) => a + o.tokens.length, 0);
  const tc = A.wall * 1000, tu = Bu.wall * 1000;
  results.decodeCpu = { cachedTokensPerCpuSecond: ntok / A.cpu, uncachedTokensPerCpuSecond: ntok / Bu.cpu };
  results.decode = { replies: intents.length, identical: same, tokens: ntok, cachedTokensPerSec: (1000 * ntok) / tc, uncachedTokensPerSec: (1000 * ntok) / tu };
  log.info(`decode: cached ${((1000 * ntok) / tc).toFixed(0)} tok/s (${(ntok / A.cpu).toFixed(0)} tok/CPU-s), uncached ${((1000 * ntok) / tu).toFixed(0)} tok/s (${(ntok / Bu.cpu).toFixed(0)} tok/CPU-s), identical ${same}/${intents.length}`);
}

// 3. SEM on held-out intents (default trained encoder), references from the held-out split
const sem = semSectionSchema.parse({ cache_dir: join(root, '.affectlab-cache') });
const encoder = await loadSemEncoder(sem, { entries, tokenizer, log });
const dflt = generateAll(main.gen, base, {});
const refs = cells.map((e) => mods.referenceFor(entries, { emotion: e.emotion, intensity: e.intensity, tone: e.tone, strategy: e.strategy })[0].text);
const { semScore } = await import('../src/generation/sem/index.js');
const semFig = await semScore(encoder, dflt.texts, refs);
// Reference points under the same encoder: a random other held-out reference, and a second reference of the same cell.
const shuffled = new Rng('shuf').shuffle([...refs]);
const semRandom = await semScore(encoder, shuffled, refs);
results.sem = { generated: { sem: semFig.sem, std: semFig.std, n: semFig.n }, randomReference: semRandom.sem, encoder: semFig.encoder };
results.samples = dflt.texts.slice(0, 6).map((t, i) => ({ intent: `${cells[i].emotion}/${cells[i].intensity}/${cells[i].tone}/${cells[i].strategy}`, text: t, reference: refs[i] }));
log.info(`SEM ${semFig.sem.toFixed(3)} ± ${semFig.std.toFixed(3)} (random-reference baseline ${semRandom.sem.toFixed(3)}) encoder ${semFig.encoder.name}@${semFig.encoder.hash}`);

// 4. Control directions
const temps = [0.5, 1.0, 1.5].map((t) => ({ temperature: t, distinct2: distinct2(generateAll(main.gen, base, { temperature: t }).texts) }));
const weights = [0, 1, 2].map((w) => {
  const g = generateAll(main.gen, base, { emotionWeight: w, strategy: 'greedy' });
  return { emotionWeight: w, alignment: alignment(g.texts, g.intents), headFinalCosine: mean(g.outs.map((o) => (o.trace.consistency as { final: number }).final)) };
});
const toneA = generateAll(main.gen, base, { strategy: 'greedy', tone: () => 'warm' });
const toneB = generateAll(main.gen, base, { strategy: 'greedy', tone: () => 'direct' });
results.controls = {
  temperature: temps,
  emotionWeight: weights,
  tone: { warmVsDirectDiffering: toneA.texts.filter((t, i) => t !== toneB.texts[i]).length / toneA.texts.length },
  driftFlagged: dflt.outs.filter((o) => (o.trace.consistency as { drift: boolean }).drift).length / dflt.outs.length,
};
log.info(`controls: ${JSON.stringify(results.controls)}`);
main.gen.dispose();
}

// 5. λ > 0 vs λ = 0 over seeds (emotion alignment of sampled held-out replies, independent scorer)
const seeds = flag('seeds', 5);
if (!args.includes('--no-compare') && seeds > 0) {
  const cmpOver = { max_train_texts: flag('compare-texts', base.max_train_texts), epochs: flag('compare-epochs', base.epochs) };
  const rows: Record<string, number[]> = { [`lambda=${base.lambda}`]: [], 'lambda=0': [] };
  const first = flag('seed-start', 1);
  for (let s = first; s < first + seeds; s++) {
    for (const lambda of [base.lambda, 0]) {
      const cfg = parseGeneratorConfig({ ...base, ...cmpOver, lambda });
      const t = await trainOne(cfg, 100 + s);
      const g = generateAll(t.gen, cfg, { seed: s });
      rows[`lambda=${lambda}`].push(alignment(g.texts, g.intents));
      t.gen.dispose();
      log.info(`compare seed ${s} lambda ${lambda}: alignment ${rows[`lambda=${lambda}`].at(-1)!.toFixed(4)} (${t.cpu.toFixed(0)} CPU-s)`);
    }
  }
  results.lambdaComparison = { settings: cmpOver, seeds, rows: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { mean: mean(v), std: std(v), values: v }])) };
}
const out = join(root, 'bench/results', `generator-${compareOnly ? 'compare-' : ''}${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeJsonAtomic(out, results);
log.info(`wrote ${out}`);
