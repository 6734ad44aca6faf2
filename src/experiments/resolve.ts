import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { composeConfig, loadProjectSettings, parseOverride, validateConfig, type ProjectSettings } from '../config/index.js';
import { composeSchema } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { loadPlugins } from './plugins.js';
import { registries } from './registries.js';
import { datasets } from '../data/registry.js';
import { fusions } from '../perception/fusion/registry.js';
import { perceptionSectionSchema } from '../perception/pipeline_schema.js';
import type { ResolvedConfig } from './types.js';

/** The configs/ folder shipped with affectlab (two levels above src/experiments and dist/experiments). */
export const BUNDLED_CONFIG_DIR = fileURLToPath(new URL('../../configs', import.meta.url));

export interface ResolveRequest {
  experiment?: string;
  overrides: string[];
  cwd: string;
}

export interface Resolved {
  config: ResolvedConfig;
  overrides: string[];
  choices: Record<string, string>;
  settings: ProjectSettings;
}

/** Plugin paths named on the command line (`plugins=[...]`, `+plugins=[...]`, `++plugins=[...]`). */
export function pluginsFromOverrides(overrides: string[]): string[] {
  const out: string[] = [];
  for (const raw of overrides) {
    const o = parseOverride(raw);
    if (o.key !== 'plugins' || o.kind === 'delete' || o.sweep) continue;
    const v = o.value;
    if (Array.isArray(v)) out.push(...v.map(String));
    else if (typeof v === 'string') out.push(v);
    else throw new ConfigError(`override ${raw}: plugins must be a list of module paths, e.g. +plugins=[./my_fusion.ts]`);
  }
  return out;
}

export async function loadSettingsAndPlugins(cwd: string, overrides: string[]): Promise<ProjectSettings> {
  const settings = await loadProjectSettings(cwd);
  const settingsDir = settings.settingsFile ? fileURLToPath(new URL('.', `file://${settings.settingsFile}`)) : cwd;
  await loadPlugins(settings.plugins, settingsDir);
  await loadPlugins(pluginsFromOverrides(overrides), cwd);
  return settings;
}

/**
 * Schema of each component section, chosen from the section's own value
 * (usually by its `name` through the layer's registry). A section whose layer
 * does not describe it yet is carried as data.
 */
export const componentSections: Record<string, (section: unknown) => z.ZodTypeAny> = {
  dataset: (section) => bySectionName(section, datasets, 'dataset'),
  perception: () => perceptionSectionSchema,
  fusion: (section) => bySectionName(section, fusions, 'fusion'),
  generator: () => z.unknown(),
  rl: () => z.unknown(),
  launcher: (section) => bySectionName(section, registries.launchers, 'launcher'),
};

/** The registered schema for `section.name`, or a schema that reports the unknown name. */
function bySectionName(section: unknown, registry: { has(n: string): boolean; get(n: string, where?: string): { schema: z.ZodTypeAny } }, key: string): z.ZodTypeAny {
  const name = section !== null && typeof section === 'object' ? (section as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && registry.has(name)) return registry.get(name).schema;
  // Unknown or missing name: let the registry produce the did-you-mean error.
  registry.get(String(name), `config key ${key}.name`);
  return z.never();
}

/** The root schema for a config: core keys, component sections, and the sections the selected job owns. */
export function schemaFor(config: Record<string, unknown>): z.ZodTypeAny {
  const jobName = typeof config.job === 'string' ? config.job : '';
  const sections: Record<string, z.ZodTypeAny> = {};
  for (const [key, make] of Object.entries(componentSections)) sections[key] = (key in config ? make(config[key]) : z.unknown()).optional();
  // Sections of every registered job are known keys (validated when present); the selected job's are required.
  for (const name of registries.jobs.names()) {
    for (const [key, schema] of Object.entries(registries.jobs.get(name).sections ?? {})) {
      if (name !== jobName && !(key in sections)) sections[key] = schema.optional();
    }
  }
  if (registries.jobs.has(jobName)) Object.assign(sections, registries.jobs.get(jobName).sections ?? {});
  return composeSchema(sections);
}

/** Compose, resolve and validate one job's config. */
export async function resolveConfig(req: ResolveRequest, settings?: ProjectSettings): Promise<Resolved> {
  const s = settings ?? (await loadSettingsAndPlugins(req.cwd, req.overrides));
  const composed = composeConfig({
    configDir: [...s.configDirs, BUNDLED_CONFIG_DIR],
    experiment: req.experiment,
    overrides: req.overrides,
  });
  const jobName = composed.config.job;
  if (typeof jobName !== 'string') throw new ConfigError(`config key job: expected the name of a job, received ${JSON.stringify(jobName)}`);
  registries.jobs.get(jobName, 'config key job');
  const config = validateConfig(composed.config, schemaFor(composed.config)) as ResolvedConfig;
  return { config, overrides: composed.overrides, choices: composed.choices, settings: s };
}
