import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, tf } from '../core/backend.js';
import { DataError, show } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { Progress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { disposeBatch, toBatch, type PerceptionSet } from './fusion/batch.js';
import type { FusionFitReport, FusionModel, FusionOutput, NamedWeight, PerceptionBatch } from './fusion/types.js';
import { classificationMetrics, simAV } from './metrics.js';
import { Adam, clipByGlobalNorm } from './optim.js';
import type { PerceptionTrainConfig } from './schema.js';
import { decodeFloats, decodeWeights, encodeFloats, encodeWeights, type EncodedWeight } from './weights_io.js';

export { perceptionTrainSchema, type PerceptionTrainConfig } from './schema.js';

/** One line of metrics.jsonl per epoch. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  val_loss: number;
  ACC: number;
  UA: number;
  F1w: number;
  SIM: number;
  /** Training throughput of this epoch (forward + backward + update), samples/s. */
  train_samples_per_s: number;
}

export interface EvalResult {
  loss: number;
  ACC: number;
  UA: number;
  F1w: number;
  SIM: number;
  n: number;
}

export interface TrainOptions {
  train: PerceptionSet;
  val: PerceptionSet;
  model: FusionModel;
  cfg: PerceptionTrainConfig;
  rng: Rng;
  log?: Logger;
  /** Called after each epoch's checkpoint is written; the runner appends the record to metrics.jsonl. */
  onEpoch?: (record: EpochRecord) => void;
  /** Where `checkpoint.json` is written every epoch and resumed from. */
  checkpointDir?: string;
  /** Checked between minibatches; on abort the loop stops, keeping the last whole epoch's checkpoint. */
  signal?: AbortSignal;
  progress?: (label: string, total: number) => Progress;
}

export type StopReason = 'early_stop' | 'max_epochs' | 'aborted';

export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestScore: number;
  stopReason: StopReason;
  /** The epoch a resumed run continued after, if it resumed. */
  resumedFrom?: number;
  /** Late fusion: what the validation fit found. */
  fusionFit?: FusionFitReport;
  /** Validation metrics of the returned model (best weights, fitted fusion). */
  final: EvalResult;
  /** The tfjs backend that ran (timings are only comparable on the same one). */
  backend: string;
}

const CHECKPOINT_FORMAT = 'affectlab.perception.checkpoint/1';

interface Checkpoint {
  format: string;
  model: string;
  epoch: number;
  done: boolean;
  weights: EncodedWeight[];
  optimizer: { step: number; m: string[]; v: string[] };
  rng: ReturnType<Rng['state']>;
  dropoutRng: ReturnType<Rng['state']>;
  best: { epoch: number; score: number; weights: EncodedWeight[] | null };
  badEpochs: number;
  history: EpochRecord[];
}

/** Per-sample losses on a model output: cross-entropy (from logits) and MSE over (arousal, valence). */
function perSample(out: { logits: tf.Tensor2D; av: tf.Tensor2D }, y: tf.Tensor1D, av: tf.Tensor2D, C: number): { ce: tf.Tensor1D; mse: tf.Tensor1D } {
  const onehot = tf.oneHot(y, C).cast('float32');
  const ce = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(out.logits)), 1)) as tf.Tensor1D;
  const mse = tf.mean(tf.square(tf.sub(out.av, av)), 1) as tf.Tensor1D;
  return { ce, mse };
}

/**
 * The training objective. Late fusion trains each modality's model on its own
 * loss (averaged over the samples where that modality is present) and sums
 * them; every other strategy uses the fused output's loss.
 */
export function lossOf(out: FusionOutput, batch: PerceptionBatch, cfg: PerceptionTrainConfig, nClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const { cls, av } = cfg.lossWeights;
    if (out.parts) {
      const terms = out.parts.map((p) => {
        const { ce, mse } = perSample(p, batch.y, batch.av, nClasses);
        const per = tf.add(tf.mul(ce, cls), tf.mul(mse, av));
        return tf.div(tf.sum(tf.mul(per, p.mask)), tf.maximum(tf.sum(p.mask), 1));
      });
      return tf.addN(terms) as tf.Scalar;
    }
    const { ce, mse } = perSample(out, batch.y, batch.av, nClasses);
    return tf.add(tf.mul(tf.mean(ce), cls), tf.mul(tf.mean(mse), av)) as tf.Scalar;
  });
}

