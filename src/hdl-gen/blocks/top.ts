/**
 * ag_top: the chip. Wiring only: every block's outputs become nets named <instance>_<port>, and each
 * instance's inputs are listed explicitly below, so the data paths can be read off this file.
 *
 * Ports (relied on by the Verilator test bench and the FPGA board tops): clk; rst (synchronous,
 * active high: back to idle, memories keep their contents); the host bus; and debug/trace outputs
 * that are combinational from the state at the start of the cycle.
 */
import { lnot, mux, type Expr } from '../ir/expr.js';
import { ModuleBuilder, type Module } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { array } from './array.js';
import { ctrl } from './ctrl.js';
import { dma } from './dma.js';
import { drain } from './drain.js';
import { host } from './host.js';
import { lmem, type LmemSpec } from './lmem.js';
import { imem, mainMem } from './mainmem.js';
import { mxu } from './mxu.js';
import { vpu } from './vpu.js';

export function top(ctx: Ctx): Module {
  return ctx.lib.once('ag_top', () => {
    const m = new ModuleBuilder('ag_top', [
      `accelgen chip ${ctx.cfg.name}: ${ctx.R}×${ctx.C} array, W = ${ctx.W}, DMA ${ctx.B} B/cycle.`,
    ]);
    const clk = m.input('clk', 1);
    const rst = m.input('rst', 1, 'synchronous, active high');
    const hostEn = m.input('host_en', 1);
    const hostWe = m.input('host_we', 1);
    const hostAddr = m.input('host_addr', 32);
    const hostWdata = m.input('host_wdata', 32);
    const hostRdata = m.output('host_rdata', 32, 'valid after the second edge that follows the request');
    const dbg = {
      pc: m.output('dbg_pc', 32, 'pc of the instruction in decode (0 when there is none)'),
      pcValid: m.output('dbg_pc_valid', 1, 'an instruction is in decode (the trace pc is −1 otherwise)'),
      issue: m.output('dbg_issue', 1, 'it issues this cycle'),
      busy: m.output('dbg_busy', 4, 'unit counters > 0: DMA, MXU, DRN, VPU'),
      state: m.output('dbg_state', 2, '0 idle, 1 running, 2 draining, 3 halted'),
    };

    const spSpec: LmemSpec = { geom: ctx.sp, writers: ['host', 'dma', 'vpu'], general: ['dma', 'vsrc'], owners: ['vown'], multi: [{ name: 'mxl', nr: ctx.R }, { name: 'mxt', nr: ctx.C }] };
    const aSpec = (g: LocalMemGeom): LmemSpec => ({ geom: g, writers: ['host', 'dma', 'vpu', 'drn'], general: ['dma', 'vsrc'], owners: ['vown', 'down'], multi: [] });
    const blocks: readonly (readonly [string, Module])[] = [
      ['ctrl', ctrl(ctx)], ['host', host(ctx)], ['imem', imem(ctx)], ['main', mainMem(ctx)],
      ['sp', lmem(ctx, spSpec)], ['acc', lmem(ctx, aSpec(ctx.acc))], ['grad', lmem(ctx, aSpec(ctx.grad))],
      ['dma', dma(ctx)], ['mxu', mxu(ctx)], ['array', array(ctx)], ['drn', drain(ctx)], ['vpu', vpu(ctx)],
    ];
    // Outputs of every block, as nets <inst>_<port>.
    const o = new Map<string, Expr>();
    // Controller status and counters stay visible to the Verilator test bench, which reads them without
    // a bus cycle (a CSR read would advance a running chip by one clock).
    for (const [inst, mod] of blocks) {
      for (const p of mod.ports) {
        if (p.dir !== 'output') continue;
        const pub = inst === 'ctrl' && /^(cnt_|st_)/.test(p.name);
        // The counters are named perf_* at the top, as in the simulator's waveforms (microarch §7).
        const name = inst === 'ctrl' && p.name.startsWith('cnt_') ? `perf_${p.name.slice(4)}` : `${inst}_${p.name}`;
        o.set(`${inst}.${p.name}`, m.net(name, p.width, pub ? 'visible to the test bench' : undefined, pub));
      }
    }
    const out = (inst: string, port: string): Expr => {
      const e = o.get(`${inst}.${port}`);
      if (!e) throw new Error(`internal: ag_top: ${inst} has no output ${port}`);
      return e;
    };
    const place = (inst: string, inputs: Record<string, Expr>): void => {
      const mod = blocks.find(([n]) => n === inst)![1];
      const conns: Record<string, Expr> = { ...inputs };
      for (const p of mod.ports) if (p.dir === 'output') conns[p.name] = out(inst, p.name);
      m.inst(mod, `u_${inst}`, conns);
    };
    const active = out('ctrl', 'st_running');
    const hostSel = m.let('host_sel', lnot(active));
    const C = (port: string): Expr => out('ctrl', port);

    place('ctrl', { clk, rst, start: out('host', 'start'), ir: out('imem', 'rdata') });
    place('host', {
      clk, host_en: hostEn, host_we: hostWe, host_addr: hostAddr, host_wdata: hostWdata, active,
      st_halted: C('st_halted'), st_error: C('st_error'), st_pc: C('st_pc'), st_running: active,
      cnt_cycles: C('cnt_cycles'), cnt_macs: C('cnt_macs'), cnt_dma_busy: C('cnt_dma_busy'), cnt_stalls: C('cnt_stalls'), cnt_retired: C('cnt_retired'),
      imem_rdata: out('imem', 'rdata'), main_rdata: out('main', 'rdata'),
      sp_rdata: out('sp', 'dma_rdata'), acc_rdata: out('acc', 'dma_rdata'), grad_rdata: out('grad', 'dma_rdata'),
    });
    m.assign(hostRdata, out('host', 'host_rdata'));
    place('imem', { clk, host_sel: hostSel, fetch_addr: C('fetch_addr'), host_we: out('host', 'imem_we'), host_word: out('host', 'imem_word'), host_wdata: out('host', 'wdata_r') });
    place('main', {
      clk, host_sel: hostSel, dma_we: out('dma', 'm_we'), dma_waddr: out('dma', 'm_waddr'), dma_wdata: out('dma', 'm_wdata'), dma_raddr: out('dma', 'm_raddr'),
      host_we: out('host', 'main_we'), host_word: out('host', 'main_word'), host_wdata: out('host', 'wdata_r'),
    });
    for (const g of [ctx.sp, ctx.acc, ctx.grad]) {
      const n = g.name;
      const ins: Record<string, Expr> = {
        clk,
        host_we: out('host', `${n}_we`), host_wrow: out('host', `${n}_row`), host_wdata: out('host', `${n}_wdata`), host_wmask: out('host', `${n}_wmask`),
        dma_we: out('dma', `${n}_we`), dma_wrow: out('dma', `${n}_wrow`), dma_wdata: out('dma', `${n}_wdata`), dma_wmask: out('dma', `${n}_wmask`),
        vpu_we: out('vpu', `${n}_we`), vpu_wrow: out('vpu', `${n}_wrow`), vpu_wdata: out('vpu', `${n}_wdata`), vpu_wmask: out('vpu', `${n}_wmask`),
        // The host reads through the DMA's replica while the chip is stopped.
        dma_rrow: mux(active, out('dma', `${n}_rrow`), out('host', `${n}_row`)),
        vsrc_re: out('vpu', `${n}_sre`), vsrc_rrow: out('vpu', `${n}_srow`),
        vown_re: out('vpu', `${n}_ore`), vown_rrow: out('vpu', `${n}_orow`),
      };
      if (n === 'sp') {
        ins.mxl_rrow = out('mxu', 'l_rrow');
        ins.mxt_rrow = out('mxu', 't_rrow');
        ins.mxl_lane = out('mxu', 'l_lane');
        ins.mxt_lane = out('mxu', 't_lane');
        ins.mxl_re = out('mxu', 'l_re');
        ins.mxt_re = out('mxu', 't_re');
        ins.mxl_t = out('mxu', 'l_t');
        ins.mxt_t = out('mxu', 't_t');
      } else {
        Object.assign(ins, {
          drn_we: out('drn', `${n}_we`), drn_wrow: out('drn', `${n}_wrow`), drn_wdata: out('drn', `${n}_wdata`), drn_wmask: out('drn', `${n}_wmask`),
          down_re: out('drn', `${n}_ore`), down_rrow: out('drn', `${n}_orow`),
        });
      }
      place(n, ins);
    }
    const clear = C('clear');
    place('dma', {
      clk, clear, iss: C('iss_dma'), st: C('dma_st'), mem: C('dma_mem'), row: C('dma_row'), maddr: C('dma_maddr'), rows: C('dma_rows'),
      beats: C('dma_beats'), nbytes: C('dma_nbytes'), stride: C('dma_stride'), m_rdata: out('main', 'rdata'),
      sp_rdata: out('sp', 'dma_rdata'), acc_rdata: out('acc', 'dma_rdata'), grad_rdata: out('grad', 'dma_rdata'),
    });
    place('mxu', {
      clk, clear, iss: C('iss_mxu'), lrow: C('mxu_lrow'), trow: C('mxu_trow'), k: C('mxu_k'), bank: C('mxu_bank'), acc: C('mxu_acc'),
      tl: C('mxu_tl'), tt: C('mxu_tt'), lstride: C('mxu_lstride'), tstride: C('mxu_tstride'),
      l_rdata: out('sp', 'mxl_rdata'), t_rdata: out('sp', 'mxt_rdata'), l_col: out('sp', 'mxl_col'), t_col: out('sp', 'mxt_col'),
    });
    place('array', {
      clk, clear, a_left: out('mxu', 'a_left'), c_left: out('mxu', 'c_left'),
      b_top: out('mxu', 'b_top'), rd_bank: out('drn', 'rd_bank'), rd_t: out('drn', 'rd_t'), rd_idx: out('drn', 'rd_idx'), rd_en: out('drn', 'rd_en'),
    });
    place('drn', {
      clk, clear, iss: C('iss_drn'), row: C('drn_row'), mem: C('drn_mem'), bank: C('drn_bank'), add: C('drn_add'), t: C('drn_t'),
      rd_data: out('array', 'rd_data'), acc_ordata: out('acc', 'down_rdata'), grad_ordata: out('grad', 'down_rdata'),
    });
    place('vpu', {
      clk, clear, iss: C('iss_vpu'), op: C('vpu_op'), dmem: C('vpu_dmem'), drow: C('vpu_drow'), smem: C('vpu_smem'), srow: C('vpu_srow'),
      count: C('vpu_count'), flag: C('vpu_flag'), shift: C('vpu_shift'), mul: C('vpu_mul'), round: C('vpu_round'), seedn: C('vpu_seedn'),
      clamp_lo: C('vpu_clamp_lo'), clamp_hi: C('vpu_clamp_hi'),
      sp_sdata: out('sp', 'vsrc_rdata'), acc_sdata: out('acc', 'vsrc_rdata'), grad_sdata: out('grad', 'vsrc_rdata'),
      sp_odata: out('sp', 'vown_rdata'), acc_odata: out('acc', 'vown_rdata'), grad_odata: out('grad', 'vown_rdata'),
    });
    m.assign(dbg.pc, C('dbg_pc'));
    m.assign(dbg.pcValid, C('dbg_pc_valid'));
    m.assign(dbg.issue, C('dbg_issue'));
    m.assign(dbg.busy, C('dbg_busy'));
    m.assign(dbg.state, C('dbg_state'));
    return m.build();
  });
}
