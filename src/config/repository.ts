import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';

/** Options a plugin provides in code, like Hydra's ConfigStore: option name → content. */
export type ExtraGroupOptions = (group: string) => Record<string, Record<string, unknown>>;

/** One input config: a YAML file of a search dir, or an option given in code. */
export interface LoadedConfig {
  /** Config path without extension: `config`, `fusion/late_dr`. */
  path: string;
  /** Where it came from, for error messages: a file path or `<extraGroupOptions>`. */
  source: string;
  /** Content without the `defaults` key. */
  content: Record<string, unknown>;
  /** The raw `defaults` list, if any. */
  defaults?: unknown[];
  /** `# @package ...` header, if any. */
  packageHeader?: string;
}

const EXTENSIONS = ['.yaml', '.yml'];

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The `# @package <pkg>` header among the comment lines at the top of a file (Hydra reads only those). */
function packageHeader(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) break;
    const m = /^#\s*@package\s+(\S+)\s*$/.exec(t);
    if (m) return m[1];
  }
  return undefined;
}

/** Parses a YAML config file; syntax errors become `path:line:col: message`. */
export function parseYamlFile(file: string, text = readFileSync(file, 'utf8')): unknown {
  // merge: YAML 1.1 `<<: *anchor` merge keys, which Hydra (PyYAML) configs use.
  const doc = YAML.parseDocument(text, { uniqueKeys: true, merge: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(pos ? `${file}:${pos.line}:${pos.col}: ${msg}` : `${file}: ${msg}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The config search path: several folders, the first that has a file wins,
 * then options given in code. Loaded files are cached for one composition.
 */
export class ConfigRepository {
  private readonly cache = new Map<string, LoadedConfig | null>();
  constructor(
    readonly dirs: string[],
    private readonly extra?: ExtraGroupOptions,
  ) {
    if (dirs.length === 0) throw new ConfigError('composeConfig: configDir is empty; expected at least one config folder');
  }

  private extraOptions(group: string): Record<string, Record<string, unknown>> {
    return this.extra?.(group) ?? {};
  }

  groupExists(group: string): boolean {
    return this.dirs.some((d) => isDir(join(d, group))) || Object.keys(this.extraOptions(group)).length > 0;
  }

  options(group: string): string[] {
    return listOptionsIn(this.dirs, group, Object.keys(this.extraOptions(group)));
  }

  exists(path: string): boolean {
    return this.load(path) !== undefined;
  }

  /** Loads `path` (no extension) or returns undefined when no search dir has it. */
  load(path: string): LoadedConfig | undefined {
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit ?? undefined;
    const loaded = this.loadUncached(path);
    this.cache.set(path, loaded ?? null);
    return loaded;
  }

  private loadUncached(path: string): LoadedConfig | undefined {
    for (const dir of this.dirs) {
      for (const ext of EXTENSIONS) {
        const file = join(dir, path + ext);
        if (!existsSync(file)) continue;
        const text = readFileSync(file, 'utf8');
        const data = parseYamlFile(file, text);
        return this.fromData(path, file, data, packageHeader(text));
      }
    }
    const slash = path.lastIndexOf('/');
    if (slash > 0) {
      const opt = this.extraOptions(path.slice(0, slash))[path.slice(slash + 1)];
      if (opt !== undefined) return this.fromData(path, `<extraGroupOptions ${path}>`, structuredClone(opt), undefined);
    }
    return undefined;
  }

  private fromData(path: string, source: string, data: unknown, header: string | undefined): LoadedConfig {
    if (data === null || data === undefined) data = {};
    if (!isPlainObject(data)) {
      throw new ConfigError(`${source}: expected a mapping of keys to values at the top level, got ${Array.isArray(data) ? 'a list' : typeof data}`);
    }
    const { defaults, ...content } = data;
    if (defaults !== undefined && defaults !== null && !Array.isArray(defaults)) {
      throw new ConfigError(`${source}: key defaults: expected a list (e.g. [{fusion: late_dr}, _self_]), got ${JSON.stringify(defaults)}`);
    }
    return { path, source, content, defaults: (defaults as unknown[] | null | undefined) ?? undefined, packageHeader: header };
  }

  /** ConfigError for a group option that does not exist, listing the ones that do. */
  missingOption(group: string, option: string, where: string): ConfigError {
    const opts = this.options(group);
    const avail = opts.length > 0 ? `available options: ${opts.join(', ')}${didYouMean(option, opts)}` : 'the group has no options';
    return new ConfigError(`${where}: config group ${group} has no option ${JSON.stringify(option)}; ${avail} (searched ${this.dirs.join(', ')})`);
  }
}

function listOptionsIn(dirs: string[], group: string, extra: string[]): string[] {
  const names = new Set<string>(extra);
  for (const d of dirs) {
    const g = join(d, group);
    if (!isDir(g)) continue;
    for (const f of readdirSync(g)) {
      const ext = EXTENSIONS.find((e) => f.endsWith(e));
      if (ext && !isDir(join(g, f))) names.add(f.slice(0, -ext.length));
    }
  }
  return [...names].sort();
}

/** The options of a config group across the search dirs (and code-provided options), sorted. */
export function listGroupOptions(configDir: string | string[], group: string, extraGroupOptions?: ExtraGroupOptions): string[] {
  const dirs = Array.isArray(configDir) ? configDir : [configDir];
  return listOptionsIn(dirs, group, Object.keys(extraGroupOptions?.(group) ?? {}));
}
