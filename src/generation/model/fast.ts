import { DataError } from '../../core/errors.js';
import { TONES, STRATEGIES } from '../types.js';
import type { GeneratorConfig } from '../config.js';
import type { ModelDims } from './transformer.js';

/**
 * Decoding in plain Float32Arrays, mirroring ConditionalTransformer's weights
 * (parity-tested against the tfjs forward). One token at a time, a tfjs op
 * costs more than the arithmetic of a small model, so step-wise decoding runs
 * here. The cached and the uncached paths share every row kernel, so they
 * compute bit-identical numbers and pick identical tokens.
 */

/** Per-generation state fixed by the condition: FiLM vectors scaled by the emotion weight and the input bias. */
export interface Prepared {
  /** Per layer: [γ₁, β₁, γ₂, β₂] each of length d, already γ = 1 + w·Δγ, β = w·β. */
  film: Float32Array[][];
  /** tone (+ strategy) embedding added to every input position. */
  inputBias: Float32Array;
}

/** Keys and values of every layer for the positions processed so far. */
export interface KvCache {
  k: Float32Array[];
  v: Float32Array[];
  length: number;
}

export interface StepOutput {
  logits: Float32Array;
  /** Final (post-LN) state of the position just processed. */
  hidden: Float32Array;
}

const LN_EPS = 1e-5;

export class FastDecoder {
  private readonly w: Map<string, Float32Array>;
  readonly d: number;
  readonly V: number;
  readonly C: number;
  readonly heads: number;
  readonly layers: number;
  readonly ff: number;
  readonly maxLen: number;

  constructor(
    readonly cfg: GeneratorConfig,
    readonly dims: ModelDims,
    weights: Map<string, Float32Array>,
  ) {
    this.w = weights;
    this.d = cfg.d_model;
    this.V = dims.vocabSize;
    this.C = dims.classes.length;
    this.heads = cfg.heads;
    this.layers = cfg.layers;
    this.ff = cfg.ff;
    this.maxLen = cfg.max_len;
  }

  private p(name: string): Float32Array {
    const a = this.w.get(name);
    if (!a) throw new DataError(`generator weights: parameter ${JSON.stringify(name)} missing`);
    return a;
  }

  /** FiLM vectors and input bias for one condition vector, tone and strategy (undefined = none). */
  prepare(cond: ArrayLike<number>, tone: number, strategy: number | undefined, emotionWeight: number): Prepared {
    const { d, layers: L } = this;
    const H = this.cfg.cond_hidden;
    if (!Number.isInteger(tone) || tone < 0 || tone >= TONES.length) throw new DataError(`tone index ${tone}; expected an integer in 0..${TONES.length - 1}`);
    if (strategy !== undefined && !(Number.isInteger(strategy) && strategy >= 0 && strategy <= STRATEGIES.length)) {
      throw new DataError(`strategy index ${strategy}; expected an integer in 0..${STRATEGIES.length} (${STRATEGIES.length} = none)`);
    }
    const condDim = this.p('cond1_w').length / H;
    if (cond.length !== condDim) throw new DataError(`decode: condition vector of length ${cond.length}; expected ${condDim}`);
    const h = linear(Float32Array.from(cond), this.p('cond1_w'), this.p('cond1_b'), cond.length, H);
    for (let i = 0; i < H; i++) h[i] = Math.tanh(h[i]);
    const f = linear(h, this.p('cond2_w'), this.p('cond2_b'), H, L * 4 * d);
    const film: Float32Array[][] = [];
    for (let l = 0; l < L; l++) {
      const parts: Float32Array[] = [];
      for (let j = 0; j < 4; j++) {
        const src = f.subarray((l * 4 + j) * d, (l * 4 + j + 1) * d);
        const out = new Float32Array(d);
        for (let i = 0; i < d; i++) out[i] = j % 2 === 0 ? 1 + emotionWeight * src[i] : emotionWeight * src[i];
        parts.push(out);
      }
      film.push(parts);
    }
    const inputBias = Float32Array.from(this.p('tone').subarray(tone * d, (tone + 1) * d));
    if (this.cfg.use_strategy) {
      const s = strategy ?? STRATEGIES.length;
      const row = this.p('strategy').subarray(s * d, (s + 1) * d);
      for (let i = 0; i < d; i++) inputBias[i] += row[i];
    }
    return { film, inputBias };
  }

  newCache(): KvCache {
    const n = this.maxLen * this.d;
    return { k: Array.from({ length: this.layers }, () => new Float32Array(n)), v: Array.from({ length: this.layers }, () => new Float32Array(n)), length: 0 };
  }

  /** Processes one token at position cache.length, appending its keys/values. */
  step(prep: Prepared, cache: KvCache, token: number): StepOutput {
    const pos = cache.length;
    if (pos >= this.maxLen) throw new DataError(`decode: position ${pos}; expected < max_len=${this.maxLen}`);
    let x = this.embed(prep, token, pos);
    for (let l = 0; l < this.layers; l++) {
      const { q, k, v } = this.qkv(prep, l, x);
      cache.k[l].set(k, pos * this.d);
      cache.v[l].set(v, pos * this.d);
      x = this.finishLayer(prep, l, x, this.attend(q, cache.k[l], cache.v[l], pos + 1));
    }
    cache.length = pos + 1;
    return this.output(x);
  }

