import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, tmpProject } from './helpers.js';
import { readJson } from '../../src/core/io.js';

function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^affectlab: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('affectlab CLI', () => {
  it('has --help with examples on every command', () => {
    const cwd = tmpProject();
    for (const cmd of [[], ['run'], ['sweep'], ['config'], ['report']]) {
      const r = cli([...cmd, '--help'], cwd);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
    }
  });

  it('lists every job of a sweep without running it', () => {
    const cwd = tmpProject();
    const r = cli(['config', 'placeholder', 'seed=1,2', 'placeholder.lr=0.01,0.1', '-m'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^# job \d+:/gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/# job 0: seed=1 placeholder.lr=0.01/);
    expect(r.stdout).toMatch(/# job 3: seed=2 placeholder.lr=0.1/);
    expect(existsSync(join(cwd, 'multirun'))).toBe(false);
    // Group selection sweeps: the example, fusion options from configs/fusion/.
    const g = cli(['config', 'experiment=placeholder', 'fusion=early,late_dr', 'seed=1,2', '-m'], cwd);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/# 4 jobs/);
    expect(g.stdout.match(/^fusion:\n {2}name: late_dr/gm)).toHaveLength(2);
  });

  it('fails with one line naming the problem: malformed override, unknown key, YAML syntax error', () => {
    const cwd = tmpProject();
    expectOneLineError(cli(['run', 'placeholder', 'a..b=1'], cwd), /a\.\.b=1/);
    expectOneLineError(cli(['run', 'placeholder', 'placeholder.epohs=3'], cwd), /placeholder\.epohs.*epochs/);
    expectOneLineError(cli(['run', 'placeholder', 'placeholder.epochs=many'], cwd), /placeholder\.epochs/);
    mkdirSync(join(cwd, 'conf', 'experiment'), { recursive: true });
    writeFileSync(join(cwd, 'conf', 'experiment', 'broken.yaml'), '# @package _global_\njob: placeholder\nplaceholder: {epochs: 3\n');
    writeFileSync(join(cwd, '.affectlabrc.json'), JSON.stringify({ configDirs: ['./conf'] }));
    expectOneLineError(cli(['run', 'broken'], cwd), /broken\.yaml:\d+/);
    expectOneLineError(cli(['run', 'no_such_experiment'], cwd), /no_such_experiment/);
  });

  it('runs, then reports a table from outputs/', () => {
    const cwd = tmpProject();
    for (const seed of ['0', '1']) {
      const r = cli(['run', 'placeholder', `seed=${seed}`, 'placeholder.epochs=3', 'progress=off'], cwd);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
    }
    const rep = cli(['report', 'outputs/'], cwd);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/\| *ACC *\|/);
    expect(rep.stdout).toMatch(/± /);
    expect(existsSync(join(cwd, 'outputs', 'report.html'))).toBe(true);
  });

  it('resumes a killed sweep without rerunning completed jobs', async () => {
    const cwd = tmpProject();
    // ~1-2 s per job, so the kill lands mid-sweep.
    const child = cliAsync(['sweep', 'placeholder', 'seed=0,1,2,3', 'placeholder.epochs=150', 'progress=off'], cwd);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const sweepDir = await new Promise<string>((resolveDir, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const dir = out.split('\n')[0];
        if (dir && existsSync(join(dir, '0', 'results.json'))) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolveDir(dir);
        } else if (Date.now() - t0 > 120_000) {
          clearInterval(poll);
          reject(new Error('sweep did not start'));
        }
      }, 50);
    });
    await new Promise((r) => child.on('exit', r));
    const done0 = statSync(join(sweepDir, '0', 'results.json')).mtimeMs;
    const before = readdirSync(sweepDir).filter((d) => existsSync(join(sweepDir, d, 'results.json')));
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.length).toBeLessThan(4);
    const r = cli(['sweep', '--resume', sweepDir], cwd);
    expect(r.code).toBe(0);
    for (const n of ['0', '1', '2', '3']) expect(existsSync(join(sweepDir, n, 'results.json'))).toBe(true);
    expect(statSync(join(sweepDir, '0', 'results.json')).mtimeMs).toBe(done0);
    const m = readJson<{ jobs: { state: string; attempts: number }[] }>(join(sweepDir, 'sweep.json'));
    expect(m.jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(m.jobs[0].attempts).toBe(1);
  });

  it('loads a TypeScript plugin from another folder and runs the job it registers', () => {
    const cwd = tmpProject();
    writeFileSync(
      join(cwd, 'my_job.ts'),
      `import type { PluginApi } from 'affectlab';
export default function register({ jobs }: PluginApi): void {
  const answer: number = 42;
  jobs.register('hello', {
    name: 'hello',
    description: 'plugin job',
    run: async (ctx) => {
      ctx.metrics.log({ step: 1, value: answer + ctx.config.seed });
      return { metrics: { value: answer + ctx.config.seed } };
    },
  });
}
`,
    );
    const r = cli(['run', 'placeholder', 'job=hello', 'seed=1', '+plugins=[./my_job.ts]'], cwd);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const dir = r.stdout.split('\n')[0];
    expect(readJson<{ metrics: { value: number }; job: string }>(join(dir, 'results.json'))).toMatchObject({ job: 'hello', metrics: { value: 43 } });
  });
});

