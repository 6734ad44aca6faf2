/**
 * Seeded weight initialisers. Values are drawn in JS from an `Rng` and only
 * then turned into a tensor, so the same seed gives the same weights on every
 * backend (tfjs's own seeded initialisers draw from a per-call integer seed,
 * which would tie every model to tfjs's internal generator and make the
 * numbers depend on how many layers asked for a seed before).
 *
 * Conventions follow Keras/tfjs-layers `VarianceScaling` (which PyTorch's
 * `xavier_*`/`kaiming_*` match up to the normal-vs-truncated choice):
 * - fan_in/fan_out: a dense kernel is [in, out]; a conv kernel is
 *   [...receptive field, in, out] and both fans are multiplied by the
 *   receptive-field size; a vector has fan_in = fan_out = its length.
 * - `distribution: 'truncatedNormal'` (Keras default) draws N(0, σ²) truncated
 *   at ±2σ and rescales σ by 1/0.87962566103423978 so the variance is the
 *   target one; `'normal'` is the untruncated PyTorch reading.
 */
import { tf } from './backend.js';
import { ConfigError } from './errors.js';
import type { Rng } from './rng.js';

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type InitDistribution = 'uniform' | 'normal' | 'truncatedNormal';

export interface VarianceScalingOptions {
  scale: number;
  mode: FanMode;
  distribution: InitDistribution;
}

/** Std of N(0,1) truncated to [-2, 2]: scipy.stats.truncnorm.std(-2, 2). */
const TRUNCATED_STD = 0.87962566103423978;

function checkShape(shape: readonly number[], what: string): void {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(`${what}: shape ${JSON.stringify(shape)} is invalid; expected a non-empty list of positive integers`);
  }
}

/** [fanIn, fanOut] with the Keras convention (see the module comment). */
export function computeFans(shape: readonly number[]): [number, number] {
  checkShape(shape, 'computeFans');
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function truncatedNormalArray(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z: number;
    do z = rng.normal();
    while (z < -2 || z > 2);
    out[i] = z * std;
  }
  return out;
}

/** The general rule behind glorot/he/lecun: variance = scale / fan. */
export function varianceScaling(shape: readonly number[], rng: Rng, opts: VarianceScalingOptions): tf.Tensor {
  if (!(opts.scale > 0)) throw new ConfigError(`varianceScaling: scale ${opts.scale} is invalid; expected a positive number`);
  const [fanIn, fanOut] = computeFans(shape);
  const fan = opts.mode === 'fanIn' ? fanIn : opts.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
  const variance = opts.scale / fan;
  const n = size(shape);
  let values: Float32Array;
  switch (opts.distribution) {
    case 'uniform': {
      const limit = Math.sqrt(3 * variance);
      values = rng.uniformArray(n, -limit, limit);
      break;
    }
    case 'normal':
      values = rng.normalArray(n, 0, Math.sqrt(variance));
      break;
    case 'truncatedNormal':
      values = truncatedNormalArray(rng, n, Math.sqrt(variance) / TRUNCATED_STD);
      break;
    default:
      throw new ConfigError(`varianceScaling: distribution ${JSON.stringify(opts.distribution)} is invalid; expected uniform, normal or truncatedNormal`);
  }
  return tf.tensor(values, [...shape], 'float32');
}

/** U(-l, l), l = sqrt(6 / (fan_in + fan_out)). */
export function glorotUniform(shape: readonly number[], rng: Rng): tf.Tensor {
  return varianceScaling(shape, rng, { scale: 1, mode: 'fanAvg', distribution: 'uniform' });
}

/** Variance 2 / (fan_in + fan_out). */
export function glorotNormal(shape: readonly number[], rng: Rng, distribution: InitDistribution = 'truncatedNormal'): tf.Tensor {
  return varianceScaling(shape, rng, { scale: 1, mode: 'fanAvg', distribution });
}

/** Variance 2 / fan_in (ReLU layers). */
export function heNormal(shape: readonly number[], rng: Rng, distribution: InitDistribution = 'truncatedNormal'): tf.Tensor {
  return varianceScaling(shape, rng, { scale: 2, mode: 'fanIn', distribution });
}

/** Variance 1 / fan_in (SELU / tanh layers). */
export function lecunNormal(shape: readonly number[], rng: Rng, distribution: InitDistribution = 'truncatedNormal'): tf.Tensor {
  return varianceScaling(shape, rng, { scale: 1, mode: 'fanIn', distribution });
}

