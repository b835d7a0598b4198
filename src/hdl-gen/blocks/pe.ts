/**
 * A processing element: the multiplier and the two int32 accumulator banks of one array position
 * (a matmul fills one bank while a drain reads the other). The systolic operand and control
 * registers that move steps from PE to PE live in ag_array as one packed shift register per row
 * (same flip-flops; one wide shift instead of one small copy per PE in a simulator).
 *
 * Pipeline from the operand registers (in ag_array) to the accumulator (internal, not part of the
 * contract: the controller only lets a drain read a bank flushCycles after the last step, which
 * covers it):
 * - `dsp`: multiplier inputs registered, product registered, then accumulate — a plain `*` between
 *   registers, which yosys maps to SB_MAC16 / MULT18X18D with the registers absorbed, and which
 *   nextpnr can time (it does not time the inside of SB_MAC16). Depth max(P, 3) ≤ P + 2.
 * - `lut`: a shift-and-add multiplier (no `$mul` cell, so yosys cannot put it in a DSP), P − 1
 *   product registers, then accumulate. Depth P.
 */
import { add, bit, cat, lit, mulSN, mux, sext, slice, sub, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';

export type PeKind = 'dsp' | 'lut';

/** Bits of a step's control bundle {bank, first, valid}. */
export const CTL_BITS = 3;

/** Cycles from a PE's operand registers to its accumulator. */
export function peDepth(kind: PeKind, P: number): number {
  return kind === 'dsp' ? Math.max(P, 3) : P;
}

export function pe(ctx: Ctx, kind: PeKind): Module {
  const name = `ag_pe_${kind}`;
  return ctx.lib.once(name, () => {
    const depth = peDepth(kind, ctx.P);
    const m = new ModuleBuilder(name, [
      `PE with a ${kind === 'dsp' ? 'DSP' : 'LUT (shift-add)'} multiplier; ${depth} cycle${depth > 1 ? 's' : ''} from operand registers to accumulator.`,
    ]);
    m.input('clk', 1);
    const clear = m.input('clear', 1, 'start: zero both banks');
    const a = m.input('a', 8, 'left operand (int8), from the row\'s operand register');
    const b = m.input('b', 8, 'top operand (int8), from the row\'s operand register');
    const ctl = m.input('ctl', CTL_BITS, `control {bank, first, valid} of the product reaching the accumulator now (the array delays it ${depth - 1} cycle${depth === 2 ? '' : 's'} behind a, b); first = overwrite instead of add`);
    const acc = [m.output('acc0', 32), m.output('acc1', 32)];
    const ff: Stmt[] = [];
    let prod: Expr;
    let stages = 0;
    if (kind === 'dsp') {
      const ma = m.net('mul_a', 8, 'DSP input register');
      const mb = m.net('mul_b', 8, 'DSP input register');
      ff.push(set(ma, a), set(mb, b));
      stages = 1;
      // Computed sign-extended to the accumulator's 32 bits (exact: |a·b| < 2^15), so the
      // accumulate needs no extension; yosys merges the copies of the sign bit.
      prod = m.let('product', mulSN(ma, mb, 32));
    } else {
      prod = m.let('product', shiftAddMul(m, a, b));
    }
    for (let i = 0; i < depth - 1 - stages; i++) {
      const p = m.net(`prod${i}`, prod.width, i === 0 && kind === 'dsp' ? 'DSP output register' : 'product pipeline');
      ff.push(set(p, prod));
      prod = p;
    }
    const p32 = sext(prod, 32);
    // One adder for both banks: the step's bank is selected, added to (or, first step, replaced by)
    // the product, and written back to that bank only.
    const cur = m.let('acc_cur', mux(bit(ctl, 2), acc[1]!, acc[0]!), 'the step\'s bank');
    const next = m.let('acc_next', mux(bit(ctl, 1), p32, add(cur, p32)));
    ff.push(iff(clear, [set(acc[0]!, lit(32, 0)), set(acc[1]!, lit(32, 0))], [
      iff(bit(ctl, 0), [iff(bit(ctl, 2), [set(acc[1]!, next)], [set(acc[0]!, next)])]),
    ]));
    m.ff(ff);
    return m.build();
  });
}

/**
 * Signed 8×8 multiply as a sum of shifted partial products (two's complement: the MSB's partial
 * product is subtracted). Only AND, shift and add cells: nothing yosys's DSP mapping looks for.
 */
function shiftAddMul(m: ModuleBuilder, a: Expr, b: Expr): Expr {
  const ax = m.let('a_ext', sext(a, 16));
  const terms: Expr[] = [];
  for (let i = 0; i < 8; i++) {
    const shifted = i === 0 ? ax : cat(slice(ax, 15 - i, 0), lit(i, 0));
    terms.push(m.let(`pp${i}`, mux(bit(b, i), shifted, lit(16, 0))));
  }
  let s = terms[0]!;
  for (let i = 1; i < 7; i++) s = add(s, terms[i]!);
  return sub(s, terms[7]!);
}
