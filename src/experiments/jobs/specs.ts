import { semSectionSchema } from '../../generation/sem/schema.js';
import { reasoningSectionSchema } from '../../reasoning/config.js';
import type { JobDefinition } from '../types.js';
import { generatorEvalSectionSchema, pipelineSectionSchema, placeholderSchema } from './schemas.js';

/** What is known about a job before its code is loaded: name, description and owned config sections. */
export type JobSpec = Omit<JobDefinition, 'run'>;

/**
 * The built-in jobs' specs. Each job module spreads its spec into its
 * JobDefinition; the registry (../registry.ts) registers them with a `run`
 * that imports the module on first call, so resolving and validating configs
 * never loads the jobs' implementations (and the layers they pull in).
 */
export const jobSpecs = {
  pipeline: {
    name: 'pipeline',
    description: 'SynAffect through perception → reasoning → generation → PPO; ACC/UA/F1w/SIM/SEM/RT/TS (paper 001 Table 1)',
    sections: { pipeline: pipelineSectionSchema, reasoning: reasoningSectionSchema.optional(), sem: semSectionSchema.optional() },
  },
  placeholder: {
    name: 'placeholder',
    description: 'tiny MLP on Gaussian blobs: exercises config, run folder, backend, training, metrics and report',
    sections: { placeholder: placeholderSchema },
  },
  perception: {
    name: 'perception',
    description: 'perception pipeline: features, DTW alignment, one fusion strategy, test metrics (ACC, UA, F1, SIM, ROC, TS)',
  },
  ppo_cartpole: {
    name: 'ppo_cartpole',
    description: 'PPO (CleanRL ppo.py) on CartPole-v1; evaluates the argmax policy over 100 episodes',
  },
  ppo_pendulum: {
    name: 'ppo_pendulum',
    description: 'PPO (CleanRL ppo_continuous_action.py) on Pendulum-v1; evaluates the mean policy over 100 episodes',
  },
  ppo_intervention: {
    name: 'ppo_intervention',
    description: 'PPO tunes {tone, temperature, emotionWeight} against simulated personas; compared with the best fixed control and random',
  },
  generator_eval: {
    name: 'generator_eval',
    description: 'train the conditional generator on the bundled corpus; SEM and lexicon emotion alignment on held-out intents',
    sections: { generator_eval: generatorEvalSectionSchema, sem: semSectionSchema.optional() },
  },
} satisfies Record<string, JobSpec>;
