import { ConfigError } from '../core/errors.js';

/**
 * Command-line overrides in Hydra 1.3's grammar (hydra/grammar/OverrideParser.g4),
 * hand-written because there is no JavaScript port of Hydra's ANTLR grammar:
 *
 *   key=value      set an existing key, or select an option of a config group
 *   +key=value     add a key (or append a config group to the defaults list)
 *   ++key=value    add or override a key
 *   ~key[=value]   delete a key (only if it equals value), or remove a group
 *
 * Values: int, float (`1e-4`, `inf`, `nan`), bool, null (case-insensitive),
 * quoted strings with escapes, unquoted strings, `[lists]`, `{dicts}`, and
 * `${...}` interpolations kept verbatim as strings for later resolution.
 * Sweeps: `a,b,c`, `choice(a,b)` and `range(start,stop[,step])` (stop exclusive).
 */

export type OverrideKind = 'set' | 'add' | 'force' | 'delete';

export type SweepSpec =
  | { type: 'list'; values: unknown[] }
  | { type: 'range'; start: number; stop: number; step: number };

export interface Override {
  raw: string;
  kind: OverrideKind;
  key: string;
  value?: unknown;
  sweep?: SweepSpec;
}

/** An override plus the source text of each sweep element, so a job's override reads as the user typed it. */
export interface ParsedOverride extends Override {
  /** `+`, `++`, `~` or ''. */
  prefix: string;
  /** For sweeps: one override-ready value text per job, in order. */
  sweepTexts?: string[];
}

const ID = '[A-Za-z_][A-Za-z0-9_\\-]*';
const KEY_RE = new RegExp(`^${ID}(\\.(${ID}|[0-9]+))*$`);
const GROUP_PATH_RE = new RegExp(`^${ID}(/${ID})+$`);

const INT_RE = /^[+-]?(0|[1-9](_?[0-9])*)$/;
const FLOAT_RE =
  /^[+-]?(((([0-9](_?[0-9])*)?\.[0-9](_?[0-9])*|[0-9](_?[0-9])*\.)([eE][+-]?[0-9]+)?)|([0-9](_?[0-9])*[eE][+-]?[0-9]+)|inf|nan)$/i;

/** Characters that end an unquoted primitive; inside one they must be escaped with a backslash or quoted. */
const STRUCTURAL = new Set([',', '[', ']', '{', '}', '(', ')', '=', "'", '"']);
/** Characters a backslash may escape in an unquoted value (Hydra's ESC token). */
const ESCAPABLE = new Set(['\\', ',', '[', ']', '{', '}', '(', ')', '=', ':', ' ', '\t']);

/** Converts the text of an unquoted primitive into its typed value (Hydra's rules). */
export function typedPrimitive(text: string): unknown {
  if (INT_RE.test(text)) return Number(text.replace(/_/g, ''));
  if (FLOAT_RE.test(text)) {
    const t = text.replace(/_/g, '').toLowerCase();
    if (t.endsWith('inf')) return t.startsWith('-') ? -Infinity : Infinity;
    if (t.endsWith('nan')) return NaN;
    return Number(t);
  }
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  if (/^null$/i.test(text)) return null;
  return text;
}

interface Element {
  value: unknown;
  /** Source text, trimmed. */
  text: string;
  /** For range/choice arguments: was the number written as a float? */
  isFloat?: boolean;
}

class ValueParser {
  pos = 0;
  constructor(
    private readonly src: string,
    private readonly raw: string,
  ) {}

  fail(what: string): never {
    throw new ConfigError(`override ${JSON.stringify(this.raw)}: ${what}`);
  }

  peek(): string | undefined {
    return this.src[this.pos];
  }

