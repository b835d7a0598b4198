/**
 * Faulty endings: after a legal prefix, exactly one instruction that faults (docs/microarch.md §6),
 * followed by a `halt` that must never issue. Each ending is confirmed against the static checker
 * (or decode(), for illegal words) so the expected error code is certain.
 */
import { ERROR_CODES, ISA, ISA_BY_MNEMONIC, MEM_CODES, OPCODE_LSB, OPCODE_WIDTH, CFG_REGS, VALU_FNS, type FieldSpec, type InstrSpec, type MemName } from '../isa/table.js';
import { decode, encode } from '../isa/encoding.js';
import { GeneratorBug } from './builder.js';
import { checkWord } from './footprint.js';
import { GenContext, LOCAL_OFF_MAX, MAIN_OFF_MAX, REGS } from './gen-context.js';
import { emitCfg } from './gen-ops.js';

import type { FaultKind } from './fault-kinds.js';
export { FAULT_KINDS, type FaultKind } from './fault-kinds.js';

export interface FaultOutcome {
  readonly kind: FaultKind;
  /** Error code the chip must stop with. */
  readonly error: number;
  /**
   * PC the chip reports after halting: the faulting instruction, or for PC_RANGE the out-of-range
   * PC itself (docs/microarch.md §6).
   */
  readonly pc?: number;
  readonly detail: string;
  /** pc-falloff: number of words to place at the very end of imem. */
  readonly tail?: number;
}

const USED_OPCODES = new Set(ISA.map((s) => s.opcode));
const ALL_FIELD_BITS = (1n << BigInt(OPCODE_LSB)) - 1n;

function fieldMask(fs: FieldSpec): bigint {
  return ((1n << BigInt(fs.width)) - 1n) << BigInt(fs.lsb);
}

/** Bits below the opcode that no field of `spec` covers (reserved, must be zero). */
export function reservedMask(spec: InstrSpec): bigint {
  let m = ALL_FIELD_BITS;
  for (const fs of spec.fields) m &= ~fieldMask(fs);
  return m;
}

/** Replace the raw bits of one field. */
function withRaw(word: bigint, spec: InstrSpec, field: string, raw: number): bigint {
  const fs = spec.fields.find((x) => x.name === field);
  if (!fs) throw new GeneratorBug(`${spec.mnemonic} has no field ${field}`);
  return (word & ~fieldMask(fs)) | (BigInt(raw) << BigInt(fs.lsb));
}

/** Zero fields except mem selectors, which get their first allowed memory: legal on every config. */
function safeFields(spec: InstrSpec): Record<string, number> {
  const f: Record<string, number> = {};
  for (const fs of spec.fields) if (fs.kind === 'mem') f[fs.name] = MEM_CODES[fs.mems![0]!];
  return f;
}

function spec(m: string): InstrSpec {
  const s = ISA_BY_MNEMONIC.get(m);
  if (!s) throw new GeneratorBug(`no mnemonic ${m}`);
  return s;
}

