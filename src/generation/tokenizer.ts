/**
 * Byte-level BPE tokenizer (Sennrich et al. 2016; the byte-level variant of
 * GPT-2): the base vocabulary is the 256 byte values, so any string, including
 * words never seen in training, accented letters and emoji, encodes without an
 * unknown token and decodes back exactly (after normalisation).
 *
 * Hand-written because no maintained pure-JS package trains BPE: the JS ports
 * of Hugging Face tokenizers (`@huggingface/tokenizers`, the tokenizer inside
 * `@huggingface/transformers`) load and run pretrained tokenizers only, and the
 * trainable `tokenizers` bindings are a native Rust addon. Training here is the
 * textbook algorithm with incremental pair counts and a lazy max-heap, so it
 * trains on the bundled corpus in well under a second.
 *
 * Layout of the ids: 0 `<pad>`, 1 `<bos>`, 2 `<eos>`, 3 `<unk>`, then the
 * reserved control tokens (`<sep>`, `<mask>`, `<ctrl_0>` … `<ctrl_7>` by
 * default), then the 256 bytes, then one id per merge in the order learnt.
 * `encode` adds no `<bos>`/`<eos>` (the caller frames sequences) and never
 * emits control tokens: text that spells "<eos>" is encoded as bytes, so user
 * text cannot inject control tokens.
 */
import { ConfigError, DataError } from '../core/errors.js';
import type { Tokenizer } from './types.js';

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const DEFAULT_CONTROL_TOKENS = ['<sep>', '<mask>', ...Array.from({ length: 8 }, (_, i) => `<ctrl_${i}>`)];

export interface TrainTokenizerOptions {
  /** Total vocabulary size, specials, control tokens and the 256 bytes included; smaller when the texts run out of pairs seen `minFrequency` times. */
  vocabSize: number;
  /** Pairs seen fewer times than this are not merged. Default 2. */
  minFrequency?: number;
  /** Reserved control tokens (for conditioning); default `<sep>`, `<mask>`, `<ctrl_0..7>`. */
  controlTokens?: readonly string[];
}

export interface BpeTokenizerJSON {
  type: 'affectlab-byte-bpe';
  version: 1;
  controlTokens: string[];
  /** Merges in the order learnt, as [leftId, rightId]; merge i creates id `firstMergeId + i`. */
  merges: [number, number][];
}

/**
 * The normalisation `decode(encode(s))` reproduces: Unicode NFC, every run of
 * whitespace (newlines and tabs included) collapsed to one space, trimmed.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Pre-tokenisation: a word, number or punctuation run, with its leading space (GPT-2 style). */
const PRETOKEN = /\s?[\p{L}\p{M}]+|\s?\p{N}+|\s?[^\s\p{L}\p{M}\p{N}]+|\s+/gu;

export function pretokenize(normalized: string): string[] {
  return normalized.match(PRETOKEN) ?? [];
}

/** GPT-2's printable stand-in for each byte, so token strings are readable and JSON-safe (space → 'Ġ'). */
const BYTE_TO_CHAR: string[] = (() => {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return out;
})();

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

const pairKey = (a: number, b: number): number => a * 0x10000 + b;

export class BpeTokenizer implements Tokenizer {
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly unkId = 3;
  readonly vocabSize: number;
  readonly controlTokens: readonly string[];
  /** Id of byte 0; byte b has id `byteBase + b`. */
  readonly byteBase: number;
  readonly firstMergeId: number;
  private readonly merges: [number, number][];
  private readonly rank = new Map<number, number>();
  /** Bytes of every non-special id. */
  private readonly bytesOf: Uint8Array[] = [];
  private readonly strOf: string[] = [];
  private readonly cache = new Map<string, number[]>();

