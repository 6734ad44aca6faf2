import { join } from 'node:path';
import { z } from 'zod';
import { tf } from '../../core/backend.js';
import { ConfigError, DataError } from '../../core/errors.js';
import { createDataset } from '../../data/registry.js';
import { MODALITIES } from '../../data/types.js';
import { holdoutSplit } from '../../data/splits.js';
import { confusionMatrix, rocOvr, rtSummary, trainingStability } from '../../eval/metrics.js';
import { AuditLog, verifyAudit } from '../../generation/audit.js';
import { parseGeneratorConfig } from '../../generation/config.js';
import { EKMAN7, buildCorpus, heldoutCells, referenceFor } from '../../generation/corpus/index.js';
import { entryIntent } from '../../generation/model/condition.js';
import { Generator } from '../../generation/model/generator.js';
import { respondSafely } from '../../generation/safety/index.js';
import { loadSemEncoder, semScore, semSectionSchema } from '../../generation/sem/index.js';
import { trainTokenizer } from '../../generation/tokenizer.js';
import { trainGenerator } from '../../generation/train.js';
import type { Controls, Intervention } from '../../generation/types.js';
import { disposeBatch, makeBatch, toBatch, type PerceptionSet } from '../../perception/fusion/batch.js';
import { createPerceptionModel, parsePerceptionTrainConfig, predictEmotion, saveModel, zodMessage } from '../../perception/model.js';
import { evaluate as evaluatePerception, trainPerception } from '../../perception/train.js';
import { HashedTokenEmbedding, normalizeItem, parsePerceptionSection, prepareFeatures, prepareSample, splitSets } from '../../perception/pipeline.js';
import type { EmotionVector } from '../../perception/types.js';
import { reasoningSectionSchema } from '../../reasoning/config.js';
import { ReasoningModel, type HistoryTurn } from '../../reasoning/model.js';
import { parseRlSection } from '../../rl/config.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { TrainedGeneratorHook, runPpoStage, trainedPerceptionHooks, type PpoStageResult } from './pipeline_rl.js';
import { surrogateFor, type SurrogateChoice } from '../../rl/surrogate.js';
import { pipelineSectionSchema } from './schemas.js';
import { jobSpecs } from './specs.js';

export { pipelineSectionSchema, type PipelineSection } from './schemas.js';

const ms = (t0: number) => performance.now() - t0;
/** Process CPU seconds (user + system): on a shared machine, steadier than wall time. */
const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function parseSection<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(zodMessage(where, r.error));
  return r.data;
}

/** Probabilities and (arousal, valence) of a whole set, in chunks (one read-back per chunk). */
function predictSet(model: Parameters<typeof predictEmotion>[0], set: PerceptionSet, classes: string[], chunk = 128): EmotionVector[] {
  const out: EmotionVector[] = [];
  for (let s = 0; s < set.n; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, set.n - s) }, (_, i) => s + i);
    const b = toBatch(set, idx);
    try {
      out.push(...predictEmotion(model, b, classes));
    } finally {
      disposeBatch(b);
    }
  }
  return out;
}