/** Validation loss (of the fused output) and ACC / UA / F1w / SIM, in chunks of `batchSize`. */
export function evaluate(model: FusionModel, set: PerceptionSet, cfg: PerceptionTrainConfig, batchSize = cfg.evalBatchSize): EvalResult {
  const preds = new Int32Array(set.n);
  const av = new Float32Array(set.n * 2);
  let lossSum = 0;
  for (let start = 0; start < set.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.n - start) }, (_, i) => start + i);
    const batch = toBatch(set, idx);
    const [loss, arg, avp] = tf.tidy(() => {
      const out = model.forward(batch, false);
      const { ce, mse } = perSample(out, batch.y, batch.av, model.nClasses);
      const l = tf.sum(tf.add(tf.mul(ce, cfg.lossWeights.cls), tf.mul(mse, cfg.lossWeights.av)));
      return [l, tf.argMax(out.logits, 1), out.av];
    });
    lossSum += loss.dataSync()[0];
    preds.set(arg.dataSync() as Int32Array, start);
    av.set(avp.dataSync() as Float32Array, start * 2);
    tf.dispose([loss, arg, avp]);
    disposeBatch(batch);
  }
  return { loss: lossSum / set.n, ...classificationMetrics(set.y, preds, model.nClasses), SIM: simAV(av, set.av), n: set.n };
}

function higherIsBetter(monitor: PerceptionTrainConfig['monitor']): boolean {
  return monitor !== 'val_loss';
}

function scoreOf(r: EpochRecord, monitor: PerceptionTrainConfig['monitor']): number {
  return monitor === 'val_loss' ? r.val_loss : r[monitor];
}

function checkCompatible(set: PerceptionSet, model: FusionModel, which: string): void {
  if (set.modalities.join(',') !== model.modalities.join(',')) {
    throw new DataError(`${which}: modalities [${set.modalities}] do not match the model's [${model.modalities}]`);
  }
  for (let i = 0; i < set.n; i++) {
    if (set.y[i] < 0 || set.y[i] >= model.nClasses) throw new DataError(`${which}: ${set.ids[i]} has class ${set.y[i]}; expected [0, ${model.nClasses})`);
  }
}

function logMissing(set: PerceptionSet, which: string, log: Logger): void {
  const M = set.modalities.length;
  set.modalities.forEach((m, j) => {
    let missing = 0;
    for (let i = 0; i < set.n; i++) if (set.presence[i * M + j] === 0) missing++;
    if (missing > 0) log.info(`${which}: ${missing}/${set.n} samples lack ${m} (masked, not dropped)`);
  });
}

/** Late fusion: fits the fusion weights on the whole validation split (never test data). */
function fitOnVal(model: FusionModel, val: PerceptionSet): FusionFitReport {
  const vb = toBatch(val);
  try {
    return model.fitFusion!(vb);
  } finally {
    disposeBatch(vb);
  }
}

function loadCheckpoint(path: string, model: FusionModel, opt: Adam): Checkpoint {
  const ck = readJson<Checkpoint>(path);
  if (ck.format !== CHECKPOINT_FORMAT) throw new DataError(`${path}: format ${show(ck.format)}; expected ${show(CHECKPOINT_FORMAT)}`);
  if (ck.model !== model.name) throw new DataError(`${path}: checkpoint of fusion ${show(ck.model)}; this run trains ${show(model.name)} (use another checkpoint folder)`);
  model.setWeights(decodeWeights(ck.weights, `${path}: weights`), `${path}: weights`);
  const sizes = model.trainableWeights.map((v) => v.size);
  if (ck.optimizer.m.length !== sizes.length) throw new DataError(`${path}: optimizer has ${ck.optimizer.m.length} moment tensors; expected ${sizes.length}`);
  opt.setState(
    {
      step: ck.optimizer.step,
      m: ck.optimizer.m.map((s, i) => decodeFloats(s, sizes[i], `${path}: optimizer.m[${i}]`)),
      v: ck.optimizer.v.map((s, i) => decodeFloats(s, sizes[i], `${path}: optimizer.v[${i}]`)),
    },
    `${path}: optimizer`,
  );
  return ck;
}

