import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { ReasoningModel } from '../../src/reasoning/model.js';
import { classValences } from '../../src/reasoning/valence.js';
import type { EmotionVector } from '../../src/perception/types.js';

const classes = ['happy', 'sad'];
const ev = (probs: number[], arousal = 0, valence = 0): EmotionVector => ({ classes, probs, arousal, valence, embedding: [], modalities: ['audio'] });
const cur = ev([0.25, 0.75], 0.2, -0.4);
const cfg = { embed_dim: 2, attn_dim: 2, context_dim: 2, utterance_dim: 1, window: 2 };

// Hand-set weights; every expected value below is derived by hand in the comments.
const weights = {
  embedding: [1, 0, 0, 2], // happy → (1, 0), sad → (0, 2)
  wq: [1, 0, 0, 1], // identity
  wk: [1, 0, 0, 1, 0, 0], // k = first two dims of h
  wv: [0, 0, 0, 0, 1, -1], // v = u·(1, −1)
  wo: [1, 0, 0, 1, 1, 0, 0, 1], // context = tanh(e + c)
  bo: [0, 0],
};

describe('ReasoningModel (learned mode), hand-derived', () => {
  let m: ReasoningModel;
  beforeAll(async () => {
    await initBackend('wasm');
    m = new ReasoningModel(classes, cfg, new Rng(1));
    m.setWeights(weights);
  });

  it('intensity from margin and arousal, polarity from valence and class prior, target and emotion', () => {
    const it0 = m.intent(cur, []);
    // margin 0.5, (0.2 + 1)/2 = 0.6 → 0.5·0.5 + 0.5·0.6
    expect(it0.intensity).toBeCloseTo(0.55, 12);
    // prior 0.25·0.8 + 0.75·(−0.7) = −0.325; 0.5·(−0.4) + 0.5·(−0.325)
    expect(it0.polarity).toBeCloseTo(-0.3625, 12);
    expect(it0.emotion).toBe('sad');
    expect(it0.emotionIndex).toBe(1);
    expect(it0.target).toEqual([0.25, 0.75]);
    // e = 0.55·(0.25, 1.5) = (0.1375, 0.825); no history → c = 0
    expect(it0.context[0]).toBeCloseTo(Math.tanh(0.1375), 6);
    expect(it0.context[1]).toBeCloseTo(Math.tanh(0.825), 6);
  });

  it('attends over previous turns (emotion and utterance)', () => {
    // one turn: h = (1, 0, 2) → v = (2, −2), α = 1 → context = tanh(e + v)
    const one = m.intent(cur, [{ ev: ev([1, 0]), utterance: [2] }]);
    expect(one.context[0]).toBeCloseTo(Math.tanh(2.1375), 6);
    expect(one.context[1]).toBeCloseTo(Math.tanh(-1.175), 6);
    // two turns: k1 = (1, 0), k2 = (0, 2); scores q·k/√2 = 0.1375/√2, 1.65/√2; v2 = 0
    const hist = [{ ev: ev([1, 0]), utterance: [2] }, { ev: ev([0, 1]) }];
    const two = m.intent(cur, hist);
    const a1 = 1 / (1 + Math.exp((1.65 - 0.1375) / Math.SQRT2));
    expect(two.context[0]).toBeCloseTo(Math.tanh(0.1375 + 2 * a1), 6);
    expect(two.context[1]).toBeCloseTo(Math.tanh(0.825 - 2 * a1), 6);
    // window = 2: an older third turn is outside the window
    const three = m.intent(cur, [{ ev: ev([0.5, 0.5]), utterance: [9] }, ...hist]);
    expect(three.context).toEqual(two.context);
  });

  it('is deterministic given the Rng and does not leak tensors', () => {
    const a = new ReasoningModel(classes, cfg, new Rng(7));
    const b = new ReasoningModel(classes, cfg, new Rng(7));
    const h = [{ ev: ev([0.6, 0.4], 0.1, 0.2), utterance: [0.3] }];
    const before = tf.memory().numTensors;
    const ia = a.intent(cur, h);
    expect(tf.memory().numTensors).toBe(before);
    expect(b.intent(cur, h).context).toEqual(ia.context);
    expect(new ReasoningModel(classes, cfg, new Rng(8)).intent(cur, h).context).not.toEqual(ia.context);
  });

  it('rejects bad input with the field named', () => {
    expect(() => m.intent(ev([0.5, 0.3]))).toThrow(/ev\.probs: .* summing to 1/);
    expect(() => m.intent(ev([1]))).toThrow(/ev\.probs: length 1; expected 2/);
    expect(() => m.intent(ev([1, 0], 1.5))).toThrow(/ev\.arousal: 1\.5; expected a number in \[-1, 1\]/);
    expect(() => m.intent(cur, [{ ev: ev([1, 0]), utterance: [1, 2] }])).toThrow(/history\[0\]\.utterance: length 2; expected utterance_dim=1/);
    expect(() => m.setWeights({ ...weights, wq: [1] })).toThrow(/weights\.wq: length 1; expected 4/);
    expect(() => classValences(['bored'])).toThrow(/no valence for emotion class "bored"/);
  });
});

describe('ReasoningModel (rule mode ablation), hand-derived', () => {
  it('identity embedding and a recency-weighted mean of previous turns', () => {
    const m = new ReasoningModel(classes, { mode: 'rule', target: 'onehot', rule_decay: 0.5 });
    // turn 1 (age 2, w 0.5): margin 1, arousal 0 → I = 0.75; turn 2 (age 1, w 1): margin 0, arousal −1 → I = 0
    const r = m.intent(cur, [{ ev: ev([1, 0], 0) }, { ev: ev([0.5, 0.5], -1) }]);
    expect(r.target).toEqual([0, 1]);
    expect(m.contextDim).toBe(4);
    [0.1375, 0.4125, (0.5 * 0.75) / 1.5, 0].forEach((x, i) => expect(r.context[i]).toBeCloseTo(x, 12));
    expect(() => new ReasoningModel(classes, { mode: 'learned' })).toThrow(/needs an Rng/);
  });
});
