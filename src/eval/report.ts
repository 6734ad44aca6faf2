import { join } from 'node:path';
import { readJsonl, writeFileAtomic } from '../core/io.js';
import { barsWithErrors, confusionHeatmap, lineChart, renderSvg, rocChart, type BarRow, type SeriesPoint } from './charts.js';
import type { TopLevelSpec } from 'vega-lite';
import { getPath } from './tables.js';

export { getPath };

/** One run as the report sees it: results.json plus its metrics.jsonl history. */
export interface ReportRun {
  dir: string;
  results: {
    experiment?: string;
    job?: string;
    seed?: number;
    config: Record<string, unknown>;
    metrics: Record<string, number>;
    tables?: Record<string, any>;
    backend?: Record<string, unknown>;
    run?: Record<string, any>;
    overrides?: string[];
  };
  history: Record<string, unknown>[];
}

export interface SummaryRow {
  group: string;
  n: number;
  stats: Record<string, { mean: number; std: number; n: number }>;
}

export interface ReportInput {
  title: string;
  runs: ReportRun[];
  groupBy: string[];
  /** Summary rows (mean ± std by group), computed by the caller with eval/tables. */
  summary: SummaryRow[];
  metrics: string[];
  /** Markdown rendering of the summary table. */
  summaryMarkdown: string;
}

export function loadHistory(runDir: string): Record<string, unknown>[] {
  return readJsonl<Record<string, unknown>>(join(runDir, 'metrics.jsonl'));
}

export function groupLabel(config: Record<string, unknown>, groupBy: string[]): string {
  if (groupBy.length === 0) return 'all';
  return groupBy.map((k) => `${k}=${formatValue(getPath(config, k))}`).join(' ');
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function runLabel(r: ReportRun, groupBy: string[]): string {
  const g = groupLabel(r.results.config, groupBy);
  return `${g === 'all' ? (r.results.experiment ?? 'run') : g} seed=${r.results.seed ?? '?'}`;
}

const X_KEYS = ['epoch', 'update', 'global_step', 'step'];

/**
 * Curves from metrics.jsonl: every numeric key of the records that have one of
 * `xKeys` (the first present wins), as one panel per key and one line per run.
 */
function curvePoints(runs: ReportRun[], groupBy: string[], xKeys: string[], include: (key: string) => boolean): { points: SeriesPoint[]; x: string } {
  const points: SeriesPoint[] = [];
  let xKey = xKeys[0];
  for (const r of runs) {
    const label = runLabel(r, groupBy);
    for (const rec of r.history) {
      const xk = xKeys.find((k) => typeof rec[k] === 'number');
      if (!xk) continue;
      xKey = xk;
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || X_KEYS.includes(k) || k === 'time' || !include(k)) continue;
        points.push({ series: label, x: rec[xk] as number, y: v, panel: k });
      }
    }
  }
  return { points, x: xKey };
}

const isRlKey = (k: string) => k.startsWith('charts/') || k.startsWith('reward/') || k.startsWith('losses/');