/** Emit the faulting ending. Returns what the chip must report. */
export function genFault(g: GenContext, kind: FaultKind): FaultOutcome {
  const b = g.b;
  const r = g.rng;
  const cfg = g.config;
  const illegal = (word: bigint, detail: string): FaultOutcome => {
    const d = decode(word);
    if (d.ok) throw new GeneratorBug(`${kind}: word ${word.toString(16)} decodes as ${d.instr.spec.mnemonic}`);
    return { kind, error: ERROR_CODES.ILLEGAL_INSTRUCTION, pc: b.emitRaw(word), detail: `${detail} (${d.reason})` };
  };
  /** Emit a decodable word the checker says faults with `expect`. */
  const faulting = (mnemonic: string, fields: Record<string, number>, expect: number, detail: string): FaultOutcome | undefined => {
    let word: bigint;
    try {
      word = encode(spec(mnemonic), fields);
    } catch {
      return undefined; // a field does not fit: the caller tries another shape
    }
    const v = checkWord(cfg, word, b);
    if (v.error !== expect) return undefined;
    return { kind, error: expect, pc: b.emitRaw(word), detail: `${detail}: ${'reason' in v ? v.reason : ''}` };
  };
  /** Put a value into a free address register (a legal addi) and return the register. */
  const regWith = (value: number): number => {
    const rd = r.pick(REGS.addr);
    b.emit('addi', { rd, rs: 0, imm: value | 0 });
    return rd;
  };

  switch (kind) {
    case 'illegal-opcode': {
      const free = Array.from({ length: 1 << OPCODE_WIDTH }, (_, i) => i).filter((o) => !USED_OPCODES.has(o));
      const op = r.pick(free);
      const rest = r.chance(0.5) ? 0n : ((BigInt(r.u32()) << 32n) | BigInt(r.u32())) & ALL_FIELD_BITS;
      return illegal((BigInt(op) << BigInt(OPCODE_LSB)) | rest, `unknown opcode ${op}`);
    }
    case 'reserved-bits': {
      const cands = ISA.filter((s) => reservedMask(s) !== 0n);
      const s = r.pick(cands);
      const mask = reservedMask(s);
      const bits: number[] = [];
      for (let i = 0; i < OPCODE_LSB; i++) if ((mask >> BigInt(i)) & 1n) bits.push(i);
      let word = encode(s, safeFields(s));
      const n = r.int(1, Math.min(3, bits.length));
      for (let i = 0; i < n; i++) word |= 1n << BigInt(r.pick(bits));
      return illegal(word, `${s.mnemonic} with reserved bits set`);
    }
    case 'bad-enum': {
      if (r.chance(0.5)) {
        const s = spec('cfg');
        const code = r.int(CFG_REGS.length, 63);
        return illegal(withRaw(encode(s, safeFields(s)), s, 'reg', code), `cfg register code ${code}`);
      }
      const s = spec('vadd');
      const code = r.int(VALU_FNS.length, 15);
      return illegal(withRaw(encode(s, safeFields(s)), s, 'fn', code), `vector fn code ${code}`);
    }
    case 'bad-mem': {
      const choice = r.pick(['ld', 'st', 'drain', 'vmov', 'rq'] as const);
      const s = spec(choice === 'vmov' ? r.pick(VALU_FNS.map((f) => `v${f}`)) : choice);
      const field = choice === 'vmov' ? r.pick(['dmem', 'smem']) : choice === 'rq' ? 'smem' : 'mem';
      const allowed = s.fields.find((x) => x.name === field)!.mems!;
      const bad = [0, 1, 2, 3].filter((c) => !allowed.some((m: MemName) => MEM_CODES[m] === c));
      const code = r.pick(bad);
      return illegal(withRaw(encode(s, safeFields(s)), s, field, code), `${s.mnemonic} ${field} code ${code}`);
    }
    case 'elems-gt-w': {
      const mem = r.pick(['sp', 'acc', 'grad'] as const);
      const elems = r.int(g.W + 1, Math.min(256, g.W + 8));
      const out = faulting(r.pick(['ld', 'st']), { mem: MEM_CODES[mem], lreg: 0, loff: 0, mreg: 0, moff: 0, rows: 1, elems }, ERROR_CODES.ILLEGAL_INSTRUCTION, `elems ${elems} > W`);
      if (!out) throw new GeneratorBug('elems-gt-w not flagged');
      return out;
    }
    case 'local-range':
      return localRange(g, faulting, regWith);
    case 'main-range':
      return mainRange(g, faulting, regWith);
    case 'bad-cfg': {
      const name = r.pick(['QSHIFT', 'LR_SHIFT', 'VSHIFT', 'ROUND', 'LSTRIDE', 'TSTRIDE'] as const);
      const hi = name === 'ROUND' ? 1 : name.endsWith('SHIFT') ? 47 : 16383;
      const value = r.weighted([[hi + 1, 2], [r.int(hi + 1, hi + 1000), 1], [-1, 1], [r.int(-(1 << 30), -1), 1]] as const);
      const out = faulting('cfg', { reg: CFG_REGS.indexOf(name), rs: 0, imm: value }, ERROR_CODES.BAD_OPERAND, `cfg ${name} = ${value}`);
      if (!out) throw new GeneratorBug('bad-cfg not flagged');
      return out;
    }
    case 'vector-overlap': {
      const mem = r.pick(['sp', 'acc', 'grad'] as const);
      const rows = g.rows(mem);
      // count + |delta| ≤ rows keeps both operands in range, so BAD_OPERAND is the only fault.
      const count = r.int(2, Math.min(8, rows - 1));
      const delta = r.int(1, Math.min(count - 1, rows - count)) * (r.chance(0.5) ? 1 : -1);
      const lo = Math.max(0, -delta);
      const d = r.int(lo, rows - count - Math.max(0, delta));
      const fn = r.pick(VALU_FNS);
      const out = faulting(`v${fn}`, { dmem: MEM_CODES[mem], dreg: 0, doff: d, smem: MEM_CODES[mem], sreg: 0, soff: d + delta, count }, ERROR_CODES.BAD_OPERAND, `v${fn} overlap`);
      if (!out) throw new GeneratorBug('vector-overlap not flagged');
      return out;
    }
    case 'pc-branch': {
      const imem = cfg.memory.imemWords;
      const target = r.int(imem, Math.min(0xffff, imem + 64));
      const mn = r.pick(['jmp', 'beq', 'bne', 'blt', 'bge'] as const);
      if (mn === 'jmp') b.emit('jmp', { target });
      else if (mn === 'beq' || mn === 'bge') b.emit(mn, { rs: 0, rt: 0, target });
      else {
        // bne/blt need a register known to differ from / exceed r0.
        const rt = regWith(r.int(1, 100));
        b.emit(mn, { rs: 0, rt, target });
      }
      return { kind, error: ERROR_CODES.PC_RANGE, pc: target, detail: `${mn} to ${target} ≥ imemWords ${imem}` };
    }
    case 'pc-falloff': {
      // Jump to the last `tail` words of imem; the program runs them and falls off the end.
      const imem = cfg.memory.imemWords;
      const tail = r.int(1, 3);
      const start = imem - tail;
      if (start < b.pc) throw new GeneratorBug('no room for pc-falloff');
      if (start > b.pc) b.emit('jmp', { target: start });
      return { kind, error: ERROR_CODES.PC_RANGE, pc: imem, tail, detail: `falls off the end of ${imem}-word imem after ${tail} tail words at ${start}` };
    }
  }
}

