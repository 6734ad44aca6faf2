export * from './grammar.js';
export * from './expand.js';
export * from './build.js';
export * from './cues.js';
export * from './loaders.js';
export * from './sources.js';
