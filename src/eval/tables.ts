/**
 * Result tables: group run records by config keys and show mean ± std (sample
 * std, ddof=1) of each metric over the runs in a group, as Markdown, CSV or
 * LaTeX (booktabs), plus `readResults` that collects every results.json under
 * some folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { meanStd, type MeanStd } from './stats.js';

/** One run as the runner writes it to results.json. */
export interface ResultRecord {
  config: Record<string, unknown>;
  metrics: Record<string, number>;
  /** Everything else results.json holds (experiment, seed, tables, overrides, ...). */
  [key: string]: unknown;
  backend?: unknown;
  run?: unknown;
  /** The file it was read from, when it came from disk. */
  source?: string;
}

/** Value at a dotted path (`fusion.name`), or undefined. */
export function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const MISSING = '—';

function keyText(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

export interface GroupRow {
  /** groupBy key → the group's value as text ('—' where a record lacks the key). */
  key: Record<string, string>;
  /** Records in the group. */
  n: number;
  /** metric → mean/std/n over the group's records that report it (n may be below the group's n). */
  stats: Record<string, MeanStd | undefined>;
}

export interface GroupOptions {
  /** Dotted config keys to group by, e.g. ['fusion.name', 'dataset.name']; [] = one group. */
  groupBy: string[];
  /** Metrics to show, in order; default: every metric any record reports, sorted. */
  metrics?: string[];
}

/** All metric names reported by any record, sorted. */
export function metricNames(records: readonly ResultRecord[]): string[] {
  const s = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.metrics)) s.add(k);
  return [...s].sort();
}