  constructor(merges: [number, number][], controlTokens: readonly string[] = DEFAULT_CONTROL_TOKENS) {
    this.controlTokens = [...controlTokens];
    this.byteBase = SPECIAL_TOKENS.length + controlTokens.length;
    this.firstMergeId = this.byteBase + 256;
    this.merges = merges.map(([a, b]) => [a, b]);
    this.vocabSize = this.firstMergeId + merges.length;
    if (this.vocabSize > 0x10000) throw new ConfigError(`tokenizer.vocabSize: ${this.vocabSize} exceeds the supported maximum 65536`);
    for (const s of [...SPECIAL_TOKENS, ...controlTokens]) {
      this.strOf.push(s);
      this.bytesOf.push(new Uint8Array(0));
    }
    for (let b = 0; b < 256; b++) {
      this.strOf.push(BYTE_TO_CHAR[b]);
      this.bytesOf.push(Uint8Array.of(b));
    }
    merges.forEach(([a, b], i) => {
      const id = this.firstMergeId + i;
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= this.byteBase && b >= this.byteBase && a < id && b < id)) {
        throw new DataError(`tokenizer.merges[${i}]: got ${JSON.stringify([a, b])}; expected two ids of bytes or earlier merges (in [${this.byteBase}, ${id}))`);
      }
      const bytes = new Uint8Array(this.bytesOf[a].length + this.bytesOf[b].length);
      bytes.set(this.bytesOf[a]);
      bytes.set(this.bytesOf[b], this.bytesOf[a].length);
      this.bytesOf.push(bytes);
      this.strOf.push(this.strOf[a] + this.strOf[b]);
      this.rank.set(pairKey(a, b), i);
    });
  }

  /** The id of a control token such as `<sep>`. */
  controlId(name: string): number {
    const i = this.controlTokens.indexOf(name);
    if (i < 0) throw new ConfigError(`tokenizer: unknown control token ${JSON.stringify(name)}; expected one of ${this.controlTokens.join(', ')}`);
    return SPECIAL_TOKENS.length + i;
  }

  isSpecial(id: number): boolean {
    return id < this.byteBase;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of pretokenize(normalizeText(text))) {
      let ids = this.cache.get(piece);
      if (!ids) {
        ids = this.encodePiece(piece);
        if (this.cache.size < 100_000) this.cache.set(piece, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  /** Applies merges lowest-rank first, as learnt. */
  private encodePiece(piece: string): number[] {
    const syms = Array.from(encoder.encode(piece), (b) => this.byteBase + b);
    while (syms.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < syms.length - 1; i++) {
        const r = this.rank.get(pairKey(syms[i], syms[i + 1]));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = this.merges[bestRank];
      const merged = this.firstMergeId + bestRank;
      for (let i = 0; i < syms.length - 1; i++) {
        if (syms[i] === a && syms[i + 1] === b) syms.splice(i, 2, merged);
      }
    }
    return syms;
  }

  decode(ids: readonly number[]): string {
    const chunks: Uint8Array[] = [];
    let n = 0;
    const flush = (parts: string[]): void => {
      if (n === 0) return;
      const all = new Uint8Array(n);
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      parts.push(decoder.decode(all));
      chunks.length = 0;
      n = 0;
    };
    const parts: string[] = [];
    for (const id of ids) {
      this.checkId(id);
      if (id === this.unkId) {
        flush(parts);
        parts.push('\uFFFD');
      } else if (id >= this.byteBase) {
        chunks.push(this.bytesOf[id]);
        n += this.bytesOf[id].length;
      }
      // pad, bos, eos and control tokens carry no text.
    }
    flush(parts);
    return parts.join('');
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => {
      this.checkId(id);
      return this.strOf[id];
    });
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new DataError(`tokenizer: token id ${id} out of range; expected an integer in [0, ${this.vocabSize})`);
    }
  }

  toJSON(): BpeTokenizerJSON {
    return { type: 'affectlab-byte-bpe', version: 1, controlTokens: [...this.controlTokens], merges: this.merges.map(([a, b]) => [a, b]) };
  }

  static fromJSON(json: unknown, where = 'tokenizer'): BpeTokenizer {
    const j = json as Partial<BpeTokenizerJSON> | null;
    if (!j || typeof j !== 'object' || j.type !== 'affectlab-byte-bpe') {
      throw new DataError(`${where}.type: got ${JSON.stringify(j && (j as { type?: unknown }).type)}; expected "affectlab-byte-bpe"`);
    }
    if (j.version !== 1) throw new DataError(`${where}.version: got ${JSON.stringify(j.version)}; expected 1`);
    if (!Array.isArray(j.controlTokens) || !j.controlTokens.every((t) => typeof t === 'string')) {
      throw new DataError(`${where}.controlTokens: expected an array of strings`);
    }
    if (!Array.isArray(j.merges) || !j.merges.every((m) => Array.isArray(m) && m.length === 2)) {
      throw new DataError(`${where}.merges: expected an array of [leftId, rightId] pairs`);
    }
    return new BpeTokenizer(j.merges as [number, number][], j.controlTokens);
  }
}

