import type { z } from 'zod';
import type { BackendInfo } from '../core/backend.js';
import type { Logger } from '../core/log.js';
import type { Progress } from '../core/progress.js';
import type { Rng } from '../core/rng.js';

/** The resolved config as plain data (validated against the schema before a job sees it). */
export type ResolvedConfig = Record<string, any>;

/** Appends one record per logged step to the run's metrics.jsonl. */
export interface MetricsWriter {
  log(record: Record<string, number | string | boolean | null>): void;
}

/** Everything a job gets; jobs never pick their own paths, seeds or backend. */
export interface RunContext {
  config: ResolvedConfig;
  /** The run folder: write artefacts here (atomically: core/io). */
  runDir: string;
  rng: Rng;
  log: Logger;
  backend: BackendInfo;
  metrics: MetricsWriter;
  progress(label: string, total: number): Progress;
  /** Aborted on SIGINT/SIGTERM: long loops should check it and stop cleanly. */
  signal: AbortSignal;
}

/**
 * What a job returns; the runner writes it to results.json. `metrics` holds the
 * flat scalar figures tables aggregate (ACC, SIM, ...); `tables`/`artifacts`
 * hold anything richer (per-class rows, curves, paths of files written).
 */
export interface JobResult {
  metrics: Record<string, number>;
  tables?: Record<string, unknown>;
  artifacts?: Record<string, string>;
  notes?: string[];
}

export type JobFn = (ctx: RunContext) => Promise<JobResult>;

export interface JobDefinition {
  name: string;
  description: string;
  run: JobFn;
  /** Strict schemas of the root config sections this job owns (validated before it runs). */
  sections?: Record<string, z.ZodTypeAny>;
}
