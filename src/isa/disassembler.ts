/**
 * The disassembler: words → assembly text that re-assembles to the identical words. Operand
 * syntax comes from the table (the same `operands`/`options` the assembler parses); illegal words
 * print as `.word` so faulty programs round-trip too.
 */
import { decode, wordToHex, type Instr } from './encoding.js';
import { MEM_NAMES, OPCODES, UNIT_BITS, type OperandSyntax } from './table.js';
import { fieldOf } from './syntax.js';

export interface DisasmOptions {
  /** Print branch targets inside the program as generated labels `L<addr>` (default true). */
  readonly labels?: boolean;
  /** Append `; addr: word` to every line (default true). Illegal words always get their reason. */
  readonly comments?: boolean;
}

/** `fence` masks print as unit names (`DMA|MXU`), the way programs write them. */
function unitMaskText(mask: number): string {
  if (mask === UNIT_BITS.ALL) return 'ALL';
  const names = Object.entries(UNIT_BITS).filter(([n, b]) => n !== 'ALL' && (mask & b) !== 0).map(([n]) => n);
  return names.length === 0 ? '0' : names.join('|');
}

function operandText(instr: Instr, op: OperandSyntax, labelOf: (addr: number) => string | undefined): string {
  const { spec, f } = instr;
  switch (op.type) {
    case 'reg':
      return `r${f[op.field]!}`;
    case 'enum':
      return fieldOf(spec, op.field).values![f[op.field]!]!;
    case 'imm': {
      const v = f[op.field]!;
      const fs = fieldOf(spec, op.field);
      if (fs.kind === 'target') return labelOf(v) ?? String(v);
      if (spec.opcode === OPCODES.FENCE && fs.name === 'mask') return unitMaskText(v);
      return String(v);
    }
    case 'addr': {
      const mem = 'fixed' in op.mem ? op.mem.fixed : MEM_NAMES[f[op.mem.field]!]!;
      const reg = f[op.reg]!;
      const off = f[op.imm]!;
      if (reg === 0) return `${mem}[${off}]`;
      return off === 0 ? `${mem}[r${reg}]` : `${mem}[r${reg}+${off}]`;
    }
  }
}

/**
 * Format one decoded instruction as assembly. `labelOf` names branch targets (return undefined
 * to print the address as a number).
 */
export function formatInstr(instr: Instr, labelOf: (addr: number) => string | undefined = () => undefined): string {
  const parts = instr.spec.operands.map((op) => operandText(instr, op, labelOf));
  for (const o of instr.spec.options) {
    const v = instr.f[o] ?? 0;
    if (v !== 0) parts.push(`${o}=${v}`);
  }
  return parts.length === 0 ? instr.spec.mnemonic : `${instr.spec.mnemonic} ${parts.join(', ')}`;
}

/** Format one word: the instruction, or `.word 0x…` when it is illegal. */
export function disassembleWord(word: bigint): { text: string; illegal?: string } {
  const d = decode(word);
  if (d.ok) return { text: formatInstr(d.instr) };
  return { text: `.word 0x${wordToHex(word)}`, illegal: d.reason };
}

const COMMENT_COLUMN = 40;

/**
 * Disassemble a program. The output re-assembles (assemble()) to exactly `words`, including
 * illegal words, which print as `.word 0x…` with decode()'s reason in a comment.
 */
export function disassemble(words: readonly bigint[], opts: DisasmOptions = {}): string {
  const useLabels = opts.labels ?? true;
  const comments = opts.comments ?? true;
  const decoded = words.map((w) => decode(w));
  const targets = new Set<number>();
  if (useLabels) {
    for (const d of decoded) {
      if (!d.ok) continue;
      for (const fs of d.instr.spec.fields) {
        const v = d.instr.f[fs.name]!;
        // Only addresses inside the program get a label: a label must sit on a line.
        if (fs.kind === 'target' && v < words.length) targets.add(v);
      }
    }
  }
  const labelOf = (a: number): string | undefined => (targets.has(a) ? `L${a}` : undefined);
  const addrWidth = Math.max(4, (words.length - 1).toString(16).length);
  const lines: string[] = [];
  decoded.forEach((d, addr) => {
    if (targets.has(addr)) lines.push(`L${addr}:`);
    const text = d.ok ? formatInstr(d.instr, labelOf) : `.word 0x${wordToHex(words[addr]!)}`;
    const notes: string[] = [];
    if (comments) notes.push(`${addr.toString(16).padStart(addrWidth, '0')}: ${wordToHex(words[addr]!)}`);
    if (!d.ok) notes.push(`illegal: ${d.reason}`);
    const body = `    ${text}`;
    lines.push(notes.length === 0 ? body : `${body.padEnd(COMMENT_COLUMN)} ; ${notes.join('; ')}`);
  });
  return lines.join('\n') + '\n';
}
