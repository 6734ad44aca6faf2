export * from './match.js';
export * from './crisis.js';
export * from './escalation.js';
export * from './output_filter.js';
export * from './override.js';
export * from './guard.js';
export * from './pii.js';
