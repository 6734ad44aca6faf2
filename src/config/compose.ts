import { ConfigError, show } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { resolveInterpolations } from './interpolate.js';
import { parseOverrideFull, type ParsedOverride } from './override.js';
import { ConfigRepository, type ExtraGroupOptions, type LoadedConfig } from './repository.js';

/**
 * Composition in the manner of Hydra 1.3 (hydra/_internal/defaults_list.py):
 *
 * - The primary config (`config.yaml`) and every group option may carry a
 *   `defaults` list of `group: option`, `config_name`, `_self_`,
 *   `override group: option`, `optional group: option`, `group@pkg: option`
 *   and `/absolute/group: option` entries. Relative groups resolve against the
 *   folder of the config that lists them.
 * - Without `_self_` a defaults list gets `_self_` appended: a config's own keys
 *   override what its defaults brought in.
 * - A group option lands under its package: the group path (`fusion`), unless
 *   its header says `# @package _global_` (or another package) or the entry
 *   says `group@pkg`. Options of `experiment/` are always global.
 * - `override group: option` entries and `group=option` overrides change the
 *   choice where the group is first listed; command-line overrides win over
 *   `override` entries. `+group=option` appends to the primary defaults list
 *   (after its `_self_`), `~group[=option]` removes the entry.
 *
 * affectlab additions (documented choices where Hydra would refuse):
 * - `experiment=name` and `+experiment=name` both select the experiment:
 *   overriding the primary's `experiment:` entry when it lists one (it should
 *   sit after `_self_`), appending it otherwise.
 * - A plain entry in a group option that names a top-level group (an
 *   experiment's `- fusion: late_dr`) is taken as that absolute group, and
 *   replaces the primary's selection of it: the option is composed at the
 *   experiment's position, so the experiment's `_self_` position decides which
 *   of the two wins. With `override /fusion: late_dr` (Hydra's form) the option
 *   stays at the primary's position and the experiment's keys always win.
 */

export interface ComposeOptions {
  /** Config folders in search order: the first that has a config or group option wins. */
  configDir: string | string[];
  /** Same as the override `experiment=<name>`. */
  experiment?: string;
  overrides: string[];
  /** Group options provided in code (plugins); searched after the folders. */
  extraGroupOptions?: ExtraGroupOptions;
  /** Name of the primary config (default `config`). */
  configName?: string;
  /** Environment for `${oc.env:...}` (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface Composed {
  /** The composed config, overrides applied, interpolations resolved. */
  config: Record<string, unknown>;
  /** Every config group's selected option (`fusion` → `late_dr`, `perception/features` → `mfcc`). */
  choices: Record<string, string>;
  /** The overrides that produced it (with `experiment=<name>` first when given as an option): saving them reproduces the run. */
  overrides: string[];
  /** Defaults-list entries that were deliberately not composed (superseded, optional and absent), one line each, for the run log. */
  notes?: string[];
}

interface Entry {
  type: 'self' | 'group' | 'config';
  /** Group as written (`fusion`, `/fusion`, `features`) or config name. */
  name: string;
  option?: string | null;
  package?: string;
  override: boolean;
  optional: boolean;
  /** Set for entries appended by `+group=option`. */
  externalAppend?: boolean;
}

interface Node {
  path: string;
  /** Folder of the config (its group path), '' for root-level configs. */
  groupPath: string;
  /** Final package: '' is the root. */
  package: string;
  loaded: LoadedConfig;
}

interface MergeItem {
  package: string;
  content: Record<string, unknown>;
}

interface ChoiceOverride {
  option: string;
  external: boolean;
  used: boolean;
  /** The config that holds the `override` entry, for errors. */
  from?: string;
}

