import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { Registry } from '../core/registry.js';
import type { Rng } from '../core/rng.js';
import type { Dataset } from './types.js';
import { synaffectSchema } from './synth/config.js';
import { createSynAffect, SynAffectDirDataset, synaffectDirSchema } from './synth/corpus.js';
import { iemocapSchema, IemocapDataset } from './loaders/iemocap.js';
import { meldSchema, MeldDataset } from './loaders/meld.js';
import { deapSchema, DeapDataset } from './loaders/deap.js';
import { requirePath } from './loaders/common.js';

export interface DatasetContext {
  rng: Rng;
  log: Logger;
}

/** A dataset kind: its strict schema for the `dataset` config section, and a constructor. */
export interface DatasetFactory {
  schema: z.ZodType;
  create(cfg: any, ctx: DatasetContext): Dataset;
}

export const datasets = new Registry<DatasetFactory>('dataset');

datasets.register('synaffect', { schema: synaffectSchema, create: (cfg, ctx) => createSynAffect(cfg, ctx.rng) });
datasets.register('synaffect_dir', { schema: synaffectDirSchema, create: (cfg) => new SynAffectDirDataset(requirePath('synaffect_dir', cfg.path)) });
datasets.register('iemocap', { schema: iemocapSchema, create: (cfg, ctx) => new IemocapDataset(cfg, ctx.log.child('iemocap')) });
datasets.register('meld', { schema: meldSchema, create: (cfg, ctx) => new MeldDataset(cfg, ctx.log.child('meld')) });
datasets.register('deap', { schema: deapSchema, create: (cfg, ctx) => new DeapDataset(cfg, ctx.log.child('deap')) });

/** Validates a config section with a zod schema; the first issue becomes a one-line ConfigError (path, expected, received). */
export function parseSection<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = [where, ...issue.path.map(String)].join('.');
  let received = '';
  let v: unknown = value;
  for (const k of issue.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  if (v !== undefined && issue.code !== 'unrecognized_keys') received = ` (received ${JSON.stringify(v)?.slice(0, 60)})`;
  const more = r.error.issues.length > 1 ? ` [+${r.error.issues.length - 1} more issue(s)]` : '';
  return failConfig(`${path}: ${issue.message}${received}${more}`);
}

function failConfig(msg: string): never {
  throw new ConfigError(msg);
}

/** The dataset the composed config's `dataset` section names, validated by that dataset's schema. */
export function createDataset(cfg: { name?: unknown } & Record<string, unknown>, ctx: DatasetContext): Dataset {
  if (!cfg || typeof cfg.name !== 'string') throw new ConfigError(`dataset.name: expected one of ${datasets.names().join(', ')}, got ${JSON.stringify(cfg?.name)}`);
  const factory = datasets.get(cfg.name, 'dataset.name');
  return factory.create(parseSection(factory.schema, cfg, 'dataset'), ctx);
}
