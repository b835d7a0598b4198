/**
 * docs/isa.md, generated from the ISA table so the reference can never drift from the encoder.
 * Deterministic (no dates); tests/isa-docs.test.ts fails when the checked-in file is stale.
 */
import { fieldRange } from './encoding.js';
import {
  CFG_REGS, ERROR_CODES, ISA, MEM_CODES, OPCODE_LSB, OPCODE_WIDTH, UNIT_BITS, VALU_FNS, WORD_BITS, type ErrorName, type FieldKind, type FieldSpec, type InstrSpec, CFG_REG_DOCS, ERROR_DOCS,
} from './table.js';
import { PREDEFINED, PSEUDOS, instrSyntaxText } from './syntax.js';

const KIND_DOC: Readonly<Record<FieldKind, string>> = {
  reg: 'scalar register r0..r15 (r0 reads as 0; writes to it are ignored)',
  uimm: 'unsigned immediate',
  simm: "two's-complement immediate (the assembler also takes the unsigned bit pattern)",
  count: 'a count n, encoded as n − 1 (so a 4-bit count field holds 1..16)',
  flag: '0 or 1, written as a trailing option `name=1`',
  enum: 'a named value; codes without a name are illegal',
  mem: 'local memory selector; codes the instruction does not allow are illegal',
  target: 'absolute instruction address (a label in assembly)',
};

const hi = (fs: { lsb: number; width: number }): number => fs.lsb + fs.width - 1;
const bitsText = (lsb: number, width: number): string => (width === 1 ? `${lsb}` : `${lsb + width - 1}:${lsb}`);

interface Segment { readonly label: string; readonly bits: string }

/** Segments of a word from bit 63 down: opcode, fields, and reserved gaps (which must be 0). */
function segments(spec: InstrSpec): Segment[] {
  const segs: Segment[] = [{ label: spec.opcode.toString(2).padStart(OPCODE_WIDTH, '0'), bits: bitsText(OPCODE_LSB, OPCODE_WIDTH) }];
  let next = OPCODE_LSB - 1; // highest bit not yet covered
  const gap = (downTo: number): void => {
    if (next >= downTo) segs.push({ label: '0', bits: bitsText(downTo, next - downTo + 1) });
  };
  for (const fs of [...spec.fields].sort((a, b) => b.lsb - a.lsb)) {
    gap(hi(fs) + 1);
    const fixed = spec.fixed?.[fs.name];
    segs.push({ label: fixed === undefined ? fs.name : `${fs.name}=${fixed}`, bits: bitsText(fs.lsb, fs.width) });
    next = fs.lsb - 1;
  }
  gap(0);
  return segs;
}

/** A boxed bit diagram, bit ranges above each field. */
export function bitDiagram(spec: InstrSpec): string {
  const segs = segments(spec);
  const widths = segs.map((s) => Math.max(s.label.length, s.bits.length) + 2);
  // One extra column per cell for the '|' separators, so each range sits over its field name.
  const ranges = ' ' + segs.map((s, i) => ` ${s.bits.padEnd(widths[i]! - 1)}`).join(' ');
  const border = '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+';
  const labels = '|' + segs.map((s, i) => ` ${s.label.padEnd(widths[i]! - 1)}`).join('|') + '|';
  return [ranges.trimEnd(), border, labels, border].join('\n');
}

function rangeCell(fs: FieldSpec): string {
  if (fs.kind === 'enum') return (fs.values ?? []).map((v, i) => `${i} ${v}`).join(', ');
  if (fs.kind === 'mem') return (fs.mems ?? []).map((m) => `${MEM_CODES[m]} ${m}`).join(', ');
  if (fs.kind === 'reg') return 'r0..r15';
  const { lo, hi: top } = fieldRange(fs);
  return `${lo}..${top}`;
}

const escapeCell = (s: string): string => s.replaceAll('|', '\\|');

