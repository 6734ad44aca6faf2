import { Registry } from '../core/registry.js';
import type { JobDefinition } from './types.js';
import { placeholderJob } from './jobs/placeholder.js';
import { ppoCartpoleJob, ppoPendulumJob } from './jobs/ppo_gym.js';
import { ppoInterventionJob } from './jobs/ppo_intervention.js';
import { perceptionJob } from './jobs/perception.js';
import { pipelineJob } from './jobs/pipeline.js';
import { generatorEvalJob } from './jobs/generator_eval.js';

/** Job functions that experiments select with `job: <name>`. */
export const jobs = new Registry<JobDefinition>('job');
for (const job of [pipelineJob, placeholderJob, perceptionJob, ppoCartpoleJob, ppoPendulumJob, ppoInterventionJob, generatorEvalJob]) jobs.register(job.name, job);
