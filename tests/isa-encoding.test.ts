import { describe, expect, it } from 'vitest';
import { ISA, OPCODE_LSB } from '../src/isa/table.js';
import { decode, encode, wordToHex } from '../src/isa/encoding.js';
import { prng, randomValues, word64 } from './isa-random.js';

describe('encode/decode', () => {
  it('round-trips thousands of random legal instructions of every mnemonic', () => {
    const rnd = prng(0x15a);
    for (const spec of ISA) {
      for (let i = 0; i < 300; i++) {
        const v = randomValues(rnd, spec);
        const w = encode(spec, v);
        expect(w >> 64n).toBe(0n);
        expect(Number(w >> BigInt(OPCODE_LSB))).toBe(spec.opcode);
        const d = decode(w);
        if (!d.ok) throw new Error(`${spec.mnemonic} ${JSON.stringify(v)}: ${d.reason}`);
        expect(d.instr.spec.mnemonic).toBe(spec.mnemonic);
        expect(d.instr.f).toEqual(v);
        expect(encode(d.instr.spec, d.instr.f)).toBe(w);
      }
    }
  });

  it('rejects reserved bits, for every instruction with unused bits', () => {
    const rnd = prng(7);
    for (const spec of ISA) {
      let used = 0n;
      for (const f of spec.fields) used |= ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
      const free = [...Array(OPCODE_LSB).keys()].filter((b) => ((used >> BigInt(b)) & 1n) === 0n);
      if (free.length === 0) continue;
      const w = encode(spec, randomValues(rnd, spec)) | (1n << BigInt(free[Math.floor(rnd() * free.length)]!));
      const d = decode(w);
      expect(d.ok, spec.mnemonic).toBe(false);
      if (!d.ok) expect(d.reason).toMatch(/reserved bits/);
    }
  });

  it('never throws on random words, and whatever decodes re-encodes identically', () => {
    const rnd = prng(99);
    let legal = 0;
    for (let i = 0; i < 20000; i++) {
      const w = word64(rnd);
      const d = decode(w);
      if (d.ok) {
        legal++;
        expect(encode(d.instr.spec, d.instr.f)).toBe(w);
      } else expect(d.reason.length).toBeGreaterThan(0);
    }
    expect(legal).toBeGreaterThan(0);
  });

  it('formats words as 16 lower-case hex digits', () => {
    expect(wordToHex(1n)).toBe('0000000000000001');
    expect(wordToHex(-1n)).toBe('ffffffffffffffff');
  });
});
