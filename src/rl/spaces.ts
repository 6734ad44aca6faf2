import { DataError, show } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/**
 * Gymnasium's spaces in TypeScript. A space describes the set of valid
 * observations or actions; `sample(rng)` draws a member from a passed-in Rng,
 * `contains(x)` checks membership, and `flatten`/`unflatten` map members to and
 * from one Float32Array of length `flatDim` (Gymnasium's `flatten_space`
 * conventions: Discrete and MultiDiscrete one-hot, Box as is, Dict in sorted
 * key order, Tuple in order).
 */
export interface Space<T = unknown> {
  readonly kind: 'discrete' | 'box' | 'multi_discrete' | 'dict' | 'tuple';
  readonly flatDim: number;
  sample(rng: Rng): T;
  contains(x: unknown): x is T;
  flatten(x: T): Float32Array;
  /** Writes the flat form of x into out at offset (no allocation: used in hot loops). */
  flattenInto(x: T, out: Float32Array, offset: number): void;
  unflatten(flat: ArrayLike<number>, offset?: number): T;
  /** Plain-data description (for checkpoints and error messages). */
  toJSON(): unknown;
}

function flattenWith<T>(space: Space<T>, x: T): Float32Array {
  const out = new Float32Array(space.flatDim);
  space.flattenInto(x, out, 0);
  return out;
}

/** Integers {start, ..., start + n - 1}. */
export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  readonly flatDim: number;
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n <= 0) throw new DataError(`Discrete: n=${show(n)}; expected a positive integer`);
    this.flatDim = n;
  }
  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }
  contains(x: unknown): x is number {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }
  flatten(x: number): Float32Array {
    return flattenWith(this, x);
  }
  flattenInto(x: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.n);
    out[offset + x - this.start] = 1;
  }
  unflatten(flat: ArrayLike<number>, offset = 0): number {
    // argmax, so a soft one-hot maps to its most likely member.
    let best = 0;
    for (let i = 1; i < this.n; i++) if (flat[offset + i] > flat[offset + best]) best = i;
    return this.start + best;
  }
  toJSON(): unknown {
    return { type: 'Discrete', n: this.n, start: this.start };
  }
}

/** A box in R^n with per-dimension bounds (±Infinity allowed); members are Float32Array. */
export class Box implements Space<Float32Array> {
  readonly kind = 'box' as const;
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly flatDim: number;
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, readonly shape: number[] = []) {
    const n = shape.length ? shape.reduce((a, b) => a * b, 1) : typeof low === 'number' ? (typeof high === 'number' ? 1 : high.length) : low.length;
    if (!shape.length) this.shape = [n];
    this.low = typeof low === 'number' ? new Float32Array(n).fill(low) : Float32Array.from(low);
    this.high = typeof high === 'number' ? new Float32Array(n).fill(high) : Float32Array.from(high);
    if (this.low.length !== n || this.high.length !== n) {
      throw new DataError(`Box: low has ${this.low.length} and high ${this.high.length} values; expected ${n} (shape ${show(this.shape)})`);
    }
    for (let i = 0; i < n; i++) {
      if (!(this.low[i] <= this.high[i])) throw new DataError(`Box: low[${i}]=${this.low[i]} > high[${i}]=${this.high[i]}; expected low <= high`);
    }
    this.flatDim = n;
  }
  /** Gymnasium's sampling: uniform where bounded, normal where unbounded, shifted exponential where half-bounded. */
  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loB = Number.isFinite(lo);
      const hiB = Number.isFinite(hi);
      if (loB && hiB) out[i] = rng.uniform(lo, hi);
      else if (!loB && !hiB) out[i] = rng.normal();
      else {
        const e = -Math.log(1 - rng.next());
        out[i] = loB ? lo + e : hi - e;
      }
      // Float32 rounding can land just outside a bound.
      out[i] = Math.min(Math.max(out[i], lo), hi);
    }
    return out;
  }
  contains(x: unknown): x is Float32Array {
    if (!(x instanceof Float32Array) || x.length !== this.flatDim) return false;
    for (let i = 0; i < x.length; i++) if (!(x[i] >= this.low[i] && x[i] <= this.high[i])) return false;
    return true;
  }
  /** Clips x into the box (ClipAction). */
  clip(x: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = Math.min(Math.max(x[i], this.low[i]), this.high[i]);
    return out;
  }
  flatten(x: Float32Array): Float32Array {
    return flattenWith(this, x);
  }
  flattenInto(x: Float32Array, out: Float32Array, offset: number): void {
    out.set(x, offset);
  }
  unflatten(flat: ArrayLike<number>, offset = 0): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = flat[offset + i];
    return out;
  }
  toJSON(): unknown {
    return { type: 'Box', shape: this.shape, low: Array.from(this.low), high: Array.from(this.high) };
  }
}

