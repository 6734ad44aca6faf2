import { z } from 'zod';
import { Registry } from '../../core/registry.js';
import type { Launcher } from '../sweep.js';
import { basicLauncher } from './basic.js';
import { localLauncher } from './local.js';
import { slurmLauncher, slurmSchema } from './slurm.js';

export interface LauncherEntry {
  launcher: Launcher;
  /** Strict schema of the `launcher` config section when this launcher is selected. */
  schema: z.ZodTypeAny;
}

export const launchers = new Registry<LauncherEntry>('launcher');

launchers.register('basic', { launcher: basicLauncher, schema: z.strictObject({ name: z.literal('basic') }) });
launchers.register('local', {
  launcher: localLauncher,
  schema: z.strictObject({
    name: z.literal('local'),
    n_jobs: z.int().min(1).describe('worker processes at once'),
    max_jobs_per_worker: z.int().min(1).nullable().default(null).describe('jobs a worker runs before it is replaced (null: no limit; 1: a fresh process per job)'),
  }),
});

launchers.register('slurm', { launcher: slurmLauncher, schema: slurmSchema });

/** The view runSweep needs: launcher by name. */
export const launcherLookup = { get: (name: string, where?: string) => launchers.get(name, where).launcher };