  skipWs(): void {
    while (this.pos < this.src.length && (this.src[this.pos] === ' ' || this.src[this.pos] === '\t')) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** value := function | element (',' element)* */
  parseTop(): { value?: unknown; sweep?: SweepSpec; sweepTexts?: string[] } {
    this.skipWs();
    if (this.atEnd()) return { value: '' }; // `key=` sets the empty string, as in Hydra
    const fn = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(this.src.slice(this.pos));
    if (fn) {
      const res = this.parseFunction(fn[1]);
      this.skipWs();
      if (!this.atEnd()) this.fail(`unexpected ${JSON.stringify(this.src.slice(this.pos))} after ${fn[1]}(...)`);
      return res;
    }
    const elements: Element[] = [this.parseElement('top')];
    this.skipWs();
    while (this.peek() === ',') {
      this.pos++;
      elements.push(this.parseElement('top'));
      this.skipWs();
    }
    if (!this.atEnd()) this.fail(`unexpected ${JSON.stringify(this.peek())} at column ${this.pos + 1} of the value`);
    if (elements.length === 1) return { value: elements[0].value };
    return { sweep: { type: 'list', values: elements.map((e) => e.value) }, sweepTexts: elements.map((e) => e.text) };
  }

  parseFunction(name: string): { sweep: SweepSpec; sweepTexts: string[] } {
    this.pos = this.src.indexOf('(', this.pos) + 1;
    const positional: Element[] = [];
    const named: Record<string, Element> = {};
    this.skipWs();
    if (this.peek() !== ')') {
      while (true) {
        this.skipWs();
        const kw = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(this.src.slice(this.pos));
        if (kw) {
          this.pos += kw[0].length;
          named[kw[1]] = this.parseElement('arg');
        } else {
          if (Object.keys(named).length > 0) this.fail(`${name}(...): positional argument after a named one`);
          positional.push(this.parseElement('arg'));
        }
        this.skipWs();
        const c = this.peek();
        if (c === ',') {
          this.pos++;
          continue;
        }
        if (c === ')') break;
        this.fail(`${name}(...): expected ',' or ')'${c === undefined ? ', reached the end' : ` at ${JSON.stringify(c)}`}`);
      }
    }
    this.pos++; // ')'
    if (name === 'choice') {
      if (Object.keys(named).length > 0) this.fail('choice(...) takes positional arguments only, e.g. choice(a,b)');
      if (positional.length === 0) this.fail('choice() needs at least one option, e.g. choice(a,b)');
      return { sweep: { type: 'list', values: positional.map((e) => e.value) }, sweepTexts: positional.map((e) => e.text) };
    }
    if (name === 'range') return this.makeRange(positional, named);
    this.fail(`unknown function ${JSON.stringify(name)}; expected choice(...) or range(...)`);
  }

  makeRange(positional: Element[], named: Record<string, Element>): { sweep: SweepSpec; sweepTexts: string[] } {
    const usage = 'expected range(start, stop[, step]) with numbers, stop exclusive';
    const names = ['start', 'stop', 'step'];
    for (const k of Object.keys(named)) if (!names.includes(k)) this.fail(`range(...): unknown argument ${JSON.stringify(k)}; ${usage}`);
    const args: (Element | undefined)[] = names.map((n, i) => positional[i] ?? named[n]);
    if (positional.length > 3) this.fail(`range(...) takes at most 3 arguments; ${usage}`);
    if (args[0] === undefined || args[1] === undefined) this.fail(`range(...) needs start and stop; ${usage}`);
    for (let i = 0; i < 3; i++) {
      const a = args[i];
      if (a !== undefined && (typeof a.value !== 'number' || Number.isNaN(a.value) || !Number.isFinite(a.value))) {
        this.fail(`range(...): ${names[i]} is ${JSON.stringify(a.text)}; ${usage}`);
      }
    }
    const start = args[0].value as number;
    const stop = args[1].value as number;
    const step = (args[2]?.value as number | undefined) ?? 1;
    if (step === 0) this.fail('range(...): step must not be 0');
    const isFloat = args.some((a) => a?.isFloat === true);
    const values = rangeValues({ start, stop, step });
    if (values.length === 0) this.fail(`range(${start}, ${stop}, ${step}) is empty; stop is exclusive and step must point from start towards stop`);
    return { sweep: { type: 'range', start, stop, step }, sweepTexts: values.map((v) => formatNumber(v, isFloat)) };
  }

  /** element := list | dict | quoted | primitive, surrounded by optional whitespace. */
  parseElement(ctx: 'top' | 'arg' | 'list' | 'dict'): Element {
    this.skipWs();
    const start = this.pos;
    const c = this.peek();
    let value: unknown;
    let isFloat = false;
    if (c === '[') value = this.parseList();
    else if (c === '{' ) value = this.parseDict();
    else if (c === "'" || c === '"') value = this.parseQuoted();
    else {
      const prim = this.parsePrimitive(ctx);
      value = prim.value;
      isFloat = prim.isFloat;
    }
    const text = this.src.slice(start, this.pos).trim();
    this.skipWs();
    return { value, text, isFloat };
  }

  parseList(): unknown[] {
    const open = this.pos;
    this.pos++;
    const out: unknown[] = [];
    this.skipWs();
    if (this.peek() === ']') {
      this.pos++;
      return out;
    }
    while (true) {
      out.push(this.parseElement('list').value);
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === undefined) this.fail(`unbalanced '[' at column ${open + 1} of the value: expected ']'`);
      this.fail(`expected ',' or ']' in list, found ${JSON.stringify(c)}`);
    }
  }

