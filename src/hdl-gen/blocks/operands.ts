/**
 * ag_operands: everything the controller must know about the instruction in decode before it may
 * issue, computed combinationally from the decoded fields and the registers it names on the
 * instruction's first cycle in decode and latched while it waits (ir/latch.ts)
 * (docs/microarch.md §4–6): row ranges and their lock regions (read/write sets), the unit duration D,
 * the fault code (ILLEGAL_INSTRUCTION, LOCAL_RANGE, MAIN_RANGE, BAD_OPERAND in that order), and the
 * operands each unit latches when the instruction issues. Address arithmetic is exact (signed,
 * wide enough never to wrap), as the contract defines ranges on integers.
 */
import { CFG_REGS, ERROR_CODES, MEM_CODES } from '../../isa/table.js';
import {
  add, and, bit, bitsFor, cat, eq, land, lit, lnot, lor, mulS, mulU, mux, ne, or, select, sext, sge, sle, slice, slt, sub, trunc, uge, ule, xor, zext, type Expr,
} from '../ir/expr.js';
import { ModuleBuilder, type Module } from '../ir/module.js';
import { latchOnFresh } from '../ir/latch.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { countM1Port, instrClasses, fieldWidth } from './decode.js';
import { divConst } from './divconst.js';
import { regionOnly } from './region.js';
import { mulConst, mulLut } from './mulconst.js';
import { RES_BITS } from '../../config/index.js';

/** Width of read/write sets; the bit layout is src/config/resources.ts (regions, banks, ports). */
export const SET_BITS = RES_BITS;
/** Bits of a unit duration (the DMA has the longest). */
export function durBits(ctx: Ctx): number {
  return bitsFor(Math.max(256 * Math.ceil(1024 / ctx.B) + 3, 4096 * ctx.cfg.derived.vpuRowCycles + ctx.cfg.vpu.latency));
}

/** Widest local row address (units carry rows of any local memory at this width). */
export function localRowBits(ctx: Ctx): number {
  return Math.max(ctx.sp.aw, ctx.acc.aw, ctx.grad.aw);
}

const SW = 44; // signed width of row and byte-address arithmetic (never wraps)

