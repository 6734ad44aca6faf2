import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UnavailableError, AffectlabError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/io.js';
import { progress } from '../../core/progress.js';
import { markStarted, prepareJobDir, type JobState, type Launcher, type LaunchContext } from '../sweep.js';
import { CLI_BIN, tailFile } from './local.js';

/** The `launcher` section for `launcher=slurm`, after Hydra's submitit launcher. */
export const slurmSchema = z.strictObject({
  name: z.literal('slurm'),
  partition: z.string().nullable().describe('--partition'),
  time_min: z.int().positive().describe('--time, minutes per array task'),
  mem_gb: z.number().positive().nullable().describe('--mem, GB per task'),
  cpus_per_task: z.int().positive().describe('--cpus-per-task'),
  gpus_per_task: z.int().min(0).describe('--gpus-per-task (0: none)'),
  qos: z.string().nullable(),
  account: z.string().nullable(),
  max_parallel: z.int().positive().nullable().describe('array throttle: --array=...%max_parallel'),
  job_name: z.string().describe('--job-name'),
  additional_parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('extra #SBATCH --key=value lines'),
  extra_lines: z.array(z.string()).describe('raw lines added to the #SBATCH header'),
  setup: z.array(z.string()).describe('shell commands run before each task (module load, conda activate, ...)'),
  wait: z.boolean().describe('wait for the array to finish (false: return after submitting)'),
  poll_s: z.number().positive().describe('seconds between squeue/scontrol polls'),
});
export type SlurmConfig = z.infer<typeof slurmSchema>;

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The sbatch script: one array task per job number, each running `affectlab _job DIR $SLURM_ARRAY_TASK_ID`. */
export function sbatchScript(cfg: SlurmConfig, opts: { sweepDir: string; cwd: string; jobs: number[] }): string {
  const throttle = cfg.max_parallel ? `%${cfg.max_parallel}` : '';
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${cfg.job_name}`,
    `#SBATCH --array=${opts.jobs.join(',')}${throttle}`,
    `#SBATCH --output=${join(opts.sweepDir, 'slurm', '%A_%a.out')}`,
    `#SBATCH --time=${cfg.time_min}`,
    `#SBATCH --cpus-per-task=${cfg.cpus_per_task}`,
    '#SBATCH --ntasks=1',
  ];
  if (cfg.partition) lines.push(`#SBATCH --partition=${cfg.partition}`);
  if (cfg.mem_gb) lines.push(`#SBATCH --mem=${Math.ceil(cfg.mem_gb * 1024)}M`);
  if (cfg.gpus_per_task > 0) lines.push(`#SBATCH --gpus-per-task=${cfg.gpus_per_task}`);
  if (cfg.qos) lines.push(`#SBATCH --qos=${cfg.qos}`);
  if (cfg.account) lines.push(`#SBATCH --account=${cfg.account}`);
  for (const [k, v] of Object.entries(cfg.additional_parameters)) lines.push(v === true ? `#SBATCH --${k}` : `#SBATCH --${k}=${v}`);
  lines.push(...cfg.extra_lines.map((l) => (l.startsWith('#SBATCH') ? l : `#SBATCH ${l}`)));
  lines.push('set -e', ...cfg.setup, `cd ${sh(opts.cwd)}`, `exec ${sh(process.execPath)} ${sh(CLI_BIN)} _job ${sh(opts.sweepDir)} "$SLURM_ARRAY_TASK_ID"`, '');
  return lines.join('\n');
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new UnavailableError(`launcher=slurm: ${cmd} not found on PATH; run affectlab on a Slurm login node, or use launcher=local`);
    throw new AffectlabError(`launcher=slurm: ${cmd} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

const FINAL: Record<string, JobState> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  NODE_FAIL: 'node_fail',
  OUT_OF_MEMORY: 'failed',
  BOOT_FAIL: 'node_fail',
  DEADLINE: 'timeout',
  PREEMPTED: 'cancelled',
};

/** Array task id → {state, exit} from `scontrol show job -o ARRAYID` (pending ranges like `2-3%2` are skipped). */
export function parseScontrol(text: string): Map<number, { state: string; exitCode: number; signal: number }> {
  const out = new Map<number, { state: string; exitCode: number; signal: number }>();
  for (const line of text.split('\n')) {
    const task = /\bArrayTaskId=(\d+)(\s|$)/.exec(line);
    const state = /\bJobState=([A-Z_]+)/.exec(line);
    if (!task || !state) continue;
    const exit = /\bExitCode=(\d+):(\d+)/.exec(line);
    out.set(Number(task[1]), { state: state[1], exitCode: exit ? Number(exit[1]) : 0, signal: exit ? Number(exit[2]) : 0 });
  }
  return out;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      r();
    }, { once: true });
  });

/**
 * Submits the sweep as one Slurm job array and (by default) waits for it,
 * polling squeue for progress and scontrol for each task's final state.
 */
export const slurmLauncher: Launcher = {
  name: 'slurm',
  async launch(ctx: LaunchContext) {
    const cfg = ctx.launcher as SlurmConfig;
    const nums = ctx.todo.map((j) => j.num);
    for (const n of nums) prepareJobDir(ctx.dir, n);
    mkdirSync(join(ctx.dir, 'slurm'), { recursive: true });
    const script = join(ctx.dir, 'slurm', `submit-${Date.now()}.sh`);
    writeFileAtomic(script, sbatchScript(cfg, { sweepDir: ctx.dir, cwd: ctx.manifest.cwd, jobs: nums }));
    const arrayId = run('sbatch', ['--parsable', script]).trim().split(';')[0];
    ctx.log.info(`submitted job array ${arrayId} (${nums.length} tasks) with ${script}`);
    for (const job of ctx.todo) {
      markStarted(job);
      job.schedulerId = `${arrayId}_${job.num}`;
    }
    ctx.save();
    if (!cfg.wait) {
      for (const job of ctx.todo) job.state = 'submitted' as JobState;
      ctx.save();
      return;
    }
    const bar = progress({ label: `slurm ${arrayId}`, total: nums.length });
    const pending = new Set(nums);
    const vanished = new Map<number, number>();
    try {
      while (pending.size > 0) {
        if (ctx.signal.aborted) {
          run('scancel', [arrayId]);
          ctx.log.warn(`cancelled job array ${arrayId}`);
        }
        await sleep(cfg.poll_s * 1000, ctx.signal);
        const queued = new Set(
          run('squeue', ['-h', '-r', '-j', arrayId, '-o', '%K'])
            .split('\n')
            .map((s) => Number(s.trim()))
            .filter((n) => Number.isInteger(n)),
        );
        const states = parseScontrol(run('scontrol', ['show', 'job', '-o', arrayId]));
        for (const n of [...pending]) {
          let st = states.get(n);
          if (queued.has(n) && (!st || !(st.state in FINAL))) continue;
          if (!st || !(st.state in FINAL)) {
            // A task cancelled while pending leaves both squeue and scontrol without a record of its
            // own; two polls without a trace of it mean it was removed before it ran.
            vanished.set(n, (vanished.get(n) ?? 0) + 1);
            if ((vanished.get(n) ?? 0) < 2) continue;
            st = { state: existsSync(join(ctx.dir, String(n), 'results.json')) ? 'COMPLETED' : 'CANCELLED', exitCode: 0, signal: 0 };
          }
          const job = ctx.manifest.jobs[n];
          job.state = FINAL[st.state];
          if (job.state === 'completed' && !existsSync(join(ctx.dir, String(n), 'results.json'))) job.state = 'failed';
          job.exitCode = st.signal ? 128 + st.signal : st.exitCode;
          job.finished = new Date().toISOString();
          if (job.state !== 'completed') {
            job.error = `Slurm state ${st.state}, exit ${st.exitCode}:${st.signal}`;
            job.logTail = tailFile(join(ctx.dir, 'slurm', `${arrayId}_${n}.out`));
          }
          pending.delete(n);
          bar.tick(1, { done: nums.length - pending.size });
          ctx.save();
          ctx.log.info(`job ${n} (${arrayId}_${n}): ${job.state}`);
        }
        if (ctx.signal.aborted) break;
      }
    } finally {
      bar.stop();
    }
  },
};
