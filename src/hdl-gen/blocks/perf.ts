/**
 * ag_perf: the performance counters of docs/microarch.md §7, 64 bits each, counted at the end of
 * every cycle in which the chip is running (including draining after a fault).
 */
import { add, land, lit, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';

export const COUNTERS = ['cycles', 'macs', 'dma_busy', 'stalls', 'retired'] as const;

export function perf(ctx: Ctx): Module {
  return ctx.lib.once('ag_perf', () => {
    const m = new ModuleBuilder('ag_perf', ['Performance counters: cycles, MAC-active PE-cycles, DMA busy, stalls, retired.']);
    m.input('clk', 1);
    const clear = m.input('clear', 1);
    const active = m.input('active', 1, 'running or draining');
    const mxuBusy = m.input('mxu_busy', 1);
    const dmaBusy = m.input('dma_busy', 1);
    const stall = m.input('stall', 1);
    const issue = m.input('issue', 1);
    const inc: Readonly<Record<(typeof COUNTERS)[number], [Expr, number]>> = {
      cycles: [active, 1],
      macs: [land(active, mxuBusy), ctx.R * ctx.C],
      dma_busy: [land(active, dmaBusy), 1],
      stalls: [land(active, stall), 1],
      retired: [land(active, issue), 1],
    };
    const ff: Stmt[] = [];
    for (const c of COUNTERS) {
      const n = m.output(`cnt_${c}`, 64);
      const [cond, by] = inc[c];
      ff.push(iff(clear, [set(n, lit(64, 0))], [iff(cond, [set(n, add(n, lit(64, by)))])]));
    }
    m.ff(ff);
    return m.build();
  });
}
