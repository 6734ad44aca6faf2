export * from './errors.js';
export * from './suggest.js';
export * from './rng.js';
export * from './io.js';
export * from './log.js';
export * from './progress.js';
export * from './registry.js';
export * from './backend.js';
