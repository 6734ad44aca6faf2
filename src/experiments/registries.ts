import { jobs } from './registry.js';

/**
 * Every registry a plugin can extend, in one place. Later layers add theirs
 * here (datasets, fusion strategies, generators, environments).
 */
export const registries = { jobs };
export type Registries = typeof registries;
