import { existsSync, mkdirSync, renameSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandSweep, parseOverride } from '../config/index.js';
import { RunStateError, AffectlabError } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import type { Logger } from '../core/log.js';
import type { ProjectSettings } from '../config/index.js';
import { createUniqueDir, isCompleted } from './rundir.js';
import { executeRun } from './runner.js';
import { resolveConfig } from './resolve.js';
import { jobs } from './registry.js';
import { acquireSweepLock } from './lock.js';

export type JobState = 'pending' | 'submitted' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'node_fail';

export interface SweepJob {
  num: number;
  overrides: string[];
  state: JobState;
  attempts: number;
  error?: string;
  exitCode?: number;
  /** The last lines of the job's log when it failed. */
  logTail?: string;
  /** Scheduler id (Slurm array task) when the launcher has one. */
  schedulerId?: string;
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
  /** The launcher that ran the latest attempt. */
  launcher?: string;
  jobs: SweepJob[];
}

export const MANIFEST = 'sweep.json';

export function readManifest(dir: string): SweepManifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new RunStateError(`${dir}: not a sweep folder (no ${MANIFEST})`);
  return readJson<SweepManifest>(path);
}

export function saveManifest(dir: string, m: SweepManifest): void {
  writeJsonAtomic(join(dir, MANIFEST), m);
}

export function jobDir(dir: string, num: number): string {
  return join(dir, String(num));
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

/** Moves an unfinished attempt aside (never deleted) so the rerun starts from a clean folder. */
export function prepareJobDir(dir: string, num: number): string {
  const d = jobDir(dir, num);
  if (existsSync(d) && readdirSync(d).length > 0) {
    for (let k = 1; ; k++) {
      const aside = `${d}.attempt-${k}`;
      if (!existsSync(aside)) {
        renameSync(d, aside);
        break;
      }
    }
  }
  mkdirSync(d, { recursive: true });
  return d;
}

/** Runs one job of a sweep in this process (the basic launcher, and the `_job` entry point of child processes and Slurm tasks). */
export async function runSweepJobHere(opts: {
  dir: string;
  manifest: SweepManifest;
  num: number;
  settings: ProjectSettings;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  const job = opts.manifest.jobs[opts.num];
  if (!job) throw new RunStateError(`${opts.dir}: the sweep has no job ${opts.num} (it has ${opts.manifest.jobs.length})`);
  const resolved = await resolveConfig({ experiment: opts.manifest.experiment ?? undefined, overrides: job.overrides, cwd: opts.manifest.cwd }, opts.settings);
  await executeRun({
    config: resolved.config,
    overrides: job.overrides,
    runDir: jobDir(opts.dir, opts.num),
    job: jobs.get(String(resolved.config.job)),
    log: opts.log,
    signal: opts.signal,
    sweep: { dir: opts.dir, job: opts.num },
  });
}

/** Keys whose override values differ between the sweep's jobs: the summary's grouping. */
export function sweptKeys(manifest: SweepManifest): string[] {
  const values = new Map<string, Set<string>>();
  for (const j of manifest.jobs) {
    for (const raw of j.overrides) {
      const o = parseOverride(raw);
      if (!values.has(o.key)) values.set(o.key, new Set());
      values.get(o.key)!.add(JSON.stringify(o.value));
    }
  }
  return [...values].filter(([, v]) => v.size > 1).map(([k]) => k);
}

export interface LaunchContext {
  dir: string;
  manifest: SweepManifest;
  todo: SweepJob[];
  settings: ProjectSettings;
  log: Logger;
  signal: AbortSignal;
  /** The resolved `launcher` section. */
  launcher: Record<string, any>;
  /** Persists the manifest after a state change. */
  save(): void;
}

export interface Launcher {
  name: string;
  /** Runs (or submits and waits for) the given jobs, recording each one's final state in the manifest. */
  launch(ctx: LaunchContext): Promise<void>;
}

export function markStarted(job: SweepJob): void {
  job.state = 'running';
  job.attempts += 1;
  job.started = new Date().toISOString();
  delete job.error;
  delete job.exitCode;
  delete job.logTail;
  delete job.finished;
}

/**
 * Runs the jobs of a sweep folder that have no results.json, with the launcher
 * its config names, under the sweep's lock. Completed jobs are never rerun.
 */
export async function runSweep(opts: {
  dir: string;
  settings: ProjectSettings;
  log: Logger;
  signal: AbortSignal;
  launchers: { get(name: string, where?: string): Launcher };
  onComplete?: (dir: string, manifest: SweepManifest) => Promise<void> | void;
}): Promise<SweepManifest> {
  const { dir } = opts;
  const release = acquireSweepLock(dir);
  try {
    const manifest = readManifest(dir);
    for (const j of manifest.jobs) if (isCompleted(jobDir(dir, j.num))) j.state = 'completed';
    const todo = manifest.jobs.filter((j) => j.state !== 'completed');
    const first = await resolveConfig({ experiment: manifest.experiment ?? undefined, overrides: (todo[0] ?? manifest.jobs[0]).overrides, cwd: manifest.cwd }, opts.settings);
    const launcherCfg = (first.config.launcher ?? { name: 'basic' }) as Record<string, any>;
    const launcher = opts.launchers.get(String(launcherCfg.name ?? 'basic'), 'config key launcher.name');
    manifest.launcher = launcher.name;
    saveManifest(dir, manifest);
    opts.log.info(`sweep ${dir}: ${manifest.jobs.length} jobs, ${todo.length} to run with the ${launcher.name} launcher`);
    if (todo.length > 0) {
      await launcher.launch({ dir, manifest, todo, settings: opts.settings, log: opts.log, signal: opts.signal, launcher: launcherCfg, save: () => saveManifest(dir, manifest) });
    }
    // results.json is the ground truth: a job whose process said otherwise is reconciled here
    // (submitted jobs, from a launcher that does not wait, are left to finish).
    for (const j of manifest.jobs) {
      if (j.state === 'submitted') continue;
      if (isCompleted(jobDir(dir, j.num))) j.state = 'completed';
      else if (j.state === 'completed' || j.state === 'running' || j.state === 'pending') j.state = 'failed';
    }
    saveManifest(dir, manifest);
    if (manifest.jobs.every((j) => j.state === 'completed') && opts.onComplete) await opts.onComplete(dir, manifest);
    return manifest;
  } finally {
    release();
  }
}

export function describeFailure(err: unknown): string {
  return err instanceof AffectlabError ? err.message : ((err as Error).stack ?? String(err));
}
