/** Seeded randomness for the ISA tests (no Math.random: every failure must reproduce). */
import { fieldRange, encode } from '../src/isa/encoding.js';
import { MEM_CODES, type InstrSpec } from '../src/isa/table.js';

/** mulberry32: a tiny 32-bit seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Integer in lo..hi inclusive; biased toward the ends, where encoding bugs live. */
export function int(rnd: () => number, lo: number, hi: number): number {
  const r = rnd();
  if (r < 0.1) return lo;
  if (r < 0.2) return hi;
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

export function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** Random 64-bit word. */
export function word64(rnd: () => number): bigint {
  return (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));
}

/** Random legal field values for an instruction (natural form, as encode takes them). */
export function randomValues(rnd: () => number, spec: InstrSpec, maxTarget?: number): Record<string, number> {
  const v: Record<string, number> = {};
  for (const fs of spec.fields) {
    const fixed = spec.fixed?.[fs.name];
    if (fixed !== undefined) { v[fs.name] = fixed; continue; }
    if (fs.kind === 'mem') { v[fs.name] = MEM_CODES[pick(rnd, fs.mems!)]; continue; }
    const { lo, hi } = fieldRange(fs);
    v[fs.name] = int(rnd, lo, fs.kind === 'target' && maxTarget !== undefined ? Math.min(hi, maxTarget) : hi);
  }
  return v;
}

export function randomWord(rnd: () => number, spec: InstrSpec, maxTarget?: number): bigint {
  return encode(spec, randomValues(rnd, spec, maxTarget));
}
