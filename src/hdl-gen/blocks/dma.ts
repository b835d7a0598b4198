/**
 * ag_dma: 2-D strided moves between main memory and a local memory, B bytes a cycle.
 *
 * A row of `nbytes` bytes is moved in ⌈nbytes/B⌉ beats, one a cycle, during the first rows·beats
 * cycles of the busy window; each beat is a read (main for ld, local for st), a rotate/select stage
 * and a write, so the last write lands in cycle D − 1 (D = rows·beats + 3, docs/microarch.md §3).
 * Main memory is byte-banked (mainmem.ts): beat byte j of main address a is in bank (a + j) mod NB,
 * so an unaligned beat is one access to each bank and a byte rotation.
 */
import { add, cat, eq, land, lit, lnot, mux, ne, partSel, select, shl, shr, slice, sub, trunc, ugt, ult, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { localRowBits } from './operands.js';
import { mainBankAw } from './mainmem.js';

export function dma(ctx: Ctx): Module {
  return ctx.lib.once('ag_dma', () => {
    const { B, NB, W } = ctx;
    const lb = Math.log2(B);
    const lnb = Math.log2(NB);
    const baw = mainBankAw(ctx);
    const MA = ctx.mainAw;
    if (MA - lnb !== baw) throw new Error(`internal: main bank address ${baw} bits, expected ${MA - lnb}`);
    const LAW = localRowBits(ctx);
    const RB = 4 * W; // widest local row in bytes
    const m = new ModuleBuilder('ag_dma', [`DMA: ${B} bytes a cycle over ${NB} main-memory byte banks.`]);
    m.input('clk', 1);
    const clear = m.input('clear', 1);
    const iss = m.input('iss', 1);
    const stIn = m.input('st', 1);
    const memIn = m.input('mem', 2);
    const rowIn = m.input('row', LAW);
    const maddr = m.input('maddr', MA);
    const rowsIn = m.input('rows', 9);
    const beatsIn = m.input('beats', 11);
    const nbytesIn = m.input('nbytes', 11);
    const strideIn = m.input('stride', 32);
    if (MA < 32) m.let('unused_stride_hi', slice(strideIn, 31, MA));

    const ff: Stmt[] = [];
    const rowsLeft = m.net('rows_left', 9);
    const beat = m.net('beat', 11, 'beat within the row');
    const beats = m.net('beats_r', 11);
    const nbytes = m.net('nbytes_r', 11);
    const rowA = m.net('row_addr', MA, 'main address of the current row');
    const ba = m.net('beat_addr', MA, 'main address of the current beat');
    const stride = m.net('stride_r', MA, 'DMA_STRIDE modulo 2^addr bits (exact for legal moves)');
    const lrow = m.net('lrow', LAW);
    const st = m.net('st_r', 1);
    const mem = m.net('mem_r', 2);
    const active = m.let('active', ne(rowsLeft, lit(9, 0)));
    const lastBeat = m.let('last_beat', eq(beat, sub(beats, lit(11, 1))));
    const nextRow = m.let('next_row_addr', add(rowA, stride));
    ff.push(iff(clear, [set(rowsLeft, lit(9, 0))], [
      iff(iss, [
        set(rowsLeft, rowsIn), set(beat, lit(11, 0)), set(beats, beatsIn), set(nbytes, nbytesIn),
        set(rowA, maddr), set(ba, maddr), set(stride, MA >= 32 ? zext(strideIn, MA) : trunc(strideIn, MA)),
        set(lrow, rowIn), set(st, stIn), set(mem, memIn),
      ], [iff(active, [
        iff(lastBeat, [
          set(rowsLeft, sub(rowsLeft, lit(9, 1))), set(beat, lit(11, 0)), set(rowA, nextRow), set(ba, nextRow), set(lrow, add(lrow, lit(LAW, 1))),
        ], [set(beat, add(beat, lit(11, 1))), set(ba, add(ba, lit(MA, B)))]),
      ])]),
    ]));

    // ---- stage 0: addresses -----------------------------------------------------------------------
    const h = m.let('ba_word', slice(ba, MA - 1, lnb));
    const l = m.let('ba_bank', slice(ba, lnb - 1, 0));
    const hInc = m.let('ba_word_inc', add(h, lit(baw, 1)));
    // Bank q holds byte a + ((q − a) mod NB): word h + 1 for the banks before a's own (q < a mod NB).
    const bankAddr = (q: number, hh: Expr, ll: Expr, inc: Expr): Expr => (q === NB - 1 ? hh : mux(ult(lit(lnb, q), ll), inc, hh));
    m.assign(m.output('m_raddr', NB * baw, 'ld: bank q reads word h + (q < a mod NB)'),
      cat(...Array.from({ length: NB }, (_, q) => bankAddr(q, h, l, hInc)).reverse()));
    for (const g of [ctx.sp, ctx.acc, ctx.grad]) {
      m.assign(m.output(`${g.name}_rrow`, g.aw, 'st: local row read'), g.aw === LAW ? lrow : trunc(lrow, g.aw));
    }
    // Bytes of this beat that exist: beat·B + j < nbytes.
    const ow = 12 + lb;
    const off = zext(lb ? cat(beat, lit(lb, 0)) : beat, ow);
    const vb = cat(...Array.from({ length: B }, (_, j) => ult(add(off, lit(ow, j)), zext(nbytes, ow))).reverse());

    // ---- stage 1 -------------------------------------------------------------------------------------
    const s1v = m.net('s1_v', 1), s1l = m.net('s1_bank', lnb), s1h = m.net('s1_word', baw), s1beat = m.net('s1_beat', 11);
    const s1vb = m.net('s1_valid', B), s1row = m.net('s1_lrow', LAW);
    // Pipeline data registers load only for a valid beat (clock enables): an idle DMA does no work.
    ff.push(iff(clear, [set(s1v, lit(1, 0))], [set(s1v, active)]), iff(active, [set(s1l, l), set(s1h, h), set(s1beat, beat), set(s1vb, vb), set(s1row, lrow)]));
    const mR = m.input('m_rdata', NB * 8);
    // ld: beat byte j = bank (a + j) mod NB.
    // The rotation is registered (stage 2) rather than a wire, so it is only computed for a valid beat.
    const s2rot = m.net('s2_ld_rot', 2 * NB * 8, 'ld: main-memory bytes rotated so beat byte 0 is byte 0');
    const ldRot = shr(cat(mR, mR), cat(s1l, lit(3, 0)));
    const ldBytes = Math.min(B, RB); // a beat never carries more than one local row
    const ldBeat = slice(s2rot, ldBytes * 8 - 1, 0);
    m.let('unused_ld_rot_hi', slice(s2rot, 2 * NB * 8 - 1, ldBytes * 8));
    const ldMask = cat(...Array.from({ length: RB }, (_, k) => land(eq(s1beat, lit(11, Math.floor(k / B))), ugt(nbytes, lit(11, Math.min(k, 2047))))).reverse());
    // st: beat bytes = local row bytes [beat·B, beat·B + B), rotated onto the banks.
    const rows = [ctx.sp, ctx.acc, ctx.grad].map((g) => m.input(`${g.name}_rdata`, g.bytes * 8));
    const slots = Math.ceil(RB / B);
    const rowBytes = m.let('st_row', zext(select([[eq(mem, lit(2, ctx.acc.code)), rows[1]!], [eq(mem, lit(2, ctx.grad.code)), rows[2]!]], zext(rows[0]!, RB * 8)), slots * B * 8));
    const stBeat = m.let('st_beat', zext(slots === 1 ? rowBytes : partSel(rowBytes, s1beat, B * 8), NB * 8));
    const rotl = (x: Expr, name: string, bytes: boolean): Expr => {
      const wdt = x.width;
      const sh = bytes ? cat(s1l, lit(3, 0)) : s1l;
      const r = m.let(`${name}_unused`, shl(cat(x, x), sh));
      return slice(r, 2 * wdt - 1, wdt);
    };
    const stData = rotl(stBeat, 'st_rot', true);
    const stEn = rotl(m.let('st_valid', zext(s1vb, NB)), 'st_en_rot', false);
    const s1hInc = m.let('s1_word_inc', add(s1h, lit(baw, 1)));
    const s2v = m.net('s2_v', 1);
    const s2ld = m.let('s2_ld_data', cat(...Array.from({ length: RB }, (_, k) => slice(ldBeat, (k % B) * 8 + 7, (k % B) * 8)).reverse()));
    const s2mask = m.net('s2_ld_mask', RB), s2row = m.net('s2_lrow', LAW);
    const s2we = m.net('s2_m_we', NB), s2wa = m.net('s2_m_waddr', NB * baw), s2wd = m.net('s2_m_wdata', NB * 8);
    ff.push(
      iff(clear, [set(s2v, lit(1, 0))], [set(s2v, s1v)]),
      iff(land(s1v, st), [set(s2we, m.let('st_en', stEn))], [set(s2we, lit(NB, 0))]),
      iff(s1v, [
        set(s2rot, ldRot), set(s2mask, ldMask), set(s2row, s1row),
        set(s2wa, cat(...Array.from({ length: NB }, (_, q) => bankAddr(q, s1h, s1l, s1hInc)).reverse())),
        set(s2wd, m.let('st_data', stData)),
      ]),
    );

    // ---- stage 2: writes -------------------------------------------------------------------------------
    m.assign(m.output('m_we', NB), s2we);
    m.assign(m.output('m_waddr', NB * baw), s2wa);
    m.assign(m.output('m_wdata', NB * 8), s2wd);
    for (const g of [ctx.sp, ctx.acc, ctx.grad]) {
      m.assign(m.output(`${g.name}_we`, 1), land(s2v, lnot(st), eq(mem, lit(2, g.code))));
      m.assign(m.output(`${g.name}_wrow`, g.aw), g.aw === LAW ? s2row : trunc(s2row, g.aw));
      m.assign(m.output(`${g.name}_wdata`, g.bytes * 8), g.bytes === RB ? s2ld : trunc(s2ld, g.bytes * 8));
      m.assign(m.output(`${g.name}_wmask`, g.bytes), g.bytes === RB ? s2mask : trunc(s2mask, g.bytes));
    }
    m.ff(ff);
    return m.build();
  });
}
