/**
 * The generator's static checker: given what the generator knows about the registers (an interval
 * per register, exact outside loops) and the configuration registers, which fault — if any — would
 * an instruction raise (docs/microarch.md §5–6)? The generator runs every instruction it emits
 * through this, so a "legal" program that would fault is a generator bug caught at generation
 * time, and a faulty program is known to raise exactly the intended error.
 *
 * This is deliberately written from the contract text, not from src/sim, so it is a third opinion.
 */
import type { ChipConfig } from '../config/index.js';
import { CFG_REGS, ERROR_CODES, MEM_NAMES, type CfgReg, type MemName } from '../isa/table.js';
import { decode, type Instr } from '../isa/encoding.js';

/** Closed interval of values a register may hold at an instruction (exact when lo === hi). */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export const exact = (v: number): Interval => ({ lo: v, hi: v });

/** What the checker needs to know about the machine state at an instruction. */
export interface StaticState {
  /** Register interval, or undefined when the generator does not know the value. r0 must be 0. */
  reg(i: number): Interval | undefined;
  /** Current configuration-register values (exact: the generator never sets them in a loop-varying way). */
  cfg(name: CfgReg): number;
}

/** Rows [lo, hi) of a local memory an instruction may touch (over every value of its registers). */
export interface Touched {
  readonly mem: MemName;
  readonly lo: number;
  readonly hi: number;
}

export type Verdict =
  | { readonly error: 0; readonly touched: readonly Touched[] }
  | { readonly error: number; readonly reason: string }
  /** A register the address depends on is unknown: the generator must not emit this as legal. */
  | { readonly error: -1; readonly reason: string };

/** Rows of a local memory. */
export function memRows(config: ChipConfig, mem: MemName): number {
  const m = config.memory;
  return mem === 'sp' ? m.spRows : mem === 'acc' ? m.accRows : m.gradRows;
}

/** Allowed range of a configuration register value, or undefined when any value is legal. */
export function cfgRange(name: CfgReg): Interval | undefined {
  switch (name) {
    case 'QSHIFT':
    case 'LR_SHIFT':
    case 'VSHIFT':
      return { lo: 0, hi: 47 };
    case 'ROUND':
      return { lo: 0, hi: 1 };
    case 'LSTRIDE':
    case 'TSTRIDE':
      return { lo: 0, hi: 16383 };
    default:
      return undefined;
  }
}

/**
 * One access: register interval plus offset, accessing [start + relLo, start + relHi) for every
 * start in the interval. Returns whether the whole hull lies in [0, limit).
 */
function inRange(base: Interval, off: number, relLo: number, relHi: number, limit: number): boolean {
  return base.lo + off + relLo >= 0 && base.hi + off + relHi <= limit;
}

/** Span (relative to the first row) of an mm operand, docs/microarch.md §5. */
export function mmOperandRows(config: ChipConfig, k: number, transposed: boolean, stride: number, lanes: number): number {
  if (!transposed) return k;
  return (Math.ceil(k / config.derived.W) - 1) * stride + lanes;
}

/** Decode and check one word. */
export function checkWord(config: ChipConfig, word: bigint, st: StaticState): Verdict {
  const d = decode(word);
  if (!d.ok) return { error: ERROR_CODES.ILLEGAL_INSTRUCTION, reason: d.reason };
  return checkInstr(config, d.instr, st);
}

