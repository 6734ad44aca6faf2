import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseOverride } from '../../src/config/index.js';
import { thrown } from './fixture.js';

// Expected values follow Hydra 1.3's override grammar documentation
// (hydra.cc/docs/advanced/override_grammar/basic): the typed value each
// literal parses to there.
describe('parseOverride: kinds', () => {
  it('key=value sets', () => {
    expect(parseOverride('fusion.heads=4')).toEqual({ raw: 'fusion.heads=4', kind: 'set', key: 'fusion.heads', value: 4 });
  });
  it('+key=value adds, ++key=value forces', () => {
    expect(parseOverride('+new.key=abc')).toMatchObject({ kind: 'add', key: 'new.key', value: 'abc' });
    expect(parseOverride('++seed=2')).toMatchObject({ kind: 'force', key: 'seed', value: 2 });
  });
  it('~key deletes, ~key=value deletes only that value', () => {
    const d = parseOverride('~fusion.heads');
    expect(d.kind).toBe('delete');
    expect(d.key).toBe('fusion.heads');
    expect(d.value).toBeUndefined();
    expect(parseOverride('~fusion=late_dr')).toMatchObject({ kind: 'delete', key: 'fusion', value: 'late_dr' });
  });
  it('group paths and list indices are keys', () => {
    expect(parseOverride('perception/features=mfcc').key).toBe('perception/features');
    expect(parseOverride('layers.0=5').key).toBe('layers.0');
    expect(parseOverride('dataset@eval_data=iemocap').key).toBe('dataset@eval_data');
  });
  it('key= sets the empty string (as in Hydra)', () => {
    expect(parseOverride('name=').value).toBe('');
  });
});

describe('parseOverride: values', () => {
  const v = (s: string) => parseOverride(`k=${s}`).value;
  it('ints, floats, signs, underscores', () => {
    expect(v('10')).toBe(10);
    expect(v('-3')).toBe(-3);
    expect(v('1_000')).toBe(1000);
    expect(v('1e-4')).toBe(0.0001);
    expect(v('3.14')).toBe(3.14);
    expect(v('.5')).toBe(0.5);
    expect(v('-1.5e3')).toBe(-1500);
    expect(v('inf')).toBe(Infinity);
    expect(v('-inf')).toBe(-Infinity);
    expect(Number.isNaN(v('nan'))).toBe(true);
  });
  it('bools and null, case-insensitive', () => {
    expect(v('true')).toBe(true);
    expect(v('False')).toBe(false);
    expect(v('null')).toBe(null);
    expect(v('NULL')).toBe(null);
  });
  it('unquoted strings keep inner spaces and special characters', () => {
    expect(v('late_dr')).toBe('late_dr');
    expect(v('a b c')).toBe('a b c');
    expect(v('  padded  ')).toBe('padded');
    expect(v('/data/iemocap')).toBe('/data/iemocap');
    expect(v('007')).toBe('007');
    expect(v('1.2.3')).toBe('1.2.3');
    expect(v('yes')).toBe('yes');
  });
  it('quoted strings with escapes stay strings', () => {
    expect(v("'5'")).toBe('5');
    expect(v('"true"')).toBe('true');
    expect(v("'it\\'s'")).toBe("it's");
    expect(v('"a \\"b\\" c"')).toBe('a "b" c');
    expect(v("'a,b=c'")).toBe('a,b=c');
    expect(v("''")).toBe('');
  });
  it('backslash escapes in unquoted strings', () => {
    expect(v('a\\,b')).toBe('a,b');
    expect(v('x\\=y')).toBe('x=y');
  });
  it('lists and dicts, nested', () => {
    expect(v('[a,1,[b]]')).toEqual(['a', 1, ['b']]);
    expect(v('[]')).toEqual([]);
    expect(v('[ 1 , 2.5 , null ]')).toEqual([1, 2.5, null]);
    expect(v('{a:1,b:[2]}')).toEqual({ a: 1, b: [2] });
    expect(v('{a: {b: x y}, c: "q,r"}')).toEqual({ a: { b: 'x y' }, c: 'q,r' });
    expect(v('{}')).toEqual({});
    expect(v('[audio,face]')).toEqual(['audio', 'face']);
  });
  it('interpolations are kept verbatim, commas inside them do not sweep', () => {
    expect(v('${fusion.heads}')).toBe('${fusion.heads}');
    expect(v('${oc.env:HOME,/tmp}')).toBe('${oc.env:HOME,/tmp}');
    expect(v('run_${seed}_x')).toBe('run_${seed}_x');
    expect(v('${a.${b}}')).toBe('${a.${b}}');
    expect(parseOverride('k=${oc.env:X,1}').sweep).toBeUndefined();
  });
});