  parseDict(): Record<string, unknown> {
    const open = this.pos;
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skipWs();
    if (this.peek() === '}') {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipWs();
      const m = /^([^,:[\]{}()='"\s]+)\s*:/.exec(this.src.slice(this.pos));
      if (!m) {
        if (this.atEnd()) this.fail(`unbalanced '{' at column ${open + 1} of the value: expected '}'`);
        this.fail(`expected key: value in dict, found ${JSON.stringify(this.src.slice(this.pos))}`);
      }
      this.pos += m[0].length;
      out[m[1]] = this.parseElement('dict').value;
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      if (c === undefined) this.fail(`unbalanced '{' at column ${open + 1} of the value: expected '}'`);
      this.fail(`expected ',' or '}' in dict, found ${JSON.stringify(c)}`);
    }
  }

  parseQuoted(): string {
    const q = this.src[this.pos];
    const open = this.pos;
    this.pos++;
    let out = '';
    while (true) {
      const c = this.src[this.pos];
      if (c === undefined) this.fail(`unterminated ${q === '"' ? 'double' : 'single'} quote at column ${open + 1} of the value`);
      if (c === '\\' && (this.src[this.pos + 1] === q || this.src[this.pos + 1] === '\\')) {
        out += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === q) break;
      out += c;
    }
    this.skipWs();
    const next = this.peek();
    if (next !== undefined && !STRUCTURAL.has(next)) this.fail(`unexpected ${JSON.stringify(next)} after a quoted string; quote the whole value`);
    if (next === "'" || next === '"') this.fail('two quoted strings in a row; quote the whole value');
    return out;
  }

  /** An unquoted primitive: runs up to a structural character; `${...}` is taken whole. */
  parsePrimitive(ctx: 'top' | 'arg' | 'list' | 'dict'): { value: unknown; isFloat: boolean } {
    let out = '';
    let escaped = false;
    let interp = false;
    let keep = 0; // length of `out` that trimming must not touch (ends at the last escape)
    while (!this.atEnd()) {
      const c = this.src[this.pos];
      if (c === '\\' && ESCAPABLE.has(this.src[this.pos + 1] ?? '')) {
        out += this.src[this.pos + 1];
        this.pos += 2;
        escaped = true;
        keep = out.length;
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        const end = this.interpolationEnd(this.pos);
        out += this.src.slice(this.pos, end);
        this.pos = end;
        interp = true;
        continue;
      }
      if (STRUCTURAL.has(c)) {
        if (c === '=') this.fail("unexpected '=' in the value; quote a value that contains '='");
        if (c === "'" || c === '"') this.fail(`unexpected ${c} inside an unquoted value; quote the whole value`);
        if (c === '(' ) this.fail(`unexpected '(' in the value; functions are choice(...) and range(...), quote other values`);
        if (c === ')' && ctx !== 'arg') this.fail("unbalanced ')' in the value");
        if (c === ']' && ctx !== 'list') this.fail("unbalanced ']' in the value");
        if (c === '}' && ctx !== 'dict') this.fail("unbalanced '}' in the value");
        if ((c === '[' || c === '{') && out.trim() !== '') this.fail(`unexpected ${JSON.stringify(c)} inside an unquoted value`);
        break;
      }
      out += c;
      this.pos++;
    }
    // Trailing whitespace is not part of the value; leading was skipped by the caller.
    const text = out.slice(0, keep) + out.slice(keep).trimEnd();
    if (text === '') {
      const c = this.peek();
      this.fail(c === undefined ? 'missing value (an element of a list or sweep is empty)' : `missing value before ${JSON.stringify(c)}`);
    }
    if (escaped || interp) return { value: text, isFloat: false };
    const value = typedPrimitive(text);
    return { value, isFloat: typeof value === 'number' && !INT_RE.test(text) };
  }

  /** Index just past the `}` that closes the `${` at `start` (nesting and quotes allowed inside). */
  interpolationEnd(start: number): number {
    let depth = 0;
    let quote: string | undefined;
    for (let i = start; i < this.src.length; i++) {
      const c = this.src[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    this.fail(`unterminated interpolation starting at ${JSON.stringify(this.src.slice(start))}; expected '}'`);
  }
}

/** The values a range sweep takes: start, start+step, ... while before stop (Python's range, floats allowed). */
export function rangeValues(spec: { start: number; stop: number; step: number }): number[] {
  const { start, stop, step } = spec;
  if (step === 0) throw new ConfigError('range(...): step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step - 1e-9));
  const out: number[] = [];
  // start + i*step (not repeated addition) so errors do not accumulate; 12 significant
  // digits strips binary noise such as 0.30000000000000004.
  for (let i = 0; i < n; i++) out.push(Number((start + i * step).toPrecision(12)));
  return out;
}

/** The values of any sweep, in order. */
export function sweepValues(spec: SweepSpec): unknown[] {
  return spec.type === 'list' ? spec.values : rangeValues(spec);
}

function formatNumber(v: number, asFloat: boolean): string {
  if (asFloat && Number.isInteger(v)) return v.toFixed(1);
  return String(v);
}

/** Parses one override; ConfigError (quoting the override) when malformed. */
export function parseOverrideFull(raw: string): ParsedOverride {
  const fail = (what: string): never => {
    throw new ConfigError(`override ${JSON.stringify(raw)}: ${what}`);
  };
  const s = raw.trim();
  let prefix = '';
  if (s.startsWith('++')) prefix = '++';
  else if (s.startsWith('+')) prefix = '+';
  else if (s.startsWith('~')) prefix = '~';
  const kind: OverrideKind = prefix === '++' ? 'force' : prefix === '+' ? 'add' : prefix === '~' ? 'delete' : 'set';
  const body = s.slice(prefix.length);
  const eq = body.indexOf('=');
  const key = (eq < 0 ? body : body.slice(0, eq)).trim();
  const usage = prefix === '~' ? '~key or ~key=value' : `${prefix}key=value`;
  if (key === '') fail(`missing key${prefix ? ` after '${prefix}'` : " before '='"}; expected ${usage}`);
  if (eq < 0 && kind !== 'delete') fail(`expected ${usage} (no '=' found)`);
  const at = key.indexOf('@');
  const keyPart = at < 0 ? key : key.slice(0, at);
  const pkgPart = at < 0 ? undefined : key.slice(at + 1);
  if ((!KEY_RE.test(keyPart) && !GROUP_PATH_RE.test(keyPart)) || (pkgPart !== undefined && pkgPart !== '' && !KEY_RE.test(pkgPart))) {
    fail(`invalid key ${JSON.stringify(key)}; expected a dotted key like a.b.c (identifiers, list indices) or a group path like a/b (optionally group@package)`);
  }
  const out: ParsedOverride = { raw, kind, key, prefix };
  if (eq < 0 || (kind === 'delete' && body.slice(eq + 1).trim() === '')) return out;
  const parsed = new ValueParser(body.slice(eq + 1), raw).parseTop();
  if (parsed.sweep) {
    if (kind === 'delete') fail('a deletion cannot sweep; give one value or none');
    out.sweep = parsed.sweep;
    out.sweepTexts = parsed.sweepTexts;
  } else {
    out.value = parsed.value;
  }
  return out;
}

/** Parses one override (see the module comment for the grammar). */
export function parseOverride(raw: string): Override {
  const { prefix: _p, sweepTexts: _t, ...o } = parseOverrideFull(raw);
  return o;
}
