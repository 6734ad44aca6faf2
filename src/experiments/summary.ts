import { join } from 'node:path';
import { writeFileAtomic } from '../core/io.js';
import { readResults, renderMarkdown, renderCsv } from '../eval/tables.js';
import { sweptKeys, type SweepManifest } from './sweep.js';

/**
 * Writes summary.md and summary.csv beside the jobs when a sweep completes:
 * mean ± std of every metric, grouped by the swept keys other than `seed`.
 * Returns the Markdown path, or undefined when there is nothing to summarise.
 */
export function writeSweepSummary(dir: string, manifest: SweepManifest): string | undefined {
  const { records } = readResults(manifest.jobs.map((j) => join(dir, String(j.num))));
  if (records.length === 0) return undefined;
  const groupBy = sweptKeys(manifest).filter((k) => k !== 'seed');
  const md = renderMarkdown(records, { groupBy });
  const path = join(dir, 'summary.md');
  writeFileAtomic(path, `# Sweep ${dir}\n\n${manifest.jobs.length} jobs; grouped by ${groupBy.join(', ') || '(none)'}; mean ± std over the runs in each group.\n\n${md}\n`);
  writeFileAtomic(join(dir, 'summary.csv'), `${renderCsv(records, { groupBy })}\n`);
  return path;
}
