import { z } from 'zod';
import { tf } from '../../core/backend.js';
import type { Rng } from '../../core/rng.js';
import type { ModalityName } from '../../data/types.js';
import { Linear } from '../layers/linear.js';
import { dropout, Module } from '../layers/module.js';
import { canonicalModalities } from './batch.js';
import type { FusionModel, FusionOutput, ModalityDims, PerceptionBatch } from './types.js';

/** Config fields every strategy accepts. `dropout` unset = the training section's `perception.train.dropout`. */
export const commonFields = {
  dropout: z.number().min(0).lt(1).optional(),
};

const BLOCKED = -1e9;

/** Softmax class head and tanh arousal/valence head on one embedding, trained jointly. */
export class Heads extends Module {
  readonly cls: Linear;
  readonly avHead: Linear;
  constructor(inDim: number, nClasses: number, rng: Rng) {
    super();
    this.cls = this.child('cls', new Linear(inDim, nClasses, rng));
    this.avHead = this.child('av', new Linear(inDim, 2, rng));
  }
  apply(emb: tf.Tensor2D): { logits: tf.Tensor2D; av: tf.Tensor2D } {
    return { logits: this.cls.apply(emb) as tf.Tensor2D, av: tf.tanh(this.avHead.apply(emb)) as tf.Tensor2D };
  }
}

/** Shared plumbing of every strategy: name, modalities, dropout stream, weights. */
export abstract class FusionBase extends Module implements FusionModel {
  readonly modalities: ModalityName[];
  rng: Rng;
  constructor(
    readonly name: string,
    readonly dims: ModalityDims,
    readonly nClasses: number,
    readonly dropoutRate: number,
    rng: Rng,
  ) {
    super();
    this.modalities = canonicalModalities(Object.keys(dims), `${name}: dims`);
    if (!Number.isInteger(nClasses) || nClasses < 2) throw new Error(`${name}: nClasses must be an integer ≥ 2, got ${nClasses}`);
    this.rng = rng.fork('dropout');
  }

  protected drop(x: tf.Tensor, training: boolean): tf.Tensor {
    return dropout(x, this.dropoutRate, this.rng, training);
  }

  /** Checks the batch carries this model's modalities in the same order. */
  protected check(batch: PerceptionBatch): void {
    if (batch.modalities.length !== this.modalities.length || batch.modalities.some((m, i) => m !== this.modalities[i])) {
      throw new Error(`${this.name}: batch modalities [${batch.modalities}] do not match the model's [${this.modalities}]`);
    }
  }

  /** Presence column of modality index j as [B,1,1] for broadcasting over [B,T,D]. */
  protected presenceOf(batch: PerceptionBatch, j: number): tf.Tensor3D {
    const B = batch.presence.shape[0];
    return tf.slice(batch.presence, [0, j], [B, 1]).reshape([B, 1, 1]);
  }

  /** All modalities concatenated on the feature axis [B,T,ΣD]; absent ones forced to zero. */
  protected concatInputs(batch: PerceptionBatch): tf.Tensor3D {
    const parts = this.modalities.map((m, j) => tf.mul(batch.inputs[m]!.x, this.presenceOf(batch, j)));
    return (parts.length === 1 ? parts[0] : tf.concat(parts, -1)) as tf.Tensor3D;
  }

  abstract forward(batch: PerceptionBatch, training: boolean): FusionOutput;
}

/** Sinusoidal position encoding [T, dim] (Vaswani et al.), plain data. */
export function sinusoid(T: number, dim: number): Float32Array {
  const out = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < dim; i += 2) {
      const f = t / 10000 ** (i / dim);
      out[t * dim + i] = Math.sin(f);
      if (i + 1 < dim) out[t * dim + i + 1] = Math.cos(f);
    }
  }
  return out;
}

/**
 * Turns every (modality, step) into a token of width `dim`: a per-modality
 * linear projection, plus a learned modality embedding, plus a sinusoidal
 * time code (so cross-modal attention and the graph know *when* a token is).
 * Tokens are laid out modality-major: [B, M·T, dim]; the token mask is
 * timeMask × presence.
 */
export class ModalityTokens extends Module {
  readonly proj: Linear[];
  readonly modEmb: tf.Variable;
  private posCache: { T: number; values: Float32Array } | undefined;
  constructor(
    readonly modalities: ModalityName[],
    dims: ModalityDims,
    readonly dim: number,
    readonly positional: boolean,
    rng: Rng,
  ) {
    super();
    this.proj = modalities.map((m) => this.child(`proj_${m}`, new Linear(dims[m]!, dim, rng)));
    this.modEmb = this.param('modality_embedding', [modalities.length, dim], rng.normalArray(modalities.length * dim, 0, 0.02));
  }

  forward(batch: PerceptionBatch): { tokens: tf.Tensor3D; mask: tf.Tensor2D } {
    return tf.tidy(() => {
      const [B, T] = batch.timeMask.shape;
      const M = this.modalities.length;
      if (this.positional && this.posCache?.T !== T) this.posCache = { T, values: sinusoid(T, this.dim) };
      const pos = this.positional ? tf.tensor2d(this.posCache!.values, [T, this.dim]) : undefined;
      const toks: tf.Tensor[] = [];
      const masks: tf.Tensor[] = [];
      this.modalities.forEach((m, j) => {
        let t = tf.add(this.proj[j].apply(batch.inputs[m]!.x), tf.slice(this.modEmb, [j, 0], [1, this.dim]));
        if (pos) t = tf.add(t, pos);
        toks.push(t);
        masks.push(tf.mul(batch.timeMask, tf.slice(batch.presence, [0, j], [B, 1])));
      });
      const mask = (M === 1 ? masks[0] : tf.concat(masks, 1)) as tf.Tensor2D;
      const tokens = tf.mul(M === 1 ? toks[0] : tf.concat(toks, 1), mask.expandDims(2)) as tf.Tensor3D;
      return { tokens, mask };
    });
  }
}

/** Mean over valid rows: x [B,N,E], mask [B,N] → [B,E] (zero when none is valid). */
export function maskedMean(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = mask.expandDims(2);
    return tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
  });
}

/** Max over valid rows: x [B,N,E], mask [B,N] → [B,E] (zero when none is valid). */
export function maskedMax(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = mask.expandDims(2);
    const mx = tf.max(tf.add(x, tf.mul(tf.sub(1, m), BLOCKED)), 1);
    return tf.mul(mx, tf.greater(tf.max(mask, 1, true), 0).cast('float32')) as tf.Tensor2D;
  });
}