/**
 * A (semi-)orthogonal matrix times `gain` (Saxe et al. 2014), as Keras/PyTorch:
 * the shape is flattened to [prod(shape[:-1]), shape[-1]], a Gaussian matrix
 * is QR-factorised and Q (with R's diagonal made positive) is used, transposed
 * when there are fewer rows than columns, so rows or columns are orthonormal.
 * QR is modified Gram–Schmidt in float64: the matrices are small (one
 * recurrent kernel), it needs no dependency, and MGS already gives diag(R) > 0.
 */
export function orthogonal(shape: readonly number[], rng: Rng, gain = 1): tf.Tensor {
  checkShape(shape, 'orthogonal');
  if (shape.length < 2) throw new ConfigError(`orthogonal: shape ${JSON.stringify(shape)} is invalid; expected at least 2 dimensions`);
  const rows = size(shape.slice(0, -1));
  const cols = shape[shape.length - 1];
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // Columns of an n×k Gaussian matrix, orthonormalised in place.
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    q.push(v);
  }
  for (let j = 0; j < k; j++) {
    const v = q[j];
    for (let p = 0; p < j; p++) {
      const u = q[p];
      let dot = 0;
      for (let i = 0; i < n; i++) dot += u[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * u[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] /= norm;
  }
  // Q is n×k with orthonormal columns. rows ≥ cols: W = Q (rows×cols); else W = Qᵀ.
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
  }
  return tf.tensor(out, [...shape], 'float32');
}

export function zeros(shape: readonly number[]): tf.Tensor {
  checkShape(shape, 'zeros');
  return tf.zeros([...shape]);
}

export function ones(shape: readonly number[]): tf.Tensor {
  checkShape(shape, 'ones');
  return tf.ones([...shape]);
}

export type InitName = 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'lecunNormal' | 'orthogonal' | 'zeros' | 'ones';
export const INIT_NAMES: readonly InitName[] = ['glorotUniform', 'glorotNormal', 'heNormal', 'lecunNormal', 'orthogonal', 'zeros', 'ones'];

/** Builds a tensor with the named initialiser (config-friendly entry point). */
export function initTensor(name: InitName, shape: readonly number[], rng: Rng, opts: { gain?: number } = {}): tf.Tensor {
  switch (name) {
    case 'glorotUniform':
      return glorotUniform(shape, rng);
    case 'glorotNormal':
      return glorotNormal(shape, rng);
    case 'heNormal':
      return heNormal(shape, rng);
    case 'lecunNormal':
      return lecunNormal(shape, rng);
    case 'orthogonal':
      return orthogonal(shape, rng, opts.gain ?? 1);
    case 'zeros':
      return zeros(shape);
    case 'ones':
      return ones(shape);
    default:
      throw new ConfigError(`init: unknown initialiser ${JSON.stringify(name)}; expected one of ${INIT_NAMES.join(', ')}`);
  }
}

// tfjs-layers does not export its Initializer base class by name, but
// `getInitializer` accepts only its instances; take it from a built-in one.
type InitializerCtor = new () => { apply(shape: number[], dtype?: tf.DataType): tf.Tensor; getConfig(): object };
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as InitializerCtor;

class RngInitializer extends InitializerBase {
  static className = 'AffectlabRngInitializer';
  constructor(
    private readonly initName: InitName,
    private readonly rng: Rng,
    private readonly gain: number,
  ) {
    super();
  }
  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    if (dtype && dtype !== 'float32') throw new ConfigError(`init ${this.initName}: dtype ${dtype} is unsupported; expected float32`);
    return initTensor(this.initName, shape, this.rng, { gain: this.gain });
  }
  override getConfig(): object {
    return { name: this.initName, seed: this.rng.seed, gain: this.gain };
  }
}

/**
 * A tfjs-layers initializer backed by an Rng, for `kernelInitializer` /
 * `recurrentInitializer` of `tf.layers.*`. Give each layer its own fork
 * (`rng.fork('encoder.dense1')`) so layers do not shift each other's draws.
 */
export function layerInitializer(name: InitName, rng: Rng, gain = 1): any {
  return new RngInitializer(name, rng, gain);
}

/**
 * Inverted dropout with a mask drawn from `rng` (kept with probability
 * 1 − rate, kept values scaled by 1/(1 − rate)). The mask is drawn in JS, so
 * it is the same on every backend; `noiseShape` broadcasts one mask (e.g. the
 * same mask for every time step: [batch, 1, features]). Returns `x` itself
 * (not a copy) when rate is 0.
 */
export function seededDropout(x: tf.Tensor, rate: number, rng: Rng, noiseShape?: number[]): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new ConfigError(`dropout: rate ${rate} is invalid; expected a number in [0, 1)`);
  if (rate === 0) return x;
  const shape = noiseShape ?? x.shape;
  const n = size(shape);
  const keep = 1 - rate;
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, shape, 'float32')));
}