/** Several independent Discrete spaces: members are integer arrays with x[i] in [0, nvec[i]). */
export class MultiDiscrete implements Space<Int32Array> {
  readonly kind = 'multi_discrete' as const;
  readonly nvec: Int32Array;
  readonly flatDim: number;
  constructor(nvec: ArrayLike<number>) {
    this.nvec = Int32Array.from(nvec);
    for (let i = 0; i < this.nvec.length; i++) {
      if (!(this.nvec[i] > 0) || this.nvec[i] !== nvec[i]) throw new DataError(`MultiDiscrete: nvec[${i}]=${show(nvec[i])}; expected a positive integer`);
    }
    this.flatDim = this.nvec.reduce((a, b) => a + b, 0);
  }
  sample(rng: Rng): Int32Array {
    return this.nvec.map((n) => rng.int(n));
  }
  contains(x: unknown): x is Int32Array {
    if (!(x instanceof Int32Array) || x.length !== this.nvec.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] < 0 || x[i] >= this.nvec[i]) return false;
    return true;
  }
  flatten(x: Int32Array): Float32Array {
    return flattenWith(this, x);
  }
  flattenInto(x: Int32Array, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.flatDim);
    let o = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      out[o + x[i]] = 1;
      o += this.nvec[i];
    }
  }
  unflatten(flat: ArrayLike<number>, offset = 0): Int32Array {
    const out = new Int32Array(this.nvec.length);
    let o = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      let best = 0;
      for (let j = 1; j < this.nvec[i]; j++) if (flat[o + j] > flat[o + best]) best = j;
      out[i] = best;
      o += this.nvec[i];
    }
    return out;
  }
  toJSON(): unknown {
    return { type: 'MultiDiscrete', nvec: Array.from(this.nvec) };
  }
}

type SpaceValue<S> = S extends Space<infer T> ? T : never;
export type DictValue<S extends Record<string, Space>> = { [K in keyof S]: SpaceValue<S[K]> };

/** Named sub-spaces; like Gymnasium, keys are kept in sorted order, which fixes the flat layout. */
export class Dict<S extends Record<string, Space> = Record<string, Space>> implements Space<DictValue<S>> {
  readonly kind = 'dict' as const;
  readonly keys: (keyof S & string)[];
  readonly flatDim: number;
  constructor(readonly spaces: S) {
    this.keys = (Object.keys(spaces) as (keyof S & string)[]).sort();
    if (this.keys.length === 0) throw new DataError('Dict: no sub-spaces; expected at least one key');
    this.flatDim = this.keys.reduce((a, k) => a + spaces[k].flatDim, 0);
  }
  sample(rng: Rng): DictValue<S> {
    const out = {} as Record<string, unknown>;
    for (const k of this.keys) out[k] = this.spaces[k].sample(rng);
    return out as DictValue<S>;
  }
  contains(x: unknown): x is DictValue<S> {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    const rec = x as Record<string, unknown>;
    if (Object.keys(rec).length !== this.keys.length) return false;
    return this.keys.every((k) => k in rec && this.spaces[k].contains(rec[k]));
  }
  flatten(x: DictValue<S>): Float32Array {
    return flattenWith(this, x);
  }
  flattenInto(x: DictValue<S>, out: Float32Array, offset: number): void {
    let o = offset;
    for (const k of this.keys) {
      this.spaces[k].flattenInto(x[k], out, o);
      o += this.spaces[k].flatDim;
    }
  }
  unflatten(flat: ArrayLike<number>, offset = 0): DictValue<S> {
    const out = {} as Record<string, unknown>;
    let o = offset;
    for (const k of this.keys) {
      out[k] = this.spaces[k].unflatten(flat, o);
      o += this.spaces[k].flatDim;
    }
    return out as DictValue<S>;
  }
  toJSON(): unknown {
    return { type: 'Dict', spaces: Object.fromEntries(this.keys.map((k) => [k, this.spaces[k].toJSON()])) };
  }
}

/** An ordered product of sub-spaces; members are arrays. */
export class Tuple implements Space<unknown[]> {
  readonly kind = 'tuple' as const;
  readonly flatDim: number;
  constructor(readonly spaces: Space[]) {
    if (spaces.length === 0) throw new DataError('Tuple: no sub-spaces; expected at least one');
    this.flatDim = spaces.reduce((a, s) => a + s.flatDim, 0);
  }
  sample(rng: Rng): unknown[] {
    return this.spaces.map((s) => s.sample(rng));
  }
  contains(x: unknown): x is unknown[] {
    return Array.isArray(x) && x.length === this.spaces.length && this.spaces.every((s, i) => s.contains(x[i]));
  }
  flatten(x: unknown[]): Float32Array {
    return flattenWith(this, x);
  }
  flattenInto(x: unknown[], out: Float32Array, offset: number): void {
    let o = offset;
    this.spaces.forEach((s, i) => {
      s.flattenInto(x[i], out, o);
      o += s.flatDim;
    });
  }
  unflatten(flat: ArrayLike<number>, offset = 0): unknown[] {
    let o = offset;
    return this.spaces.map((s) => {
      const v = s.unflatten(flat, o);
      o += s.flatDim;
      return v;
    });
  }
  toJSON(): unknown {
    return { type: 'Tuple', spaces: this.spaces.map((s) => s.toJSON()) };
  }
}

/** Describes a value for membership errors. */
export function describeValue(x: unknown): string {
  if (x instanceof Float32Array || x instanceof Int32Array) return `${x.constructor.name}[${Array.from(x).slice(0, 8).join(', ')}${x.length > 8 ? ', ...' : ''}]`;
  return show(x);
}
