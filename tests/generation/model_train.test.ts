import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { Generator } from '../../src/generation/model/generator.js';
import { checkConsistency, slope } from '../../src/generation/model/consistency.js';
import { ConditionalTransformer } from '../../src/generation/model/transformer.js';
import { criticTensors, encodeEntries, makeBatch, disposeBatch, trainGenerator, trainStep } from '../../src/generation/train.js';
import type { Intent } from '../../src/reasoning/types.js';
import { TINY_TEXTS, WordTokenizer, tinyCorpus } from './model_helpers.js';

const corpus = tinyCorpus();
const tok = new WordTokenizer(corpus.map((e) => e.text));
const small = { layers: 1, d_model: 32, heads: 4, ff: 64, max_len: 16, cond_hidden: 16, dropout: 0, batch: 6, lr: 1e-2, epochs: 40, lambda: 0.5 };
const classes = ['angry', 'happy', 'sad'];
const intent = (emotion: string, intensity = 0.8): Intent => {
  const i = classes.indexOf(emotion);
  return { emotion, emotionIndex: i, target: classes.map((_, k) => (k === i ? 1 : 0)), intensity, polarity: emotion === 'happy' ? 0.8 : -0.6, context: [] };
};

describe('trainGenerator on a tiny hand-written corpus', () => {
  let gen: Generator;
  let history: { trainLoss: number; trainAlign: number; valCe: number }[];

  beforeAll(async () => {
    await initBackend('wasm');
    const r = await trainGenerator({ entries: corpus, tokenizer: tok, cfg: small, rng: new Rng(11), classes });
    history = r.history;
    expect(r.counts).toEqual({ train: 9, heldout: 3, truncated: 0 });
    gen = new Generator(r.model, tok);
  });

  it('reduces the loss and the alignment term', () => {
    expect(history).toHaveLength(40);
    expect(history[39].trainLoss).toBeLessThan(0.25 * history[0].trainLoss);
    expect(history[39].trainAlign).toBeLessThan(history[0].trainAlign);
    expect(Number.isFinite(history[39].valCe)).toBe(true);
  });

  it('conditions on the emotion: greedy replies come from the matching emotion’s texts', () => {
    for (const emotion of ['sad', 'happy'] as const) {
      const tone = emotion === 'sad' ? 'warm' : 'encouraging';
      const out = gen.generate(intent(emotion), { tone, temperature: 1, emotionWeight: 1 }, { strategy: 'greedy' });
      const own = TINY_TEXTS[emotion].slice(0, 3).map((t) => tok.decode(tok.encode(t)));
      expect(own).toContain(out.text);
      expect(out.tokens.join(' ')).toBe(tok.tokens(tok.encode(out.text)).join(' '));
      expect(out.emotionTrend.length).toBe(out.tokens.length + 1);
      expect((out.trace.consistency as { final: number }).final).toBeGreaterThan(0.5);
    }
  });

  it('the same seed gives the same reply; sampling draws only from the Rng passed in', () => {
    const c = { tone: 'calm' as const, temperature: 1.5, emotionWeight: 1 };
    const a = gen.generate(intent('angry'), c, { rng: new Rng(5) });
    const b = gen.generate(intent('angry'), c, { rng: new Rng(5) });
    expect(a.text).toBe(b.text);
  });

  it('higher temperature gives more distinct replies; emotion weight 0 loses the emotion', () => {
    const distinct = (t: number) =>
      new Set(Array.from({ length: 12 }, (_, i) => gen.generate(intent('sad'), { tone: 'warm', temperature: t, emotionWeight: 1 }, { rng: new Rng(i), topP: 1 }).text)).size;
    expect(distinct(2.5)).toBeGreaterThan(distinct(0.2));
    const fin = (w: number) => (gen.generate(intent('happy'), { tone: 'encouraging', temperature: 1, emotionWeight: w }, { strategy: 'greedy' }).trace.consistency as { final: number }).final;
    expect(fin(1)).toBeGreaterThan(fin(0));
  });

  it('saves and loads to the same replies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-'));
    try {
      gen.save(dir);
      const g2 = Generator.load(dir, tok, new Rng(0));
      expect(g2.version).toBe(gen.version);
      const c = { tone: 'warm' as const, temperature: 0.9, emotionWeight: 1 };
      expect(g2.generate(intent('sad'), c, { rng: new Rng(2) }).text).toBe(gen.generate(intent('sad'), c, { rng: new Rng(2) }).text);
      expect(() => Generator.load(dir, new WordTokenizer(['other words']), new Rng(0))).toThrow(/tokenizer passed in differs/);
      g2.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad intent or control with the field named', () => {
    expect(() => gen.generate({ ...intent('sad'), target: [1, 0] }, { tone: 'warm', temperature: 1, emotionWeight: 1 })).toThrow(/intent\.target: length 2; expected 3/);
    expect(() => gen.generate(intent('sad'), { tone: 'loud' as never, temperature: 1, emotionWeight: 1 })).toThrow(/controls\.tone: "loud"/);
  });
});

