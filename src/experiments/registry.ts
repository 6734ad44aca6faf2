import { Registry } from '../core/registry.js';
import type { JobDefinition } from './types.js';
import { jobSpecs, type JobSpec } from './jobs/specs.js';

/** Job functions that experiments select with `job: <name>`. */
export const jobs = new Registry<JobDefinition>('job');

/**
 * A registry entry whose `run` imports the job's module on first call: a
 * process loads the code (and tfjs, and the layers it uses) of the job it
 * runs only, and none when it only resolves configs.
 */
export function lazyJob(spec: JobSpec, load: () => Promise<JobDefinition>): JobDefinition {
  return { ...spec, run: async (ctx) => (await load()).run(ctx) };
}

const builtins: [JobSpec, () => Promise<JobDefinition>][] = [
  [jobSpecs.pipeline, async () => (await import('./jobs/pipeline.js')).pipelineJob],
  [jobSpecs.placeholder, async () => (await import('./jobs/placeholder.js')).placeholderJob],
  [jobSpecs.perception, async () => (await import('./jobs/perception.js')).perceptionJob],
  [jobSpecs.ppo_cartpole, async () => (await import('./jobs/ppo_gym.js')).ppoCartpoleJob],
  [jobSpecs.ppo_pendulum, async () => (await import('./jobs/ppo_gym.js')).ppoPendulumJob],
  [jobSpecs.ppo_intervention, async () => (await import('./jobs/ppo_intervention.js')).ppoInterventionJob],
  [jobSpecs.generator_eval, async () => (await import('./jobs/generator_eval.js')).generatorEvalJob],
];
for (const [spec, load] of builtins) jobs.register(spec.name, lazyJob(spec, load));
