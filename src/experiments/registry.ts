import { Registry } from '../core/registry.js';
import type { JobDefinition } from './types.js';
import { placeholderJob } from './jobs/placeholder.js';
import { perceptionJob } from './jobs/perception.js';
import { pipelineJob } from './jobs/pipeline.js';
import { ppoGymJobs } from './jobs/ppo_gym.js';
import { ppoInterventionJob } from './jobs/ppo_intervention.js';

/** Job functions that experiments select with `job: <name>`. */
export const jobs = new Registry<JobDefinition>('job');
jobs.register(placeholderJob.name, placeholderJob);
jobs.register(perceptionJob.name, perceptionJob);
jobs.register(pipelineJob.name, pipelineJob);
for (const j of ppoGymJobs) jobs.register(j.name, j);
jobs.register(ppoInterventionJob.name, ppoInterventionJob);