/** Check a decoded instruction against §6, in the contract's order. */
export function checkInstr(config: ChipConfig, ins: Instr, st: StaticState): Verdict {
  const W = config.derived.W;
  const R = config.array.rows;
  const C = config.array.cols;
  const f = ins.f;
  const m = ins.spec.mnemonic;
  const v = (name: string): number => f[name] ?? 0;
  const unknown: string[] = [];
  const reg = (name: string): Interval => {
    const r = st.reg(v(name));
    if (r === undefined) {
      unknown.push(`r${v(name)}`);
      return exact(0);
    }
    return r;
  };
  const localChecks: Array<[MemName, Interval, number, number]> = []; // mem, base, off, rows

  // 1. ILLEGAL_INSTRUCTION beyond what decode() already rejects.
  if ((m === 'ld' || m === 'st') && v('elems') > W) {
    return { error: ERROR_CODES.ILLEGAL_INSTRUCTION, reason: `elems ${v('elems')} > W = ${W}` };
  }

  // 2./3. address ranges.
  let main: { base: Interval; off: number; lo: number; hi: number } | undefined;
  let badOperand: string | undefined;
  switch (m) {
    case 'ld':
    case 'st': {
      const mem = MEM_NAMES[v('mem')]!;
      localChecks.push([mem, reg('lreg'), v('loff'), v('rows')]);
      const size = mem === 'sp' ? 1 : 4;
      const len = v('elems') * size;
      const last = (v('rows') - 1) * st.cfg('DMA_STRIDE');
      main = { base: reg('mreg'), off: v('moff'), lo: Math.min(0, last), hi: Math.max(0, last) + len };
      break;
    }
    case 'mm': {
      const k = v('k');
      localChecks.push(['sp', reg('lreg'), v('loff'), mmOperandRows(config, k, v('tl') === 1, st.cfg('LSTRIDE'), R)]);
      localChecks.push(['sp', reg('treg'), v('toff'), mmOperandRows(config, k, v('tt') === 1, st.cfg('TSTRIDE'), C)]);
      break;
    }
    case 'drain':
      localChecks.push([MEM_NAMES[v('mem')]!, reg('dreg'), v('doff'), v('t') === 1 ? C : R]);
      break;
    case 'rq':
    case 'sgd': {
      localChecks.push(['sp', reg('dreg'), v('doff'), v('count')]);
      const smem: MemName = m === 'sgd' ? 'grad' : MEM_NAMES[v('smem')]!;
      localChecks.push([smem, reg('sreg'), v('soff'), v('count')]);
      break;
    }
    case 'cfg': {
      const name = CFG_REGS[v('reg')]!;
      const r = reg('rs');
      const range = cfgRange(name);
      if (range && r.lo !== r.hi) unknown.push(`r${v('rs')} (loop-varying cfg value)`);
      const value = (r.lo + v('imm')) | 0;
      if (range && (value < range.lo || value > range.hi)) badOperand = `cfg ${name} = ${value} outside ${range.lo}..${range.hi}`;
      break;
    }
    default:
      if (m.startsWith('v')) {
        const dmem = MEM_NAMES[v('dmem')]!;
        const smem = MEM_NAMES[v('smem')]!;
        const d = reg('dreg');
        const s = reg('sreg');
        localChecks.push([dmem, d, v('doff'), v('count')]);
        localChecks.push([smem, s, v('soff'), v('count')]);
        if (dmem === smem) {
          // Same memory: legal only if the operands start at the same row or do not overlap.
          const n = v('count');
          const ds = [d.lo + v('doff'), d.hi + v('doff')];
          const ss = [s.lo + v('soff'), s.hi + v('soff')];
          const same = ds[0] === ss[0] && ds[1] === ss[1] && v('dreg') === v('sreg');
          const sameExact = d.lo === d.hi && s.lo === s.hi && ds[0] === ss[0];
          const disjoint = ds[1]! + n <= ss[0]! || ss[1]! + n <= ds[0]!;
          if (!(same || sameExact || disjoint)) {
            if (d.lo === d.hi && s.lo === s.hi) badOperand = `v* operands overlap: ${dmem}[${ds[0]}..+${n}) and [${ss[0]}..+${n})`;
            else unknown.push('loop-varying overlap of vector operands');
          }
        }
      }
  }
  if (unknown.length > 0) return { error: -1, reason: `depends on unknown ${unknown.join(', ')}` };
  for (const [mem, base, off, rows] of localChecks) {
    if (!inRange(base, off, 0, rows, memRows(config, mem))) {
      return { error: ERROR_CODES.LOCAL_RANGE, reason: `${mem} rows [${base.lo + off}, ${base.hi + off + rows}) outside [0, ${memRows(config, mem)})` };
    }
  }
  if (main && !inRange(main.base, main.off, main.lo, main.hi, config.memory.mainBytes)) {
    return { error: ERROR_CODES.MAIN_RANGE, reason: `main bytes [${main.base.lo + main.off + main.lo}, ${main.base.hi + main.off + main.hi}) outside [0, ${config.memory.mainBytes})` };
  }
  if (badOperand) return { error: ERROR_CODES.BAD_OPERAND, reason: badOperand };
  return { error: 0, touched: localChecks.map(([mem, base, off, rows]) => ({ mem, lo: base.lo + off, hi: base.hi + off + rows })) };
}
