import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { composeConfig, listGroupOptions } from '../../src/config/index.js';
import { thrown, tree } from './fixture.js';

const PRIMARY = `defaults:
  - dataset: synaffect
  - fusion: attention_gru
  - rl: null
  - _self_
experiment: default
job: train
seed: 0
tags: [a]
model:
  dim: 8
  name: m
fusion:
  heads: 2
`;

const FILES: Record<string, string> = {
  'config.yaml': PRIMARY,
  'dataset/synaffect.yaml': 'n: 100\nmodalities: [audio, face]\n',
  'dataset/iemocap.yaml': 'n: 5000\nroot: /data\n',
  'fusion/attention_gru.yaml': 'kind: attention_gru\nheads: 4\ndim: 64\n',
  'fusion/base.yaml': 'dropout: 0.1\ncombine: none\n',
  'fusion/late_dr.yaml': 'defaults:\n  - base\n  - _self_\nkind: late_dr\ncombine: max\n',
  'fusion/global_one.yaml': '# a comment first\n# @package _global_\nmarker: 1\n',
  'rl/ppo.yaml': 'lr: 3.0e-4\n',
  'generator/small.yaml': 'layers: 2\n',
  'perception/default.yaml': 'defaults:\n  - features: mfcc\n  - _self_\nwindow: 25\n',
  'perception/features/mfcc.yaml': 'n_mfcc: 13\n',
  'perception/features/egemaps.yaml': 'n: 88\n',
  // Hydra's form: the choice changes where the primary lists fusion; the experiment's keys win.
  'experiment/gu2025.yaml': '# @package _global_\ndefaults:\n  - override /fusion: late_dr\n  - _self_\nfusion:\n  combine: sum\nseed: 7\n',
  'experiment/override_self_first.yaml': 'defaults:\n  - _self_\n  - override /fusion: late_dr\nfusion:\n  combine: sum\n',
  // Plain entries: composed at the experiment's position, _self_ decides.
  'experiment/plain_self_last.yaml': 'defaults:\n  - fusion: late_dr\n  - _self_\nfusion:\n  combine: sum\n',
  'experiment/plain_self_first.yaml': 'defaults:\n  - _self_\n  - fusion: late_dr\nfusion:\n  combine: sum\n',
  'experiment/no_header.yaml': 'seed: 9\n',
  // only override entries (no _self_ added, as in Hydra): the file's keys still apply
  'experiment/only_overrides.yaml': 'defaults:\n  - override fusion: late_dr\nseed: 5\nfusion:\n  combine: mean\n',
  'experiment/adds_group.yaml': 'defaults:\n  - rl: ppo\n  - _self_\n',
  'experiment/bad_override.yaml': 'defaults:\n  - override /fusion: nosuch\n',
  'experiment/unknown_group.yaml': 'defaults:\n  - override /optimizer: adam\n',
};

const dir = tree(FILES);
const compose = (overrides: string[] = [], experiment?: string) => composeConfig({ configDir: dir, overrides, experiment });