/** Max-heap entry: a pair and its count when pushed (stale entries are skipped on pop). */
interface HeapItem {
  count: number;
  key: number;
}

/**
 * Learns BPE merges from word counts. Words are given as symbol-id sequences;
 * `name(id)` gives the token string used to break ties: among pairs with the
 * same count, the one whose (left, right) strings sort first wins, which makes
 * training deterministic and independent of input order.
 */
export function learnMerges(
  words: number[][],
  counts: number[],
  numMerges: number,
  firstNewId: number,
  name: (id: number) => string,
  minFrequency = 2,
): [number, number][] {
  const names: string[] = [];
  const nameOf = (id: number): string => (names[id] ??= name(id));
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number, touched: Set<number>): void => {
    const s = words[w];
    for (let i = 0; i < s.length - 1; i++) {
      const k = pairKey(s[i], s[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * counts[w]);
      touched.add(k);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  const init = new Set<number>();
  for (let w = 0; w < words.length; w++) addPairs(w, 1, init);

  // better(x, y): x should be merged before y.
  const better = (x: HeapItem, y: HeapItem): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    const xa = nameOf(Math.floor(x.key / 0x10000));
    const ya = nameOf(Math.floor(y.key / 0x10000));
    if (xa !== ya) return xa < ya;
    return nameOf(x.key % 0x10000) < nameOf(y.key % 0x10000);
  };
  const heap: HeapItem[] = [];
  const push = (item: HeapItem): void => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): HeapItem | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && better(heap[l], heap[m])) m = l;
        if (r < heap.length && better(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  for (const k of init) push({ count: pairCount.get(k) ?? 0, key: k });

  const merges: [number, number][] = [];
  while (merges.length < numMerges) {
    const item = pop();
    if (!item) break;
    const current = pairCount.get(item.key) ?? 0;
    if (item.count !== current) continue; // stale entry
    if (current < minFrequency) break;
    const a = Math.floor(item.key / 0x10000);
    const b = item.key % 0x10000;
    const newId = firstNewId + merges.length;
    merges.push([a, b]);
    names[newId] = nameOf(a) + nameOf(b);
    const touched = new Set<number>();
    for (const w of where.get(item.key) ?? []) {
      const s = words[w];
      let has = false;
      for (let i = 0; i < s.length - 1; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -1, touched);
      const next: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i < s.length - 1 && s[i] === a && s[i + 1] === b) {
          next.push(newId);
          i++;
        } else next.push(s[i]);
      }
      words[w] = next;
      addPairs(w, 1, touched);
    }
    where.delete(item.key);
    pairCount.delete(item.key);
    for (const k of touched) {
      const c = pairCount.get(k) ?? 0;
      if (c > 0) push({ count: c, key: k });
    }
  }
  return merges;
}

/** Trains a byte-level BPE tokenizer on `texts` (deterministic: same texts, same options → same merges). */
export function trainTokenizer(texts: Iterable<string>, opts: TrainTokenizerOptions): BpeTokenizer {
  const controlTokens = opts.controlTokens ?? DEFAULT_CONTROL_TOKENS;
  const byteBase = SPECIAL_TOKENS.length + controlTokens.length;
  const base = byteBase + 256;
  if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < base || opts.vocabSize > 0x10000) {
    throw new ConfigError(`tokenizer.vocabSize: got ${opts.vocabSize}; expected an integer in [${base}, 65536] (${SPECIAL_TOKENS.length} specials + ${controlTokens.length} control tokens + 256 bytes + merges)`);
  }
  const freq = new Map<string, number>();
  for (const t of texts) for (const p of pretokenize(normalizeText(t))) freq.set(p, (freq.get(p) ?? 0) + 1);
  // Sorted so the word order (and so the heap's history) does not depend on input order.
  const pieces = [...freq.keys()].sort();
  const words = pieces.map((p) => Array.from(encoder.encode(p), (b) => byteBase + b));
  const counts = pieces.map((p) => freq.get(p) ?? 0);
  const strings: string[] = [];
  for (let b = 0; b < 256; b++) strings[byteBase + b] = BYTE_TO_CHAR[b];
  const merges = learnMerges(words, counts, opts.vocabSize - base, base, (id) => strings[id], opts.minFrequency ?? 2);
  merges.forEach(([a, b], i) => {
    strings[base + i] = strings[a] + strings[b];
  });
  return new BpeTokenizer(merges, controlTokens);
}