/**
 * The one training loop every fusion strategy shares: Adam (L2 or decoupled
 * weight decay), minibatches shuffled by `rng`, validation each epoch (loss,
 * ACC, UA, F1w, SIM), early stopping on `cfg.monitor` with patience, an
 * atomic checkpoint each epoch (weights, Adam moments, epoch, RNG states,
 * best-so-far) that a restarted run resumes from. At the end the best weights
 * are restored and late-fusion strategies fit their fusion weights on the
 * validation split.
 */
export async function trainPerception(opts: TrainOptions): Promise<TrainResult> {
  const { train, val, model, cfg } = opts;
  const log = opts.log ?? silentLogger;
  if (train.n === 0) throw new DataError('train: no samples');
  if (val.n === 0) throw new DataError('val: no samples (early stopping and late-fusion weights need a validation split)');
  checkCompatible(train, model, 'train');
  checkCompatible(val, model, 'val');
  logMissing(train, 'train', log);
  logMissing(val, 'val', log);

  const vars = model.trainableWeights;
  const o = cfg.optimizer;
  const opt = new Adam(vars, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, weightDecayMode: o.weightDecayMode });
  let rng = opts.rng.fork('train');
  let history: EpochRecord[] = [];
  let best = { epoch: 0, score: higherIsBetter(cfg.monitor) ? -Infinity : Infinity, weights: null as NamedWeight[] | null };
  let badEpochs = 0;
  let startEpoch = 1;
  let resumedFrom: number | undefined;
  let done = false;
  const ckPath = opts.checkpointDir ? join(opts.checkpointDir, 'checkpoint.json') : undefined;

  try {
    if (ckPath && cfg.resume && existsSync(ckPath)) {
      const ck = loadCheckpoint(ckPath, model, opt);
      rng = Rng.fromState(ck.rng as any);
      model.rng = Rng.fromState(ck.dropoutRng as any);
      history = ck.history;
      badEpochs = ck.badEpochs;
      best = { epoch: ck.best.epoch, score: ck.best.score ?? best.score, weights: ck.best.weights ? decodeWeights(ck.best.weights, `${ckPath}: best.weights`) : null };
      startEpoch = ck.epoch + 1;
      resumedFrom = ck.epoch;
      done = ck.done;
      log.info(`${model.name}: resumed from ${ckPath} after epoch ${ck.epoch}${done ? ' (training had finished)' : ''}`);
    }

    let stopReason: StopReason = done ? (history.length >= cfg.maxEpochs ? 'max_epochs' : 'early_stop') : 'max_epochs';
    const better = (s: number) => (higherIsBetter(cfg.monitor) ? s > best.score + cfg.minDelta : s < best.score - cfg.minDelta);
    for (let epoch = startEpoch; !done && epoch <= cfg.maxEpochs; epoch++) {
      if (opts.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const order = rng.shuffle(Array.from({ length: train.n }, (_, i) => i));
      const nBatches = Math.ceil(train.n / cfg.batchSize);
      const bar = opts.progress?.(`${model.name} epoch ${epoch}`, nBatches);
      const losses: tf.Scalar[] = [];
      const sizes: number[] = [];
      const t0 = performance.now();
      for (let b = 0; b < nBatches; b++) {
        if (opts.signal?.aborted) break;
        const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
        const batch = toBatch(train, idx);
        const { value, grads } = tf.variableGrads(() => lossOf(model.forward(batch, true), batch, cfg, model.nClasses), vars);
        const raw = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
        const g = o.clipNorm > 0 ? clipByGlobalNorm(raw, o.clipNorm) : raw;
        opt.apply(g);
        tf.dispose(raw);
        if (g !== raw) tf.dispose(g);
        losses.push(value);
        sizes.push(idx.length);
        disposeBatch(batch);
        bar?.tick(1);
        // Yield to the event loop so SIGINT/SIGTERM can set the abort signal mid-epoch (a sync loop never sees it).
        if (b % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      bar?.stop();
      if (opts.signal?.aborted) {
        tf.dispose(losses);
        stopReason = 'aborted';
        break;
      }
      const stacked = tf.stack(losses);
      const lossValues = stacked.dataSync();
      tf.dispose([stacked, ...losses]);
      const trainS = (performance.now() - t0) / 1000;
      let lossSum = 0;
      lossValues.forEach((l, i) => (lossSum += l * sizes[i]));
      if (model.fitFusion && cfg.fusionFit === 'epoch') fitOnVal(model, val);
      const ev = evaluate(model, val, cfg);
      const rec: EpochRecord = { epoch, loss: lossSum / train.n, val_loss: ev.loss, ACC: ev.ACC, UA: ev.UA, F1w: ev.F1w, SIM: ev.SIM, train_samples_per_s: train.n / trainS };
      if (!Number.isFinite(rec.loss)) throw new DataError(`${model.name}: training loss became ${rec.loss} at epoch ${epoch}; lower optimizer.lr or set optimizer.clipNorm`);
      history.push(rec);
      const score = scoreOf(rec, cfg.monitor);
      if (best.weights === null || better(score)) {
        best = { epoch, score, weights: model.getWeights() };
        badEpochs = 0;
      } else badEpochs += 1;
      if (cfg.patience > 0 && badEpochs >= cfg.patience) {
        done = true;
        stopReason = 'early_stop';
      }
      if (epoch === cfg.maxEpochs) done = true;
      if (ckPath) {
        const st = opt.getState();
        const ck: Checkpoint = {
          format: CHECKPOINT_FORMAT,
          model: model.name,
          epoch,
          done,
          weights: encodeWeights(model.getWeights()),
          optimizer: { step: st.step, m: st.m.map(encodeFloats), v: st.v.map(encodeFloats) },
          rng: rng.state() as any,
          dropoutRng: model.rng.state() as any,
          best: { epoch: best.epoch, score: best.score, weights: best.weights ? encodeWeights(best.weights) : null },
          badEpochs,
          history,
        };
        writeJsonAtomic(ckPath, ck);
      }
      log.info(
        `${model.name} epoch ${epoch}: loss=${rec.loss.toFixed(4)} val_loss=${rec.val_loss.toFixed(4)} ACC=${rec.ACC.toFixed(4)} UA=${rec.UA.toFixed(4)} F1w=${rec.F1w.toFixed(4)} SIM=${rec.SIM.toFixed(4)} (${rec.train_samples_per_s.toFixed(0)} samples/s)`,
      );
      opts.onEpoch?.(rec);
      if (done && stopReason === 'early_stop') log.info(`${model.name}: early stop after epoch ${epoch}; best ${cfg.monitor}=${best.score.toFixed(4)} at epoch ${best.epoch}`);
    }

    if (cfg.restoreBest && best.weights) model.setWeights(best.weights, 'best weights');
    let fusionFit: FusionFitReport | undefined;
    if (model.fitFusion && stopReason !== 'aborted') {
      fusionFit = fitOnVal(model, val);
      for (const [m, n] of Object.entries(fusionFit.skipped ?? {})) if (n > 0) log.info(`${model.name}: fusion fit skipped ${n} validation samples lacking ${m}`);
      for (const note of fusionFit.notes ?? []) log.info(`${model.name}: ${note}`);
    }
    const final = evaluate(model, val, cfg);
    return { history, bestEpoch: best.epoch, bestScore: best.score, stopReason, resumedFrom, fusionFit, final, backend: backendInfo()?.name ?? tf.getBackend() };
  } finally {
    opt.dispose();
  }
}
