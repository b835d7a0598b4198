import type { ChipConfig } from '../../config/index.js';
import { LOCK_REGIONS, resBank, resWritePort, resReadPort } from '../../config/index.js';
import { MEM_CODES, type CfgReg } from '../../isa/table.js';

/**
 * The training compiler's instruction records: an instruction (mnemonic + natural field values) with
 * what the scheduler needs to move it safely — the exact local-memory rows and PE banks it reads and
 * writes (for dependencies), its lock regions and duration (for the timing model of
 * docs/microarch.md §3–4) and the configuration registers it needs set when it issues.
 */

export type Unit = 'ctrl' | 'dma' | 'mxu' | 'drn' | 'vpu';

/**
 * Address spaces of footprints. `spc`/`spn` are the current/next batch buffers of the scratchpad,
 * addressed through base registers that swap every step, so they never alias each other.
 */
export type Space = 'sp' | 'spc' | 'spn' | 'acc' | 'grad' | 'bank';

export interface Span {
  readonly space: Space;
  readonly lo: number;
  readonly hi: number;
  readonly write: boolean;
}

export interface Op {
  readonly unit: Unit;
  readonly mnemonic: string;
  readonly fields: Readonly<Record<string, number>>;
  /** Configuration registers this instruction latches at issue. */
  readonly cfg: Readonly<Partial<Record<CfgReg, number>>>;
  readonly spans: readonly Span[];
  /** Unit busy duration D (0 for controller instructions). */
  readonly dur: number;
  /** mm: reduction steps; the bank stays busy K + flush cycles. */
  readonly k?: number;
  readonly bank?: number;
  /** Branch target label (resolved when the program is assembled). */
  readonly target?: string;
}

/** Scalar registers with a fixed role in training programs. */
export const REG = {
  zero: 0,
  /** Scratchpad row of the current batch buffer. */
  cur: 1,
  /** Scratchpad row of the next batch buffer (being loaded). */
  next: 2,
  /** Main byte address of the next batch's inputs. */
  xMain: 3,
  /** Main byte address of the next batch's targets. */
  tMain: 4,
  /** Main byte address where this step's logits are logged. */
  zMain: 5,
  step: 6,
  steps: 7,
  tmp: 8,
  /** Base register for large main addresses (weights). */
  mainBase: 9,
} as const;

/** A tensor location: an address space plus a row; the space fixes the base register. */
export interface Loc {
  readonly space: Exclude<Space, 'bank'>;
  readonly row: number;
}

const memOf = (s: Loc['space']): 'sp' | 'acc' | 'grad' => (s === 'acc' ? 'acc' : s === 'grad' ? 'grad' : 'sp');
const regOf = (s: Loc['space']): number => (s === 'spc' ? REG.cur : s === 'spn' ? REG.next : REG.zero);

const span = (l: Loc, rows: number, write: boolean): Span => ({ space: l.space, lo: l.row, hi: l.row + rows, write });

export const at = (space: Loc['space'], row: number): Loc => ({ space, row });
export const offset = (l: Loc, rows: number): Loc => ({ space: l.space, row: l.row + rows });

export class OpFactory {
  readonly R: number;
  readonly C: number;
  readonly W: number;

  constructor(readonly config: ChipConfig) {
    this.R = config.array.rows;
    this.C = config.array.cols;
    this.W = config.derived.W;
  }

  /** Rows the left/top operand of an mm touches (docs/microarch.md §5). */
  operandRows(k: number, transposed: boolean, stride: number, lanes: number): number {
    return transposed ? (Math.ceil(k / this.W) - 1) * stride + lanes : k;
  }

  mm(left: Loc, top: Loc, k: number, o: { bank: number; acc: boolean; tl: boolean; tt: boolean; lstride?: number; tstride?: number }): Op {
    const cfg: Partial<Record<CfgReg, number>> = {};
    // Strides matter only when the transposed operand spans more than one W-lane block.
    if (o.tl && k > this.W) cfg.LSTRIDE = o.lstride ?? 0;
    if (o.tt && k > this.W) cfg.TSTRIDE = o.tstride ?? 0;
    const lr = this.operandRows(k, o.tl, o.lstride ?? 0, this.R);
    const tr = this.operandRows(k, o.tt, o.tstride ?? 0, this.C);
    return {
      unit: 'mxu', mnemonic: 'mm',
      fields: {
        lreg: regOf(left.space), loff: left.row, treg: regOf(top.space), toff: top.row, k,
        bank: o.bank, acc: o.acc ? 1 : 0, tl: o.tl ? 1 : 0, tt: o.tt ? 1 : 0,
      },
      cfg, k, bank: o.bank, dur: k,
      spans: [span(left, lr, false), span(top, tr, false), { space: 'bank', lo: o.bank, hi: o.bank + 1, write: true }],
    };
  }

  drain(dst: Loc, o: { bank: number; add: boolean; t: boolean }): Op {
    const rows = o.t ? this.C : this.R;
    const spans: Span[] = [{ space: 'bank', lo: o.bank, hi: o.bank + 1, write: false }, span(dst, rows, true)];
    if (o.add) spans.push(span(dst, rows, false));
    return {
      unit: 'drn', mnemonic: 'drain',
      fields: { mem: MEM_CODES[memOf(dst.space)], dreg: regOf(dst.space), doff: dst.row, bank: o.bank, add: o.add ? 1 : 0, t: o.t ? 1 : 0 },
      cfg: {}, bank: o.bank, dur: rows + 2, spans,
    };
  }

