import { describe, expect, it } from 'vitest';
import { pairedTable } from '../../src/cli/report.js';

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
