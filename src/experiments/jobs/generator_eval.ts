import { join } from 'node:path';
import { tf } from '../../core/backend.js';
import { DataError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { cosine } from '../../core/vector.js';
import { parseSection } from '../../data/section.js';
import { parseGeneratorConfig } from '../../generation/config.js';
import { EKMAN7, buildCorpus, emotionCueVector, heldoutCells, referenceFor } from '../../generation/corpus/index.js';
import { criticScore } from '../../generation/critic.js';
import { entryIntent } from '../../generation/model/condition.js';
import { Generator } from '../../generation/model/generator.js';
import { loadSemEncoder, semScore } from '../../generation/sem/index.js';
import { semSectionSchema } from '../../generation/sem/schema.js';
import { trainTokenizer } from '../../generation/tokenizer.js';
import { trainGenerator } from '../../generation/train.js';
import type { CorpusEntry } from '../../generation/types.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { generatorEvalSectionSchema, type GeneratorEvalSection } from './schemas.js';
import { jobSpecs } from './specs.js';

export { generatorEvalSectionSchema, type GeneratorEvalSection } from './schemas.js';

const cpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Entries of the run: the corpus as built ('heldout'), or train templates split into train + validation ('validation'). */
export function evaluationEntries(entries: readonly CorpusEntry[], split: GeneratorEvalSection['split'], valShare: number, rng: Rng): { entries: CorpusEntry[]; dropped: number } {
  if (split === 'heldout') return { entries: [...entries], dropped: 0 };
  const train = entries.filter((e) => e.split === 'train');
  // Paraphrases of one template core (templateId = `<core>.<emotion>`) stay on one side, as the corpus's own split does.
  const core = (e: CorpusEntry) => (e.templateId ? e.templateId.slice(0, e.templateId.lastIndexOf('.')) : e.id);
  const cores = [...new Set(train.map(core))].sort();
  const k = Math.max(1, Math.round(valShare * cores.length));
  const val = new Set(rng.shuffle([...cores]).slice(0, k));
  return { entries: train.map((e) => (val.has(core(e)) ? { ...e, split: 'heldout' as const } : e)), dropped: entries.length - train.length };
}

export { heldoutCells };

/**
 * Emotion alignment of a decoded text, independent of the generator's loss:
 * cosine between the bundled cue lexicon's emotion vector of the text
 * (corpus/cues.ts, a fixed word list, never trained) and the one-hot intent
 * emotion. A text with no cue word scores 1/√C (uniform vector).
 */
export function lexiconAlignment(text: string, emotion: string, classes: readonly string[]): number {
  return cosine(emotionCueVector(text, classes), classes.map((c) => (c === emotion ? 1 : 0)));
}

/**
 * Control for `lexiconAlignment`: the text's mean alignment with every emotion
 * other than the intent's. A text whose emotion ignores the intent scores the
 * same here as against its own intent; a cue-free text scores 1/√C on both.
 */
export function lexiconAlignmentOther(text: string, emotion: string, classes: readonly string[]): number {
  const v = emotionCueVector(text, classes);
  const others = classes.filter((c) => c !== emotion);
  return others.reduce((a, c) => a + cosine(v, classes.map((k) => (k === c ? 1 : 0))), 0) / others.length;
}

/** Whether the text's strongest cue emotion is the intent emotion (ties and cue-free texts count as misses). */
export function lexiconHit(text: string, emotion: string, classes: readonly string[]): boolean {
  const v = emotionCueVector(text, classes);
  const i = classes.indexOf(emotion);
  return v.every((x, j) => j === i || x < v[i]);
}


/**
 * Trains the conditional generator on the bundled corpus with the `generator`
 * section as given, then scores its replies to held-out intents: SEM under the
 * configured encoder and the lexicon emotion alignment (sampled and greedy).
 * Sweep generator.lambda × seed and `affectlab report --group-by generator.lambda
 * --paired generator.lambda` for the λ > 0 vs λ = 0 acceptance (docs/generator.md).
 */
export async function runGeneratorEval(ctx: RunContext): Promise<JobResult> {
  const { config, log } = ctx;
  const G = parseSection(generatorEvalSectionSchema, config.generator_eval ?? {}, 'generator_eval');
  const genCfg = parseGeneratorConfig(config.generator ?? {});
  const semCfg = parseSection(semSectionSchema, config.sem ?? {}, 'sem');
  const cpu0 = cpuS();
  const corpusRng = new Rng(`generator_eval/corpus/${G.corpus.seed}`);
  const built = buildCorpus({ rng: corpusRng.fork('build'), perCell: G.corpus.per_cell, heldoutShare: G.corpus.heldout_share, emotions: [...EKMAN7], log });
  const { entries, dropped } = evaluationEntries(built, G.split, G.val_share, corpusRng.fork('validation'));
  if (dropped > 0) log.info(`generator_eval: split=validation: ${dropped} held-out entries left out of this run; ${entries.filter((e) => e.split === 'heldout').length} train entries held back for validation`);
  const classes = [...EKMAN7];
  const tokenizer = trainTokenizer(entries.filter((e) => e.split === 'train').map((e) => e.text), { vocabSize: G.corpus.vocab });

  const t0 = performance.now();
  const c0 = cpuS();
  const trained = await trainGenerator({
    entries,
    tokenizer,
    cfg: genCfg,
    rng: ctx.rng.fork('generator'),
    log,
    classes,
    signal: ctx.signal,
    onEpoch: (s) => ctx.metrics.log({ epoch: s.epoch, train_loss: s.trainLoss, train_ce: s.trainCe, train_align: s.trainAlign, val_ce: s.valCe, val_align: s.valAlign, seconds: s.seconds }),
  });
  if (trained.aborted) throw new DataError('generator_eval: training interrupted');
  const trainS = (performance.now() - t0) / 1000;
  const trainCpuS = cpuS() - c0;
  const generator = new Generator(trained.model, tokenizer);
  try {
    const genDir = generator.save(join(ctx.runDir, 'generator'));
    const cells = heldoutCells(entries, G.intents, corpusRng.fork('cells'));
    if (cells.length === 0) throw new DataError(`generator_eval: no ${G.split} intents to score (corpus.heldout_share=${G.corpus.heldout_share})`);
    if (cells.length < G.intents) log.warn(`generator_eval: ${cells.length} distinct ${G.split} intents, fewer than intents=${G.intents}`);
    const refs = cells.map((e) => referenceFor(entries, { emotion: e.emotion, intensity: e.intensity, tone: e.tone, strategy: e.strategy })[0].text);
    const dec = genCfg.decoding;
    const decodeRng = ctx.rng.fork('decode');
    const sampled: { cell: number; text: string; ids: number[] }[] = [];
    const greedy: string[] = [];
    cells.forEach((e, i) => {
      const intent = entryIntent(e, genCfg, classes);
      const controls = { tone: e.tone, temperature: dec.temperature, emotionWeight: dec.emotion_weight };
      for (let s = 0; s < G.samples; s++) {
        const out = generator.generate(intent, controls, { rng: decodeRng, replyStrategy: e.strategy, strategy: 'sample' });
        sampled.push({ cell: i, text: out.text, ids: tokenizer.encode(out.text) });
      }
      greedy.push(generator.generate(intent, controls, { replyStrategy: e.strategy, strategy: 'greedy' }).text);
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const align = sampled.map((s) => lexiconAlignment(s.text, cells[s.cell].emotion, classes));
    const hits = sampled.map((s) => (lexiconHit(s.text, cells[s.cell].emotion, classes) ? 1 : 0));
    const alignGreedy = greedy.map((t, i) => lexiconAlignment(t, cells[i].emotion, classes));
    const alignOther = sampled.map((s) => lexiconAlignmentOther(s.text, cells[s.cell].emotion, classes));
    const alignRef = refs.map((t, i) => lexiconAlignment(t, cells[i].emotion, classes));
    const alignRefOther = refs.map((t, i) => lexiconAlignmentOther(t, cells[i].emotion, classes));
    const specials = [tokenizer.padId, tokenizer.bosId, tokenizer.eosId];
    const critic = trained.critic;
    const criticAlign = critic ? mean(sampled.map((s) => cosine(criticScore(critic, s.ids, specials), classes.map((c) => (c === cells[s.cell].emotion ? 1 : 0))))) : NaN;

    const encoder = await loadSemEncoder(semCfg, { entries, tokenizer, log });
    const sem = await semScore(encoder, sampled.map((s) => s.text), sampled.map((s) => refs[s.cell]));
    const last = trained.history[trained.history.length - 1];
    const metrics: Record<string, number> = {
      ALIGN: mean(align),
      ALIGN_hit: mean(hits),
      ALIGN_greedy: mean(alignGreedy),
      // Controls: the same replies scored against the other emotions (ALIGN − ALIGN_other > 0 only if the
      // replies' emotion follows the intent), and the references' own scores (the measure's ceiling).
      ALIGN_other: mean(alignOther),
      ALIGN_ref: mean(alignRef),
      ALIGN_ref_other: mean(alignRefOther),
      SEM: sem.sem,
      CE_val: last.valCe,
      train_s: trainS,
      train_cpu_s: trainCpuS,
      cpu_s: cpuS() - cpu0,
    };
    if (Number.isFinite(criticAlign)) metrics.ALIGN_critic = criticAlign;
    log.info(
      `generator_eval (λ=${genCfg.lambda}, align_source=${genCfg.align_source}, ${G.split}): ALIGN ${metrics.ALIGN.toFixed(4)} (greedy ${metrics.ALIGN_greedy.toFixed(4)}, hit ${metrics.ALIGN_hit.toFixed(3)}, other emotions ${metrics.ALIGN_other.toFixed(4)}; ` +
        `references ${mean(alignRef).toFixed(4)} / other emotions ${mean(alignRefOther).toFixed(4)}, no-cue text ${(1 / Math.sqrt(classes.length)).toFixed(4)}) SEM ${sem.sem.toFixed(4)} ± ${sem.std.toFixed(4)} ` +
        `[${sem.encoder.name}@${sem.encoder.hash}] over ${cells.length} intents × ${G.samples}; training ${trainS.toFixed(0)} s wall, ${trainCpuS.toFixed(0)} CPU-s`,
    );
    return {
      metrics,
      tables: {
        sem_encoder: { name: sem.encoder.name, hash: sem.encoder.hash, std: sem.std, n: sem.n },
        alignment: {
          scorer: 'lexicon: cosine(emotionCueVector(text), one-hot intent emotion)',
          references: mean(alignRef),
          no_cue_text: 1 / Math.sqrt(classes.length),
          critic: critic ? { note: 'the loss\'s own critic, not independent', trainAccuracy: critic.trainAccuracy } : null,
        },
        generator: { history: trained.history, counts: trained.counts, version: generator.version, vocab: tokenizer.vocabSize, corpusEntries: entries.length, split: G.split },
        samples: cells.slice(0, 10).map((e, i) => ({ emotion: e.emotion, intensity: e.intensity, tone: e.tone, strategy: e.strategy, reference: refs[i], greedy: greedy[i], sampled: sampled.find((s) => s.cell === i)?.text })),
      },
      artifacts: { generator: genDir },
      notes: [`emotion alignment scored by the corpus cue lexicon on decoded ${G.split} replies; SEM encoder ${sem.encoder.name}@${sem.encoder.hash}; backend ${tf.getBackend()}`],
    };
  } finally {
    generator.dispose();
  }
}

export const generatorEvalJob: JobDefinition = { ...jobSpecs.generator_eval, run: runGeneratorEval };
