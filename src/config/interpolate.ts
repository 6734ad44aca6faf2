import { ConfigError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';

/**
 * OmegaConf-style interpolation over a plain config tree:
 *   `${a.b}` alone keeps the referenced value's type (dicts and lists too);
 *   inside a longer string it is stringified; references may chain and nest
 *   (`${model.${which}.dim}`); `${.x}` / `${..x}` are relative to the node
 *   holding the interpolation; `${oc.env:NAME}` / `${oc.env:NAME,default}`
 *   read the environment (a string; `null` as default gives null);
 *   `\${` is a literal `${`. Hand-written: no JavaScript OmegaConf exists.
 */

type Path = (string | number)[];

type Part = { lit: string } | { interp: string };

const ESCAPED = '\\${';

/** Splits a string into literal text and `${...}` bodies (balanced braces, quotes allowed inside). */
function splitInterpolations(s: string, holder: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith(ESCAPED, i)) {
      lit += '${';
      i += 3;
      continue;
    }
    if (s.startsWith('${', i)) {
      let depth = 0;
      let quote: string | undefined;
      let j = i;
      for (; j < s.length; j++) {
        const c = s[j];
        if (quote) {
          if (c === '\\') j++;
          else if (c === quote) quote = undefined;
        } else if (c === "'" || c === '"') quote = c;
        else if (c === '{') depth++;
        else if (c === '}' && --depth === 0) break;
      }
      if (j >= s.length) throw new ConfigError(`config key ${holder}: unterminated interpolation in ${JSON.stringify(s)}; expected '}'`);
      if (lit) parts.push({ lit });
      lit = '';
      parts.push({ interp: s.slice(i + 2, j) });
      i = j + 1;
      continue;
    }
    lit += s[i++];
  }
  if (lit) parts.push({ lit });
  return parts;
}

export function hasInterpolation(s: string): boolean {
  return s.replaceAll(ESCAPED, '').includes('${');
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (isContainer(v)) return JSON.stringify(v);
  return String(v);
}

