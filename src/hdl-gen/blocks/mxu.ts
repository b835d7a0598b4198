/**
 * ag_mxu: the matmul sequencer. For K cycles after `mm` issues (exactly its busy window) it reads
 * one step of both operands from sp a cycle, then extracts the edge vectors, registers them and skews
 * them (lane i delayed i cycles) into the array:
 * - plain operand: step k is row base + k, lanes 0..R−1 (or 0..C−1);
 * - transposed operand: step k is lane k mod W of the R (or C) rows base + ⌊k/W⌋·STRIDE + i, read
 *   in one cycle through sp's interleaved multi-row port.
 * Latency from the last sp read to the farthest PE's accumulator: 2 (read + edge register) +
 * (R − 1) + (C − 1) skew/hops + 1 + PE depth ≤ R + C + P + 2 = flushCycles (docs/microarch.md §1).
 */
import { add, clog2, eq, lane, lit, lnot, mux, ne, shiftIn, slice, sub, trunc, zext, cat, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';

export function mxu(ctx: Ctx): Module {
  return ctx.lib.once('ag_mxu', () => {
    const { R, C, W } = ctx;
    const aw = ctx.sp.aw;
    const m = new ModuleBuilder('ag_mxu', ['Matmul sequencer: sp operand reads, edge extraction and skew.']);
    m.input('clk', 1);
    const clear = m.input('clear', 1);
    const iss = m.input('iss', 1);
    const lrow = m.input('lrow', aw);
    const trow = m.input('trow', aw);
    const kIn = m.input('k', 13);
    const bankIn = m.input('bank', 1);
    const accIn = m.input('acc', 1);
    const tlIn = m.input('tl', 1);
    const ttIn = m.input('tt', 1);
    const lsIn = m.input('lstride', 14);
    const tsIn = m.input('tstride', 14);
    const lRrow = m.output('l_rrow', aw, 'left operand read row (first of R)');
    const tRrow = m.output('t_rrow', aw, 'top operand read row (first of C)');
    const lData = m.input('l_rdata', W * 8, 'row l_rrow (plain operand)');
    const tData = m.input('t_rdata', W * 8, 'row t_rrow (plain operand)');
    const lCol = m.input('l_col', R * 8, 'lane l_lane of rows l_rrow..+R−1 (transposed operand)');
    const tCol = m.input('t_col', C * 8, 'lane t_lane of rows t_rrow..+C−1 (transposed operand)');
    const aL = m.output('a_left', R * 8);
    const cL = m.output('c_left', R * 3, 'step control {bank, first, valid} per left lane');
    const bT = m.output('b_top', C * 8);

    const kw = clog2(W);
    const ff: Stmt[] = [];
    const cnt = m.net('cnt', 13, 'steps left');
    const first = m.net('first', 1);
    const bank = m.net('bank_r', 1);
    const tl = m.net('tl_r', 1);
    const tt = m.net('tt_r', 1);
    const kmod = m.net('kmod', kw, 'k mod W');
    const lptr = m.net('lptr', aw);
    const tptr = m.net('tptr', aw);
    // Row arithmetic is modulo 2^aw: exact for every legal (range-checked) matmul.
    const strideOf = (s: Expr, name: string): Expr => {
      if (aw >= 14) return zext(s, aw);
      m.let(`unused_${name}_hi`, slice(s, 13, aw));
      return trunc(s, aw);
    };
    const ls = m.net('lstride_r', aw);
    const ts = m.net('tstride_r', aw);
    const active = m.let('active', ne(cnt, lit(13, 0)));
    const wrap = m.let('kwrap', eq(kmod, lit(kw, W - 1)));
    ff.push(iff(clear, [set(cnt, lit(13, 0))], [
      iff(iss, [
        set(cnt, kIn), set(first, lnot(accIn)), set(bank, bankIn), set(tl, tlIn), set(tt, ttIn), set(kmod, lit(kw, 0)),
        set(lptr, lrow), set(tptr, trow), set(ls, strideOf(lsIn, 'lstride')), set(ts, strideOf(tsIn, 'tstride')),
      ], [iff(active, [
        set(cnt, sub(cnt, lit(13, 1))), set(first, lit(1, 0)),
        set(kmod, mux(wrap, lit(kw, 0), add(kmod, lit(kw, 1)))),
        set(lptr, mux(tl, mux(wrap, add(lptr, ls), lptr), add(lptr, lit(aw, 1)))),
        set(tptr, mux(tt, mux(wrap, add(tptr, ts), tptr), add(tptr, lit(aw, 1)))),
      ])]),
    ]));
    m.assign(lRrow, lptr);
    m.assign(tRrow, tptr);
    m.assign(m.output('l_lane', kw), kmod);
    m.assign(m.output('t_lane', kw), kmod);
    // Which operand the scratchpad must assemble next cycle (nothing while idle).
    m.assign(m.output('l_re', 1, 'reading the left operand this cycle'), active);
    m.assign(m.output('t_re', 1, 'reading the top operand this cycle'), active);
    m.assign(m.output('l_t', 1, 'the left read is transposed (a column)'), tl);
    m.assign(m.output('t_t', 1, 'the top read is transposed (a column)'), tt);

    // Stage 1: the step whose rows are being read (data appears next cycle).
    const s1v = m.net('s1_v', 1), s1f = m.net('s1_f', 1), s1k = m.net('s1_k', 1), s1tl = m.net('s1_tl', 1), s1tt = m.net('s1_tt', 1);
    ff.push(iff(clear, [set(s1v, lit(1, 0))], [set(s1v, active)]), set(s1f, first), set(s1k, bank), set(s1tl, tl), set(s1tt, tt));

    // Stage 2: edge vectors: lane i of the row (plain) or byte i of the column (transposed).
    const edge = (row: Expr, col: Expr, n: number, trans: Expr, p: string): Expr[] =>
      Array.from({ length: n }, (_, i) => m.let(`${p}_edge${i}`, mux(trans, slice(col, i * 8 + 7, i * 8), slice(row, i * 8 + 7, i * 8))));
    // A plain operand uses lanes 0..R−1 (0..C−1) of its row; the rest of a W-lane row is not needed.
    if (R < W) m.let('unused_l_lanes', slice(lData, W * 8 - 1, R * 8));
    if (C < W) m.let('unused_t_lanes', slice(tData, W * 8 - 1, C * 8));
    const eL = edge(lData, lCol, R, s1tl, 'l');
    const eT = edge(tData, tCol, C, s1tt, 't');

    // Edge register and skew as one packed shift register per lane: lane i's step enters lane 0 of
    // its chain and leaves from lane i (i cycles later). The step control is the same for every
    // lane, so it is one chain whose lane i feeds left lane i.
    const chain = (x: Expr, i: number, name: string): Expr => {
      const n = m.net(name, (i + 1) * x.width, `edge register + ${i} skew register${i === 1 ? '' : 's'}`);
      ff.push(set(n, shiftIn(n, x)));
      return lane(n, i, x.width);
    };
    const outA = eL.map((e, i) => chain(e, i, `a_sk${i}`));
    const outB = eT.map((e, j) => chain(e, j, `b_sk${j}`));
    const cChain = m.net('c_sk', R * 3, 'step control {bank, first, valid}: edge register + skew (lane i → left lane i)');
    ff.push(set(cChain, mux(clear, lit(R * 3, 0), shiftIn(cChain, cat(s1k, s1f, s1v)))));
    const outC = Array.from({ length: R }, (_, i) => lane(cChain, i, 3));
    m.assign(aL, cat(...outA.reverse()));
    m.assign(cL, cat(...outC.reverse()));
    m.assign(bT, cat(...outB.reverse()));
    m.ff(ff);
    return m.build();
  });
}
