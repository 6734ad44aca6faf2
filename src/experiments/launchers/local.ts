import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { prepareJobDir, markStarted, type Launcher, type SweepJob } from '../sweep.js';

/** The CLI entry the child processes run (src/ and dist/ both sit two levels below the package root). */
export const CLI_BIN = fileURLToPath(new URL('../../../bin/affectlab.js', import.meta.url));

/** The last `n` lines of a text file, or '' when it does not exist. */
export function tailFile(path: string, n = 20): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

/** Exit status as a shell reports it: the code, or 128 + signal number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * Jobs in `n_jobs` child processes, each running `affectlab _job DIR NUM` with
 * its own backend, so a crash, a leak or a kill in one job cannot take down the
 * others. A child that exits non-zero or is killed is recorded as failed with
 * its exit status and the tail of its log; the others go on.
 */
export const localLauncher: Launcher = {
  name: 'local',
  async launch(ctx) {
    const nJobs = Math.max(1, Number(ctx.launcher.n_jobs ?? 2));
    const queue = [...ctx.todo];
    const running = new Map<number, ReturnType<typeof spawn>>();
    const stopAll = () => {
      for (const child of running.values()) child.kill('SIGTERM');
    };
    ctx.signal.addEventListener('abort', stopAll);
    const runOne = (job: SweepJob) =>
      new Promise<void>((resolveJob) => {
        const dir = prepareJobDir(ctx.dir, job.num);
        const logPath = join(dir, 'launcher.log');
        const fd = openSync(logPath, 'a');
        markStarted(job);
        ctx.save();
        const child = spawn(process.execPath, [CLI_BIN, '_job', ctx.dir, String(job.num)], {
          cwd: ctx.manifest.cwd,
          stdio: ['ignore', fd, fd],
          env: { ...process.env, AFFECTLAB_LAUNCHER: 'local' },
        });
        running.set(job.num, child);
        ctx.log.info(`job ${job.num} started (pid ${child.pid}) [${job.overrides.join(' ')}]`);
        child.on('exit', (code, signal) => {
          closeSync(fd);
          running.delete(job.num);
          const status = exitStatus(code, signal);
          job.finished = new Date().toISOString();
          job.exitCode = status;
          if (status === 0 && existsSync(join(dir, 'results.json'))) {
            job.state = 'completed';
          } else {
            job.state = 'failed';
            job.error = signal ? `killed by ${signal}` : `exited with status ${status}`;
            job.logTail = tailFile(logPath);
          }
          ctx.save();
          ctx.log.info(`job ${job.num}: ${job.state}${job.error ? ` (${job.error})` : ''}`);
          resolveJob();
        });
      });
    const workers = Array.from({ length: Math.min(nJobs, queue.length) }, async () => {
      while (queue.length > 0 && !ctx.signal.aborted) await runOne(queue.shift()!);
    });
    try {
      await Promise.all(workers);
    } finally {
      ctx.signal.removeEventListener('abort', stopAll);
    }
  },
};
