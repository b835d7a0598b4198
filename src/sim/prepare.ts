/**
 * What the controller works out once, in the first cycle an instruction is in decode
 * (docs/microarch.md §4–§6): its resolved addresses, its fault (in the contract's order), its
 * read/write resource sets and its unit duration. None of these can change while it waits in
 * decode (only the instruction itself could change registers), so stalls re-use the result.
 */
import type { ChipConfig } from '../config/index.js';
import { LOCK_REGIONS, resBank, resReadPort, resWritePort } from '../config/index.js';
import { CFG_REGS, ERROR_CODES, type CfgReg } from '../isa/table.js';
import { Op, type SimInstr } from './predecode.js';

/** Index of a configuration register in the cfg register file (the table's code). */
export function cfgIndex(name: CfgReg): number {
  return CFG_REGS.indexOf(name);
}
export const CFG_DMA_STRIDE = cfgIndex('DMA_STRIDE');
export const CFG_QMUL = cfgIndex('QMUL');
export const CFG_QSHIFT = cfgIndex('QSHIFT');
export const CFG_LR_MUL = cfgIndex('LR_MUL');
export const CFG_LR_SHIFT = cfgIndex('LR_SHIFT');
export const CFG_ROUND = cfgIndex('ROUND');
export const CFG_SEED = cfgIndex('SEED');
export const CFG_VSHIFT = cfgIndex('VSHIFT');
export const CFG_CLAMP_LO = cfgIndex('CLAMP_LO');
export const CFG_CLAMP_HI = cfgIndex('CLAMP_HI');
export const CFG_LSTRIDE = cfgIndex('LSTRIDE');
export const CFG_TSTRIDE = cfgIndex('TSTRIDE');

/** Legal value ranges of cfg registers (others take any 32-bit value). */
const CFG_LIMITS: ReadonlyMap<number, readonly [number, number]> = new Map<number, readonly [number, number]>([
  [CFG_QSHIFT, [0, 47]],
  [CFG_LR_SHIFT, [0, 47]],
  [CFG_VSHIFT, [0, 47]],
  [CFG_ROUND, [0, 1]],
  [CFG_LSTRIDE, [0, 16383]],
  [CFG_TSTRIDE, [0, 16383]],
]);


/** The mutable result of preparing one instruction (one object, re-used: no allocation per instruction). */
export interface Prepared {
  /** Error code (0 = none). */
  fault: number;
  /** Resource sets (bit masks). */
  reads: number;
  writes: number;
  /** Unit busy duration D in cycles. */
  duration: number;
  /** First local row: ld/st local row, mm left row, drain, v*, rq and sgd destination row. */
  row0: number;
  /** Second local row: mm top row; v*, rq and sgd source row. */
  row1: number;
  /** ld/st: main byte address of row 0 and the byte stride between rows. */
  mainBase: number;
  stride: number;
  /** cfg: the value to write. */
  value: number;
}

export function newPrepared(): Prepared {
  return { fault: 0, reads: 0, writes: 0, duration: 0, row0: 0, row1: 0, mainBase: 0, stride: 0, value: 0 };
}

/** Static geometry the preparation needs, derived once from the config. */
export interface Geometry {
  readonly R: number;
  readonly C: number;
  readonly W: number;
  readonly B: number;
  /** Cycles the vector unit spends per row (⌈W / vpu lanes⌉). */
  readonly vpuRowCycles: number;
  readonly vpuLatency: number;
  readonly mainBytes: number;
  /** Rows per memory code. */
  readonly memRows: readonly [number, number, number];
  /** Rows per lock region per memory code. */
  readonly regionRows: readonly [number, number, number];
}

export function geometryOf(cfg: ChipConfig): Geometry {
  const m = cfg.memory;
  const memRows = [m.spRows, m.accRows, m.gradRows] as const;
  return {
    R: cfg.array.rows,
    C: cfg.array.cols,
    W: cfg.derived.W,
    B: cfg.dma.bytesPerCycle,
    vpuRowCycles: cfg.derived.vpuRowCycles,
    vpuLatency: cfg.vpu.latency,
    mainBytes: m.mainBytes,
    memRows,
    regionRows: [memRows[0] / LOCK_REGIONS, memRows[1] / LOCK_REGIONS, memRows[2] / LOCK_REGIONS],
  };
}

/** Resource mask of the rows [lo, lo + n) of memory `mem` (the range must be legal). */
function regions(g: Geometry, mem: number, lo: number, n: number): number {
  const q = g.regionRows[mem]!;
  const r0 = Math.floor(lo / q);
  const r1 = Math.floor((lo + n - 1) / q);
  return ((1 << (r1 + 1)) - (1 << r0)) << (LOCK_REGIONS * mem);
}

function inLocal(g: Geometry, mem: number, lo: number, n: number): boolean {
  return lo >= 0 && lo + n <= g.memRows[mem]!;
}

const E = ERROR_CODES;