function instrSection(spec: InstrSpec): string[] {
  const fixed = Object.entries(spec.fixed ?? {}).map(([k, v]) => `, ${k} = ${v}`).join('');
  const out = [
    `### \`${spec.mnemonic}\` — ${spec.summary}`,
    '',
    `Syntax: \`${instrSyntaxText(spec)}\`  `,
    `Opcode ${spec.opcode} (0x${spec.opcode.toString(16).padStart(2, '0')})${fixed}; unit ${spec.unit}.`,
    '',
    '```',
    bitDiagram(spec),
    '```',
    '',
  ];
  if (spec.fields.length > 0) {
    out.push('| field | bits | kind | values | meaning |', '|---|---|---|---|---|');
    for (const fs of spec.fields) {
      const value = spec.fixed?.[fs.name] !== undefined ? `fixed ${spec.fixed[fs.name]}` : rangeCell(fs);
      const opt = spec.options.includes(fs.name) ? ' (option)' : '';
      out.push(`| \`${fs.name}\`${opt} | ${bitsText(fs.lsb, fs.width)} | ${fs.kind} | ${escapeCell(value)} | ${escapeCell(fs.doc)} |`);
    }
    out.push('');
  }
  out.push(spec.semantics, '');
  return out;
}

/** Generate docs/isa.md from the ISA table. Pure and deterministic. */
export function generateIsaDoc(): string {
  const out: string[] = [
    '# accelgen instruction set',
    '',
    '<!-- Generated from src/isa/table.ts by `npm run docs` (node dist/src/cli/main.js docs --out docs/isa.md).',
    '     Do not edit by hand: tests/isa-docs.test.ts fails when this file is stale. -->',
    '',
    `Every instruction is one ${WORD_BITS}-bit word. Bits [${OPCODE_LSB + OPCODE_WIDTH - 1}:${OPCODE_LSB}] hold the opcode; several`,
    'mnemonics may share an opcode and differ in a fixed field. Bits not covered by a field of the',
    'instruction are reserved and must be 0; a word with reserved bits set, an unknown opcode or a',
    'disallowed enum/memory code is an illegal instruction (error ILLEGAL_INSTRUCTION).',
    'Assembly syntax: [assembly.md](assembly.md). Timing and interlocks: [microarch.md](microarch.md).',
    '',
    '## Field kinds',
    '',
    '| kind | meaning |',
    '|---|---|',
    ...Object.entries(KIND_DOC).map(([k, d]) => `| ${k} | ${d} |`),
    '',
    '## Summary',
    '',
    '| mnemonic | opcode | fixed | unit | summary |',
    '|---|---|---|---|---|',
    ...ISA.map((s) => {
      const fixed = Object.entries(s.fixed ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
      return `| [\`${s.mnemonic}\`](#${s.mnemonic}) | ${s.opcode} | ${fixed} | ${s.unit} | ${escapeCell(s.summary)} |`;
    }),
    '',
    'Pseudo-instructions: ' + [...PSEUDOS.entries()].map(([, p]) => `\`${p.syntax}\` — ${p.doc}`).join('; ') + '.',
    '',
    '## Instructions',
    '',
  ];
  for (const spec of ISA) out.push(`<a id="${spec.mnemonic}"></a>`, '', ...instrSection(spec));
  out.push(
    '## Configuration registers (`cfg`)',
    '',
    '| code | name | meaning |',
    '|---|---|---|',
    ...CFG_REGS.map((r, i) => `| ${i} | \`${r}\` | ${CFG_REG_DOCS[r]} |`),
    '',
    '## Vector-ALU functions (field `fn`)',
    '',
    '| code | mnemonic |',
    '|---|---|',
    ...VALU_FNS.map((fn, i) => `| ${i} | \`v${fn}\` |`),
    '',
    '## Memory codes',
    '',
    '| code | memory |',
    '|---|---|',
    ...Object.entries(MEM_CODES).map(([m, c]) => `| ${c} | \`${m}\` |`),
    '',
    '`main` (main memory) is never a field value: only `ld`/`st` address it, through a fixed operand.',
    '',
    '## Fence unit bits',
    '',
    'Also the order of the busy flags in traces. The assembler predefines these names as constants.',
    '',
    '| name | value |',
    '|---|---|',
    ...Object.entries(UNIT_BITS).map(([n, b]) => `| \`${n}\` | ${b} |`),
    '',
    `Predefined assembler constants: ${[...PREDEFINED.keys()].map((k) => `\`${k}\``).join(', ')}.`,
    '',
    '## Error codes',
    '',
    'Reported in STATUS bits 15:8 when the chip stops on a fault (order of checks: microarch.md §6).',
    '',
    '| code | name | cause |',
    '|---|---|---|',
    ...(Object.entries(ERROR_CODES) as [ErrorName, number][]).map(([n, c]) => `| ${c} | \`${n}\` | ${escapeCell(ERROR_DOCS[n])} |`),
    '',
  );
  return out.join('\n');
}
