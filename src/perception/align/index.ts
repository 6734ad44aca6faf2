export * from './dtw.js';
export * from './resample.js';
export * from './align.js';
export * from './config.js';
export * from './projection.js';
