/**
 * Main memory and instruction memory.
 *
 * Main memory is NB = max(B, 4) byte-wide banks, byte address a in bank a mod NB at word a / NB.
 * Any NB consecutive bytes hit every bank once, so the DMA moves B bytes at any alignment each
 * cycle (it rotates the bank order), and a host word (4 aligned bytes) is one access to 4 banks.
 * The host uses the ports only while the chip is not running (docs/microarch.md §8).
 */
import { cat, eq, land, lit, lnot, mux, slice, trunc, type Expr } from '../ir/expr.js';
import { ModuleBuilder, type Module } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { ram, ramAddrBits } from './ram.js';

export function mainBankAw(ctx: Ctx): number {
  return ramAddrBits(Math.ceil(ctx.cfg.memory.mainBytes / ctx.NB));
}

export function mainMem(ctx: Ctx): Module {
  return ctx.lib.once('ag_mem_main', () => {
    const NB = ctx.NB;
    const depth = Math.ceil(ctx.cfg.memory.mainBytes / NB);
    const aw = mainBankAw(ctx);
    const ww = Math.max(1, ctx.mainAw - 2);
    const m = new ModuleBuilder('ag_mem_main', [`Main memory: ${ctx.cfg.memory.mainBytes} bytes in ${NB} byte banks of ${depth} words.`]);
    const clk = m.input('clk', 1);
    const hostSel = m.input('host_sel', 1, '1: the host owns the ports (chip not running)');
    const dWe = m.input('dma_we', NB, 'per-bank write enable');
    const dWaddr = m.input('dma_waddr', NB * aw);
    const dWdata = m.input('dma_wdata', NB * 8);
    const dRaddr = m.input('dma_raddr', NB * aw);
    const hWe = m.input('host_we', 1);
    const hWord = m.input('host_word', ww, 'host word index: bytes 4i..4i+3');
    const hWdata = m.input('host_wdata', 32);
    const rdata = m.output('rdata', NB * 8, 'bank b at bits [8b +: 8], registered');
    const groups = NB / 4;
    const gb = Math.log2(groups);
    const hGroup = gb > 0 ? m.let('host_group', slice(hWord, gb - 1, 0)) : null;
    const hRowFull = gb > 0 ? (ww > gb ? m.let('host_row_full', slice(hWord, ww - 1, gb)) : lit(1, 0)) : hWord;
    const hRow = hRowFull.width >= aw ? (hRowFull.ident ? trunc(hRowFull, aw) : lit(aw, 0)) : cat(lit(aw - hRowFull.width, 0), hRowFull);
    const hRowN = m.let('host_row', hRow);
    const bank = ram(ctx.lib, { depth, lanes: 1, laneBits: 8 });
    const outs: Expr[] = [];
    for (let b = 0; b < NB; b++) {
      const mine = hGroup ? eq(hGroup, lit(gb, Math.floor(b / 4))) : lit(1, 1);
      const we = m.let(`b${b}_we`, mux(hostSel, land(hWe, mine), slice(dWe, b, b)));
      const waddr = m.let(`b${b}_waddr`, mux(hostSel, hRowN, slice(dWaddr, (b + 1) * aw - 1, b * aw)));
      const wdata = m.let(`b${b}_wdata`, mux(hostSel, slice(hWdata, (b % 4) * 8 + 7, (b % 4) * 8), slice(dWdata, b * 8 + 7, b * 8)));
      const raddr = m.let(`b${b}_raddr`, mux(hostSel, hRowN, slice(dRaddr, (b + 1) * aw - 1, b * aw)));
      const d = m.net(`b${b}_rdata`, 8);
      m.inst(bank, `u_bank${b}`, { clk, we, waddr, wdata, wmask: lit(1, 1), raddr, rdata: d });
      outs.push(d);
    }
    m.assign(rdata, cat(...[...outs].reverse()));
    return m.build();
  });
}

export function imem(ctx: Ctx): Module {
  return ctx.lib.once('ag_mem_imem', () => {
    const words = ctx.cfg.memory.imemWords;
    const aw = ramAddrBits(words);
    const m = new ModuleBuilder('ag_mem_imem', [`Instruction memory: ${words} × 64-bit words; the host writes 32-bit halves.`]);
    const clk = m.input('clk', 1);
    const hostSel = m.input('host_sel', 1, '1: the host owns the ports (chip not running)');
    const fetch = m.input('fetch_addr', aw, 'controller fetch address');
    const hWe = m.input('host_we', 1);
    const hWord = m.input('host_word', aw + 1, 'host word i: instruction i/2, half i%2');
    const hWdata = m.input('host_wdata', 32);
    const rdata = m.output('rdata', 64, 'registered');
    const r = ram(ctx.lib, { depth: words, lanes: 2, laneBits: 32 });
    const hInstr = m.let('host_instr', slice(hWord, aw, 1));
    const hHalf = m.let('host_half', slice(hWord, 0, 0));
    m.inst(r, 'u_ram', {
      clk,
      we: hWe,
      waddr: hInstr,
      wdata: cat(hWdata, hWdata),
      wmask: cat(hHalf, lnot(hHalf)),
      raddr: m.let('raddr', mux(hostSel, hInstr, fetch)),
      rdata,
    });
    return m.build();
  });
}
