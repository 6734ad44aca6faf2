import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  buildCorpus,
  buildCorpusWithStats,
  EKMAN7,
  emotionCueVector,
  expandTemplate,
  intensityLevel,
  LEXICON,
  referenceFor,
  STRATEGY_TEMPLATES,
} from '../../src/generation/corpus/index.js';
import { STRATEGIES, TONES } from '../../src/generation/types.js';

describe('bundled intervention corpus', () => {
  const t0 = performance.now();
  const { entries, stats } = buildCorpusWithStats({ rng: new Rng(7) });
  const buildMs = performance.now() - t0;

  it('yields thousands of distinct sentences, quickly', () => {
    console.log(`corpus: ${stats.entries} entries, ${stats.distinctTexts} distinct, ${stats.train} train / ${stats.heldout} held out, built in ${buildMs.toFixed(0)} ms`);
    expect(stats.distinctTexts).toBeGreaterThanOrEqual(3000);
    expect(stats.duplicatesSkipped).toBe(0);
    // "Well under a second" on an idle core; the bound leaves room for a busy shared machine.
    expect(buildMs).toBeLessThan(2500);
  });

  it('covers every emotion x intensity x tone x strategy cell in both splits', () => {
    const cells = new Map<string, Set<string>>();
    for (const e of entries) {
      const k = `${e.emotion}/${e.intensity}/${e.tone}/${e.strategy}`;
      const s = cells.get(k) ?? new Set<string>();
      s.add(e.split);
      cells.set(k, s);
    }
    expect(cells.size).toBe(EKMAN7.length * 3 * TONES.length * STRATEGIES.length);
    for (const [, splits] of cells) expect([...splits].sort()).toEqual(['heldout', 'train']);
  });

  it('holds out whole templates: no held-out template or sentence appears in training', () => {
    const core = (id: string | undefined): string => (id ?? '').split('.').slice(0, 2).join('.');
    const trainTemplates = new Set(entries.filter((e) => e.split === 'train').map((e) => core(e.templateId)));
    const heldTemplates = new Set(entries.filter((e) => e.split === 'heldout').map((e) => core(e.templateId)));
    for (const t of heldTemplates) expect(trainTemplates.has(t)).toBe(false);
    expect(heldTemplates.size).toBe(STRATEGIES.length); // round(0.2 * 6) = 1 per strategy
    expect([...heldTemplates].sort()).toEqual(stats.heldoutTemplates);
    for (const e of entries) expect(e.templateId).toBe(`${core(e.templateId)}.${e.emotion}`);
    const trainTexts = new Set(entries.filter((e) => e.split === 'train').map((e) => e.text));
    for (const e of entries) if (e.split === 'heldout') expect(trainTexts.has(e.text)).toBe(false);
    const share = stats.heldout / stats.entries;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
  });

  it('is deterministic in the seed', () => {
    const again = buildCorpus({ rng: new Rng(7) });
    expect(again.map((e) => e.text)).toEqual(entries.map((e) => e.text));
    const other = buildCorpus({ rng: new Rng(8) });
    expect(other.map((e) => e.text)).not.toEqual(entries.map((e) => e.text));
  });

  it('produces well-formed sentences with every slot filled', () => {
    for (const e of entries) {
      expect(e.text).not.toMatch(/[[\]{}|]|\s{2}|\s[,.;:?!]/);
      expect(e.text).toMatch(/^[A-Z].*[.?!]$/);
    }
  });

  it('uses the emotion words of the entry\'s own emotion and intensity', () => {
    // validation.0 always names the feeling: "It makes ... sense to feel {feel} ...".
    const v0 = entries.filter((e) => e.templateId?.startsWith('validation.0.'));
    expect(v0.length).toBeGreaterThan(50);
    for (const e of v0) {
      const feel = LEXICON[e.emotion as (typeof EKMAN7)[number]].feel[e.intensity];
      expect(feel.some((f) => e.text.includes(`to feel ${f} `) || e.text.includes(`to feel ${f}.`))).toBe(true);
    }
  });

  it('gives every cell a held-out reference even with a small perCell', () => {
    const small = buildCorpus({ rng: new Rng(5), perCell: 2 });
    const cells = new Set(small.filter((e) => e.split === 'heldout').map((e) => `${e.emotion}/${e.intensity}/${e.tone}/${e.strategy}`));
    expect(cells.size).toBe(EKMAN7.length * 3 * TONES.length * STRATEGIES.length);
  });

  it('restricts to a preset subset and rejects unknown labels with a suggestion', () => {
    const iemocap4 = buildCorpus({ rng: new Rng(1), emotions: ['neutral', 'happy', 'sad', 'angry'], perCell: 6 });
    expect(new Set(iemocap4.map((e) => e.emotion))).toEqual(new Set(['neutral', 'happy', 'sad', 'angry']));
    expect(() => buildCorpus({ rng: new Rng(1), emotions: ['angery'] })).toThrow(ConfigError);
    expect(() => buildCorpus({ rng: new Rng(1), emotions: ['angery'] })).toThrow(/angery.*did you mean "angry"/);
    expect(() => buildCorpus({ rng: new Rng(1), heldoutShare: 0.9 })).toThrow(/heldoutShare.*0\.9/);
  });

  it('referenceFor returns the held-out replies of exactly the intent\'s cell', () => {
    const refs = referenceFor(entries, { emotion: 'sad', intensity: 0.9, tone: 'warm', strategy: 'grounding' });
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect([r.emotion, r.intensity, r.tone, r.strategy, r.split]).toEqual(['sad', 'high', 'warm', 'grounding', 'heldout']);
    const train = referenceFor(entries, { emotion: 'sad', intensity: 'high', tone: 'warm', strategy: 'grounding' }, { split: 'train' });
    const any = referenceFor(entries, { emotion: 'sad', intensity: 'high', tone: 'warm', strategy: 'grounding' }, { split: 'any' });
    expect(any.length).toBe(refs.length + train.length);
    expect(referenceFor(entries, { emotion: 'bored', intensity: 0.5, tone: 'calm', strategy: 'validation' })).toEqual([]);
  });

  it('maps numeric intensity to levels at thirds', () => {
    expect([0, 0.33, 1 / 3, 0.5, 0.66, 2 / 3, 1].map(intensityLevel)).toEqual(['low', 'low', 'medium', 'medium', 'medium', 'high', 'high']);
    expect(() => intensityLevel(1.5)).toThrow(/1\.5.*\[0, 1\]/);
  });

  it('has at least five templates per strategy so a held-out template leaves several for training', () => {
    for (const s of STRATEGIES) expect(STRATEGY_TEMPLATES[s].length).toBeGreaterThanOrEqual(5);
  });
});

