/**
 * Generators for single instructions (and tiny fixed groups) with random but legal operands.
 * Each returns whether it emitted anything: an op that cannot fit (memory too small, loop
 * restrictions, cycle budget) is simply skipped. Every emitted word passes the static checker.
 */
import { CFG_REGS, MEM_CODES, VALU_FNS, type CfgReg, type MemName } from '../isa/table.js';
import { mmOperandRows, type Interval } from './footprint.js';
import { GenContext, REGS, type Addr } from './gen-context.js';

const LOCAL_MEMS: readonly MemName[] = ['sp', 'acc', 'grad'];
/** cfg registers that change footprints: never written inside a loop body (see gen-control.ts). */
export const FOOTPRINT_CFGS: ReadonlySet<CfgReg> = new Set(['DMA_STRIDE', 'LSTRIDE', 'TSTRIDE']);
const TRIES = 12;

/** Emit `cfg name = value` using some register with a known value as the base. */
export function emitCfg(g: GenContext, name: CfgReg, value: number): boolean {
  const bases = [0, ...REGS.addr, ...REGS.scratch].filter((r) => g.b.exactReg(r) !== undefined);
  const rs = g.rng.chance(0.5) ? 0 : g.rng.pick(bases);
  const imm = (value - g.b.exactReg(rs)!) | 0;
  g.cost(1);
  return g.b.tryEmit('cfg', { reg: CFG_REGS.indexOf(name), rs, imm });
}

/** A random legal value for a configuration register. */
export function randomCfgValue(g: GenContext, name: CfgReg): number {
  const r = g.rng;
  switch (name) {
    case 'DMA_STRIDE':
      return r.pick([0, g.W, 4 * g.W, r.int(-4 * g.W, 8 * g.W)]);
    case 'QMUL':
    case 'LR_MUL':
      // Only the low 16 bits matter; large values test that the upper bits are ignored.
      return r.weighted([[r.int(1, 1 << 15), 3], [r.int(-(1 << 15), -1), 1], [r.u32() | 0, 1]] as const);
    case 'QSHIFT':
    case 'LR_SHIFT':
    case 'VSHIFT':
      // Small shifts make rounding ties (dropped bits exactly one half) common enough to test.
      return r.weighted([[r.int(0, 47), 2], [r.int(8, 20), 3], [r.int(1, 4), 2], [r.pick([0, 1, 31, 32, 33, 47]), 1]] as const);
    case 'ROUND':
      return r.int(0, 1);
    case 'SEED':
      return r.u32() | 0;
    case 'CLAMP_LO':
      return r.weighted([[r.int(-128, 0), 3], [r.int(-(1 << 20), 1 << 20), 1]] as const);
    case 'CLAMP_HI':
      return r.weighted([[r.int(0, 127), 3], [r.int(-(1 << 20), 1 << 20), 1]] as const);
    case 'LSTRIDE':
    case 'TSTRIDE':
      return r.pick([0, g.R, g.C, g.W, r.int(1, 2 * g.W)]);
  }
}

/** One cfg of a random register (footprint ones only outside loops). */
export function genCfg(g: GenContext, only?: CfgReg): boolean {
  const names = CFG_REGS.filter((n) => !(g.inLoop() && FOOTPRINT_CFGS.has(n)));
  const name = only ?? g.rng.pick(names);
  if (g.inLoop() && FOOTPRINT_CFGS.has(name)) return false;
  return emitCfg(g, name, randomCfgValue(g, name));
}

