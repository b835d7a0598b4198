/**
 * A local memory (sp, acc, grad): 4 region banks (one write port each, see region.ts), and one
 * replica of every bank per read client, because the contract lets several units read the same
 * region in the same cycle (e.g. the array's two operands, a DMA store and a vector op all reading
 * sp). Every replica is a plain 1R1W registered-read RAM, so yosys can map each to block RAM.
 *
 * Read clients:
 * - plain readers: one row a cycle, own replica;
 * - owners: read-modify-write clients (vector-unit destination, drain with add) that only read rows
 *   of regions they hold the write lock for; two owners never read the same region in one cycle, so
 *   they share one replica, its address picked per bank;
 * - multi-row readers (the array's operands): NR consecutive rows a cycle, from a replica whose
 *   banks are row-interleaved NI ways (NI = NR rounded up to a power of two). A transposed operand
 *   needs one lane of R consecutive rows every cycle (docs/microarch.md §5, `tl`); interleaving gives
 *   that with single-port RAMs.
 */
import { add, cat, clog2, eq, land, lit, lor, mux, partSel, select, slice, sub, trunc, ult, uge, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { pow2ceil } from '../ctx.js';
import { ram, ramAddrBits } from './ram.js';
import { byRegion, localBits, regionOf } from './region.js';

export interface LmemSpec {
  readonly geom: LocalMemGeom;
  /** Write clients, in priority order (at most one writes a region in a cycle). */
  readonly writers: readonly string[];
  readonly readers: readonly string[];
  readonly owners: readonly string[];
  readonly multi: readonly { readonly name: string; readonly nr: number }[];
}

/** Port names of a memory client (shared by the memory and whoever connects to it). */
export const memPorts = {
  we: (c: string) => `${c}_we`,
  wrow: (c: string) => `${c}_wrow`,
  wdata: (c: string) => `${c}_wdata`,
  wmask: (c: string) => `${c}_wmask`,
  rrow: (c: string) => `${c}_rrow`,
  re: (c: string) => `${c}_re`,
  rdata: (c: string) => `${c}_rdata`,
};

export function lmem(ctx: Ctx, spec: LmemSpec): Module {
  const g = spec.geom;
  const name = `ag_mem_${g.name}`;
  return ctx.lib.once(name, () => {
    const m = new ModuleBuilder(name, [
      `${g.name}: ${g.rows} rows × ${g.bytes} bytes, 4 region banks of ${g.q} rows.`,
      `Replicas per bank: ${[...spec.readers, ...(spec.owners.length ? [`owner(${spec.owners.join('/')})`] : []), ...spec.multi.map((x) => `${x.name}(${x.nr} rows, interleaved)`)].join(', ')}.`,
    ]);
    const clk = m.input('clk', 1);
    const dw = g.bytes * 8;
    const lw = localBits(g.q);
    const flat = ram(ctx.lib, { depth: g.q, lanes: g.bytes, laneBits: 8 });

    // ---- write ports → one write bus per region bank ------------------------------------------
    const wr = spec.writers.map((c) => {
      const we = m.input(memPorts.we(c), 1);
      const row = m.input(memPorts.wrow(c), g.aw);
      const data = m.input(memPorts.wdata(c), dw);
      const mask = m.input(memPorts.wmask(c), g.bytes);
      const ra = regionOf(m, `${c}_w`, row, g.q);
      return { we, data, mask, ...ra };
    });
    const bus = [0, 1, 2, 3].map((A) => {
      const hit = wr.map((w) => land(w.we, eq(w.region, lit(2, A))));
      // Priority: the first hitting client wins (exclusive by construction; priority keeps it total).
      const pri = (f: (w: (typeof wr)[number]) => Expr): Expr => select(wr.map((w, i) => [hit[i]!, f(w)] as const), f(wr[0]!));
      return {
        we: m.let(`b${A}_we`, lor(...hit)),
        addr: m.let(`b${A}_waddr`, pri((w) => w.local)),
        data: m.let(`b${A}_wdata`, pri((w) => w.data)),
        mask: m.let(`b${A}_wmask`, pri((w) => w.mask)),
      };
    });
    const ff: Stmt[] = [];

    // ---- plain readers: own replica of each bank ----------------------------------------------
    for (const c of spec.readers) {
      const row = m.input(memPorts.rrow(c), g.aw);
      const out = m.output(memPorts.rdata(c), dw);
      const ra = regionOf(m, `${c}_r`, row, g.q);
      const rq = m.net(`${c}_region_q`, 2, 'region of last cycle’s read');
      ff.push(set(rq, ra.region));
      const banks = [0, 1, 2, 3].map((A) => {
        const d = m.net(`${c}_b${A}_rdata`, dw);
        m.inst(flat, `u_${c}_b${A}`, { clk, we: bus[A]!.we, waddr: bus[A]!.addr, wdata: bus[A]!.data, wmask: bus[A]!.mask, raddr: ra.local, rdata: d });
        return d;
      });
      m.assign(out, byRegion(rq, banks));
    }

    // ---- owners: one shared replica, address chosen per bank -----------------------------------
    if (spec.owners.length) {
      const os = spec.owners.map((c) => {
        const re = m.input(memPorts.re(c), 1);
        const row = m.input(memPorts.rrow(c), g.aw);
        const ra = regionOf(m, `${c}_o`, row, g.q);
        const rq = m.net(`${c}_oregion_q`, 2);
        ff.push(set(rq, ra.region));
        return { c, re, ...ra, rq };
      });
      const banks = [0, 1, 2, 3].map((A) => {
        const addr = m.let(`own_b${A}_raddr`, select(os.map((o) => [land(o.re, eq(o.region, lit(2, A))), o.local] as const), os[0]!.local));
        const d = m.net(`own_b${A}_rdata`, dw);
        m.inst(flat, `u_own_b${A}`, { clk, we: bus[A]!.we, waddr: bus[A]!.addr, wdata: bus[A]!.data, wmask: bus[A]!.mask, raddr: addr, rdata: d });
        return d;
      });
      for (const o of os) m.assign(m.output(memPorts.rdata(o.c), dw), byRegion(o.rq, banks));
    }

    // ---- multi-row readers ------------------------------------------------------------------------
    for (const mr of spec.multi) multiReader(ctx, m, g, mr.name, mr.nr, bus, ff);

    m.ff(ff);
    return m.build();
  });
}

interface Bus { readonly we: Expr; readonly addr: Expr; readonly data: Expr; readonly mask: Expr }

/**
 * NR consecutive rows a cycle. Bank A is split into NI interleaved RAMs: row-in-bank r lives in RAM
 * r mod NI at word r / NI. NR ≤ NI consecutive rows hit distinct RAMs of a bank, and spill over into
 * at most the next bank (NR ≤ q), so every RAM serves at most one of them.
 */
function multiReader(ctx: Ctx, m: ModuleBuilder, g: LocalMemGeom, c: string, nr: number, bus: readonly Bus[], ff: Stmt[]): void {
  const clk = { text: 'clk', width: 1, refs: ['clk'], ident: 'clk' } as Expr;
  const dw = g.bytes * 8;
  const kw = clog2(ctx.W);
  const row = m.input(memPorts.rrow(c), g.aw, 'first row');
  const laneIn = m.input(`${c}_lane`, kw, 'lane whose column is read');
  const out = m.output(memPorts.rdata(c), dw, 'row `row` of the previous cycle');
  const colOut = m.output(`${c}_col`, nr * 8, `byte \`lane\` of rows row..row+${nr - 1} (row+i at bits [8i +: 8])`);
  const laneQ = m.net(`${c}_lane_q`, kw);
  ff.push(set(laneQ, laneIn));
  const laneOf = (rowData: Expr): Expr => (ctx.W === 1 ? rowData : partSel(rowData, laneQ, 8));
  if (ctx.W === 1) m.let(`unused_${c}_lane`, laneQ);
  const lw = localBits(g.q);
  if (nr === 1) {
    // One row: a plain replica.
    const ra = regionOf(m, `${c}_r`, row, g.q);
    const rq = m.net(`${c}_region_q`, 2);
    ff.push(set(rq, ra.region));
    const flat = ram(ctx.lib, { depth: g.q, lanes: g.bytes, laneBits: 8 });
    const banks = [0, 1, 2, 3].map((A) => {
      const d = m.net(`${c}_b${A}_rdata`, dw);
      m.inst(flat, `u_${c}_b${A}`, { clk, we: bus[A]!.we, waddr: bus[A]!.addr, wdata: bus[A]!.data, wmask: bus[A]!.mask, raddr: ra.local, rdata: d });
      return d;
    });
    const r0 = m.let(`${c}_row0`, byRegion(rq, banks));
    m.assign(out, r0);
    m.assign(colOut, laneOf(r0));
    return;
  }
  const NI = pow2ceil(nr);
  const li = Math.log2(NI);
  const depth = Math.ceil(g.q / NI);
  const aw = ramAddrBits(depth);
  const part = ram(ctx.lib, { depth, lanes: g.bytes, laneBits: 8 });
  // Interleave index and word of a row-in-bank (lw bits).
  const split = (p: string, local: Expr): { idx: Expr; word: Expr } => {
    const lx = lw >= li + 1 ? local : m.let(`${p}_lx`, zext(local, li + 1));
    const idx = m.let(`${p}_idx`, slice(lx, li - 1, 0));
    const hi = lx.width > li ? m.let(`${p}_hi`, slice(lx, lx.width - 1, li)) : lit(1, 0);
    const word = hi.width >= aw ? (hi.ident ? trunc(hi, aw) : lit(aw, 0)) : zext(hi, aw);
    return { idx, word };
  };
  const ra = regionOf(m, `${c}_r`, row, g.q);
  const rs = split(`${c}_r`, ra.local);
  const regq = m.net(`${c}_region_q`, 2);
  const idxq = m.net(`${c}_idx_q`, li);
  const localq = m.net(`${c}_local_q`, lw);
  ff.push(set(regq, ra.region), set(idxq, rs.idx), set(localq, ra.local));
  const outs: Expr[][] = [];
  for (let A = 0; A < 4; A++) {
    const ws = split(`${c}_b${A}_w`, bus[A]!.addr);
    const mine = eq(ra.region, lit(2, A));
    const rowv: Expr[] = [];
    for (let k = 0; k < NI; k++) {
      const d = m.net(`${c}_b${A}_m${k}_rdata`, dw);
      // RAM k holds the first requested row of this bank at word t0 if k ≥ idx0, else at t0 + 1;
      // the next bank (spill-over) is read from word 0.
      const next = k === NI - 1 ? rs.word : mux(ult(lit(li, k), rs.idx), add(rs.word, lit(aw, 1)), rs.word);
      const raddr = m.let(`${c}_b${A}_m${k}_raddr`, mux(mine, next, lit(aw, 0)));
      m.inst(part, `u_${c}_b${A}_m${k}`, {
        clk,
        we: m.let(`${c}_b${A}_m${k}_we`, land(bus[A]!.we, eq(ws.idx, lit(li, k)))),
        waddr: ws.word, wdata: bus[A]!.data, wmask: bus[A]!.mask, raddr, rdata: d,
      });
      rowv.push(d);
    }
    outs.push(rowv);
  }
  // Per interleave slot: the row from the first bank (a) and from the spill-over bank (b), and the
  // column byte of each. Everything stays one row wide (no NI-row-wide vectors).
  const regNext = m.let(`${c}_region_next`, add(regq, lit(2, 1)));
  const slotA = Array.from({ length: NI }, (_, k) => m.let(`${c}_a${k}`, byRegion(regq, outs.map((r) => r[k]!))));
  const slotB = Array.from({ length: NI }, (_, k) => m.let(`${c}_b${k}`, byRegion(regNext, outs.map((r) => r[k]!))));
  const colA = slotA.map((x, k) => m.let(`${c}_a${k}_col`, laneOf(x)));
  const colB = slotB.map((x, k) => m.let(`${c}_b${k}_col`, laneOf(x)));
  const pick = (vals: readonly Expr[], idx: Expr): Expr => select(vals.slice(1).map((v, k) => [eq(idx, lit(li, k + 1)), v] as const), vals[0]!);
  m.assign(out, pick(slotA, idxq));
  const qmod = g.q % NI;
  const cols: Expr[] = [];
  const cw = Math.max(lw, clog2(g.q + 1));
  for (let i = 0; i < nr; i++) {
    const ia = m.let(`${c}_i${i}_ia`, add(idxq, lit(li, i)));
    if (i === 0) { cols.push(pick(colA, ia)); continue; }
    const ib = m.let(`${c}_i${i}_ib`, sub(add(idxq, lit(li, i)), lit(li, qmod)));
    const cross = uge(zext(localq, cw), lit(cw, g.q - i));
    cols.push(mux(cross, pick(colB, ib), pick(colA, ia)));
  }
  m.assign(colOut, cat(...[...cols].reverse()));
}
