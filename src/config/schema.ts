import { z } from 'zod';

/**
 * The root keys the runner owns. Defaults mirror configs/config.yaml so a
 * config tree from elsewhere (a plugin's configDirs) may leave them out.
 */
export const coreShape = {
  /** Name of the experiment option composed in (`default`: none). */
  experiment: z.string().default('default'),
  /** Which registered job function runs. */
  job: z.string().min(1).default('placeholder'),
  seed: z.int().min(0).default(0),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Run-folder suffix. */
  name: z.string().nullable().default(null),
  log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  progress: z.enum(['auto', 'bar', 'lines', 'off']).default('auto'),
  /** Plugin modules loaded before the config is validated. */
  plugins: z.array(z.string()).default([]),
  /** Launcher settings; the launcher layer owns their schema, carried as data for now. */
  launcher: z.looseObject({}).default({}),
};

export const coreSchema = z.strictObject(coreShape);
export type CoreConfig = z.infer<typeof coreSchema>;

/**
 * One strict root schema from the core keys plus component sections
 * (`{ dataset: datasetSchema, fusion: fusionSchema, ... }`). A section may
 * replace a core key's schema (e.g. a stricter `launcher`).
 */
export function composeSchema<S extends Record<string, z.ZodTypeAny>>(sections: S) {
  return z.strictObject({ ...coreShape, ...sections });
}