const ENTRY_KEY_RE = /^((?:override|optional)\s+)*(\/?[A-Za-z_][\w-]*(?:\/[A-Za-z_][\w-]*)*)(?:@(\S*))?$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseDefaults(loaded: LoadedConfig): Entry[] {
  const out: Entry[] = [];
  (loaded.defaults ?? []).forEach((raw, i) => {
    const where = `${loaded.source}: defaults[${i}]`;
    const expected = 'expected `group: option`, `override group: option`, `config_name` or `_self_`';
    if (typeof raw === 'string') {
      if (raw === '_self_') out.push({ type: 'self', name: '_self_', override: false, optional: false });
      else {
        const [name, pkg] = raw.split('@');
        if (!/^\/?[A-Za-z_][\w-]*(\/[A-Za-z_][\w-]*)*$/.test(name)) throw new ConfigError(`${where}: ${show(raw)} is not a config name; ${expected}`);
        out.push({ type: 'config', name, package: pkg, override: false, optional: false });
      }
      return;
    }
    if (!isPlainObject(raw) || Object.keys(raw).length !== 1) throw new ConfigError(`${where}: got ${show(raw)}; ${expected}`);
    const [key, value] = Object.entries(raw)[0];
    const m = ENTRY_KEY_RE.exec(key.trim());
    if (!m) throw new ConfigError(`${where}: ${show(key)} is not a group; ${expected}`);
    const words = (m[1] ?? '').split(/\s+/).filter(Boolean);
    if (value !== null && typeof value !== 'string') {
      throw new ConfigError(`${where}: option of ${m[2]} is ${show(value)}; expected one option name (selecting several options is not supported)`);
    }
    if (typeof value === 'string' && value.includes('${')) {
      throw new ConfigError(`${where}: interpolation in a defaults list (${show(value)}) is not supported; name the option`);
    }
    out.push({
      type: 'group',
      name: m[2],
      option: value,
      package: m[3],
      override: words.includes('override'),
      optional: words.includes('optional'),
    });
  });
  return out;
}

