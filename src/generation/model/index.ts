export { ConditionalTransformer, conditionDim, parameterShapes, type ModelDims, type ModelInputs, type ForwardOptions, type ForwardOutput } from './transformer.js';
export { FastDecoder, type Prepared, type KvCache, type StepOutput } from './fast.js';
export * from './condition.js';
export * from './consistency.js';
export * from './generator.js';
export { mm } from './ops.js';
