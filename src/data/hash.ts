import { createHash } from 'node:crypto';

/** Stable short hash of plain data (object key order does not matter). */
export function hashConfig(cfg: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canon(cfg))).digest('hex').slice(0, 16);
}
