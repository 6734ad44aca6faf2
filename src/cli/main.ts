#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
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
import { reportCommand } from './report.js';

const VERSION = '0.1.0';

/** `[experiment] [overrides...]`: the first argument is the experiment unless it looks like an override. */
export function splitExperiment(args: string[]): { experiment?: string; overrides: string[] } {
  const [first, ...rest] = args;
  if (first !== undefined && !first.includes('=') && !/^[~+]/.test(first)) return { experiment: first, overrides: rest };
  return { overrides: args };
}

function consoleLogger(level = 'info'): Logger {
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

async function runSingle(args: string[], cwd: string): Promise<void> {
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
}

async function runSweep(args: string[], cwd: string, resumeDir?: string): Promise<void> {
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
async function runOneSweepJob(dir: string, num: string): Promise<void> {
  const sweepDir = resolve(dir);
  const manifest = readManifest(sweepDir);
  const n = Number(num);
  if (!Number.isInteger(n) || n < 0) throw new AffectlabError(`_job: job number ${JSON.stringify(num)} is not a non-negative integer`);
  const settings = await loadSettingsAndPlugins(manifest.cwd, manifest.jobs[n]?.overrides ?? []);
  await runSweepJobHere({ dir: sweepDir, manifest, num: n, settings, log: consoleLogger(), signal: abortOnSignals() });
}

async function showConfig(args: string[], cwd: string, multirun: boolean): Promise<void> {
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

export function buildProgram(cwd = process.cwd()): Command {
  const program = new Command('affectlab')
    .description('Affect-adaptive intervention research: perception, generation and PPO, driven by Hydra-style configs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  affectlab run                                  run the default experiment
  affectlab run gu2025 seed=3                    run an experiment with an override
  affectlab run -m fusion=early,late_dr seed=1,2 sweep: 4 jobs
  affectlab config placeholder placeholder.epochs=3   print the resolved config
  affectlab report outputs/ --group-by experiment`,
    );

  const overridesHelp = `
Overrides (Hydra grammar):
  key=value        set an existing key          +key=value   add a new key
  ++key=value      add or set                   ~key         delete a key
  group=option     select a config group option (e.g. fusion=late_dr)
  a=1,2,3          sweep over values (with -m)  a=range(0,10,2)  sweep over a range`;

  program
    .command('run')
    .description('run one experiment (or a sweep with -m) into outputs/YYYY-MM-DD/HH-MM-SS/')
    .argument('[args...]', '[experiment] [overrides...]')
    .option('-m, --multirun', 'expand sweep overrides and run every job (same as `affectlab sweep`)')
    .addHelpText('after', `${overridesHelp}

Examples:
  affectlab run
  affectlab run placeholder seed=1 placeholder.epochs=5
  affectlab run -m placeholder seed=0,1,2`)
    .action(async (args: string[], opts: { multirun?: boolean }) => {
      if (opts.multirun) await runSweep(args, cwd);
      else await runSingle(args, cwd);
    });

  program
    .command('sweep')
    .description('run every job of a sweep into multirun/YYYY-MM-DD/HH-MM-SS/<job>/ (same as run -m)')
    .argument('[args...]', '[experiment] [overrides...]')
    .option('--resume <dir>', 'rerun only the jobs of an existing sweep folder that have no results.json')
    .addHelpText('after', `${overridesHelp}

Examples:
  affectlab sweep placeholder seed=0,1,2,3
  affectlab sweep --resume multirun/2026-01-01/12-00-00`)
    .action(async (args: string[], opts: { resume?: string }) => runSweep(args, cwd, opts.resume));

  program
    .command('config')
    .description('print the resolved config (or every job of a sweep with -m) without running anything')
    .argument('[args...]', '[experiment] [overrides...]')
    .option('-m, --multirun', 'list every job of the sweep')
    .addHelpText('after', `${overridesHelp}

Examples:
  affectlab config
  affectlab config placeholder seed=1,2 placeholder.lr=0.01,0.1 -m`)
    .action(async (args: string[], opts: { multirun?: boolean }) => showConfig(args, cwd, Boolean(opts.multirun)));

  program
    .command('report')
    .description('aggregate results.json files under the given folders into tables (mean ± std)')
    .argument('<dirs...>', 'run, sweep or outputs folders (searched recursively)')
    .option('--group-by <keys>', 'comma-separated config keys to group by (default: the keys that differ between runs)')
    .option('--metrics <names>', 'comma-separated metrics to show (default: all)')
    .option('--format <fmt>', 'md | csv | latex', 'md')
    .option('--precision <n>', 'decimals', '3')
    .addHelpText('after', `
Examples:
  affectlab report outputs/
  affectlab report multirun/2026-01-01/12-00-00 --group-by fusion.name --metrics ACC,F1 --format latex`)
    .action(async (dirs: string[], opts: { groupBy?: string; metrics?: string; format: string; precision: string }) =>
      reportCommand(dirs.map((d) => resolve(cwd, d)), opts),
    );

  program
    .command('_job', { hidden: true })
    .argument('<dir>')
    .argument('<num>', 'job number; defaults to $SLURM_ARRAY_TASK_ID')
    .action(async (dir: string, num: string) => runOneSweepJob(dir, num === 'slurm' ? String(process.env.SLURM_ARRAY_TASK_ID ?? '') : num));

  program
    .command('list')
    .description('list registered jobs')
    .action(() => {
      for (const name of jobs.names()) process.stdout.write(`${name}\t${jobs.get(name).description}\n`);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof AffectlabError) {
      process.stderr.write(`affectlab: error: ${err.message.split('\n')[0]}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    if (process.env.AFFECTLAB_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.stderr.write(`affectlab: internal error: ${e.message.split('\n')[0]} (set AFFECTLAB_DEBUG=1 for the stack trace; please report it)\n`);
    return 2;
  }
}
