/**
 * ag_drain: PE accumulator bank → acc or grad rows. One row a cycle for n = (t ? C : R) cycles:
 * select the array row (or column), read the destination row (for `add`), add, write two cycles
 * later; the last write lands in cycle n + 2 = D of the drain's busy window.
 */
import { add, cat, clog2, dontCare, eq, land, lit, lnot, mux, ne, slice, sub, trunc, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import { MEM_CODES } from '../../isa/table.js';
import type { Ctx } from '../ctx.js';
import { localRowBits } from './operands.js';

export function drain(ctx: Ctx): Module {
  return ctx.lib.once('ag_drain', () => {
    const { R, C, W } = ctx;
    const m = new ModuleBuilder('ag_drain', ['Drain: PE accumulator bank → acc/grad rows (overwrite or add), optionally transposed.']);
    m.input('clk', 1);
    const clear = m.input('clear', 1);
    const iss = m.input('iss', 1);
    const LAW = localRowBits(ctx);
    const rowIn = m.input('row', LAW);
    const memIn = m.input('mem', 2, 'acc or grad');
    const bankIn = m.input('bank', 1);
    const addIn = m.input('add', 1);
    const tIn = m.input('t', 1);
    const iw = clog2(Math.max(R, C));
    const rdBank = m.output('rd_bank', 1);
    const rdT = m.output('rd_t', 1);
    const rdIdx = m.output('rd_idx', iw);
    const rdData = m.input('rd_data', W * 32);
    const rw = Math.max(ctx.acc.aw, ctx.grad.aw);
    if (LAW > rw) m.let('unused_row_hi', slice(rowIn, LAW - 1, rw));
    const dw = W * 32;

    const ff: Stmt[] = [];
    const cw = clog2(Math.max(R, C) + 1);
    const cnt = m.net('cnt', cw, 'rows left');
    const idx = m.net('idx', iw);
    const ptr = m.net('ptr', rw);
    const grad = m.net('to_grad', 1);
    const bank = m.net('bank_r', 1);
    const addR = m.net('add_r', 1);
    const tR = m.net('t_r', 1);
    const active = m.let('active', ne(cnt, lit(cw, 0)));
    ff.push(iff(clear, [set(cnt, lit(cw, 0))], [
      iff(iss, [
        set(cnt, mux(tIn, lit(cw, C), lit(cw, R))), set(idx, lit(iw, 0)), set(ptr, rw === LAW ? rowIn : trunc(rowIn, rw)),
        set(grad, eq(memIn, lit(2, MEM_CODES.grad))), set(bank, bankIn), set(addR, addIn), set(tR, tIn),
      ], [iff(active, [set(cnt, sub(cnt, lit(cw, 1))), set(idx, add(idx, lit(iw, 1))), set(ptr, add(ptr, lit(rw, 1)))])]),
    ]));
    m.assign(rdBank, bank);
    m.assign(rdT, tR);
    m.assign(rdIdx, idx);
    m.assign(m.output('rd_en', 1, 'reading the array this cycle'), active);
    // Owner read of the destination row (only this unit writes it while the drain runs).
    for (const g of [ctx.acc, ctx.grad]) {
      const isG = g.name === 'grad';
      m.assign(m.output(`${g.name}_ore`, 1), land(active, isG ? grad : lnot(grad)));
      m.assign(m.output(`${g.name}_orow`, g.aw), g.aw === rw ? ptr : trunc(ptr, g.aw));
    }
    // Stage 1: array row/column selected; destination row being read.
    const s1v = m.net('s1_v', 1), s1d = m.net('s1_data', dw), s1row = m.net('s1_row', rw);
    // Data registers load only for a valid row (clock enables): an idle drain does no work.
    ff.push(iff(clear, [set(s1v, lit(1, 0))], [set(s1v, active)]), iff(active, [set(s1d, rdData), set(s1row, ptr)]));
    // Stage 2: add.
    const accR = m.input('acc_ordata', dw);
    const gradR = m.input('grad_ordata', dw);
    // The sum is formed only for a valid row (don't-care otherwise: no hardware, no simulator work).
    const old = m.net('old', dw);
    const sum = m.net('sum', dw);
    const lanes: Expr[] = [];
    for (let l = 0; l < W; l++) {
      const o = slice(old, l * 32 + 31, l * 32);
      const d = slice(s1d, l * 32 + 31, l * 32);
      lanes.push(mux(addR, add(o, d), d));
    }
    m.comb([set(old, dontCare(dw)), set(sum, dontCare(dw)), iff(s1v, [set(old, mux(grad, gradR, accR)), set(sum, cat(...lanes.reverse()))])], 'stage 2 sum');
    const s2v = m.net('s2_v', 1), s2d = m.net('s2_data', dw), s2row = m.net('s2_row', rw);
    ff.push(iff(clear, [set(s2v, lit(1, 0))], [set(s2v, s1v)]), iff(s1v, [set(s2d, sum), set(s2row, s1row)]));
    // Stage 3: write the lanes an array row (C) or column (R) has; other lanes are untouched.
    const laneMask = (n: number): Expr => lit(W * 4, (2n ** BigInt(n * 4)) - 1n);
    const mask = m.let('mask', mux(tR, laneMask(R), laneMask(C)));
    for (const g of [ctx.acc, ctx.grad]) {
      const isG = g.name === 'grad';
      m.assign(m.output(`${g.name}_we`, 1), land(s2v, isG ? grad : lnot(grad)));
      m.assign(m.output(`${g.name}_wrow`, g.aw), g.aw === rw ? s2row : trunc(s2row, g.aw));
      m.assign(m.output(`${g.name}_wdata`, dw), s2d);
      m.assign(m.output(`${g.name}_wmask`, W * 4), mask);
    }
    m.ff(ff);
    return m.build();
  });
}
