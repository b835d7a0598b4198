/**
 * ag_array: R × C PEs. Left-edge lanes enter PE(i, 0) and move right; top-edge lanes enter PE(0, j)
 * and move down (the MXU skews them, lane i / j delayed i / j cycles, so step k of L(i,·) and
 * T(·,j) meet in PE(i, j)). PEs use a DSP multiplier for the first `dspPEs` in row-major order and a
 * LUT multiplier for the rest, so an array can be larger than the device's DSP count.
 *
 * The drain reads a bank through one row (or, transposed, one column) of accumulators a cycle.
 */
import { cat, clog2, eq, lit, mux, select, slice, type Expr } from '../ir/expr.js';
import { ModuleBuilder, type Module } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { CTL_BITS, pe } from './pe.js';

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
    const rdData = m.output('rd_data', W * 32, 'lane l at bits [32l +: 32]; lanes beyond the row/column are 0');

    const acc: Expr[][] = [];
    const a: Expr[][] = [], ct: Expr[][] = [], b: Expr[][] = [];
    for (let i = 0; i < R; i++) {
      acc.push([]); a.push([]); ct.push([]); b.push([]);
      for (let j = 0; j < C; j++) {
        a[i]!.push(m.net(`a_${i}_${j}`, 8)); ct[i]!.push(m.net(`c_${i}_${j}`, CTL_BITS)); b[i]!.push(m.net(`b_${i}_${j}`, 8));
      }
    }
    const sink: Expr[] = [];
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const kind = i * C + j < ctx.dspPEs ? 'dsp' : 'lut';
        const a0 = m.net(`acc0_${i}_${j}`, 32), a1 = m.net(`acc1_${i}_${j}`, 32);
        m.inst(pe(ctx, kind), `u_pe_${i}_${j}`, {
          clk, clear,
          a_in: j === 0 ? slice(aL, i * 8 + 7, i * 8) : a[i]![j - 1]!,
          c_in: j === 0 ? slice(cL, i * CTL_BITS + CTL_BITS - 1, i * CTL_BITS) : ct[i]![j - 1]!,
          b_in: i === 0 ? slice(bT, j * 8 + 7, j * 8) : b[i - 1]![j]!,
          a_out: a[i]![j]!, c_out: ct[i]![j]!, b_out: b[i]![j]!,
          acc0: a0, acc1: a1,
        });
        acc[i]!.push(m.let(`acc_${i}_${j}`, mux(rdBank, a1, a0)));
        if (j === C - 1) sink.push(a[i]![j]!, ct[i]![j]!);
        if (i === R - 1) sink.push(b[i]![j]!);
      }
    }
    // Operands leaving the right and bottom edges go nowhere.
    m.let('unused_edges', cat(...sink));
    const lanes: Expr[] = [];
    for (let l = 0; l < W; l++) {
      const row = l < C ? select(Array.from({ length: R }, (_, i) => [eq(rdIdx, lit(iw, i)), acc[i]![l]!] as const), lit(32, 0)) : lit(32, 0);
      const col = l < R ? select(Array.from({ length: C }, (_, j) => [eq(rdIdx, lit(iw, j)), acc[l]![j]!] as const), lit(32, 0)) : lit(32, 0);
      lanes.push(mux(rdT, col, row));
    }
    m.assign(rdData, cat(...lanes.reverse()));
    return m.build();
  });
}
