import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli, cliAsync, tmpProject } from '../cli/helpers.js';
import { readJson } from '../../src/core/io.js';
import { parseScontrol, sbatchScript, slurmSchema } from '../../src/experiments/launchers/slurm.js';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';

const CLUSTER = resolve(__dirname, '../../scripts/slurm/cluster.sh');
const clusterDir = mkdtempSync(join(tmpdir(), 'affectlab-slurm-'));
const env = { SLURM_CONF: join(clusterDir, 'slurm.conf') };

interface Manifest {
  jobs: { state: string; attempts: number; schedulerId?: string; exitCode?: number }[];
}

describe('slurm launcher (unit)', () => {
  it('writes an array script with the configured resources', () => {
    const cfg = slurmSchema.parse({
      ...YAML.parse(readFileSync(resolve(__dirname, '../../configs/launcher/slurm.yaml'), 'utf8')),
      partition: 'gpu',
      max_parallel: 2,
      qos: 'high',
      additional_parameters: { constraint: 'a100', exclusive: true },
      setup: ['module load node/20'],
    });
    const s = sbatchScript(cfg, { sweepDir: '/s/d', cwd: '/w', jobs: [0, 2, 3] });
    expect(s).toContain('#SBATCH --array=0,2,3%2');
    expect(s).toContain('#SBATCH --partition=gpu');
    expect(s).toContain('#SBATCH --qos=high');
    expect(s).toContain('#SBATCH --mem=4096M');
    expect(s).toContain('#SBATCH --constraint=a100');
    expect(s).toContain('#SBATCH --exclusive\n');
    expect(s).toContain('module load node/20\n');
    expect(s).toMatch(/_job '\/s\/d' "\$SLURM_ARRAY_TASK_ID"/);
  });

  it('parses scontrol one-line records, skipping pending ranges', () => {
    const m = parseScontrol(
      'JobId=1 ArrayJobId=1 ArrayTaskId=2-3%2 JobState=PENDING ExitCode=0:0\n' +
        'JobId=3 ArrayJobId=1 ArrayTaskId=1 JobState=CANCELLED Reason=None ExitCode=0:15\n' +
        'JobId=2 ArrayJobId=1 ArrayTaskId=0 JobState=COMPLETED ExitCode=0:0\n',
    );
    expect([...m.keys()].sort()).toEqual([0, 1]);
    expect(m.get(1)).toEqual({ state: 'CANCELLED', exitCode: 0, signal: 15 });
  });
});

describe('slurm launcher on a real single-node cluster', () => {
  beforeAll(() => {
    // Fails (not skips) when the cluster cannot start: .ci/run installs slurm-wlm and munge.
    execFileSync('bash', [CLUSTER, 'start', clusterDir], { stdio: 'inherit', timeout: 120_000 });
  }, 150_000);
  afterAll(() => {
    spawnSync('bash', [CLUSTER, 'stop', clusterDir], { stdio: 'inherit' });
  });

  it('runs a 4-job sweep as one array with max_parallel=2 and writes the summary', () => {
    const cwd = tmpProject();
    const r = cli(
      ['sweep', 'placeholder', 'seed=0,1,2,3', 'launcher=slurm', 'launcher.max_parallel=2', 'launcher.cpus_per_task=1', 'launcher.poll_s=0.5', 'placeholder.epochs=3', 'progress=off'],
      cwd,
      env,
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const dir = r.stdout.split('\n')[0];
    for (const n of ['0', '1', '2', '3']) expect(existsSync(join(dir, n, 'results.json'))).toBe(true);
    expect(existsSync(join(dir, 'summary.md'))).toBe(true);
    const m = readJson<Manifest>(join(dir, 'sweep.json'));
    expect(m.jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(new Set(m.jobs.map((j) => j.schedulerId!.split('_')[0])).size).toBe(1);
  });

  it('records a task cancelled with scancel, and resume reruns exactly that job', async () => {
    const cwd = tmpProject();
    const child = cliAsync(
      // Long enough jobs (seconds each, even on an idle machine) that the cancel lands before job 1 ends.
      ['sweep', 'placeholder', 'seed=0,1,2', 'launcher=slurm', 'launcher.max_parallel=3', 'launcher.cpus_per_task=1', 'launcher.poll_s=0.5', 'placeholder.epochs=1500', 'progress=off'],
      cwd,
      env,
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await new Promise<void>((resolveWait, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const dir = out.split('\n')[0];
        // Cancel job 1 as soon as the array is submitted (its task id is in the manifest), pending or running.
        const m = dir && existsSync(join(dir, 'sweep.json')) ? readJson<Manifest>(join(dir, 'sweep.json')) : undefined;
        if (m?.jobs[1]?.schedulerId) {
          clearInterval(poll);
          execFileSync('scancel', [m.jobs[1].schedulerId], { env: { ...process.env, ...env } });
          resolveWait();
        } else if (Date.now() - t0 > 180_000) {
          clearInterval(poll);
          reject(new Error('job 1 never started'));
        }
      }, 100);
    });
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
    expect(code).not.toBe(0);
    const dir = out.split('\n')[0];
    const m = readJson<Manifest>(join(dir, 'sweep.json'));
    expect(m.jobs.map((j) => j.state)).toEqual(['completed', 'cancelled', 'completed']);
    const r = cli(['sweep', '--resume', dir], cwd, env);
    expect(r.code).toBe(0);
    const after = readJson<Manifest>(join(dir, 'sweep.json'));
    expect(after.jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
    expect(after.jobs.map((j) => j.attempts)).toEqual([1, 2, 1]);
  }, 300_000);
});
