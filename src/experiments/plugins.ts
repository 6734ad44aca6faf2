import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { tf } from '../core/backend.js';
import { registries, type Registries } from './registries.js';

/** What a plugin's default export (or `register` export) receives. */
export interface PluginApi extends Registries {
  tf: typeof tf;
}

export type Plugin = (api: PluginApi) => void | Promise<void>;

const loaded = new Set<string>();

/**
 * Loads plugin modules (TypeScript through tsx, or JavaScript) that register
 * entries in affectlab's registries. A plugin exports `default` or `register`,
 * a function taking the PluginApi; it needs no import of affectlab itself, so
 * it works from any folder. Each file is loaded once per process.
 */
export async function loadPlugins(specs: string[], baseDir: string): Promise<string[]> {
  const done: string[] = [];
  for (const spec of specs) {
    const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
    if (loaded.has(path)) continue;
    if (!existsSync(path)) throw new ConfigError(`plugins: cannot load ${JSON.stringify(spec)}: no such file ${path}`);
    let mod: Record<string, unknown>;
    try {
      if (/\.[mc]?ts$/.test(path)) {
        const { tsImport } = await import('tsx/esm/api');
        mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
      } else {
        mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      }
    } catch (err) {
      throw new ConfigError(`plugins: ${spec}: failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
    // A .ts file outside an ESM package is compiled as CommonJS: its exports then sit under `default`.
    const inner = (mod.default !== null && typeof mod.default === 'object' ? mod.default : {}) as Record<string, unknown>;
    const candidates = [mod.default, mod.register, inner.default, inner.register];
    const fn = candidates.find((c) => typeof c === 'function') as Plugin | undefined;
    if (typeof fn !== 'function') {
      throw new ConfigError(`plugins: ${spec}: expected a default export (or an export named "register") that is a function taking the plugin API`);
    }
    // tfjs loads only when a plugin is there to receive it.
    const { tf } = await import('../core/backend.js');
    await fn({ ...registries, tf });
    loaded.add(path);
    done.push(path);
  }
  return done;
}
