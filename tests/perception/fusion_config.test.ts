// Metric helpers against hand-computed values, config schemas and files, and input validation.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { itemFromFeatures, makeSet, type PerceptionItem } from '../../src/perception/fusion/batch.js';
import { fusions } from '../../src/perception/fusion/registry.js';
import { classificationMetrics, simAV } from '../../src/perception/metrics.js';
import { parseFusionConfig, parsePerceptionTrainConfig } from '../../src/perception/model.js';

const readYaml = (rel: string) => YAML.parse(readFileSync(new URL(`../../configs/${rel}`, import.meta.url), 'utf8'));

describe('metrics (hand-computed)', () => {
  it('ACC, UA (macro recall) and weighted F1', () => {
    // Recalls 2/3, 1/2, 1; precisions 1, 1/2, 1/2; F1 0.8, 0.5, 2/3; supports 3, 2, 1.
    const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
    expect(m.ACC).toBeCloseTo(4 / 6, 12);
    expect(m.UA).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 12);
    expect(m.F1w).toBeCloseTo((3 * 0.8 + 2 * 0.5 + 1 * (2 / 3)) / 6, 12);
  });

  it('UA averages only over classes present in y_true (sklearn balanced accuracy)', () => {
    expect(classificationMetrics([0, 0, 1], [0, 2, 1], 3).UA).toBeCloseTo(0.75, 12);
  });

  it('SIM: mean cosine of centred (arousal, valence) vectors; a zero vector counts 0', () => {
    const s = simAV([1, 0, 0, 1, 0, 0], [1, 1, 0, -1, 0.5, 0.5]);
    expect(s).toBeCloseTo((Math.SQRT1_2 - 1 + 0) / 3, 12);
  });
});

describe('fusion configs', () => {
  it('every strategy has configs/fusion/<name>.yaml, which validates against its schema', () => {
    const files = readdirSync(new URL('../../configs/fusion/', import.meta.url)).filter((f) => f.endsWith('.yaml'));
    expect(files.map((f) => f.replace('.yaml', '')).sort()).toEqual(fusions.names());
    for (const f of files) {
      const raw = readYaml(`fusion/${f}`);
      expect(raw.name).toBe(f.replace('.yaml', ''));
      expect(parseFusionConfig(raw).name).toBe(raw.name);
    }
  });

  it('errors name the key, the value and what was expected', () => {
    expect(() => parseFusionConfig({ name: 'atention_gru' })).toThrow(/fusion\.name: unknown fusion "atention_gru".*did you mean "attention_gru"/);
    expect(() => parseFusionConfig({ name: 'dgcnn', hops: 3 })).toThrow(ConfigError);
    expect(() => parseFusionConfig({ name: 'dgcnn', hops: 3 })).toThrow(/hops/);
    expect(() => parseFusionConfig({ name: 'attention_gru', dim: 10, heads: 4 })).toThrow(/fusion\.heads: dim must be divisible by heads/);
    expect(() => parseFusionConfig({ name: 'late_dr', combine: 'mean' })).toThrow(/fusion\.combine: .*"max".*"sum"/);
    expect(() => parseFusionConfig({ name: 'early', hidden: 'big' })).toThrow(/fusion\.hidden: .*expected number, received string/);
    expect(() => parseFusionConfig('early')).toThrow(/fusion: "early"; expected an object with a string `name`/);
  });
});

