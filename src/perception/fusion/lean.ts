import { DataError } from '../../core/errors.js';
import type { ModalityName } from '../../data/types.js';
import type { NamedWeight } from '../layers/module.js';
import type { AttentionGruConfig, AttentionGruFusion } from './attention_gru.js';
import { sinusoid } from './common.js';

/**
 * Batch-1 inference of the `attention_gru` fusion model on plain Float32Arrays,
 * for the real-time path. At batch 1 the tfjs forward is dominated by per-op
 * dispatch (~100 ops at 5–40 µs each on wasm, plus the read-back), not by its
 * ~5 M multiply-adds; plain loops over the same weights do the arithmetic
 * without that overhead. Same maths as AttentionGruFusion.forward(…, false)
 * (tests/perception/lean.test.ts checks parity against the tfjs model); there is
 * no dropout and no gradient, so it is inference only. Build it from the
 * trained model's getWeights() and rebuild after the weights change.
 */
export interface LeanInput {
  /** Per modality: T×dim row-major features on the shared timeline; absent key = missing modality. */
  features: Partial<Record<ModalityName, Float32Array>>;
  /** Length T, 1 = a real step (default: all steps real). */
  timeMask?: Float32Array;
}

export interface LeanOutput {
  logits: Float32Array;
  probs: Float32Array;
  /** [arousal, valence], tanh-squashed as in the tfjs heads. */
  av: Float32Array;
  embedding: Float32Array;
}

type Cfg = Pick<AttentionGruConfig, 'dim' | 'heads' | 'layers' | 'ffn' | 'hidden' | 'crossOnly' | 'merge' | 'norm' | 'positional'>;

/** y[r] = x[r]·Wᵀ + b for `rows` rows; W is [out, in] row-major (torch Linear layout). */
function linear(x: Float32Array, rows: number, W: Float32Array, b: Float32Array | undefined, nIn: number, nOut: number, out = new Float32Array(rows * nOut)): Float32Array {
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn;
    const yo = r * nOut;
    for (let o = 0; o < nOut; o++) {
      const wo = o * nIn;
      // Four independent accumulators: the add chain, not the multiplies, bounds a plain dot loop.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i + 3 < nIn; i += 4) {
        s0 += x[xo + i] * W[wo + i];
        s1 += x[xo + i + 1] * W[wo + i + 1];
        s2 += x[xo + i + 2] * W[wo + i + 2];
        s3 += x[xo + i + 3] * W[wo + i + 3];
      }
      for (; i < nIn; i++) s0 += x[xo + i] * W[wo + i];
      out[yo + o] = (b ? b[o] : 0) + (s0 + s1 + (s2 + s3));
    }
  }
  return out;
}

