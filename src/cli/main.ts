#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { AffectlabError } from '../core/errors.js';

const VERSION = '0.1.0';

/** Loaded on first use: the command implementations pull in tfjs, the report pulls in vega. */
const commands = () => import('./commands.js');

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
      const c = await commands();
      if (opts.multirun) await c.runSweep(args, cwd);
      else await c.runSingle(args, cwd);
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
    .action(async (args: string[], opts: { resume?: string }) => (await commands()).runSweep(args, cwd, opts.resume));

  program
    .command('config')
    .description('print the resolved config (or every job of a sweep with -m) without running anything')
    .argument('[args...]', '[experiment] [overrides...]')
    .option('-m, --multirun', 'list every job of the sweep')
    .addHelpText('after', `${overridesHelp}

Examples:
  affectlab config
  affectlab config placeholder seed=1,2 placeholder.lr=0.01,0.1 -m`)
    .action(async (args: string[], opts: { multirun?: boolean }) => (await commands()).showConfig(args, cwd, Boolean(opts.multirun)));

  program
    .command('report')
    .description('aggregate results.json files under the given folders into tables (mean ± std)')
    .argument('<dirs...>', 'run, sweep or outputs folders (searched recursively)')
    .option('--group-by <keys>', 'comma-separated config keys to group by (default: the keys that differ between runs)')
    .option('--metrics <names>', 'comma-separated metrics to show (default: all)')
    .option('--format <fmt>', 'md | csv | latex', 'md')
    .option('--precision <n>', 'decimals', '3')
    .option('--paired <key>', 'also compare each value of this config key with its first value, paired on --pair-by (t-test, Wilcoxon)')
    .option('--pair-by <keys>', 'comma-separated config keys that match runs for --paired', 'seed')
    .option('--where <key=values>', 'keep only runs whose config key has one of these values (override syntax: key=v1,v2, lists as [a,b]); repeat for several keys', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText('after', `
Examples:
  affectlab report outputs/
  affectlab report multirun/2026-01-01/12-00-00 --group-by fusion.name --metrics ACC,F1 --format latex
  affectlab report multirun/2026-01-01/12-00-00 --group-by generator.lambda --paired generator.lambda
  affectlab report multirun/ --where fusion.name=attention_gru,early --where perception.modalities=null --paired perception.align.method`)
    .action(async (dirs: string[], opts: { groupBy?: string; metrics?: string; format: string; precision: string; paired?: string; pairBy?: string; where?: string[] }) =>
      (await import('./report.js')).reportCommand(dirs.map((d) => resolve(cwd, d)), opts),
    );

  program
    .command('_worker', { hidden: true })
    .description('a local launcher worker: runs the jobs of sweep <dir> its parent sends over IPC, one after another')
    .argument('<dir>')
    .action(async (dir: string) => (await import('./worker.js')).runWorker(resolve(cwd, dir)));

  program
    .command('_job', { hidden: true })
    .argument('<dir>')
    .argument('<num>', 'job number; defaults to $SLURM_ARRAY_TASK_ID')
    .action(async (dir: string, num: string) => (await commands()).runOneSweepJob(dir, num === 'slurm' ? String(process.env.SLURM_ARRAY_TASK_ID ?? '') : num));

  const data = program.command('data').description('datasets: write the synthetic corpus to disk');
  data
    .command('synth')
    .description('write a SynAffect corpus as WAV, PNG, CSV and a JSON index (read back with dataset=synaffect_dir)')
    .argument('[args...]', '[experiment] [overrides...] (dataset.* keys, e.g. dataset.n=100 dataset=synaffect_iemocap)')
    .requiredOption('--out <dir>', 'output folder (must be empty or absent)')
    .option('--overwrite', 'write into a folder that already holds files')
    .addHelpText('after', `
Examples:
  affectlab data synth --out corpus/ dataset.n=200
  affectlab data synth --out corpus-iemocap/ dataset=synaffect_iemocap seed=3
  affectlab run placeholder dataset=synaffect_dir dataset.path=corpus/`)
    .action(async (args: string[], opts: { out: string; overwrite?: boolean }) => (await commands()).dataSynth(args, opts.out, cwd, Boolean(opts.overwrite)));

  const audit = program.command('audit').description('intervention audit logs');
  audit
    .command('verify')
    .description('check the hash chain of an audit log: detects changed, removed, inserted or reordered records')
    .argument('<log>', 'audit JSONL file')
    .addHelpText('after', `
Examples:
  affectlab audit verify outputs/2026-11-26/10-00-00/audit.jsonl`)
    .action(async (log: string) => (await commands()).auditVerify(log, cwd));

  program
    .command('list')
    .description('list registered jobs')
    .action(async () => (await commands()).listJobs());

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    return reportError(err);
  }
}

/** Prints a command's error as one line on stderr and returns the exit status it maps to. */
export function reportError(err: unknown): number {
  if (err instanceof AffectlabError) {
    process.stderr.write(`affectlab: error: ${err.message.split('\n')[0]}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  if (process.env.AFFECTLAB_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.stderr.write(`affectlab: internal error: ${e.message.split('\n')[0]} (set AFFECTLAB_DEBUG=1 for the stack trace; please report it)\n`);
  return 2;
}
