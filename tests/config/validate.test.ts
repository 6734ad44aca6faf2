import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import { composeConfig, ConfigValidationError, validateConfig } from '../../src/config/index.js';
import { composeSchema, coreSchema } from '../../src/config/schema.js';
import { thrown } from './fixture.js';

const fusion = z.strictObject({ heads: z.int().min(1), dim: z.number(), kind: z.enum(['attention_gru', 'late_dr']) });
const schema = composeSchema({ fusion });
const core = { experiment: 'default', job: 'train', seed: 0, backend: 'auto', name: null, log_level: 'info', progress: 'auto', plugins: [], launcher: {} };
const ok = { ...core, fusion: { heads: 4, dim: 8, kind: 'late_dr' } };

const err = (cfg: unknown, s: z.ZodType = schema) => thrown(() => validateConfig(cfg, s)) as ConfigValidationError;

describe('validateConfig', () => {
  it('returns the parsed config', () => {
    expect(validateConfig(ok, schema)).toEqual(ok);
  });

  it('wrong type: path, expected, received, value', () => {
    const e = err({ ...ok, fusion: { ...ok.fusion, heads: 'four' } });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe('config key fusion.heads: expected number, received string (value "four")');
  });

  it('unknown key: suggestion and allowed keys', () => {
    const e = err({ ...ok, fusion: { heads: 4, dim: 8, kind: 'late_dr', hedas: 2 } });
    expect(e.message).toBe('config key fusion.hedas: unknown key; did you mean "heads"? allowed keys: heads, dim, kind');
  });

  it('unknown root key lists the core keys and sections', () => {
    const e = err({ ...ok, sed: 1 });
    expect(e.message).toMatch(/^config key sed: unknown key; did you mean "seed"\? allowed keys: experiment, job, seed, backend, name, log_level, progress, plugins, launcher, fusion$/);
  });

  it('enum: allowed values and the nearest', () => {
    expect(err({ ...ok, backend: 'wsam' }).message).toBe('config key backend: expected one of auto, tensorflow, wasm, cpu, received "wsam"; did you mean "wasm"?');
    expect(err({ ...ok, fusion: { ...ok.fusion, kind: 'late' } }).message).toMatch(/config key fusion.kind: expected one of attention_gru, late_dr, received "late"/);
  });

  it('bounds and missing keys', () => {
    expect(err({ ...ok, seed: -1 }).message).toBe('config key seed: expected number >= 0, received -1');
    const { dim: _dim, ...noDim } = ok.fusion;
    expect(err({ ...ok, fusion: noDim }).message).toBe('config key fusion.dim: missing, expected number');
  });

  it('??? left unset is reported as mandatory', () => {
    expect(err({ ...ok, fusion: { ...ok.fusion, dim: '???' } }).message).toBe('config key fusion.dim: mandatory value not set (???); set it with fusion.dim=<value>');
  });

  it('unions: the alternatives are named', () => {
    expect(err({ ...ok, name: 5 }).message).toMatch(/^config key name: expected string(, received| or null)/);
    const u = z.strictObject({ v: z.union([z.string(), z.array(z.string())]) });
    expect(err({ v: 3 }, u).message).toBe('config key v: expected string or array, received number (value 3)');
  });

  it('several problems: the first in the message, all in issues', () => {
    const e = err({ ...ok, seed: 'x', backend: 'gpu', fusion: { ...ok.fusion, heads: 0 } });
    expect(e).toBeInstanceOf(ConfigValidationError);
    expect(e.issues).toHaveLength(3);
    expect(e.message).toBe(`${e.issues[0]} (and 2 more problems)`);
    expect(e.issues.join('\n')).toMatch(/config key seed:/);
    expect(e.issues.join('\n')).toMatch(/config key backend:/);
    expect(e.issues.join('\n')).toMatch(/config key fusion.heads: expected number >= 1, received 0/);
  });
});

describe('coreSchema', () => {
  it('accepts the documented root keys and fills defaults', () => {
    expect(coreSchema.parse({})).toEqual({ ...core, job: 'placeholder' });
    expect(coreSchema.parse({ ...core, launcher: { jobs: 2, anything: true } }).launcher).toEqual({ jobs: 2, anything: true });
  });
  it('is strict and checks each key', () => {
    expect(() => coreSchema.parse({ fusion: {} })).toThrow();
    expect(err({ seed: 1.5 }, coreSchema).message).toMatch(/config key seed: expected int/);
    expect(err({ progress: 'bars' }, coreSchema).message).toMatch(/expected one of auto, bar, lines, off, received "bars"; did you mean "bar"\?/);
    expect(err({ log_level: 'verbose' }, coreSchema).message).toMatch(/expected one of debug, info, warn, error/);
    expect(err({ plugins: 'x' }, coreSchema).message).toMatch(/config key plugins: expected array/);
  });
  it('the bundled configs/config.yaml composes and validates', () => {
    const configDir = new URL('../../configs', import.meta.url).pathname;
    const { config, choices } = composeConfig({ configDir, overrides: [] });
    const sections = Object.fromEntries(['dataset', 'perception', 'fusion', 'reasoning', 'generator', 'sem', 'rl', 'pipeline'].map((k) => [k, z.unknown()]));
    const v = validateConfig(config, composeSchema(sections));
    // The default experiment is the full pipeline (perception -> reasoning -> generation -> PPO).
    expect(v).toMatchObject({ ...core, job: 'pipeline', experiment: 'default' });
    for (const g of ['dataset', 'perception', 'fusion', 'reasoning', 'generator', 'sem', 'rl', 'launcher', 'experiment']) expect(choices[g]).toBeTypeOf('string');
  });
});
