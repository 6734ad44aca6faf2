import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HfLocalEncoder } from '../../src/generation/sem/hf.js';
import { assertSameEncoder, semScore, type SentenceEncoder } from '../../src/generation/sem/encoder.js';

const dir = new URL('../fixtures/generation/tiny-encoder', import.meta.url).pathname;
// Embeddings computed by scripts/fixtures/make_tiny_sentence_model.py in PyTorch with its own tokenisation and pooling.
const ref = JSON.parse(readFileSync(new URL('../fixtures/generation/tiny-encoder-reference.json', import.meta.url), 'utf8'));

describe('HfLocalEncoder (local ONNX model, no downloads)', () => {
  it('matches the independently computed mean-pooled, normalised embeddings (batched with padding)', async () => {
    const enc = await HfLocalEncoder.load(dir);
    expect(enc.name).toBe('tiny-encoder');
    expect(enc.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(enc.dim).toBe(16);
    const emb = await enc.embed(ref.sentences);
    emb.forEach((e: Float32Array, i: number) => ref.embeddings[i].forEach((x: number, j: number) => expect(e[j]).toBeCloseTo(x, 4)));
    // one at a time (no padding) gives the same
    const single = await enc.embed([ref.sentences[2]]);
    single[0].forEach((x, j) => expect(x).toBeCloseTo(ref.embeddings[2][j], 4));
  });

  it('names a folder that is not a model', async () => {
    await expect(HfLocalEncoder.load('/nonexistent/model')).rejects.toThrow(/config\.json missing/);
  });
});

describe('semScore', () => {
  // A fixed lookup encoder: embeddings chosen by hand so the cosines are known.
  const table: Record<string, number[]> = { a: [1, 0], b: [0, 1], c: [Math.SQRT1_2, Math.SQRT1_2] };
  const fixed = (hash: string): SentenceEncoder => ({ name: 'lookup', hash, dim: 2, embed: async (ts) => ts.map((t) => Float32Array.from(table[t])) });

  it('is the mean cosine over pairs and carries the encoder id', async () => {
    const f = await semScore(fixed('h1'), ['a', 'a', 'c'], ['a', 'b', 'a']);
    expect(f.cosines[0]).toBeCloseTo(1, 6);
    expect(f.cosines[1]).toBeCloseTo(0, 6);
    expect(f.cosines[2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(f.sem).toBeCloseTo((1 + Math.SQRT1_2) / 3, 6);
    expect(f.encoder).toEqual({ name: 'lookup', hash: 'h1' });
    await expect(semScore(fixed('h1'), ['a'], [])).rejects.toThrow(/1 generated texts and 0 references/);
  });

  it('refuses to mix encoders in one table', async () => {
    const x = await semScore(fixed('h1'), ['a'], ['b']);
    const y = await semScore(fixed('h2'), ['a'], ['b']);
    expect(assertSameEncoder([x, x])).toEqual({ name: 'lookup', hash: 'h1' });
    expect(() => assertSameEncoder([x, y])).toThrow(/row 1 was scored with encoder lookup@h2; expected lookup@h1/);
  });
});

describe('TrainedCorpusEncoder (default SEM encoder)', () => {
  it('learns paraphrases (same templateId) closer than other texts, caches on disk and reloads identically', async () => {
    const { mkdtempSync, rmSync, existsSync: exists } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { initBackend } = await import('../../src/core/backend.js');
    const { TrainedCorpusEncoder } = await import('../../src/generation/sem/trained.js');
    const { tinyCorpus, WordTokenizer } = await import('./model_helpers.js');
    await initBackend('wasm');
    const corpus = tinyCorpus();
    const tok = new WordTokenizer(corpus.map((e) => e.text));
    const cacheDir = mkdtempSync(join(tmpdir(), 'sem-'));
    try {
      const cfg = { epochs: 60, dim: 16, embed_dim: 16, lr: 0.05 };
      const enc = await TrainedCorpusEncoder.trainOrLoad({ entries: corpus, tokenizer: tok, cfg, cacheDir });
      expect(enc.fromCache).toBe(false);
      expect(exists(enc.cachePath)).toBe(true);
      const train = corpus.filter((e) => e.split === 'train');
      const emb = await enc.embed(train.map((e) => e.text));
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
      expect(dot(emb[0], emb[0])).toBeCloseTo(1, 5);
      let same = 0;
      let nSame = 0;
      let diff = 0;
      let nDiff = 0;
      for (let i = 0; i < train.length; i++)
        for (let j = i + 1; j < train.length; j++) {
          if (train[i].templateId === train[j].templateId) {
            same += dot(emb[i], emb[j]);
            nSame++;
          } else {
            diff += dot(emb[i], emb[j]);
            nDiff++;
          }
        }
      expect(same / nSame).toBeGreaterThan(diff / nDiff + 0.3);
      const again = await TrainedCorpusEncoder.trainOrLoad({ entries: corpus, tokenizer: tok, cfg, cacheDir });
      expect(again.fromCache).toBe(true);
      expect(again.hash).toBe(enc.hash);
      expect(Array.from((await again.embed([train[0].text]))[0])).toEqual(Array.from(emb[0]));
      const other = await TrainedCorpusEncoder.trainOrLoad({ entries: corpus, tokenizer: tok, cfg: { ...cfg, epochs: 2 }, cacheDir });
      expect(other.fromCache).toBe(false);
      expect(other.hash).not.toBe(enc.hash);
      await expect(TrainedCorpusEncoder.trainOrLoad({ entries: corpus.map((e) => ({ ...e, templateId: undefined })), tokenizer: tok, cacheDir })).rejects.toThrow(
        /0 templates with paraphrase pairs/,
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
