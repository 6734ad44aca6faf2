import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseRlSection, ppoArgsFrom } from '../../rl/config.js';
import { Ppo } from '../../rl/ppo.js';
import type { PpoUpdateLog } from '../../rl/ppo.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { jobSpecs } from './specs.js';

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

/**
 * Trains PPO on a Gymnasium-style env from `config.rl` (CleanRL's loop),
 * logs every update to metrics.jsonl, checkpoints into <runDir>/checkpoint
 * (resuming from it when present), and evaluates the deterministic policy
 * (argmax / mean) over `rl.eval_episodes` episodes.
 */
async function runPpoGym(ctx: RunContext, expectEnv: string): Promise<JobResult> {
  const section = parseRlSection(ctx.config.rl);
  const args = ppoArgsFrom(section);
  if (args.env_id !== expectEnv) ctx.log.warn(`rl.ppo.env_id=${args.env_id}; this job is usually run on ${expectEnv}`);
  const t0 = performance.now();
  const ckptDir = join(ctx.runDir, 'checkpoint');
  const ppo =
    section.resume && existsSync(join(ckptDir, 'checkpoint.json'))
      ? Ppo.load(ckptDir)
      : new Ppo(args, { rng: ctx.rng.fork('ppo'), envSeed: ctx.rng.fork('envs').int32() });
  if (ppo.iteration > 0) ctx.log.info(`resuming from ${ckptDir} at iteration ${ppo.iteration} (global_step ${ppo.globalStep})`);
  const bar = ctx.progress(`ppo ${args.env_id}`, ppo.sizes.num_iterations);
  if (ppo.iteration > 0) bar.tick(ppo.iteration);
  ppo.train({
    signal: ctx.signal,
    onUpdate: (l: PpoUpdateLog) => {
      ctx.metrics.log({ ...l });
      const ret = l['charts/episodic_return'];
      bar.tick(1, ret === null ? {} : { return: ret.toFixed(1) });
      if (section.checkpoint_every > 0 && l.iteration % section.checkpoint_every === 0) ppo.save(ckptDir);
    },
  });
  bar.stop();
  ppo.save(ckptDir);
  if (ctx.signal.aborted) {
    ppo.dispose();
    return { metrics: { train_steps: ppo.globalStep, wall_s: (performance.now() - t0) / 1000 }, notes: ['interrupted: resume from the checkpoint'] };
  }
  const trainS = (performance.now() - t0) / 1000;
  const ev = ppo.evaluate(section.eval_episodes, { seed: ctx.rng.fork('eval').int32(), deterministic: section.eval_deterministic });
  const { mean, std } = meanStd(ev.returns);
  const wall = (performance.now() - t0) / 1000;
  ppo.dispose();
  ctx.log.info(`${args.env_id}: eval return ${mean.toFixed(1)} ± ${std.toFixed(1)} over ${ev.returns.length} episodes after ${ppo.globalStep} steps (${wall.toFixed(0)} s)`);
  return {
    metrics: { eval_return_mean: mean, eval_return_std: std, train_steps: ppo.globalStep, wall_s: wall, sps: ppo.globalStep / trainS },
    tables: { eval_returns: ev.returns, eval_lengths: ev.lengths },
    artifacts: { checkpoint: ckptDir },
  };
}

export const ppoCartpoleJob: JobDefinition = {
  ...jobSpecs.ppo_cartpole,
  run: (ctx) => runPpoGym(ctx, 'CartPole-v1'),
};

export const ppoPendulumJob: JobDefinition = {
  ...jobSpecs.ppo_pendulum,
  run: (ctx) => runPpoGym(ctx, 'Pendulum-v1'),
};

export const ppoGymJobs: JobDefinition[] = [ppoCartpoleJob, ppoPendulumJob];
