import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendJsonl, readJsonl, writeFileAtomic, writeJsonAtomic, readJson } from '../../src/core/io.js';
import { DataError } from '../../src/core/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'affectlab-io-'));

describe('atomic IO', () => {
  it('replaces a file whole and leaves no temp files', () => {
    const d = tmp();
    const p = join(d, 'sub', 'a.json');
    writeJsonAtomic(p, { a: 1 });
    writeJsonAtomic(p, { a: 2, b: [1, 2] });
    expect(readJson(p)).toEqual({ a: 2, b: [1, 2] });
    expect(readdirSync(join(d, 'sub'))).toEqual(['a.json']);
  });

  it('leaves the old content when the write fails', () => {
    const d = tmp();
    const p = join(d, 'a.txt');
    writeFileAtomic(p, 'old');
    // Writing into a path whose parent is a file fails before the rename.
    expect(() => writeFileAtomic(join(p, 'x'), 'new')).toThrow();
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['a.txt']);
  });

  it('reads JSONL, ignoring a torn last line but not a bad middle line', () => {
    const d = tmp();
    const p = join(d, 'm.jsonl');
    appendJsonl(p, { step: 1 });
    appendJsonl(p, { step: 2 });
    appendFileSync(p, '{"step": 3, "lo');
    expect(readJsonl(p)).toEqual([{ step: 1 }, { step: 2 }]);
    writeFileSync(p, '{"a":1}\nnot json\n{"a":2}\n');
    expect(() => readJsonl(p)).toThrow(DataError);
    expect(() => readJsonl(p)).toThrow(/m\.jsonl:2/);
  });

  it('names the file in read errors', () => {
    expect(() => readJson('/nonexistent/x.json')).toThrow(/\/nonexistent\/x\.json: cannot read \(ENOENT\)/);
  });
});
