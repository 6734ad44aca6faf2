export * from './types.js';
export * from './config.js';
export * from './valence.js';
export * from './model.js';
