/**
 * affectlab as a library: compose a config, run an experiment, read results,
 * and extend the registries from your own code.
 */
export * from './core/index.js';
export * from './config/index.js';
export type * from './data/types.js';
export type * from './perception/types.js';
export type * from './reasoning/types.js';
export type * from './generation/types.js';
export type * from './experiments/types.js';
export { executeRun, type RunRecord, type RunOptions } from './experiments/runner.js';
export { resolveConfig, loadSettingsAndPlugins, BUNDLED_CONFIG_DIR, type Resolved } from './experiments/resolve.js';
export { createSweep, runSweep, readManifest, type SweepManifest, type Launcher } from './experiments/sweep.js';
export { launchers } from './experiments/launchers/index.js';
export { createUniqueDir, RUN_FILES } from './experiments/rundir.js';
export { loadPlugins, type PluginApi, type Plugin } from './experiments/plugins.js';
export { registries } from './experiments/registries.js';
export { jobs } from './experiments/registry.js';
