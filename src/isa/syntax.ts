/**
 * Assembly syntax derived from the ISA table: what each operand looks like, which memories an
 * address operand accepts, predefined constants and pseudo-instructions. Shared by the assembler
 * (parsing and messages), the disassembler (printing) and the docs generator, so all three agree.
 */
import { ISA, UNIT_BITS, type FieldSpec, type InstrSpec, type MemName, type OperandSyntax } from './table.js';

/** Memory names an address operand can be written with. `main` is only ever a fixed memory. */
export type AddrMemName = MemName | 'main';

/** Number of scalar registers, from the width of the table's register fields. */
export const REG_COUNT: number = (() => {
  const widths = new Set(ISA.flatMap((s) => s.fields.filter((f) => f.kind === 'reg').map((f) => f.width)));
  if (widths.size !== 1) throw new Error('ISA table: register fields must all have the same width');
  return 2 ** [...widths][0]!;
})();

/** `r0..r15`, for messages. */
export const REG_RANGE_TEXT = `r0..r${REG_COUNT - 1}`;

/** Anything spelled like a register (`r7`, `R99`) is reserved, so a typo never becomes a label. */
export function isRegisterName(name: string): boolean {
  return /^[rR][0-9]+$/.test(name);
}

/** Register number of a register name, or undefined if it names no register (e.g. `r16`). */
export function registerNumber(name: string): number | undefined {
  if (!isRegisterName(name)) return undefined;
  const n = Number(name.slice(1));
  return n < REG_COUNT ? n : undefined;
}

/** Constants every program can use: the fence unit bits (`fence DMA|MXU`). */
export const PREDEFINED: ReadonlyMap<string, bigint> = new Map(
  Object.entries(UNIT_BITS).map(([k, v]) => [k, BigInt(v)]),
);

/** Pseudo-instructions: mnemonic → how it expands (documented in docs/assembly.md). */
export const PSEUDOS: ReadonlyMap<string, { readonly expandsTo: string; readonly syntax: string; readonly doc: string }> = new Map([
  ['li', { expandsTo: 'addi', syntax: 'li rd, imm', doc: 'load immediate: `addi rd, r0, imm`' }]],
);

/** The field a spec declares under `name` (the table guarantees it exists for its operands). */
export function fieldOf(spec: InstrSpec, name: string): FieldSpec {
  const fs = spec.fields.find((f) => f.name === name);
  if (!fs) throw new Error(`ISA table: ${spec.mnemonic} has no field ${name}`);
  return fs;
}

/** Memories an address operand accepts, in code order. */
export function memsOf(spec: InstrSpec, op: OperandSyntax & { type: 'addr' }): readonly AddrMemName[] {
  if ('fixed' in op.mem) return [op.mem.fixed];
  return fieldOf(spec, op.mem.field).mems ?? [];
}

/** How an operand is written, for docs and "expects" messages: `rd`, `{acc|grad}[dreg+doff]`, `k`. */
export function operandSyntaxText(spec: InstrSpec, op: OperandSyntax): string {
  switch (op.type) {
    case 'reg':
    case 'imm':
      return op.field;
    case 'enum':
      return op.field.toUpperCase();
    case 'addr': {
      const mems = memsOf(spec, op);
      const mem = mems.length === 1 ? mems[0]! : `{${mems.join('|')}}`;
      return `${mem}[${op.reg}+${op.imm}]`;
    }
  }
}

/** One-line syntax of an instruction: `mm sp[lreg+loff], sp[treg+toff], k [, bank=…] [, acc=…] …`. */
export function instrSyntaxText(spec: InstrSpec): string {
  const ops = spec.operands.map((o) => operandSyntaxText(spec, o)).join(', ');
  const opts = spec.options.map((o) => ` [, ${o}=…]`).join('');
  return `${spec.mnemonic}${ops ? ' ' + ops : ''}${opts}`;
}

/** All mnemonics the assembler accepts (table, pseudo-instructions), for "did you mean". */
export const ALL_MNEMONICS: readonly string[] = [...ISA.map((s) => s.mnemonic), ...PSEUDOS.keys()];

/** Directives the assembler accepts. */
export const DIRECTIVES: readonly string[] = ['.equ', '.word'];
