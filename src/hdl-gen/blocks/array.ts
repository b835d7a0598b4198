/**
 * ag_array: R × C PEs. Left-edge lanes enter PE(i, 0) and move right; top-edge lanes enter PE(0, j)
 * and move down (the MXU skews them, lane i / j delayed i / j cycles, so step k of L(i,·) and
 * T(·,j) meet in PE(i, j)). PEs use a DSP multiplier for the first `dspPEs` in row-major order and a
 * LUT multiplier for the rest, so an array can be larger than the device's DSP count.
 *
 * The systolic registers are kept per row as packed vectors: lane j of row i's operand registers
 * is PE(i, j)'s operand (one register per hop, as PE-local registers would be), and the row's step
 * control runs on past the last column for the PEs' pipeline depth, so PE(i, j) takes the control of
 * the product reaching its accumulator from lane j + depth − 1 instead of carrying its own copies.
 * Same registers and timing as one register set per PE; a cycle-based simulator shifts one vector
 * per row instead of copying every PE's registers.
 *
 * The drain reads a bank through one row (or, transposed, one column) of accumulators a cycle.
 */
import { cat, clog2, dontCare, eq, lane, lit, mux, select, shiftIn, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { CTL_BITS, pe, peDepth, type PeKind } from './pe.js';

export function array(ctx: Ctx): Module {
  return ctx.lib.once('ag_array', () => {
    const { R, C, W } = ctx;
    const m = new ModuleBuilder('ag_array', [`${R}×${C} PE array (${ctx.dspPEs} DSP PEs, ${R * C - ctx.dspPEs} LUT PEs).`]);
    const clk = m.input('clk', 1);
    const clear = m.input('clear', 1);
    const aL = m.input('a_left', R * 8, 'left lanes, already skewed');
    const cL = m.input('c_left', R * CTL_BITS, 'step control {bank, first, valid} per left lane, skewed with it');
    const bT = m.input('b_top', C * 8, 'top lanes, already skewed');
    const rdBank = m.input('rd_bank', 1);
    const rdT = m.input('rd_t', 1, '1: read column rd_idx (lanes = rows), 0: read row rd_idx');
    const iw = clog2(Math.max(R, C));
    const rdIdx = m.input('rd_idx', iw);
    const rdEn = m.input('rd_en', 1, 'the drain reads this cycle (rd_data is don\'t-care otherwise)');
    const rdData = m.output('rd_data', W * 32, 'lane l at bits [32l +: 32]; lanes beyond the row/column are 0');
    // The read port is assembled only in a cycle the drain reads: synthesis drops the don't-care
    // default, and a simulator skips the selects the rest of the time.
    const rdDefaults: Stmt[] = [set(rdData, dontCare(W * 32))];
    const rdBody: Stmt[] = [];

    const kind = (i: number, j: number): PeKind => (i * C + j < ctx.dspPEs ? 'dsp' : 'lut');
    const depth = (i: number, j: number): number => peDepth(kind(i, j), ctx.P);
    const ff: Stmt[] = [];
    const acc: Expr[][] = [];
    let bAbove = bT;
    for (let i = 0; i < R; i++) {
      // Row i's registers: operands a (moving right), b (moving down), step control (moving right).
      const aRow = m.net(`a_row${i}`, C * 8, `lane j: left operand of PE(${i}, j)`);
      const bRow = m.net(`b_row${i}`, C * 8, `lane j: top operand of PE(${i}, j)`);
      const lanes = Math.max(...Array.from({ length: C }, (_, j) => j + depth(i, j)));
      const cRow = m.net(`c_row${i}`, lanes * CTL_BITS, `lane j: step control of lane j − depth + 1 of the operands (cleared by start)`);
      const cIn = lane(cL, i, CTL_BITS);
      ff.push(
        set(aRow, shiftIn(aRow, lane(aL, i, 8))),
        set(bRow, bAbove),
        set(cRow, mux(clear, lit(lanes * CTL_BITS, 0), shiftIn(cRow, cIn))),
      );
      bAbove = bRow;
      acc.push([]);
      for (let j = 0; j < C; j++) {
        const a0 = m.net(`acc0_${i}_${j}`, 32), a1 = m.net(`acc1_${i}_${j}`, 32);
        m.inst(pe(ctx, kind(i, j)), `u_pe_${i}_${j}`, {
          clk, clear, a: lane(aRow, j, 8), b: lane(bRow, j, 8), ctl: lane(cRow, j + depth(i, j) - 1, CTL_BITS), acc0: a0, acc1: a1,
        });
        const sel = m.net(`acc_${i}_${j}`, 32);
        rdDefaults.push(set(sel, dontCare(32)));
        rdBody.push(set(sel, mux(rdBank, a1, a0)));
        acc[i]!.push(sel);
      }
    }
    m.ff(ff);
    // Read port: lane l = PE(rd_idx, l) (row) or PE(l, rd_idx) (column) of bank rd_bank. Each PE's
    // bank mux serves both selects (choosing the bank after the select would save a simulator a few
    // copies a cycle but cost a third more multiplexers).
    const lanesOut: Expr[] = [];
    for (let l = 0; l < W; l++) {
      const row = l < C ? select(Array.from({ length: R }, (_, i) => [eq(rdIdx, lit(iw, i)), acc[i]![l]!] as const), lit(32, 0)) : lit(32, 0);
      const col = l < R ? select(Array.from({ length: C }, (_, j) => [eq(rdIdx, lit(iw, j)), acc[l]![j]!] as const), lit(32, 0)) : lit(32, 0);
      lanesOut.push(mux(rdT, col, row));
    }
    m.comb([...rdDefaults, iff(rdEn, [...rdBody, set(rdData, cat(...lanesOut.reverse()))])], 'drain read port');
    return m.build();
  });
}
