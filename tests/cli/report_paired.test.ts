import { describe, expect, it } from 'vitest';
import { filterRecords, pairedTable } from '../../src/cli/report.js';

const rec = (lambda: number, seed: number, ALIGN: number) => ({ config: { seed, generator: { lambda } }, metrics: { ALIGN }, source: `run-${lambda}-${seed}` });

describe('report --paired', () => {
  it('paired t-test over seeds, hand-derived: diffs 1, 2, 2 give t = 5 (df 2), p = 1 − 5/√27', () => {
    const records = [rec(0, 0, 1), rec(0, 1, 2), rec(0, 2, 3), rec(0.5, 0, 2), rec(0.5, 1, 4), rec(0.5, 2, 5)];
    const md = pairedTable(records, 'generator.lambda', ['seed'], ['ALIGN'], 4);
    const row = md.split('\n').find((l) => l.startsWith('| ALIGN'))!;
    const cells = row.split('|').map((s) => s.trim());
    // | metric | a | b | n | mean a | mean b | mean (b − a) | t p | Wilcoxon p |
    expect(cells.slice(1, 8)).toEqual(['ALIGN', '0', '0.5', '3', '2.0000', '3.6667', '1.6667']);
    expect(Number(cells[8])).toBeCloseTo(1 - 5 / Math.sqrt(27), 4);
    expect(Number(cells[9])).toBeGreaterThan(0);
  });

  it('lists unmatched runs instead of dropping them; refuses a key with one value', () => {
    const md = pairedTable([rec(0, 0, 1), rec(0, 1, 2), rec(2, 0, 3), rec(2, 1, 3.5), rec(2, 7, 9)], 'generator.lambda', ['seed'], ['ALIGN'], 3);
    expect(md).toMatch(/Unmatched \(1\): ALIGN: 2 \[7\]: no 0 run/);
    expect(() => pairedTable([rec(0, 0, 1), rec(0, 1, 2)], 'generator.lambda', ['seed'], ['ALIGN'], 3)).toThrow(/takes 1 value\(s\) \(0\); expected at least 2/);
  });
});

describe('report --where', () => {
  const run = (fusion: string, modalities: string[] | null, epochs: number, seed: number) => ({ config: { seed, fusion: { name: fusion }, perception: { modalities, train: { maxEpochs: epochs } } }, metrics: {}, source: `${fusion}-${seed}` });
  const records = [run('late_dr', null, 60, 0), run('late_dr', null, 120, 0), run('attention_gru', null, 120, 0), run('early', ['face'], 120, 0), run('early', null, 120, 1)];
  const ids = (rs: typeof records) => rs.map((r) => `${r.source}/${r.config.perception.train.maxEpochs}`);

  it('keeps runs matching any listed value of every filter; lists and null are written as JSON', () => {
    expect(ids(filterRecords(records, ['fusion.name=attention_gru,early']))).toEqual(['attention_gru-0/120', 'early-0/120', 'early-1/120']);
    expect(ids(filterRecords(records, ['perception.modalities=null', 'perception.train.maxEpochs=120']))).toEqual(['late_dr-0/120', 'attention_gru-0/120', 'early-1/120']);
    expect(ids(filterRecords(records, ['perception.modalities=["face"],null', 'fusion.name=early']))).toEqual(['early-0/120', 'early-1/120']);
  });

  it('refuses a malformed filter, an unknown key and a filter that leaves nothing, naming them', () => {
    expect(() => filterRecords(records, ['fusion.name'])).toThrow(/--where: "fusion.name"; expected key=value/);
    expect(() => filterRecords(records, ['fusion.nmae=early'])).toThrow(/no run has the config key "fusion.nmae"/);
    expect(() => filterRecords(records, ['fusion.name=dgcnn'])).toThrow(/no run matches fusion.name=dgcnn/);
  });
});