/** Groups records by the chosen keys (rows sorted by key text, numbers numerically, missing keys last) and summarises each metric. */
export function groupResults(records: readonly ResultRecord[], opts: GroupOptions): GroupRow[] {
  const metrics = opts.metrics ?? metricNames(records);
  const groups = new Map<string, { key: Record<string, string>; members: ResultRecord[] }>();
  for (const r of records) {
    const key: Record<string, string> = {};
    for (const g of opts.groupBy) key[g] = keyText(getPath(r.config, g));
    const id = JSON.stringify(opts.groupBy.map((g) => key[g]));
    const entry = groups.get(id) ?? { key, members: [] };
    entry.members.push(r);
    groups.set(id, entry);
  }
  const rows = [...groups.values()].map(({ key, members }) => {
    const stats: Record<string, MeanStd | undefined> = {};
    for (const m of metrics) {
      const values = members.map((r) => r.metrics[m]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      stats[m] = values.length ? meanStd(values) : undefined;
    }
    return { key, n: members.length, stats };
  });
  const cmp = (a: GroupRow, b: GroupRow): number => {
    for (const g of opts.groupBy) {
      // Records lacking the key go last.
      const c =
        a.key[g] === b.key[g] ? 0 : a.key[g] === MISSING ? 1 : b.key[g] === MISSING ? -1 : a.key[g].localeCompare(b.key[g], 'en', { numeric: true });
      if (c !== 0) return c;
    }
    return 0;
  };
  return rows.sort(cmp);
}

export interface TableOptions extends GroupOptions {
  /** Decimal places, one for all metrics or per metric (default 3). */
  precision?: number | Record<string, number>;
  /** Column titles for group keys and metrics (default: the names themselves). */
  labels?: Record<string, string>;
  /** Metrics whose best group mean is set in bold (Markdown, LaTeX): 'max' (accuracy-like) or 'min' (RT, loss). Ties all bold. */
  best?: Record<string, 'max' | 'min'>;
  /** LaTeX only: caption and label for a table environment around the tabular. */
  caption?: string;
  label?: string;
}

function digits(opts: TableOptions, metric: string): number {
  const p = opts.precision;
  if (p === undefined) return 3;
  if (typeof p === 'number') return p;
  return p[metric] ?? 3;
}

interface Cell {
  mean?: string;
  std?: string;
  /** Set when fewer records than the group's n report the metric. */
  partialN?: number;
}

function cell(row: GroupRow, metric: string, opts: TableOptions): Cell {
  const s = row.stats[metric];
  if (!s) return {};
  const d = digits(opts, metric);
  return {
    mean: s.mean.toFixed(d),
    std: Number.isNaN(s.std) ? undefined : s.std.toFixed(d),
    partialN: s.n < row.n ? s.n : undefined,
  };
}

function prepare(records: readonly ResultRecord[], opts: TableOptions): { rows: GroupRow[]; metrics: string[]; isBest: (row: GroupRow, m: string) => boolean } {
  const metrics = opts.metrics ?? metricNames(records);
  const rows = groupResults(records, { ...opts, metrics });
  // Compared at the shown precision, so two cells that print the same are both bold or neither.
  const shown = (r: GroupRow, m: string): number | undefined => {
    const st = r.stats[m];
    return st ? Number(st.mean.toFixed(digits(opts, m))) : undefined;
  };
  const bestValue: Record<string, number | undefined> = {};
  for (const [m, dir] of Object.entries(opts.best ?? {})) {
    const vals = rows.map((r) => shown(r, m)).filter((v): v is number => v !== undefined);
    bestValue[m] = vals.length ? (dir === 'max' ? Math.max(...vals) : Math.min(...vals)) : undefined;
  }
  const isBest = (r: GroupRow, m: string): boolean => bestValue[m] !== undefined && shown(r, m) === bestValue[m];
  return { rows, metrics, isBest };
}

const title = (opts: TableOptions, name: string): string => opts.labels?.[name] ?? name;

/** GitHub-flavoured Markdown: one row per group, `mean ± std` cells, an `n` column. */
export function renderMarkdown(records: readonly ResultRecord[], opts: TableOptions): string {
  const { rows, metrics, isBest } = prepare(records, opts);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const head = [...opts.groupBy.map((g) => title(opts, g)), 'n', ...metrics.map((m) => title(opts, m))].map(esc);
  const align = [...opts.groupBy.map(() => ':---'), '---:', ...metrics.map(() => '---:')];
  const lines = [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of rows) {
    const cells = metrics.map((m) => {
      const c = cell(r, m, opts);
      if (!c.mean) return MISSING;
      const text = `${c.mean}${c.std ? ` ± ${c.std}` : ''}`;
      return `${isBest(r, m) ? `**${text}**` : text}${c.partialN !== undefined ? ` (n=${c.partialN})` : ''}`;
    });
    lines.push(`| ${[...opts.groupBy.map((g) => esc(r.key[g])), String(r.n), ...cells].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV (RFC 4180): group keys, n, then `<metric>_mean`, `<metric>_std`, `<metric>_n` per metric; empty where undefined. */
export function renderCsv(records: readonly ResultRecord[], opts: TableOptions): string {
  const { rows, metrics } = prepare(records, opts);
  const head = [...opts.groupBy, 'n', ...metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_n`])];
  const lines = [head.map(csvField).join(',')];
  for (const r of rows) {
    const vals = metrics.flatMap((m) => {
      const c = cell(r, m, opts);
      const s = r.stats[m];
      return [c.mean ?? '', c.std ?? '', s ? String(s.n) : '0'];
    });
    lines.push([...opts.groupBy.map((g) => r.key[g]), String(r.n), ...vals].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Escapes LaTeX special characters in text cells. */
export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\textbackslash{}';
      case '~':
        return '\\textasciitilde{}';
      case '^':
        return '\\textasciicircum{}';
      default:
        return `\\${ch}`;
    }
  });
}