export function operands(ctx: Ctx): Module {
  return ctx.lib.once('ag_operands', () => {
    const m = new ModuleBuilder('ag_operands', [
      'Footprints, lock sets, durations, faults and unit operands of the instruction in decode.',
    ]);
    const { fld, is } = fieldPorts(m);
    const { W, R, C } = ctx;
    const LAW = localRowBits(ctx);
    const isLd = is('ld'), isSt = is('st'), isMm = is('mm'), isDrain = is('drain'), isValu = is('valu'), isRq = is('rq'), isSgd = is('sgd'), isCfg = is('cfg');
    const legal = m.input('legal', 1);
    const ra = m.input('ra', 32, 'first register operand');
    // Ports only the span arithmetic reads (not declared when ag_spans does it).
    const rb = lazy(() => m.input('rb', 32, 'second register operand'));
    const stride = lazy(() => m.input('cfg_dma_stride', 32));
    const lstride = lazy(() => m.input('cfg_lstride', 14));
    const tstride = lazy(() => m.input('cfg_tstride', 14));
    const isDma = m.let('is_dma', lor(isLd, isSt));
    const isV = m.let('is_vec', lor(isValu, isRq, isSgd));


    // ---- operand fields, per class --------------------------------------------------------
    const dmaMem = m.let('dma_mem_f', mux(isSt, fld('st', 'mem'), fld('ld', 'mem')));
    const dmaRows = m.let('dma_rows_f', mux(isSt, fld('st', 'rows'), fld('ld', 'rows')));
    const dmaElems = m.let('dma_elems_f', mux(isSt, fld('st', 'elems'), fld('ld', 'elems')));
    const mmK = fld('mm', 'k');
    const vCount = m.let('v_count', select([[isRq, fld('rq', 'count')], [isSgd, fld('sgd', 'count')]], fld('valu', 'count')));
    const vDmem = m.let('v_dmem', mux(isValu, fld('valu', 'dmem'), lit(2, MEM_CODES.sp)));
    const vSmem = m.let('v_smem', select([[isValu, fld('valu', 'smem')], [isRq, fld('rq', 'smem')]], lit(2, MEM_CODES.grad)));
    const drT = fld('drain', 't');
    const drMem = fld('drain', 'mem');
    const mmBank = fld('mm', 'bank'), drBank = fld('drain', 'bank');
    const sgdClear = fld('sgd', 'clear');

    // ---- range 1 (destination / DMA local / mm left / drain) and range 2 (source / mm top) -----
    // With 3 or 4 front-end stages the spans come registered from ag_spans (the register-read stage); else computed here.
    const spn: Spans = ctx.cfg.controller.stages >= 3
      ? Object.fromEntries(SPAN_PORTS.map(([k, port]) => [k, m.input(`${port}_q`, SW, `${port} (ag_spans, registered in the register-read stage)`)])) as unknown as Spans
      : computeSpans(m, ctx, { fld, is, ra, rb, stride, lstride, tstride });
    const { r1Start, r1Len, r2Start, r2Len, base, lastBase } = spn;
    const r1Mem = m.let('r1_mem', select([[isDma, dmaMem], [isMm, lit(2, MEM_CODES.sp)], [isDrain, drMem]], vDmem));
    const r2Mem = m.let('r2_mem', mux(isMm, lit(2, MEM_CODES.sp), vSmem));
    const r1Used = m.let('r1_used', lor(isDma, isMm, isDrain, isV));
    const r2Used = m.let('r2_used', lor(isMm, isV));

    const geoms: readonly LocalMemGeom[] = [ctx.sp, ctx.acc, ctx.grad];
    const rangeOf = (p: string, start: Expr, len: Expr, mem: Expr): { ok: Expr; set: Expr; end: Expr } => {
      const end = m.let(`${p}_end`, add(start, len));
      const rows = select(geoms.map((g) => [eq(mem, lit(2, g.code)), lit(SW, g.rows)] as const), lit(SW, 0));
      const ok = m.let(`${p}_ok`, land(lnot(bit(start, SW - 1)), sle(end, rows)));
      const parts = geoms.map((g) => {
        // Last row computed modulo 2^aw: exact whenever the range is legal (otherwise it faults).
        const s0 = m.let(`${p}_${g.name}_s`, trunc(start, g.aw));
        const e0 = m.let(`${p}_${g.name}_last_unused`, sub(add(s0, m.let(`${p}_${g.name}_n`, trunc(len, g.aw))), lit(g.aw, 1)));
        const b = regionOnly(m, `${p}_${g.name}_b`, e0, g.q);
        const a = regionOnly(m, `${p}_${g.name}_a`, s0, g.q);
        // Region A is touched iff first ≤ A ≤ last (comparisons that are constant are left out).
        const bits = [0, 1, 2, 3].map((A) => land(...(A < 3 ? [ule(a, lit(2, A))] : []), ...(A > 0 ? [uge(b, lit(2, A))] : [])));
        const sel = eq(mem, lit(2, g.code));
        return mux(sel, cat(bits[3]!, bits[2]!, bits[1]!, bits[0]!), lit(4, 0));
      });
      return { ok, end, set: m.let(`${p}_set`, cat(parts[2]!, parts[1]!, parts[0]!)) };
    };
    const rg1 = rangeOf('r1', r1Start, r1Len, r1Mem);
    const rg2 = rangeOf('r2', r2Start, r2Len, r2Mem);

    // ---- main-memory range of ld/st: rows r = 0 and r = rows−1 --------------------------------
    const size4 = m.let('dma_size4', ne(dmaMem, lit(2, MEM_CODES.sp)));
    const nbytes = m.let('dma_nbytes', mux(size4, cat(slice(dmaElems, 8, 0), lit(2, 0)), zext(dmaElems, 11)));
    const mainBytes = lit(SW, ctx.cfg.memory.mainBytes);
    const inMain = (a: Expr): Expr => land(sge(a, lit(SW, 0)), sle(add(a, zext(nbytes, SW)), mainBytes));
    const mainOk = m.let('main_ok', land(inMain(base), inMain(lastBase)));

    // ---- faults, in the contract's order ----------------------------------------------------------
    const illegal = lor(lnot(legal), land(isDma, ugtC(dmaElems, W)));
    const localBad = lor(land(r1Used, lnot(rg1.ok)), land(r2Used, lnot(rg2.ok)));
    const cfgIdx = fld('cfg', 'reg');
    const cfgVal = m.output('cfg_value', 32, 'rs + imm of a cfg');
    m.assign(cfgVal, add(ra, fld('cfg', 'imm')));
    const cfgIs = (n: (typeof CFG_REGS)[number]): Expr => eq(cfgIdx, lit(cfgIdx.width, CFG_REGS.indexOf(n)));
    const cfgBad = land(isCfg, select([
      [lor(cfgIs('QSHIFT'), cfgIs('LR_SHIFT'), cfgIs('VSHIFT')), ugtC(cfgVal, 47)],
      [cfgIs('ROUND'), ugtC(cfgVal, 1)],
      [lor(cfgIs('LSTRIDE'), cfgIs('TSTRIDE')), ugtC(cfgVal, 16383)],
    ], lit(1, 0)));
    // v*: source and destination in one memory must start at the same row or not overlap.
    const overlap = land(slt(r1Start, rg2.end), slt(r2Start, rg1.end));
    const vBad = land(isValu, eq(vDmem, vSmem), ne(r1Start, r2Start), overlap);
    const E = ERROR_CODES;
    m.assign(m.output('fault', 3, 'error code the instruction would stop the chip with (0: none)'), select([
      [illegal, lit(3, E.ILLEGAL_INSTRUCTION)],
      [localBad, lit(3, E.LOCAL_RANGE)],
      [land(isDma, lnot(mainOk)), lit(3, E.MAIN_RANGE)],
      [lor(cfgBad, vBad), lit(3, E.BAD_OPERAND)],
    ], lit(3, E.NONE)));

    // ---- lock sets and duration --------------------------------------------------------------------
    const bankBit = (b: Expr): Expr => cat(b, lnot(b));
    const none = lit(SET_BITS, 0);
    const z3 = lit(3, 0);
    // Fields above the regions, high to low: read ports [19:17], write ports [16:14], banks [13:12].
    const hi = (rp: Expr, wp: Expr, bk: Expr, s: Expr): Expr => cat(rp, wp, bk, s);
    const noRegions = lit(12, 0);
    const onehot = (mem: Expr): Expr => cat(eq(mem, lit(2, 2)), eq(mem, lit(2, 1)), eq(mem, lit(2, 0)));
    const sp = lit(3, 1), grad = lit(3, 4);
    m.assign(m.output('rset', SET_BITS, 'resources read'), select([
      [isSt, hi(z3, z3, lit(2, 0), rg1.set)], [isMm, hi(z3, z3, lit(2, 0), or(rg1.set, rg2.set))], [isDrain, hi(z3, z3, bankBit(drBank), noRegions)],
      [lor(isValu, isSgd), hi(z3, z3, lit(2, 0), or(rg1.set, rg2.set))], [isRq, hi(z3, z3, lit(2, 0), rg2.set)],
    ], none));
    // Ports go in the write set (docs/microarch.md §4): the destination's write port, the general
    // read port of a store's or vector op's source; sgd with clear also writes grad.
    const w1 = m.let('wport_r1', onehot(r1Mem));
    const g2 = m.let('rport_r2', onehot(r2Mem));
    m.assign(m.output('wset', SET_BITS, 'resources written (and ports held)'), select([
      [isLd, hi(z3, w1, lit(2, 0), rg1.set)], [isSt, hi(m.let('rport_r1', onehot(r1Mem)), z3, lit(2, 0), noRegions)],
      [isMm, hi(z3, z3, bankBit(mmBank), noRegions)], [isDrain, hi(z3, w1, lit(2, 0), rg1.set)],
      [lor(isValu, isRq), hi(g2, w1, lit(2, 0), rg1.set)],
      [isSgd, mux(sgdClear, hi(grad, or(sp, grad), lit(2, 0), or(rg1.set, rg2.set)), hi(grad, sp, lit(2, 0), rg1.set))],
    ], none));
    const lb = Math.log2(ctx.B);
    // ⌈nbytes / B⌉; the low bits of the rounded-up sum are dropped on purpose.
    const beats = lb === 0 ? nbytes : m.let('dma_beats', zext(slice(m.let('dma_beats_sum_unused', add(zext(nbytes, 12), lit(12, ctx.B - 1))), 11, lb), 11));
    const DB = durBits(ctx);
    m.assign(m.output('dur', DB, 'unit busy duration D'), select([
      [isDma, add(mulLut(beats, dmaRows, DB), lit(DB, 3))],
      [isMm, zext(mmK, DB)],
      [isDrain, mux(drT, lit(DB, C + 2), lit(DB, R + 2))],
    ], add(mulConst(vCount, ctx.cfg.derived.vpuRowCycles, DB), lit(DB, ctx.cfg.vpu.latency))));

    // ---- unit operands (valid when the instruction issues, i.e. its ranges are legal) -----------------
    m.assign(m.output('dma_beats_out', 11, 'beats per row ⌈elems·size/B⌉'), beats);
    m.assign(m.output('dma_nbytes_out', 11, 'bytes per row'), nbytes);
    m.assign(m.output('dma_maddr', ctx.mainAw, 'main byte address of row 0'), trunc(base, ctx.mainAw));
    m.assign(m.output('row1', LAW, 'first row of range 1'), trunc(r1Start, LAW));
    m.assign(m.output('row2', LAW, 'first row of range 2'), trunc(r2Start, LAW));
    // One front-end stage: computed in the first decode cycle, then latched. More: computed in the
    // last pre-decode cycle into registers, so decode starts from flip-flops (ctrl.ts).
    return ctx.cfg.controller.stages > 1
      ? latchOnFresh(m.build(), 'the last pre-decode cycle of an instruction: compute its footprint', 'register')
      : latchOnFresh(m.build(), 'the instruction in decode is new this cycle (else: its latched footprint)');
  });
}

