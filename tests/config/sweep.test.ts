import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { expandSweep, rangeValues } from '../../src/config/index.js';

describe('expandSweep', () => {
  it('no sweep: one job with the overrides unchanged', () => {
    expect(expandSweep(['seed=1', '+x.y=[a,b]'])).toEqual([['seed=1', '+x.y=[a,b]']]);
    expect(expandSweep([])).toEqual([[]]);
  });

  it("Hydra's order: first override outermost, last fastest", () => {
    // Hydra tutorial (tutorials/basic/running_your_app/multi-run):
    //   -m db=mysql,postgresql schema=warehouse,support,school
    // runs #0 db=mysql schema=warehouse, #1 db=mysql schema=support,
    // #2 db=mysql schema=school, #3 db=postgresql schema=warehouse, ...
    expect(expandSweep(['db=mysql,postgresql', 'schema=warehouse,support,school'])).toEqual([
      ['db=mysql', 'schema=warehouse'],
      ['db=mysql', 'schema=support'],
      ['db=mysql', 'schema=school'],
      ['db=postgresql', 'schema=warehouse'],
      ['db=postgresql', 'schema=support'],
      ['db=postgresql', 'schema=school'],
    ]);
  });

  it('fusion=a,b seed=1,2 → 4 jobs, plain overrides kept in place', () => {
    expect(expandSweep(['fusion=a,b', 'name=x', 'seed=1,2'])).toEqual([
      ['fusion=a', 'name=x', 'seed=1'],
      ['fusion=a', 'name=x', 'seed=2'],
      ['fusion=b', 'name=x', 'seed=1'],
      ['fusion=b', 'name=x', 'seed=2'],
    ]);
  });

  it('range is Python-like: stop exclusive, step optional, floats allowed', () => {
    expect(expandSweep(['seed=range(0,3)'])).toEqual([['seed=0'], ['seed=1'], ['seed=2']]);
    expect(expandSweep(['seed=range(1,10,4)'])).toEqual([['seed=1'], ['seed=5'], ['seed=9']]);
    expect(expandSweep(['seed=range(3,0,-1)'])).toEqual([['seed=3'], ['seed=2'], ['seed=1']]);
    // float ranges keep a decimal point so each value parses back as a float
    expect(expandSweep(['lr=range(0,1,0.25)'])).toEqual([['lr=0.0'], ['lr=0.25'], ['lr=0.5'], ['lr=0.75']]);
    expect(expandSweep(['lr=range(0.1,0.4,0.1)'])).toEqual([['lr=0.1'], ['lr=0.2'], ['lr=0.3']]);
    expect(rangeValues({ start: 0, stop: 1, step: 0.1 })).toHaveLength(10);
  });

  it('choice(...) and sweeps over lists keep the text as written', () => {
    expect(expandSweep(['modalities=[audio],[audio,face]', '+tag=choice(a, "b c")'])).toEqual([
      ['modalities=[audio]', '+tag=a'],
      ['modalities=[audio]', '+tag="b c"'],
      ['modalities=[audio,face]', '+tag=a'],
      ['modalities=[audio,face]', '+tag="b c"'],
    ]);
  });

  it('counts multiply', () => {
    expect(expandSweep(['a=1,2,3', 'b=range(0,4)', 'c=x,y'])).toHaveLength(24);
  });

  it('malformed overrides fail before any job is made', () => {
    expect(() => expandSweep(['seed=1,2', 'a=[1'])).toThrow(ConfigError);
  });
});