describe('template expansion', () => {
  it('picks nested alternatives and fills slots with case modifiers', () => {
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(expandTemplate('[a [b|c]|d] {x:cap} {x:lc}', { x: ['Yes'] }, rng));
    // a b / a c / d, each followed by "Yes yes"; first letter capitalised.
    expect([...seen].sort()).toEqual(['A b Yes yes', 'A c Yes yes', 'D Yes yes']);
  });

  it('names the missing slot', () => {
    expect(() => expandTemplate('feel {mood}', { feel: ['x'] }, new Rng(1), 'template t')).toThrow(/template t: slot \{mood\}/);
  });
});

describe('emotion cue lexicon', () => {
  it('points at the emotion a sentence names', () => {
    const argmax = (v: number[]): string => EKMAN7[v.indexOf(Math.max(...v))];
    expect(argmax(emotionCueVector('I feel heartbroken and so sad today'))).toBe('sad');
    expect(argmax(emotionCueVector('I am absolutely furious with them'))).toBe('angry');
    expect(argmax(emotionCueVector('I was terrified and worried all night'))).toBe('fearful');
    expect(argmax(emotionCueVector('We were delighted and overjoyed'))).toBe('happy');
    const v = emotionCueVector('The train leaves at nine');
    for (const x of v) expect(x).toBeCloseTo(1 / 7, 10);
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});