function layerNormRows(x: Float32Array, rows: number, d: number, g: Float32Array, b: Float32Array, eps = 1e-5): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[o + i];
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[o + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let i = 0; i < d; i++) x[o + i] = (x[o + i] - mean) * inv * g[i] + b[i];
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class LeanAttentionGru {
  private readonly w = new Map<string, Float32Array>();
  private posCache: { T: number; values: Float32Array } | undefined;

  readonly dims: Partial<Record<ModalityName, number>> = {};
  readonly nClasses: number;

  /** From a (trained) tfjs model: copies its weights. */
  static fromModel(model: AttentionGruFusion): LeanAttentionGru {
    return new LeanAttentionGru(model.cfg, model.modalities, model.getWeights());
  }

  constructor(
    readonly cfg: Cfg,
    readonly modalities: ModalityName[],
    weights: readonly NamedWeight[],
  ) {
    for (const nw of weights) this.w.set(nw.name, Float32Array.from(nw.values));
    const shapes = new Map(weights.map((nw) => [nw.name, nw.shape]));
    const need = ['tokens.modality_embedding', 'gru.weight_ih', 'gru.weight_hh', 'heads.cls.weight', 'heads.av.weight', ...modalities.map((m) => `tokens.proj_${m}.weight`)];
    for (const n of need) if (!this.w.has(n)) throw new DataError(`lean attention_gru: weight ${n} is missing; expected the weights of an attention_gru model (getWeights())`);
    for (const m of modalities) this.dims[m] = shapes.get(`tokens.proj_${m}.weight`)![1];
    this.nClasses = shapes.get('heads.cls.weight')![0];
  }

  private get(name: string): Float32Array {
    const v = this.w.get(name);
    if (!v) throw new DataError(`lean attention_gru: weight ${name} is missing`);
    return v;
  }

  private pos(T: number): Float32Array {
    if (this.posCache?.T !== T) this.posCache = { T, values: sinusoid(T, this.cfg.dim) };
    return this.posCache.values;
  }

  forward(input: LeanInput): LeanOutput {
    const { dim: E, hidden: H } = this.cfg;
    const M = this.modalities.length;
    let T = -1;
    for (const m of this.modalities) {
      const x = input.features[m];
      if (!x) continue;
      const t = x.length / this.dims[m]!;
      if (!Number.isInteger(t)) throw new DataError(`lean attention_gru: features.${m} has ${x.length} values; expected T×${this.dims[m]}`);
      if (T >= 0 && t !== T) throw new DataError(`lean attention_gru: features.${m} has T=${t}; expected T=${T} like the other modalities`);
      T = t;
    }
    if (T < 0) throw new DataError('lean attention_gru: no modality features given; expected at least one of ' + this.modalities.join(', '));
    const timeMask = input.timeMask ?? new Float32Array(T).fill(1);
    if (timeMask.length !== T) throw new DataError(`lean attention_gru: timeMask has length ${timeMask.length}; expected T=${T}`);
    const N = M * T;
    // Tokens, modality-major [M·T, E], and the token mask.
    const h = new Float32Array(N * E);
    const mask = new Float32Array(N);
    const present = new Float32Array(M);
    const modEmb = this.get('tokens.modality_embedding');
    const pos = this.cfg.positional ? this.pos(T) : undefined;
    this.modalities.forEach((m, j) => {
      const x = input.features[m];
      if (!x) return; // missing: zero tokens, masked
      present[j] = 1;
      const d = this.dims[m]!;
      const off = j * T * E;
      linear(x, T, this.get(`tokens.proj_${m}.weight`), this.w.get(`tokens.proj_${m}.bias`), d, E, h.subarray(off, off + T * E));
      for (let t = 0; t < T; t++) {
        mask[j * T + t] = timeMask[t];
        for (let e = 0; e < E; e++) {
          const v = h[off + t * E + e] + modEmb[j * E + e] + (pos ? pos[t * E + e] : 0);
          h[off + t * E + e] = v * timeMask[t];
        }
      }
    });
    let x: Float32Array = h;
    for (let l = 0; l < this.cfg.layers; l++) x = this.block(x, mask, `block${l}`, N, T);
    // Merge the modality tokens of each step: concat [T, M·E] or mean over present modalities [T, E].
    const inDim = this.cfg.merge === 'concat' ? M * E : E;
    const fused = new Float32Array(T * inDim);
    const count = Math.max(1, present.reduce((a, b) => a + b, 0));
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < M; j++) {
        const src = (j * T + t) * E;
        if (this.cfg.merge === 'concat') fused.set(x.subarray(src, src + E), t * inDim + j * E);
        else for (let e = 0; e < E; e++) fused[t * E + e] += x[src + e] / count;
      }
    }
    // GRU (torch gate order r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))), masked carry.
    const xp = linear(fused, T, this.get('gru.weight_ih'), this.get('gru.bias_ih'), inDim, 3 * H);
    const Whh = this.get('gru.weight_hh');
    const bhh = this.get('gru.bias_hh');
    let hs = new Float32Array(H);
    const hp = new Float32Array(3 * H);
    for (let t = 0; t < T; t++) {
      linear(hs, 1, Whh, bhh, H, 3 * H, hp);
      const o = t * 3 * H;
      const next = new Float32Array(H);
      for (let i = 0; i < H; i++) {
        const r = sigmoid(xp[o + i] + hp[i]);
        const z = sigmoid(xp[o + H + i] + hp[H + i]);
        const n = Math.tanh(xp[o + 2 * H + i] + r * hp[2 * H + i]);
        const hn = n + z * (hs[i] - n);
        next[i] = hs[i] + timeMask[t] * (hn - hs[i]);
      }
      hs = next;
    }
    const logits = linear(hs, 1, this.get('heads.cls.weight'), this.w.get('heads.cls.bias'), H, this.nClasses);
    const av = linear(hs, 1, this.get('heads.av.weight'), this.w.get('heads.av.bias'), H, 2).map(Math.tanh);
    let mx = -Infinity;
    for (const v of logits) mx = Math.max(mx, v);
    const probs = logits.map((v) => Math.exp(v - mx));
    const z = probs.reduce((a, b) => a + b, 0);
    for (let i = 0; i < probs.length; i++) probs[i] /= z;
    return { logits, probs, av, embedding: hs };
  }

  /** One cross-modal block (post- or pre-norm), as CrossModalBlock.forward without dropout. */
  private block(h: Float32Array, mask: Float32Array, p: string, N: number, T: number): Float32Array {
    const { dim: E, ffn: F } = this.cfg;
    const post = this.cfg.norm === 'post';
    const ln = (x: Float32Array, k: 'ln1' | 'ln2') => {
      const y = Float32Array.from(x);
      layerNormRows(y, N, E, this.get(`${p}.${k}.weight`), this.get(`${p}.${k}.bias`));
      return y;
    };
    const attIn = post ? h : ln(h, 'ln1');
    const att = this.attend(attIn, mask, `${p}.mha`, N, T);
    const a = new Float32Array(N * E);
    for (let i = 0; i < a.length; i++) a[i] = h[i] + att[i];
    const a1 = post ? ln(a, 'ln1') : a;
    const ffIn = post ? a1 : ln(a1, 'ln2');
    const f1 = linear(ffIn, N, this.get(`${p}.ff1.weight`), this.w.get(`${p}.ff1.bias`), E, F);
    for (let i = 0; i < f1.length; i++) if (f1[i] < 0) f1[i] = 0;
    const f2 = linear(f1, N, this.get(`${p}.ff2.weight`), this.w.get(`${p}.ff2.bias`), F, E);
    let out = new Float32Array(N * E);
    for (let i = 0; i < out.length; i++) out[i] = a1[i] + f2[i];
    if (post) out = ln(out, 'ln2');
    for (let n = 0; n < N; n++) if (mask[n] === 0) out.fill(0, n * E, (n + 1) * E);
    return out;
  }

  /** Multi-head self-attention over the N tokens; keys must be real tokens (and of another modality when crossOnly). */
  private attend(x: Float32Array, mask: Float32Array, p: string, N: number, T: number): Float32Array {
    const { dim: E, heads: Hh } = this.cfg;
    const hd = E / Hh;
    const scale = 1 / Math.sqrt(hd);
    const q = linear(x, N, this.get(`${p}.q.weight`), this.w.get(`${p}.q.bias`), E, E);
    const k = linear(x, N, this.get(`${p}.k.weight`), this.w.get(`${p}.k.bias`), E, E);
    const v = linear(x, N, this.get(`${p}.v.weight`), this.w.get(`${p}.v.bias`), E, E);
    const ctx = new Float32Array(N * E);
    const s = new Float64Array(N);
    for (let i = 0; i < q.length; i++) q[i] *= scale;
    // Keys each query may see: real tokens, and of another modality when crossOnly (tfjs adds −1e9
    // to the others' scores, whose exp underflows to exactly 0, so they are simply skipped here).
    const keys = new Int32Array(N);
    const rowAllowed = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      const mi = Math.floor(i / T);
      let nk = 0;
      for (let j = 0; j < N; j++) if (mask[j] !== 0 && !(this.cfg.crossOnly && Math.floor(j / T) === mi)) keys[nk++] = j;
      if (nk === 0) continue; // no allowed key: zero output (as the tfjs layer)
      rowAllowed[i] = 1;
      for (let hh = 0; hh < Hh; hh++) {
        const qo = i * E + hh * hd;
        let mx = -Infinity;
        for (let r = 0; r < nk; r++) {
          const ko = keys[r] * E + hh * hd;
          let d = 0;
          for (let c = 0; c < hd; c++) d += q[qo + c] * k[ko + c];
          s[r] = d;
          if (d > mx) mx = d;
        }
        let z = 0;
        for (let r = 0; r < nk; r++) {
          const e = Math.exp(s[r] - mx);
          s[r] = e;
          z += e;
        }
        const inv = 1 / z;
        for (let r = 0; r < nk; r++) {
          const wgt = s[r] * inv;
          const vo = keys[r] * E + hh * hd;
          for (let c = 0; c < hd; c++) ctx[qo + c] += wgt * v[vo + c];
        }
      }
    }
    const out = linear(ctx, N, this.get(`${p}.out.weight`), this.w.get(`${p}.out.bias`), E, E);
    for (let i = 0; i < N; i++) if (!rowAllowed[i]) out.fill(0, i * E, (i + 1) * E);
    return out;
  }
}