type Faulting = (mnemonic: string, fields: Record<string, number>, expect: number, detail: string) => FaultOutcome | undefined;

function localRange(g: GenContext, faulting: Faulting, regWith: (v: number) => number): FaultOutcome {
  const r = g.rng;
  const expect = ERROR_CODES.LOCAL_RANGE;
  for (let attempt = 0; attempt < 50; attempt++) {
    const op = r.pick(['ld', 'st', 'mm', 'drain', 'valu', 'rq', 'sgd'] as const);
    const mem: MemName = op === 'mm' || op === 'rq' || op === 'sgd' ? 'sp' : op === 'drain' ? r.pick(['acc', 'grad']) : r.pick(['sp', 'acc', 'grad']);
    const rows = g.rows(mem);
    const span = op === 'mm' ? r.int(1, 8) : op === 'drain' ? g.R : r.int(1, 8);
    // Past the end (with r0) or before the start (negative base register).
    const negative = r.chance(0.3);
    const reg = negative ? regWith(-r.int(1, 16)) : 0;
    const off = negative ? 0 : Math.max(0, Math.min(LOCAL_OFF_MAX, rows - span + r.int(1, Math.max(1, span))));
    let out: FaultOutcome | undefined;
    switch (op) {
      case 'ld':
      case 'st':
        out = faulting(op, { mem: MEM_CODES[mem], lreg: reg, loff: off, mreg: 0, moff: 0, rows: span, elems: 1 }, expect, `${op} ${mem} rows`);
        break;
      case 'mm':
        out = r.chance(0.5)
          ? faulting('mm', { lreg: reg, loff: off, treg: 0, toff: 0, k: span }, expect, 'mm left operand')
          : faulting('mm', { lreg: 0, loff: 0, treg: reg, toff: off, k: span }, expect, 'mm top operand');
        break;
      case 'drain':
        out = faulting('drain', { mem: MEM_CODES[mem], dreg: reg, doff: off }, expect, `drain to ${mem}`);
        break;
      case 'valu': {
        const other: MemName = r.pick(['sp', 'acc', 'grad'].filter((m) => m !== mem) as MemName[]);
        out = faulting(`v${r.pick(VALU_FNS)}`, { dmem: MEM_CODES[mem], dreg: reg, doff: off, smem: MEM_CODES[other], sreg: 0, soff: 0, count: span }, expect, `vector dst ${mem}`);
        break;
      }
      case 'rq':
        out = faulting('rq', { dreg: reg, doff: off, smem: MEM_CODES.acc, sreg: 0, soff: 0, count: span }, expect, 'rq dst');
        break;
      case 'sgd':
        out = faulting('sgd', { dreg: reg, doff: off, sreg: 0, soff: 0, count: span }, expect, 'sgd dst');
        break;
    }
    if (out) return out;
  }
  throw new GeneratorBug('could not build a local-range fault');
}

function mainRange(g: GenContext, faulting: Faulting, regWith: (v: number) => number): FaultOutcome {
  const r = g.rng;
  const mainBytes = g.config.memory.mainBytes;
  const expect = ERROR_CODES.MAIN_RANGE;
  for (let attempt = 0; attempt < 50; attempt++) {
    const op = r.pick(['ld', 'st'] as const);
    const mem = r.pick(['sp', 'acc', 'grad'] as const);
    const elems = r.int(1, g.W);
    const len = elems * (mem === 'sp' ? 1 : 4);
    const how = r.pick(['past-end', 'negative', 'stride'] as const);
    let mreg = 0;
    let moff = 0;
    let rows = 1;
    if (how === 'past-end') {
      const start = mainBytes - len + r.int(1, 64);
      if (start <= MAIN_OFF_MAX && r.chance(0.5)) moff = start;
      else mreg = regWith(start);
    } else if (how === 'negative') {
      mreg = regWith(-r.int(1, 64));
    } else {
      rows = r.int(2, Math.min(8, g.rows(mem)));
      if (rows < 2) continue;
      const stride = r.chance(0.5) ? Math.ceil(mainBytes / (rows - 1)) + 1 : -r.int(1, 64);
      if (!emitCfg(g, 'DMA_STRIDE', stride)) continue;
      if (stride > 0) moff = 0;
      else moff = r.int(0, Math.min(MAIN_OFF_MAX, -stride * (rows - 1) - 1, Math.max(0, mainBytes - len)));
    }
    const out = faulting(op, { mem: MEM_CODES[mem], lreg: 0, loff: 0, mreg, moff, rows, elems }, expect, `${op} main (${how})`);
    if (out) return out;
  }
  throw new GeneratorBug('could not build a main-range fault');
}

/** The opcode field of a word (for coverage and reports). */
export function opcodeOf(word: bigint): number {
  return Number((word >> BigInt(OPCODE_LSB)) & ((1n << BigInt(OPCODE_WIDTH)) - 1n));
}