describe('composeConfig: defaults list and packages', () => {
  it('group options land under their group; the primary _self_ (last) wins over them', () => {
    const { config, choices } = compose();
    expect(config.dataset).toEqual({ n: 100, modalities: ['audio', 'face'] });
    // heads: 4 in the option, 2 in the primary, primary _self_ last → 2
    expect(config.fusion).toEqual({ kind: 'attention_gru', heads: 2, dim: 64 });
    expect(config.model).toEqual({ dim: 8, name: 'm' });
    expect(choices).toEqual({ dataset: 'synaffect', fusion: 'attention_gru' });
    expect(config.experiment).toBe('default');
    expect(config.rl).toBeUndefined();
  });

  it('_self_ first: the group options override the primary', () => {
    const d = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', '').replace('defaults:\n', 'defaults:\n  - _self_\n') });
    expect(composeConfig({ configDir: d, overrides: [] }).config.fusion).toMatchObject({ heads: 4 });
  });

  it('no _self_: appended last (Hydra 1.1+)', () => {
    const d = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', '') });
    expect(composeConfig({ configDir: d, overrides: [] }).config.fusion).toMatchObject({ heads: 2 });
  });

  it('a non-group entry inherits a config of the same group; _self_ last wins', () => {
    const { config } = compose(['fusion=late_dr']);
    expect(config.fusion).toEqual({ dropout: 0.1, combine: 'max', kind: 'late_dr', heads: 2 });
  });

  it('# @package _global_ merges at the root', () => {
    const { config } = compose(['fusion=global_one']);
    expect(config.marker).toBe(1);
    expect(config.fusion).toEqual({ heads: 2 });
  });

  it('nested groups resolve relative to their folder, with nested packages and choices', () => {
    const { config, choices } = compose(['+perception=default']);
    expect(config.perception).toEqual({ features: { n_mfcc: 13 }, window: 25 });
    expect(choices['perception/features']).toBe('mfcc');
    const b = compose(['+perception=default', 'perception/features=egemaps']);
    expect(b.config.perception).toEqual({ features: { n: 88 }, window: 25 });
  });

  it('a nested group option can itself list defaults (relative to its folder)', () => {
    const d = tree({
      ...FILES,
      'perception/two.yaml': 'defaults:\n  - features@audio: mfcc\n  - features@face: egemaps\n',
    });
    const { config, choices } = composeConfig({ configDir: d, overrides: ['+perception=two', 'perception/features@face=mfcc'] });
    expect(config.perception).toEqual({ audio: { n_mfcc: 13 }, face: { n_mfcc: 13 } });
    expect(choices).toMatchObject({ 'perception/features@audio': 'mfcc', 'perception/features@face': 'mfcc' });
  });

  it('group@package places an option under another key', () => {
    const d = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', '  - dataset@eval_data: iemocap\n  - _self_\n') });
    const a = composeConfig({ configDir: d, overrides: [] });
    expect(a.config.eval_data).toEqual({ n: 5000, root: '/data' });
    expect(a.config.dataset).toEqual({ n: 100, modalities: ['audio', 'face'] });
    expect(a.choices).toMatchObject({ dataset: 'synaffect', 'dataset@eval_data': 'iemocap' });
    // the override key is group@package, as in Hydra
    const b = composeConfig({ configDir: d, overrides: ['dataset@eval_data=synaffect'] });
    expect(b.config.eval_data).toEqual(b.config.dataset);
    expect(composeConfig({ configDir: d, overrides: ['~dataset@eval_data'] }).config.eval_data).toBeUndefined();
  });

  it('one group listed twice in one defaults list is an error (as in Hydra)', () => {
    const d = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', '  - dataset: iemocap\n  - _self_\n') });
    expect(thrown(() => composeConfig({ configDir: d, overrides: [] })).message).toMatch(/config group dataset is listed twice/);
  });

  it('optional entries may be missing; ??? must be chosen', () => {
    const opt = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', '  - optional generator: nope\n  - _self_\n') });
    const skipped = composeConfig({ configDir: opt, overrides: [] });
    expect(skipped.config.generator).toBeUndefined();
    expect(skipped.notes).toEqual([expect.stringMatching(/config\.yaml: optional generator: option nope not found, skipped$/)]);
    const req = tree({ ...FILES, 'config.yaml': PRIMARY.replace('  - _self_\n', "  - generator: '???'\n  - _self_\n") });
    expect(thrown(() => composeConfig({ configDir: req, overrides: [] })).message).toMatch(/you must choose an option for config group generator, e\.g\. generator=<option>; available options: small/);
    expect(composeConfig({ configDir: req, overrides: ['generator=small'] }).config.generator).toEqual({ layers: 2 });
  });
});

