// The default models the benchmarks time, built from the repo's default configs
// (configs/fusion/*.yaml, configs/reasoning/default.yaml, configs/generator/default.yaml).
// Weights are freshly initialised: timings do not depend on training, except the
// reply length, which is reported next to every generation figure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Rng } from '../src/core/rng.js';
import { parseGeneratorConfig, type GeneratorConfig } from '../src/generation/config.js';
import { buildCorpus } from '../src/generation/corpus/index.js';
import { ConditionalTransformer } from '../src/generation/model/transformer.js';
import { Generator } from '../src/generation/model/generator.js';
import { trainTokenizer } from '../src/generation/tokenizer.js';
import type { CorpusEntry, Tokenizer } from '../src/generation/types.js';
import { makeSet, type PerceptionItem, type PerceptionSet } from '../src/perception/fusion/batch.js';
import { createPerceptionModel, parsePerceptionTrainConfig } from '../src/perception/model.js';
import type { PerceptionTrainConfig } from '../src/perception/train.js';
import { ReasoningModel } from '../src/reasoning/model.js';
import { parseReasoningConfig } from '../src/reasoning/config.js';
import { DEFAULT_CLASSES } from '../src/rl/users/hooks.js';

export const ROOT = join(import.meta.dirname, '..');
export const readConfig = (rel: string): Record<string, unknown> => YAML.parse(readFileSync(join(ROOT, 'configs', rel), 'utf8')) ?? {};

/**
 * Perception input shapes: T = 32 steps on the shared timeline, batch 32, per-modality
 * feature widths as in bench/perception_fusion.ts (audio 40, face 16, physio 32), the
 * five emotion classes of the intervention env. The PyTorch references use the same.
 */
export const PERCEPTION_SHAPE = { T: 32, batch: 32, dims: { audio: 40, face: 16, physio: 32 }, classes: [...DEFAULT_CLASSES] as string[] };

export function perceptionSet(n: number, seed = 'bench/perception'): PerceptionSet {
  const { T, dims, classes } = PERCEPTION_SHAPE;
  const rng = new Rng(seed);
  const items: PerceptionItem[] = Array.from({ length: n }, (_, i) => ({
    classIndex: i % classes.length,
    arousal: rng.uniform(-1, 1),
    valence: rng.uniform(-1, 1),
    features: Object.fromEntries(Object.entries(dims).map(([m, d]) => [m, { values: rng.normalArray(T * d), dim: d, T }])),
  }));
  return makeSet(items, Object.keys(dims) as (keyof typeof dims)[], dims, T);
}

export function perceptionTrainConfig(): PerceptionTrainConfig {
  return parsePerceptionTrainConfig((readConfig('perception/default.yaml').train as object) ?? {});
}

/** A fusion model from configs/fusion/<name>.yaml. */
export function perceptionModel(name: string, seed = 1) {
  const fusion = readConfig(`fusion/${name}.yaml`);
  const train = perceptionTrainConfig();
  return { model: createPerceptionModel(fusion, PERCEPTION_SHAPE.dims, PERCEPTION_SHAPE.classes.length, new Rng(seed), train), fusion, train };
}

export function reasoningModel(): ReasoningModel {
  return new ReasoningModel(PERCEPTION_SHAPE.classes, parseReasoningConfig(readConfig('reasoning/default.yaml')), new Rng('bench/reasoning'));
}

export interface GeneratorFixture {
  cfg: GeneratorConfig;
  tokenizer: Tokenizer;
  entries: CorpusEntry[];
  generator: Generator;
}

/** Default generator config, a 1000-token BPE tokenizer trained on the bundled corpus (the five env classes). */
export function generatorFixture(perCell = 2): GeneratorFixture {
  const cfg = parseGeneratorConfig(readConfig('generator/default.yaml'));
  const entries = buildCorpus({ rng: new Rng(0), perCell, emotions: PERCEPTION_SHAPE.classes });
  const tokenizer = trainTokenizer(entries.filter((e) => e.split === 'train').map((e) => e.text), { vocabSize: 1000 });
  const model = new ConditionalTransformer(cfg, { vocabSize: tokenizer.vocabSize, classes: PERCEPTION_SHAPE.classes }, new Rng('bench/generator'));
  return { cfg, tokenizer, entries, generator: new Generator(model, tokenizer) };
}
