import { tf } from '../../core/backend.js';
import { ConfigError, DataError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { TONES, STRATEGIES } from '../types.js';
import { mm } from './ops.js';
import type { GeneratorConfig } from '../config.js';

/** Shapes the model needs beyond the config: vocabulary and the emotion classes of the label preset. */
export interface ModelDims {
  vocabSize: number;
  classes: string[];
}

/** One batch of model inputs (tensors owned by the caller). */
export interface ModelInputs {
  /** [B, T] int32 token ids (BOS first, right-padded). */
  ids: tf.Tensor2D;
  /** [B, T] float 1/0: 1 on real (non-pad) input positions. */
  mask: tf.Tensor2D;
  /** [B] int32 index into TONES. */
  tone: tf.Tensor1D;
  /** [B] int32 index into STRATEGIES, or STRATEGIES.length for "none". */
  strategy: tf.Tensor1D;
  /** [B, condDim] float: target distribution ⊕ intensity ⊕ polarity ⊕ context. */
  cond: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Scales FiLM: γ = 1 + w·Δγ, β = w·β. */
  emotionWeight?: number;
  /** Applies dropout; needs `rng` for the dropout seeds. */
  training?: boolean;
  rng?: Rng;
}

export interface ForwardOutput {
  /** [B, T, V]. */
  logits: tf.Tensor3D;
  /** [B, T, d] final (post-LN) decoder states. */
  hidden: tf.Tensor3D;
  /** [B, C] softmax(emotionHead(masked mean of hidden)). */
  emotion: tf.Tensor2D;
}

/** Parameter names and shapes in a fixed order (saving, the fast path, fixtures). */
export function parameterShapes(cfg: GeneratorConfig, dims: ModelDims): [string, number[]][] {
  const { d_model: d, ff, layers: L, max_len, cond_hidden: H } = cfg;
  const V = dims.vocabSize;
  const C = dims.classes.length;
  const shapes: [string, number[]][] = [
    ['tok', [V, d]],
    ['pos', [max_len, d]],
    ['tone', [TONES.length, d]],
  ];
  if (cfg.use_strategy) shapes.push(['strategy', [STRATEGIES.length + 1, d]]);
  shapes.push(['cond1_w', [conditionDim(cfg, dims), H]], ['cond1_b', [H]], ['cond2_w', [H, L * 4 * d]], ['cond2_b', [L * 4 * d]]);
  for (let l = 0; l < L; l++) {
    shapes.push(
      [`l${l}.ln1_g`, [d]], [`l${l}.ln1_b`, [d]],
      [`l${l}.qkv_w`, [d, 3 * d]], [`l${l}.qkv_b`, [3 * d]],
      [`l${l}.o_w`, [d, d]], [`l${l}.o_b`, [d]],
      [`l${l}.ln2_g`, [d]], [`l${l}.ln2_b`, [d]],
      [`l${l}.ff1_w`, [d, ff]], [`l${l}.ff1_b`, [ff]],
      [`l${l}.ff2_w`, [ff, d]], [`l${l}.ff2_b`, [d]],
    );
  }
  shapes.push(['lnf_g', [d]], ['lnf_b', [d]], ['out_b', [V]], ['emo_w', [d, C]], ['emo_b', [C]]);
  return shapes;
}

/** Length of the condition vector: C (target) + 1 (intensity) + 1 (polarity) + context. */
export function conditionDim(cfg: GeneratorConfig, dims: ModelDims): number {
  return dims.classes.length + 2 + (cfg.use_context ? cfg.context_dim : 0);
}

const LN_EPS = 1e-5;
/** tfjs variable names are global: each model instance gets its own prefix. */
let instanceCounter = 0;

/**
 * The conditional generator of paper 001 §2.2 (eq. 1–2): a pre-LN causal
 * transformer decoder. The emotion never enters as words: the condition vector
 * [target ⊕ intensity ⊕ polarity ⊕ context] (intensity and polarity are the
 * paper's explicit "semantic control nodes") goes through a small MLP to
 * per-layer FiLM parameters (Perez et al. 2018) that scale and shift the
 * normalised input of every attention and feed-forward sublayer; tone (and
 * optionally strategy) embeddings are added to the input. An emotion head over
 * the mean-pooled final states gives the sequence's emotion for the alignment
 * loss and the consistency monitor. Output projection is tied to the token
 * embedding (fewer parameters for a small corpus).
 */
export class ConditionalTransformer {
  readonly cfg: GeneratorConfig;
  readonly dims: ModelDims;
  readonly params = new Map<string, tf.Variable>();
  readonly useGather: boolean;
  /** Prefix of this instance's tfjs variable names (`<prefix>/<param>`). */
  readonly scope = `generator${instanceCounter++}`;

  constructor(cfg: GeneratorConfig, dims: ModelDims, rng: Rng) {
    if (cfg.d_model % cfg.heads !== 0) throw new ConfigError(`generator.heads: d_model=${cfg.d_model} is not divisible by heads=${cfg.heads}`);
    if (dims.vocabSize < 4) throw new ConfigError(`generator: vocabSize=${dims.vocabSize}; expected a tokenizer with at least 4 ids`);
    if (dims.classes.length < 2) throw new ConfigError(`generator: classes=${JSON.stringify(dims.classes)}; expected at least 2 emotion classes`);
    this.cfg = cfg;
    this.dims = { vocabSize: dims.vocabSize, classes: [...dims.classes] };
    const L = cfg.layers;
    for (const [name, shape] of parameterShapes(cfg, dims)) {
      const n = shape.reduce((a, b) => a * b, 1);
      let init: Float32Array;
      if (name.endsWith('_g')) init = new Float32Array(n).fill(1);
      else if (name.endsWith('_b')) init = new Float32Array(n);
      // GPT-2 init: N(0, 0.02), residual output projections scaled by 1/√(2L).
      else if (name.endsWith('o_w') || name.endsWith('ff2_w')) init = rng.fork(name).normalArray(n, 0, 0.02 / Math.sqrt(2 * L));
      else if (name === 'cond1_w') init = rng.fork(name).normalArray(n, 0, Math.sqrt(1 / shape[0]));
      else init = rng.fork(name).normalArray(n, 0, 0.02);
      const t = tf.tensor(init, shape);
      this.params.set(name, tf.variable(t, true, `${this.scope}/${name}`));
      t.dispose(); // the variable holds its own reference to the data
    }
    const lookup = cfg.embedding_lookup;
    this.useGather = lookup === 'gather' || (lookup === 'auto' && tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined);
  }

  get condDim(): number {
    return conditionDim(this.cfg, this.dims);
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new ConfigError(`generator: no parameter ${JSON.stringify(name)}`);
    return v;
  }

  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Weights as plain Float32Arrays (the fast inference path, saving). */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of this.params) out.set(k, v.dataSync() as Float32Array);
    return out;
  }

  load(weights: Map<string, Float32Array> | Record<string, ArrayLike<number>>): void {
    const get = (k: string) => (weights instanceof Map ? weights.get(k) : weights[k]);
    for (const [k, v] of this.params) {
      const w = get(k);
      if (!w || w.length !== v.size) throw new DataError(`generator weights.${k}: ${w ? `length ${w.length}` : 'missing'}; expected ${v.size} values (shape ${v.shape.join('×')})`);
      v.assign(tf.tensor(Float32Array.from(w as ArrayLike<number>), v.shape));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  /** Per-layer FiLM parameters [B, L, 4, d] (Δγ₁, β₁, Δγ₂, β₂), before the emotion-weight scaling. */
  film(cond: tf.Tensor2D): tf.Tensor4D {
    const { layers: L, d_model: d } = this.cfg;
    return tf.tidy(() => {
      const h = tf.tanh(mm(cond, this.p('cond1_w')).add(this.p('cond1_b')));
      return mm(h, this.p('cond2_w')).add(this.p('cond2_b')).reshape([cond.shape[0], L, 4, d]) as tf.Tensor4D;
    });
  }

  forward(x: ModelInputs, opts: ForwardOptions = {}): ForwardOutput {
    const { layers: L, d_model: d, heads: H } = this.cfg;
    const [B, T] = x.ids.shape;
    if (T > this.cfg.max_len) throw new DataError(`generator input: length ${T}; expected at most max_len=${this.cfg.max_len}`);
    if (x.cond.shape[1] !== this.condDim) throw new DataError(`generator input cond: width ${x.cond.shape[1]}; expected ${this.condDim}`);
    const w = opts.emotionWeight ?? 1;
    const training = opts.training ?? false;
    if (training && this.cfg.dropout > 0 && !opts.rng) throw new ConfigError('generator forward: training with dropout needs an Rng');
    const drop = (t: tf.Tensor) => (training && this.cfg.dropout > 0 ? tf.dropout(t, this.cfg.dropout, undefined, opts.rng!.int32()) : t);
    const dh = d / H;
    return tf.tidy(() => {
      const flatIds = x.ids.reshape([B * T]);
      const tok = this.useGather
        ? tf.gather(this.p('tok'), flatIds)
        : mm(tf.oneHot(flatIds, this.dims.vocabSize).toFloat(), this.p('tok'));
      // Tone/strategy tables through one-hot matmuls: gather's gradient needs UnsortedSegmentSum (absent on wasm).
      let bias: tf.Tensor = mm(tf.oneHot(x.tone, TONES.length).toFloat(), this.p('tone'));
      if (this.cfg.use_strategy) bias = bias.add(mm(tf.oneHot(x.strategy, STRATEGIES.length + 1).toFloat(), this.p('strategy')));
      let h: tf.Tensor = tok
        .reshape([B, T, d])
        .add(this.p('pos').slice([0, 0], [T, d]))
        .add(bias.reshape([B, 1, d]));
      h = drop(h);
      const film = this.film(x.cond).mul(tf.tensor1d([w, w, w, w]).reshape([1, 1, 4, 1])); // w·Δγ, w·β
      const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9); // 0 on/below diagonal, −1e9 above
      for (let l = 0; l < L; l++) {
        const f = film.slice([0, l, 0, 0], [B, 1, 4, d]).reshape([B, 4, 1, d]);
        const [g1, b1, g2, b2] = tf.split(f, 4, 1).map((t) => t.reshape([B, 1, d]));
        // attention sublayer
        let a = layerNorm(h, this.p(`l${l}.ln1_g`), this.p(`l${l}.ln1_b`)).mul(g1.add(1)).add(b1);
        const qkv = mm(a.reshape([B * T, d]), this.p(`l${l}.qkv_w`)).add(this.p(`l${l}.qkv_b`));
        // All heads in one batched matmul: [B·H, T, dh]. q, k, v are column slices of qkv, each moved to
        // [B, H, T, dh] by a rank-4 transpose: one rank-5 transpose of qkv costs ~10× as much on wasm
        // (measured: 50–80 ms vs ~5 ms per call at B=32, T=32, d=96, a quarter of a training step).
        const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([B, T, H, dh]).transpose([0, 2, 1, 3]).reshape([B * H, T, dh]) as tf.Tensor3D);
        let att: tf.Tensor = mm(q, k, false, true).mul(1 / Math.sqrt(dh)).add(causal);
        att = drop(tf.softmax(att));
        a = mm(att, v).reshape([B, H, T, dh]).transpose([0, 2, 1, 3]).reshape([B * T, d]);
        a = mm(a, this.p(`l${l}.o_w`)).add(this.p(`l${l}.o_b`)).reshape([B, T, d]);
        h = h.add(drop(a));
        // feed-forward sublayer
        let m = layerNorm(h, this.p(`l${l}.ln2_g`), this.p(`l${l}.ln2_b`)).mul(g2.add(1)).add(b2);
        m = mm(m.reshape([B * T, d]), this.p(`l${l}.ff1_w`)).add(this.p(`l${l}.ff1_b`));
        m = this.cfg.activation === 'gelu' ? gelu(m) : tf.relu(m);
        m = mm(m, this.p(`l${l}.ff2_w`)).add(this.p(`l${l}.ff2_b`)).reshape([B, T, d]);
        h = h.add(drop(m));
      }
      const hidden = layerNorm(h, this.p('lnf_g'), this.p('lnf_b')) as tf.Tensor3D;
      const logits = mm(hidden.reshape([B * T, d]), this.p('tok'), false, true).add(this.p('out_b')).reshape([B, T, this.dims.vocabSize]) as tf.Tensor3D;
      const emotion = this.emotionHead(hidden, x.mask);
      return { logits, hidden, emotion };
    });
  }

  /** softmax(W·mean_{t: mask=1} hidden_t + b): the sequence's emotion distribution. */
  emotionHead(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const m = mask.expandDims(2);
      const pooled = hidden.mul(m).sum(1).div(m.sum(1).maximum(1));
      return tf.softmax(mm(pooled, this.p('emo_w')).add(this.p('emo_b'))) as tf.Tensor2D;
    });
  }
}

/** LayerNorm over the last axis (biased variance, ε = 1e-5, as torch.nn.LayerNorm). */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(LN_EPS))).mul(g).add(b);
  });
}

/** GELU, tanh approximation (Hendrycks & Gimpel 2016; torch approximate='tanh'): tfjs has no gelu op. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(tf.tanh(inner).add(1));
  });
}
