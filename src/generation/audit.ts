/**
 * Audit trail: every intervention is appended to a JSONL log, one record per
 * line, personal data scrubbed before it is written, each record carrying the
 * SHA-256 of the previous one (a hash chain), so `verifyAudit` detects a
 * changed, removed, inserted or reordered record, and tells a torn last line
 * (a writer killed mid-append) apart from tampering.
 *
 * Limits, stated plainly: a plain hash chain catches edits by anyone who does
 * not recompute the chain; someone with write access who rewrites every later
 * record too is caught only with a secret `key` (HMAC-SHA256 instead of
 * SHA-256). Removing records from the end leaves a valid shorter chain; the
 * head anchor (`LOG.head`, rewritten atomically after each append) catches
 * that. One writer per log: appends from two processes break the chain.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { DataError, show } from '../core/errors.js';
import { writeJsonAtomic } from '../core/io.js';
import type { Logger } from '../core/log.js';
import type { EmotionVector } from '../perception/types.js';
import type { Intent } from '../reasoning/types.js';
import { scrubDeep, type ScrubOptions } from './safety/pii.js';
import type { Controls, Intervention, SafetyVerdict } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  seq: number;
  /** ISO 8601. */
  time: string;
  modelVersion: string;
  /** The perceived emotion (see `auditEmotion`), or null when none. */
  emotion: unknown;
  intent: unknown;
  controls: unknown;
  /** Decoding parameters (temperature, top-k/p, max length, seed, ...). */
  decoding: Record<string, unknown>;
  safety: SafetyVerdict;
  text: string;
  prevHash: string;
  hash: string;
}

export interface AuditEntry {
  emotion: unknown;
  intent: Intent | Record<string, unknown> | null;
  controls: Controls | Record<string, unknown>;
  decoding: Record<string, unknown>;
  safety: SafetyVerdict;
  text: string;
}

/** The audit view of an EmotionVector: the distribution and affect, without the (large) fused embedding. */
export function auditEmotion(e: EmotionVector | null | undefined): Record<string, unknown> | null {
  if (!e) return null;
  return { classes: e.classes, probs: e.probs, arousal: e.arousal, valence: e.valence, modalities: e.modalities };
}

/** JSON with object keys sorted at every level and no whitespace: the byte string that is hashed. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord, key?: string): string {
  const { hash: _hash, ...rest } = record as AuditRecord;
  const body = canonicalJson(rest);
  return key ? createHmac('sha256', key).update(body).digest('hex') : createHash('sha256').update(body).digest('hex');
}

/** Keys whose values are machine identifiers, not free text: never scrubbed. */
const NO_SCRUB = new Set(['seq', 'time', 'modelVersion', 'prevHash', 'hash', 'classes', 'tone', 'strategy', 'verdict', 'rule', 'action', 'emotion', 'modalities']);

export interface AuditLogOptions {
  modelVersion: string;
  /** Scrub personal data before writing (default true). */
  scrub?: boolean;
  scrubOptions?: ScrubOptions;
  /** HMAC key: makes the chain tamper-evident against someone who can rewrite the file. */
  key?: string;
  /** Maintain `LOG.head` so that removing records from the end is detected (default true). */
  anchor?: boolean;
  /** fsync after each append (default true): an intervention that was returned is on disk. */
  fsync?: boolean;
  /** A torn last line (killed writer) is an error unless this is set; then it is cut off and logged. */
  repairTorn?: boolean;
  log?: Logger;
  now?: () => Date;
}

interface Anchor {
  seq: number;
  hash: string;
  records: number;
}

export function anchorPath(path: string): string {
  return `${path}.head`;
}

export class AuditLog {
  private seq: number;
  private prevHash: string;

  private constructor(
    readonly path: string,
    private readonly opts: AuditLogOptions,
    last: { seq: number; hash: string } | undefined,
    private records: number,
  ) {
    this.seq = last ? last.seq + 1 : 0;
    this.prevHash = last ? last.hash : GENESIS_HASH;
  }

