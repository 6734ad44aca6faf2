import { parseRlSection } from '../../rl/config.js';
import { runInterventionExperiment } from '../../rl/intervention_eval.js';
import { surrogateFor } from '../../rl/surrogate.js';
import type { JobDefinition } from '../types.js';
import { jobSpecs } from './specs.js';

/**
 * PPO on the intervention env (simulated personas) against the best fixed
 * control setting and a random policy, evaluated on the same users. Metrics
 * hold mean episode rewards, per-term means and tone-match rates; tables hold
 * the tone chosen per persona archetype.
 */
export const ppoInterventionJob: JobDefinition = {
  ...jobSpecs.ppo_intervention,
  run: async (ctx) => {
    const section = parseRlSection(ctx.config.rl);
    const t0 = performance.now();
    const bar = ctx.progress('ppo intervention', Math.floor(section.ppo.total_timesteps / (section.ppo.num_envs * section.ppo.num_steps)));
    // No generator is trained here: a calibrated surrogate comes from rl.surrogate.calibration (a pipeline run's file).
    const sur = section.generator === 'surrogate' ? surrogateFor(section, { rng: ctx.rng.fork('surrogate'), log: ctx.log }) : null;
    const r = runInterventionExperiment(section, ctx.rng, {
      surrogate: sur?.hook,
      signal: ctx.signal,
      onUpdate: (l) => {
        ctx.metrics.log({ ...l });
        bar.tick(1);
      },
    });
    bar.stop();
    const m = (prefix: string, e: typeof r.ppo): Record<string, number> => ({
      [`${prefix}_return_mean`]: e.meanReturn,
      [`${prefix}_return_std`]: e.stdReturn,
      [`${prefix}_length_mean`]: e.meanLength,
      [`${prefix}_alignment`]: e.terms.alignment,
      [`${prefix}_continuity`]: e.terms.continuity,
      [`${prefix}_engagement`]: e.terms.engagement,
      [`${prefix}_tone_match`]: e.toneMatchRate,
      [`${prefix}_escalations`]: e.escalations,
    });
    ctx.log.info(`intervention: PPO ${r.ppo.meanReturn.toFixed(2)}, best fixed (${JSON.stringify(r.fixedControl)}) ${r.fixed.meanReturn.toFixed(2)}, random ${r.random.meanReturn.toFixed(2)}`);
    // The surrogate's held-out ranking agreement with the generator it was calibrated on, when known.
    const check = sur?.calibration?.check;
    const tau: Record<string, number> = check ? Object.fromEntries(Object.entries(check.tau).map(([k, v]) => [`surrogate_tau_${k}`, v.mean])) : {};
    return {
      metrics: { ...m('ppo', r.ppo), ...m('fixed', r.fixed), ...m('random', r.random), train_steps: r.trainSteps, wall_s: (performance.now() - t0) / 1000, ...tau },
      tables: { tone_by_archetype: { ppo: r.ppo.toneByArchetype, fixed: r.fixed.toneByArchetype }, fixed_control: r.fixedControl, ...(sur?.calibration ? { surrogate: { source: sur.calibration.source, fit: sur.calibration.fit, check: check ?? null } } : {}) },
      notes: [`generator=${section.generator}`, ...(sur ? [sur.note] : [])],
    };
  },
};