  /** Vector ALU op `v<fn>` over `count` rows: d = f(d, s). */
  valu(fn: string, dst: Loc, src: Loc, count: number, cfg: Partial<Record<CfgReg, number>> = {}): Op {
    return {
      unit: 'vpu', mnemonic: `v${fn}`,
      fields: {
        dmem: MEM_CODES[memOf(dst.space)], dreg: regOf(dst.space), doff: dst.row,
        smem: MEM_CODES[memOf(src.space)], sreg: regOf(src.space), soff: src.row, count,
      },
      cfg, dur: count * this.config.derived.vpuRowCycles + this.config.vpu.latency,
      spans: [span(src, count, false), span(dst, count, false), span(dst, count, true)],
    };
  }

  rq(dst: Loc, src: Loc, count: number, relu: boolean, cfg: Partial<Record<CfgReg, number>>): Op {
    return {
      unit: 'vpu', mnemonic: 'rq',
      fields: { dreg: regOf(dst.space), doff: dst.row, smem: MEM_CODES[memOf(src.space)], sreg: regOf(src.space), soff: src.row, relu: relu ? 1 : 0, count },
      cfg, dur: count * this.config.derived.vpuRowCycles + this.config.vpu.latency,
      spans: [span(src, count, false), span(dst, count, true)],
    };
  }

  sgd(w: Loc, g: Loc, count: number, cfg: Partial<Record<CfgReg, number>>): Op {
    return {
      unit: 'vpu', mnemonic: 'sgd',
      fields: { dreg: regOf(w.space), doff: w.row, sreg: regOf(g.space), soff: g.row, clear: 0, count },
      cfg, dur: count * this.config.derived.vpuRowCycles + this.config.vpu.latency,
      spans: [span(g, count, false), span(w, count, false), span(w, count, true)],
    };
  }

  private dmaDur(local: Loc, rows: number, elems: number): number {
    const size = memOf(local.space) === 'sp' ? 1 : 4;
    return rows * Math.ceil((elems * size) / this.config.dma.bytesPerCycle) + 3;
  }

  /** DMA main (register + offset) → local rows; `stride` bytes between rows. */
  ld(local: Loc, mreg: number, moff: number, rows: number, elems: number, stride: number): Op {
    return {
      unit: 'dma', mnemonic: 'ld',
      fields: { mem: MEM_CODES[memOf(local.space)], lreg: regOf(local.space), loff: local.row, mreg, moff, rows, elems },
      cfg: rows > 1 ? { DMA_STRIDE: stride } : {}, dur: this.dmaDur(local, rows, elems),
      spans: [span(local, rows, true)],
    };
  }

  st(mreg: number, moff: number, local: Loc, rows: number, elems: number, stride: number): Op {
    return {
      unit: 'dma', mnemonic: 'st',
      fields: { mem: MEM_CODES[memOf(local.space)], lreg: regOf(local.space), loff: local.row, mreg, moff, rows, elems },
      cfg: rows > 1 ? { DMA_STRIDE: stride } : {}, dur: this.dmaDur(local, rows, elems),
      spans: [span(local, rows, false)],
    };
  }

  scalar(mnemonic: string, fields: Readonly<Record<string, number>>, target?: string): Op {
    return { unit: 'ctrl', mnemonic, fields, cfg: {}, dur: 0, spans: [], ...(target ? { target } : {}) };
  }
}

/** Do two ops touch the same rows (or bank) with at least one writing? Then their order is fixed. */
export function dependent(a: Op, b: Op): boolean {
  for (const x of a.spans) {
    for (const y of b.spans) {
      if (x.space !== y.space || !(x.write || y.write)) continue;
      if (x.lo < y.hi && y.lo < x.hi) return true;
    }
  }
  return false;
}

/**
 * Memory ports an op holds (docs/microarch.md §4): the write port of every memory it writes, and
 * the general read port of the memory a DMA store or a vector op reads its source from.
 */
function portSet(op: Op): number {
  let bits = 0;
  for (const s of op.spans) if (s.write && s.space !== 'bank') bits |= resWritePort(MEM_CODES[memOf(s.space)]);
  const src = op.spans[0];
  if ((op.mnemonic === 'st' || op.unit === 'vpu') && src && src.space !== 'bank') bits |= resReadPort(MEM_CODES[memOf(src.space)]);
  return bits;
}

/** Lock-region bit sets (docs/microarch.md §4) of an op, with the batch buffers at given rows. */
export function regionSets(cfg: ChipConfig, op: Op, cur: number, next: number): { reads: number; writes: number } {
  let reads = 0;
  let writes = 0;
  const memRows = { sp: cfg.memory.spRows, acc: cfg.memory.accRows, grad: cfg.memory.gradRows };
  for (const s of op.spans) {
    let bits = 0;
    if (s.space === 'bank') {
      bits = resBank(s.lo);
    } else {
      const mem = memOf(s.space);
      const base = s.space === 'spc' ? cur : s.space === 'spn' ? next : 0;
      const q = memRows[mem] / LOCK_REGIONS;
      const r0 = Math.floor((s.lo + base) / q);
      const r1 = Math.floor((s.hi - 1 + base) / q);
      for (let r = r0; r <= r1 && r < LOCK_REGIONS; r++) bits |= 1 << (4 * MEM_CODES[mem] + r);
    }
    if (s.write) writes |= bits;
    else reads |= bits;
  }
  return { reads, writes: writes | portSet(op) };
}