describe('training mechanics', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('same seed, same history; tensors do not leak across steps', async () => {
    const cfg = { ...small, epochs: 2, dropout: 0.1 };
    const a = await trainGenerator({ entries: corpus, tokenizer: tok, cfg, rng: new Rng(4), classes });
    const b = await trainGenerator({ entries: corpus, tokenizer: tok, cfg, rng: new Rng(4), classes });
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
    const full = parseGeneratorConfig(cfg);
    const { examples } = encodeEntries(corpus.filter((e) => e.split === 'train'), tok, full, classes);
    const opt = tf.train.adam(1e-3);
    const vars = a.model.variables();
    const rng = new Rng(1);
    expect(a.critic).toBeDefined();
    const critic = criticTensors(a.critic!);
    const step = () => {
      const batch = makeBatch(examples.slice(0, 6), tok.padId, 3);
      trainStep(a.model, opt, vars, batch, full, rng, critic);
      disposeBatch(batch);
    };
    step(); // creates the optimiser's slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([critic.A, critic.b]);
    opt.dispose();
    a.model.dispose();
    b.model.dispose();
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await trainGenerator({ entries: corpus, tokenizer: tok, cfg: small, rng: new Rng(1), classes, signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(r.history).toHaveLength(0);
    r.model.dispose();
  });

  it('truncates over-long texts and counts them; unknown labels are named errors', () => {
    const cfg = parseGeneratorConfig({ ...small, max_len: 5 });
    const r = encodeEntries(corpus.slice(0, 2), tok, cfg, classes);
    expect(r.truncated).toBe(2);
    expect(r.examples[0].seq).toHaveLength(6); // BOS + 4 + EOS: inputs and targets are max_len long
    expect(() => encodeEntries([{ ...corpus[0], emotion: 'bored' }], tok, cfg, classes)).toThrow(/corpus entry sad-0: emotion "bored"; expected one of angry, happy, sad/);
    expect(() => new ConditionalTransformer(parseGeneratorConfig({}), { vocabSize: 10, classes: ['x'] }, new Rng(1))).toThrow(/at least 2 emotion classes/);
  });
});

describe('consistency monitor', () => {
  const cfg = parseGeneratorConfig({}).monitor;
  it('cosines, slope and drift flags (hand-derived)', () => {
    // target (1,0): rows (1,0), (1,1), (0,1) → cos 1, 1/√2, 0; slope of (1, .7071, 0) = −0.5
    const r = checkConsistency([[1, 0], [1, 1], [0, 1]], [1, 0], cfg);
    expect(r.cosines[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(r.slope).toBeCloseTo(-0.5, 12);
    expect(r.drift).toBe(true);
    expect(r.reasons).toEqual(['low_cosine', 'trending_away']);
    const ok = checkConsistency([[0.6, 0.4], [0.8, 0.2]], [1, 0], cfg);
    expect(ok.drift).toBe(false);
    expect(slope([1, 2, 3, 4])).toBeCloseTo(1, 12);
    expect(() => checkConsistency([], [1, 0], cfg)).toThrow(/empty emotion trend/);
  });
});
