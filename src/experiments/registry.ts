import { Registry } from '../core/registry.js';
import type { JobDefinition } from './types.js';
import { placeholderJob } from './jobs/placeholder.js';
import { perceptionJob } from './jobs/perception.js';

/** Job functions that experiments select with `job: <name>`. */
export const jobs = new Registry<JobDefinition>('job');
jobs.register(placeholderJob.name, placeholderJob);
jobs.register(perceptionJob.name, perceptionJob);
