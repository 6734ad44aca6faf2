import YAML from 'yaml';
import { resolve } from 'node:path';
import { AffectlabError } from '../core/errors.js';
import { Logger, type LogLevel } from '../core/log.js';
import { expandSweep } from '../config/index.js';
import { createUniqueDir } from '../experiments/rundir.js';
import { executeRun, formatMetrics } from '../experiments/runner.js';
import { loadSettingsAndPlugins, resolveConfig } from '../experiments/resolve.js';
import { createSweep, readManifest, runSweep as runSweepFolder, runSweepJobHere } from '../experiments/sweep.js';
import { launcherLookup } from '../experiments/launchers/index.js';
import { writeSweepSummary } from '../experiments/summary.js';
import { jobs } from '../experiments/registry.js';

/**
 * The CLI's command implementations. main.ts imports this module only when a
 * command runs, so `--help` and argument errors do not pay for loading tfjs.
 */
/** `[experiment] [overrides...]`: the first argument is the experiment unless it looks like an override. */
export function splitExperiment(args: string[]): { experiment?: string; overrides: string[] } {
  const [first, ...rest] = args;
  if (first !== undefined && !first.includes('=') && !/^[~+]/.test(first)) return { experiment: first, overrides: rest };
  return { overrides: args };
}

export function consoleLogger(level = 'info'): Logger {
  return new Logger(level as LogLevel);
}

/** SIGINT/SIGTERM abort the current job cleanly; a second signal exits at once. */
function abortOnSignals(): AbortSignal {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\naffectlab: ${sig} received, stopping after the current step (again to exit now)\n`);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller.signal;
}

export async function runSingle(args: string[], cwd: string): Promise<void> {
  const { experiment, overrides } = splitExperiment(args);
  const settings = await loadSettingsAndPlugins(cwd, overrides);
  const resolved = await resolveConfig({ experiment, overrides, cwd }, settings);
  const log = consoleLogger(String(resolved.config.log_level ?? 'info'));
  const runDir = createUniqueDir(resolve(cwd, settings.outputsRoot), (resolved.config.name as string | null) ?? null);
  const record = await executeRun({
    config: resolved.config,
    overrides: resolved.overrides,
    runDir,
    job: jobs.get(String(resolved.config.job)),
    log,
    signal: abortOnSignals(),
  });
  process.stdout.write(`${runDir}\n${formatMetrics(record.metrics)}\n`);
  // End with the table and the run's own report.html/report.md; a report problem never fails a finished run.
  try {
    const { reportCommand } = await import('./report.js');
    await reportCommand([runDir], { format: 'md', precision: '3' });
  } catch (err) {
    log.warn(`run finished, but its report could not be written: ${(err as Error).message.split('\n')[0]}`);
  }
}

export async function runSweep(args: string[], cwd: string, resumeDir?: string): Promise<void> {
  const signal = abortOnSignals();
  let dir: string;
  let settings;
  if (resumeDir) {
    dir = resolve(cwd, resumeDir);
    const m = readManifest(dir);
    if (args.length > 0) throw new AffectlabError(`sweep --resume ${resumeDir}: takes no experiment or overrides (the sweep's own are in ${dir}/sweep.json: ${m.overrides.join(' ')})`);
    settings = await loadSettingsAndPlugins(m.cwd, m.overrides);
  } else {
    const { experiment, overrides } = splitExperiment(args);
    settings = await loadSettingsAndPlugins(cwd, overrides);
    dir = (await createSweep({ experiment, overrides, cwd, settings })).dir;
  }
  const log = consoleLogger();
  process.stdout.write(`${dir}\n`);
  const manifest = await runSweepFolder({
    dir,
    settings,
    log,
    signal,
    launchers: launcherLookup,
    onComplete: async (d, m) => {
      const written = writeSweepSummary(d, m);
      if (written) log.info(`summary: ${written}`);
    },
  });
  const failed = manifest.jobs.filter((j) => j.state !== 'completed');
  process.stdout.write(`${manifest.jobs.length - failed.length}/${manifest.jobs.length} jobs completed in ${dir}\n`);
  if (failed.length > 0) {
    throw new AffectlabError(
      `${failed.length} job(s) did not complete (${failed.map((j) => `${j.num}: ${j.state}${j.error ? `, ${j.error}` : ''}`).join('; ')}); rerun them with: affectlab sweep --resume ${dir}`,
    );
  }
}

