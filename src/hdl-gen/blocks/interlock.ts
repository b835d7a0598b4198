/**
 * ag_interlock: the unit busy counters n (DMA, MXU, DRN, VPU), the per-bank flush counters and the
 * lock sets of the instruction each unit executes, and from them the issue condition of the
 * instruction in decode (docs/microarch.md §3–4). This is the whole timing contract in one place:
 * the units themselves only have to finish their work within D cycles.
 */
import { UNIT_BITS } from '../../isa/table.js';
import { add, and, bitsFor, cat, eq, land, lit, lnot, lor, mux, ne, or, select, slice, sub, ule, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { SET_BITS, durBits } from './operands.js';

export const UNITS = ['dma', 'mxu', 'drn', 'vpu'] as const;
export type UnitName = (typeof UNITS)[number];
const UNIT_MASK: Readonly<Record<UnitName, number>> = { dma: UNIT_BITS.DMA, mxu: UNIT_BITS.MXU, drn: UNIT_BITS.DRN, vpu: UNIT_BITS.VPU };

/** Largest duration of each unit (sizes its counter). */
export function maxDur(ctx: Ctx): Readonly<Record<UnitName, number>> {
  return {
    dma: 256 * Math.ceil((256 * 4) / ctx.B) + 3,
    mxu: 4096,
    drn: Math.max(ctx.R, ctx.C) + 2,
    vpu: 4096 * ctx.cfg.derived.vpuRowCycles + ctx.cfg.vpu.latency,
  };
}

export function interlock(ctx: Ctx): Module {
  return ctx.lib.once('ag_interlock', () => {
    const m = new ModuleBuilder('ag_interlock', ['Unit busy counters, bank flush counters, lock sets and the issue condition.']);
    m.input('clk', 1);
    const clear = m.input('clear', 1, 'start: every counter to 0');
    const issue = m.input('issue', 1, 'the instruction in decode issues this cycle');
    const unitOf = Object.fromEntries(UNITS.map((u) => [u, m.input(`to_${u}`, 1, `the instruction in decode runs on the ${u.toUpperCase()}`)])) as Record<UnitName, Expr>;
    const isHalt = m.input('is_halt', 1);
    const isFence = m.input('is_fence', 1);
    const fenceMask = m.input('fence_mask', 4);
    const isDrain = m.input('is_drain', 1);
    const drainBank = m.input('drain_bank', 1);
    const mmBank = m.input('mm_bank', 1);
    const mmK = m.input('mm_k', 13);
    const dur = m.input('dur', durBits(ctx));
    const rset = m.input('rset', SET_BITS);
    const wset = m.input('wset', SET_BITS);
    const canIssue = m.output('can_issue', 1, 'issue condition of the instruction in decode (faults aside)');
    const busy = m.output('busy', 4, 'n > 0: bit0 DMA, bit1 MXU, bit2 DRN, bit3 VPU');
    const allLe1 = m.output('all_le1', 1, 'every unit has n ≤ 1 (halt, fault drain)');

    const md = maxDur(ctx);
    const ff: Stmt[] = [];
    const le1: Record<string, Expr> = {};
    const conflicts: Expr[] = [];
    const busyBits: Expr[] = [];
    for (const u of UNITS) {
      const w = bitsFor(md[u]);
      const n = m.net(`n_${u}`, w, `${u.toUpperCase()} busy counter`);
      const rs = m.net(`r_${u}`, SET_BITS, `resources the ${u.toUpperCase()} instruction reads`);
      const ws = m.net(`w_${u}`, SET_BITS, `resources it writes`);
      const go = land(issue, unitOf[u]);
      ff.push(iff(clear, [set(n, lit(w, 0))], [
        iff(go, [set(n, w === dur.width ? dur : slice(dur, w - 1, 0)), set(rs, rset), set(ws, wset)], [iff(ne(n, lit(w, 0)), [set(n, sub(n, lit(w, 1)))])]),
      ]));
      le1[u] = m.let(`${u}_le1`, ule(n, lit(w, 1)));
      busyBits.push(ne(n, lit(w, 0)));
      // Conflict (§4): U still has ≥ 2 cycles of work and the sets intersect.
      conflicts.push(land(lnot(le1[u]!), ne(or(and(wset, or(rs, ws)), and(rset, ws)), lit(SET_BITS, 0))));
    }
    m.assign(busy, cat(...[...busyBits].reverse()));
    const flush = ctx.cfg.derived.flushCycles;
    const bw = bitsFor(4096 + flush);
    const bankLe1: Expr[] = [];
    for (let b = 0; b < 2; b++) {
      const n = m.net(`bank_n${b}`, bw, `cycles until bank ${b} has absorbed its last matmul step`);
      const go = land(issue, unitOf.mxu, eq(mmBank, lit(1, b)));
      ff.push(iff(clear, [set(n, lit(bw, 0))], [
        iff(go, [set(n, add(zext(mmK, bw), lit(bw, flush)))], [iff(ne(n, lit(bw, 0)), [set(n, sub(n, lit(bw, 1)))])]),
      ]));
      bankLe1.push(ule(n, lit(bw, 1)));
    }
    const conflict = m.let('conflict', lor(...conflicts));
    const allUnits = m.let('units_le1', land(...UNITS.map((u) => le1[u]!)));
    m.assign(allLe1, allUnits);
    const fenceOk = land(...UNITS.map((u) => lor(le1[u]!, eq(slice(fenceMask, Math.log2(UNIT_MASK[u]), Math.log2(UNIT_MASK[u])), lit(1, 0)))));
    const drainOk = mux(drainBank, bankLe1[1]!, bankLe1[0]!);
    m.assign(canIssue, select([
      [isHalt, allUnits],
      [isFence, fenceOk],
      [unitOf.dma, land(le1.dma!, lnot(conflict))],
      [unitOf.mxu, land(le1.mxu!, lnot(conflict))],
      [unitOf.drn, land(le1.drn!, lnot(conflict), land(isDrain, drainOk))],
      [unitOf.vpu, land(le1.vpu!, lnot(conflict))],
    ], lit(1, 1)));
    m.ff(ff);
    return m.build();
  });
}
