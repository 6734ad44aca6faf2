import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { anchorPath, AuditLog, canonicalJson, describeVerification, GENESIS_HASH, recordHash, verifyAudit, type AuditEntry } from '../../src/generation/audit.js';
import { Rng } from '../../src/core/rng.js';
import { buildCorpus } from '../../src/generation/corpus/index.js';
import { escalationReply, SAFE_FALLBACK } from '../../src/generation/safety/index.js';
import { scrubPII } from '../../src/generation/safety/pii.js';

const dir = mkdtempSync(join(tmpdir(), 'affectlab-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `log-${n++}.jsonl`);

const entry = (text: string, i = 0): AuditEntry => ({
  emotion: { classes: ['sad', 'happy'], probs: [0.8, 0.2], arousal: -0.2, valence: -0.6, modalities: ['audio'] },
  intent: { emotion: 'sad', emotionIndex: 0, target: [1, 0], intensity: 0.7, polarity: -1, context: [0.1 * i] },
  controls: { tone: 'warm', temperature: 0.8, emotionWeight: 1 },
  decoding: { temperature: 0.8, topP: 0.9, maxTokens: 48, seed: i },
  safety: { verdict: 'ok', needsHuman: false },
  text,
});

function writeLog(count: number, opts: { anchor?: boolean } = {}): string {
  const path = fresh();
  const log = AuditLog.open(path, { modelVersion: 'gen-test@1', anchor: opts.anchor, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, n)) });
  for (let i = 0; i < count; i++) log.append(entry(`reply number ${i}`, i));
  return path;
}
const readLines = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');
const writeLines = (p: string, lines: string[]): void => writeFileSync(p, `${lines.join('\n')}\n`);

describe('canonical JSON and hashing', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}');
  });

  it('hashes with SHA-256 over the canonical form without the hash field', () => {
    const rec = { seq: 0, time: 't', modelVersion: 'm', emotion: null, intent: null, controls: {}, decoding: {}, safety: { verdict: 'ok' as const, needsHuman: false }, text: 'hi', prevHash: GENESIS_HASH };
    const expected = createHash('sha256')
      .update(`{"controls":{},"decoding":{},"emotion":null,"intent":null,"modelVersion":"m","prevHash":"${GENESIS_HASH}","safety":{"needsHuman":false,"verdict":"ok"},"seq":0,"text":"hi","time":"t"}`)
      .digest('hex');
    expect(recordHash(rec)).toBe(expected);
    expect(recordHash({ ...rec, hash: 'ignored' })).toBe(expected);
  });
});