describe('composeConfig: group overrides', () => {
  it('group=option selects an option', () => {
    const { config, choices } = compose(['dataset=iemocap']);
    expect(config.dataset).toEqual({ n: 5000, root: '/data' });
    expect(choices.dataset).toBe('iemocap');
  });

  it('a null entry can be set without +', () => {
    const { config, choices } = compose(['rl=ppo']);
    expect(config.rl).toEqual({ lr: 3e-4 });
    expect(choices.rl).toBe('ppo');
  });

  it('bad option → error naming group, option, available options and the nearest', () => {
    const e = thrown(() => compose(['fusion=late_drr']));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('config group fusion has no option "late_drr"');
    expect(e.message).toContain('available options: attention_gru, base, global_one, late_dr');
    expect(e.message).toContain('did you mean "late_dr"?');
    expect(e.message).toContain('fusion=late_drr');
  });

  it('+group=option appends a group; error when already selected', () => {
    expect(compose(['+generator=small']).config.generator).toEqual({ layers: 2 });
    expect(compose(['+generator=small']).choices.generator).toBe('small');
    expect(thrown(() => compose(['+fusion=late_dr'])).message).toMatch(/Could not append fusion=late_dr: the defaults list already selects fusion=attention_gru/);
  });

  it('group=option for a group not in the defaults list suggests +group', () => {
    const e = thrown(() => compose(['generator=small']));
    expect(e.message).toMatch(/Could not override 'generator'.*no match in the defaults list.*use \+generator=small/);
  });

  it('~group removes it; ~group=option only when that option is selected', () => {
    const a = compose(['~fusion']);
    expect(a.config.fusion).toEqual({ heads: 2 }); // only the primary's own keys remain
    expect(a.choices.fusion).toBeUndefined();
    expect(compose(['~fusion=attention_gru']).choices.fusion).toBeUndefined();
    expect(thrown(() => compose(['~fusion=late_dr'])).message).toMatch(/Could not delete 'fusion=late_dr'/);
    expect(thrown(() => compose(['~generator'])).message).toMatch(/Could not delete 'generator'/);
  });

  it('++group is refused like Hydra', () => {
    expect(thrown(() => compose(['++fusion=late_dr'])).message).toMatch(/\+\+ is not supported for config groups/);
  });

  it('a sweep cannot be composed', () => {
    expect(thrown(() => compose(['seed=1,2'])).message).toMatch(/is a sweep/);
  });
});