/** a > constant, unsigned. */
function ugtC(a: Expr, c: number): Expr {
  if (c >= 2 ** a.width - 1) return lit(1, 0);
  return lnot(ule(a, lit(a.width, c)));
}

/** The row ranges' starts and lengths and the main-memory range ends: the footprint's adders and products. */
export interface Spans {
  readonly r1Start: Expr;
  readonly r1Len: Expr;
  readonly r2Start: Expr;
  readonly r2Len: Expr;
  readonly base: Expr;
  readonly lastBase: Expr;
}

/** Spans and the port names ag_spans gives them (registered: `<name>_q`). */
const SPAN_PORTS: readonly (readonly [keyof Spans, string])[] = [
  ['r1Start', 'r1_start'], ['r1Len', 'r1_len'], ['r2Start', 'r2_start'], ['r2Len', 'r2_len'], ['base', 'main_base'], ['lastBase', 'main_last'],
];

interface SpanInputs {
  readonly fld: (cls: string, name: string) => Expr;
  readonly is: (cls: string) => Expr;
  readonly ra: Expr;
  readonly rb: () => Expr;
  readonly stride: () => Expr;
  readonly lstride: () => Expr;
  readonly tstride: () => Expr;
  /** ld/st rows − 1 straight from the instruction word (else computed from the decoded count). */
  readonly rawRowsM1?: () => Expr;
}

