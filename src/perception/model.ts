import type { z } from 'zod';
import { tf } from '../core/backend.js';
import { ConfigError, DataError, show } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import type { Rng } from '../core/rng.js';
import { fusions } from './fusion/registry.js';
import type { FusionModel, ModalityDims, PerceptionBatch } from './fusion/types.js';
import { perceptionTrainSchema, type PerceptionTrainConfig } from './schema.js';
import type { EmotionVector } from './types.js';
import { decodeWeights, encodeWeights, type EncodedWeight } from './weights_io.js';

/** One line per zod issue: `where.path: message` (zod's messages name expected and received). */
export function zodMessage(where: string, err: z.ZodError): string {
  return err.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

/** Validates a `fusion` config section against the chosen strategy's strict schema (defaults filled in). */
export function parseFusionConfig(raw: unknown, where = 'fusion'): { name: string } & Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || typeof (raw as { name?: unknown }).name !== 'string') {
    throw new ConfigError(`${where}: ${show(raw)}; expected an object with a string \`name\` (one of ${fusions.names().join(', ')})`);
  }
  const factory = fusions.get((raw as { name: string }).name, `${where}.name`);
  const r = factory.schema.safeParse(raw);
  if (!r.success) throw new ConfigError(zodMessage(where, r.error));
  return r.data;
}

export function parsePerceptionTrainConfig(raw: unknown, where = 'perception.train'): PerceptionTrainConfig {
  const r = perceptionTrainSchema.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(zodMessage(where, r.error));
  return r.data;
}

/**
 * Builds the model a config asks for: the strategy from `fusion.name`, its
 * validated section, dropout from `fusion.dropout` or else the training
 * section's, weights drawn from `rng`.
 */
export function createPerceptionModel(fusionCfg: unknown, dims: ModalityDims, nClasses: number, rng: Rng, train?: Pick<PerceptionTrainConfig, 'dropout'>): FusionModel {
  const cfg = parseFusionConfig(fusionCfg);
  const withDropout = { ...cfg, dropout: (cfg.dropout as number | undefined) ?? train?.dropout ?? 0 };
  return fusions.get(cfg.name).create(withDropout, dims, nClasses, rng.fork(`model/${cfg.name}`));
}

/**
 * Perception's output: class probabilities, arousal/valence, the fused
 * embedding and the modalities present, one EmotionVector per sample.
 * One forward pass, one read-back for the whole batch.
 */
export function predictEmotion(model: FusionModel, batch: PerceptionBatch, classes: string[]): EmotionVector[] {
  if (classes.length !== model.nClasses) throw new DataError(`classes: ${classes.length} names for a model with ${model.nClasses} classes`);
  const [probs, av, emb] = tf.tidy(() => {
    const out = model.forward(batch, false);
    return [tf.softmax(out.logits), out.av, out.embedding];
  });
  const P = probs.arraySync() as number[][];
  const A = av.arraySync() as number[][];
  const E = emb.arraySync() as number[][];
  const pres = batch.presence.arraySync() as number[][];
  tf.dispose([probs, av, emb]);
  return P.map((p, i) => ({
    classes: [...classes],
    probs: p,
    arousal: A[i][0],
    valence: A[i][1],
    embedding: E[i],
    modalities: batch.modalities.filter((_, j) => pres[i][j] > 0),
  }));
}

const MODEL_FORMAT = 'affectlab.perception.model/1';

export interface SavedModel {
  format: string;
  fusion: Record<string, unknown>;
  dims: ModalityDims;
  classes: string[];
  weights: EncodedWeight[];
  meta?: Record<string, unknown>;
}

/** Writes a trained model (config, dims, classes, weights) atomically; `loadModel` rebuilds it. */
export function saveModel(path: string, model: FusionModel, fusionCfg: Record<string, unknown>, dims: ModalityDims, classes: string[], meta?: Record<string, unknown>): void {
  const saved: SavedModel = { format: MODEL_FORMAT, fusion: fusionCfg, dims, classes, weights: encodeWeights(model.getWeights()), meta };
  writeJsonAtomic(path, saved);
}

export function loadModel(path: string, rng: Rng): { model: FusionModel; classes: string[]; saved: SavedModel } {
  const saved = readJson<SavedModel>(path);
  if (saved.format !== MODEL_FORMAT) throw new DataError(`${path}: format ${show(saved.format)}; expected ${show(MODEL_FORMAT)}`);
  const model = createPerceptionModel(saved.fusion, saved.dims, saved.classes.length, rng);
  model.setWeights(decodeWeights(saved.weights, `${path}: weights`), `${path}: weights`);
  return { model, classes: saved.classes, saved };
}