/** DMA ld/st between main memory and a local memory. */
export function genDma(g: GenContext, op: 'ld' | 'st', opt: { mem?: MemName; zones?: readonly Interval[]; rows?: number } = {}): boolean {
  const r = g.rng;
  const mem = opt.mem ?? r.pick(LOCAL_MEMS);
  const size = mem === 'sp' ? 1 : 4;
  const elemsMax = Math.min(g.W, Math.floor(g.mainWindow / size));
  const elems = r.chance(0.4) ? elemsMax : r.int(1, elemsMax);
  const len = elems * size;
  const perRow = Math.ceil(len / g.config.dma.bytesPerCycle);
  let rows = opt.rows ?? (r.chance(0.08) ? r.int(1, Math.min(48, g.rows(mem))) : r.int(1, Math.min(8, g.rows(mem))));
  rows = Math.min(rows, g.rows(mem));
  while (rows > 1 && (rows * perRow + 3) * g.costScale > g.budgetLeft()) rows--;
  // The current DMA_STRIDE must keep every row inside the window; else pick a new one (outside loops).
  const fits = (s: number): boolean => Math.abs((rows - 1) * s) + len <= g.mainWindow;
  if (rows > 1 && (!fits(g.b.cfg('DMA_STRIDE')) || (!g.inLoop() && r.chance(0.15)))) {
    if (g.inLoop()) rows = 1;
    else {
      const cands = [len, g.W * size, 0, -len, r.int(-2 * len, 3 * len)].filter(fits);
      if (cands.length === 0 || !emitCfg(g, 'DMA_STRIDE', r.pick(cands))) rows = 1;
    }
  }
  for (let t = 0; t < TRIES; t++) {
    const local = g.pickLocal(mem, rows, opt.zones);
    const main = g.pickMain(rows, len, g.b.cfg('DMA_STRIDE'));
    if (!local || !main) return false;
    const fields = { mem: MEM_CODES[mem], lreg: local.reg, loff: local.off, mreg: main.reg, moff: main.off, rows, elems };
    if (g.b.tryEmit(op, fields)) {
      g.cost(rows * perRow + 3);
      return true;
    }
  }
  return false;
}

export interface MmPlaced {
  readonly left: Interval;
  readonly top: Interval;
  readonly bank: number;
}

/** One matmul; returns the operand row intervals (first iteration) so callers can collide with them. */
export function genMm(
  g: GenContext,
  opt: { bank?: number; acc?: number; k?: number; leftZones?: readonly Interval[]; topZones?: readonly Interval[] } = {},
): MmPlaced | undefined {
  const r = g.rng;
  const W = g.W;
  const spRows = g.rows('sp');
  // Mostly short; now and then a long reduction (hundreds of steps) for the counters and flush.
  let k = opt.k ?? r.weighted([[1, 1], [r.int(1, W), 3], [W, 2], [r.int(W + 1, 3 * W), 3], [4 * W, 1], [r.int(1, 64), 1], [r.int(100, 600), 0.3]] as const);
  k = Math.max(1, Math.min(k, 4096, Math.floor(g.budgetLeft() / g.costScale) - g.F));
  let tl = r.chance(0.35) ? 1 : 0;
  let tt = r.chance(0.35) ? 1 : 0;
  // A transposed operand spans (⌈K/W⌉ − 1)·STRIDE + lanes rows: make sure that fits.
  const fixStride = (name: 'LSTRIDE' | 'TSTRIDE', lanes: number): boolean => {
    const span = mmOperandRows(g.config, k, true, g.b.cfg(name), lanes);
    const change = span > spRows || (!g.inLoop() && r.chance(0.2));
    if (!change) return true;
    if (g.inLoop()) return false;
    const blocks = Math.ceil(k / W) - 1;
    const maxStride = blocks === 0 ? 4 * W : Math.floor((spRows - lanes) / blocks);
    const cands = [0, lanes, W, r.int(0, 2 * W)].filter((s) => s <= maxStride && s <= 16383);
    return cands.length > 0 && emitCfg(g, name, r.pick(cands));
  };
  if (tl && !fixStride('LSTRIDE', g.R)) tl = 0;
  if (tt && !fixStride('TSTRIDE', g.C)) tt = 0;
  const leftRows = mmOperandRows(g.config, k, tl === 1, g.b.cfg('LSTRIDE'), g.R);
  const topRows = mmOperandRows(g.config, k, tt === 1, g.b.cfg('TSTRIDE'), g.C);
  if (leftRows > spRows || topRows > spRows) return undefined;
  const bank = opt.bank ?? r.int(0, 1);
  const acc = opt.acc ?? (r.chance(0.4) ? 1 : 0);
  for (let t = 0; t < TRIES; t++) {
    const l = g.pickLocal('sp', leftRows, opt.leftZones);
    const tp = g.pickLocal('sp', topRows, opt.topZones);
    if (!l || !tp) return undefined;
    if (g.b.tryEmit('mm', { lreg: l.reg, loff: l.off, treg: tp.reg, toff: tp.off, k, bank, acc, tl, tt })) {
      g.cost(k + g.F);
      const ls = g.startOf(l);
      const ts = g.startOf(tp);
      return { left: { lo: ls, hi: ls + leftRows }, top: { lo: ts, hi: ts + topRows }, bank };
    }
  }
  return undefined;
}

