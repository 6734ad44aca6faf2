import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../core/io.js';
import { parseRlSection, ppoArgsFrom } from '../../rl/config.js';
import { Ppo } from '../../rl/ppo.js';
import type { PolicySnapshot, PpoUpdateLog } from '../../rl/ppo.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { jobSpecs } from './specs.js';
import { mean, std } from '../../eval/stats.js';

/** Episode returns: mean and population std (ddof 0), as CleanRL and SB3 report evaluation returns. */
function meanStd(xs: number[]): { mean: number; std: number } {
  return { mean: mean(xs), std: std(xs, 0) };
}

interface Selected {
  snapshot: PolicySnapshot;
  score: number;
  iteration: number;
  global_step: number;
}

/** The selected policy lives in <runDir>/best_model (weights.bin = float32 params, meta.json), so a resume keeps it. */
function saveSelected(dir: string, s: Selected): void {
  // One folder swap, so a kill never pairs new weights with old meta.
  replaceDirAtomic(dir, (tmp) => {
    writeFileAtomic(join(tmp, 'weights.bin'), new Uint8Array(s.snapshot.params.buffer.slice(0)));
    writeJsonAtomic(join(tmp, 'meta.json'), { score: s.score, iteration: s.iteration, global_step: s.global_step, obs_rms: s.snapshot.obsRms });
  });
}

function loadSelected(dir: string): Selected | null {
  if (!existsSync(join(dir, 'meta.json'))) return null;
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const raw = readFileSync(join(dir, 'weights.bin'));
  const params = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return { snapshot: { params, obsRms: meta.obs_rms }, score: meta.score, iteration: meta.iteration, global_step: meta.global_step };
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
  const sel = section.model_selection;
  const bestDir = join(ctx.runDir, 'best_model');
  let best = sel.every > 0 ? loadSelected(bestDir) : null;
  // Fixed selection episodes, so every candidate faces the same starts; the final evaluation draws its own.
  const selectSeed = ctx.rng.fork('select').int32();
  ppo.train({
    signal: ctx.signal,
    onUpdate: (l: PpoUpdateLog) => {
      let selScore: number | null = null;
      if (sel.every > 0 && (l.iteration % sel.every === 0 || l.iteration === ppo.sizes.num_iterations)) {
        const snapshot = ppo.snapshot();
        const r = ppo.evaluate(sel.episodes, { seed: selectSeed, deterministic: section.eval_deterministic, snapshot, rng: ctx.rng.fork(`select-${l.iteration}`) });
        selScore = meanStd(r.returns).mean;
        if (!best || selScore > best.score) {
          best = { snapshot, score: selScore, iteration: l.iteration, global_step: l.global_step };
          saveSelected(bestDir, best);
        }
      }
      ctx.metrics.log(selScore === null ? { ...l } : { ...l, 'eval/selection_return': selScore });
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
  const evalSeed = ctx.rng.fork('eval').int32();
  const ev = ppo.evaluate(section.eval_episodes, { seed: evalSeed, deterministic: section.eval_deterministic });
  const last = meanStd(ev.returns);
  let metrics: Record<string, number> = { eval_return_mean: last.mean, eval_return_std: last.std };
  let tables: Record<string, number[]> = { eval_returns: ev.returns, eval_lengths: ev.lengths };
  const selected = best as Selected | null;
  if (selected) {
    // Same fresh episodes for both, so the two figures are paired.
    const evBest = ppo.evaluate(section.eval_episodes, { seed: evalSeed, deterministic: section.eval_deterministic, snapshot: selected.snapshot });
    const b = meanStd(evBest.returns);
    metrics = {
      eval_return_mean: b.mean,
      eval_return_std: b.std,
      final_eval_return_mean: last.mean,
      final_eval_return_std: last.std,
      selected_iteration: selected.iteration,
      selected_global_step: selected.global_step,
      selection_return: selected.score,
    };
    tables = { eval_returns: evBest.returns, eval_lengths: evBest.lengths, final_eval_returns: ev.returns };
    ctx.log.info(`model selection: kept the policy of iteration ${selected.iteration} (step ${selected.global_step}, selection return ${selected.score.toFixed(1)}); the last policy scores ${last.mean.toFixed(1)} ± ${last.std.toFixed(1)}`);
  }
  const wall = (performance.now() - t0) / 1000;
  ppo.dispose();
  ctx.log.info(`${args.env_id}: eval return ${metrics.eval_return_mean.toFixed(1)} ± ${metrics.eval_return_std.toFixed(1)} over ${ev.returns.length} episodes after ${ppo.globalStep} steps (${wall.toFixed(0)} s)`);
  return {
    metrics: { ...metrics, train_steps: ppo.globalStep, wall_s: wall, sps: ppo.globalStep / trainS },
    tables,
    artifacts: selected ? { checkpoint: ckptDir, best_model: bestDir } : { checkpoint: ckptDir },
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
