import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { loadEmpatheticDialogues, loadEsconv, toCorpusEntries } from '../../src/generation/corpus/index.js';

const fx = (name: string): string => fileURLToPath(new URL(`../fixtures/generation/${name}`, import.meta.url));

describe('EmpatheticDialogues loader', () => {
  it('reads listener replies with mapped emotions, unescaped commas and the turn they answer', () => {
    const { entries, stats } = loadEmpatheticDialogues(fx('ed_sample.csv'));
    // Hand-derived from the fixture: listener turns are the even utterance_idx rows.
    expect(entries.map((e) => [e.id, e.emotion, e.sourceEmotion])).toEqual([
      ['ed:hit:0_conv:1:2', 'happy', 'sentimental'],
      ['ed:hit:0_conv:1:4', 'happy', 'sentimental'],
      ['ed:hit:1_conv:2:2', 'fearful', 'afraid'],
      ['ed:hit:1_conv:2:4', 'fearful', 'afraid'],
      ['ed:hit:2_conv:3:2', 'sad', 'ashamed'],
    ]);
    expect(entries[0].text).toBe('Was this a friend you were in love with, or just a best friend?');
    expect(entries[1].context).toBe('This was a best friend. I miss her.');
    expect(entries[2].text).toBe('Oh no, that sounds terrifying. Did you get home safely?');
    expect(entries.every((e) => e.split === 'train' && e.source === 'empathetic_dialogues' && e.tone === undefined)).toBe(true);
    expect(stats).toMatchObject({ dialogues: 4, replies: 5, unmappedEmotion: { bewildered: 1 } });
  });

  it('counts labels outside the active preset and logs them', () => {
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m) } as never;
    const { entries, stats } = loadEmpatheticDialogues(fx('ed_sample.csv'), { emotions: ['neutral', 'happy', 'sad', 'angry'], split: 'heldout', log });
    expect(entries.length).toBe(3);
    expect(entries[0].split).toBe('heldout');
    expect(stats.unmappedEmotion).toEqual({ afraid: 2, bewildered: 1 });
    expect(lines.join('\n')).toMatch(/afraid: 2, bewildered: 1/);
  });

  it('names file, line, field and expectation on bad input', () => {
    expect(() => loadEmpatheticDialogues(fx('ed_broken.csv'))).toThrow(DataError);
    expect(() => loadEmpatheticDialogues(fx('ed_broken.csv'))).toThrow(/ed_broken\.csv:3: utterance_idx is "two"; expected a positive integer/);
    expect(() => loadEmpatheticDialogues(fx('ed_bad_header.csv'))).toThrow(/ed_bad_header\.csv:1: header is "id,turn,emotion,text"; expected conv_id,utterance_idx/);
    expect(() => loadEmpatheticDialogues(fx('missing.csv'))).toThrow(/missing\.csv: cannot read \(ENOENT\)/);
  });
});

