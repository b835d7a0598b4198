/**
 * A processing element: int8 × int8 → int32 multiply-accumulate into one of two accumulator banks
 * (a matmul fills one bank while a drain reads the other). Operands and the step's control (valid,
 * first step of a fresh matmul, bank) arrive from the left/top neighbour and are passed on
 * registered, one PE per cycle (output-stationary systolic flow).
 *
 * Pipeline from the operand registers to the accumulator (internal, not part of the contract: the
 * controller only lets a drain read a bank flushCycles after the last step, which covers it):
 * - `dsp`: multiplier inputs registered, product registered, then accumulate — a plain `*` between
 *   registers, which yosys maps to SB_MAC16 / MULT18X18D with the registers absorbed, and which
 *   nextpnr can time (it does not time the inside of SB_MAC16). Depth max(P, 3) ≤ P + 2.
 * - `lut`: a shift-and-add multiplier (no `$mul` cell, so yosys cannot put it in a DSP), P − 1
 *   product registers, then accumulate. Depth P.
 */
import { add, bit, cat, land, lit, lnot, mulS, mux, sext, slice, sub, type Expr } from '../ir/expr.js';
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
    const clear = m.input('clear', 1, 'start: zero both banks, drop steps in flight');
    const aIn = m.input('a_in', 8, 'left operand (int8)');
    const cIn = m.input('c_in', CTL_BITS, 'step control {bank, first, valid}: first = overwrite instead of add (acc=0)');
    const bIn = m.input('b_in', 8, 'top operand (int8)');
    const aR = m.output('a_out', 8);
    const cR = m.output('c_out', CTL_BITS);
    const bR = m.output('b_out', 8);
    const acc = [m.output('acc0', 32), m.output('acc1', 32)];
    const ff: Stmt[] = [set(aR, aIn), set(bR, bIn), set(cR, mux(clear, lit(CTL_BITS, 0), cIn))];
    // The step's control travels alongside the product pipeline as one bundle.
    let c = cR;
    const stage = (i: number): void => {
      const n = m.net(`c${i}`, CTL_BITS);
      ff.push(set(n, mux(clear, lit(CTL_BITS, 0), c)));
      c = n;
    };
    let prod: Expr;
    let stages = 1;
    if (kind === 'dsp') {
      const ma = m.net('mul_a', 8, 'DSP input register');
      const mb = m.net('mul_b', 8, 'DSP input register');
      ff.push(set(ma, aR), set(mb, bR));
      stage(stages++);
      prod = m.let('product', mulS(ma, mb));
    } else {
      prod = m.let('product', shiftAddMul(m, aR, bR));
    }
    for (let i = 0; i < depth - stages; i++) {
      const p = m.net(`prod${i}`, 16, i === 0 && kind === 'dsp' ? 'DSP output register' : 'product pipeline');
      ff.push(set(p, prod));
      prod = p;
      stage(stages + i);
    }
    const p32 = sext(prod, 32);
    const v = bit(c, 0);
    const f = bit(c, 1);
    const k = bit(c, 2);
    for (let b = 0; b < 2; b++) {
      ff.push(iff(clear, [set(acc[b]!, lit(32, 0))], [
        iff(land(v, b === 1 ? k : lnot(k)), [set(acc[b]!, mux(f, p32, add(acc[b]!, p32)))]),
      ]));
    }
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
