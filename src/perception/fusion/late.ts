import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import { CELL_KINDS, createRecurrent, PLAIN_RECURRENCE_MAX_BATCH, type CellKind, type Recurrent } from '../layers/recurrent.js';
import { Adam } from '../optim.js';
import { commonFields, FusionBase, Heads } from './common.js';
import { confusionMatrix, DR_WEIGHTINGS, detectionRatioWeights, type Combine, type DrWeighting } from './detection_ratio.js';
import type { FusionFactory, FusionFitReport, FusionOutput, ModalityDims, PartOutput, PerceptionBatch } from './types.js';

export type LateMode = 'mean' | 'dr' | 'learned';

export interface LateConfig {
  name: 'late_mean' | 'late_dr' | 'late_learned';
  /** Width of each per-modality recurrent encoder. */
  hidden: number;
  cell: CellKind;
  dropout?: number;
  /** late_dr: eq. 4's max over models, or the sum reading. */
  combine?: Combine;
  /** late_dr: how W is read from the validation confusion (see detection_ratio.ts). */
  weighting?: DrWeighting;
  /** late_dr: pseudo-counts α of the precision/recall readings. */
  smoothing?: number;
  /** late_learned: one weight per modality, or per (modality, class). */
  granularity?: 'modality' | 'class';
  /** late_learned: `logprob` = softmax(Σ_m w_m·log P_m) (weighted product of experts); `prob` = Σ_m α_m·P_m, α = softmax(w). */
  pool?: 'logprob' | 'prob';
  fitSteps?: number;
  fitLr?: number;
}

const BLOCKED = -1e9;
const MODE: Record<LateConfig['name'], LateMode> = { late_mean: 'mean', late_dr: 'dr', late_learned: 'learned' };

/**
 * Decision-level fusion: one model per modality (recurrent encoder → heads),
 * each trained on its own modality with its own loss (the `parts` of the
 * output; a sample counts for a part only when that modality is present),
 * then their class probabilities combined over the present modalities:
 *  - late_mean: their mean;
 *  - late_dr: detection-ratio weights W[m][c] fitted on the validation
 *    split (paper 000 eq. 1–4; `weighting`: per-class precision by default,
 *    eq. 2's literal W = 1 − TP/N as an option), scores combined by max or sum;
 *  - late_learned: weights (per modality or per modality and class) fitted
 *    by Adam on validation NLL, pooling either log-probabilities
 *    (softmax(Σ w·log P), a weighted product of experts, default: evidence
 *    from modalities adds up) or probabilities (a softmax mixture, which
 *    tends to put all weight on the single most reliable modality).
 * Arousal/valence: the mean over present modalities. Fusion weights are
 * non-trainable model weights (saved with the model) and start neutral, so
 * before `fitFusion` late_dr and late_learned equal late_mean up to scale.
 */
export class LateFusion extends FusionBase {
  readonly encoders: Recurrent[];
  readonly heads: Heads[];
  readonly mode: LateMode;
  /** [M, C]: DR weights (late_dr) or mixture logits (late_learned, [M,1] per modality). */
  readonly fusionWeights: tf.Variable | undefined;
  constructor(
    readonly cfg: LateConfig & { dropout: number },
    dims: ModalityDims,
    nClasses: number,
    rng: Rng,
  ) {
    super(cfg.name, dims, nClasses, cfg.dropout, rng);
    this.mode = MODE[cfg.name];
    this.encoders = this.modalities.map((m) => this.child(`enc_${m}`, createRecurrent(cfg.cell, dims[m]!, cfg.hidden, rng.fork(`enc_${m}`))));
    this.heads = this.modalities.map((m) => this.child(`heads_${m}`, new Heads(cfg.hidden, nClasses, rng.fork(`heads_${m}`))));
    const M = this.modalities.length;
    if (this.mode === 'dr') this.fusionWeights = this.param('fusion_w', [M, nClasses], new Float32Array(M * nClasses).fill(1), false);
    else if (this.mode === 'learned') {
      const cols = cfg.granularity === 'class' ? nClasses : 1;
      // logprob starts as the plain product of experts (w = 1), prob as the plain mean (α uniform).
      this.fusionWeights = this.param('fusion_logits', [M, cols], new Float32Array(M * cols).fill(cfg.pool === 'prob' ? 0 : 1), false);
    }
  }