/**
 * Range 1 (destination / DMA local / mm left / drain), range 2 (source / mm top) and the first and
 * last row's main byte address of ld/st (docs/microarch.md §5), exact in SW signed bits. `prefix`
 * keeps the names apart from a module's ports.
 */
function computeSpans(m: ModuleBuilder, ctx: Ctx, i: SpanInputs, prefix = ''): Spans {
  const { W, R, C } = ctx;
  const { fld, is } = i;
  const n = (x: string): string => `${prefix}${x}`;
  const S = (e: Expr): Expr => sext(e, SW);
  const Z = (e: Expr): Expr => zext(e, SW);
  const isLd = is('ld'), isSt = is('st'), isMm = is('mm'), isDrain = is('drain'), isRq = is('rq'), isSgd = is('sgd');
  const isDma = lor(isLd, isSt);
  const dmaRows = mux(isSt, fld('st', 'rows'), fld('ld', 'rows'));
  const mmK = fld('mm', 'k');
  const vCount = select([[isRq, fld('rq', 'count')], [isSgd, fld('sgd', 'count')]], fld('valu', 'count'));
  const vDoff = select([[isRq, fld('rq', 'doff')], [isSgd, fld('sgd', 'doff')]], fld('valu', 'doff'));
  const vSoff = select([[isRq, fld('rq', 'soff')], [isSgd, fld('sgd', 'soff')]], fld('valu', 'soff'));
  // ⌈K/W⌉ − 1 = ⌊(K−1)/W⌋ blocks of W steps before the last one (transposed operands, §5).
  const kq = divConst(m, n('mm_kblocks'), m.let(n('mm_km1'), sub(mmK, lit(mmK.width, 1))), W, 12);
  const tlLen = add(mulU(kq, i.lstride()), lit(26, R));
  const ttLen = add(mulU(kq, i.tstride()), lit(26, C));
  const r1Start = m.let(n('r1_start'), add(S(i.ra), Z(select([[isDma, mux(isSt, fld('st', 'loff'), fld('ld', 'loff'))], [isMm, fld('mm', 'loff')], [isDrain, fld('drain', 'doff')]], vDoff))));
  const r1Len = m.let(n('r1_len'), Z(select([
    [isDma, zext(dmaRows, 26)], [isMm, mux(fld('mm', 'tl'), tlLen, zext(mmK, 26))], [isDrain, mux(fld('drain', 't'), lit(26, C), lit(26, R))],
  ], zext(vCount, 26))));
  const rbS = S(i.rb());
  const r2Start = m.let(n('r2_start'), add(rbS, Z(mux(isMm, fld('mm', 'toff'), vSoff))));
  const r2Len = m.let(n('r2_len'), Z(mux(isMm, mux(fld('mm', 'tt'), ttLen, zext(mmK, 26)), zext(vCount, 26))));
  // Main-memory range of ld/st: rows r = 0 and r = rows−1.
  const moff = Z(mux(isSt, fld('st', 'moff'), fld('ld', 'moff')));
  const base = m.let(n('main_base'), add(rbS, moff));
  // rows − 1 is the encoded field itself when the word is at hand (counts are stored as n − 1).
  const rowsM1 = m.let(n('dma_rows_m1'), i.rawRowsM1 ? i.rawRowsM1() : sub(dmaRows, lit(9, 1)));
  const span = m.let(n('main_span'), mulS(rowsM1, i.stride()));
  // rb + moff + span through one carry-save layer: a single adder after the register read and
  // after the product, whichever comes last.
  const a = m.let(n('main_last_a'), rbS), b = m.let(n('main_last_b'), moff), c = m.let(n('main_last_p'), sext(span, SW));
  const xs = m.let(n('main_last_s'), xor(xor(a, b), c));
  const lo = (e: Expr): Expr => slice(e, SW - 2, 0);
  const xc = m.let(n('main_last_c'), or(or(and(lo(a), lo(b)), and(lo(a), lo(c))), and(lo(b), lo(c))));
  const lastBase = m.let(n('main_last'), add(xs, cat(xc, lit(1, 0))));
  return { r1Start, r1Len, r2Start, r2Len, base, lastBase };
}

