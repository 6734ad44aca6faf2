import seedrandom from 'seedrandom';

/**
 * The one source of randomness. Every random draw in affectlab comes from an
 * Rng that is passed in; `fork(label)` derives independent, reproducible
 * streams (per sample, per layer, per env) so that adding a draw in one place
 * does not shift the numbers everywhere else.
 */
export class Rng {
  private readonly gen: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | undefined;
  readonly seed: string;

  constructor(seed: number | string, state?: object) {
    this.seed = String(seed);
    // alea: fast, 2^116 period, serialisable state (needed for checkpoint resume).
    this.gen = state
      ? seedrandom.alea('', { state: state as seedrandom.State.Alea })
      : seedrandom.alea(this.seed, { state: true });
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.gen();
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.gen();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.gen() * n);
  }

  /** Integer in [lo, hi] inclusive. */
  intBetween(lo: number, hi: number): number {
    return lo + Math.floor(this.gen() * (hi - lo + 1));
  }

  /** A 31-bit integer, for seeding libraries that take an integer seed (tfjs initialisers, dropout). */
  int32(): number {
    return this.gen.int32() >>> 1;
  }

  /** Standard normal via Box–Muller (the spare value is kept). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.gen();
    const v = this.gen();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  bernoulli(p: number): boolean {
    return this.gen() < p;
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.choice: empty array');
    return items[this.int(items.length)];
  }

  /** Index drawn with probability proportional to `weights` (need not sum to 1). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.gen() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** Fills a Float32Array with N(mean, std²) draws. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Fills a Float32Array with U(lo, hi) draws. */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.gen();
    return out;
  }

  /** An independent stream derived from this generator's seed and a label; does not advance this one. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** Serialisable state, for checkpoints. */
  state(): object {
    return { seed: this.seed, gen: this.gen.state(), spare: this.spareNormal ?? null };
  }

  static fromState(s: { seed: string; gen: object; spare: number | null }): Rng {
    const r = new Rng(s.seed, s.gen);
    r.spareNormal = s.spare ?? undefined;
    return r;
  }
}
