import type { z } from 'zod';
import { ConfigError, show } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';

/** A config that failed its schema: `message` is the first problem, `issues` holds them all, one line each. */
export class ConfigValidationError extends ConfigError {
  constructor(
    readonly issues: string[],
    readonly zodIssues: readonly z.core.$ZodIssue[],
  ) {
    super(issues.length > 1 ? `${issues[0]} (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : issues[0]);
  }
}

type AnySchema = { _zod: { def: Record<string, any> } };

/** Unwraps optional/nullable/default/pipe/lazy wrappers down to the schema that does the work. */
function unwrap(s: AnySchema | undefined): AnySchema | undefined {
  for (let i = 0; s && i < 20; i++) {
    const def = s._zod.def;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (def.type === 'lazy') s = def.getter();
    else return s;
  }
  return s;
}

/** The object schema's keys at `path`, for "allowed keys" in unknown-key messages. */
function keysAt(schema: AnySchema, path: PropertyKey[]): string[] {
  let s: AnySchema | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return [];
    const def = s._zod.def;
    if (def.type === 'object') s = unwrap(def.shape[seg as string]);
    else if (def.type === 'array') s = unwrap(def.element);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else if (def.type === 'union') s = unwrap(def.options.find((o: AnySchema) => unwrap(o)?._zod.def.type === 'object'));
    else return [];
  }
  const def = s ? s._zod.def : undefined;
  if (def?.type === 'object') return Object.keys(def.shape);
  if (def?.type === 'union') {
    return [...new Set<string>(def.options.flatMap((o: AnySchema) => keysAt(o, [])))];
  }
  return [];
}

function valueAt(root: unknown, path: PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, seg)) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: cur };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  return typeof v;
}

function joinPath(path: PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** One line per problem, e.g. `config key fusion.heads: expected number, received string (value "four")`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema: AnySchema, label = 'config key'): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const { found, value } = valueAt(input, path);
    const at = `${label} ${joinPath(path)}`;
    if (value === '???' && issue.code !== 'unrecognized_keys') {
      // OmegaConf's "mandatory missing" marker left unset.
      out.push(`${at}: mandatory value not set (???); set it with ${joinPath(path)}=<value>`);
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = keysAt(schema, path);
        for (const k of issue.keys) {
          const dym = didYouMean(k, allowed);
          const list = allowed.length ? `${dym ? ' ' : '; '}allowed keys: ${allowed.join(', ')}` : '';
          out.push(`${label} ${joinPath([...path, k])}: unknown key${dym}${list}`);
        }
        break;
      }
      case 'invalid_type':
        if (!found) out.push(`${at}: missing, expected ${issue.expected}`);
        else out.push(`${at}: expected ${issue.expected}, received ${typeName(value)} (value ${show(value)})`);
        break;
      case 'invalid_value': {
        const allowed = issue.values.map((v) => (typeof v === 'string' ? v : show(v)));
        const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : '';
        out.push(`${at}: expected one of ${allowed.join(', ')}, received ${show(value)}${suggestion}`);
        break;
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
        const what = issue.origin === 'array' || issue.origin === 'set' ? 'length' : issue.origin === 'string' ? 'length' : issue.origin;
        out.push(`${at}: expected ${what} ${op} ${String(bound)}, received ${show(value)}`);
        break;
      }
      case 'invalid_union': {
        const expected = issue.errors
          .map((branch) => branch.find((b) => b.code === 'invalid_type' && b.path.length === 0))
          .filter((b): b is z.core.$ZodIssueInvalidType => b !== undefined)
          .map((b) => b.expected);
        if (expected.length === issue.errors.length && expected.length > 0) {
          out.push(`${at}: expected ${[...new Set(expected)].join(' or ')}, received ${typeName(value)} (value ${show(value)})`);
        } else {
          // The value matches the shape of a branch but not its contents: report that branch's first issue.
          const branch = issue.errors.find((b) => b.length > 0 && !(b[0].code === 'invalid_type' && b[0].path.length === 0));
          if (branch) out.push(...formatIssues(branch.map((b) => ({ ...b, path: [...path, ...b.path] })), input, schema, label).slice(0, 1));
          else out.push(`${at}: ${issue.message} (value ${show(value)})`);
        }
        break;
      }
      default:
        out.push(`${at}: ${issue.message}${found ? ` (value ${show(value)})` : ''}`);
    }
  }
  return out;
}

/** Validates `config` against `schema`; ConfigValidationError (a ConfigError) lists every problem. */
export function validateConfig<T>(config: unknown, schema: z.ZodType<T>, label = 'config key'): T {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  throw new ConfigValidationError(formatIssues(r.error.issues, config, schema as unknown as AnySchema, label), r.error.issues);
}
