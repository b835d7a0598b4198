/**
 * ag_host: the host bus (docs/microarch.md §9). 32-bit word addresses, bits [31:28] select the
 * region. The bus is registered at the chip's edge: a write takes effect at the second clock edge
 * after it is driven; a read's data appears after the second edge too (input register, then the
 * memories' registered read or the CSR sample). The host only
 * touches memories while the chip is not running: its memory requests share the DMA's ports.
 */
import { bit, cat, clog2, eq, land, lit, lnot, mux, partSel, rep, select, slice, sub, trunc, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { isPow2 } from '../ctx.js';
import { COUNTERS } from './perf.js';
import { divConst } from './divconst.js';
import { mulConst } from './mulconst.js';

export const REGION = { CSR: 0, IMEM: 1, MAIN: 2, SP: 3, ACC: 4, GRAD: 5 } as const;
export const CSR = { CTRL: 0, STATUS: 1, PC: 2, CYCLES: 3, MACS: 5, DMA_BUSY: 7, STALLS: 9, RETIRED: 11, CONFIG_HASH: 13, INFO: 14 } as const;

export function host(ctx: Ctx): Module {
  return ctx.lib.once('ag_host', () => {
    const m = new ModuleBuilder('ag_host', ['Host bus: region decode, CSRs, memory access while the chip is stopped.']);
    m.input('clk', 1);
    const ff: Stmt[] = [];
    const q = (name: string, e: Expr): Expr => { const n = m.net(name, e.width); ff.push(set(n, e)); return n; };
    // The bus is registered where it enters the chip: nothing inside depends combinationally on the
    // pins (a Verilated model would otherwise re-evaluate the memories' write buses on every input
    // change and on both clock edges; on an FPGA it takes the pins off the write-enable paths).
    const en = q('en_q', m.input('host_en', 1));
    const we = q('we_q', m.input('host_we', 1));
    const addr = q('addr_q', m.input('host_addr', 32));
    const wdata = q('wdata_q', m.input('host_wdata', 32));
    const rdata = m.output('host_rdata', 32);
    m.assign(m.output('wdata_r', 32, 'the registered write data (imem, main)'), wdata);
    const active = m.input('active', 1, 'chip running or draining: memories belong to the units');
    const stHalted = m.input('st_halted', 1);
    const stError = m.input('st_error', 3);
    const stPc = m.input('st_pc', ctx.pcw);
    const cnt = Object.fromEntries(COUNTERS.map((c) => [c, m.input(`cnt_${c}`, 64)])) as Record<(typeof COUNTERS)[number], Expr>;
    const start = m.output('start', 1, 'CTRL write with bit 0 set');

    const region = m.let('region', slice(addr, 31, 28));
    const index = m.let('index', slice(addr, 27, 0));
    const inR = (r: number): Expr => eq(region, lit(4, r));
    const memWe = (r: number): Expr => land(en, we, lnot(active), inR(r));
    const usedIndexBits: number[] = [];
    const idx = (bits: number, name: string): Expr => {
      usedIndexBits.push(bits);
      return m.let(`${name}_i`, slice(index, bits - 1, 0));
    };

    // ---- imem: word i = instruction i/2, half i%2 ----------------------------------------------
    const imemAw = clog2(Math.max(2, ctx.cfg.memory.imemWords));
    m.assign(m.output('imem_we', 1), memWe(REGION.IMEM));
    const imemWord = idx(imemAw + 1, 'imem_word');
    m.assign(m.output('imem_word', imemAw + 1), imemWord);
    const imemR = m.input('imem_rdata', 64);
    const imemHalfQ = q('imem_half_q', bit(imemWord, 0));

    // ---- main: word i = bytes 4i..4i+3 ------------------------------------------------------------
    const ww = Math.max(1, ctx.mainAw - 2);
    m.assign(m.output('main_we', 1), memWe(REGION.MAIN));
    const mainWord = idx(ww, 'main_word');
    m.assign(m.output('main_word', ww), mainWord);
    const mainR = m.input('main_rdata', ctx.NB * 8);
    const groups = ctx.NB / 4;
    const mainRd = groups === 1 ? mainR : partSel(mainR, q('main_group_q', slice(mainWord, Math.log2(groups) - 1, 0)), 32);

    // ---- local memories ------------------------------------------------------------------------------
    const local = (g: LocalMemGeom, r: number): Expr => {
      const perRow = g.size === 1 ? Math.ceil(ctx.W / 4) : ctx.W; // host words per row
      const sub_ = clog2(perRow);
      const iw = g.aw + (perRow > 1 ? sub_ : 0);
      const i = idx(Math.max(iw, 1), `${g.name}_index`);
      let row: Expr;
      let part: Expr | null = null; // word within the row
      if (perRow === 1) row = trunc(i, g.aw);
      else if (isPow2(perRow)) { row = slice(i, iw - 1, sub_); part = slice(i, sub_ - 1, 0); }
      else {
        row = divConst(m, `${g.name}_row_div`, i, perRow, g.aw);
        part = m.let(`${g.name}_part`, trunc(m.let(`${g.name}_part_full_unused`, sub(i, mulConst(row, perRow, iw))), sub_));
      }
      const rowN = m.let(`${g.name}_row_i`, row);
      m.assign(m.output(`${g.name}_we`, 1), memWe(r));
      m.assign(m.output(`${g.name}_row`, g.aw), rowN);
      // The host word is replicated across the row; the byte mask picks its lanes.
      const repl = rep(Math.ceil(g.bytes / 4), wdata);
      m.assign(m.output(`${g.name}_wdata`, g.bytes * 8), repl.width === g.bytes * 8 ? repl : trunc(m.let(`${g.name}_wdata_rep_unused`, repl), g.bytes * 8));
      const maskBits: Expr[] = [];
      for (let k = 0; k < g.bytes; k++) maskBits.push(part ? eq(part, lit(sub_, Math.floor(k / 4))) : lit(1, 1));
      m.assign(m.output(`${g.name}_wmask`, g.bytes), cat(...[...maskBits].reverse()));
      const rd = m.input(`${g.name}_rdata`, g.bytes * 8);
      if (!part) return rd.width === 32 ? rd : zext(rd, 32); // rows narrower than a word (W < 4)
      const padded = g.bytes % 4 === 0 ? rd : m.let(`${g.name}_rdata_pad`, cat(lit(32 - (g.bytes % 4) * 8, 0), rd));
      return partSel(padded, q(`${g.name}_part_q`, part), 32);
    };
    const spRd = local(ctx.sp, REGION.SP);
    const accRd = local(ctx.acc, REGION.ACC);
    const gradRd = local(ctx.grad, REGION.GRAD);

    // ---- CSRs ------------------------------------------------------------------------------------------
    m.assign(start, land(en, we, inR(REGION.CSR), eq(slice(index, 3, 0), lit(4, CSR.CTRL)), bit(wdata, 0)));
    const csrIdx = m.let('csr_index', slice(index, 3, 0));
    const lo = (e: Expr): Expr => slice(e, 31, 0);
    const hi = (e: Expr): Expr => slice(e, 63, 32);
    const hash = parseInt(ctx.cfg.derived.hash, 16);
    const csr = select([
      [eq(csrIdx, lit(4, CSR.STATUS)), cat(lit(16, 0), zext(stError, 8), lit(6, 0), stHalted, m.input('st_running', 1))],
      [eq(csrIdx, lit(4, CSR.PC)), zext(stPc, 32)],
      ...COUNTERS.flatMap((c, i) => [
        [eq(csrIdx, lit(4, CSR.CYCLES + 2 * i)), lo(cnt[c])] as const,
        [eq(csrIdx, lit(4, CSR.CYCLES + 2 * i + 1)), hi(cnt[c])] as const,
      ]),
      [eq(csrIdx, lit(4, CSR.CONFIG_HASH)), lit(32, hash)],
      [eq(csrIdx, lit(4, CSR.INFO)), lit(32, ctx.R | (ctx.C << 8) | (ctx.W << 16))],
    ], lit(32, 0));
    const csrQ = q('csr_q', csr);
    const regionQ = q('region_q', region);
    m.assign(rdata, select([
      [eq(regionQ, lit(4, REGION.IMEM)), mux(imemHalfQ, slice(imemR, 63, 32), slice(imemR, 31, 0))],
      [eq(regionQ, lit(4, REGION.MAIN)), mainRd],
      [eq(regionQ, lit(4, REGION.SP)), spRd],
      [eq(regionQ, lit(4, REGION.ACC)), accRd],
      [eq(regionQ, lit(4, REGION.GRAD)), gradRd],
    ], csrQ));
    // Index bits beyond the largest region are ignored (addresses wrap within a region).
    const top = Math.max(4, ...usedIndexBits);
    if (top < 28) m.let('unused_index', slice(index, 27, top));
    m.ff(ff);
    return m.build();
  });
}
