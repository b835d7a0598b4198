/**
 * The instruction decoder, generated from the one ISA table (src/isa/table.ts): opcode values,
 * field slices, enum and memory-code legality and the reserved-bit mask are all computed from it.
 * Nothing here names an opcode number or a bit position.
 *
 * Instructions that share an opcode (the vector-ALU functions) form one *class*, named after the
 * opcode's key in OPCODES (lower case); they must share their field layout.
 */
import { ISA, MEM_CODES, OPCODES, OPCODE_LSB, OPCODE_WIDTH, WORD_BITS, type FieldSpec, type InstrSpec } from '../../isa/table.js';
import { add, and, eq, land, lit, lor, slice, ult, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, type Module } from '../ir/module.js';
import type { Ctx } from '../ctx.js';

export interface InstrClass {
  readonly name: string;
  readonly opcode: number;
  readonly specs: readonly InstrSpec[];
  readonly fields: readonly FieldSpec[];
}

/** Instruction classes by opcode, in opcode order. */
export function instrClasses(): InstrClass[] {
  const byOp = new Map<number, InstrSpec[]>();
  for (const s of ISA) byOp.set(s.opcode, [...(byOp.get(s.opcode) ?? []), s]);
  const names = new Map<number, string>(Object.entries(OPCODES).map(([k, v]) => [v, k.toLowerCase()]));
  return [...byOp.entries()].sort((a, b) => a[0] - b[0]).map(([opcode, specs]) => {
    const name = names.get(opcode);
    if (!name) throw new Error(`internal: opcode ${opcode} has no name in OPCODES`);
    const fields = specs[0]!.fields;
    for (const s of specs) {
      const same = s.fields.length === fields.length && s.fields.every((f, i) => f.name === fields[i]!.name && f.lsb === fields[i]!.lsb && f.width === fields[i]!.width && f.kind === fields[i]!.kind);
      if (!same) throw new Error(`internal: ${s.mnemonic} shares opcode ${opcode} with ${specs[0]!.mnemonic} but not its field layout`);
    }
    return { name, opcode, specs, fields };
  });
}

/** Width of a decoded field's natural value (counts are n−1 encoded, so one bit wider). */
/** Decoder output of a count field as encoded (n − 1). */
export function countM1Port(cls: string, field: string): string {
  return `${fieldPort(cls, field)}_m1`;
}

export function fieldWidth(f: FieldSpec): number {
  return f.kind === 'count' ? f.width + 1 : f.width;
}

/** Port name of a decoded field. */
export function fieldPort(cls: string, field: string): string {
  return `${cls}_${field}`;
}

export function decoder(ctx: Ctx): Module {
  return ctx.lib.once('ag_decode', () => {
    const m = new ModuleBuilder('ag_decode', [
      'Instruction decoder generated from the ISA table: one is_<class> per opcode (legal words only)',
      'and every field of every class in its natural form (count fields decoded to n = raw + 1).',
    ]);
    const ir = m.input('ir', WORD_BITS, 'instruction word in decode');
    const opcode = m.let('opcode', slice(ir, OPCODE_LSB + OPCODE_WIDTH - 1, OPCODE_LSB));
    const isAll: Expr[] = [];
    for (const cls of instrClasses()) {
      let used = ((1n << BigInt(OPCODE_WIDTH)) - 1n) << BigInt(OPCODE_LSB);
      const checks: Expr[] = [eq(opcode, lit(OPCODE_WIDTH, cls.opcode))];
      const raw = new Map<string, Expr>();
      for (const f of cls.fields) {
        used |= ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
        const r = m.let(`${cls.name}_${f.name}_raw`, slice(ir, f.lsb + f.width - 1, f.lsb));
        raw.set(f.name, r);
        m.assign(m.output(fieldPort(cls.name, f.name), fieldWidth(f), `${f.kind}: ${f.doc}`), f.kind === 'count' ? add(zext(r, f.width + 1), lit(f.width + 1, 1)) : r);
        // A count as encoded (n − 1): what arithmetic on n − 1 needs, without the +1 and −1 carry chains.
        if (f.kind === 'count') m.assign(m.output(countM1Port(cls.name, f.name), f.width, `${f.name} − 1 as encoded`), r);
        if (f.kind === 'enum' && f.values && f.values.length < 2 ** f.width) checks.push(ult(r, lit(f.width, f.values.length)));
        if (f.kind === 'mem') {
          const allowed = (f.mems ?? []).map((x) => MEM_CODES[x]);
          if (allowed.length < 2 ** f.width) checks.push(lor(...allowed.map((code) => eq(r, lit(f.width, code)))));
        }
      }
      // Mnemonics sharing the opcode are told apart by fixed field values: one of them must match.
      if (cls.specs.some((s) => s.fixed)) {
        checks.push(lor(...cls.specs.map((s) => land(...Object.entries(s.fixed ?? {}).map(([fname, v]) => {
          const f = cls.fields.find((x) => x.name === fname);
          if (!f) throw new Error(`internal: ${s.mnemonic} fixes unknown field ${fname}`);
          return eq(raw.get(fname)!, lit(f.width, v));
        })))));
      }
      const reserved = ((1n << BigInt(WORD_BITS)) - 1n) & ~used;
      if (reserved !== 0n) checks.push(eq(and(ir, lit(WORD_BITS, reserved)), lit(WORD_BITS, 0)));
      const is = m.output(`is_${cls.name}`, 1, `${cls.specs.map((s) => s.mnemonic).join(', ')} (opcode ${cls.opcode})`);
      m.assign(is, land(...checks));
      isAll.push(is);
    }
    m.assign(m.output('legal', 1, 'the word is a legal instruction'), lor(...isAll));
    return m.build();
  });
}