describe('audit log', () => {
  it('appends chained records with every field and verifies', () => {
    const path = writeLog(5);
    const recs = readLines(path).map((l) => JSON.parse(l));
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(recs[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < recs.length; i++) expect(recs[i].prevHash).toBe(recs[i - 1].hash);
    expect(Object.keys(recs[0]).sort()).toEqual(['controls', 'decoding', 'emotion', 'hash', 'intent', 'modelVersion', 'prevHash', 'safety', 'seq', 'text', 'time']);
    expect(recs[2].decoding).toEqual({ temperature: 0.8, topP: 0.9, maxTokens: 48, seed: 2 });
    expect(verifyAudit(path)).toEqual({ ok: true, status: 'ok', records: 5, warnings: [] });
  });

  it('continues the chain when reopened', () => {
    const path = writeLog(2);
    AuditLog.open(path, { modelVersion: 'gen-test@2' }).append(entry('later'));
    const recs = readLines(path).map((l) => JSON.parse(l));
    expect(recs[2]).toMatchObject({ seq: 2, prevHash: recs[1].hash, modelVersion: 'gen-test@2' });
    expect(verifyAudit(path).ok).toBe(true);
  });

  it('scrubs personal data before writing', () => {
    const path = fresh();
    AuditLog.open(path, { modelVersion: 'm' }).append(entry('Hi Sarah, I saw your email sarah.j@example.com and will call 07700 900123.'));
    const raw = readFileSync(path, 'utf8');
    expect(raw).not.toMatch(/Sarah|example\.com|07700/);
    expect(JSON.parse(raw).text).toBe('Hi [NAME], I saw your email [EMAIL] and will call [PHONE].');
    expect(verifyAudit(path).ok).toBe(true);
  });

  it('detects a changed record', () => {
    const path = writeLog(4);
    const lines = readLines(path);
    lines[2] = lines[2].replace('reply number 2', 'reply number two');
    writeLines(path, lines);
    expect(verifyAudit(path)).toMatchObject({ ok: false, status: 'tampered', records: 2, firstBad: { line: 3, kind: 'changed' } });
    expect(describeVerification(path, verifyAudit(path)).exitCode).toBe(1);
  });

  it('detects a removed record', () => {
    const path = writeLog(4);
    const lines = readLines(path);
    lines.splice(1, 1);
    writeLines(path, lines);
    expect(verifyAudit(path).firstBad).toMatchObject({ line: 2, kind: 'removed' });
  });

  it('detects reordered records', () => {
    const path = writeLog(4);
    const lines = readLines(path);
    [lines[1], lines[2]] = [lines[2], lines[1]];
    writeLines(path, lines);
    expect(verifyAudit(path).firstBad).toMatchObject({ line: 2, kind: 'reordered' });
    expect(verifyAudit(path).firstBad?.reason).toMatch(/seq 2 comes before seq 1, which is on line 3/);
    const p2 = writeLog(3);
    const l2 = readLines(p2);
    writeLines(p2, [l2[0], l2[1], l2[1], l2[2]]);
    expect(verifyAudit(p2).firstBad).toMatchObject({ line: 3, kind: 'reordered' });
  });

  it('detects an inserted record even with a self-consistent hash', () => {
    const path = writeLog(3);
    const lines = readLines(path);
    const forged = JSON.parse(lines[1]);
    forged.text = 'forged';
    forged.prevHash = 'f'.repeat(64);
    forged.hash = recordHash(forged);
    lines[1] = JSON.stringify(forged);
    writeLines(path, lines);
    expect(verifyAudit(path).firstBad).toMatchObject({ line: 2, kind: 'inserted' });
  });

  it('detects records removed from the end through the head anchor', () => {
    const path = writeLog(4);
    writeLines(path, readLines(path).slice(0, 2));
    expect(verifyAudit(path)).toMatchObject({ ok: false, firstBad: { kind: 'truncated' } });
    const noAnchor = writeLog(3, { anchor: false });
    expect(existsSync(anchorPath(noAnchor))).toBe(false);
    expect(verifyAudit(noAnchor).warnings[0]).toMatch(/no head anchor/);
  });

  it('reports a torn last line distinctly and refuses to append after it unless repairing', () => {
    const path = writeLog(3);
    appendFileSync(path, '{"seq":3,"time":"2026-01-01T00:0');
    const v = verifyAudit(path);
    expect(v).toMatchObject({ ok: false, status: 'torn', records: 3, firstBad: { line: 4, kind: 'torn' } });
    expect(() => AuditLog.open(path, { modelVersion: 'm' })).toThrow(DataError);
    expect(() => AuditLog.open(path, { modelVersion: 'm' })).toThrow(/torn/);
    const warned: string[] = [];
    const log = AuditLog.open(path, { modelVersion: 'm', repairTorn: true, log: { warn: (m: string) => warned.push(m) } as never });
    log.append(entry('after repair'));
    expect(warned[0]).toMatch(/cut off a torn last line of \d+ bytes/);
    expect(verifyAudit(path)).toMatchObject({ ok: true, records: 4 });
    expect(describeVerification(path, v)).toEqual({ exitCode: 2, message: expect.stringMatching(/TORN after 3 good records; torn at line 4/) });
    expect(describeVerification(path, verifyAudit(path))).toEqual({ exitCode: 0, message: `${path}: OK, 4 records verified` });
  });

  it('with a key, a rewritten chain fails verification', () => {
    const path = fresh();
    const log = AuditLog.open(path, { modelVersion: 'm', key: 'secret', anchor: false });
    log.append(entry('a'));
    log.append(entry('b'));
    expect(verifyAudit(path, { key: 'secret' }).ok).toBe(true);
    expect(verifyAudit(path, { key: 'wrong' }).firstBad?.kind).toBe('changed');
    expect(verifyAudit(path).ok).toBe(false);
  });

  it('reports a malformed middle line with its line number', () => {
    const path = writeLog(3);
    const lines = readLines(path);
    lines[1] = 'not json';
    writeLines(path, lines);
    expect(verifyAudit(path).firstBad).toMatchObject({ line: 2, kind: 'malformed' });
    expect(verifyAudit(join(dir, 'nope.jsonl')).status).toBe('missing');
  });
});

describe('PII scrubbing', () => {
  const cases: [string, string][] = [
    ['my name is sam and I feel low', 'my name is [NAME] and I feel low'],
    ['I talked to Priya yesterday', 'I talked to [NAME] yesterday'],
    ['Priya Patel called me', '[NAME] called me'],
    ['Sarah said it was fine', '[NAME] said it was fine'],
    ['Dr. Okafor was kind', '[NAME] was kind'],
    ['Mail me at jo.bloggs+x@mail.example.org today', 'Mail me at [EMAIL] today'],
    ['write to jane dot doe at gmail dot com', 'write to [EMAIL]'],
    ['Call (555) 123-4567 or +44 20 7946 0958', 'Call [PHONE] or [PHONE]'],
    ['my number is 555.987.6543', 'my number is [PHONE]'],
    ['I live at 221B Baker Street', 'I live at [ADDRESS]'],
    ['send it to 12 elm st. apt 4B', 'send it to [ADDRESS]'],
    ['Flat 3, 45 High Road', '[ADDRESS], [ADDRESS]'],
    ['postcode NW1 6XE', 'postcode [ADDRESS]'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(scrubPII(input).text).toBe(expected);
  });

  it('leaves ordinary text, dates, times, short numbers and crisis lines alone', () => {
    for (const s of [
      'I feel sad on Monday and I am SO ANGRY at my Mum.',
      'Meeting on 2024-05-01 at 10:30, about 3 times a week.',
      'Call Samaritans on 116 123 or 988 in the US.',
      'It makes sense to feel anxious; try breathing in for four counts.',
      'call me tomorrow please',
    ]) {
      expect(scrubPII(s).text).toBe(s);
    }
  });

  it('leaves the system\'s own texts intact: corpus replies, escalation replies, the fallback', () => {
    const texts = [...buildCorpus({ rng: new Rng(9), perCell: 2 }).map((e) => e.text), SAFE_FALLBACK];
    for (const loc of ['en-US', 'en-GB', 'en-IE', 'en-CA', 'en-AU', undefined]) texts.push(escalationReply(loc), escalationReply(loc, 'harm_to_others'));
    expect(texts.filter((t) => scrubPII(t).text !== t)).toEqual([]);
  });

  it('counts what it replaced', () => {
    expect(scrubPII('Hi Tom, tom@x.io, 020 7946 0958').counts).toEqual({ email: 1, phone: 1, address: 0, name: 1 });
  });
});
