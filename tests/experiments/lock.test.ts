import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireSweepLock } from '../../src/experiments/lock.js';
import { RunStateError } from '../../src/core/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'affectlab-lock-'));

describe('sweep lock', () => {
  it('excludes a second holder while the first is alive, and releases', () => {
    const d = tmp();
    const release = acquireSweepLock(d);
    expect(() => acquireSweepLock(d)).toThrow(RunStateError);
    expect(() => acquireSweepLock(d)).toThrow(/another launcher \(pid \d+/);
    release();
    expect(existsSync(join(d, 'sweep.lock'))).toBe(false);
    acquireSweepLock(d)();
  });

  it('takes over a stale lock left by a dead process', () => {
    const d = tmp();
    // A pid that existed and has exited: a finished child process.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    writeFileSync(join(d, 'sweep.lock'), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z' }));
    const release = acquireSweepLock(d);
    release();
  });

  it('never breaks a lock held on another host', () => {
    const d = tmp();
    writeFileSync(join(d, 'sweep.lock'), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: '2026-01-01T00:00:00Z' }));
    expect(() => acquireSweepLock(d)).toThrow(/host elsewhere\.example/);
  });
});
