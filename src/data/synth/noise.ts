import type { Rng } from '../../core/rng.js';

/**
 * Bulk white noise. A corpus needs ~10^5 noise draws per sample, and the
 * seeded Alea stream behind `Rng` costs ~0.5 µs per normal; so bulk noise
 * comes from a mulberry32 stream seeded by one draw of the passed-in Rng
 * (still fully determined by the seed), with Box–Muller on top.
 */
export class NoiseSource {
  private s: number;
  private spare: number | undefined;
  constructor(rng: Rng) {
    this.s = rng.int32() | 0;
  }
  /** Uniform in (0, 1]. */
  uniform(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967296;
  }
  normal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
}