/**
 * Prepare `ins` against the current registers. Address arithmetic is exact (register values are
 * signed 32-bit, sums are not wrapped), as docs/microarch.md §5 specifies.
 */
export function prepare(ins: SimInstr, regs: Int32Array, cfgRegs: Int32Array, g: Geometry, out: Prepared): void {
  const f = ins.f;
  out.fault = 0;
  out.reads = 0;
  out.writes = 0;
  out.duration = 0;
  switch (ins.op) {
    case Op.ILLEGAL:
      out.fault = E.ILLEGAL_INSTRUCTION;
      return;
    case Op.CFG: {
      const v = (regs[f.rs!]! + f.imm!) | 0;
      out.value = v;
      const lim = CFG_LIMITS.get(f.reg!);
      if (lim && (v < lim[0] || v > lim[1])) out.fault = E.BAD_OPERAND;
      return;
    }
    case Op.LD:
    case Op.ST: {
      const mem = f.mem!;
      const rows = f.rows!;
      const elems = f.elems!;
      if (elems > g.W) { out.fault = E.ILLEGAL_INSTRUCTION; return; }
      const row = regs[f.lreg!]! + f.loff!;
      if (!inLocal(g, mem, row, rows)) { out.fault = E.LOCAL_RANGE; return; }
      const size = mem === 0 ? 1 : 4;
      const base = regs[f.mreg!]! + f.moff!;
      const stride = cfgRegs[CFG_DMA_STRIDE]!;
      const last = base + (rows - 1) * stride;
      const bytes = elems * size;
      if (base < 0 || base + bytes > g.mainBytes || last < 0 || last + bytes > g.mainBytes) {
        out.fault = E.MAIN_RANGE;
        return;
      }
      out.row0 = row;
      out.mainBase = base;
      out.stride = stride;
      const set = regions(g, mem, row, rows);
      if (ins.op === Op.LD) out.writes = set | resWritePort(mem);
      else {
        out.reads = set;
        out.writes = resReadPort(mem);
      }
      out.duration = rows * Math.ceil(bytes / g.B) + 3;
      return;
    }
    case Op.MM: {
      const k = f.k!;
      const blocks = Math.ceil(k / g.W);
      const l = regs[f.lreg!]! + f.loff!;
      const t = regs[f.treg!]! + f.toff!;
      const ln = f.tl ? (blocks - 1) * cfgRegs[CFG_LSTRIDE]! + g.R : k;
      const tn = f.tt ? (blocks - 1) * cfgRegs[CFG_TSTRIDE]! + g.C : k;
      if (!inLocal(g, 0, l, ln) || !inLocal(g, 0, t, tn)) { out.fault = E.LOCAL_RANGE; return; }
      out.row0 = l;
      out.row1 = t;
      out.reads = regions(g, 0, l, ln) | regions(g, 0, t, tn);
      out.writes = resBank(f.bank!);
      out.duration = k;
      return;
    }
    case Op.DRAIN: {
      const mem = f.mem!;
      const n = f.t ? g.C : g.R;
      const d = regs[f.dreg!]! + f.doff!;
      if (!inLocal(g, mem, d, n)) { out.fault = E.LOCAL_RANGE; return; }
      out.row0 = d;
      out.reads = resBank(f.bank!);
      out.writes = regions(g, mem, d, n) | resWritePort(mem);
      out.duration = n + 2;
      return;
    }
    case Op.VALU:
    case Op.RQ:
    case Op.SGD: {
      const n = f.count!;
      // rq writes sp and reads acc/grad (smem); sgd writes sp and reads grad.
      const dmem = ins.op === Op.VALU ? f.dmem! : 0;
      const smem = ins.op === Op.SGD ? 2 : f.smem!;
      const d = regs[f.dreg!]! + f.doff!;
      const s = regs[f.sreg!]! + f.soff!;
      if (!inLocal(g, dmem, d, n) || !inLocal(g, smem, s, n)) { out.fault = E.LOCAL_RANGE; return; }
      if (ins.op === Op.VALU && dmem === smem && d !== s && Math.abs(d - s) < n) { out.fault = E.BAD_OPERAND; return; }
      out.row0 = d;
      out.row1 = s;
      const dset = regions(g, dmem, d, n);
      const sset = regions(g, smem, s, n);
      // Ports: the destination's write port, the source's general read port (sgd with clear also
      // writes its gradient rows). The destination's read-modify-write port needs no bit: only a
      // holder of the same memory's write port uses it.
      const ports = resWritePort(dmem) | resReadPort(smem);
      if (ins.op === Op.RQ) {
        out.reads = sset;
        out.writes = dset | ports;
      } else {
        out.reads = sset | dset;
        out.writes = ins.op === Op.SGD && f.clear ? dset | sset | ports | resWritePort(smem) : dset | ports;
      }
      out.duration = n * g.vpuRowCycles + g.vpuLatency;
      return;
    }
    default:
      return;
  }
}