/** Splits top-level comma-separated resolver arguments. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') {
        cur += c + (s[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

class Resolver {
  private readonly memo = new Map<string, unknown>();
  private readonly stack: string[] = [];
  constructor(
    private readonly root: Record<string, unknown>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private static key(path: Path): string {
    return path.join('.');
  }

  /** The raw node at `path`, or a `missing` marker with the deepest existing container. */
  private get(path: Path): { found: true; value: unknown } | { found: false; parent: Path; parentValue: unknown } {
    let cur: unknown = this.root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (Array.isArray(cur) && /^\d+$/.test(String(seg)) && Number(seg) < cur.length) cur = cur[Number(seg)];
      else if (isContainer(cur) && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, seg)) cur = (cur as Record<string, unknown>)[seg];
      else return { found: false, parent: path.slice(0, i), parentValue: cur };
    }
    return { found: true, value: cur };
  }

  resolveAt(path: Path): unknown {
    const k = Resolver.key(path);
    if (this.memo.has(k)) return this.memo.get(k);
    const got = this.get(path);
    if (!got.found) throw new Error(`internal: resolveAt on a missing path ${k}`);
    const raw = got.value;
    let out: unknown;
    if (typeof raw === 'string') {
      if (!raw.includes('${')) out = raw;
      else {
        if (this.stack.includes(k)) {
          const cycle = [...this.stack.slice(this.stack.indexOf(k)), k].join(' -> ');
          throw new ConfigError(`config key ${this.stack[this.stack.length - 1]}: interpolation cycle ${cycle}`);
        }
        this.stack.push(k);
        try {
          out = this.resolveString(raw, path);
        } finally {
          this.stack.pop();
        }
      }
    } else if (Array.isArray(raw)) {
      out = raw.map((_, i) => this.resolveAt([...path, i]));
    } else if (isContainer(raw)) {
      const o: Record<string, unknown> = {};
      for (const key of Object.keys(raw)) o[key] = this.resolveAt([...path, key]);
      out = o;
    } else out = raw;
    this.memo.set(k, out);
    return out;
  }

  private resolveString(s: string, holder: Path): unknown {
    const parts = splitInterpolations(s, Resolver.key(holder));
    if (parts.length === 1 && 'interp' in parts[0]) return this.evaluate(parts[0].interp, holder);
    return parts.map((p) => ('lit' in p ? p.lit : stringify(this.evaluate(p.interp, holder)))).join('');
  }

  /** Evaluates the body of one `${...}`. */
  private evaluate(body: string, holder: Path): unknown {
    const holderKey = Resolver.key(holder);
    const resolverCall = /^\s*([A-Za-z_][\w.]*)\s*:(.*)$/s.exec(body);
    if (resolverCall && !resolverCall[1].includes('${')) return this.callResolver(resolverCall[1], resolverCall[2], holder);
    // A key, possibly built from nested interpolations.
    const keyText = splitInterpolations(body, holderKey)
      .map((p) => ('lit' in p ? p.lit : stringify(this.evaluate(p.interp, holder))))
      .join('')
      .trim();
    return this.lookup(keyText, holder, body);
  }

  private lookup(keyText: string, holder: Path, body: string): unknown {
    const holderKey = Resolver.key(holder);
    if (keyText === '') throw new ConfigError(`config key ${holderKey}: empty interpolation \${${body}}`);
    let base: Path = [];
    let rest = keyText;
    const dots = /^\.+/.exec(rest)?.[0].length ?? 0;
    if (dots > 0) {
      // `.x` is a sibling of the holder; each further dot goes one level up.
      const up = holder.length - dots;
      if (up < 0) throw new ConfigError(`config key ${holderKey}: interpolation \${${body}} goes above the config root`);
      base = holder.slice(0, up);
      rest = rest.slice(dots);
    }
    const segs = rest === '' ? [] : rest.replace(/\[(\d+)\]/g, '.$1').split('.');
    if (segs.some((s) => s === '')) throw new ConfigError(`config key ${holderKey}: malformed key in interpolation \${${body}}; expected a.b.c`);
    const target = [...base, ...segs];
    const got = this.get(target);
    if (!got.found) {
      const siblings = isContainer(got.parentValue) ? Object.keys(got.parentValue).map((k) => [...got.parent, k].join('.')) : [];
      throw new ConfigError(
        `config key ${holderKey}: interpolation \${${body}} refers to missing key ${target.join('.')}${didYouMean(target.join('.'), siblings)}`,
      );
    }
    return this.resolveAt(target);
  }

  private callResolver(name: string, argText: string, holder: Path): unknown {
    const holderKey = Resolver.key(holder);
    const args = splitArgs(argText).map((a) => this.argValue(a, holder));
    if (name === 'oc.env') {
      const [varName, ...rest] = args;
      if (typeof varName !== 'string' || varName === '' || rest.length > 1) {
        throw new ConfigError(`config key ${holderKey}: expected \${oc.env:NAME} or \${oc.env:NAME,default}, got \${${name}:${argText}}`);
      }
      const v = this.env[varName];
      if (v !== undefined) return v;
      if (rest.length === 1) return rest[0] === null ? null : stringify(rest[0]);
      throw new ConfigError(`config key ${holderKey}: environment variable ${varName} is not set and \${oc.env:${varName}} has no default`);
    }
    throw new ConfigError(`config key ${holderKey}: unknown resolver ${JSON.stringify(name)} in \${${name}:${argText}}; expected oc.env`);
  }

  private argValue(a: string, holder: Path): unknown {
    if (a.length >= 2 && (a[0] === "'" || a[0] === '"') && a[a.length - 1] === a[0]) {
      return a.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (/^null$/i.test(a)) return null;
    if (hasInterpolation(a)) return this.resolveString(a, holder);
    return a;
  }
}

/** Resolves every interpolation; returns a new tree. ConfigError names the key holding a bad interpolation. */
export function resolveInterpolations(config: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return new Resolver(config, env).resolveAt([]) as Record<string, unknown>;
}