/** LaTeX tabular with booktabs rules (\usepackage{booktabs}); `$m \pm s$` cells; wrapped in a table when a caption is given. */
export function renderLatex(records: readonly ResultRecord[], opts: TableOptions): string {
  const { rows, metrics, isBest } = prepare(records, opts);
  const spec = `${'l'.repeat(opts.groupBy.length)}r${'r'.repeat(metrics.length)}`;
  const head = [...opts.groupBy.map((g) => title(opts, g)), '$n$', ...metrics.map((m) => title(opts, m))];
  const body: string[] = [];
  body.push(`\\begin{tabular}{${spec}}`, '\\toprule', `${head.map((h) => (h === '$n$' ? h : latexEscape(h))).join(' & ')} \\\\`, '\\midrule');
  for (const r of rows) {
    const cells = metrics.map((m) => {
      const c = cell(r, m, opts);
      if (!c.mean) return '--';
      const body = `${c.mean}${c.std ? ` \\pm ${c.std}` : ''}`;
      return `$${isBest(r, m) ? `\\mathbf{${body}}` : body}$${c.partialN !== undefined ? ` ($n=${c.partialN}$)` : ''}`;
    });
    body.push(`${[...opts.groupBy.map((g) => latexEscape(r.key[g])), String(r.n), ...cells].join(' & ')} \\\\`);
  }
  body.push('\\bottomrule', '\\end{tabular}');
  if (opts.caption === undefined) return `${body.join('\n')}\n`;
  const wrapped = ['\\begin{table}[t]', '\\centering', `\\caption{${latexEscape(opts.caption)}}`];
  if (opts.label) wrapped.push(`\\label{${opts.label}}`);
  return `${[...wrapped, ...body, '\\end{table}'].join('\n')}\n`;
}

export type TableFormat = 'markdown' | 'csv' | 'latex';
export const TABLE_FORMATS: readonly TableFormat[] = ['markdown', 'csv', 'latex'];

export function renderTable(records: readonly ResultRecord[], format: TableFormat, opts: TableOptions): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(records, opts);
    case 'csv':
      return renderCsv(records, opts);
    case 'latex':
      return renderLatex(records, opts);
    default:
      throw new DataError(`table format ${JSON.stringify(format)} is unknown; expected one of ${TABLE_FORMATS.join(', ')}`);
  }
}

export interface SkippedResult {
  path: string;
  reason: string;
}

export interface ReadResultsOutput {
  records: ResultRecord[];
  /** Files named results.json that could not be used, with why. */
  skipped: SkippedResult[];
}

function findResultFiles(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    // Symlinked folders are not followed (no cycles); a symlinked results.json is read.
    if (e.isDirectory()) findResultFiles(p, out);
    else if (e.name === 'results.json' && (e.isFile() || e.isSymbolicLink())) out.push(p);
  }
}

function parseRecord(text: string): ResultRecord | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return `invalid JSON (${(err as Error).message})`;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'top level is not an object';
  const o = data as Record<string, unknown>;
  if (o.config === null || typeof o.config !== 'object' || Array.isArray(o.config)) return 'key "config" missing or not an object';
  if (o.metrics === null || typeof o.metrics !== 'object' || Array.isArray(o.metrics)) return 'key "metrics" missing or not an object';
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(o.metrics as Record<string, unknown>)) {
    // null is how JSON carries NaN (undefined metric, e.g. a macro AUC with no defined class): kept out, not an error.
    if (v === null) continue;
    if (typeof v !== 'number') return `metrics.${k} = ${JSON.stringify(v)}; expected a number`;
    metrics[k] = v;
  }
  return { ...o, config: o.config as Record<string, unknown>, metrics, backend: o.backend, run: o.run };
}

/**
 * Every results.json under `dirs` (recursively, sorted paths). Unreadable or
 * malformed files are skipped, returned in `skipped` and logged as warnings;
 * a folder that does not exist is an error.
 */
export function readResults(dirs: readonly string[], log?: Logger): ReadResultsOutput {
  const files: string[] = [];
  for (const d of dirs) {
    let isDir = false;
    try {
      isDir = statSync(d).isDirectory();
    } catch {
      throw new DataError(`results folder ${JSON.stringify(d)} does not exist; expected a run or sweep folder`);
    }
    if (!isDir) throw new DataError(`results folder ${JSON.stringify(d)} is not a folder; expected a run or sweep folder`);
    findResultFiles(d, files);
  }
  const records: ResultRecord[] = [];
  const skipped: SkippedResult[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      skipped.push({ path: f, reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    const r = parseRecord(text);
    if (typeof r === 'string') skipped.push({ path: f, reason: r });
    else records.push({ ...r, source: f });
  }
  for (const s of skipped) log?.warn(`readResults: skipped ${s.path}: ${s.reason}`);
  if (skipped.length) log?.warn(`readResults: ${skipped.length} of ${files.length} results.json file(s) skipped`);
  log?.info(`readResults: ${records.length} result(s) from ${dirs.length} folder(s)`);
  return { records, skipped };
}
