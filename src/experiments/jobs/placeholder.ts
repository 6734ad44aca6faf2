import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import type { JobDefinition, RunContext } from '../types.js';
import { type PlaceholderConfig } from './schemas.js';
import { jobSpecs } from './specs.js';

export { placeholderSchema, type PlaceholderConfig } from './schemas.js';

/*
 * The placeholder experiment: a one-hidden-layer MLP on Gaussian blobs. It
 * exists to exercise the whole path (config → run folder → backend → seeded
 * training → metrics.jsonl → results.json → report) with a job that takes
 * seconds; the real pipeline experiments replace it as the default.
 */

interface Blobs {
  x: Float32Array;
  y: Int32Array;
}

function makeBlobs(cfg: PlaceholderConfig, rng: Rng): Blobs {
  const centres = Array.from({ length: cfg.classes }, () => rng.normalArray(cfg.dim, 0, cfg.separation));
  const x = new Float32Array(cfg.samples * cfg.dim);
  const y = new Int32Array(cfg.samples);
  for (let i = 0; i < cfg.samples; i++) {
    const c = i % cfg.classes;
    y[i] = c;
    for (let d = 0; d < cfg.dim; d++) x[i * cfg.dim + d] = centres[c][d] + rng.normal();
  }
  return { x, y };
}

function glorot(rng: Rng, fanIn: number, fanOut: number): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tensor2d(rng.uniformArray(fanIn * fanOut, -limit, limit), [fanIn, fanOut]);
}

export async function runPlaceholder(ctx: RunContext): Promise<{ metrics: Record<string, number> }> {
  const cfg = ctx.config.placeholder as PlaceholderConfig;
  const data = makeBlobs(cfg, ctx.rng.fork('data'));
  const order = ctx.rng.fork('split').shuffle(Array.from({ length: cfg.samples }, (_, i) => i));
  const nVal = Math.max(1, Math.round(cfg.samples * cfg.val_share));
  const valIdx = order.slice(0, nVal);
  const trainIdx = order.slice(nVal);
  const take = (idx: number[]) => {
    const x = new Float32Array(idx.length * cfg.dim);
    const y = new Int32Array(idx.length);
    idx.forEach((j, k) => {
      x.set(data.x.subarray(j * cfg.dim, (j + 1) * cfg.dim), k * cfg.dim);
      y[k] = data.y[j];
    });
    return { x, y };
  };
  const val = take(valIdx);
  const initRng = ctx.rng.fork('init');
  // tf.variable copies its initial value; tidy disposes the initial tensors and keeps the variables.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(glorot(initRng, cfg.dim, cfg.hidden)),
    tf.variable(tf.zeros([cfg.hidden])),
    tf.variable(glorot(initRng, cfg.hidden, cfg.classes)),
    tf.variable(tf.zeros([cfg.classes])),
  ]);
  const forward = (x: tf.Tensor2D) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2) as tf.Tensor2D;
  const optimizer = tf.train.adam(cfg.lr);
  const valX = tf.tensor2d(val.x, [val.y.length, cfg.dim]);
  const shuffleRng = ctx.rng.fork('shuffle');
  const bar = ctx.progress('placeholder', cfg.epochs);
  const valAcc: number[] = [];
  let lastLoss = NaN;
  try {
    for (let epoch = 1; epoch <= cfg.epochs && !ctx.signal.aborted; epoch++) {
      const perm = shuffleRng.shuffle([...trainIdx]);
      let lossSum = 0;
      let batches = 0;
      const losses: tf.Scalar[] = [];
      for (let s = 0; s < perm.length; s += cfg.batch) {
        const b = take(perm.slice(s, s + cfg.batch));
        const loss = tf.tidy(() => {
          const xb = tf.tensor2d(b.x, [b.y.length, cfg.dim]);
          const yb = tf.oneHot(tf.tensor1d(b.y, 'int32'), cfg.classes);
          return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, forward(xb)) as tf.Scalar, true)!;
        });
        losses.push(loss);
        batches++;
      }
      // One read per epoch, not per batch.
      const stacked = tf.stack(losses);
      const lossVals = await stacked.data();
      tf.dispose([stacked, ...losses]);
      for (const v of lossVals) lossSum += v;
      lastLoss = lossSum / batches;
      const pred = tf.tidy(() => forward(valX).argMax(1));
      const p = await pred.data();
      pred.dispose();
      let correct = 0;
      for (let i = 0; i < val.y.length; i++) if (p[i] === val.y[i]) correct++;
      const acc = correct / val.y.length;
      valAcc.push(acc);
      ctx.metrics.log({ epoch, loss: lastLoss, val_ACC: acc });
      bar.tick(1, { loss: lastLoss, val_ACC: acc });
    }
  } finally {
    bar.stop();
    tf.dispose([w1, b1, w2, b2, valX]);
    optimizer.dispose();
  }
  const last = valAcc.slice(-5);
  const mean = last.reduce((a, b) => a + b, 0) / last.length;
  const std = Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / last.length);
  return {
    metrics: {
      ACC: valAcc[valAcc.length - 1],
      loss: lastLoss,
      TS: mean > 0 ? Math.min(1, Math.max(0, 1 - std / mean)) : 0,
      epochs: valAcc.length,
    },
  };
}

export const placeholderJob: JobDefinition = { ...jobSpecs.placeholder, run: runPlaceholder };
