import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/errors.js';
import { writeFileAtomic } from '../core/io.js';
import type { Logger } from '../core/log.js';
import type { SampleFeatures } from '../perception/types.js';
import type { Dataset, ModalityName } from './types.js';
import { hashConfig } from './hash.js';

/**
 * On-disk feature cache keyed by dataset, sample id and a hash of the feature
 * config, so a sweep over fusion strategies extracts features once.
 *
 * File layout (little-endian): magic "AFC1", u32 header length, UTF-8 JSON
 * header { entries: [{ modality, frames, dim }], payloadBytes, sha256 }, then
 * for each entry `frames` Float32 times followed by frames×dim Float32 values.
 * A file whose magic, lengths or payload checksum do not match is treated as
 * absent and deleted, so it is rebuilt, never used.
 */
const MAGIC = 'AFC1';

interface Header {
  entries: { modality: ModalityName; frames: number; dim: number }[];
  payloadBytes: number;
  sha256: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found corrupt or partial, deleted and reported as misses. */
  corrupt: number;
  writes: number;
}

export { hashConfig };

/**
 * The cache's dataset key: name plus content fingerprint, so two SynAffect
 * configs (or seeds) never share entries even though their sample ids match.
 */
export function datasetCacheKey(ds: Pick<Dataset, 'info'>): string {
  return ds.info.fingerprint ? `${ds.info.name}-${ds.info.fingerprint}` : ds.info.name;
}

function safe(part: string, what: string): string {
  if (part === '' || part === '.' || part === '..') throw new DataError(`FeatureCache: ${what} ${JSON.stringify(part)} is not a usable key`);
  return part.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class FeatureCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0, writes: 0 };

  constructor(
    readonly root: string,
    private readonly log?: Logger,
  ) {}

  path(dataset: string, sampleId: string, configHash: string): string {
    return join(this.root, safe(dataset, 'dataset'), safe(configHash, 'config hash'), `${safe(sampleId, 'sample id')}.afc`);
  }

  get(dataset: string, sampleId: string, configHash: string): SampleFeatures | undefined {
    const p = this.path(dataset, sampleId, configHash);
    if (!existsSync(p)) {
      this.stats.misses++;
      return undefined;
    }
    const feats = decode(readFileSync(p));
    if (typeof feats === 'string') {
      this.stats.corrupt++;
      this.stats.misses++;
      this.log?.warn(`feature cache: ${p}: ${feats}; deleting it so it is rebuilt`);
      rmSync(p, { force: true });
      return undefined;
    }
    this.stats.hits++;
    return feats;
  }

  put(dataset: string, sampleId: string, configHash: string, features: SampleFeatures): void {
    writeFileAtomic(this.path(dataset, sampleId, configHash), encode(features));
    this.stats.writes++;
  }

  /** The cached features, or `compute()`'s result stored first. */
  getOrCompute(dataset: string, sampleId: string, configHash: string, compute: () => SampleFeatures): SampleFeatures {
    const hit = this.get(dataset, sampleId, configHash);
    if (hit) return hit;
    const f = compute();
    this.put(dataset, sampleId, configHash, f);
    return f;
  }
}

export function encode(features: SampleFeatures): Uint8Array {
  const entries: Header['entries'] = [];
  const parts: Float32Array[] = [];
  for (const [m, seq] of Object.entries(features) as [ModalityName, NonNullable<SampleFeatures[ModalityName]>][]) {
    if (!seq) continue;
    const frames = seq.times.length;
    if (seq.values.length !== frames * seq.dim) throw new DataError(`FeatureCache.put: ${m}: values has ${seq.values.length} numbers, expected times.length × dim = ${frames} × ${seq.dim}`);
    entries.push({ modality: m, frames, dim: seq.dim });
    parts.push(seq.times, seq.values);
  }
  const payloadBytes = parts.reduce((a, p) => a + p.byteLength, 0);
  const payload = new Uint8Array(payloadBytes);
  let off = 0;
  for (const p of parts) {
    payload.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), off);
    off += p.byteLength;
  }
  const header: Header = { entries, payloadBytes, sha256: createHash('sha256').update(payload).digest('hex') };
  const hb = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + hb.length + payloadBytes);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, hb.length, true);
  out.set(hb, 8);
  out.set(payload, 8 + hb.length);
  return out;
}

/** Features, or a string saying why the bytes are not a valid entry. */
export function decode(b: Uint8Array): SampleFeatures | string {
  if (b.length < 8 || Buffer.from(b.subarray(0, 4)).toString('ascii') !== MAGIC) return `bad magic (expected ${MAGIC})`;
  const hl = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(4, true);
  if (8 + hl > b.length) return `header of ${hl} bytes runs past the end of a ${b.length}-byte file`;
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(b.subarray(8, 8 + hl)).toString('utf8')) as Header;
  } catch {
    return 'header is not valid JSON';
  }
  const payload = b.subarray(8 + hl);
  if (payload.length !== header.payloadBytes) return `payload is ${payload.length} bytes, header says ${header.payloadBytes} (partial write)`;
  const expected = header.entries.reduce((a, e) => a + 4 * e.frames * (1 + e.dim), 0);
  if (expected !== header.payloadBytes) return `entries need ${expected} bytes, header says ${header.payloadBytes}`;
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) return 'payload checksum mismatch';
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const aligned = new Uint8Array(payload.length);
  aligned.set(payload);
  const out: SampleFeatures = {};
  let off = 0;
  for (const e of header.entries) {
    const times = new Float32Array(aligned.buffer, off, e.frames);
    off += 4 * e.frames;
    const values = new Float32Array(aligned.buffer, off, e.frames * e.dim);
    off += 4 * e.frames * e.dim;
    out[e.modality] = { times, values, dim: e.dim };
  }
  return out;
}