  /** Opens (or creates) a log and continues its chain. */
  static open(path: string, opts: AuditLogOptions): AuditLog {
    if (!opts.modelVersion) throw new DataError(`audit log ${path}: modelVersion is empty; expected the model's version string`);
    if (!existsSync(path)) return new AuditLog(path, opts, undefined, 0);
    const text = readFileSync(path, 'utf8');
    let body = text;
    if (text.length > 0 && !text.endsWith('\n')) {
      const cut = text.lastIndexOf('\n') + 1;
      const torn = text.length - cut;
      if (!opts.repairTorn) {
        throw new DataError(`audit log ${path}: the last line is torn (${torn} bytes without a newline, a writer was killed mid-append); run \`affectlab audit verify\`, or open with repairTorn to cut it off`);
      }
      truncateSync(path, Buffer.byteLength(text.slice(0, cut)));
      opts.log?.warn(`audit log ${path}: cut off a torn last line of ${torn} bytes left by a killed writer`);
      body = text.slice(0, cut);
    }
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) return new AuditLog(path, opts, undefined, 0);
    let last: AuditRecord;
    try {
      last = JSON.parse(lines[lines.length - 1]) as AuditRecord;
    } catch {
      throw new DataError(`audit log ${path}:${lines.length}: not valid JSON; expected one audit record per line`);
    }
    if (!Number.isInteger(last.seq) || typeof last.hash !== 'string') {
      throw new DataError(`audit log ${path}:${lines.length}: record has seq ${show(last.seq)} and hash ${show(last.hash)}; expected an integer seq and a hex hash`);
    }
    return new AuditLog(path, opts, { seq: last.seq, hash: last.hash }, lines.length);
  }

  /** Appends one record; returns it as written (scrubbed, chained). */
  append(entry: AuditEntry): AuditRecord {
    const scrub = this.opts.scrub ?? true;
    const payload = {
      emotion: entry.emotion ?? null,
      intent: entry.intent ?? null,
      controls: entry.controls,
      decoding: entry.decoding ?? {},
      safety: entry.safety,
      text: entry.text,
    };
    // A JSON round trip first, so what is hashed is exactly what a reader parses back (no undefined, NaN -> null).
    const clean = JSON.parse(JSON.stringify(scrub ? scrubDeep(payload, NO_SCRUB, this.opts.scrubOptions) : payload)) as typeof payload;
    const base = {
      seq: this.seq,
      time: (this.opts.now ?? (() => new Date()))().toISOString(),
      modelVersion: this.opts.modelVersion,
      ...clean,
      prevHash: this.prevHash,
    };
    const record: AuditRecord = { ...base, hash: recordHash(base, this.opts.key) };
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      if (this.opts.fsync ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.seq++;
    this.prevHash = record.hash;
    this.records++;
    if (this.opts.anchor ?? true) writeJsonAtomic(anchorPath(this.path), { seq: record.seq, hash: record.hash, records: this.records } satisfies Anchor);
    return record;
  }

  /** Appends a returned intervention with the perception and reasoning that led to it. */
  appendIntervention(iv: Intervention, ctx: { emotion?: EmotionVector | null; intent?: Intent | null; decoding?: Record<string, unknown> }): AuditRecord {
    const decoding = ctx.decoding ?? ((iv.trace as { decoding?: Record<string, unknown> }).decoding ?? {});
    return this.append({ emotion: auditEmotion(ctx.emotion), intent: ctx.intent ?? null, controls: iv.controls, decoding, safety: iv.safety, text: iv.text });
  }
}

export type AuditProblem = 'changed' | 'removed' | 'inserted' | 'reordered' | 'malformed' | 'truncated' | 'torn';

export interface AuditVerification {
  /** True only when every record checks out and nothing is torn. */
  ok: boolean;
  status: 'ok' | 'torn' | 'tampered' | 'missing';
  /** Valid records read. */
  records: number;
  /** The first problem; `line` is 1-based. */
  firstBad?: { line: number; kind: AuditProblem; reason: string };
  warnings: string[];
}

/**
 * Verifies a log. Per line: valid JSON with the record fields; the hash
 * recomputes (else `changed`); seq is the previous seq + 1 (a gap is
 * `removed`, going back is `reordered`); prevHash is the previous hash (else
 * `inserted`). A final line without a newline that does not parse is `torn`,
 * reported with status 'torn', not 'tampered'. With the head anchor, a chain
 * that ends before the anchor's record is `truncated`.
 */