describe('local launcher', () => {
  it('survives kill -9 of one worker: the others finish, the killed job is failed, resume completes it', async () => {
    const cwd = tmpProject();
    const child = cliAsync(['sweep', 'placeholder', 'seed=0,1,2,3', 'launcher=local', 'launcher.n_jobs=2', 'placeholder.epochs=100', 'progress=off'], cwd);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Kill the first job's worker once it is training (its metrics.jsonl has a line).
    const killed = await new Promise<number>((resolveKill, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const dir = out.split('\n')[0];
        const m = /job 0 started \(pid (\d+)\)/.exec(stderr);
        if (dir && m && existsSync(join(dir, '0', 'metrics.jsonl'))) {
          clearInterval(poll);
          process.kill(Number(m[1]), 'SIGKILL');
          resolveKill(Number(m[1]));
        } else if (Date.now() - t0 > 120_000) {
          clearInterval(poll);
          reject(new Error(`job 0 never started: ${stderr}`));
        }
      }, 20);
    });
    expect(killed).toBeGreaterThan(0);
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
    expect(code).not.toBe(0);
    const dir = out.split('\n')[0];
    const m = readJson<{ jobs: { state: string; exitCode?: number; error?: string }[] }>(join(dir, 'sweep.json'));
    expect(m.jobs[0]).toMatchObject({ state: 'failed', exitCode: 137, error: 'killed by SIGKILL' });
    expect(m.jobs.slice(1).map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
    const r = cli(['sweep', '--resume', dir], cwd);
    expect(r.code).toBe(0);
    const after = readJson<{ jobs: { state: string; attempts: number }[] }>(join(dir, 'sweep.json'));
    expect(after.jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(after.jobs.map((j) => j.attempts)).toEqual([2, 1, 1, 1]);
    // The killed attempt is kept aside, not deleted; the summary is written when the last job ends.
    expect(existsSync(join(dir, '0.attempt-1', 'metrics.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 'summary.md'))).toBe(true);
  }, 400_000);

  it('reuses a worker for several jobs, with each job output in its own log and the same results as basic', () => {
    const cwd = tmpProject();
    const args = ['sweep', 'placeholder', 'seed=0,1,2,3', 'placeholder.epochs=3', 'progress=off'];
    const local = cli([...args, 'launcher=local', 'launcher.n_jobs=2'], cwd);
    expect(local.code).toBe(0);
    const basic = cli([...args, 'launcher=basic'], cwd);
    expect(basic.code).toBe(0);
    const [ld, bd] = [local.stdout.split('\n')[0], basic.stdout.split('\n')[0]];
    const pids = [...local.stderr.matchAll(/job (\d) started \(pid (\d+)\)/g)].map((m) => Number(m[2]));
    expect(pids).toHaveLength(4);
    // Two workers ran the four jobs.
    expect(new Set(pids).size).toBe(2);
    for (let j = 0; j < 4; j++) {
      const log = readFileSync(join(ld, String(j), 'launcher.log'), 'utf8');
      expect(log).toContain(`run ${join(ld, String(j))}: job=placeholder seed=${j}`);
      expect(log.match(/\brun \//g)).toHaveLength(1);
      const a = readJson<{ metrics: Record<string, number> }>(join(ld, String(j), 'results.json'));
      const b = readJson<{ metrics: Record<string, number> }>(join(bd, String(j), 'results.json'));
      expect(a.metrics).toEqual(b.metrics);
    }
  });

  it('replaces a worker after a failed job and after a job that leaves tensors alive; max_jobs_per_worker=1 gives a process per job', () => {
    const cwd = tmpProject();
    // seed 1 throws, seed 2 leaves a tensor alive; every job reports the pid of the process it ran in.
    writeFileSync(
      join(cwd, 'probe.mjs'),
      `export default function register({ jobs, tf }) {
  jobs.register('probe', {
    name: 'probe',
    description: 'reports its pid',
    run: async (ctx) => {
      if (ctx.config.seed === 1) throw new Error('probe failed on purpose');
      if (ctx.config.seed === 2) tf.keep(tf.scalar(1));
      return { metrics: { pid: process.pid } };
    },
  });
}
`,
    );
    const r = cli(['sweep', 'placeholder', 'job=probe', 'seed=0,1,2,3,4', '+plugins=[./probe.mjs]', 'launcher=local', 'launcher.n_jobs=1'], cwd);
    expect(r.code).not.toBe(0);
    const dir = r.stdout.split('\n')[0];
    const pid = (j: number) => Number(new RegExp(`job ${j} started \\(pid (\\d+)\\)`).exec(r.stderr)?.[1]);
    const resultPid = (j: number) => readJson<{ metrics: { pid: number } }>(join(dir, String(j), 'results.json')).metrics.pid;
    expect(resultPid(0)).toBe(pid(0));
    expect(pid(1)).toBe(pid(0));
    expect(pid(2)).not.toBe(pid(1));
    expect(resultPid(2)).toBe(pid(2));
    expect(pid(3)).not.toBe(pid(2));
    expect(pid(4)).toBe(pid(3));
    expect(r.stderr).toMatch(/job 2 left 1 tensor\(s\) alive; its worker \(pid \d+\) is replaced/);
    const m = readJson<{ jobs: { state: string; exitCode?: number; error?: string; logTail?: string }[] }>(join(dir, 'sweep.json'));
    expect(m.jobs.map((j) => j.state)).toEqual(['completed', 'failed', 'completed', 'completed', 'completed']);
    // As a separate `_job` process would have ended: internal error, status 2, the error line in the log tail.
    expect(m.jobs[1]).toMatchObject({ exitCode: 2, error: 'exited with status 2' });
    expect(m.jobs[1].logTail).toMatch(/affectlab: internal error: probe failed on purpose/);

    const one = cli(['sweep', 'placeholder', 'job=probe', 'seed=0,3,4', '+plugins=[./probe.mjs]', 'launcher=local', 'launcher.n_jobs=1', 'launcher.max_jobs_per_worker=1'], cwd);
    expect(one.code).toBe(0);
    const pids = [...one.stderr.matchAll(/job \d started \(pid (\d+)\)/g)].map((x) => x[1]);
    expect(new Set(pids).size).toBe(3);
  });
});

