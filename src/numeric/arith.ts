/**
 * The chip's fixed-point arithmetic, defined once for the simulator and the reference models.
 * (The RTL implements the same rules independently; verify compares the two.)
 * All products that reach these helpers are exact: |x| < 2^47, so doubles hold them exactly.
 */

/** Saturate to int8. */
export function sat8(x: number): number {
  return x > 127 ? 127 : x < -128 ? -128 : x;
}

/** Sign-extend the low 16 bits. */
export function sext16(x: number): number {
  return (x << 16) >> 16;
}

/** Sign-extend the low 8 bits. */
export function sext8(x: number): number {
  return (x << 24) >> 24;
}

const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

/**
 * Arithmetic right shift by s (0..47) rounding to nearest, ties toward +∞:
 * floor((p + 2^(s-1)) / 2^s). p must be an integer with |p| < 2^47.
 */
export function rshiftNearest(p: number, s: number): number {
  if (s === 0) return p;
  return Math.floor((p + POW2[s - 1]!) / POW2[s]!);
}

/**
 * Stochastic arithmetic right shift: floor((p + u) / 2^s) with u uniform in [0, 2^s) taken from the
 * 32-bit random value `rnd`: u = rnd mod 2^s for s ≤ 32, else rnd · 2^(s−32). Unbiased for s ≤ 32.
 */
export function rshiftStochastic(p: number, s: number, rnd: number): number {
  if (s === 0) return p;
  const u = s <= 32 ? (s === 32 ? rnd >>> 0 : (rnd >>> 0) % POW2[s]!) : (rnd >>> 0) * POW2[s - 32]!;
  return Math.floor((p + u) / POW2[s]!);
}

/**
 * Counter-based RNG: the random value for element n under seed: x = (seed + n) mod 2^32, then two
 * rounds of xorshift32 (13, 17, 5). Counter-based so a vector unit can draw W values a cycle.
 */
export function rngValue(seed: number, n: number): number {
  let x = (seed + n) >>> 0;
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  return x >>> 0;
}

/** Wrap to int32. */
export function wrap32(x: number): number {
  return x | 0;
}