  forward(batch: PerceptionBatch, training: boolean): FusionOutput {
    this.check(batch);
    // tidy keeps every tensor found in the returned object, parts included.
    return tf.tidy((): tf.TensorContainer => {
      const [B] = batch.presence.shape;
      const C = this.nClasses;
      const parts: PartOutput[] = [];
      const lasts: tf.Tensor2D[] = [];
      this.modalities.forEach((m, j) => {
        const x = this.drop(batch.inputs[m]!.x, training) as tf.Tensor3D;
        const { last } = this.encoders[j].forward(x, batch.timeMask, undefined, { plain: !training && B <= PLAIN_RECURRENCE_MAX_BATCH });
        const { logits, av } = this.heads[j].apply(this.drop(last, training) as tf.Tensor2D);
        const mask = tf.slice(batch.presence, [0, j], [B, 1]).reshape([B]) as tf.Tensor1D;
        parts.push({ modality: m, logits, av, mask });
        lasts.push(tf.mul(last, mask.expandDims(1)) as tf.Tensor2D);
      });
      const P = tf.stack(parts.map((p) => tf.softmax(p.logits)), 1); // [B,M,C]
      const pm = batch.presence.expandDims(2); // [B,M,1]
      const count = tf.sum(batch.presence, 1, true); // [B,1]
      const any = tf.greater(count, 0).cast('float32');
      const uniform = tf.mul(tf.sub(1, any), 1 / C); // [B,1]: rows with no modality get 1/C
      let comb: tf.Tensor;
      if (this.mode === 'mean') comb = tf.div(tf.sum(tf.mul(P, pm), 1), tf.maximum(count, 1));
      else if (this.mode === 'dr') {
        const S = tf.mul(P, this.fusionWeights!.expandDims(0));
        comb = this.cfg.combine === 'sum' ? tf.sum(tf.mul(S, pm), 1) : tf.mul(tf.max(tf.add(S, tf.mul(tf.sub(1, pm), BLOCKED)), 1), any);
      } else comb = this.mixture(P, batch.presence);
      // Scores → probabilities over classes (max/sum scores and per-class mixtures are not normalised).
      comb = tf.add(tf.mul(comb, any), uniform);
      comb = tf.add(comb, 1e-12);
      const probs = tf.div(comb, tf.sum(comb, 1, true));
      const avSum = tf.sum(tf.mul(tf.stack(parts.map((p) => p.av), 1), pm), 1);
      return {
        logits: tf.log(probs) as tf.Tensor2D,
        av: tf.div(avSum, tf.maximum(count, 1)) as tf.Tensor2D,
        embedding: tf.concat(lasts, 1) as tf.Tensor2D,
        parts,
      } as unknown as tf.TensorContainer;
    }) as unknown as FusionOutput;
  }

  /**
   * Learned pooling over present modalities, as unnormalised class scores:
   * `prob`: Σ_m α[m,(c)] P[m,c] with α a softmax over the present modalities;
   * `logprob`: exp(Σ_m w[m,(c)] log P[m,c]), shifted by its row max for stability.
   */
  private mixture(P: tf.Tensor, presence: tf.Tensor2D): tf.Tensor {
    if (this.cfg.pool === 'prob') {
      const logits = tf.add(this.fusionWeights!.expandDims(0), tf.mul(tf.sub(1, presence.expandDims(2)), BLOCKED)); // [B,M,cols]
      return tf.sum(tf.mul(tf.softmax(logits.transpose([0, 2, 1])).transpose([0, 2, 1]), P), 1);
    }
    const w = tf.mul(this.fusionWeights!.expandDims(0), presence.expandDims(2)); // [B,M,cols], 0 for absent
    const z = tf.sum(tf.mul(w, tf.log(tf.add(P, 1e-7))), 1); // [B,C]
    return tf.exp(tf.sub(z, tf.max(z, 1, true)));
  }

  /** Per-modality probabilities on a batch as plain arrays: P[b][m][c], present[b][m]. */
  private partProbs(batch: PerceptionBatch): { P: number[][][]; present: boolean[][]; y: number[] } {
    const [P, pres] = tf.tidy(() => {
      const out = this.forward(batch, false);
      return [tf.stack(out.parts!.map((p) => tf.softmax(p.logits)), 1), batch.presence];
    });
    const Pa = P.arraySync() as number[][][];
    P.dispose();
    return { P: Pa, present: (pres.arraySync() as number[][]).map((r) => r.map((v) => v > 0)), y: Array.from(batch.y.dataSync()) };
  }

