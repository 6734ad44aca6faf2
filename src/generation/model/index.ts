export * from './transformer.js';
export * from './fast.js';
export * from './condition.js';
export * from './consistency.js';
export * from './generator.js';
export * from './ops.js';