describe('ESConv loader', () => {
  it('reads supporter turns with mapped emotion, intensity and strategy', () => {
    const { entries, stats } = loadEsconv(fx('esconv_sample.json'));
    // Hand-derived: anxiety -> fearful, intensity "5" -> high; depression -> sad, "2" -> low; boredom unmapped.
    expect(entries.map((e) => [e.id, e.emotion, e.intensity, e.strategy, e.sourceStrategy])).toEqual([
      ['esconv:0:1', 'fearful', 'high', undefined, 'Question'],
      ['esconv:0:3', 'fearful', 'high', 'reflection', 'Reflection of feelings'],
      ['esconv:0:4', 'fearful', 'high', 'activation', 'Providing Suggestions'],
      ['esconv:0:6', 'fearful', 'high', 'validation', 'Affirmation and Reassurance'],
      ['esconv:1:1', 'sad', 'low', 'reflection', 'Restatement or Paraphrasing'],
      ['esconv:1:2', 'sad', 'low', 'psychoeducation', 'Information'],
      ['esconv:1:3', 'sad', 'low', undefined, 'Self-disclosure'],
    ]);
    expect(entries[2].context).toBe("Almost six years. I don't know what to do now.");
    expect(entries[0].text).toBe("Hi, I'm sorry to hear that. How long had you been working there?");
    expect(stats).toMatchObject({ dialogues: 3, replies: 7, unmappedEmotion: { boredom: 1 }, unmappedStrategy: { Question: 1, 'Self-disclosure': 1 } });
  });

  it('takes the alternative strategy reading from options', () => {
    const { entries } = loadEsconv(fx('esconv_sample.json'), { strategyMap: { 'Providing Suggestions': 'reframing' } });
    expect(entries.find((e) => e.id === 'esconv:0:4')?.strategy).toBe('reframing');
    expect(() => loadEsconv(fx('esconv_sample.json'), { strategyMap: { Question: 'asking' as never } })).toThrow(/strategyMap\["Question"\]: "asking"; expected one of/);
  });

  it('names the dialogue, turn and field on bad input', () => {
    expect(() => loadEsconv(fx('esconv_broken.json'))).toThrow(/esconv_broken\.json: \[0\]\.dialog\[1\]\.content: 42; expected a string/);
    expect(() => loadEsconv(fx('ed_sample.csv'))).toThrow(/not valid JSON/);
    expect(() => loadEsconv(fx('redteam.json'))).toThrow(/top level is object; expected a JSON array of dialogues/);
  });
});

describe('toCorpusEntries', () => {
  it('fills defaults and drops records without a strategy when asked', () => {
    const { entries } = loadEsconv(fx('esconv_sample.json'));
    const strict = toCorpusEntries(entries, { tone: 'warm', strategy: null });
    expect(strict.dropped).toBe(2);
    expect(strict.entries.map((e) => e.strategy)).toEqual(['reflection', 'activation', 'validation', 'reflection', 'psychoeducation']);
    expect(strict.entries.every((e) => e.tone === 'warm')).toBe(true);
    const filled = toCorpusEntries(entries, { tone: 'calm', strategy: 'validation', intensity: 'low' });
    expect(filled.dropped).toBe(0);
    expect(filled.entries[0]).toMatchObject({ strategy: 'validation', intensity: 'high', tone: 'calm', templateId: 'esconv:0' });
    const ed = toCorpusEntries(loadEmpatheticDialogues(fx('ed_sample.csv')).entries, { tone: 'warm', strategy: 'reflection' });
    expect(ed.entries[0].intensity).toBe('medium');
  });
});

describe('corpus sources registry', () => {
  it('builds the bundled corpus and loads public ones with a held-out split by dialogue', async () => {
    const { corpusSources } = await import('../../src/generation/corpus/index.js');
    const { Rng } = await import('../../src/core/rng.js');
    expect(corpusSources.names()).toEqual(['bundled', 'empathetic_dialogues', 'esconv']);
    const bundled = corpusSources.get('bundled')({ rng: new Rng(1), perCell: 1, emotions: ['sad'] });
    expect(bundled.length).toBe(3 * 5 * 7);
    const ed = corpusSources.get('empathetic_dialogues')({ rng: new Rng(1), path: fx('ed_sample.csv'), heldoutShare: 0.5 });
    expect(ed.length).toBe(5);
    expect(ed.every((e) => e.strategy === 'reflection' && e.tone === 'warm')).toBe(true);
    // 3 dialogues with mapped replies; round(0.5 * 3) = 2 held out, whole dialogues on one side.
    const heldDialogues = new Set(ed.filter((e) => e.split === 'heldout').map((e) => e.templateId));
    expect(heldDialogues.size).toBe(2);
    for (const e of ed) expect(e.split === 'heldout').toBe(heldDialogues.has(e.templateId));
    const es = corpusSources.get('esconv')({ rng: new Rng(1), path: fx('esconv_sample.json'), tone: 'calm' });
    expect(es.length).toBe(5); // Question and Self-disclosure turns dropped
    expect(() => corpusSources.get('esconv')({ rng: new Rng(1) })).toThrow(/corpus\.path: missing/);
    expect(() => corpusSources.get('esconf')).toThrow(/did you mean "esconv"/);
  });
});