  fitFusion(val: PerceptionBatch): FusionFitReport {
    this.check(val);
    const M = this.modalities.length;
    if (this.mode === 'mean') return { notes: ['late_mean has no fusion weights to fit'] };
    const { P, present, y } = this.partProbs(val);
    const skipped: Record<string, number> = {};
    this.modalities.forEach((m, j) => {
      skipped[m] = present.filter((r) => !r[j]).length;
    });
    if (this.mode === 'dr') {
      const W: number[][] = [];
      const weights: Record<string, number[]> = {};
      const notes: string[] = [];
      this.modalities.forEach((m, j) => {
        const yt: number[] = [];
        const yp: number[] = [];
        P.forEach((row, b) => {
          if (!present[b][j]) return;
          yt.push(y[b]);
          yp.push(argmax(row[j]));
        });
        const { w, n } = detectionRatioWeights(confusionMatrix(yt, yp, this.nClasses), this.cfg.weighting ?? 'precision', this.cfg.smoothing ?? 1);
        if (n === 0) notes.push(`${m}: present in no validation sample; its weights are neutral (${w[0]})`);
        W.push(w);
        weights[m] = w;
      });
      tf.tidy(() => this.fusionWeights!.assign(tf.tensor2d(W, [M, this.nClasses])));
      return { weights, skipped, notes };
    }
    // late_learned: mixture logits by Adam on the validation NLL of the fused probabilities.
    const steps = this.cfg.fitSteps ?? 200;
    const Pt = tf.tensor3d(P);
    const pres = val.presence;
    const onehot = tf.tidy(() => tf.oneHot(val.y, this.nClasses).cast('float32'));
    const opt = new Adam([this.fusionWeights!], { lr: this.cfg.fitLr ?? 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, weightDecayMode: 'l2' });
    const any = tf.tidy(() => tf.greater(tf.sum(pres, 1), 0).cast('float32'));
    const nAny = Math.max(1, present.filter((r) => r.some(Boolean)).length);
    for (let s = 0; s < steps; s++) {
      const { value, grads } = tf.variableGrads(() => {
        let comb = this.mixture(Pt, pres);
        comb = tf.div(comb, tf.sum(comb, 1, true)); // per-class weights and log pooling do not normalise
        const ll = tf.log(tf.add(tf.sum(tf.mul(comb, onehot), 1), 1e-12));
        return tf.div(tf.neg(tf.sum(tf.mul(ll, any))), nAny) as tf.Scalar;
      }, [this.fusionWeights!]);
      opt.apply([grads[this.fusionWeights!.name]]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    opt.dispose();
    tf.dispose([Pt, onehot, any]);
    const raw = this.fusionWeights!.arraySync() as number[][];
    const weights: Record<string, number[]> = {};
    this.modalities.forEach((m, j) => (weights[m] = raw[j]));
    return { weights, skipped, notes: [`fusion logits fitted by Adam, ${steps} steps on ${val.y.shape[0]} validation samples`] };
  }
}

function argmax(v: number[]): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

function lateFactory(name: LateConfig['name'], extra: z.ZodRawShape, description: string): FusionFactory<LateConfig> {
  const schema = z
    .object({
      name: z.literal(name),
      hidden: z.number().int().positive().default(32),
      cell: z.enum(CELL_KINDS as [CellKind, ...CellKind[]]).default('gru'),
      ...commonFields,
      ...extra,
    })
    .strict();
  return {
    schema: schema as unknown as z.ZodType<LateConfig>,
    description,
    create: (cfg, dims, nClasses, rng) => new LateFusion({ ...cfg, dropout: cfg.dropout ?? 0 }, dims, nClasses, rng),
  };
}

export const lateMean = lateFactory('late_mean', {}, 'late fusion: per-modality models, mean of class probabilities');
export const lateDr = lateFactory(
  'late_dr',
  {
    combine: z.enum(['max', 'sum']).default('max'),
    weighting: z.enum(DR_WEIGHTINGS as [DrWeighting, ...DrWeighting[]]).default('precision'),
    smoothing: z.number().nonnegative().default(1),
  },
  'paper 000: per-modality models, detection-ratio weights (per-class validation precision; `weighting: literal` = 1 − TP/N) fitted on validation, max (eq. 4) or sum of scores',
);
export const lateLearned = lateFactory(
  'late_learned',
  {
    granularity: z.enum(['modality', 'class']).default('modality'),
    pool: z.enum(['logprob', 'prob']).default('logprob'),
    fitSteps: z.number().int().positive().default(200),
    fitLr: z.number().positive().default(0.05),
  },
  'late fusion: per-modality models, pooling weights (log-probability or probability) fitted on validation NLL',
);
