import { DataError } from '../core/errors.js';
import type { NamedWeight } from './layers/module.js';

/** A weight in JSON: float32 values as base64 (compact, exact). */
export interface EncodedWeight {
  name: string;
  shape: number[];
  data: string;
}

export function encodeFloats(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeFloats(s: string, expected: number | undefined, where: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % 4 !== 0) throw new DataError(`${where}: ${buf.byteLength} bytes is not a whole number of float32 values`);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  if (expected !== undefined && out.length !== expected) throw new DataError(`${where}: ${out.length} values, expected ${expected}`);
  return out;
}

export function encodeWeights(ws: NamedWeight[]): EncodedWeight[] {
  return ws.map((w) => ({ name: w.name, shape: w.shape, data: encodeFloats(w.values) }));
}

export function decodeWeights(ws: EncodedWeight[], where: string): NamedWeight[] {
  if (!Array.isArray(ws)) throw new DataError(`${where}: expected an array of weights`);
  return ws.map((w, i) => {
    if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || typeof w.data !== 'string') {
      throw new DataError(`${where}[${i}]: expected {name, shape, data}`);
    }
    return { name: w.name, shape: w.shape, values: decodeFloats(w.data, w.shape.reduce((a, b) => a * b, 1), `${where}.${w.name}`) };
  });
}
