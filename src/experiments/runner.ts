import { join } from 'node:path';
import { appendJsonl, writeJsonAtomic, writeYamlAtomic } from '../core/io.js';
import { Logger, type LogLevel } from '../core/log.js';
import { progress as makeProgress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import type { BackendInfo, BackendName } from '../core/backend.js';
import { AffectlabError } from '../core/errors.js';
import { RUN_FILES } from './rundir.js';
import { machineInfo, peakRssMb, type MachineInfo } from './machine.js';
import type { JobDefinition, JobResult, ResolvedConfig, RunContext } from './types.js';

/** The content of results.json: a run folder alone reproduces and describes the run. */
export interface RunRecord extends JobResult {
  status: 'completed';
  experiment: string;
  job: string;
  seed: number;
  overrides: string[];
  config: ResolvedConfig;
  backend: BackendInfo;
  run: {
    dir: string;
    started: string;
    finished: string;
    wallS: number;
    peakRssMb: number;
    liveTensors: number;
    machine: MachineInfo;
    sweep?: { dir: string; job: number };
  };
}

export interface RunOptions {
  config: ResolvedConfig;
  overrides: string[];
  runDir: string;
  job: JobDefinition;
  /** Console logger (stderr); the run's file log is attached to a child of it. */
  log?: Logger;
  signal?: AbortSignal;
  sweep?: { dir: string; job: number };
}

/**
 * Runs one job into its folder: config.yaml and overrides.yaml first (so even a
 * killed run is reproducible), the log and metrics.jsonl as it goes, and
 * results.json last, atomically. A folder without results.json is an unfinished
 * run; a failed run also leaves failure.json with the error.
 */
export async function executeRun(opts: RunOptions): Promise<RunRecord> {
  const { config, runDir, job } = opts;
  const started = new Date();
  writeYamlAtomic(join(runDir, RUN_FILES.config), config);
  writeYamlAtomic(join(runDir, RUN_FILES.overrides), opts.overrides);
  const log = (opts.log ?? new Logger((config.log_level as LogLevel) ?? 'info')).child(job.name);
  log.attachFile(join(runDir, RUN_FILES.log));
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort);
  try {
    // tfjs loads here, in the process that runs the job, not in one that only composes and launches.
    const { initBackend, describeBackend, tf } = await import('../core/backend.js');
    const backend = await initBackend((config.backend as BackendName) ?? 'auto');
    log.info(`run ${runDir}: job=${job.name} seed=${config.seed} backend=${describeBackend(backend)}`);
    const metricsPath = join(runDir, RUN_FILES.metrics);
    const progressMode = (config.progress as 'auto' | 'bar' | 'lines' | 'off') ?? 'auto';
    const ctx: RunContext = {
      config,
      runDir,
      rng: new Rng(Number(config.seed ?? 0)),
      log,
      backend,
      metrics: { log: (record) => appendJsonl(metricsPath, { ...record, time: Date.now() / 1000 }) },
      progress: (label, total) => makeProgress({ label, total, mode: progressMode === 'auto' ? undefined : progressMode }),
      signal: controller.signal,
    };
    const result = await job.run(ctx);
    if (controller.signal.aborted) throw new AffectlabError(`run interrupted (${String(controller.signal.reason ?? 'signal')})`);
    const finished = new Date();
    const record: RunRecord = {
      status: 'completed',
      experiment: String(config.experiment ?? ''),
      job: job.name,
      seed: Number(config.seed ?? 0),
      overrides: opts.overrides,
      config,
      backend,
      ...result,
      run: {
        dir: runDir,
        started: started.toISOString(),
        finished: finished.toISOString(),
        wallS: (finished.getTime() - started.getTime()) / 1000,
        peakRssMb: peakRssMb(),
        liveTensors: tf.memory().numTensors,
        machine: machineInfo(),
        ...(opts.sweep ? { sweep: opts.sweep } : {}),
      },
    };
    writeJsonAtomic(join(runDir, RUN_FILES.results), record);
    log.info(`done in ${record.run.wallS.toFixed(1)} s: ${formatMetrics(result.metrics)}`);
    return record;
  } catch (err) {
    const e = err as Error;
    writeJsonAtomic(join(runDir, RUN_FILES.failure), {
      status: 'failed',
      error: e.message,
      kind: e.name,
      stack: err instanceof AffectlabError ? undefined : e.stack,
      time: new Date().toISOString(),
    });
    log.error(`failed: ${e.message}`);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(' ');
}