describe('parseOverride: sweeps', () => {
  it('a,b,c is a list sweep of typed values', () => {
    expect(parseOverride('seed=1,2,3').sweep).toEqual({ type: 'list', values: [1, 2, 3] });
    expect(parseOverride('fusion=late_dr, attention_gru').sweep).toEqual({ type: 'list', values: ['late_dr', 'attention_gru'] });
  });
  it('a sweep over lists needs brackets', () => {
    expect(parseOverride('modalities=[audio],[audio,face]').sweep).toEqual({ type: 'list', values: [['audio'], ['audio', 'face']] });
    expect(parseOverride('modalities=[audio,face]').sweep).toBeUndefined();
  });
  it('choice(...) and range(...)', () => {
    expect(parseOverride('fusion=choice(a,b)').sweep).toEqual({ type: 'list', values: ['a', 'b'] });
    expect(parseOverride('seed=range(1,5)').sweep).toEqual({ type: 'range', start: 1, stop: 5, step: 1 });
    expect(parseOverride('lr=range(0, 1, 0.25)').sweep).toEqual({ type: 'range', start: 0, stop: 1, step: 0.25 });
    expect(parseOverride('seed=range(start=2,stop=8,step=3)').sweep).toEqual({ type: 'range', start: 2, stop: 8, step: 3 });
  });
  it('a sweep has no single value', () => {
    expect(parseOverride('seed=1,2').value).toBeUndefined();
  });
});

describe('parseOverride: malformed input', () => {
  const cases: [string, RegExp][] = [
    ['=1', /missing key before '='/],
    ['a.=1', /invalid key "a\."/],
    ['a..b=1', /invalid key "a\.\.b"/],
    ['.a=1', /invalid key/],
    ['a', /expected key=value/],
    ['+a', /expected \+key=value/],
    ['++', /missing key after '\+\+'/],
    ['+', /missing key after '\+'/],
    ['~', /missing key after '~'/],
    ['a=[1,2', /unbalanced '\['/],
    ['a=1]', /unbalanced '\]'/],
    ['a={x:1', /unbalanced '\{'/],
    ['a=[1,[2]', /unbalanced '\['/],
    ['a="abc', /unterminated double quote/],
    ["a='abc", /unterminated single quote/],
    ['a=range(1)', /range\(\.\.\.\) needs start and stop/],
    ['a=range(a,b)', /range\(\.\.\.\): start is "a"/],
    ['a=range(0,5,0)', /step must not be 0/],
    ['a=range(5,1)', /is empty/],
    ['a=range(1,2', /expected ',' or '\)'/],
    ['a=foo(1)', /unknown function "foo"/],
    ['a=1,,2', /missing value/],
    ['a=b=c', /unexpected '='/],
    ['a=${x', /unterminated interpolation/],
    ['a=\'x\'y', /after a quoted string/],
    ['~a=1,2', /deletion cannot sweep/],
    ['a b=1', /invalid key "a b"/],
  ];
  for (const [raw, re] of cases) {
    it(`${raw} → ConfigError`, () => {
      const e = thrown(() => parseOverride(raw));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(re);
      // one line that quotes the override
      expect(e.message).toContain(JSON.stringify(raw));
      expect(e.message).not.toContain('\n');
    });
  }
});
