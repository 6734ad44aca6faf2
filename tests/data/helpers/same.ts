import { createHash } from 'node:crypto';

/**
 * A sample with every typed array replaced by its length and a SHA-256 of its
 * bytes: bit-exact comparison without vitest's element-by-element deep equality
 * (slow on 10^5-element arrays).
 */
export function digest(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return `${v.constructor.name}[${(v as unknown as { length: number }).length}]:${createHash('sha256').update(b).digest('hex')}`;
  }
  if (Array.isArray(v)) return v.map(digest);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, digest(x)]));
  return v;
}
