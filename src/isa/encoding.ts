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

/** Per-field legality, computed once per field (encode and decode run per word). */
const LEGAL = new Map<FieldSpec, { lo: number; hi: number; mems: ReadonlySet<number> | null }>();
for (const spec of ISA) {
  for (const fs of spec.fields) {
    LEGAL.set(fs, { ...fieldRange(fs), mems: fs.kind === 'mem' ? new Set((fs.mems ?? []).map((m) => MEM_CODES[m])) : null });
  }
}

/** Does this natural value fit the field (including enum/mem membership)? */
export function fieldAccepts(fs: FieldSpec, v: number): boolean {
  if (!Number.isInteger(v)) return false;
  const legal = LEGAL.get(fs);
  const { lo, hi } = legal ?? fieldRange(fs);
  if (v < lo || v > hi) return false;
  if (fs.kind === 'mem') return legal?.mems ? legal.mems.has(v) : (fs.mems ?? []).some((m) => MEM_CODES[m] === v);
  return true;
}

// Words are handled as two 32-bit halves in plain numbers: BigInt arithmetic per field costs
// microseconds, and compilers encode tens of thousands of words.

/** The raw (unsigned) bits of a natural field value. */
function rawOf(fs: FieldSpec, v: number): number {
  const raw = fs.kind === 'count' ? v - 1 : v;
  return fs.width === 32 ? raw >>> 0 : (raw & (2 ** fs.width - 1)) >>> 0;
}

/** Read a field's raw bits from a word split into 32-bit halves. */
function rawField(fs: FieldSpec, hi: number, lo: number): number {
  const mask = fs.width === 32 ? 0xffffffff : 2 ** fs.width - 1;
  if (fs.lsb >= 32) return ((hi >>> (fs.lsb - 32)) & mask) >>> 0;
  if (fs.lsb + fs.width <= 32) return ((lo >>> fs.lsb) & mask) >>> 0;
  // Straddles bit 32: low part from lo, high part from hi.
  const lowBits = 32 - fs.lsb;
  return (((lo >>> fs.lsb) | (hi << lowBits)) & mask) >>> 0;
}

/** Decode a field's raw bits to its natural value. */
function naturalOf(fs: FieldSpec, hi: number, lo: number): number {
  const raw = rawField(fs, hi, lo);
  if (fs.kind === 'count') return raw + 1;
  if (fs.kind === 'simm') return fs.width === 32 ? raw | 0 : raw >= 2 ** (fs.width - 1) ? raw - 2 ** fs.width : raw;
  return raw;
}

/**
 * Encode an instruction. Field values not given default to 0 (or to the fixed value).
 * Throws RangeError naming the field if a value does not fit; the assembler checks first.
 */
export function encode(spec: InstrSpec, values: Readonly<Record<string, number>>): bigint {
  let hi = spec.opcode << (OPCODE_LSB - 32);
  let lo = 0;
  for (const fs of spec.fields) {
    const fixed = spec.fixed?.[fs.name];
    const v = fixed ?? values[fs.name] ?? (fs.kind === 'count' ? 1 : 0);
    if (!fieldAccepts(fs, v)) {
      const { lo: min, hi: max } = fieldRange(fs);
      throw new RangeError(`${spec.mnemonic}: field ${fs.name} = ${v} out of range ${min}..${max}`);
    }
    const raw = rawOf(fs, v);
    if (fs.lsb >= 32) hi |= raw << (fs.lsb - 32);
    else {
      lo |= raw << fs.lsb;
      if (fs.lsb + fs.width > 32) hi |= raw >>> (32 - fs.lsb);
    }
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Bits each instruction's fields and opcode cover, as 32-bit halves. */
const USED_MASK: ReadonlyMap<InstrSpec, { hi: number; lo: number }> = new Map(ISA.map((spec) => {
  const m = spec.fields.reduce((acc, fs) => acc | fieldMask(fs), OPCODE_MASK << BigInt(OPCODE_LSB));
  return [spec, { hi: Number(m >> 32n), lo: Number(m & 0xffffffffn) }] as const;
}));

// Decode index: opcode → candidate specs (several mnemonics may share an opcode via fixed fields).
const BY_OPCODE: ReadonlyMap<number, readonly InstrSpec[]> = (() => {
  const m = new Map<number, InstrSpec[]>();
  for (const s of ISA) m.set(s.opcode, [...(m.get(s.opcode) ?? []), s]);
  return m;
})();

/** Decode a 64-bit word. Never throws: illegal words give a reason. */
export function decode(word: bigint): DecodeResult {
  const w = BigInt.asUintN(64, word);
  const hi = Number(w >> 32n);
  const lo = Number(w & 0xffffffffn);
  const opcode = hi >>> (OPCODE_LSB - 32);
  const cands = BY_OPCODE.get(opcode);
  if (!cands) return { ok: false, reason: `unknown opcode ${opcode}` };
  let lastReason = '';
  for (const spec of cands) {
    const f: Record<string, number> = {};
    let bad = '';
    for (const fs of spec.fields) {
      const v = naturalOf(fs, hi, lo);
      if (spec.fixed?.[fs.name] !== undefined && spec.fixed[fs.name] !== v) { bad = 'fixed'; break; }
      if (!fieldAccepts(fs, v)) { bad = `${spec.mnemonic}: field ${fs.name} has illegal value ${v}`; break; }
      f[fs.name] = v;
    }
    if (bad === 'fixed') continue;
    if (bad) { lastReason = bad; continue; }
    const used = USED_MASK.get(spec)!;
    const extraHi = (hi & ~used.hi) >>> 0;
    const extraLo = (lo & ~used.lo) >>> 0;
    if (extraHi !== 0 || extraLo !== 0) {
      const extra = (BigInt(extraHi) << 32n) | BigInt(extraLo);
      lastReason = `${spec.mnemonic}: reserved bits set (0x${extra.toString(16)})`;
      continue;
    }
    return { ok: true, instr: { spec, f } };
  }
  return { ok: false, reason: lastReason || `opcode ${opcode}: no instruction matches field values` };
}

/** Format a word as 16 hex digits (the hex-image format). */
export function wordToHex(w: bigint): string {
  return BigInt.asUintN(64, w).toString(16).padStart(16, '0');
}
