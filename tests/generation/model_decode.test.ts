import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { applyRepetitionPenalty, decode, decodeOptionsFrom, samplingDistribution } from '../../src/generation/decode.js';
import { FastDecoder } from '../../src/generation/model/fast.js';
import { ConditionalTransformer } from '../../src/generation/model/transformer.js';

describe('logit processors (hand-derived)', () => {
  it('repetition penalty divides positive and multiplies negative logits of seen tokens (CTRL)', () => {
    const l = new Float64Array([2, -1, 0.5]);
    applyRepetitionPenalty(l, [0, 1, 1], 2);
    expect(Array.from(l)).toEqual([1, -2, 0.5]);
  });

  it('temperature, top-k and top-p', () => {
    const logits = [0, Math.log(2), Math.log(4)];
    const close = (p: Float64Array, e: number[]) => e.forEach((x, i) => expect(p[i]).toBeCloseTo(x, 12));
    close(samplingDistribution(logits, 1, 0, 1), [1 / 7, 2 / 7, 4 / 7]);
    close(samplingDistribution(logits, 0.5, 0, 1), [1 / 21, 4 / 21, 16 / 21]);
    close(samplingDistribution(logits, 2, 0, 1), [1 / (1 + Math.SQRT2 + 2), Math.SQRT2 / (1 + Math.SQRT2 + 2), 2 / (1 + Math.SQRT2 + 2)]);
    close(samplingDistribution(logits, 1, 2, 1), [0, 1 / 3, 2 / 3]);
    close(samplingDistribution(logits, 1, 0, 0.5), [0, 0, 1]);
    close(samplingDistribution(logits, 1, 0, 0.8), [0, 1 / 3, 2 / 3]);
    // top-k then top-p within the renormalised top-k: {2/3, 1/3}: p=0.6 keeps one
    close(samplingDistribution(logits, 1, 2, 0.6), [0, 0, 1]);
  });

  it('rejects bad decoding options with the key named', () => {
    const d = parseGeneratorConfig({}).decoding;
    expect(() => decodeOptionsFrom(d, { temperature: 0 })).toThrow(/decoding\.temperature: 0; expected a number > 0/);
    expect(() => decodeOptionsFrom(d, { topP: 1.5 })).toThrow(/decoding\.top_p/);
  });
});

describe('KV-cached decoding', () => {
  let fast: FastDecoder;
  const special = { pad: 0, bos: 1, eos: 2, unk: 3 };
  beforeAll(async () => {
    await initBackend('wasm');
    const cfg = parseGeneratorConfig({ layers: 2, d_model: 32, heads: 4, ff: 64, max_len: 48, dropout: 0 });
    const m = new ConditionalTransformer(cfg, { vocabSize: 40, classes: ['a', 'b', 'c'] }, new Rng(3));
    // Random weights at N(0, 0.02) give near-uniform logits; sharpen them so greedy paths are non-trivial.
    const w = m.snapshot();
    for (const [k, v] of w) if (!k.endsWith('_g') && !k.endsWith('_b')) for (let i = 0; i < v.length; i++) v[i] *= 8;
    fast = new FastDecoder(cfg, m.dims, w);
    m.dispose();
  });

  const opts = (o: object) => decodeOptionsFrom(parseGeneratorConfig({}).decoding, { maxNewTokens: 40, ...o });

  it('gives exactly the same tokens and emotion trend as the uncached path: greedy', () => {
    for (const [tone, cond] of [[0, [1, 0, 0, 0.5, -0.5]], [3, [0, 0.2, 0.8, 0.9, 0.4]]] as const) {
      const prep = fast.prepare(cond, tone, undefined, 1);
      // eos disabled so the whole 40-token path is compared
      const a = decode(fast, prep, { ...special, eos: -1 }, opts({ strategy: 'greedy', kvCache: true, repetitionPenalty: 3 }));
      const b = decode(fast, prep, { ...special, eos: -1 }, opts({ strategy: 'greedy', kvCache: false, repetitionPenalty: 3 }));
      expect(a.ids.length).toBe(40);
      expect(new Set(a.ids).size).toBeGreaterThan(5);
      expect(a.ids).toEqual(b.ids);
      expect(a.emotionTrend).toEqual(b.emotionTrend);
    }
  });

  it('gives exactly the same tokens as the uncached path: seeded sampling, and the seed decides', () => {
    const prep = fast.prepare([0.3, 0.3, 0.4, 0.6, 0.1], 1, 2, 1.5);
    const o = { strategy: 'sample' as const, temperature: 1.3, topK: 20, topP: 0.95 };
    const runs = [1, 2, 3].map((s) => ({
      c: decode(fast, prep, special, opts({ ...o, kvCache: true }), new Rng(s)).ids,
      u: decode(fast, prep, special, opts({ ...o, kvCache: false }), new Rng(s)).ids,
    }));
    for (const r of runs) expect(r.c).toEqual(r.u);
    expect(decode(fast, prep, special, opts(o), new Rng(1)).ids).toEqual(runs[0].c);
    expect(new Set(runs.map((r) => r.c.join(','))).size).toBeGreaterThan(1);
  });

  it('is faster with the cache on a 40-token reply', () => {
    const prep = fast.prepare([1, 0, 0, 0.5, -0.5], 0, undefined, 1);
    const time = (kvCache: boolean) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, decode(fast, prep, { ...special, eos: -1 }, opts({ strategy: 'greedy', kvCache })).ms);
      return best;
    };
    const cached = time(true);
    const uncached = time(false);
    expect(cached).toBeLessThan(uncached);
  });

  it('never emits pad, bos or unk, and stops at max_new_tokens', () => {
    const prep = fast.prepare([0, 1, 0, 0.2, 0], 2, undefined, 1);
    const r = decode(fast, prep, { ...special, eos: -1 }, opts({ strategy: 'sample', temperature: 5, maxNewTokens: 30, topP: 1, repetitionPenalty: 1 }), new Rng(9));
    expect(r.ids).toHaveLength(30);
    expect(r.ids.some((t) => t <= 1 || t === 3)).toBe(false);
    expect(r.finished).toBe(false);
    expect(r.emotionTrend).toHaveLength(31);
  });
});
