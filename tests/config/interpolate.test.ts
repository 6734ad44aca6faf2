import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { composeConfig, resolveInterpolations } from '../../src/config/index.js';
import { thrown, tree } from './fixture.js';

// Expected behaviour from OmegaConf's documentation (usage.html#variable-interpolation):
// a lone interpolation keeps the node's type, one inside a string is stringified.
describe('resolveInterpolations', () => {
  it('a lone reference keeps the type (number, bool, null, dict, list)', () => {
    const out = resolveInterpolations({
      model: { dim: 64, use: true, none: null, opt: { lr: 0.1 }, layers: [1, 2] },
      a: '${model.dim}',
      b: '${model.use}',
      c: '${model.none}',
      d: '${model.opt}',
      e: '${model.layers}',
      f: '${model.layers.1}',
      g: '${model.layers[0]}',
    });
    expect(out.a).toBe(64);
    expect(out.b).toBe(true);
    expect(out.c).toBe(null);
    expect(out.d).toEqual({ lr: 0.1 });
    expect(out.e).toEqual([1, 2]);
    expect(out.f).toBe(2);
    expect(out.g).toBe(1);
  });

  it('embedded references are stringified', () => {
    const out = resolveInterpolations({ seed: 3, lr: 1e-4, name: 'gru', run: 'run_${name}_s${seed}_lr${lr}', flag: 'x=${ok}', ok: false });
    expect(out.run).toBe('run_gru_s3_lr0.0001');
    expect(out.flag).toBe('x=false');
  });

  it('chained and nested references', () => {
    const out = resolveInterpolations({
      a: '${b}',
      b: '${c.d}',
      c: { d: 5 },
      which: 'gru',
      models: { gru: { dim: 32 }, lstm: { dim: 16 } },
      dim: '${models.${which}.dim}',
      inner: { x: 1, y: '${.x}', z: '${..a}' },
    });
    expect(out.a).toBe(5);
    expect(out.b).toBe(5);
    expect(out.dim).toBe(32);
    expect(out.inner).toEqual({ x: 1, y: 1, z: 5 });
  });

  it('interpolations inside a referenced dict are resolved too', () => {
    const out = resolveInterpolations({ base: { dim: '${size}' }, size: 7, copy: '${base}' });
    expect(out.copy).toEqual({ dim: 7 });
  });

  it('oc.env reads the environment, with a default', () => {
    const env = { AFFECTLAB_DATA: '/mnt/data' };
    const out = resolveInterpolations(
      { a: '${oc.env:AFFECTLAB_DATA}', b: '${oc.env:NOPE_X,/tmp/d}', c: '${oc.env:NOPE_X,null}', d: "${oc.env:NOPE_X,'a,b'}", e: 'root=${oc.env:AFFECTLAB_DATA}/x' },
      env,
    );
    expect(out).toEqual({ a: '/mnt/data', b: '/tmp/d', c: null, d: 'a,b', e: 'root=/mnt/data/x' });
    expect(thrown(() => resolveInterpolations({ k: { p: '${oc.env:NOPE_X}' } }, {})).message).toBe(
      'config key k.p: environment variable NOPE_X is not set and ${oc.env:NOPE_X} has no default',
    );
  });

  it('\\${ is a literal', () => {
    expect(resolveInterpolations({ a: 'cost \\${x}', x: 1 }).a).toBe('cost ${x}');
  });

  it('a missing key names the key holding the interpolation and the nearest key', () => {
    const e = thrown(() => resolveInterpolations({ model: { dim: 3 }, head: { size: '${model.dimm}' } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe('config key head.size: interpolation ${model.dimm} refers to missing key model.dimm; did you mean "model.dim"?');
  });

  it('a cycle is reported, naming the keys', () => {
    const e = thrown(() => resolveInterpolations({ a: '${b}', b: { c: '${a}' } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^config key b\.c: interpolation cycle a -> b\.c -> a$/);
    expect(thrown(() => resolveInterpolations({ s: 'x${s}' })).message).toMatch(/config key s: interpolation cycle s -> s/);
  });

  it('unknown resolver and unterminated interpolation', () => {
    expect(thrown(() => resolveInterpolations({ a: '${foo:1}' })).message).toMatch(/config key a: unknown resolver "foo"/);
    expect(thrown(() => resolveInterpolations({ a: 'x ${b' })).message).toMatch(/config key a: unterminated interpolation/);
  });

  it('does not modify its input', () => {
    const input = { a: '${b}', b: 1 };
    resolveInterpolations(input);
    expect(input.a).toBe('${b}');
  });
});

describe('interpolation in composed configs', () => {
  const dir = tree({
    'config.yaml': 'defaults:\n  - fusion: gru\n  - _self_\nseed: 0\nrun_name: ${fusion.kind}_${seed}\nhidden: ${fusion.dim}\n',
    'fusion/gru.yaml': 'kind: gru\ndim: 16\nout: ${.dim}\n',
  });
  it('resolves after overrides are applied', () => {
    const { config } = composeConfig({ configDir: dir, overrides: ['seed=4', 'fusion.dim=32', '+alias=${hidden}'] });
    expect(config.run_name).toBe('gru_4');
    expect(config.hidden).toBe(32);
    expect(config.alias).toBe(32);
    expect((config.fusion as { out: number }).out).toBe(32);
  });
  it('env via composeConfig', () => {
    const { config } = composeConfig({ configDir: dir, overrides: ['+root=${oc.env:AFFECTLAB_T,/x}'], env: { AFFECTLAB_T: '/y' } });
    expect(config.root).toBe('/y');
  });
  it('missing reference from an override', () => {
    expect(thrown(() => composeConfig({ configDir: dir, overrides: ['+alias=${nope}'] })).message).toMatch(/^config key alias: interpolation \$\{nope\} refers to missing key nope/);
  });
});
