/**
 * x · k for a constant k as shifted adds and subtracts (k in non-adjacent form), modulo 2^width.
 * A `*` by a constant is a multiplier cell to yosys, and `synth_ecp5`/`synth_ice40 -dsp` put wide
 * ones in DSP blocks the PE array needs; these products are on cold paths (address decode, counts).
 */
import { add, and, cat, lit, rep, slice, sub, zext, type Expr } from '../ir/expr.js';

/** Digits of k in non-adjacent form, least significant first (each −1, 0 or 1). */
export function nafDigits(k: number): number[] {
  if (!Number.isInteger(k) || k < 0) throw new Error(`internal: mulConst by ${k}`);
  const d: number[] = [];
  let n = BigInt(k);
  while (n > 0n) {
    if (n & 1n) {
      const z = 2n - (n & 3n); // 1 if n ≡ 1 (mod 4), −1 if n ≡ 3
      d.push(Number(z));
      n -= z;
    } else d.push(0);
    n >>= 1n;
  }
  return d;
}

export function mulConst(x: Expr, k: number, width: number): Expr {
  // (x << i) mod 2^width = (x mod 2^(width − i)) << i: drop x's high bits before shifting, so no
  // term is ever wider than the result (the top NAF digit can sit one place above k's top bit).
  const term = (i: number): Expr => {
    const keep = width - i;
    const low = x.width <= keep ? x : slice(x, keep - 1, 0);
    const shifted = i === 0 ? low : cat(low, lit(i, 0));
    return shifted.width === width ? shifted : zext(shifted, width);
  };
  let acc: Expr | undefined;
  nafDigits(k).forEach((digit, i) => {
    if (digit === 0 || i >= width) return;
    if (!acc) acc = digit > 0 ? term(i) : sub(lit(width, 0), term(i));
    else acc = digit > 0 ? add(acc, term(i)) : sub(acc, term(i));
  });
  return acc ?? lit(width, 0);
}

/**
 * x · y (both unsigned) modulo 2^width as a balanced tree of shifted, gated adds: logic that no
 * synthesizer maps to a DSP block, for small products on paths where a DSP is not worth its slot
 * (the DMA duration rows · beats: the DSPs belong to the PE array).
 */
export function mulLut(x: Expr, y: Expr, width: number): Expr {
  const terms: Expr[] = [];
  for (let i = 0; i < y.width && i < width; i++) {
    const keep = width - i;
    const low = x.width <= keep ? x : slice(x, keep - 1, 0);
    const shifted = i === 0 ? low : cat(low, lit(i, 0));
    const t = shifted.width === width ? shifted : zext(shifted, width);
    terms.push(and(t, rep(width, slice(y, i, i))));
  }
  if (!terms.length) return lit(width, 0);
  while (terms.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i < terms.length; i += 2) next.push(i + 1 < terms.length ? add(terms[i]!, terms[i + 1]!) : terms[i]!);
    terms.splice(0, terms.length, ...next);
  }
  return terms[0]!;
}
