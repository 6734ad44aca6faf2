import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatorSectionSchema, parseGeneratorConfig } from '../../src/generation/config.js';
import { parseReasoningConfig } from '../../src/reasoning/config.js';
import { semSectionSchema } from '../../src/generation/sem/index.js';

const load = (p: string) => YAML.parse(readFileSync(new URL(`../../configs/${p}`, import.meta.url), 'utf8'));

describe('config sections', () => {
  it('the shipped YAML files validate and list every schema key', () => {
    const g = load('generator/default.yaml');
    const cfg = parseGeneratorConfig(g);
    expect(Object.keys(g).sort()).toEqual(Object.keys(generatorSectionSchema.shape).sort());
    expect(cfg.d_model % cfg.heads).toBe(0);
    expect(parseReasoningConfig(load('reasoning/default.yaml')).mode).toBe('learned');
    expect(semSectionSchema.parse(load('sem/default.yaml')).encoder).toBe('trained');
  });

  it('errors name the key, the value and what was expected', () => {
    expect(() => parseGeneratorConfig({ heads: 5, d_model: 64 })).toThrow(/generator\.heads: d_model=64 is not divisible by heads=5/);
    expect(() => parseGeneratorConfig({ lambda: -1 })).toThrow(/generator\.lambda: /);
    expect(() => parseGeneratorConfig({ layer: 2 })).toThrow(/generator: .*layer/);
    expect(() => parseGeneratorConfig({ use_context: true })).toThrow(/generator\.context_dim: 0 with use_context=true/);
    expect(() => parseReasoningConfig({ mode: 'fuzzy' })).toThrow(/reasoning\.mode: /);
  });
});
