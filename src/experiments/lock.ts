import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunStateError } from '../core/errors.js';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on a sweep folder: `sweep.lock` holds the owner's pid and
 * host, created with O_EXCL. Written by hand rather than with proper-lockfile
 * because that package detects staleness by mtime after a timeout, whereas a
 * pid check tells at once that the owner died (kill -9, node crash). A lock
 * from another host cannot be checked and is reported, never broken.
 */
export function acquireSweepLock(dir: string): () => void {
  const path = join(dir, 'sweep.lock');
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        try {
          const cur = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
          if (cur.pid === me.pid && cur.host === me.host) rmSync(path, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: LockInfo | undefined;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    } catch {
      owner = undefined; // Torn or empty lock file: the writer died between create and write.
    }
    if (owner && owner.host !== me.host) {
      throw new RunStateError(`${dir}: locked by process ${owner.pid} on host ${owner.host} since ${owner.started}; if that launcher is gone, delete ${path}`);
    }
    if (owner && alive(owner.pid)) {
      throw new RunStateError(`${dir}: another launcher (pid ${owner.pid}, since ${owner.started}) is running this sweep; wait for it or stop it first`);
    }
    // Stale: move it aside atomically so two processes cannot both take it over.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      rmSync(`${path}.stale-${process.pid}`, { force: true });
    } catch {
      // Someone else moved it first; retry the create.
    }
  }
  throw new RunStateError(`${dir}: could not take the sweep lock ${path}`);
}
