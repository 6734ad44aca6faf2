import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { buildCorpus } from '../../src/generation/corpus/index.js';
import { BpeTokenizer, learnMerges, normalizeText, trainTokenizer } from '../../src/generation/tokenizer.js';

describe('BPE merge learning', () => {
  it('reproduces the hand-derived merges of the low/lower/newest/widest example', () => {
    // Sennrich et al. (2016) toy vocabulary, without end-of-word markers. Ties
    // (equal counts) go to the pair whose (left, right) strings sort first.
    // Derivation: es 9 (e<s beats st 9), es+t 9, lo 7 (l<o beats ow 7), lo+w 7,
    // ew 6 (e<n<w beats ne, w+est), ew+est 6 (ew<n), n+ewest 6, d+est 3 (d<i<w),
    // i+dest 3, w+idest 3, er 2 (e<low), low+er 2; then no pair occurs twice.
    const chars = [...'delnorstw', 'i'];
    const id = new Map(chars.map((c, i) => [c, i]));
    const names = [...chars];
    const words = ['low', 'lower', 'newest', 'widest'].map((w) => [...w].map((c) => id.get(c)!));
    const merges = learnMerges(words, [5, 2, 6, 3], 100, 100, (i) => names[i], 2);
    const str = (i: number): string => (i < 100 ? names[i] : str(merges[i - 100][0]) + str(merges[i - 100][1]));
    expect(merges.map(([a, b]) => `${str(a)}+${str(b)}`)).toEqual([
      'e+s', 'es+t', 'l+o', 'lo+w', 'e+w', 'ew+est', 'n+ewest', 'd+est', 'i+dest', 'w+idest', 'e+r', 'low+er',
    ]);
  });
});

describe('byte-level BPE tokenizer', () => {
  const corpus = buildCorpus({ rng: new Rng(11) });
  const train = corpus.filter((e) => e.split === 'train').map((e) => e.text);
  const held = corpus.filter((e) => e.split === 'heldout').map((e) => e.text);
  const t0 = performance.now();
  const tok = trainTokenizer(train, { vocabSize: 1500 });
  const trainMs = performance.now() - t0;

  it('trains on the corpus in under 2 s and compresses unseen sentences', () => {
    let bytes = 0;
    let ids = 0;
    for (const s of held) {
      bytes += Buffer.byteLength(s);
      ids += tok.encode(s).length;
    }
    console.log(`tokenizer: ${tok.vocabSize} ids trained on ${train.length} sentences in ${trainMs.toFixed(0)} ms; held-out: ${(bytes / ids).toFixed(2)} bytes/token`);
    expect(trainMs).toBeLessThan(2000);
    expect(tok.vocabSize).toBe(1500);
    expect(bytes / ids).toBeGreaterThan(3);
  });

  it('round-trips unseen words, accents, emoji, other scripts and odd whitespace', () => {
    const samples = [
      'Zyxqorbleet feels flummoxed',
      'Ich fühle mich überfordert — naïve café',
      'I’m okay 😊🙏🏽 really!!',
      '今日はとても疲れた',
      '  tabs\tand\nnewlines\r\n  collapse   ',
      'Cafe\u0301 vs Caf\u00e9',
      'ends with <eos> literally',
    ];
    for (const s of samples) {
      const ids = tok.encode(s);
      expect(ids).not.toContain(tok.unkId);
      expect(tok.decode(ids)).toBe(normalizeText(s));
    }
    expect(normalizeText('  a\t\nb  ')).toBe('a b');
    expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9');
    expect(tok.encode('<eos>')).not.toContain(tok.eosId);
  });

  it('round-trips random Unicode strings without unknown tokens', () => {
    const rng = new Rng('unicode');
    const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x4e00, 0x4fff], [0x1f300, 0x1f64f]];
    for (let i = 0; i < 200; i++) {
      let s = '';
      const n = rng.intBetween(1, 30);
      for (let j = 0; j < n; j++) {
        const [lo, hi] = rng.choice(ranges);
        s += String.fromCodePoint(rng.intBetween(lo, hi));
      }
      const ids = tok.encode(s);
      expect(ids.every((x) => x >= tok.byteBase && x < tok.vocabSize)).toBe(true);
      expect(tok.decode(ids)).toBe(normalizeText(s));
    }
  });

  it('frames nothing itself; decode skips pad/bos/eos/control ids and shows unk', () => {
    const ids = tok.encode('hello there');
    expect(tok.decode([tok.bosId, ...ids, tok.controlId('<sep>'), tok.eosId, tok.padId])).toBe('hello there');
    expect(tok.decode([tok.unkId])).toBe('\uFFFD');
    expect(tok.tokens([tok.bosId, tok.eosId])).toEqual(['<bos>', '<eos>']);
    expect(tok.tokens(tok.encode('a b')).join('')).toBe('aĠb');
    expect(() => tok.decode([tok.vocabSize])).toThrow(DataError);
    expect(() => tok.controlId('<nope>')).toThrow(/unknown control token/);
  });

  it('is deterministic and independent of input order', () => {
    const again = trainTokenizer([...train].reverse(), { vocabSize: 1500 });
    expect(again.toJSON()).toEqual(tok.toJSON());
  });

  it('saves and loads through plain JSON', () => {
    const loaded = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    for (const s of held.slice(0, 50)) expect(loaded.encode(s)).toEqual(tok.encode(s));
    expect(() => BpeTokenizer.fromJSON({ type: 'wordpiece' })).toThrow(/tokenizer.type.*"wordpiece".*affectlab-byte-bpe/);
    expect(() => BpeTokenizer.fromJSON({ type: 'affectlab-byte-bpe', version: 1, controlTokens: [], merges: [[5000, 1]] })).toThrow(/merges\[0\]/);
  });

  it('works with bytes only (no merges) and honours minFrequency', () => {
    const bare = trainTokenizer(['hello hello'], { vocabSize: 270 });
    expect(bare.vocabSize).toBe(270);
    expect(bare.encode('hé')).toEqual([...Buffer.from('hé')].map((b) => bare.byteBase + b));
    expect(bare.decode(bare.encode('hé'))).toBe('hé');
    // "ab" occurs once: with minFrequency 2 nothing is merged, with 1 the pair is.
    expect(trainTokenizer(['ab'], { vocabSize: 300 }).vocabSize).toBe(270);
    expect(trainTokenizer(['ab'], { vocabSize: 300, minFrequency: 1 }).vocabSize).toBe(271);
  });

  it('rejects a vocabulary too small for specials and bytes', () => {
    expect(() => trainTokenizer(['x'], { vocabSize: 100 })).toThrow(ConfigError);
    expect(() => trainTokenizer(['x'], { vocabSize: 100 })).toThrow(/vocabSize: got 100; expected an integer in \[270, 65536\]/);
  });
});
