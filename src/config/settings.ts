import { dirname, isAbsolute, resolve } from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { validateConfig } from './validate.js';

/** Project-wide settings (not per-run config): where outputs go, plugins, extra config folders. */
export interface ProjectSettings {
  /** Folder for single runs (absolute). */
  outputsRoot: string;
  /** Folder for sweeps (absolute). */
  multirunRoot: string;
  /** Plugin modules: absolute paths, or bare package names. */
  plugins: string[];
  /** Extra config folders (absolute), searched before the bundled configs/. */
  configDirs: string[];
  /** The settings file found, if any (absolute). */
  settingsFile?: string;
}

export const settingsSchema = z.strictObject({
  outputsRoot: z.string().min(1).default('outputs'),
  multirunRoot: z.string().min(1).default('multirun'),
  plugins: z.array(z.string().min(1)).default([]),
  configDirs: z.array(z.string().min(1)).default([]),
});

export const MODULE_NAME = 'affectlab';

export const SEARCH_PLACES = [
  'package.json',
  '.affectlabrc',
  '.affectlabrc.json',
  '.affectlabrc.yaml',
  '.affectlabrc.yml',
  '.affectlabrc.js',
  '.affectlabrc.mjs',
  '.affectlabrc.ts',
  'affectlab.config.js',
  'affectlab.config.mjs',
  'affectlab.config.ts',
  'affectlab.config.json',
  'affectlab.config.yaml',
  'affectlab.config.yml',
];

/** Loads a .ts settings file with tsx, so the typescript package is not needed at run time. */
const loadTs: Loader = async (filepath) => {
  // Imported on demand: only projects with a .ts settings file pay for tsx.
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(filepath, import.meta.url)) as { default?: unknown };
  // tsx may wrap a CommonJS-style default once more.
  let v: unknown = mod.default ?? mod;
  if (v && typeof v === 'object' && 'default' in v && Object.keys(v).length === 1) v = (v as { default: unknown }).default;
  return v;
};

function resolvePlugin(p: string, base: string): string {
  // Relative module paths are files next to the settings; bare names are packages.
  return p.startsWith('./') || p.startsWith('../') || isAbsolute(p) ? resolve(base, p) : p;
}

/**
 * Finds and loads the settings with cosmiconfig, from `cwd` upwards, stopping
 * at the nearest project root (the folder with a package.json). Relative paths
 * resolve against the settings file's folder (against `cwd` when there is none).
 */
export async function loadProjectSettings(cwd: string): Promise<ProjectSettings> {
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    loaders: { '.ts': loadTs },
    cache: false,
  });
  let found: Awaited<ReturnType<typeof explorer.search>>;
  try {
    found = await explorer.search(resolve(cwd));
  } catch (err) {
    const e = err as Error & { filepath?: string };
    const first = String(e.message).split('\n')[0];
    throw new ConfigError(`project settings: ${e.filepath ? `${e.filepath}: ` : ''}${first}`);
  }
  const file = found?.filepath;
  const base = file ? dirname(file) : resolve(cwd);
  const raw = found && !found.isEmpty ? found.config : {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${file}: expected the settings to be an object, got ${JSON.stringify(raw)}`);
  }
  let s: z.infer<typeof settingsSchema>;
  try {
    s = validateConfig(raw, settingsSchema, 'settings key');
  } catch (err) {
    if (err instanceof ConfigError) {
      (err as { message: string }).message = `${file}: ${err.message}`;
    }
    throw err;
  }
  return {
    outputsRoot: resolve(base, s.outputsRoot),
    multirunRoot: resolve(base, s.multirunRoot),
    plugins: s.plugins.map((p) => resolvePlugin(p, base)),
    configDirs: s.configDirs.map((d) => resolve(base, d)),
    ...(file ? { settingsFile: file } : {}),
  };
}