interface Figure {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

/** Chooses the figures the runs have data for. */
export function reportFigures(input: ReportInput): Figure[] {
  const figs: Figure[] = [];
  const { runs, groupBy } = input;
  const train = curvePoints(runs, groupBy, ['epoch'], (k) => !isRlKey(k));
  if (train.points.length > 0) {
    figs.push({ id: 'training-curves', title: 'Training curves', spec: lineChart(train.points, { x: train.x, y: 'value', title: 'Training curves', panels: true }) });
  }
  const rl = curvePoints(runs, groupBy, ['update', 'global_step', 'step'], (k) => k.startsWith('charts/episodic_return') || k.startsWith('reward/'));
  if (rl.points.length > 0) {
    figs.push({ id: 'ppo-rewards', title: 'PPO reward and its components', spec: lineChart(rl.points, { x: rl.x, y: 'reward', title: 'PPO reward and its components', panels: true }) });
  }
  const bars: BarRow[] = [];
  for (const row of input.summary) {
    for (const m of input.metrics) {
      const s = row.stats[m];
      if (s && Number.isFinite(s.mean)) bars.push({ group: row.group, metric: m, mean: s.mean, std: Number.isFinite(s.std) ? s.std : 0, n: s.n });
    }
  }
  if (bars.length > 0) figs.push({ id: 'metric-bars', title: 'Metrics (mean ± std over runs)', spec: barsWithErrors(bars, 'Metrics (mean ± std over runs)') });
  // Confusion matrices and ROC curves: the first run of each group that has them.
  const seen = new Set<string>();
  for (const r of runs) {
    const g = groupLabel(r.results.config, groupBy);
    const t = r.results.tables ?? {};
    if (seen.has(g)) continue;
    if (t.confusion?.classes && t.confusion?.matrix) {
      seen.add(g);
      const title = `Confusion matrix: ${runLabel(r, groupBy)}`;
      figs.push({ id: `confusion-${figs.length}`, title, spec: confusionHeatmap(t.confusion.classes, t.confusion.matrix, title) });
    }
    if (t.roc?.curves) {
      const title = `ROC (one-vs-rest): ${runLabel(r, groupBy)}`;
      figs.push({ id: `roc-${figs.length}`, title, spec: rocChart(t.roc.curves, title) });
    }
  }
  const withAlign = runs.find((r) => r.results.tables?.alignment?.truth);
  if (withAlign) {
    const a = withAlign.results.tables!.alignment as { modality: string; truth: { t: number[]; tau: number[] }; [k: string]: any };
    const pts: SeriesPoint[] = [];
    for (const [name, w] of Object.entries(a)) {
      if (!w || typeof w !== 'object' || !Array.isArray((w as any).t)) continue;
      (w as { t: number[]; tau: number[] }).t.forEach((t, k) => pts.push({ series: name, x: t, y: (w as any).tau[k] }));
    }
    const title = `Alignment of ${a.modality} against its ground-truth warp`;
    figs.push({ id: 'alignment', title, spec: lineChart(pts, { x: `${a.modality} time (s)`, y: 'reference time (s)', title }) });
  }
  return figs;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown table → HTML table (the summary is rendered once, as Markdown, by eval/tables). */
function markdownTableToHtml(md: string): string {
  const lines = md.trim().split('\n').filter((l) => l.trim().startsWith('|'));
  if (lines.length < 2) return `<pre>${esc(md)}</pre>`;
  const cells = (l: string) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const head = cells(lines[0]);
  const body = lines.slice(2).map(cells);
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function interventionsHtml(runs: ReportRun[]): string {
  const rows = runs.flatMap((r) => ((r.results.tables?.interventions as any[]) ?? []).slice(0, 5).map((iv) => ({ run: r, iv })));
  if (rows.length === 0) return '';
  return `<h2>Sample interventions</h2><table><thead><tr><th>emotion</th><th>controls</th><th>safety</th><th>text</th></tr></thead><tbody>${rows
    .slice(0, 20)
    .map(
      ({ iv }) =>
        `<tr><td>${esc(String(iv.emotion ?? iv.intent?.emotion ?? ''))}</td><td>${esc(JSON.stringify(iv.controls ?? {}))}</td><td>${esc(
          String(iv.safety?.verdict ?? '') + (iv.safety?.rule ? ` (${iv.safety.rule})` : ''),
        )}</td><td>${esc(String(iv.text ?? ''))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function runsHtml(runs: ReportRun[]): string {
  return `<h2>Runs</h2>${runs
    .map((r) => {
      const b = r.results.backend ?? {};
      const m = r.results.run?.machine ?? {};
      return `<details><summary>${esc(r.dir)} — ${esc(String(r.results.experiment ?? ''))} seed ${esc(String(r.results.seed ?? ''))}, backend ${esc(
        String(b.name ?? '?'),
      )}${b.simd !== undefined ? ` (simd ${b.simd})` : ''}, tfjs ${esc(String(b.tfjsVersion ?? '?'))}, ${esc(String(m.cores ?? '?'))} cores ${esc(
        String(m.cpuModel ?? ''),
      )}, ${esc(String(r.results.run?.wallS ?? '?'))} s</summary><pre>${esc(JSON.stringify({ overrides: r.results.overrides, config: r.results.config }, null, 2))}</pre></details>`;
    })
    .join('\n')}`;
}

const CSS = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}`;

/**
 * Writes report.html (self-contained: inline SVG and CSS, no scripts, no
 * network) and report.md with the figures as SVG files beside it.
 */
export async function writeReport(outDir: string, input: ReportInput): Promise<{ html: string; md: string; figures: string[] }> {
  const figs = reportFigures(input);
  const svgs = await Promise.all(figs.map((f) => renderSvg(f.spec)));
  const figDir = join(outDir, 'report-figures');
  const files: string[] = [];
  figs.forEach((f, i) => {
    const p = join(figDir, `${f.id}.svg`);
    writeFileAtomic(p, svgs[i]);
    files.push(p);
  });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>${CSS}</style></head><body>
<h1>${esc(input.title)}</h1>
<p>${input.runs.length} run(s); grouped by ${esc(input.groupBy.join(', ') || '(none)')}; mean ± std over runs in each group.</p>
<h2>Summary</h2>
${markdownTableToHtml(input.summaryMarkdown)}
${figs.map((f, i) => `<figure data-figure="${f.id}" aria-label="${esc(f.title)}">${svgs[i]}</figure>`).join('\n')}
${interventionsHtml(input.runs)}
${runsHtml(input.runs)}
</body></html>
`;
  const md = `# ${input.title}

${input.runs.length} run(s); grouped by ${input.groupBy.join(', ') || '(none)'}; mean ± std over runs in each group.

${input.summaryMarkdown.trim()}

${figs.map((f) => `![${f.title}](report-figures/${f.id}.svg)`).join('\n\n')}
`;
  const htmlPath = join(outDir, 'report.html');
  const mdPath = join(outDir, 'report.md');
  writeFileAtomic(htmlPath, html);
  writeFileAtomic(mdPath, md);
  return { html: htmlPath, md: mdPath, figures: files };
}
