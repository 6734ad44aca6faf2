import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, existsSync } from 'node:fs';
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

/** Each job's output file in its folder (the worker's stdout and stderr while it runs the job). */
export const LAUNCHER_LOG = 'launcher.log';

/** Launcher → worker: run job `num` of the sweep. */
export interface WorkerRequest {
  type: 'run';
  num: number;
}

/** Worker → launcher: job `num` ended with `status` (the exit status a `_job` process would have had). */
export interface WorkerReply {
  type: 'ready' | 'done';
  num?: number;
  status?: number;
  /** The worker should be replaced before the next job (the job failed, was stopped or left tensors alive). */
  retire?: boolean;
  /** Tensors the job left alive (a leak), when it did. */
  liveTensors?: number;
}

type Outcome = { kind: 'done'; status: number; retire: boolean; liveTensors?: number } | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

/** One worker process (`affectlab _worker DIR`) and the job it is running. */
class Worker {
  readonly child: ChildProcess;
  private logPath: string | null = null;
  private waiting: ((o: Outcome) => void) | null = null;
  private exited: Outcome | null = null;
  private readonly ready: Promise<boolean>;

  constructor(dir: string, cwd: string) {
    this.child = fork(CLI_BIN, ['_worker', dir], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, AFFECTLAB_LAUNCHER: 'local' },
    });
    // Output outside a job's own redirection (a fatal V8 error, a late warning) goes to the latest job's log.
    const sink = (d: Buffer) => {
      if (this.logPath) appendFileSync(this.logPath, d);
    };
    this.child.stdout!.on('data', sink);
    this.child.stderr!.on('data', sink);
    this.ready = new Promise<boolean>((resolveReady) => {
      this.child.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') resolveReady(true);
        else if (m.type === 'done') this.settle({ kind: 'done', status: m.status ?? 1, retire: Boolean(m.retire), liveTensors: m.liveTensors });
      });
      this.child.on('exit', (code, signal) => {
        resolveReady(false);
        this.exited = { kind: 'exit', code, signal };
        this.settle(this.exited);
      });
    });
  }

  private settle(o: Outcome): void {
    const w = this.waiting;
    this.waiting = null;
    w?.(o);
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Runs one job; resolves when the worker reports it, or with the worker's exit status when it dies first. */
  async run(num: number, logPath: string): Promise<Outcome> {
    this.logPath = logPath;
    const outcome = new Promise<Outcome>((r) => (this.waiting = r));
    if (!(await this.ready) || this.exited) return this.exited!;
    this.child.send({ type: 'run', num } satisfies WorkerRequest);
    return outcome;
  }

  /** Lets the worker exit (it does when its IPC channel closes) and waits until it has. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.disconnect();
    await gone;
  }
}

/**
 * Jobs in a pool of `n_jobs` worker processes (`affectlab _worker DIR`), each
 * with its own backend, so a crash, a leak or a kill in one job cannot take
 * down the others. A worker runs up to `max_jobs_per_worker` jobs one after
 * another (null: no limit; 1: a fresh process per job), so the process
 * start-up is paid once per worker rather than once per job; it is replaced
 * after a job that failed, was stopped, or left tensors alive. A job whose
 * worker exits non-zero or is killed is recorded as failed with the exit
 * status and the tail of its log; the others go on (on a fresh worker).
 */
export const localLauncher: Launcher = {
  name: 'local',
  async launch(ctx) {
    const nJobs = Math.max(1, Number(ctx.launcher.n_jobs ?? 2));
    const maxPerWorker = ctx.launcher.max_jobs_per_worker == null ? Infinity : Math.max(1, Number(ctx.launcher.max_jobs_per_worker));
    const queue = [...ctx.todo];
    const running = new Set<Worker>();
    const stopAll = () => {
      for (const w of running) w.child.kill('SIGTERM');
    };
    ctx.signal.addEventListener('abort', stopAll);
    const runOne = async (job: SweepJob, worker: Worker): Promise<boolean> => {
      const dir = prepareJobDir(ctx.dir, job.num);
      const logPath = join(dir, LAUNCHER_LOG);
      markStarted(job);
      ctx.save();
      ctx.log.info(`job ${job.num} started (pid ${worker.child.pid}) [${job.overrides.join(' ')}]`);
      const o = await worker.run(job.num, logPath);
      const status = o.kind === 'done' ? o.status : exitStatus(o.code, o.signal);
      job.finished = new Date().toISOString();
      job.exitCode = status;
      if (status === 0 && existsSync(join(dir, 'results.json'))) {
        job.state = 'completed';
      } else {
        job.state = 'failed';
        job.error = o.kind === 'exit' && o.signal ? `killed by ${o.signal}` : `exited with status ${status}`;
        job.logTail = tailFile(logPath);
      }
      ctx.save();
      ctx.log.info(`job ${job.num}: ${job.state}${job.error ? ` (${job.error})` : ''}`);
      if (o.kind === 'done' && o.liveTensors) {
        ctx.log.warn(`job ${job.num} left ${o.liveTensors} tensor(s) alive; its worker (pid ${worker.child.pid}) is replaced`);
      }
      return o.kind === 'done' && !o.retire;
    };
    const lane = async () => {
      let worker: Worker | undefined;
      let used = 0;
      try {
        while (queue.length > 0 && !ctx.signal.aborted) {
          if (worker && !worker.alive) {
            // Died while idle: replace it before giving it a job.
            running.delete(worker);
            worker = undefined;
          }
          if (!worker) {
            worker = new Worker(ctx.dir, ctx.manifest.cwd);
            running.add(worker);
            used = 0;
          }
          const keep = await runOne(queue.shift()!, worker);
          if (!keep || ++used >= maxPerWorker || !worker.alive) {
            running.delete(worker);
            await worker.close();
            worker = undefined;
          }
        }
      } finally {
        if (worker) {
          running.delete(worker);
          await worker.close();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(nJobs, queue.length) }, lane));
    } finally {
      ctx.signal.removeEventListener('abort', stopAll);
    }
  },
};
