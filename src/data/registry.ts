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
import { parseSection } from './section.js';

export { parseSection };

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

/** The dataset the composed config's `dataset` section names, validated by that dataset's schema. */
export function createDataset(cfg: { name?: unknown } & Record<string, unknown>, ctx: DatasetContext): Dataset {
  if (!cfg || typeof cfg.name !== 'string') throw new ConfigError(`dataset.name: expected one of ${datasets.names().join(', ')}, got ${JSON.stringify(cfg?.name)}`);
  const factory = datasets.get(cfg.name, 'dataset.name');
  return factory.create(parseSection(factory.schema, cfg, 'dataset'), ctx);
}
