/**
 * Predecoding: every instruction-memory word is decoded once (by the shared decoder, which is
 * driven by the ISA table) into a small record the simulator's controller dispatches on. The
 * simulator reads operands by the table's field names; which names it reads is listed here and
 * checked against the table when this module loads, so a renamed field fails loudly instead of
 * silently reading 0.
 */
import { decode } from '../isa/encoding.js';
import { ISA, ISA_BY_MNEMONIC, type Unit } from '../isa/table.js';

/** Operation classes the controller dispatches on (one per ISA behaviour, `v*` share VALU). */
export const Op = {
  ILLEGAL: 0,
  NOP: 1,
  HALT: 2,
  ADDI: 3,
  ADD: 4,
  SUB: 5,
  BEQ: 6,
  BNE: 7,
  BLT: 8,
  BGE: 9,
  JMP: 10,
  CFG: 11,
  FENCE: 12,
  LD: 13,
  ST: 14,
  MM: 15,
  DRAIN: 16,
  VALU: 17,
  RQ: 18,
  SGD: 19,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** Unit indices; also the bit positions of trace busy flags and `fence` masks (UNIT_BITS). */
export const U_DMA = 0;
export const U_MXU = 1;
export const U_DRN = 2;
export const U_VPU = 3;
export const U_CTRL = -1;

const UNIT_INDEX: Readonly<Record<Unit, number>> = { ctrl: U_CTRL, dma: U_DMA, mxu: U_MXU, drn: U_DRN, vpu: U_VPU };

/** Mnemonic → op class and the table fields the simulator's semantics read. */
const SEMANTICS: ReadonlyArray<readonly [string, OpCode, readonly string[]]> = [
  ['nop', Op.NOP, []],
  ['halt', Op.HALT, []],
  ['addi', Op.ADDI, ['rd', 'rs', 'imm']],
  ['add', Op.ADD, ['rd', 'rs', 'rt']],
  ['sub', Op.SUB, ['rd', 'rs', 'rt']],
  ['beq', Op.BEQ, ['rs', 'rt', 'target']],
  ['bne', Op.BNE, ['rs', 'rt', 'target']],
  ['blt', Op.BLT, ['rs', 'rt', 'target']],
  ['bge', Op.BGE, ['rs', 'rt', 'target']],
  ['jmp', Op.JMP, ['target']],
  ['cfg', Op.CFG, ['reg', 'rs', 'imm']],
  ['fence', Op.FENCE, ['mask']],
  ['ld', Op.LD, ['mem', 'lreg', 'loff', 'mreg', 'moff', 'rows', 'elems']],
  ['st', Op.ST, ['mem', 'lreg', 'loff', 'mreg', 'moff', 'rows', 'elems']],
  ['mm', Op.MM, ['lreg', 'loff', 'treg', 'toff', 'k', 'bank', 'acc', 'tl', 'tt']],
  ['drain', Op.DRAIN, ['mem', 'dreg', 'doff', 'bank', 'add', 't']],
  ['rq', Op.RQ, ['dreg', 'doff', 'smem', 'sreg', 'soff', 'relu', 'count']],
  ['sgd', Op.SGD, ['dreg', 'doff', 'sreg', 'soff', 'clear', 'count']],
];
const VALU_FIELDS = ['fn', 'dmem', 'dreg', 'doff', 'smem', 'sreg', 'soff', 'count'] as const;

const OP_BY_MNEMONIC: ReadonlyMap<string, OpCode> = (() => {
  const m = new Map<string, OpCode>();
  const check = (mn: string, fields: readonly string[]): void => {
    const spec = ISA_BY_MNEMONIC.get(mn);
    if (!spec) throw new Error(`internal: simulator knows mnemonic ${mn}, the ISA table does not`);
    for (const name of fields) {
      if (!spec.fields.some((fs) => fs.name === name)) throw new Error(`internal: ${mn} has no field ${name} in the ISA table`);
    }
  };
  for (const [mn, op, fields] of SEMANTICS) {
    check(mn, fields);
    m.set(mn, op);
  }
  for (const spec of ISA) {
    if (m.has(spec.mnemonic)) continue;
    if (!spec.mnemonic.startsWith('v')) throw new Error(`internal: the simulator has no semantics for ${spec.mnemonic}`);
    check(spec.mnemonic, VALU_FIELDS);
    m.set(spec.mnemonic, Op.VALU);
  }
  return m;
})();

/** One predecoded instruction-memory word. */
export interface SimInstr {
  readonly word: bigint;
  readonly op: OpCode;
  /** Executing unit (U_DMA..U_VPU) or U_CTRL for controller instructions. */
  readonly unit: number;
  /** Mnemonic, or `illegal`. */
  readonly mnemonic: string;
  /** Why the word is illegal (empty when legal). */
  readonly reason: string;
  /** Field values by ISA-table name, in natural form (counts decoded, immediates sign-extended). */
  readonly f: Readonly<Record<string, number>>;
}

const EMPTY: Readonly<Record<string, number>> = Object.freeze({});

/** Decode one 64-bit word; illegal words become ILLEGAL entries that fault when they reach decode. */
export function predecode(word: bigint): SimInstr {
  const d = decode(word);
  if (!d.ok) return { word, op: Op.ILLEGAL, unit: U_CTRL, mnemonic: 'illegal', reason: d.reason, f: EMPTY };
  const op = OP_BY_MNEMONIC.get(d.instr.spec.mnemonic);
  if (op === undefined) throw new Error(`internal: no simulator semantics for ${d.instr.spec.mnemonic}`);
  return { word, op, unit: UNIT_INDEX[d.instr.spec.unit], mnemonic: d.instr.spec.mnemonic, reason: '', f: d.instr.f };
}

// Decoding goes through BigInt field extraction (~5 µs a word); programs repeat words a lot (a
// GEMM of 3,872 words has 1,112 distinct ones) and tools load many programs, so decoded words are
// shared. SimInstr is immutable, so sharing is safe; the bound keeps memory in check.
const CACHE_LIMIT = 1 << 16;
const cache = new Map<bigint, SimInstr>();

/** predecode() with a process-wide memo of recently decoded words. */
export function predecodeCached(word: bigint): SimInstr {
  let ins = cache.get(word);
  if (ins === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    ins = predecode(word);
    cache.set(word, ins);
  }
  return ins;
}