/** Hydra's `_get_final_package`: a package is relative to its parent's; `_global_` anchors at the root. */
function finalPackage(parentPackage: string, pkg: string, name: string | undefined): string {
  if (name !== undefined) pkg = pkg.replaceAll('_name_', name);
  const joined = parentPackage === '' ? pkg : pkg === '' ? parentPackage : `${parentPackage}.${pkg}`;
  const g = joined.lastIndexOf('_global_');
  if (g < 0) return joined;
  return joined.slice(g + '_global_'.length + 1);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

class Composer {
  readonly choices: Record<string, string> = {};
  readonly notes: string[] = [];
  private readonly overrideChoices = new Map<string, ChoiceOverride>();
  private readonly deletions = new Map<string, { option?: string; used: boolean; raw: string }>();
  private readonly appends: Entry[] = [];
  /** Group → the config whose entry selected it (for duplicates and the experiment rule). */
  private readonly known = new Map<string, { option: string | null; from: string }>();

  constructor(private readonly repo: ConfigRepository) {}

  setChoice(group: string, option: string, raw: string): void {
    this.overrideChoices.set(group, { option, external: true, used: false, from: raw });
  }

  addDeletion(group: string, option: string | undefined, raw: string): void {
    this.deletions.set(group, { option, used: false, raw });
  }

  append(key: string, option: string, replace = false): void {
    const [group, pkg] = key.split('@');
    const prev = this.appends.findIndex((e) => e.name === `/${group}` && e.package === pkg);
    if (replace && prev >= 0) this.appends.splice(prev, 1);
    this.appends.push({ type: 'group', name: `/${group}`, option, package: pkg, override: false, optional: false, externalAppend: true });
  }

  compose(primaryName: string): MergeItem[] {
    const loaded = this.repo.load(primaryName);
    if (!loaded) throw new ConfigError(`primary config ${JSON.stringify(primaryName)} not found in ${this.repo.dirs.join(', ')} (expected ${primaryName}.yaml)`);
    const items = this.expand({ path: primaryName, groupPath: '', package: '', loaded }, true);
    this.ensureUsed();
    return items;
  }

  /** Absolute group of an entry listed in `node`. */
  private absoluteGroup(e: Entry, node: Node): { group: string; relative: string } {
    if (e.name.startsWith('/')) return { group: e.name.slice(1), relative: e.name.slice(1) };
    const nested = node.groupPath ? `${node.groupPath}/${e.name}` : e.name;
    if (node.groupPath && !this.repo.groupExists(nested) && this.repo.groupExists(e.name)) return { group: e.name, relative: e.name };
    return { group: nested, relative: e.name };
  }

  private expand(node: Node, isRoot: boolean): MergeItem[] {
    const defaults = parseDefaults(node.loaded);
    if (defaults.length > 0 || (isRoot && this.appends.length > 0)) {
      const selfs = defaults.filter((d) => d.type === 'self').length;
      if (selfs > 1) throw new ConfigError(`${node.loaded.source}: _self_ appears ${selfs} times in the defaults list; expected at most once`);
      if (selfs === 0 && (defaults.length === 0 || defaults.some((d) => !d.override))) defaults.push({ type: 'self', name: '_self_', override: false, optional: false });
    }
    if (isRoot) defaults.push(...this.appends);
    if (defaults.length === 0) return [{ package: node.package, content: node.loaded.content }];

    for (const d of defaults) {
      if (d.type !== 'group' || !d.override) continue;
      const group = this.absoluteGroup(d, node).group + (d.package !== undefined ? `@${d.package}` : '');
      if (typeof d.option !== 'string') throw new ConfigError(`${node.loaded.source}: override ${group}: expected an option name, got ${show(d.option)}`);
      if (!this.overrideChoices.has(group)) this.overrideChoices.set(group, { option: d.option, external: false, used: false, from: node.loaded.source });
    }

    // Reverse order, as Hydra does: entries listed later register their
    // `override`s before earlier entries are expanded.
    const children: MergeItem[][] = [];
    for (const d of [...defaults].reverse()) {
      if (d.type === 'self') children.push([{ package: node.package, content: node.loaded.content }]);
      else if (d.override) continue;
      else if (d.type === 'group') children.push(this.expandGroup(d, node));
      else children.push(this.expandConfig(d, node));
    }
    // Only `override` entries: the config is a leaf, its own keys still count (as in Hydra).
    if (children.length === 0) return [{ package: node.package, content: node.loaded.content }];
    return children.reverse().flat();
  }

  private expandGroup(d: Entry, node: Node): MergeItem[] {
    const { group: groupPath, relative } = this.absoluteGroup(d, node);
    // Hydra's override key: the group, plus `@package` when the entry names one.
    const group = d.package !== undefined ? `${groupPath}@${d.package}` : groupPath;
    const where = d.externalAppend ? `override +${group}=${d.option}` : `${node.loaded.source}: defaults entry ${group}`;
    const del = this.deletions.get(group);
    const ov = this.overrideChoices.get(group);
    const option = ov ? ov.option : d.option ?? null;
    const prev = this.known.get(group);
    if (prev !== undefined) {
      if (prev.from === '<command line>') {
        throw new ConfigError(`Could not append ${group}=${prev.option}: the defaults list already selects ${group}=${d.option}; to change the choice use ${group}=${prev.option}`);
      }
      if (prev.from === node.path) throw new ConfigError(`${node.loaded.source}: config group ${group} is listed twice in the defaults list; use override ${group}: <option> to change a choice`);
      // An entry composed later (an experiment's plain `- group: option`) already selected this group.
      this.notes.push(`${node.loaded.source}: ${group}: ${String(d.option)} replaced by ${prev.from}'s ${String(prev.option)}`);
      return [];
    }
    if (ov) ov.used = true;
    this.known.set(group, { option, from: d.externalAppend ? '<command line>' : node.path });
    if (del && (del.option === undefined || del.option === option)) {
      del.used = true;
      return [];
    }
    if (option === null) return [];
    if (option === '???') {
      throw new ConfigError(`${where}: you must choose an option for config group ${group}, e.g. ${group}=<option>; available options: ${this.repo.options(groupPath).join(', ')}`);
    }
    const path = `${groupPath}/${option}`;
    const loaded = this.repo.load(path);
    if (!loaded) {
      if (d.optional) {
        this.notes.push(`${node.loaded.source}: optional ${group}: option ${option} not found, skipped`);
        return [];
      }
      throw this.repo.missingOption(groupPath, option, ov?.external ? `override ${ov.from}` : ov ? `${ov.from}: override ${group}` : where);
    }
    this.choices[group] = option;
    const pkg = d.package ?? (groupPath === 'experiment' ? '_global_' : loaded.packageHeader ?? relative.replaceAll('/', '.'));
    const pkgResolved = pkg.replaceAll('_group_', relative.replaceAll('/', '.'));
    return this.expand({ path, groupPath, package: finalPackage(node.package, pkgResolved, option), loaded }, false);
  }

  private expandConfig(d: Entry, node: Node): MergeItem[] {
    const path = d.name.startsWith('/') ? d.name.slice(1) : node.groupPath ? `${node.groupPath}/${d.name}` : d.name;
    const loaded = this.repo.load(path);
    if (!loaded) throw new ConfigError(`${node.loaded.source}: defaults entry ${show(d.name)}: config ${path} not found in ${this.repo.dirs.join(', ')}`);
    const relative = dirOf(d.name.startsWith('/') ? d.name.slice(1) : d.name);
    const pkg = (d.package ?? loaded.packageHeader ?? relative.replaceAll('/', '.')).replaceAll('_group_', relative.replaceAll('/', '.'));
    return this.expand({ path, groupPath: dirOf(path), package: finalPackage(node.package, pkg, undefined), loaded }, false);
  }

  private ensureUsed(): void {
    for (const [group, ov] of this.overrideChoices) {
      if (ov.used) continue;
      const listed = [...this.known.keys()];
      const hint = didYouMean(group, listed);
      if (ov.external) {
        throw new ConfigError(
          `Could not override '${group}' (override ${ov.from}): no match in the defaults list${hint}; to append to the defaults list use +${group}=${ov.option}`,
        );
      }
      throw new ConfigError(`${ov.from}: Could not override '${group}': no match in the defaults list${hint}`);
    }
    for (const [group, del] of this.deletions) {
      if (!del.used) {
        throw new ConfigError(`Could not delete '${group}${del.option !== undefined ? `=${del.option}` : ''}' (override ${del.raw}): no match in the defaults list`);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Merging and config overrides (OmegaConf.merge / OmegaConf.update semantics)

/** Merges `src` into `dst`: dicts merge key by key, anything else replaces. */
export function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(src)) {
    const cur = dst[k];
    if (isPlainObject(cur) && isPlainObject(v)) mergeInto(cur, v);
    else dst[k] = structuredClone(v);
  }
  return dst;
}

function placeAt(pkg: string, content: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> = structuredClone(content);
  if (pkg === '') return out;
  for (const seg of pkg.split('.').reverse()) out = { [seg]: out };
  return out;
}

type Container = Record<string, unknown> | unknown[];

function child(c: Container, seg: string): { has: boolean; value: unknown } {
  if (Array.isArray(c)) {
    const i = /^\d+$/.test(seg) ? Number(seg) : -1;
    return i >= 0 && i < c.length ? { has: true, value: c[i] } : { has: false, value: undefined };
  }
  return Object.prototype.hasOwnProperty.call(c, seg) ? { has: true, value: c[seg] } : { has: false, value: undefined };
}

function setChild(c: Container, seg: string, v: unknown): void {
  if (Array.isArray(c)) c[Number(seg)] = v;
  else c[seg] = v;
}

/** The container holding the last segment of `key`, creating dicts on the way when `create`. */
function parentOf(config: Record<string, unknown>, segs: string[], create: boolean, raw: string, key: string): Container | undefined {
  let cur: Container = config;
  for (let i = 0; i < segs.length - 1; i++) {
    const { has, value } = child(cur, segs[i]);
    if (has && typeof value === 'object' && value !== null) {
      cur = value as Container;
      continue;
    }
    if (has && value !== null) {
      throw new ConfigError(`Could not apply override ${raw}: ${segs.slice(0, i + 1).join('.')} is ${show(value)}, not a dict, so ${key} cannot be set`);
    }
    if (!create) return undefined;
    if (Array.isArray(cur)) throw new ConfigError(`Could not apply override ${raw}: index ${segs[i]} is outside the list ${segs.slice(0, i).join('.')}`);
    const fresh: Record<string, unknown> = {};
    setChild(cur, segs[i], fresh);
    cur = fresh;
  }
  return cur;
}

/** Every dotted key of a config, for did-you-mean suggestions. */
function allKeys(v: unknown, prefix = '', out: string[] = []): string[] {
  if (isPlainObject(v)) {
    for (const [k, c] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.push(p);
      allKeys(c, p, out);
    }
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Applies one key override to `config` (Hydra's `_apply_overrides_to_config`). */
export function applyConfigOverride(config: Record<string, unknown>, o: ParsedOverride): void {
  const segs = o.key.split('.');
  const last = segs[segs.length - 1];
  const value = o.value;
  const mergeOrSet = (parent: Container, existing: unknown): void => {
    if (isPlainObject(existing) && isPlainObject(value)) mergeInto(existing, value);
    else setChild(parent, last, structuredClone(value));
  };
  const nearestKey = (): string => didYouMean(o.key, allKeys(config));
  switch (o.kind) {
    case 'delete': {
      const parent = parentOf(config, segs, false, o.raw, o.key);
      const c = parent ? child(parent, last) : { has: false, value: undefined };
      if (!parent || !c.has) throw new ConfigError(`Could not delete from config: '${o.key}' does not exist (override ${o.raw})${nearestKey()}`);
      if (o.value !== undefined && !deepEqual(c.value, o.value)) {
        throw new ConfigError(`Could not delete from config: the value of '${o.key}' is ${show(c.value)}, not ${show(o.value)} (override ${o.raw})`);
      }
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return;
    }
    case 'add': {
      const parent = parentOf(config, segs, true, o.raw, o.key) as Container;
      const c = child(parent, last);
      if (c.has && c.value !== null && !(typeof value === 'object' && value !== null)) {
        throw new ConfigError(`Could not append to config: an item is already at '${o.key}' (value ${show(c.value)}); to change it use ${o.key}=... or ++${o.key}=...`);
      }
      mergeOrSet(parent, c.value);
      return;
    }
    case 'force': {
      const parent = parentOf(config, segs, true, o.raw, o.key) as Container;
      mergeOrSet(parent, child(parent, last).value);
      return;
    }
    case 'set': {
      const parent = parentOf(config, segs, false, o.raw, o.key);
      const c = parent ? child(parent, last) : { has: false, value: undefined };
      if (!parent || !c.has) {
        throw new ConfigError(`Could not override '${o.key}': key not in config${nearestKey()}; to add it use +${o.raw.trim()}`);
      }
      mergeOrSet(parent, c.value);
      return;
    }
  }
}

/** Composes a config: defaults lists, group choices, key overrides, then interpolation. */
export function composeConfig(opts: ComposeOptions): Composed {
  const dirs = Array.isArray(opts.configDir) ? opts.configDir : [opts.configDir];
  const repo = new ConfigRepository(dirs, opts.extraGroupOptions);
  const primaryName = opts.configName ?? 'config';
  const overrides = [...(opts.experiment !== undefined ? [`experiment=${opts.experiment}`] : []), ...opts.overrides];
  const parsed = overrides.map((raw) => parseOverrideFull(raw));

  const composer = new Composer(repo);
  const configOverrides: ParsedOverride[] = [];
  // `experiment=x` appends when the primary does not list the experiment group (see module comment).
  const primary = repo.load(primaryName);
  const primaryListsExperiment = primary !== undefined && parseDefaults(primary).some((d) => d.type === 'group' && d.name.replace(/^\//, '') === 'experiment');

  for (const o of parsed) {
    if (o.sweep) {
      throw new ConfigError(`override ${JSON.stringify(o.raw)} is a sweep; expand it into jobs first (multirun), each job composes one value`);
    }
    // `experiment` is always a group, so a missing experiment folder or file is reported as such.
    const groupPath = o.key.split('@')[0];
    const isGroup = (repo.groupExists(groupPath) || (o.key === 'experiment' && o.kind !== 'delete')) && !isPlainObject(o.value);
    if (!isGroup && o.key.includes('@')) throw new ConfigError(`override ${JSON.stringify(o.raw)}: ${groupPath} is not a config group; @package applies to groups only`);
    if (!isGroup) {
      configOverrides.push(o);
      continue;
    }
    if (o.kind === 'delete') {
      if (o.value !== undefined && typeof o.value !== 'string') throw new ConfigError(`override ${JSON.stringify(o.raw)}: a group deletion takes an option name, got ${show(o.value)}`);
      composer.addDeletion(o.key, o.value as string | undefined, o.raw);
      continue;
    }
    if (o.kind === 'force') {
      throw new ConfigError(`override ${JSON.stringify(o.raw)}: ++ is not supported for config groups; use ${o.key}=<option> to change the choice or +${o.key}=<option> to add the group`);
    }
    if (typeof o.value !== 'string') {
      const opts2 = repo.options(groupPath);
      throw new ConfigError(`override ${JSON.stringify(o.raw)}: ${o.key} is a config group; expected one option name, got ${show(o.value)}; available options: ${opts2.join(', ')}`);
    }
    // Validate the option up front for a message that names the override.
    if (!repo.exists(`${groupPath}/${o.value}`)) throw repo.missingOption(groupPath, o.value, `override ${o.raw}`);
    if (o.key === 'experiment') {
      // Selecting an experiment: `experiment=x` and `+experiment=x` mean the same, listed or not.
      if (primaryListsExperiment) composer.setChoice(o.key, o.value, o.raw);
      else composer.append(o.key, o.value, true);
    } else if (o.kind === 'add') composer.append(o.key, o.value);
    else composer.setChoice(o.key, o.value, o.raw);
  }

  const items = composer.compose(primaryName);
  let config: Record<string, unknown> = {};
  for (const it of items) config = mergeInto(config, placeAt(it.package, it.content));
  if (composer.choices.experiment !== undefined) config.experiment = composer.choices.experiment;
  for (const o of configOverrides) applyConfigOverride(config, o);
  config = resolveInterpolations(config, opts.env ?? process.env);
  return { config, choices: { ...composer.choices }, overrides, notes: composer.notes };
}
