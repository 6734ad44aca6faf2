export * from './metrics.js';
export * from './stats.js';
export * from './tables.js';
export * from './compare.js';
export * from './charts.js';
export * from './report.js';
