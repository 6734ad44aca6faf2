import { ConfigError } from '../../core/errors.js';
import { parseRlSection } from '../../rl/config.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { runPpoStage } from './pipeline_rl.js';

/**
 * PPO on the intervention env alone (no perception or generator training):
 * the surrogate generator writes the replies. Logs CleanRL's charts/losses
 * keys and reward/{alignment,continuity,engagement} per update, then compares
 * PPO with a random policy and the best fixed control on the same users.
 */
async function runPpoIntervention(ctx: RunContext): Promise<JobResult> {
  const section = parseRlSection(ctx.config.rl);
  if (section.generator === 'full') {
    throw new ConfigError('rl.generator=full: the ppo_intervention job trains no generator; run the pipeline job (experiment=default rl.generator=full), which trains one and hands it to the env');
  }
  const tuneEpisodes = 60; // episodes per grid point of the best-fixed-control search (as runInterventionExperiment)
  const a = section.ppo;
  const bar = ctx.progress('ppo intervention', Math.max(1, Math.floor(a.total_timesteps / (a.num_envs * a.num_steps))));
  const t0 = performance.now();
  const r = runPpoStage(section, ctx.rng.fork('rl'), {
    signal: ctx.signal,
    tuneEpisodes,
    onUpdate: (l) => {
      ctx.metrics.log({ stage: 'ppo', ...l });
      const ret = l['charts/episodic_return'];
      bar.tick(1, ret === null ? {} : { return: ret.toFixed(2) });
    },
  });
  bar.stop();
  ctx.log.info(`PPO ${r.trainSteps} steps: eval return ${r.ppo.meanReturn.toFixed(3)} vs best fixed ${r.fixed.meanReturn.toFixed(3)} (${JSON.stringify(r.fixedControl)}) vs random ${r.random.meanReturn.toFixed(3)}`);
  return {
    metrics: {
      ppo_return: r.ppo.meanReturn,
      ppo_return_std: r.ppo.stdReturn,
      fixed_return: r.fixed.meanReturn,
      random_return: r.random.meanReturn,
      ppo_tone_match: r.ppo.toneMatchRate,
      fixed_tone_match: r.fixed.toneMatchRate,
      random_tone_match: r.random.toneMatchRate,
      ppo_steps: r.trainSteps,
      wall_s: (performance.now() - t0) / 1000,
    },
    tables: { ppo: r.ppo, fixed: r.fixed, random: r.random, fixedControl: r.fixedControl, updates: r.updates, trainS: r.trainS },
  };
}

export const ppoInterventionJob: JobDefinition = {
  name: 'ppo_intervention',
  description: 'PPO on the intervention env (surrogate generator) vs random and best fixed control',
  run: runPpoIntervention,
};
