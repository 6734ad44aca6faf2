import { tf } from '../core/backend.js';
import { DataError, ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { EmotionVector } from '../perception/types.js';
import type { Intent } from './types.js';
import { parseReasoningConfig, type ReasoningConfig } from './config.js';
import { classValences } from './valence.js';

/** One previous turn: its emotion vector and, optionally, an utterance encoding. */
export interface HistoryTurn {
  ev: EmotionVector;
  utterance?: number[];
}

/** Plain-data weights, for saving beside a run and for tests that set exact values. */
export interface ReasoningWeights {
  /** C × embed_dim, row-major: one row per emotion class. */
  embedding: number[];
  /** embed_dim × attn_dim. */
  wq: number[];
  /** (embed_dim + utterance_dim) × attn_dim. */
  wk: number[];
  wv: number[];
  /** (embed_dim + attn_dim) × context_dim. */
  wo: number[];
  /** context_dim. */
  bo: number[];
}

/**
 * Reasoning (paper 001 §2.2): E_t (an EmotionVector) and the context window C_t
 * (previous turns) give the intent H_t = f(E_t, C_t, W).
 *
 * learned mode, per call:
 *   e      = I · pᵀM                      M: emotion embedding matrix, one row per class
 *   I      = clip(w_m·(p₁ − p₂) + w_a·(arousal + 1)/2, 0, 1)     probability margin + arousal
 *   h_j    = [p_jᵀM ⊕ u_j]                 each previous turn in the window (u_j = utterance, zeros if absent)
 *   α      = softmax_j((e·Wq)·(h_j·Wk) / √attn_dim),  c = Σ_j α_j·(h_j·Wv)   (c = 0 with no history)
 *   context = tanh([e ⊕ c]·Wo + bo)
 *   polarity = clip(β·valence + (1 − β)·Σ_c p_c·v_c, −1, 1)
 * rule mode (ablation, no weights): M = identity, context = [e ⊕ Σ_j w_j·e_j / Σ_j w_j] with
 * w_j = decay^(age_j − 1), e_j = I_j·p_j.
 */
let instanceCounter = 0;

export class ReasoningModel {
  readonly cfg: ReasoningConfig;
  readonly classes: string[];
  private readonly scope = instanceCounter++;
  private readonly valences: number[];
  private vars: { embedding: tf.Variable; wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable; bo: tf.Variable } | undefined;

  constructor(classes: readonly string[], cfg: Partial<ReasoningConfig> | ReasoningConfig = {}, rng?: Rng) {
    if (classes.length < 2) throw new ConfigError(`reasoning: classes=${JSON.stringify(classes)}; expected at least 2 emotion classes`);
    this.cfg = parseReasoningConfig(cfg);
    this.classes = [...classes];
    this.valences = classValences(this.classes, this.cfg.class_valence, 'reasoning.class_valence');
    if (this.cfg.mode === 'learned') {
      if (!rng) throw new ConfigError('reasoning.mode=learned needs an Rng for its weight initialisation');
      const { embed_dim: d, attn_dim: a, context_dim: k, utterance_dim: u } = this.cfg;
      const C = this.classes.length;
      // Scaled-normal (Glorot-like) initialisation from the passed-in Rng, one fork per matrix.
      const init = (label: string, rows: number, cols: number) => {
        const t = tf.tensor2d(rng.fork(label).normalArray(rows * cols, 0, Math.sqrt(2 / (rows + cols))), [rows, cols]);
        const v = tf.variable(t, true, `reasoning${this.scope}/${label}`);
        t.dispose(); // the variable holds its own reference to the data
        return v;
      };
      this.vars = {
        embedding: init('embedding', C, d),
        wq: init('wq', d, a),
        wk: init('wk', d + u, a),
        wv: init('wv', d + u, a),
        wo: init('wo', d + a, k),
        bo: tf.tidy(() => tf.variable(tf.zeros([k]), true, `reasoning${this.scope}/bo`)),
      };
    }
  }

  /** Length of Intent.context. */
  get contextDim(): number {
    return this.cfg.mode === 'learned' ? this.cfg.context_dim : 2 * this.classes.length;
  }

  /** The trainable variables (learned mode), e.g. for end-to-end training with the perception model. */
  trainableVariables(): tf.Variable[] {
    return this.vars ? Object.values(this.vars) : [];
  }

  getWeights(): ReasoningWeights {
    if (!this.vars) throw new ConfigError('reasoning.mode=rule has no weights');
    const v = this.vars;
    const arr = (t: tf.Variable) => Array.from(t.dataSync());
    return { embedding: arr(v.embedding), wq: arr(v.wq), wk: arr(v.wk), wv: arr(v.wv), wo: arr(v.wo), bo: arr(v.bo) };
  }

  setWeights(w: ReasoningWeights): void {
    if (!this.vars) throw new ConfigError('reasoning.mode=rule has no weights');
    for (const key of Object.keys(this.vars) as (keyof ReasoningWeights)[]) {
      const v = this.vars[key];
      const src = w[key];
      if (!Array.isArray(src) || src.length !== v.size) {
        throw new DataError(`reasoning weights.${key}: length ${Array.isArray(src) ? src.length : typeof src}; expected ${v.size} numbers (shape ${v.shape.join('×')})`);
      }
      v.assign(tf.tensor(src, v.shape));
    }
  }

  dispose(): void {
    if (this.vars) for (const v of Object.values(this.vars)) v.dispose();
    this.vars = undefined;
  }

  intensity(ev: EmotionVector): number {
    const sorted = [...ev.probs].sort((a, b) => b - a);
    const margin = sorted[0] - sorted[1];
    const I = this.cfg.intensity_margin_weight * margin + this.cfg.intensity_arousal_weight * ((ev.arousal + 1) / 2);
    return Math.min(1, Math.max(0, I));
  }

  polarity(ev: EmotionVector): number {
    let prior = 0;
    for (let c = 0; c < ev.probs.length; c++) prior += ev.probs[c] * this.valences[c];
    const b = this.cfg.polarity_valence_weight;
    return Math.min(1, Math.max(-1, b * ev.valence + (1 - b) * prior));
  }

  intent(ev: EmotionVector, history: readonly HistoryTurn[] = []): Intent {
    this.check(ev, 'ev');
    history.forEach((h, i) => {
      this.check(h.ev, `history[${i}].ev`);
      if (h.utterance !== undefined && h.utterance.length !== this.cfg.utterance_dim) {
        throw new DataError(`history[${i}].utterance: length ${h.utterance.length}; expected utterance_dim=${this.cfg.utterance_dim}`);
      }
    });
    // The context window C_t: the most recent `window` turns (older turns are outside the window by definition).
    const win = history.slice(-this.cfg.window);
    const I = this.intensity(ev);
    const top = argmax(ev.probs);
    const target = this.cfg.target === 'probs' ? [...ev.probs] : ev.probs.map((_, i) => (i === top ? 1 : 0));
    const context = this.cfg.mode === 'learned' ? this.learnedContext(ev, I, win) : this.ruleContext(ev, I, win);
    return { emotion: this.classes[top], emotionIndex: top, target, intensity: I, polarity: this.polarity(ev), context };
  }

  private learnedContext(ev: EmotionVector, I: number, win: readonly HistoryTurn[]): number[] {
    const v = this.vars!;
    const { attn_dim: a, utterance_dim: u } = this.cfg;
    const out = tf.tidy(() => {
      const e = tf.tensor2d([ev.probs]).matMul(v.embedding).mul(I) as tf.Tensor2D; // [1, d]
      let c: tf.Tensor;
      if (win.length === 0) c = tf.zeros([1, a]);
      else {
        const P = tf.tensor2d(win.map((h) => h.ev.probs)); // [W, C]
        let H = P.matMul(v.embedding) as tf.Tensor2D; // [W, d]
        if (u > 0) H = tf.concat([H, tf.tensor2d(win.map((h) => h.utterance ?? new Array<number>(u).fill(0)))], 1);
        const q = e.matMul(v.wq); // [1, a]
        const K = H.matMul(v.wk); // [W, a]
        const V = H.matMul(v.wv);
        const alpha = tf.softmax(q.matMul(K, false, true).div(Math.sqrt(a))); // [1, W]
        c = alpha.matMul(V) as tf.Tensor2D;
      }
      return tf.tanh(tf.concat([e, c], 1).matMul(v.wo).add(v.bo));
    });
    const data = Array.from(out.dataSync());
    out.dispose();
    return data;
  }

  private ruleContext(ev: EmotionVector, I: number, win: readonly HistoryTurn[]): number[] {
    const C = this.classes.length;
    const e = ev.probs.map((p) => p * I);
    const c = new Array<number>(C).fill(0);
    let wsum = 0;
    win.forEach((h, j) => {
      const age = win.length - j;
      const w = Math.pow(this.cfg.rule_decay, age - 1);
      const Ij = this.intensity(h.ev);
      for (let k = 0; k < C; k++) c[k] += w * Ij * h.ev.probs[k];
      wsum += w;
    });
    return [...e, ...c.map((x) => (wsum > 0 ? x / wsum : 0))];
  }

  private check(ev: EmotionVector, where: string): void {
    const C = this.classes.length;
    if (!Array.isArray(ev.probs) || ev.probs.length !== C) {
      throw new DataError(`${where}.probs: length ${Array.isArray(ev.probs) ? ev.probs.length : typeof ev.probs}; expected ${C} (classes ${this.classes.join(', ')})`);
    }
    if (ev.classes && ev.classes.length === C && ev.classes.some((c, i) => c !== this.classes[i])) {
      throw new DataError(`${where}.classes: ${JSON.stringify(ev.classes)}; expected the reasoning model's classes ${JSON.stringify(this.classes)} in that order`);
    }
    const s = ev.probs.reduce((x, y) => x + y, 0);
    if (ev.probs.some((p) => !Number.isFinite(p) || p < 0) || Math.abs(s - 1) > 1e-3) {
      throw new DataError(`${where}.probs: ${JSON.stringify(ev.probs.map((p) => +p.toFixed(4)))}; expected non-negative probabilities summing to 1 (sum ${s.toFixed(4)})`);
    }
    for (const k of ['arousal', 'valence'] as const) {
      if (!Number.isFinite(ev[k]) || ev[k] < -1 || ev[k] > 1) throw new DataError(`${where}.${k}: ${ev[k]}; expected a number in [-1, 1]`);
    }
  }
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}
