/**
 * Division by a constant in hardware without a divider: ⌊x / d⌋ = (x · M) >> s for every x below
 * 2^n, with M and s found here and checked exhaustively (n ≤ 20) at generation time.
 */
import { slice, type Expr } from '../ir/expr.js';
import type { ModuleBuilder } from '../ir/module.js';
import { mulConst } from './mulconst.js';

export function divConstParams(d: number, n: number): { mul: number; shift: number } {
  if (n > 20) throw new Error(`internal: divConst input of ${n} bits is too wide to check exhaustively`);
  for (let s = 0; s < 40; s++) {
    const M = Math.ceil(2 ** s / d);
    let ok = true;
    for (let x = 0; x < 2 ** n && ok; x++) if (Math.floor((x * M) / 2 ** s) !== Math.floor(x / d)) ok = false;
    if (ok) return { mul: M, shift: s };
  }
  throw new Error(`internal: no multiply-shift for division by ${d}`);
}

/** ⌊x / d⌋ as a net of `outBits` bits (x an identifier of n ≤ 20 bits). */
export function divConst(m: ModuleBuilder, name: string, x: Expr, d: number, outBits: number): Expr {
  if (d === 1) {
    if (x.width === outBits) return x;
    if (x.width < outBits) throw new Error(`internal: divConst ${name}: ${x.width}-bit input, ${outBits}-bit result`);
    m.let(`unused_${name}_hi`, slice(x, x.width - 1, outBits)); // the quotient fits outBits by the caller's range
    return m.let(name, slice(x, outBits - 1, 0));
  }
  const { mul, shift } = divConstParams(d, x.width);
  const mw = Math.max(1, Math.ceil(Math.log2(mul + 1)));
  // Only bits [shift +: outBits] of the product matter; the name tells Verilator the rest are dropped on purpose.
  const pw = Math.max(x.width + mw, shift + outBits);
  const prod = m.let(`${name}_prod_unused`, mulConst(x, mul, pw));
  return m.let(name, slice(prod, shift + outBits - 1, shift));
}
