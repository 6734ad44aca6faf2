import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Logger } from '../../src/core/log.js';
import { getPath, groupResults, latexEscape, readResults, renderCsv, renderLatex, renderMarkdown, renderTable, type ResultRecord } from '../../src/eval/index.js';

const rec = (fusion: string, seed: number, metrics: Record<string, number>, extra: Record<string, unknown> = {}): ResultRecord => ({
  config: { fusion: { name: fusion }, seed, ...extra },
  metrics,
});

// Hand-computed: attention ACC [0.80, 0.84, 0.82] → mean 0.82, sample std 0.02; concat ACC [0.70, 0.76] → 0.73, std √0.0018 ≈ 0.042426.
const records: ResultRecord[] = [
  rec('attention', 1, { ACC: 0.8, SIM: 0.5 }),
  rec('concat', 1, { ACC: 0.7, SIM: 0.4 }),
  rec('attention', 2, { ACC: 0.84, SIM: 0.7 }),
  rec('concat', 2, { ACC: 0.76 }),
  rec('attention', 3, { ACC: 0.82, SIM: 0.6 }),
];

describe('grouping', () => {
  it('dotted keys, mean ± sample std per group, counts', () => {
    expect(getPath({ a: { b: { c: 3 } } }, 'a.b.c')).toBe(3);
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
    const rows = groupResults(records, { groupBy: ['fusion.name'] });
    expect(rows.map((r) => [r.key['fusion.name'], r.n])).toEqual([
      ['attention', 3],
      ['concat', 2],
    ]);
    expect(rows[0].stats.ACC!.mean).toBeCloseTo(0.82, 12);
    expect(rows[0].stats.ACC!.std).toBeCloseTo(0.02, 12);
    expect(rows[1].stats.ACC!.std).toBeCloseTo(Math.sqrt(0.0018), 12);
    // concat has SIM in one of its two runs: n=1, std undefined.
    expect(rows[1].stats.SIM).toMatchObject({ n: 1, mean: 0.4 });
    expect(rows[1].stats.SIM!.std).toBeNaN();
  });
  it('no group keys → one row; a missing key shows as —', () => {
    expect(groupResults(records, { groupBy: [] })).toHaveLength(1);
    const rows = groupResults([...records, rec('x', 1, { ACC: 1 }, { dataset: { name: 'meld' } })], { groupBy: ['dataset.name'] });
    expect(rows.map((r) => [r.key['dataset.name'], r.n])).toEqual([
      ['meld', 1],
      ['—', 5],
    ]);
  });
});