  /**
   * Uncached reference path: recomputes every position of `ids` from scratch
   * and returns the outputs of the last one (and all final states).
   */
  full(prep: Prepared, ids: readonly number[]): { last: StepOutput; hidden: Float32Array[] } {
    const T = ids.length;
    if (T > this.maxLen) throw new DataError(`decode: length ${T}; expected <= max_len=${this.maxLen}`);
    let xs = ids.map((t, pos) => this.embed(prep, t, pos));
    for (let l = 0; l < this.layers; l++) {
      const K = new Float32Array(T * this.d);
      const Vv = new Float32Array(T * this.d);
      const qs: Float32Array[] = [];
      xs.forEach((x, pos) => {
        const { q, k, v } = this.qkv(prep, l, x);
        K.set(k, pos * this.d);
        Vv.set(v, pos * this.d);
        qs.push(q);
      });
      xs = xs.map((x, pos) => this.finishLayer(prep, l, x, this.attend(qs[pos], K, Vv, pos + 1)));
    }
    const outs = xs.map((x) => this.output(x));
    return { last: outs[T - 1], hidden: outs.map((o) => o.hidden) };
  }

  /** softmax(W·mean(states) + b). */
  emotion(meanHidden: Float32Array): Float64Array {
    const z = linear(meanHidden, this.p('emo_w'), this.p('emo_b'), this.d, this.C);
    return softmax(z);
  }

  private embed(prep: Prepared, token: number, pos: number): Float32Array {
    const d = this.d;
    if (!Number.isInteger(token) || token < 0 || token >= this.V) throw new DataError(`decode: token id ${token}; expected an integer in [0, ${this.V})`);
    const tok = this.p('tok');
    const P = this.p('pos');
    const x = new Float32Array(d);
    for (let i = 0; i < d; i++) x[i] = tok[token * d + i] + P[pos * d + i] + prep.inputBias[i];
    return x;
  }

  private qkv(prep: Prepared, l: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array } {
    const d = this.d;
    const a = layerNorm(x, this.p(`l${l}.ln1_g`), this.p(`l${l}.ln1_b`));
    const [g1, b1] = prep.film[l];
    for (let i = 0; i < d; i++) a[i] = a[i] * g1[i] + b1[i];
    const o = linear(a, this.p(`l${l}.qkv_w`), this.p(`l${l}.qkv_b`), d, 3 * d);
    return { q: o.subarray(0, d), k: o.subarray(d, 2 * d), v: o.subarray(2 * d, 3 * d) };
  }

  /** Causal attention of one query over the first n cached positions, all heads. */
  private attend(q: Float32Array, K: Float32Array, V: Float32Array, n: number): Float32Array {
    const { d, heads: H } = this;
    const dh = d / H;
    const scale = 1 / Math.sqrt(dh);
    const out = new Float32Array(d);
    const s = new Float64Array(n);
    for (let h = 0; h < H; h++) {
      const off = h * dh;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < dh; i++) acc += q[off + i] * K[j * d + off + i];
        s[j] = acc * scale;
        if (s[j] > mx) mx = s[j];
      }
      let z = 0;
      for (let j = 0; j < n; j++) {
        s[j] = Math.exp(s[j] - mx);
        z += s[j];
      }
      for (let j = 0; j < n; j++) {
        const a = s[j] / z;
        for (let i = 0; i < dh; i++) out[off + i] += a * V[j * d + off + i];
      }
    }
    return out;
  }

  private finishLayer(prep: Prepared, l: number, x: Float32Array, att: Float32Array): Float32Array {
    const { d, ff } = this;
    const proj = linear(att, this.p(`l${l}.o_w`), this.p(`l${l}.o_b`), d, d);
    const h = new Float32Array(d);
    for (let i = 0; i < d; i++) h[i] = x[i] + proj[i];
    const m = layerNorm(h, this.p(`l${l}.ln2_g`), this.p(`l${l}.ln2_b`));
    const [, , g2, b2] = prep.film[l];
    for (let i = 0; i < d; i++) m[i] = m[i] * g2[i] + b2[i];
    const u = linear(m, this.p(`l${l}.ff1_w`), this.p(`l${l}.ff1_b`), d, ff);
    if (this.cfg.activation === 'gelu') {
      const c = Math.sqrt(2 / Math.PI);
      for (let i = 0; i < ff; i++) u[i] = 0.5 * u[i] * (1 + Math.tanh(c * (u[i] + 0.044715 * u[i] * u[i] * u[i])));
    } else for (let i = 0; i < ff; i++) u[i] = Math.max(0, u[i]);
    const o = linear(u, this.p(`l${l}.ff2_w`), this.p(`l${l}.ff2_b`), ff, d);
    for (let i = 0; i < d; i++) h[i] += o[i];
    return h;
  }

  private output(x: Float32Array): StepOutput {
    const { d, V } = this;
    const hidden = layerNorm(x, this.p('lnf_g'), this.p('lnf_b'));
    const tok = this.p('tok');
    const b = this.p('out_b');
    const logits = new Float32Array(V);
    for (let v = 0; v < V; v++) {
      let acc = b[v];
      const off = v * d;
      for (let i = 0; i < d; i++) acc += hidden[i] * tok[off + i];
      logits[v] = acc;
    }
    return { logits, hidden };
  }
}

/** y = x·W + b for row-major W [nIn, nOut]. */
export function linear(x: Float32Array, W: Float32Array, b: Float32Array, nIn: number, nOut: number): Float32Array {
  const y = Float32Array.from(b);
  for (let i = 0; i < nIn; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const off = i * nOut;
    for (let j = 0; j < nOut; j++) y[j] += xi * W[off + j];
  }
  return y;
}

export function layerNorm(x: Float32Array, g: Float32Array, b: Float32Array): Float32Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  const inv = 1 / Math.sqrt(v / n + LN_EPS);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) * inv * g[i] + b[i];
  return out;
}

export function softmax(z: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > mx) mx = z[i];
  const out = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    out[i] = Math.exp(z[i] - mx);
    s += out[i];
  }
  for (let i = 0; i < z.length; i++) out[i] /= s;
  return out;
}
