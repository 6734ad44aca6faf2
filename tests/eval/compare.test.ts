import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparePaired, type ResultRecord } from '../../src/eval/index.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/eval/sklearn_metrics.json', import.meta.url), 'utf8'));

describe('comparePaired', () => {
  // Strategy A = fixture sample "a", B = sample "b", seed i pairs them; scipy's ttest_rel/wilcoxon give the reference.
  const a: number[] = fx.samples.a;
  const b: number[] = fx.samples.b;
  const records: ResultRecord[] = [
    ...a.map((v, i) => ({ config: { fusion: { name: 'attn' }, seed: i }, metrics: { ACC: v } })),
    // B in reverse order: pairing must follow the seed, not the position.
    ...b.map((v, i) => ({ config: { fusion: { name: 'concat' }, seed: i }, metrics: { ACC: v } })).reverse(),
    { config: { fusion: { name: 'concat' }, seed: 99 }, metrics: { ACC: 0.5 } },
  ];
  it('pairs runs by seed and reproduces scipy ttest_rel / wilcoxon', () => {
    const r = comparePaired(records, { by: 'fusion.name', a: 'attn', b: 'concat', metric: 'ACC' });
    const t = fx.pairedT.find((x: { x: string; y: string }) => x.x === 'a' && x.y === 'b');
    const w = fx.wilcoxon.find((x: { name: string }) => x.name === 'exact_n8');
    expect(r.n).toBe(8);
    expect(r.tTest!.statistic).toBeCloseTo(t.statistic, 9);
    expect(r.tTest!.pvalue).toBeCloseTo(t.pvalue, 12);
    expect(r.wilcoxon!.statistic).toBe(w.statistic);
    expect(r.wilcoxon!.pvalue).toBeCloseTo(w.pvalue, 12);
    expect(r.meanDiff).toBeCloseTo(a.reduce((s, v, i) => s + v - b[i], 0) / 8, 12);
    expect(r.unmatched).toEqual(['concat [99]: no attn run']);
  });
  it('refuses duplicate pair keys and missing strategies, naming them', () => {
    const dup = [...records, { config: { fusion: { name: 'attn' }, seed: 0 }, metrics: { ACC: 1 } }];
    expect(() => comparePaired(dup, { by: 'fusion.name', a: 'attn', b: 'concat', metric: 'ACC' })).toThrow(/two runs of fusion.name=attn share seed = \[0\]/);
    expect(() => comparePaired(records, { by: 'fusion.name', a: 'gru', b: 'concat', metric: 'ACC' })).toThrow(/no runs with fusion.name="gru"/);
  });
});
