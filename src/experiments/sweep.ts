import { existsSync, mkdirSync, renameSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { expandSweep } from '../config/index.js';
import { RunStateError, AffectlabError } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import type { Logger } from '../core/log.js';
import { createUniqueDir, isCompleted, RUN_FILES } from './rundir.js';
import { executeRun } from './runner.js';
import { resolveConfig, type Resolved } from './resolve.js';
import { jobs } from './registry.js';
import type { ProjectSettings } from '../config/index.js';

export type JobState = 'pending' | 'running' | 'completed' | 'failed';

export interface SweepJob {
  num: number;
  overrides: string[];
  state: JobState;
  attempts: number;
  error?: string;
  exitCode?: number;
  started?: string;
  finished?: string;
}

/** sweep.json: the sweep's jobs and their states, rewritten atomically after every change. */
export interface SweepManifest {
  version: 1;
  created: string;
  experiment: string | null;
  /** The command-line overrides, sweep syntax included. */
  overrides: string[];
  cwd: string;
  jobs: SweepJob[];
}

export const MANIFEST = 'sweep.json';

export function readManifest(dir: string): SweepManifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new RunStateError(`${dir}: not a sweep folder (no ${MANIFEST})`);
  return readJson<SweepManifest>(path);
}

function saveManifest(dir: string, m: SweepManifest): void {
  writeJsonAtomic(join(dir, MANIFEST), m);
}

/** Creates the sweep folder and its manifest; every job's config is resolved up front so a bad job fails before any runs. */
export async function createSweep(opts: {
  experiment?: string;
  overrides: string[];
  cwd: string;
  settings: ProjectSettings;
}): Promise<{ dir: string; manifest: SweepManifest }> {
  const jobOverrides = expandSweep(opts.overrides);
  for (const ov of jobOverrides) await resolveConfig({ experiment: opts.experiment, overrides: ov, cwd: opts.cwd }, opts.settings);
  const dir = createUniqueDir(resolve(opts.cwd, opts.settings.multirunRoot));
  const manifest: SweepManifest = {
    version: 1,
    created: new Date().toISOString(),
    experiment: opts.experiment ?? null,
    overrides: opts.overrides,
    cwd: opts.cwd,
    jobs: jobOverrides.map((o, num) => ({ num, overrides: o, state: 'pending', attempts: 0 })),
  };
  saveManifest(dir, manifest);
  return { dir, manifest };
}

/**
 * Holds the sweep's lock for the duration of `fn`. A second launcher on the
 * same folder fails at once; a lock left by a killed process goes stale (its
 * mtime stops being refreshed) and is taken over.
 */
export async function withSweepLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { lockfilePath: join(dir, 'sweep.lock'), stale: 15_000, update: 5_000, realpath: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new RunStateError(`${dir}: another launcher is running this sweep (lock ${join(dir, 'sweep.lock')}); wait for it or stop it first`);
    }
    throw err;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Moves an unfinished attempt aside (never deleted) so the rerun starts from a clean folder. */
function setAsideAttempt(jobDir: string): void {
  if (!existsSync(jobDir) || readdirSync(jobDir).length === 0) return;
  for (let k = 1; ; k++) {
    const aside = `${jobDir}.attempt-${k}`;
    if (!existsSync(aside)) {
      renameSync(jobDir, aside);
      return;
    }
  }
}

/** The basic launcher: jobs one after another in this process. Completed jobs (results.json present) are never rerun. */
export async function runSweepJobs(opts: {
  dir: string;
  settings: ProjectSettings;
  log: Logger;
  signal: AbortSignal;
}): Promise<SweepManifest> {
  const { dir } = opts;
  const manifest = readManifest(dir);
  const todo = manifest.jobs.filter((j) => !isCompleted(join(dir, String(j.num))));
  for (const j of manifest.jobs) if (isCompleted(join(dir, String(j.num)))) j.state = 'completed';
  opts.log.info(`sweep ${dir}: ${manifest.jobs.length} jobs, ${todo.length} to run`);
  for (const job of todo) {
    if (opts.signal.aborted) break;
    const jobDir = join(dir, String(job.num));
    setAsideAttempt(jobDir);
    mkdirSync(jobDir, { recursive: true });
    job.state = 'running';
    job.attempts += 1;
    job.started = new Date().toISOString();
    delete job.error;
    saveManifest(dir, manifest);
    let resolved: Resolved;
    try {
      resolved = await resolveConfig({ experiment: manifest.experiment ?? undefined, overrides: job.overrides, cwd: manifest.cwd }, opts.settings);
      await executeRun({
        config: resolved.config,
        overrides: job.overrides,
        runDir: jobDir,
        job: jobs.get(String(resolved.config.job)),
        log: opts.log,
        signal: opts.signal,
        sweep: { dir, job: job.num },
      });
      job.state = 'completed';
    } catch (err) {
      job.state = 'failed';
      job.error = (err as Error).message;
      if (!(err instanceof AffectlabError)) opts.log.error((err as Error).stack ?? String(err));
    }
    job.finished = new Date().toISOString();
    saveManifest(dir, manifest);
    opts.log.info(`job ${job.num} [${job.overrides.join(' ')}]: ${job.state}${job.error ? ` (${job.error})` : ''}`);
  }
  return manifest;
}
