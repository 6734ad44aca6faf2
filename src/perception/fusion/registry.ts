import { Registry } from '../../core/registry.js';
import { attentionGru } from './attention_gru.js';
import { cnnBaseline } from './cnn.js';
import { dgcnn } from './dgcnn.js';
import { lateDr, lateLearned, lateMean } from './late.js';
import { earlyFusion, lstmBaseline, rnnBaseline } from './sequence.js';
import type { FusionFactory } from './types.js';

/** Fusion strategies selected by `fusion=<name>`; plugins may register more before the config is validated. */
export const fusions = new Registry<FusionFactory>('fusion');

fusions.register('early', earlyFusion);
fusions.register('attention_gru', attentionGru);
fusions.register('late_mean', lateMean);
fusions.register('late_dr', lateDr);
fusions.register('late_learned', lateLearned);
fusions.register('dgcnn', dgcnn);
fusions.register('cnn', cnnBaseline);
fusions.register('lstm', lstmBaseline);
fusions.register('rnn', rnnBaseline);