async function runPipeline(ctx: RunContext): Promise<JobResult> {
  const cfg = ctx.config;
  const P = parseSection(pipelineSectionSchema, cfg.pipeline, 'pipeline');
  const trainCfg = parsePerceptionTrainConfig(cfg.perception?.train, 'perception.train');
  const genCfg = parseGeneratorConfig(cfg.generator ?? {});
  const semCfg = parseSection(semSectionSchema, cfg.sem ?? {}, 'sem');
  const reasonCfg = parseSection(reasoningSectionSchema, cfg.reasoning ?? {}, 'reasoning');
  const rlSection = parseRlSection(cfg.rl);
  // The perception stage is the perception pipeline's (src/perception/pipeline.ts) with the
  // modalities this job names; extractors of the modalities left out never run.
  const percCfg = parsePerceptionSection({ ...(cfg.perception ?? {}), modalities: P.modalities });
  for (const m of MODALITIES) if (!P.modalities.includes(m)) percCfg.features[m].enabled = false;
  // One memoised token embedding for every batch-1 read (RT path and the RL env's trained perception).
  const textEmbed = new HashedTokenEmbedding(percCfg.text.dim, percCfg.text.seed);
  const log = ctx.log;
  const tStart = performance.now();
  const stageS: Record<string, number> = {};
  const stageCpuS: Record<string, number> = {};
  // The process may have run other jobs before (basic launcher, local workers): count this job's CPU only.
  const cpuStart = cpuS();
  let c0 = cpuStart;
  const mark = (stage: string) => {
    const c = cpuS();
    stageCpuS[stage] = c - c0;
    c0 = c;
    log.debug(`${stage}: ${stageCpuS[stage].toFixed(1)} CPU-s, ${tf.memory().numTensors} live tensors`);
  };
  const notes: string[] = [];

  // ---- 1. Perception --------------------------------------------------------
  let t0 = performance.now();
  const dataset = createDataset(cfg.dataset, { rng: ctx.rng.fork('dataset'), log: log.child('data') });
  const classes = dataset.info.classes;
  const split = holdoutSplit(dataset, ctx.rng.fork('split'), { testShare: P.test_share, valShare: P.val_share });
  log.info(`dataset ${dataset.info.name}: ${dataset.size} samples, classes [${classes}], split ${split.train.length}/${split.val.length}/${split.test.length}`);
  const data = prepareFeatures(dataset, percCfg, { cwd: process.cwd(), log, progress: ctx.progress, signal: ctx.signal });
  if (ctx.signal.aborted) throw new DataError('perception: interrupted during feature extraction');
  const sets = splitSets(data, split, { normalize: percCfg.normalize, dropEmpty: true, log });
  stageS.features = ms(t0) / 1000;
  mark('features');
  log.info(`features+align: T=${data.T}, dims ${JSON.stringify(data.dims)} (${stageS.features.toFixed(1)} s)`);

  t0 = performance.now();
  const model = createPerceptionModel(cfg.fusion, data.dims, classes.length, ctx.rng.fork('perception'), trainCfg);
  let reasoning: ReasoningModel | undefined;
  let generator: Generator | undefined;
  try {
    const trained = await trainPerception({
      train: sets.train,
      val: sets.val,
      model,
      cfg: trainCfg,
      rng: ctx.rng.fork('perception-train'),
      log,
      checkpointDir: join(ctx.runDir, 'perception'),
      signal: ctx.signal,
      progress: ctx.progress,
      onEpoch: (r) => ctx.metrics.log({ stage: 'perception', ...r }),
    });
    if (trained.stopReason === 'aborted') throw new DataError('perception: training interrupted');
    const test = evaluatePerception(model, sets.test, trainCfg);
    const evs = predictSet(model, sets.test, classes);
    const yPred = evs.map((e) => e.probs.indexOf(Math.max(...e.probs)));
    const yTrue = Array.from(sets.test.y);
    const roc = rocOvr(yTrue, evs.map((e) => e.probs), classes.length);
    const curve = trained.history.map((h) => h[P.ts_metric]);
    let TS = NaN;
    if (curve.length >= P.ts_window) TS = trainingStability(curve, { window: P.ts_window });
    else notes.push(`TS not computed: ${curve.length} epoch(s) < pipeline.ts_window=${P.ts_window}`);
    stageS.perception_train = ms(t0) / 1000;
    mark('perception_train');
    saveModel(join(ctx.runDir, 'perception', 'model.json'), model, cfg.fusion, data.dims, classes, { norm: sets.norm, perception: cfg.perception, dataset: dataset.info.name, steps: data.T });
    log.info(`perception test: ACC=${test.ACC.toFixed(4)} UA=${test.UA.toFixed(4)} F1w=${test.F1w.toFixed(4)} SIM=${test.SIM.toFixed(4)} TS=${TS.toFixed(4)} (${trained.history.length} epochs, ${stageS.perception_train.toFixed(1)} s)`);

    // ---- 2. Reasoning + generation -----------------------------------------
    t0 = performance.now();
    reasoning = new ReasoningModel(classes, reasonCfg, ctx.rng.fork('reasoning'));
    const corpusEmotions = classes.every((c) => (EKMAN7 as readonly string[]).includes(c)) ? classes : undefined;
    if (!corpusEmotions) throw new DataError(`generation: dataset classes [${classes}] are not all in the bundled corpus's ekman7 set [${EKMAN7}]`);
    const entries = buildCorpus({ rng: ctx.rng.fork('corpus'), perCell: P.corpus.per_cell, heldoutShare: P.corpus.heldout_share, emotions: corpusEmotions, log });
    const tokenizer = trainTokenizer(entries.filter((e) => e.split === 'train').map((e) => e.text), { vocabSize: P.corpus.vocab });
    const gtrain = await trainGenerator({
      entries,
      tokenizer,
      cfg: genCfg,
      rng: ctx.rng.fork('generator'),
      log,
      classes,
      signal: ctx.signal,
      onEpoch: (s) => ctx.metrics.log({ stage: 'generator', ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k === 'epoch' ? 'epoch' : `gen/${k}`, typeof v === 'number' ? v : null])) }),
    });
    if (gtrain.aborted) throw new DataError('generator: training interrupted');
    generator = new Generator(gtrain.model, tokenizer);
    const genDir = generator.save(join(ctx.runDir, 'generator'));
    stageS.generator_train = ms(t0) / 1000;
    mark('generator_train');

    t0 = performance.now();
    const encoder = await loadSemEncoder(semCfg, { entries, tokenizer, log });
    const cells = heldoutCells(entries, P.sem_intents, ctx.rng.fork('sem-cells'));
    const semRng = ctx.rng.fork('sem-decode');
    const genTexts = cells.map((e) => generator!.generate(entryIntent(e, genCfg, classes), { tone: e.tone, temperature: genCfg.decoding.temperature, emotionWeight: genCfg.decoding.emotion_weight }, { rng: semRng, replyStrategy: e.strategy }).text);
    const refs = cells.map((e) => referenceFor(entries, { emotion: e.emotion, intensity: e.intensity, tone: e.tone, strategy: e.strategy })[0].text);
    const sem = await semScore(encoder, genTexts, refs);
    stageS.sem = ms(t0) / 1000;
    mark('sem');
    log.info(`SEM ${sem.sem.toFixed(4)} ± ${sem.std.toFixed(4)} over ${sem.n} held-out intents, encoder ${sem.encoder.name}@${sem.encoder.hash}`);

    // ---- 3. PPO ------------------------------------------------------------
    let ppoRes: PpoStageResult | undefined;
    let surrogate: SurrogateChoice | undefined;
    if (P.ppo.enabled) {
      t0 = performance.now();
      const bar = ctx.progress('ppo intervention', Math.max(1, Math.floor(rlSection.ppo.total_timesteps / (rlSection.ppo.num_envs * rlSection.ppo.num_steps))));
      const fullHook = new TrainedGeneratorHook(generator);
      // rl.generator=surrogate: fitted to this run's generator (rl.surrogate), written to <run>/surrogate_calibration.json.
      surrogate = rlSection.generator === 'surrogate' ? surrogateFor(rlSection, { rng: ctx.rng.fork('surrogate'), full: fullHook, generatorName: generator.version, saveDir: ctx.runDir, log }) : undefined;
      if (surrogate) notes.push(surrogate.note);
      const real =
        rlSection.intervention.perception === 'trained'
          ? trainedPerceptionHooks({
              dataset: cfg.dataset,
              model,
              classes,
              featurize: (s) => {
                const it = prepareSample(s, percCfg, data.modalities, { embed: textEmbed, log });
                return it ? normalizeItem(it, sets.norm) : null;
              },
              modalities: data.modalities,
              dims: data.dims,
              T: data.T,
              choice: rlSection.intervention.emitter_choice,
              seed: ctx.rng.fork('rl-emitter').int32(),
              log,
            })
          : undefined;
      ppoRes = runPpoStage(rlSection, ctx.rng.fork('rl'), {
        full: rlSection.generator === 'full' ? fullHook : undefined,
        surrogate: surrogate?.hook,
        real,
        signal: ctx.signal,
        tuneEpisodes: P.ppo.tune_episodes,
        onUpdate: (l) => {
          ctx.metrics.log({ stage: 'ppo', ...l });
          const ret = l['charts/episodic_return'];
          bar.tick(1, ret === null ? {} : { return: ret.toFixed(2) });
        },
      });
      bar.stop();
      stageS.ppo = ms(t0) / 1000;
      mark('ppo');
      log.info(`PPO (${rlSection.generator} generator, trained on ${ppoRes.trainedOn} perception, ${ppoRes.trainSteps} steps): eval return ${ppoRes.ppo.meanReturn.toFixed(3)} vs best fixed ${ppoRes.fixed.meanReturn.toFixed(3)} (${JSON.stringify(ppoRes.fixedControl)}) vs random ${ppoRes.random.meanReturn.toFixed(3)} (stand-in perception, ${ppoRes.evalCpuMsPerStep.toFixed(2)} CPU-ms/step)`);
      if (ppoRes.real) {
        const r = ppoRes.real;
        log.info(`PPO on SynAffect signals + trained perception (${r.episodes} users): ${r.ppo.meanReturn.toFixed(3)} vs best fixed ${r.fixed.meanReturn.toFixed(3)} vs random ${r.random.meanReturn.toFixed(3)} (${r.cpuMsPerStep.toFixed(1)} CPU-ms/step, ${r.evalS.toFixed(1)} s)`);
      }
    }

    // ---- 4+5. RT, safety, audit ---------------------------------------------
    t0 = performance.now();
    const controls: Controls =
      P.controls === 'best_fixed' && ppoRes ? ppoRes.fixedControl : { tone: P.tone, temperature: genCfg.decoding.temperature, emotionWeight: genCfg.decoding.emotion_weight };
    const auditPath = join(ctx.runDir, 'audit.jsonl');
    const audit = AuditLog.open(auditPath, { modelVersion: `perception:${model.name}+generator:${generator.version}`, log });
    const rtRng = ctx.rng.fork('rt-decode');
    const testIdx = sets.indices.test;
    if (testIdx.length === 0) throw new DataError('RT: the test split has no usable sample');
    const timings: { total: number; perception: number; reasoning: number; generation: number }[] = [];
    const samples: Record<string, unknown>[] = [];
    const histories = new Map<string, HistoryTurn[]>();
    const verdicts: Record<string, number> = {};
    let skippedRt = 0;
    const nTotal = P.rt.warmup + P.rt.utterances;
    const bar = ctx.progress('RT + audit', nTotal);
    const T = data.T;
    const mods = data.modalities;
    for (let k = 0; k < nTotal; k++) {
      if (ctx.signal.aborted) break;
      const sample = dataset.get(testIdx[k % testIdx.length]);
      // Perception: raw signals → features → alignment → normalisation → one forward pass (batch 1).
      const ta = performance.now();
      const item = prepareSample(sample, percCfg, mods, { embed: textEmbed, log });
      if (!item) {
        skippedRt++;
        bar.tick(1);
        continue;
      }
      const z = normalizeItem(item, sets.norm);
      const batch = makeBatch([z], mods, data.dims, T);
      const ev = predictEmotion(model, batch, classes)[0];
      disposeBatch(batch);
      const tb = performance.now();
      const key = sample.dialogue ?? sample.id;
      const hist = histories.get(key) ?? [];
      const intent = reasoning.intent(ev, hist);
      hist.push({ ev });
      histories.set(key, hist);
      const tc = performance.now();
      const turn = await respondSafely({ input: sample.transcript ?? '', controls, tokenizer, generate: () => generator!.generate(intent, controls, { rng: rtRng }) });
      const td = performance.now();
      const iv: Intervention = turn.intervention;
      if (k >= P.rt.warmup) timings.push({ total: td - ta, perception: tb - ta, reasoning: tc - tb, generation: td - tc });
      verdicts[iv.safety.verdict] = (verdicts[iv.safety.verdict] ?? 0) + 1;
      audit.appendIntervention(iv, { emotion: ev, intent, decoding: { temperature: controls.temperature, emotionWeight: controls.emotionWeight, top_p: genCfg.decoding.top_p, top_k: genCfg.decoding.top_k, strategy: genCfg.decoding.strategy } });
      if (samples.length < P.samples) {
        samples.push({
          id: sample.id,
          trueEmotion: sample.labels.className,
          emotion: intent.emotion,
          probs: Object.fromEntries(classes.map((c, i) => [c, Number(ev.probs[i].toFixed(3))])),
          intent: { emotion: intent.emotion, intensity: intent.intensity, polarity: intent.polarity },
          controls,
          text: iv.text,
          safety: iv.safety,
        });
      }
      bar.tick(1);
    }
    bar.stop();
    if (skippedRt > 0) log.warn(`RT: ${skippedRt} utterance(s) without any selected modality were skipped`);
    if (timings.length === 0) throw new DataError('RT: no utterance was timed');
    const rt = rtSummary(timings.map((t) => t.total));
    const stageRt = {
      perception: rtSummary(timings.map((t) => t.perception)),
      reasoning: rtSummary(timings.map((t) => t.reasoning)),
      generation: rtSummary(timings.map((t) => t.generation)),
    };
    const verification = verifyAudit(auditPath);
    stageS.rt_audit = ms(t0) / 1000;
    mark('rt_audit');
    log.info(`RT p50 ${rt.p50.toFixed(1)} ms, p95 ${rt.p95.toFixed(1)} ms over ${rt.n} utterances (perception p50 ${stageRt.perception.p50.toFixed(1)}, reasoning ${stageRt.reasoning.p50.toFixed(2)}, generation ${stageRt.generation.p50.toFixed(1)}); audit ${verification.ok ? 'verifies' : 'FAILS'}`);

    const metrics: Record<string, number> = {
      ACC: test.ACC,
      UA: test.UA,
      F1w: test.F1w,
      SIM: test.SIM,
      SEM: sem.sem,
      RT_p50: rt.p50,
      RT_p95: rt.p95,
      ...(Number.isFinite(TS) ? { TS } : {}),
      val_ACC: trained.final.ACC,
      macro_AUC: roc.macroAuc,
      perception_epochs: trained.history.length,
      RT_perception_p50: stageRt.perception.p50,
      RT_reasoning_p50: stageRt.reasoning.p50,
      RT_generation_p50: stageRt.generation.p50,
      audit_records: verification.records,
      wall_s: ms(tStart) / 1000,
      cpu_s: cpuS() - cpuStart,
    };
    const check = surrogate?.calibration?.check;
    if (check) for (const [k, v] of Object.entries(check.tau)) metrics[`surrogate_tau_${k}`] = v.mean;
    if (ppoRes) {
      Object.assign(metrics, {
        ppo_return: ppoRes.ppo.meanReturn,
        ppo_return_std: ppoRes.ppo.stdReturn,
        fixed_return: ppoRes.fixed.meanReturn,
        random_return: ppoRes.random.meanReturn,
        ppo_tone_match: ppoRes.ppo.toneMatchRate,
        ppo_steps: ppoRes.trainSteps,
        ppo_eval_cpu_ms_per_step: ppoRes.evalCpuMsPerStep,
      });
      if (ppoRes.real) {
        Object.assign(metrics, {
          ppo_return_real: ppoRes.real.ppo.meanReturn,
          ppo_return_real_std: ppoRes.real.ppo.stdReturn,
          fixed_return_real: ppoRes.real.fixed.meanReturn,
          random_return_real: ppoRes.real.random.meanReturn,
          ppo_tone_match_real: ppoRes.real.ppo.toneMatchRate,
          real_eval_episodes: ppoRes.real.episodes,
          real_cpu_ms_per_step: ppoRes.real.cpuMsPerStep,
        });
      }
    }
    return {
      metrics,
      tables: {
        confusion: { classes, matrix: confusionMatrix(yTrue, yPred, classes.length) },
        roc: {
          curves: roc.curves.flatMap((c, i) => (c ? [{ label: classes[i], fpr: c.fpr, tpr: c.tpr, auc: roc.auc[i] }] : [])),
          macroAuc: roc.macroAuc,
          notes: roc.notes,
        },
        perception: { history: trained.history, bestEpoch: trained.bestEpoch, stopReason: trained.stopReason, T: data.T, dims: data.dims, skipped: sets.skipped, prep: data.stats, fusionFit: trained.fusionFit ?? null },
        sem_encoder: { name: sem.encoder.name, hash: sem.encoder.hash, std: sem.std, n: sem.n },
        generator: { history: gtrain.history, counts: gtrain.counts, version: generator.version, vocab: tokenizer.vocabSize, corpusEntries: entries.length },
        rt: { backend: ctx.backend, batch: 1, warmup: P.rt.warmup, total: rt, ...stageRt },
        surrogate: surrogate?.calibration ? { source: surrogate.calibration.source, fit: surrogate.calibration.fit, check: surrogate.calibration.check ?? null, path: surrogate.path } : null,
        ppo: ppoRes
          ? { generator: rlSection.generator, perception: rlSection.intervention.perception, trainedOn: ppoRes.trainedOn, ppo: ppoRes.ppo, fixed: ppoRes.fixed, random: ppoRes.random, fixedControl: ppoRes.fixedControl, trainSteps: ppoRes.trainSteps, trainS: ppoRes.trainS, updates: ppoRes.updates, evalCpuMsPerStep: ppoRes.evalCpuMsPerStep, real: ppoRes.real ?? null }
          : null,
        safety: { verdicts, audit: verification },
        interventions: samples,
        stage_seconds: stageS,
        stage_cpu_seconds: stageCpuS,
      },
      artifacts: { audit: auditPath, perception_model: join(ctx.runDir, 'perception', 'model.json'), generator: genDir },
      notes,
    };
  } finally {
    const n0 = tf.memory().numTensors;
    model.dispose();
    const n1 = tf.memory().numTensors;
    reasoning?.dispose();
    const n2 = tf.memory().numTensors;
    generator?.dispose();
    log.debug(`after dispose: ${n0} -> perception ${n1} -> reasoning ${n2} -> generator ${tf.memory().numTensors} live tensors`);

  }
}

export const pipelineJob: JobDefinition = { ...jobSpecs.pipeline, run: runPipeline };
