import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeReport, type ReportRun } from '../../src/eval/report.js';
import { renderTable, groupResults, type ResultRecord } from '../../src/eval/tables.js';

/** Two fake runs with every kind of figure the report draws (values made up; this tests rendering, not numbers). */
function runs(): ReportRun[] {
  return [0, 1].map((seed) => ({
    dir: `/runs/${seed}`,
    history: [
      ...[1, 2, 3].map((epoch): Record<string, unknown> => ({ epoch, loss: 1 / epoch + seed * 0.1, val_ACC: 0.5 + 0.1 * epoch })),
      ...[1, 2, 3].map((update): Record<string, unknown> => ({ update, 'charts/episodic_return': update + seed, 'reward/alignment': 0.5 * update })),
    ],
    results: {
      experiment: 'demo',
      seed,
      config: { fusion: { name: seed === 0 ? 'late_dr' : 'early' }, seed },
      metrics: { ACC: 0.7 + seed * 0.05, SIM: 0.6 },
      backend: { name: 'wasm', simd: true, tfjsVersion: '4.22.0' },
      run: { wallS: 1.5, machine: { cores: 2, cpuModel: 'test' } },
      tables: {
        confusion: { classes: ['happy', 'sad', 'angry'], matrix: [[5, 1, 0], [2, 6, 1], [0, 1, 7]] },
        roc: { classes: ['happy', 'sad'], curves: [{ label: 'happy', fpr: [0, 0.2, 1], tpr: [0, 0.8, 1], auc: 0.8 }, { label: 'sad', fpr: [0, 0.5, 1], tpr: [0, 0.6, 1], auc: 0.55 }] },
        alignment: { modality: 'face', truth: { t: [0, 1, 2], tau: [0, 1.2, 2] }, dtw: { t: [0, 1, 2], tau: [0, 1.1, 2] }, none: { t: [0, 1, 2], tau: [0, 1, 2] } },
        interventions: [{ emotion: 'sad', controls: { tone: 'warm', temperature: 0.8, emotionWeight: 1 }, safety: { verdict: 'ok' }, text: 'That sounds <really> hard.' }],
      },
    },
  }));
}

describe('HTML report in headless Chromium', () => {
  it('renders every figure as SVG with no console errors and no network, and saves a screenshot', async () => {
    const out = mkdtempSync(join(tmpdir(), 'affectlab-report-'));
    const rs = runs();
    const records = rs.map((r) => ({ ...r.results, source: join(r.dir, 'results.json') }) as ResultRecord);
    const groupBy = ['fusion.name'];
    const metrics = ['ACC', 'SIM'];
    const summary = groupResults(records, { groupBy, metrics }).map((g) => ({
      group: Object.entries(g.key).map(([k, v]) => `${k}=${v}`).join(' '),
      n: g.n,
      stats: Object.fromEntries(Object.entries(g.stats).filter(([, v]) => v)) as Record<string, { mean: number; std: number; n: number }>,
    }));
    const written = await writeReport(out, { title: 'test report', runs: rs, groupBy, metrics, summary, summaryMarkdown: renderTable(records, 'markdown', { groupBy, metrics }) });
    expect(existsSync(written.md)).toBe(true);
    expect(written.figures.length).toBeGreaterThanOrEqual(6);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(written.html).href);
      const figures = await page.$$eval('figure[data-figure]', (els) =>
        els.map((el) => {
          const svg = el.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: el.getAttribute('data-figure'), marks: svg?.querySelectorAll('path, rect, line, text').length ?? 0, w: box?.width ?? 0, h: box?.height ?? 0 };
        }),
      );
      expect(figures.map((f) => f.id)).toEqual(expect.arrayContaining(['training-curves', 'ppo-rewards', 'metric-bars', 'alignment']));
      expect(figures.some((f) => f.id?.startsWith('confusion'))).toBe(true);
      expect(figures.some((f) => f.id?.startsWith('roc'))).toBe(true);
      for (const f of figures) {
        expect(f.w, `${f.id} width`).toBeGreaterThan(50);
        expect(f.h, `${f.id} height`).toBeGreaterThan(50);
        expect(f.marks, `${f.id} marks`).toBeGreaterThan(10);
      }
      // Text is escaped, not interpreted as HTML.
      expect(await page.textContent('body')).toContain('That sounds <really> hard.');
      const shot = join(out, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
