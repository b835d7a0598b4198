/**
 * A small seeded PRNG for the random program generator: xoshiro128** (Blackman & Vigna), seeded
 * through splitmix32 so that nearby seeds (0, 1, 2, …) give unrelated streams. 32-bit integer math
 * only, so the stream is identical on every platform and Node version — a seed printed in a failure
 * report reproduces the exact program anywhere.
 */

/** splitmix32 step: a well-mixed 32-bit value from a counter. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Mix a list of 32-bit words (e.g. a user seed and a program index) into one seed. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) h = splitmix32((h ^ splitmix32(p >>> 0)) >>> 0);
  return h >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any 32-bit integer (other numbers are truncated with `>>> 0`). */
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return splitmix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro must not start from the all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [lo, hi] (inclusive). Requires hi − lo < 2^32. */
  int(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new RangeError(`Rng.int: empty range ${lo}..${hi}`);
    const span = hi - lo + 1;
    if (span > 0x1_0000_0000) throw new RangeError(`Rng.int: range ${lo}..${hi} wider than 2^32`);
    // Rejection sampling keeps the distribution exactly uniform (no modulo bias).
    const limit = Math.floor(0x1_0000_0000 / span) * span;
    let v = this.u32();
    while (v >= limit) v = this.u32();
    return lo + (v % span);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }

  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An element chosen with the given non-negative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights sum to 0');
    let r = (this.u32() / 0x1_0000_0000) * total;
    for (const [item, w] of items) {
      if (r < w) return item;
      r -= w;
    }
    return items[items.length - 1]![0];
  }

  /** Fill a byte array with uniform random bytes. */
  fillBytes(out: Uint8Array | Int8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const v = this.u32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < out.length) {
      let v = this.u32();
      for (; i < out.length; i++, v >>>= 8) out[i] = v;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