describe('composeConfig: experiments', () => {
  it('override /group: in the experiment changes the choice; its own keys win; name recorded', () => {
    const { config, choices } = compose([], 'gu2025');
    expect(config.fusion).toEqual({ dropout: 0.1, combine: 'sum', kind: 'late_dr', heads: 2 });
    expect(config.seed).toBe(7);
    expect(config.experiment).toBe('gu2025');
    expect(choices.experiment).toBe('gu2025');
    expect(choices.fusion).toBe('late_dr');
  });

  it('experiment option == override experiment=<name>; the option is recorded in overrides', () => {
    const a = compose(['seed=3'], 'gu2025');
    const b = compose(['experiment=gu2025', 'seed=3']);
    expect(a.config).toEqual(b.config);
    expect(a.choices).toEqual(b.choices);
    expect(a.overrides).toEqual(['experiment=gu2025', 'seed=3']);
    expect(a.config.seed).toBe(3); // command line after the experiment
  });

  it('command-line group overrides beat the experiment override', () => {
    const { config, choices } = compose(['fusion=attention_gru'], 'gu2025');
    expect(choices.fusion).toBe('attention_gru');
    expect(config.fusion).toEqual({ kind: 'attention_gru', heads: 2, dim: 64, combine: 'sum' });
  });

  it('with override entries the experiment keys win wherever _self_ sits (Hydra)', () => {
    expect(compose([], 'override_self_first').config.fusion).toMatchObject({ combine: 'sum', kind: 'late_dr' });
  });

  it('plain entries: _self_ last → experiment keys win; _self_ first → the option wins', () => {
    const last = compose([], 'plain_self_last');
    expect(last.config.fusion).toMatchObject({ kind: 'late_dr', combine: 'sum' });
    expect(last.choices.fusion).toBe('late_dr');
    const first = compose([], 'plain_self_first');
    expect(first.config.fusion).toMatchObject({ kind: 'late_dr', combine: 'max' });
    // the primary's attention_gru is replaced, not merged as well, and that is noted
    expect(first.config.fusion).not.toHaveProperty('dim');
    expect(first.notes).toEqual([expect.stringMatching(/config\.yaml: fusion: attention_gru replaced by experiment\/plain_self_first's late_dr$/)]);
    expect(compose().notes).toEqual([]);
  });

  it('an experiment with only override entries keeps its own keys; `override fusion` resolves to /fusion', () => {
    const { config, choices } = compose([], 'only_overrides');
    expect(choices.fusion).toBe('late_dr');
    expect(config.seed).toBe(5);
    expect(config.fusion).toMatchObject({ kind: 'late_dr', combine: 'mean' });
  });

  it('experiments are global even without a package header', () => {
    const { config } = compose([], 'no_header');
    expect(config.seed).toBe(9);
    expect(config).not.toHaveProperty('experiment.seed');
  });

  it('an experiment may add a group the primary does not list', () => {
    const { config, choices } = compose([], 'adds_group');
    expect(config.rl).toEqual({ lr: 3e-4 });
    expect(choices.rl).toBe('ppo');
  });

  it('a primary that lists experiment: default is overridden in place', () => {
    const d = tree({ ...FILES, 'config.yaml': `${PRIMARY.replace('  - _self_\n', '  - _self_\n  - experiment: base\n')}`, 'experiment/base.yaml': 'seed: 1\n' });
    expect(composeConfig({ configDir: d, overrides: [] }).config).toMatchObject({ seed: 1, experiment: 'base' });
    expect(composeConfig({ configDir: d, overrides: [], experiment: 'gu2025' }).config).toMatchObject({ seed: 7, experiment: 'gu2025' });
    expect(composeConfig({ configDir: d, overrides: ['+experiment=gu2025'] }).choices.experiment).toBe('gu2025');
  });

  it('a later experiment= replaces an earlier one', () => {
    expect(compose(['experiment=no_header'], 'gu2025').choices.experiment).toBe('no_header');
  });

  it('missing experiment → available ones and did-you-mean', () => {
    const e = thrown(() => compose([], 'gu2052'));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('config group experiment has no option "gu2052"');
    expect(e.message).toContain('adds_group, bad_override, gu2025, no_header, only_overrides');
    expect(e.message).toContain('did you mean "gu2025"?');
  });

  it('a bad option inside an experiment names the experiment file', () => {
    const e = thrown(() => compose([], 'bad_override'));
    expect(e.message).toMatch(/bad_override\.yaml: override fusion: config group fusion has no option "nosuch"/);
  });

  it('an experiment overriding a group nobody selects is an error', () => {
    expect(thrown(() => compose([], 'unknown_group')).message).toMatch(/unknown_group\.yaml: Could not override 'optimizer': no match in the defaults list/);
  });
});

describe('composeConfig: key overrides', () => {
  it('set, nested set, list replace, list index', () => {
    const { config } = compose(['seed=5', 'model.dim=16', 'tags=[x,y]', 'dataset.modalities.1=physio']);
    expect(config.seed).toBe(5);
    expect(config.model).toEqual({ dim: 16, name: 'm' });
    expect(config.tags).toEqual(['x', 'y']);
    expect((config.dataset as { modalities: string[] }).modalities).toEqual(['audio', 'physio']);
  });

  it('a dict value merges into an existing dict', () => {
    expect(compose(['model={dim: 32}']).config.model).toEqual({ dim: 32, name: 'm' });
  });

  it('unknown key → Hydra-like error naming the nearest key and the + form', () => {
    const e = thrown(() => compose(['model.dimm=16']));
    expect(e.message).toBe(`Could not override 'model.dimm': key not in config; did you mean "model.dim"?; to add it use +model.dimm=16`);
    expect(thrown(() => compose(['nosuch.key=1'])).message).toMatch(/Could not override 'nosuch.key': key not in config/);
  });

  it('+key adds (creating parents); error when the key exists', () => {
    expect(compose(['+model.extra=1']).config.model).toEqual({ dim: 8, name: 'm', extra: 1 });
    expect(compose(['+opt.sched.warmup=100']).config.opt).toEqual({ sched: { warmup: 100 } });
    expect(thrown(() => compose(['+model.dim=1'])).message).toMatch(/Could not append to config: an item is already at 'model.dim'/);
    // a list may be appended onto an existing key (Hydra merges containers)
    expect(compose(['+tags=[b]']).config.tags).toEqual(['b']);
  });

  it('++key adds or overrides', () => {
    const { config } = compose(['++model.dim=3', '++new.deep.key=true']);
    expect(config.model).toEqual({ dim: 3, name: 'm' });
    expect(config.new).toEqual({ deep: { key: true } });
  });

  it('~key deletes; ~key=value only when equal; missing key is an error', () => {
    expect(compose(['~model.name']).config.model).toEqual({ dim: 8 });
    expect(compose(['~model.dim=8']).config.model).toEqual({ name: 'm' });
    expect(thrown(() => compose(['~model.dim=9'])).message).toMatch(/the value of 'model.dim' is 8, not 9/);
    expect(thrown(() => compose(['~model.nosuch'])).message).toMatch(/'model.nosuch' does not exist/);
  });

  it('setting below a scalar is an error', () => {
    expect(thrown(() => compose(['+seed.x=1'])).message).toMatch(/seed is 0, not a dict/);
  });

  it('overrides apply after the experiment', () => {
    expect(compose(['seed=11'], 'gu2025').config.seed).toBe(11);
  });
});

describe('config search path and code-provided options', () => {
  const first = tree({ 'fusion/late_dr.yaml': 'kind: mine\n', 'fusion/extra.yaml': 'kind: extra\n' });
  it('the first folder with an option wins; the primary comes from wherever it is', () => {
    const { config } = composeConfig({ configDir: [first, dir], overrides: ['fusion=late_dr'] });
    expect(config.fusion).toEqual({ kind: 'mine', heads: 2 });
    expect(composeConfig({ configDir: [first, dir], overrides: ['fusion=extra'] }).choices.fusion).toBe('extra');
  });

  it('listGroupOptions unions the folders, sorted', () => {
    expect(listGroupOptions(dir, 'fusion')).toEqual(['attention_gru', 'base', 'global_one', 'late_dr']);
    expect(listGroupOptions([first, dir], 'fusion')).toEqual(['attention_gru', 'base', 'extra', 'global_one', 'late_dr']);
    expect(listGroupOptions(dir, 'nosuch')).toEqual([]);
  });

  it('extraGroupOptions provides options (files win over them)', () => {
    const extra = (g: string): Record<string, Record<string, unknown>> => (g === 'fusion' ? { plugin_fusion: { kind: 'plugin' }, late_dr: { kind: 'shadowed' } } : {});
    const a = composeConfig({ configDir: dir, overrides: ['fusion=plugin_fusion'], extraGroupOptions: extra });
    expect(a.config.fusion).toEqual({ kind: 'plugin', heads: 2 });
    const b = composeConfig({ configDir: dir, overrides: ['fusion=late_dr'], extraGroupOptions: extra });
    expect(b.config.fusion).toMatchObject({ kind: 'late_dr' });
    expect(thrown(() => composeConfig({ configDir: dir, overrides: ['fusion=plugin_fusoin'], extraGroupOptions: extra })).message).toContain('did you mean "plugin_fusion"?');
  });

  it('missing primary config', () => {
    expect(thrown(() => composeConfig({ configDir: first, overrides: [] })).message).toMatch(/primary config "config" not found/);
  });
});

describe('YAML problems', () => {
  it('syntax error → path:line:col', () => {
    const d = tree({ ...FILES, 'fusion/broken.yaml': 'kind: x\nheads: 4\nkind: y\n' });
    const e = thrown(() => composeConfig({ configDir: d, overrides: ['fusion=broken'] }));
    expect(e).toBeInstanceOf(ConfigError);
    // the duplicate key is on line 3, column 1
    expect(e.message).toMatch(new RegExp(`^${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/fusion/broken\\.yaml:3:1: Map keys must be unique`));
    expect(e.message).not.toContain('\n');
  });

  it('unterminated flow sequence reports its line', () => {
    const d = tree({ ...FILES, 'dataset/bad.yaml': 'n: 1\nmodalities: [audio, face\n' });
    const e = thrown(() => composeConfig({ configDir: d, overrides: ['dataset=bad'] }));
    expect(e.message).toMatch(/dataset\/bad\.yaml:\d+:\d+: /);
  });

  it('top level must be a mapping; defaults must be a list', () => {
    const d = tree({ ...FILES, 'fusion/list.yaml': '- a\n- b\n', 'fusion/baddefaults.yaml': 'defaults: base\n' });
    expect(thrown(() => composeConfig({ configDir: d, overrides: ['fusion=list'] })).message).toMatch(/list\.yaml: expected a mapping of keys to values at the top level, got a list/);
    expect(thrown(() => composeConfig({ configDir: d, overrides: ['fusion=baddefaults'] })).message).toMatch(/baddefaults\.yaml: key defaults: expected a list/);
  });

  it('anchors and << merge keys work (as in PyYAML)', () => {
    const d = tree({ ...FILES, 'fusion/anchors.yaml': 'base: &b {x: 1, y: 2}\nhead:\n  <<: *b\n  y: 3\n' });
    expect(composeConfig({ configDir: d, overrides: ['fusion=anchors'] }).config.fusion).toMatchObject({ head: { x: 1, y: 3 } });
  });

  it('a malformed defaults entry names the file and the index', () => {
    const d = tree({ ...FILES, 'fusion/badentry.yaml': 'defaults:\n  - {a: 1, b: 2}\n' });
    expect(thrown(() => composeConfig({ configDir: d, overrides: ['fusion=badentry'] })).message).toMatch(/badentry\.yaml: defaults\[0\]: got .*expected `group: option`/);
  });
});
