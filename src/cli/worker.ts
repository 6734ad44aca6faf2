import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AffectlabError } from '../core/errors.js';
import { loadSettingsAndPlugins } from '../experiments/resolve.js';
import { jobDir, readManifest, runSweepJobHere } from '../experiments/sweep.js';
import { LAUNCHER_LOG, type WorkerReply, type WorkerRequest } from '../experiments/launchers/local.js';
import { consoleLogger } from './commands.js';
import { reportError } from './main.js';

/**
 * `affectlab _worker DIR`: one process of the local launcher's pool. It runs
 * the jobs its parent sends over IPC one after another, so the process
 * start-up (module loading, backend initialisation, JIT warm-up of the op
 * dispatch path) is paid once per worker instead of once per job, as with
 * joblib/loky's reusable workers. A job's output goes to its own
 * launcher.log, and its result is reported with the exit status a separate
 * `_job` process would have had. The worker exits when its parent
 * disconnects, and asks to be replaced (`retire`) after a failed job or one
 * that left tensors alive, so a broken or leaking job never runs beside the
 * next one.
 */
export async function runWorker(dir: string): Promise<void> {
  if (!process.send) throw new AffectlabError('_worker: must be started by the local launcher (no IPC channel)');
  // A reply after the parent went away (it was stopped) has no one to read it.
  const send = (m: WorkerReply) => {
    if (process.connected) process.send!(m);
  };
  // One controller for the worker's life: SIGTERM (the parent stopping the sweep) aborts the current job.
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let queue = Promise.resolve();
  process.on('message', (m: WorkerRequest) => {
    if (m.type !== 'run') return;
    queue = queue.then(async () => send(await runOne(dir, m.num, controller.signal)));
  });
  send({ type: 'ready' });
  await new Promise<void>((resolveDone) => process.once('disconnect', resolveDone));
  await queue;
  // Nothing left to do; exit even if a library left a handle (a timer, a worker thread) open.
  process.exit(0);
}

async function runOne(dir: string, num: number, signal: AbortSignal): Promise<WorkerReply> {
  let fd: number;
  try {
    fd = openSync(join(jobDir(dir, num), LAUNCHER_LOG), 'a');
  } catch (err) {
    return { type: 'done', num, status: reportError(err), retire: true };
  }
  const restore = redirectOutput(fd);
  let status = 0;
  let liveTensors = 0;
  let before = 0;
  try {
    const { tf, backendInfo } = await import('../core/backend.js');
    // tfjs refuses tf.memory() before a backend is chosen: a fresh worker holds no tensors.
    const live = () => (backendInfo() ? tf.memory().numTensors : 0);
    before = live();
    const manifest = readManifest(dir);
    const settings = await loadSettingsAndPlugins(manifest.cwd, manifest.jobs[num]?.overrides ?? []);
    await runSweepJobHere({ dir, manifest, num, settings, log: consoleLogger(), signal });
    liveTensors = live() - before;
  } catch (err) {
    status = reportError(err);
  } finally {
    restore();
    closeSync(fd);
  }
  return { type: 'done', num, status, retire: status !== 0 || liveTensors > 0 || signal.aborted, ...(liveTensors > 0 ? { liveTensors } : {}) };
}

/**
 * Sends what this process writes to stdout and stderr (logger, progress,
 * error lines) to `fd` for the duration of one job, as the separate `_job`
 * process's redirected stdio did; returns the function that undoes it.
 */
function redirectOutput(fd: number): () => void {
  const streams = [process.stdout, process.stderr];
  const saved = streams.map((s) => s.write);
  const write = (chunk: string | Uint8Array, enc?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean => {
    writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk, typeof enc === 'string' ? enc : 'utf8') : chunk);
    const done = typeof enc === 'function' ? enc : cb;
    if (done) process.nextTick(done);
    return true;
  };
  for (const s of streams) s.write = write as typeof s.write;
  return () => streams.forEach((s, i) => (s.write = saved[i]));
}