/** Drain a PE bank into acc or grad, plain or transposed, overwrite or add. */
export function genDrain(g: GenContext, opt: { bank?: number; mem?: 'acc' | 'grad'; zones?: readonly Interval[] } = {}): Interval | undefined {
  const r = g.rng;
  const mem = opt.mem ?? r.pick(['acc', 'grad'] as const);
  const t = r.chance(0.4) ? 1 : 0;
  const rows = t ? g.C : g.R;
  const bank = opt.bank ?? r.int(0, 1);
  const add = mem === 'grad' ? (r.chance(0.8) ? 1 : 0) : r.int(0, 1);
  for (let i = 0; i < TRIES; i++) {
    const d = g.pickLocal(mem, rows, opt.zones);
    if (!d) return undefined;
    if (g.b.tryEmit('drain', { mem: MEM_CODES[mem], dreg: d.reg, doff: d.off, bank, add, t })) {
      g.cost(rows + 2 + g.F);
      const s = g.startOf(d);
      return { lo: s, hi: s + rows };
    }
  }
  return undefined;
}

function vecCount(g: GenContext, limitRows: number): number {
  let n = g.rng.weighted([[1, 2], [g.rng.int(2, 8), 4], [g.W, 1], [g.rng.int(9, 64), 0.5]] as const);
  const G = g.config.derived.vpuRowCycles;
  n = Math.min(n, limitRows, Math.max(1, Math.floor((Math.floor(g.budgetLeft() / g.costScale) - g.config.vpu.latency) / G)));
  return Math.max(1, n);
}

/** Pick destination and source so that same-memory operands either coincide or are disjoint. */
function pickVecOperands(
  g: GenContext,
  dmem: MemName,
  smem: MemName,
  count: number,
  emitWith: (d: Addr, s: Addr) => boolean,
  zones?: readonly Interval[],
): boolean {
  for (let i = 0; i < TRIES; i++) {
    const d = g.pickLocal(dmem, count, zones);
    if (!d) return false;
    // In place (d == s) is legal and common in training code (relu, clamp on the same rows).
    const s = dmem === smem && g.rng.chance(0.35) ? d : g.pickLocal(smem, count);
    if (!s) return false;
    if (emitWith(d, s)) return true;
  }
  return false;
}

/** One vector-ALU instruction (`fn` random unless given). */
export function genValu(g: GenContext, opt: { fn?: (typeof VALU_FNS)[number]; dmem?: MemName; smem?: MemName; zones?: readonly Interval[] } = {}): boolean {
  const r = g.rng;
  const fn = opt.fn ?? r.pick(VALU_FNS);
  const dmem = opt.dmem ?? r.weighted([['acc', 3], ['sp', 2], ['grad', 2]] as const);
  const smem = opt.smem ?? (r.chance(0.5) ? dmem : r.pick(LOCAL_MEMS));
  const count = vecCount(g, Math.min(g.rows(dmem), g.rows(smem)));
  return pickVecOperands(g, dmem, smem, count, (d, s) => {
    const ok = g.b.tryEmit(`v${fn}`, { dmem: MEM_CODES[dmem], dreg: d.reg, doff: d.off, smem: MEM_CODES[smem], sreg: s.reg, soff: s.off, count });
    if (ok) g.cost(count * g.config.derived.vpuRowCycles + g.config.vpu.latency);
    return ok;
  }, opt.zones);
}

