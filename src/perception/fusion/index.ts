// Public surface of the fusion stage.
export * from './types.js';
export * from './batch.js';
export { fusions } from './registry.js';
export { combineScores, confusionMatrix, detectionRatioWeights, type Combine } from './detection_ratio.js';
export { AttentionGruFusion, type AttentionGruConfig } from './attention_gru.js';
export { DgcnnFusion, type DgcnnConfig } from './dgcnn.js';
export { LateFusion, type LateConfig } from './late.js';
export { SequenceFusion, type SequenceConfig } from './sequence.js';
export { CnnFusion, type CnnConfig } from './cnn.js';
