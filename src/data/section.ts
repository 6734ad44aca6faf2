import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Validates a config section with a zod schema; the first issue becomes a one-line ConfigError (path, expected, received). */
export function parseSection<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = [where, ...issue.path.map(String)].join('.');
  let received = '';
  let v: unknown = value;
  for (const k of issue.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  if (v !== undefined && issue.code !== 'unrecognized_keys') received = ` (received ${JSON.stringify(v)?.slice(0, 60)})`;
  const more = r.error.issues.length > 1 ? ` [+${r.error.issues.length - 1} more issue(s)]` : '';
  return failConfig(`${path}: ${issue.message}${received}${more}`);
}

function failConfig(msg: string): never {
  throw new ConfigError(msg);
}
