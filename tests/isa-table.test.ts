import { describe, expect, it } from 'vitest';
import { ISA, ISA_BY_MNEMONIC, MEM_CODES, OPCODE_LSB, CFG_REGS, VALU_FNS, UNIT_BITS } from '../src/isa/table.js';
import { fieldRange } from '../src/isa/encoding.js';

const bitsOf = (lsb: number, width: number): bigint => ((1n << BigInt(width)) - 1n) << BigInt(lsb);

describe('ISA table self-checks', () => {
  it('has unique mnemonics, all lower-case identifiers', () => {
    const names = ISA.map((s) => s.mnemonic);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9]*$/);
    expect(ISA_BY_MNEMONIC.size).toBe(ISA.length);
  });

  it('keeps every field inside bits 0..57, with no overlap between fields or with the opcode', () => {
    for (const s of ISA) {
      let used = bitsOf(OPCODE_LSB, 64 - OPCODE_LSB);
      const names = new Set<string>();
      for (const f of s.fields) {
        expect(f.width, `${s.mnemonic}.${f.name}`).toBeGreaterThan(0);
        expect(f.lsb, `${s.mnemonic}.${f.name}`).toBeGreaterThanOrEqual(0);
        expect(f.lsb + f.width, `${s.mnemonic}.${f.name}`).toBeLessThanOrEqual(OPCODE_LSB);
        const m = bitsOf(f.lsb, f.width);
        expect(used & m, `${s.mnemonic}.${f.name} overlaps`).toBe(0n);
        used |= m;
        expect(names.has(f.name), `${s.mnemonic}: field ${f.name} twice`).toBe(false);
        names.add(f.name);
      }
    }
  });

  it('gives every opcode + fixed-field combination to one mnemonic only', () => {
    const seen = new Map<string, string>();
    for (const s of ISA) {
      const key = `${s.opcode}/${JSON.stringify(Object.entries(s.fixed ?? {}).sort())}`;
      expect(seen.get(key), `${s.mnemonic} collides`).toBeUndefined();
      seen.set(key, s.mnemonic);
      expect(s.opcode).toBeGreaterThanOrEqual(0);
      expect(s.opcode).toBeLessThan(64);
    }
    // Mnemonics sharing an opcode must be told apart by the same fixed field(s).
    const byOp = new Map<number, string[]>();
    for (const s of ISA) byOp.set(s.opcode, [...(byOp.get(s.opcode) ?? []), s.mnemonic]);
    for (const [op, ms] of byOp) {
      if (ms.length < 2) continue;
      const keys = ms.map((m) => Object.keys(ISA_BY_MNEMONIC.get(m)!.fixed ?? {}).sort().join());
      expect(new Set(keys).size, `opcode ${op}`).toBe(1);
      expect(keys[0], `opcode ${op}`).not.toBe('');
    }
  });

  it('has valid enum, mem, fixed, operand and option references', () => {
    for (const s of ISA) {
      const field = (n: string) => s.fields.find((f) => f.name === n);
      for (const f of s.fields) {
        if (f.kind === 'enum') {
          expect(f.values?.length, `${s.mnemonic}.${f.name}`).toBeGreaterThan(0);
          expect(f.values!.length).toBeLessThanOrEqual(2 ** f.width);
          expect(new Set(f.values).size).toBe(f.values!.length);
        }
        if (f.kind === 'mem') {
          expect(f.mems?.length, `${s.mnemonic}.${f.name}`).toBeGreaterThan(0);
          for (const m of f.mems!) expect(MEM_CODES[m]).toBeLessThan(2 ** f.width);
        }
        if (f.kind === 'flag') expect(f.width).toBe(1);
        if (f.kind === 'reg') expect(f.width).toBe(4);
      }
      for (const [k, v] of Object.entries(s.fixed ?? {})) {
        const f = field(k);
        expect(f, `${s.mnemonic}: fixed ${k}`).toBeDefined();
        const { lo, hi } = fieldRange(f!);
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(hi);
      }
      const covered = new Set<string>(Object.keys(s.fixed ?? {}));
      for (const o of s.operands) {
        const refs = o.type === 'addr' ? [o.reg, o.imm, ...('field' in o.mem ? [o.mem.field] : [])] : [o.field];
        for (const r of refs) {
          expect(field(r), `${s.mnemonic}: operand field ${r}`).toBeDefined();
          expect(covered.has(r), `${s.mnemonic}: ${r} set twice`).toBe(false);
          covered.add(r);
        }
        if (o.type === 'reg') expect(field(o.field)!.kind).toBe('reg');
        if (o.type === 'enum') expect(field(o.field)!.kind).toBe('enum');
        if (o.type === 'addr') {
          expect(field(o.reg)!.kind).toBe('reg');
          if ('field' in o.mem) expect(field(o.mem.field)!.kind).toBe('mem');
        }
      }
      for (const o of s.options) {
        expect(field(o), `${s.mnemonic}: option ${o}`).toBeDefined();
        expect(covered.has(o)).toBe(false);
        covered.add(o);
      }
      // Every field is reachable from assembly (else the assembler could not write it).
      for (const f of s.fields) expect(covered.has(f.name), `${s.mnemonic}.${f.name} unreachable`).toBe(true);
    }
  });

  it('keeps the shared enums consistent', () => {
    expect(CFG_REGS.length).toBeLessThanOrEqual(64);
    const valu = ISA.filter((s) => s.fixed?.fn !== undefined).map((s) => s.mnemonic);
    expect(valu).toEqual(VALU_FNS.map((f) => `v${f}`));
    expect(UNIT_BITS.ALL).toBe(UNIT_BITS.DMA | UNIT_BITS.MXU | UNIT_BITS.DRN | UNIT_BITS.VPU);
  });
});