/** Internal: one job of a sweep, as run by the local launcher's child processes and by Slurm array tasks. */
export async function runOneSweepJob(dir: string, num: string): Promise<void> {
  const sweepDir = resolve(dir);
  const manifest = readManifest(sweepDir);
  const n = Number(num);
  if (!Number.isInteger(n) || n < 0) throw new AffectlabError(`_job: job number ${JSON.stringify(num)} is not a non-negative integer`);
  const settings = await loadSettingsAndPlugins(manifest.cwd, manifest.jobs[n]?.overrides ?? []);
  await runSweepJobHere({ dir: sweepDir, manifest, num: n, settings, log: consoleLogger(), signal: abortOnSignals() });
}

export async function showConfig(args: string[], cwd: string, multirun: boolean): Promise<void> {
  const { experiment, overrides } = splitExperiment(args);
  const settings = await loadSettingsAndPlugins(cwd, overrides);
  const jobsList = multirun ? expandSweep(overrides) : [overrides];
  if (!multirun && expandSweep(overrides).length > 1) {
    throw new AffectlabError(`the overrides describe a sweep of ${expandSweep(overrides).length} jobs; add -m to list them`);
  }
  for (let i = 0; i < jobsList.length; i++) {
    const r = await resolveConfig({ experiment, overrides: jobsList[i], cwd }, settings);
    if (multirun) process.stdout.write(`# job ${i}: ${jobsList[i].join(' ')}\n`);
    process.stdout.write(YAML.stringify(r.config));
    if (multirun && i < jobsList.length - 1) process.stdout.write('---\n');
  }
  if (multirun) process.stdout.write(`# ${jobsList.length} jobs\n`);
}


export function listJobs(): void {
  for (const name of jobs.names()) process.stdout.write(`${name}\t${jobs.get(name).description}\n`);
}

/** `affectlab data synth --out DIR [overrides...]`: writes a SynAffect corpus to disk. */
export async function dataSynth(args: string[], out: string, cwd: string, overwrite: boolean): Promise<void> {
  const { experiment, overrides } = splitExperiment(args);
  const settings = await loadSettingsAndPlugins(cwd, overrides);
  const r = await resolveConfig({ experiment, overrides, cwd }, settings);
  const ds = r.config.dataset as Record<string, unknown> | undefined;
  if (!ds || !String(ds.name).startsWith('synaffect') || ds.name === 'synaffect_dir') {
    throw new AffectlabError(`data synth: the dataset section must be a SynAffect generator (dataset=synaffect, synaffect_iemocap, ...), got ${JSON.stringify(ds?.name)}`);
  }
  const { writeSynthCorpus } = await import('../data/index.js');
  const { Rng } = await import('../core/rng.js');
  const { progress } = await import('../core/progress.js');
  const bar = progress({ label: 'synth', total: Number(ds.n ?? 0) });
  const log = consoleLogger(String(r.config.log_level ?? 'info'));
  const res = writeSynthCorpus({ out: resolve(cwd, out), config: ds as never, rng: new Rng(Number(r.config.seed ?? 0)), log, overwrite, onProgress: () => bar.tick() });
  bar.stop();
  process.stdout.write(`${resolve(cwd, out)}: ${res.n} samples, ${(res.bytes / 2 ** 20).toFixed(1)} MiB in ${res.seconds.toFixed(1)} s\n`);
}

/** `affectlab audit verify LOG`: checks the hash chain of an audit log. */
export async function auditVerify(path: string, cwd: string): Promise<void> {
  const { verifyAudit } = await import('../generation/audit.js');
  const v = verifyAudit(resolve(cwd, path));
  if (v.ok) {
    process.stdout.write(`${path}: ok, ${v.records} records, hash chain intact${v.warnings.length ? ` (${v.warnings.join('; ')})` : ''}\n`);
    return;
  }
  throw new AffectlabError(`${path}: ${v.status}: line ${v.firstBad?.line}: ${v.firstBad?.reason} (${v.records} records verified before it)`);
}
