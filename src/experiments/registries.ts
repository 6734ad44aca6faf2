import { jobs } from './registry.js';
import { launchers } from './launchers/index.js';
import { datasets } from '../data/registry.js';
import { fusions } from '../perception/fusion/registry.js';

/**
 * Every registry a plugin can extend, in one place. Each layer adds its own
 * here (datasets, fusion strategies, generators, environments).
 */
export const registries = { jobs, launchers, datasets, fusions };
export type Registries = typeof registries;