describe('perception.train', () => {
  it('configs/perception/default.yaml is exactly the schema defaults', () => {
    expect(parsePerceptionTrainConfig(readYaml('perception/default.yaml').train)).toEqual(parsePerceptionTrainConfig({}));
  });

  it("configs/experiment/gu2025.yaml carries paper 001's values (Adam 1e-4, wd 1e-5, batch 32, dropout 0.3, patience 5, 60 epochs)", () => {
    const exp = readYaml('experiment/gu2025.yaml');
    expect(exp.defaults).toContainEqual({ 'override /fusion': 'attention_gru' });
    const base = readYaml('perception/default.yaml').train;
    const o = exp.perception.train;
    const cfg = parsePerceptionTrainConfig({ ...base, ...o, optimizer: { ...base.optimizer, ...o.optimizer } });
    expect(cfg.optimizer).toMatchObject({ name: 'adam', lr: 1e-4, weightDecay: 1e-5 });
    expect(cfg).toMatchObject({ batchSize: 32, dropout: 0.3, patience: 5, maxEpochs: 60 });
  });

  it('rejects unknown keys and bad values with the path', () => {
    expect(() => parsePerceptionTrainConfig({ epochs: 3 })).toThrow(/perception\.train: Unrecognized key.*epochs/);
    expect(() => parsePerceptionTrainConfig({ optimizer: { weightDecayMode: 'adamw' } })).toThrow(/perception\.train\.optimizer\.weightDecayMode/);
    expect(() => parsePerceptionTrainConfig({ dropout: 1 })).toThrow(/perception\.train\.dropout/);
  });
});

describe('makeSet input validation', () => {
  const dims = { audio: 2, face: 1 };
  const good = (): PerceptionItem => ({
    id: 'utt7',
    classIndex: 1,
    arousal: 0.2,
    valence: -0.3,
    features: { audio: { values: new Float32Array([1, 2, 3, 4, 5, 6]), dim: 2, T: 3 }, face: { values: new Float32Array([7, 8]), dim: 1, T: 2 } },
  });

  it('packs values, pads to T, and sets the time and presence masks', () => {
    const noFace = good();
    delete noFace.features.face;
    const s = makeSet([good(), noFace], ['face', 'audio'], dims, 4, { nClasses: 3 });
    expect(s.modalities).toEqual(['audio', 'face']);
    expect(Array.from(s.x.audio!.subarray(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
    expect(Array.from(s.x.face!)).toEqual([7, 8, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(s.timeMask)).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(Array.from(s.presence)).toEqual([1, 1, 1, 0]);
    expect(Array.from(s.av)).toEqual([0.2, -0.3, 0.2, -0.3].map(Math.fround));
  });

  it('bad items get one-line errors naming the item, field, value and expectation', () => {
    const cases: [(i: PerceptionItem) => void, RegExp][] = [
      [(i) => (i.features.audio!.dim = 3), /utt7: features\.audio\.dim 3; expected 2/],
      [(i) => (i.features.audio!.T = 9), /utt7: features\.audio\.T 9; expected an integer in \[0, 4\]/],
      [(i) => (i.features.audio!.values = new Float32Array(5)), /utt7: features\.audio\.values has 5 numbers; expected T·dim = 6/],
      [(i) => (i.features.audio!.values[2] = NaN), /utt7: features\.audio\.values\[2\] is NaN/],
      [(i) => (i.classIndex = 3), /utt7: classIndex 3; expected an integer in \[0, 3\)/],
      [(i) => (i.valence = 1.5), /utt7: valence 1\.5; expected a number in \[-1, 1\]/],
    ];
    for (const [mutate, re] of cases) {
      const it = good();
      mutate(it);
      expect(() => makeSet([it], ['audio', 'face'], dims, 4, { nClasses: 3 })).toThrow(DataError);
      expect(() => makeSet([it], ['audio', 'face'], dims, 4, { nClasses: 3 })).toThrow(re);
    }
    expect(() => makeSet([good()], ['audio', 'smell' as never], dims, 4)).toThrow(/modalities: unknown modality "smell"/);
  });
});

describe('itemFromFeatures', () => {
  it('takes T from the timestamps and checks values against times·dim', () => {
    const it = itemFromFeatures({ audio: { times: new Float32Array([0, 0.5, 1]), values: new Float32Array(6), dim: 2 } }, { classIndex: 2, arousal: 0.1, valence: 0.2 }, 'u1');
    expect(it.features.audio!.T).toBe(3);
    expect(it.features.face).toBeUndefined();
    expect(it.classIndex).toBe(2);
    expect(() => itemFromFeatures({ face: { times: new Float32Array(2), values: new Float32Array(5), dim: 2 } }, undefined, 'u2')).toThrow(
      /u2: features\.face\.values has 5 numbers; expected times\.length·dim = 2·2/,
    );
  });
});
