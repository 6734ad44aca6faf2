import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { AffectlabError, ConfigError } from '../core/errors.js';
import { parseOverride, sweepValues } from '../config/override.js';
import { readResults, groupResults, getPath, renderTable, TABLE_FORMATS, type TableFormat } from '../eval/tables.js';
import { loadHistory, writeReport, type ReportRun, type SummaryRow } from '../eval/report.js';
import { comparePaired } from '../eval/compare.js';

/** Config keys whose values differ between runs (seed and run names excluded): the default grouping. */
export function differingKeys(configs: Record<string, unknown>[], exclude = ['seed', 'name', 'plugins', 'progress', 'log_level']): string[] {
  const flat = configs.map((c) => flatten(c));
  const keys = new Set(flat.flatMap((f) => Object.keys(f)));
  const out: string[] = [];
  for (const k of keys) {
    if (exclude.some((e) => k === e || k.startsWith(`${e}.`))) continue;
    const vals = new Set(flat.map((f) => JSON.stringify(f[k])));
    if (vals.size > 1) out.push(k);
  }
  return out.sort();
}

function flatten(obj: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = obj;
  return out;
}

/**
 * Keeps the runs whose config matches every `key=v1,v2` filter (any of the values), parsed with
 * the override grammar the CLI uses for sweeps, so values are typed the same way
 * (`fusion.name=attention_gru,early`, `perception.train.maxEpochs=120`, `perception.modalities=[face],null`).
 * A key no run has, or filters that leave no run, are errors: a typo must not print an empty or unfiltered table.
 */
export function filterRecords<R extends { config: Record<string, unknown> }>(records: R[], where: string[]): R[] {
  let kept = records;
  for (const w of where) {
    let o: ReturnType<typeof parseOverride>;
    try {
      o = parseOverride(w);
      if (o.kind !== 'set' || (o.value === undefined && !o.sweep)) throw new ConfigError('a plain key=value is needed');
    } catch (e) {
      throw new AffectlabError(`report --where: ${JSON.stringify(w)}; expected key=value[,value...], e.g. fusion.name=attention_gru,early (${(e as Error).message})`);
    }
    const wanted = new Set((o.sweep ? sweepValues(o.sweep) : [o.value]).map((v) => JSON.stringify(v)));
    if (records.every((r) => getPath(r.config, o.key) === undefined)) throw new AffectlabError(`report --where: no run has the config key ${JSON.stringify(o.key)}`);
    kept = kept.filter((r) => wanted.has(JSON.stringify(getPath(r.config, o.key))));
  }
  if (kept.length === 0) throw new AffectlabError(`report --where: no run matches ${where.join(' and ')}`);
  return kept;
}

export async function reportCommand(
  dirs: string[],
  opts: { groupBy?: string; metrics?: string; format: string; precision: string; out?: string; paired?: string; pairBy?: string; where?: string[] },
): Promise<void> {
  for (const d of dirs) {
    try {
      statSync(d);
    } catch {
      throw new AffectlabError(`report: ${d}: no such folder`);
    }
  }
  const read = readResults(dirs);
  for (const s of read.skipped) process.stderr.write(`affectlab: skipped ${s.path}: ${s.reason}\n`);
  if (read.records.length === 0) throw new AffectlabError(`report: no results.json under ${dirs.join(', ')}`);
  const records = opts.where && opts.where.length > 0 ? filterRecords(read.records, opts.where) : read.records;
  const groupBy = opts.groupBy ? opts.groupBy.split(',').map((s) => s.trim()).filter(Boolean) : differingKeys(records.map((r) => r.config));
  for (const k of groupBy) {
    if (records.every((r) => getPath(r.config, k) === undefined)) throw new AffectlabError(`report --group-by: no run has the config key ${JSON.stringify(k)}`);
  }
  const allMetrics = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))];
  const metrics = opts.metrics ? opts.metrics.split(',').map((s) => s.trim()).filter(Boolean) : allMetrics;
  for (const m of metrics) {
    if (!allMetrics.includes(m)) throw new AffectlabError(`report --metrics: no run has the metric ${JSON.stringify(m)}; available: ${allMetrics.join(', ')}`);
  }
  const format = (opts.format === 'md' ? 'markdown' : opts.format) as TableFormat;
  if (!TABLE_FORMATS.includes(format)) throw new AffectlabError(`report --format: ${JSON.stringify(opts.format)}; expected md, csv or latex`);
  const precision = Number(opts.precision);
  if (!Number.isInteger(precision) || precision < 0) throw new AffectlabError(`report --precision: ${JSON.stringify(opts.precision)}; expected a non-negative integer`);
  process.stdout.write(`${renderTable(records, format, { groupBy, metrics, precision })}\n`);
  if (opts.paired) process.stdout.write(`${pairedTable(records, opts.paired, (opts.pairBy ?? 'seed').split(',').map((s) => s.trim()).filter(Boolean), metrics, precision)}\n`);
  const rows: SummaryRow[] = groupResults(records, { groupBy, metrics }).map((g) => ({
    group: Object.entries(g.key).map(([k, v]) => `${k}=${v}`).join(' ') || 'all',
    n: g.n,
    stats: Object.fromEntries(Object.entries(g.stats).filter(([, v]) => v !== undefined)) as SummaryRow['stats'],
  }));
  const runs: ReportRun[] = records.map((r) => {
    const dir = dirname(String(r.source));
    return { dir, results: r as unknown as ReportRun['results'], history: loadHistory(dir) };
  });
  const outDir = resolve(opts.out ?? dirs[0]);
  const written = await writeReport(outDir, {
    title: `affectlab report: ${dirs.map((d) => d.replace(`${process.cwd()}/`, '')).join(', ')}`,
    runs,
    groupBy,
    metrics,
    summary: rows,
    summaryMarkdown: renderTable(records, 'markdown', { groupBy, metrics, precision }),
  });
  process.stderr.write(`affectlab: wrote ${written.html} and ${written.md}\n`);
}

/**
 * Paired comparison of every other value of config key `key` against its first
 * value (sorted), matched on `pairBy` (default seed): mean difference, paired
 * t-test and exact Wilcoxon signed-rank p per metric, as a Markdown table.
 */
export function pairedTable(records: Parameters<typeof comparePaired>[0], key: string, pairBy: string[], metrics: string[], precision: number): string {
  const values = [...new Set(records.map((r) => getPath(r.config, key)).filter((v) => v !== undefined).map(String))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  if (values.length < 2) throw new AffectlabError(`report --paired: config key ${JSON.stringify(key)} takes ${values.length} value(s) (${values.join(', ')}); expected at least 2`);
  const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(precision));
  const lines = [`Paired over ${pairBy.join(', ')}: ${key} = b vs a = ${values[0]}`, '', '| metric | a | b | n | mean a | mean b | mean (b − a) | t-test p | Wilcoxon p |', '|---|---|---|---|---|---|---|---|---|'];
  const notes: string[] = [];
  for (const b of values.slice(1)) {
    for (const m of metrics) {
      const r = comparePaired(records, { by: key, a: values[0], b, metric: m, pairBy });
      lines.push(`| ${m} | ${values[0]} | ${b} | ${r.n} | ${f(r.meanA)} | ${f(r.meanB)} | ${f(-r.meanDiff)} | ${f(r.tTest?.pvalue)} | ${f(r.wilcoxon?.pvalue)} |`);
      for (const u of r.unmatched) notes.push(`${m}: ${u}`);
    }
  }
  if (notes.length > 0) lines.push('', `Unmatched (${notes.length}): ${notes.join('; ')}`);
  return lines.join('\n');
}
