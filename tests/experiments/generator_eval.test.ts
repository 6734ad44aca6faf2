import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { EKMAN7, buildCorpus } from '../../src/generation/corpus/index.js';
import { evaluationEntries, heldoutCells, lexiconAlignment, lexiconAlignmentOther, lexiconHit } from '../../src/experiments/jobs/generator_eval.js';

const classes = [...EKMAN7];

describe('generator_eval helpers', () => {
  it('lexicon alignment: a cue-free text scores 1/√C; a text naming only the intent emotion scores near 1', () => {
    expect(lexiconAlignment('Let us take one small step together.', 'sad', classes)).toBeCloseTo(1 / Math.sqrt(7), 6);
    expect(lexiconHit('Let us take one small step together.', 'sad', classes)).toBe(false);
    const sad = lexiconAlignment('You sound so sad and heartbroken.', 'sad', classes);
    expect(sad).toBeGreaterThan(0.9);
    expect(lexiconHit('You sound so sad and heartbroken.', 'sad', classes)).toBe(true);
    expect(lexiconAlignment('You sound so sad and heartbroken.', 'happy', classes)).toBeLessThan(0.1);
  });

  it('lexicon alignment with the other emotions (the control), hand-derived from the cue weights', () => {
    // 'heartbroken' and 'furious' are high-intensity cues of one emotion each (weight 1.5); smoothing 0.05 per class.
    expect(lexiconAlignmentOther('Let us take one small step together.', 'sad', classes)).toBeCloseTo(1 / Math.sqrt(7), 6);
    // scores: sad 1.55, the six others 0.05 → ‖·‖ = √(1.55² + 6·0.05²) = 1.554832
    expect(lexiconAlignment('You sound heartbroken.', 'sad', classes)).toBeCloseTo(1.55 / 1.554832, 5);
    expect(lexiconAlignmentOther('You sound heartbroken.', 'sad', classes)).toBeCloseTo(0.05 / 1.554832, 5);
    // sad 1.55, angry 1.55, five others 0.05 → ‖·‖ = √(2·1.55² + 5·0.05²) = 2.194880; others' mean (1.55 + 5·0.05)/6
    expect(lexiconAlignment('You sound heartbroken and furious.', 'sad', classes)).toBeCloseTo(1.55 / 2.19488, 5);
    expect(lexiconAlignmentOther('You sound heartbroken and furious.', 'sad', classes)).toBeCloseTo(0.3 / 2.19488, 5);
  });

  it("split 'validation' leaves the held-out templates out and holds back whole train template cores", () => {
    const built = buildCorpus({ rng: new Rng(0), perCell: 4, heldoutShare: 0.2 });
    const { entries, dropped } = evaluationEntries(built, 'validation', 0.25, new Rng(1));
    const heldIds = new Set(built.filter((e) => e.split === 'heldout').map((e) => e.id));
    expect(dropped).toBe(heldIds.size);
    expect(entries.some((e) => heldIds.has(e.id))).toBe(false);
    expect(entries.length).toBe(built.length - heldIds.size);
    const core = (id?: string) => id!.slice(0, id!.lastIndexOf('.'));
    const valCores = new Set(entries.filter((e) => e.split === 'heldout').map((e) => core(e.templateId)));
    const trainCores = new Set(entries.filter((e) => e.split === 'train').map((e) => core(e.templateId)));
    expect(valCores.size).toBeGreaterThan(0);
    for (const c of valCores) expect(trainCores.has(c)).toBe(false);
    expect(evaluationEntries(built, 'heldout', 0.25, new Rng(1)).entries).toEqual(built);
    const cells = heldoutCells(entries, 30, new Rng(2));
    expect(cells).toHaveLength(30);
    expect(new Set(cells.map((e) => `${e.emotion}|${e.intensity}|${e.tone}|${e.strategy}`)).size).toBe(30);
    expect(cells.every((e) => e.split === 'heldout')).toBe(true);
  });
});