describe('rendering', () => {
  const opts = { groupBy: ['fusion.name'], metrics: ['ACC', 'SIM'], precision: 3 };
  it('Markdown', () => {
    expect(renderMarkdown(records, opts)).toBe(
      [
        '| fusion.name | n | ACC | SIM |',
        '| :--- | ---: | ---: | ---: |',
        '| attention | 3 | 0.820 ± 0.020 | 0.600 ± 0.100 |',
        '| concat | 2 | 0.730 ± 0.042 | 0.400 (n=1) |',
        '',
      ].join('\n'),
    );
  });
  it('best values in bold (max for ACC, min for RT), compared at the shown precision', () => {
    const md = renderMarkdown(records, { ...opts, best: { ACC: 'max', SIM: 'min' } });
    expect(md).toContain('| attention | 3 | **0.820 ± 0.020** | 0.600 ± 0.100 |');
    expect(md).toContain('| concat | 2 | 0.730 ± 0.042 | **0.400** (n=1) |');
    const tex = renderLatex(records, { ...opts, best: { ACC: 'max' } });
    expect(tex).toContain('attention & 3 & $\\mathbf{0.820 \\pm 0.020}$ & $0.600 \\pm 0.100$ \\\\');
    // 0.8204 and 0.8196 both print as 0.820 at 3 decimals: both bold.
    const tie = [rec('x', 1, { ACC: 0.8204 }), rec('y', 1, { ACC: 0.8196 })];
    expect(renderMarkdown(tie, { groupBy: ['fusion.name'], best: { ACC: 'max' } }).match(/\*\*0\.820\*\*/g)).toHaveLength(2);
  });

  it('CSV with per-metric mean/std/n and quoting', () => {
    const csv = renderCsv([...records, rec('a,"b"', 1, { ACC: 0.5 })], { ...opts, precision: { ACC: 2, SIM: 1 } });
    expect(csv.split('\n')).toEqual([
      'fusion.name,n,ACC_mean,ACC_std,ACC_n,SIM_mean,SIM_std,SIM_n',
      '"a,""b""",1,0.50,,1,,,0',
      'attention,3,0.82,0.02,3,0.6,0.1,3',
      'concat,2,0.73,0.04,2,0.4,,1',
      '',
    ]);
  });
  it('LaTeX booktabs with escaping, labels and an optional table float', () => {
    const tex = renderLatex([rec('cross_modal', 1, { ACC: 0.9 }), rec('cross_modal', 2, { ACC: 0.8 })], {
      groupBy: ['fusion.name'],
      metrics: ['ACC'],
      precision: 2,
      labels: { 'fusion.name': 'Fusion', ACC: 'ACC (%)' },
      caption: 'Fusion ablation',
      label: 'tab:fusion',
    });
    expect(tex).toBe(
      [
        '\\begin{table}[t]',
        '\\centering',
        '\\caption{Fusion ablation}',
        '\\label{tab:fusion}',
        '\\begin{tabular}{lrr}',
        '\\toprule',
        'Fusion & $n$ & ACC (\\%) \\\\',
        '\\midrule',
        'cross\\_modal & 2 & $0.85 \\pm 0.07$ \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
    expect(latexEscape('a_b & c% ~^\\')).toBe('a\\_b \\& c\\% \\textasciitilde{}\\textasciicircum{}\\textbackslash{}');
    expect(() => renderTable(records, 'html' as never, opts)).toThrow(/table format "html" is unknown; expected one of markdown, csv, latex/);
  });
});

describe('readResults', () => {
  const root = mkdtempSync(join(tmpdir(), 'affectlab-tables-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds results.json recursively and skips malformed files with a count, never silently', () => {
    const write = (rel: string, body: string): void => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), body);
    };
    const good = (acc: number): string => JSON.stringify({ config: { fusion: { name: 'gru' } }, metrics: { ACC: acc, AUC: null }, backend: { name: 'wasm' }, run: { id: 'r' } });
    write('sweep/0/results.json', good(0.7));
    write('sweep/1/nested/results.json', good(0.8));
    write('sweep/2/results.json', '{ not json');
    write('sweep/3/results.json', JSON.stringify({ metrics: { ACC: 1 } }));
    write('sweep/4/results.json', JSON.stringify({ config: {}, metrics: { ACC: 'high' } }));
    write('sweep/5/other.json', good(0.1));
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const out = readResults([join(root, 'sweep')], new Logger('info', 'test', stream));
    expect(out.records.map((r) => r.metrics.ACC)).toEqual([0.7, 0.8]);
    expect(out.records[0].metrics).not.toHaveProperty('AUC');
    expect(out.records[0].backend).toEqual({ name: 'wasm' });
    expect(out.records[1].source).toBe(join(root, 'sweep/1/nested/results.json'));
    expect(out.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^invalid JSON/),
      'key "config" missing or not an object',
      'metrics.ACC = "high"; expected a number',
    ]);
    expect(lines.filter((l) => l.includes('[WARN]'))).toHaveLength(4);
    expect(lines.join('')).toMatch(/3 of 5 results.json file\(s\) skipped/);
    expect(() => readResults([join(root, 'nope')])).toThrow(/results folder ".*nope" does not exist/);
  });
});