/** Requantize acc/grad rows into sp. */
export function genRq(g: GenContext, opt: { smem?: 'acc' | 'grad'; zones?: readonly Interval[] } = {}): boolean {
  const smem = opt.smem ?? g.rng.weighted([['acc', 3], ['grad', 1]] as const);
  const count = vecCount(g, Math.min(g.rows('sp'), g.rows(smem)));
  const relu = g.rng.int(0, 1);
  for (let i = 0; i < TRIES; i++) {
    const d = g.pickLocal('sp', count);
    const s = g.pickLocal(smem, count, opt.zones);
    if (!d || !s) return false;
    if (g.b.tryEmit('rq', { dreg: d.reg, doff: d.off, smem: MEM_CODES[smem], sreg: s.reg, soff: s.off, relu, count })) {
      g.cost(count * g.config.derived.vpuRowCycles + g.config.vpu.latency);
      return true;
    }
  }
  return false;
}

/** SGD update of sp weights from grad rows. */
export function genSgd(g: GenContext): boolean {
  const count = vecCount(g, Math.min(g.rows('sp'), g.rows('grad')));
  const clear = g.rng.int(0, 1);
  for (let i = 0; i < TRIES; i++) {
    const d = g.pickLocal('sp', count);
    const s = g.pickLocal('grad', count);
    if (!d || !s) return false;
    if (g.b.tryEmit('sgd', { dreg: d.reg, doff: d.off, sreg: s.reg, soff: s.off, clear, count })) {
      g.cost(count * g.config.derived.vpuRowCycles + g.config.vpu.latency);
      return true;
    }
  }
  return false;
}

export function genFence(g: GenContext, mask?: number): boolean {
  g.cost(1);
  return g.b.tryEmit('fence', { mask: mask ?? g.rng.int(0, 15) });
}

/** A scalar op: rewrite an address register (outside loops) or compute into scratch. */
export function genScalar(g: GenContext): boolean {
  const r = g.rng;
  g.cost(1);
  const kind = r.weighted([['nop', 1], ['addi', 4], ['add', 2], ['sub', 2]] as const);
  if (kind === 'nop') return g.b.tryEmit('nop', {});
  const targets: readonly number[] = g.inLoop() ? REGS.scratch : [...REGS.addr, ...REGS.scratch];
  const rd = r.pick(targets);
  const srcs = Array.from({ length: 16 }, (_, i) => i);
  if (kind === 'addi') {
    if (REGS.addr.includes(rd as never) && !g.inLoop()) {
      // A new base: small values near the memories, sometimes negative (offsets bring them back).
      const maxRows = Math.max(g.rows('sp'), g.rows('acc'), g.rows('grad'));
      const v = r.weighted([[r.int(0, maxRows - 1), 3], [r.int(-2 * g.W, -1), 1], [r.int(0, 4 * g.W), 2], [g.mainBase + r.int(0, g.mainWindow - 1), 2]] as const);
      const rs = r.chance(0.7) ? 0 : r.pick(REGS.addr);
      const base = g.b.exactReg(rs);
      if (base === undefined) return g.b.tryEmit('addi', { rd, rs: 0, imm: v });
      return g.b.tryEmit('addi', { rd, rs, imm: (v - base) | 0 });
    }
    return g.b.tryEmit('addi', { rd, rs: r.pick(srcs), imm: r.weighted([[r.int(-100, 100), 3], [r.u32() | 0, 1]] as const) });
  }
  // add/sub into an address register only outside loops (the result is then still known).
  return g.b.tryEmit(kind, { rd, rs: r.pick(srcs), rt: r.pick(srcs) });
}
