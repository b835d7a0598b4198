/**
 * A local memory (sp, acc, grad): one write bus and one copy of the rows per read port, every copy a
 * plain 1R1W registered-read RAM that yosys maps to block RAM. The port rules of the interlock
 * (docs/microarch.md §4) are what make this enough:
 * - one unit writes a memory at a time (the write port is a lock resource), so the writers share one
 *   bus (the host writes only while the chip is stopped);
 * - the general read port serves a DMA store, the vector unit's source operand and the host, one at a
 *   time (also a lock resource), so they share one copy, addressed by whoever holds the port;
 * - owners are read-modify-write clients (vector-unit destination, drain with add); each holds the
 *   memory's write port while it reads, so they too share one copy;
 * - multi-row readers (the array's operands) own a copy each. A transposed operand needs one lane of
 *   NR consecutive rows every cycle (docs/microarch.md §5, `tl`): the copy is row-interleaved NI
 *   ways (NI = NR rounded up to a power of two), so NR consecutive rows sit in distinct RAMs.
 */
import { add, bit, cat, clog2, dontCare, eq, land, lit, lor, mux, partSel, select, slice, trunc, ult, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { pow2ceil } from '../ctx.js';
import { ram, ramAddrBits } from './ram.js';

export interface LmemSpec {
  readonly geom: LocalMemGeom;
  /** Write clients, in priority order (the contract lets at most one write in a cycle). */
  readonly writers: readonly string[];
  /**
   * Clients of the general read port: the first is the default holder (the DMA, through which the
   * host also reads); every other one has an `re` input that claims the port while it reads.
   */
  readonly general: readonly string[];
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

interface Bus { readonly we: Expr; readonly addr: Expr; readonly data: Expr; readonly mask: Expr }

export function lmem(ctx: Ctx, spec: LmemSpec): Module {
  const g = spec.geom;
  const name = `ag_mem_${g.name}`;
  return ctx.lib.once(name, () => {
    const m = new ModuleBuilder(name, [
      `${g.name}: ${g.rows} rows × ${g.bytes} bytes; one write bus, one copy per read port:`,
      `general(${spec.general.join('/')})${spec.owners.length ? `, owner(${spec.owners.join('/')})` : ''}${spec.multi.map((x) => `, ${x.name}(${x.nr} rows a cycle${x.nr > 1 ? ', interleaved' : ''})`).join('')}.`,
    ]);
    const clk = m.input('clk', 1);
    const dw = g.bytes * 8;
    const flat = ram(ctx.lib, { depth: g.rows, lanes: g.bytes, laneBits: 8 });

    // ---- write clients → one bus ----------------------------------------------------------------
    const wr = spec.writers.map((c) => ({
      we: m.input(memPorts.we(c), 1),
      row: m.input(memPorts.wrow(c), g.aw),
      data: m.input(memPorts.wdata(c), dw),
      mask: m.input(memPorts.wmask(c), g.bytes),
    }));
    // Priority keeps the select total; the clients are exclusive by construction.
    const pri = (f: (w: (typeof wr)[number]) => Expr): Expr => select(wr.map((w) => [w.we, f(w)] as const), f(wr[0]!));
    const bus: Bus = {
      we: m.let('w_we', lor(...wr.map((w) => w.we))),
      addr: m.let('w_row', pri((w) => w.row)),
      data: m.let('w_data', pri((w) => w.data)),
      mask: m.let('w_mask', pri((w) => w.mask)),
    };
    const ff: Stmt[] = [];
    const copy = (inst: string, raddr: Expr, rdata: Expr): void => {
      m.inst(flat, inst, { clk, we: bus.we, waddr: bus.addr, wdata: bus.data, wmask: bus.mask, raddr, rdata });
    };

    // ---- general read port -----------------------------------------------------------------------
    {
      const [first, ...rest] = spec.general;
      const row0 = m.input(memPorts.rrow(first!), g.aw);
      const claims = rest.map((c) => ({ re: m.input(memPorts.re(c), 1), row: m.input(memPorts.rrow(c), g.aw) }));
      const d = m.net('g_rdata', dw, 'general port: row of the previous cycle');
      copy('u_general', m.let('g_raddr', select(claims.map((x) => [x.re, x.row] as const), row0)), d);
      for (const c of spec.general) m.assign(m.output(memPorts.rdata(c), dw), d);
    }

    // ---- owners: one copy, address chosen by the reading owner --------------------------------------
    if (spec.owners.length) {
      const os = spec.owners.map((c) => ({ c, re: m.input(memPorts.re(c), 1), row: m.input(memPorts.rrow(c), g.aw) }));
      const d = m.net('own_rdata', dw);
      copy('u_owner', m.let('own_raddr', select(os.map((o) => [o.re, o.row] as const), os[0]!.row)), d);
      for (const o of os) m.assign(m.output(memPorts.rdata(o.c), dw), d);
    }

    // ---- multi-row readers ------------------------------------------------------------------------
    for (const mr of spec.multi) multiReader(ctx, m, g, mr.name, mr.nr, bus, ff, copy);

    m.ff(ff);
    return m.build();
  });
}

/**
 * NR consecutive rows a cycle. The copy is split into NI interleaved RAMs: row r lives in RAM
 * r mod NI at word ⌊r / NI⌋, so NR ≤ NI consecutive rows hit distinct RAMs.
 */
function multiReader(
  ctx: Ctx, m: ModuleBuilder, g: LocalMemGeom, c: string, nr: number, bus: Bus, ff: Stmt[],
  copy: (inst: string, raddr: Expr, rdata: Expr) => void,
): void {
  const clk = { text: 'clk', width: 1, refs: ['clk'], ident: 'clk' } as Expr;
  const dw = g.bytes * 8;
  const kw = clog2(ctx.W);
  const row = m.input(memPorts.rrow(c), g.aw, 'first row');
  const laneIn = m.input(`${c}_lane`, kw, 'lane whose column is read');
  const reIn = m.input(`${c}_re`, 1, 'reading this cycle (the outputs are don\'t-care next cycle otherwise)');
  const tIn = m.input(`${c}_t`, 1, 'the read wants the column (else the row)');
  const out = m.output(memPorts.rdata(c), dw, 'row `row` of the previous cycle');
  const colOut = m.output(`${c}_col`, nr * 8, `byte \`lane\` of rows row..row+${nr - 1} (row+i at bits [8i +: 8])`);
  const laneQ = m.net(`${c}_lane_q`, kw);
  const reQ = m.net(`${c}_re_q`, 1);
  const tQ = m.net(`${c}_t_q`, 1);
  ff.push(set(laneQ, laneIn), set(reQ, reIn), set(tQ, tIn));
  const laneOf = (rowData: Expr): Expr => (ctx.W === 1 ? rowData : partSel(rowData, laneQ, 8));
  if (ctx.W === 1) m.let(`unused_${c}_lane`, laneQ);
  if (nr === 1) {
    const d = m.net(`${c}_row0`, dw);
    copy(`u_${c}`, row, d);
    m.assign(out, d);
    m.assign(colOut, laneOf(d));
    m.let(`unused_${c}_re`, cat(reQ, tQ));
    return;
  }
  const NI = pow2ceil(nr);
  const li = Math.log2(NI);
  const depth = Math.ceil(g.rows / NI);
  const aw = ramAddrBits(depth);
  const part = ram(ctx.lib, { depth, lanes: g.bytes, laneBits: 8 });
  // Interleave index and word of a row address. Rows past the end (only ever asked for by lanes a
  // plain read ignores) alias to low words.
  const split = (p: string, r: Expr): { idx: Expr; word: Expr } => {
    const rx = r.width > li ? r : m.let(`${p}_rx`, zext(r, li + 1));
    const idx = m.let(`${p}_idx`, slice(rx, li - 1, 0));
    const hi = m.let(`${p}_word`, slice(rx, rx.width - 1, li));
    const word = hi.width === aw ? hi : hi.width > aw ? m.let(`${p}_word_t`, trunc(hi, aw)) : zext(hi, aw);
    return { idx, word };
  };
  const rs = split(`${c}_r`, row);
  const ws = split(`${c}_w`, bus.addr);
  const idxq = m.net(`${c}_idx_q`, li);
  ff.push(set(idxq, rs.idx));
  const rowv: Expr[] = [];
  for (let k = 0; k < NI; k++) {
    const d = m.net(`${c}_m${k}_rdata`, dw);
    // RAM k holds the first requested row at word w0 if k ≥ idx0, else the row NI further on at w0 + 1.
    const raddr = k === NI - 1 ? rs.word : m.let(`${c}_m${k}_raddr`, mux(ult(lit(li, k), rs.idx), add(rs.word, lit(aw, 1)), rs.word));
    m.inst(part, `u_${c}_m${k}`, {
      clk,
      we: m.let(`${c}_m${k}_we`, land(bus.we, eq(ws.idx, lit(li, k)))),
      waddr: ws.word, wdata: bus.data, wmask: bus.mask, raddr, rdata: d,
    });
    rowv.push(d);
  }
  // The row (plain read) or the column (transposed read) is assembled only for a read that asked for
  // it; otherwise the outputs are don't-care (the reader's step control marks them invalid), which
  // costs synthesis nothing and spares a simulator the selection every idle cycle.
  const pick = (vals: readonly Expr[], idx: Expr): Expr => select(vals.slice(1).map((v, k) => [eq(idx, lit(li, k + 1)), v] as const), vals[0]!);
  const defaults: Stmt[] = [];
  const body: Stmt[] = [];
  const tmp = (name: string, e: Expr): Expr => {
    const n = m.net(name, e.width);
    defaults.push(set(n, dontCare(e.width)));
    body.push(set(n, e));
    return n;
  };
  // Row idx0 + i sits in RAM (idx0 + i) mod NI: rotate the NI columns right by idx0 bytes, one
  // constant-rotation stage per index bit (li stages of NI·8 two-way muxes, not nr NI-way muxes).
  let rot = tmp(`${c}_cols`, cat(...rowv.map((x) => laneOf(x)).reverse()));
  for (let b = 0; b < li; b++) {
    const r = 8 << b;
    // The last stage's top NI − nr columns are not needed (the linter's `unused` name convention).
    const name = b === li - 1 && nr < NI ? `${c}_rot${b}_unused` : `${c}_rot${b}`;
    rot = tmp(name, mux(bit(idxq, b), cat(slice(rot, r - 1, 0), slice(rot, NI * 8 - 1, r)), rot));
  }
  m.comb([
    set(out, dontCare(dw)), set(colOut, dontCare(nr * 8)), ...defaults,
    iff(reQ, [iff(tQ, [...body, set(colOut, nr === NI ? rot : slice(rot, nr * 8 - 1, 0))], [set(out, pick(rowv, idxq))])]),
  ], 'the operand the reader asked for');
}
