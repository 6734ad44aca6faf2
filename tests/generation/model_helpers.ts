// Test-only helpers: a tiny word-level tokenizer and hand-written corpus entries
// (the real tokenizer and bundled corpus are another module's work).
import type { CorpusEntry, Tokenizer, Tone, Strategy, IntensityLevel } from '../../src/generation/types.js';

export class WordTokenizer implements Tokenizer {
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly unkId = 3;
  readonly vocab: string[];
  private readonly index: Map<string, number>;

  constructor(texts: readonly string[]) {
    const words = new Set<string>();
    for (const t of texts) for (const w of WordTokenizer.split(t)) words.add(w);
    this.vocab = ['<pad>', '<bos>', '<eos>', '<unk>', ...[...words].sort()];
    this.index = new Map(this.vocab.map((w, i) => [w, i]));
  }

  static split(text: string): string[] {
    return text.toLowerCase().match(/[a-z']+|[.,!?]/g) ?? [];
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): number[] {
    return WordTokenizer.split(text).map((w) => this.index.get(w) ?? this.unkId);
  }

  decode(ids: readonly number[]): string {
    return this.tokens(ids).join(' ').replace(/ ([.,!?])/g, '$1');
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((i) => this.vocab[i] ?? '<unk>');
  }

  toJSON(): unknown {
    return { type: 'word', vocab: this.vocab };
  }
}

const SAD = [
  'i am so sorry you feel this low today.',
  'it sounds really heavy to carry this sadness.',
  'losing that must hurt a great deal.',
  'your tears make sense after such a loss.',
];
const HAPPY = [
  'that is wonderful news, well done!',
  'i am glad to hear things went so well.',
  'what a great moment to celebrate together!',
  'your joy is lovely to see today.',
];
const ANGRY = [
  'it makes sense that this feels unfair.',
  'being treated like that would frustrate anyone.',
  'your anger tells you something mattered.',
  'let us slow down and breathe through the heat.',
];

/** 12 train entries (4 per emotion, two paraphrase templates each) and 3 held-out ones. */
export function tinyCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const add = (texts: string[], emotion: string, tone: Tone, strategy: Strategy, intensity: IntensityLevel) =>
    texts.forEach((text, i) =>
      out.push({ id: `${emotion}-${i}`, text, emotion, tone, strategy, intensity, split: i === 3 ? 'heldout' : 'train', templateId: `${emotion}-t${i % 2}` }),
    );
  add(SAD, 'sad', 'warm', 'validation', 'high');
  add(HAPPY, 'happy', 'encouraging', 'reflection', 'medium');
  add(ANGRY, 'angry', 'calm', 'grounding', 'high');
  return out;
}

export const TINY_TEXTS = { sad: SAD, happy: HAPPY, angry: ANGRY };