export function verifyAudit(path: string, opts: { key?: string; anchor?: boolean } = {}): AuditVerification {
  if (!existsSync(path)) return { ok: false, status: 'missing', records: 0, firstBad: { line: 0, kind: 'malformed', reason: `${path}: no such file` }, warnings: [] };
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const warnings: string[] = [];
  const bad = (line: number, kind: AuditProblem, reason: string, records: number): AuditVerification => ({
    ok: false,
    status: kind === 'torn' ? 'torn' : 'tampered',
    records,
    firstBad: { line, kind, reason },
    warnings,
  });
  // Where each seq occurs, to tell a gap (records removed) from a record that moved (reordered).
  const seqLine = new Map<number, number>();
  lines.forEach((l, i) => {
    const m = /^\{"seq":(\d+),/.exec(l);
    if (m && !seqLine.has(Number(m[1]))) seqLine.set(Number(m[1]), i);
  });
  let prev: AuditRecord | undefined;
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const isLast = i === lines.length - 1;
    let rec: AuditRecord;
    try {
      rec = JSON.parse(lines[i]) as AuditRecord;
    } catch {
      if (isLast && !text.endsWith('\n')) return bad(n, 'torn', `${path}:${n}: torn last line (${lines[i].length} chars, no newline): a writer was killed mid-append`, count);
      return bad(n, 'malformed', `${path}:${n}: not valid JSON; expected one audit record per line`, count);
    }
    const missing = ['seq', 'time', 'modelVersion', 'safety', 'text', 'prevHash', 'hash'].filter((k) => !(k in (rec ?? {})));
    if (!rec || typeof rec !== 'object' || missing.length > 0) {
      return bad(n, 'malformed', `${path}:${n}: record lacks ${missing.join(', ')}; expected an affectlab audit record`, count);
    }
    if (recordHash(rec, opts.key) !== rec.hash) {
      return bad(n, 'changed', `${path}:${n}: record seq ${rec.seq} does not match its hash (its content was changed${opts.key ? ' or the key is wrong' : ''})`, count);
    }
    const expectedSeq = prev ? prev.seq + 1 : 0;
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    if (rec.seq > expectedSeq && (seqLine.get(expectedSeq) ?? -1) > i) {
      return bad(n, 'reordered', `${path}:${n}: seq ${rec.seq} comes before seq ${expectedSeq}, which is on line ${(seqLine.get(expectedSeq) ?? 0) + 1} (records reordered)`, count);
    }
    if (rec.seq > expectedSeq) {
      return bad(n, 'removed', `${path}:${n}: seq ${rec.seq} follows seq ${prev ? prev.seq : 'none'}; expected ${expectedSeq} (${rec.seq - expectedSeq} record(s) removed)`, count);
    }
    if (rec.seq < expectedSeq) {
      return bad(n, 'reordered', `${path}:${n}: seq ${rec.seq} after seq ${prev ? prev.seq : 'none'}; expected ${expectedSeq} (records reordered or duplicated)`, count);
    }
    if (rec.prevHash !== expectedPrev) {
      return bad(n, 'inserted', `${path}:${n}: prevHash ${rec.prevHash.slice(0, 12)}… does not match the previous record's hash ${expectedPrev.slice(0, 12)}… (a record was inserted or replaced)`, count);
    }
    prev = rec;
    count++;
  }
  if (opts.anchor ?? true) {
    const ap = anchorPath(path);
    if (existsSync(ap)) {
      let anchor: Anchor;
      try {
        anchor = JSON.parse(readFileSync(ap, 'utf8')) as Anchor;
      } catch {
        return bad(0, 'malformed', `${ap}: not valid JSON; expected {seq, hash, records}`, count);
      }
      const lastSeq = prev ? prev.seq : -1;
      if (prev && anchor.seq === lastSeq && anchor.hash === prev.hash) {
        // in step
      } else if (prev && anchor.seq === lastSeq - 1) {
        warnings.push(`${ap}: the anchor is one record behind (the writer stopped between appending and updating the anchor)`);
      } else if (anchor.seq > lastSeq) {
        return bad(lines.length + 1, 'truncated', `${path}: the log ends at seq ${lastSeq} but its anchor records seq ${anchor.seq}: ${anchor.seq - lastSeq} record(s) removed from the end`, count);
      } else {
        return bad(0, 'changed', `${ap}: anchor seq ${anchor.seq} / hash ${String(anchor.hash).slice(0, 12)}… does not match the log (last seq ${lastSeq})`, count);
      }
    } else if (count > 0) {
      warnings.push(`${ap}: no head anchor; removal of records from the end cannot be detected`);
    }
  }
  return { ok: true, status: 'ok', records: count, warnings };
}

/**
 * One line for `affectlab audit verify LOG` and its exit code: 0 verified,
 * 1 tampered or unreadable, 2 torn last line (a killed writer, not tampering).
 */
export function describeVerification(path: string, v: AuditVerification): { exitCode: number; message: string } {
  const warn = v.warnings.length ? ` (${v.warnings.join('; ')})` : '';
  if (v.ok) return { exitCode: 0, message: `${path}: OK, ${v.records} records verified${warn}` };
  const where = v.firstBad ? `${v.firstBad.kind} at line ${v.firstBad.line}: ${v.firstBad.reason}` : v.status;
  return { exitCode: v.status === 'torn' ? 2 : 1, message: `${path}: ${v.status.toUpperCase()} after ${v.records} good records; ${where}${warn}` };
}
