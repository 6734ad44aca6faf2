import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { ConfigError } from '../../src/core/errors.js';
import { editDistance, nearest } from '../../src/core/suggest.js';

describe('Registry', () => {
  it('registers, lists and rejects duplicates', () => {
    const r = new Registry<number>('fusion');
    r.register('late_dr', 1);
    r.register('early', 2);
    expect(r.names()).toEqual(['early', 'late_dr']);
    expect(() => r.register('early', 3)).toThrow(ConfigError);
    r.register('early', 3, { override: true });
    expect(r.get('early')).toBe(3);
  });

  it('suggests the nearest name for an unknown one', () => {
    const r = new Registry<number>('fusion');
    r.register('late_dr', 1);
    r.register('attention_gru', 2);
    expect(() => r.get('late_drr', 'config key fusion.name')).toThrow(
      'config key fusion.name: unknown fusion "late_drr"; expected one of attention_gru, late_dr; did you mean "late_dr"?',
    );
  });
});

describe('edit distance', () => {
  it('matches hand-computed distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(nearest('sead', ['seed', 'backend'])).toBe('seed');
    expect(nearest('zzzzzz', ['seed', 'backend'])).toBeUndefined();
  });
});
