import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Hydra's `${now:%Y-%m-%d}` and `${now:%H-%M-%S}`, local time. */
export function timestampParts(d = new Date()): { day: string; time: string } {
  return {
    day: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`,
  };
}

/** Folder-name-safe form of a run name. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._=,+-]+/g, '_').slice(0, 80);
}

/**
 * Creates a new, empty folder `<root>/<day>/<time>[-name]` and returns its path.
 * mkdir without `recursive` fails on an existing folder, so two runs started in
 * the same second get `_2`, `_3`, ... and a run folder is never reused.
 */
export function createUniqueDir(root: string, name?: string | null, now = new Date()): string {
  const { day, time } = timestampParts(now);
  const base = join(root, day);
  mkdirSync(base, { recursive: true });
  const stem = name ? `${time}-${safeName(name)}` : time;
  for (let k = 1; k < 10_000; k++) {
    const dir = join(base, k === 1 ? stem : `${stem}_${k}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`cannot create a unique run folder under ${base}`);
}

/** The standard files of a run folder. */
export const RUN_FILES = {
  config: 'config.yaml',
  overrides: 'overrides.yaml',
  log: 'run.log',
  metrics: 'metrics.jsonl',
  results: 'results.json',
  failure: 'failure.json',
} as const;

export function isCompleted(runDir: string): boolean {
  return existsSync(join(runDir, RUN_FILES.results));
}
