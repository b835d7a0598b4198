import { ISA, OPCODE_LSB, OPCODE_WIDTH, MEM_CODES, type FieldSpec, type InstrSpec } from './table.js';

/** A decoded instruction: field values in their natural form (counts decoded, simm sign-extended). */
export interface Instr {
  readonly spec: InstrSpec;
  readonly f: Readonly<Record<string, number>>;
}

export type DecodeResult = { readonly ok: true; readonly instr: Instr } | { readonly ok: false; readonly reason: string };

const OPCODE_MASK = (1n << BigInt(OPCODE_WIDTH)) - 1n;

function fieldMask(fs: FieldSpec): bigint {
  return ((1n << BigInt(fs.width)) - 1n) << BigInt(fs.lsb);
}

/** Range of legal natural values for a field. */
export function fieldRange(fs: FieldSpec): { lo: number; hi: number } {
  switch (fs.kind) {
    case 'simm':
      return { lo: -(2 ** (fs.width - 1)), hi: 2 ** (fs.width - 1) - 1 };
    case 'count':
      return { lo: 1, hi: 2 ** fs.width };
    case 'enum':
      return { lo: 0, hi: (fs.values?.length ?? 1) - 1 };
    default:
      return { lo: 0, hi: 2 ** fs.width - 1 };
  }
}

/** Does this natural value fit the field (including enum/mem membership)? */
export function fieldAccepts(fs: FieldSpec, v: number): boolean {
  if (!Number.isInteger(v)) return false;
  const { lo, hi } = fieldRange(fs);
  if (v < lo || v > hi) return false;
  if (fs.kind === 'mem') return (fs.mems ?? []).some((m) => MEM_CODES[m] === v);
  return true;
}

/** Encode a natural field value to its raw bits. */
function rawOf(fs: FieldSpec, v: number): bigint {
  const raw = fs.kind === 'count' ? v - 1 : v;
  return (BigInt.asUintN(fs.width, BigInt(raw)) << BigInt(fs.lsb));
}

/** Decode a field's raw bits to its natural value. */
function naturalOf(fs: FieldSpec, word: bigint): number {
  const raw = Number((word >> BigInt(fs.lsb)) & ((1n << BigInt(fs.width)) - 1n));
  if (fs.kind === 'count') return raw + 1;
  if (fs.kind === 'simm') return Number(BigInt.asIntN(fs.width, BigInt(raw)));
  return raw;
}

/**
 * Encode an instruction. Field values not given default to 0 (or to the fixed value).
 * Throws RangeError naming the field if a value does not fit; the assembler checks first.
 */
export function encode(spec: InstrSpec, values: Readonly<Record<string, number>>): bigint {
  let w = BigInt(spec.opcode) << BigInt(OPCODE_LSB);
  for (const fs of spec.fields) {
    const fixed = spec.fixed?.[fs.name];
    const v = fixed ?? values[fs.name] ?? (fs.kind === 'count' ? 1 : 0);
    if (!fieldAccepts(fs, v)) {
      const { lo, hi } = fieldRange(fs);
      throw new RangeError(`${spec.mnemonic}: field ${fs.name} = ${v} out of range ${lo}..${hi}`);
    }
    w |= rawOf(fs, v);
  }
  return w;
}

// Decode index: opcode → candidate specs (several mnemonics may share an opcode via fixed fields).
const BY_OPCODE: ReadonlyMap<number, readonly InstrSpec[]> = (() => {
  const m = new Map<number, InstrSpec[]>();
  for (const s of ISA) m.set(s.opcode, [...(m.get(s.opcode) ?? []), s]);
  return m;
})();

/** Decode a 64-bit word. Never throws: illegal words give a reason. */
export function decode(word: bigint): DecodeResult {
  const w = BigInt.asUintN(64, word);
  const opcode = Number((w >> BigInt(OPCODE_LSB)) & OPCODE_MASK);
  const cands = BY_OPCODE.get(opcode);
  if (!cands) return { ok: false, reason: `unknown opcode ${opcode}` };
  let lastReason = '';
  for (const spec of cands) {
    let used = OPCODE_MASK << BigInt(OPCODE_LSB);
    const f: Record<string, number> = {};
    let bad = '';
    for (const fs of spec.fields) {
      used |= fieldMask(fs);
      const v = naturalOf(fs, w);
      if (spec.fixed?.[fs.name] !== undefined && spec.fixed[fs.name] !== v) { bad = 'fixed'; break; }
      if (!fieldAccepts(fs, v)) { bad = `${spec.mnemonic}: field ${fs.name} has illegal value ${v}`; break; }
      f[fs.name] = v;
    }
    if (bad === 'fixed') continue;
    if (bad) { lastReason = bad; continue; }
    if ((w & ~used) !== 0n) { lastReason = `${spec.mnemonic}: reserved bits set (0x${(w & ~used).toString(16)})`; continue; }
    return { ok: true, instr: { spec, f } };
  }
  return { ok: false, reason: lastReason || `opcode ${opcode}: no instruction matches field values` };
}

/** Format a word as 16 hex digits (the hex-image format). */
export function wordToHex(w: bigint): string {
  return BigInt.asUintN(64, w).toString(16).padStart(16, '0');
}
