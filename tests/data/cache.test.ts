import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { createSynAffect, datasetCacheKey, FeatureCache, hashConfig, synaffectConfig } from '../../src/data/index.js';
import type { SampleFeatures } from '../../src/perception/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'affectlab-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const feats = (): SampleFeatures => ({
  audio: { times: Float32Array.from([0, 0.5, 1]), values: Float32Array.from([1, 2, 3, 4, 5, 6]), dim: 2 },
  physio: { times: Float32Array.from([0.25]), values: Float32Array.from([-1.5, 0.1, 1e-7]), dim: 3 },
});

describe('FeatureCache', () => {
  it('stores and returns features bit-exactly, keyed by dataset, sample id and config hash', () => {
    const c = new FeatureCache(join(tmp, 'a'));
    const h = hashConfig({ mfcc: 13, win: 0.025 });
    expect(c.get('synaffect', 'syn000001', h)).toBeUndefined();
    c.put('synaffect', 'syn000001', h, feats());
    expect(c.get('synaffect', 'syn000001', h)).toEqual(feats());
    expect(c.get('synaffect', 'syn000001', hashConfig({ mfcc: 20, win: 0.025 }))).toBeUndefined();
    expect(c.get('iemocap', 'syn000001', h)).toBeUndefined();
    expect(c.stats).toEqual({ hits: 1, misses: 3, corrupt: 0, writes: 1 });
    // Binary Float32 layout: 8-byte preamble + JSON header + (3 + 6 + 1 + 3) floats.
    const bytes = readFileSync(c.path('synaffect', 'syn000001', h));
    expect(bytes.toString('ascii', 0, 4)).toBe('AFC1');
    expect(bytes.length).toBe(8 + bytes.readUInt32LE(4) + 4 * 13);
  });

  it('keys datasets by content: another SynAffect config or run seed never shares entries', () => {
    const key = (n: number, seed: number) => datasetCacheKey(createSynAffect(synaffectConfig({ n }), new Rng(seed)));
    expect(key(10, 1)).toBe(key(10, 1));
    expect(key(10, 1)).not.toBe(key(11, 1));
    expect(key(10, 1)).not.toBe(key(10, 2));
    expect(key(10, 1)).toMatch(/^synaffect-[0-9a-f]{16}$/);
  });

  it('hashes configs independently of key order', () => {
    expect(hashConfig({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(hashConfig({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(hashConfig({ a: 1 })).not.toBe(hashConfig({ a: 2 }));
  });

  it('extracts once across a sweep: getOrCompute calls the extractor only on a miss', () => {
    const c = new FeatureCache(join(tmp, 'b'));
    let calls = 0;
    const h = hashConfig({ f: 1 });
    for (const _fusion of ['early', 'late', 'attention_gru']) for (let i = 0; i < 4; i++) c.getOrCompute('synaffect', `s${i}`, h, () => (calls++, feats()));
    expect(calls).toBe(4);
  });

  it('detects corrupt and partial entries, deletes them and reports a miss so they are rebuilt', () => {
    const c = new FeatureCache(join(tmp, 'c'));
    const h = hashConfig({});
    const cases: [string, (p: string) => void][] = [
      ['truncated', (p) => truncateSync(p, readFileSync(p).length - 5)],
      ['flipped bit', (p) => {
        const b = readFileSync(p);
        b[b.length - 3] ^= 0x10;
        writeFileSync(p, b);
      }],
      ['bad magic', (p) => {
        const b = readFileSync(p);
        b[0] = 0x58;
        writeFileSync(p, b);
      }],
      ['empty', (p) => writeFileSync(p, '')],
    ];
    for (const [label, damage] of cases) {
      c.put('ds', label, h, feats());
      const p = c.path('ds', label, h);
      damage(p);
      expect(c.get('ds', label, h), label).toBeUndefined();
      expect(existsSync(p), label).toBe(false);
      expect(c.getOrCompute('ds', label, h, feats)).toEqual(feats());
      expect(c.get('ds', label, h), label).toEqual(feats());
    }
    expect(c.stats.corrupt).toBe(4);
  });

  it('keeps awkward sample ids inside the cache folder', () => {
    const c = new FeatureCache(join(tmp, 'd'));
    const p = c.path('meld', '../../etc/passwd', 'abc');
    expect(p.startsWith(join(tmp, 'd', 'meld', 'abc'))).toBe(true);
    expect(() => c.path('meld', '..', 'abc')).toThrow(/sample id/);
    expect(() => c.put('ds', 'x', 'h', { audio: { times: new Float32Array(2), values: new Float32Array(3), dim: 2 } })).toThrow(/values has 3 numbers, expected times\.length × dim = 2 × 2/);
  });
});