/**
 * ag_spans (controller.stages 3, 4): the footprint's adders and products, computed in the
 * register-read stage (PRE1; PRE2 when L = 4) into registers, so that ag_operands (the last
 * pre-decode stage) starts from them.
 */
export function spans(ctx: Ctx): Module {
  return ctx.lib.once('ag_spans', () => {
    const m = new ModuleBuilder('ag_spans', ['Row-range starts and lengths and main-memory range ends of the instruction in the register-read stage, registered.']);
    const { fld, is, m1 } = fieldPorts(m);
    const rowsField = (cls: string): Expr => zext(m1(cls, 'rows'), 9);
    const sp = computeSpans(m, ctx, {
      fld, is, ra: m.input('ra', 32), rb: () => m.input('rb', 32),
      stride: () => m.input('cfg_dma_stride', 32), lstride: () => m.input('cfg_lstride', 14), tstride: () => m.input('cfg_tstride', 14),
      rawRowsM1: () => mux(is('st'), rowsField('st'), rowsField('ld')),
    }, 'c_');
    for (const [k, port] of SPAN_PORTS) m.assign(m.output(port, SW), sp[k]);
    return latchOnFresh(m.build(), 'PRE1: compute the spans of the word on ir', 'register');
  });
}

/** A value made on first use (a port declared only if something reads it). */
function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/** Decoder fields, encoded counts (n − 1) and class flags as input ports, each declared on first use. */
function fieldPorts(m: ModuleBuilder): Pick<SpanInputs, 'fld' | 'is'> & { m1: (cls: string, name: string) => Expr } {
  const classes = new Map(instrClasses().map((c) => [c.name, c]));
  const ports = new Map<string, Expr>();
  const port = (name: string, width: number): Expr => {
    let e = ports.get(name);
    if (!e) ports.set(name, (e = m.input(name, width)));
    return e;
  };
  return {
    fld: (cls, name) => {
      const f = classes.get(cls)?.fields.find((x) => x.name === name);
      if (!f) throw new Error(`internal: ISA table has no field ${cls}.${name}`);
      return port(`${cls}_${name}`, fieldWidth(f));
    },
    is: (cls) => {
      if (!classes.has(cls)) throw new Error(`internal: no instruction class ${cls}`);
      return port(`is_${cls}`, 1);
    },
    m1: (cls, name) => {
      const f = classes.get(cls)?.fields.find((x) => x.name === name);
      if (!f || f.kind !== 'count') throw new Error(`internal: ${cls}.${name} is not a count field`);
      return port(countM1Port(cls, name), f.width);
    },
  };
}
