import { describe, expect, it } from 'vitest';
import { assemble } from '../src/isa/assembler.js';
import { disassemble, disassembleWord } from '../src/isa/disassembler.js';
import { formatDiagnostic } from '../src/isa/diagnostic.js';
import { decode } from '../src/isa/encoding.js';
import { ISA } from '../src/isa/table.js';
import { pick, prng, randomWord, word64 } from './isa-random.js';

function reassemble(text: string): bigint[] {
  const r = assemble(text, 'disasm.s');
  if (!r.ok) throw new Error(`${r.diagnostics.map(formatDiagnostic).join('\n')}\n--- source ---\n${text}`);
  return r.words;
}

/** A random program: mostly legal instructions of every kind, some illegal words. */
function randomProgram(rnd: () => number, n: number): bigint[] {
  return Array.from({ length: n }, () => {
    const r = rnd();
    if (r < 0.1) return word64(rnd); // almost always illegal
    // Targets mostly inside the program (so they print as labels), sometimes anywhere.
    return randomWord(rnd, pick(rnd, ISA), rnd() < 0.8 ? n - 1 : undefined);
  });
}

describe('disassembler', () => {
  it('prints readable assembly with generated labels and illegal words as .word', () => {
    const src = 'L: li r1, 3\n  mm sp[r1+2], sp[0], 8, acc=1\n  fence DMA|VPU\n  cfg LR_SHIFT, r2, -1\n  bne r1, r0, L\n  .word 0xffffffffffffffff\n  halt';
    const words = reassemble(src);
    expect(disassemble(words, { comments: false })).toBe([
      'L0:',
      '    addi r1, r0, 3',
      '    mm sp[r1+2], sp[0], 8, acc=1',
      '    fence DMA|VPU',
      '    cfg LR_SHIFT, r2, -1',
      '    bne r1, r0, L0',
      `${'    .word 0xffffffffffffffff'.padEnd(40)} ; illegal: unknown opcode 63`,
      '    halt',
      '',
    ].join('\n'));
    const withComments = disassemble(words).split('\n');
    expect(withComments[1]).toMatch(/^ {4}addi r1, r0, 3 +; 0000: 0840000000000003$/);
    expect(disassembleWord(words[1]!)).toEqual({ text: 'mm sp[r1+2], sp[0], 8, acc=1' });
    expect(disassembleWord(1n << 57n).illegal).toMatch(/reserved bits/);
  });

  it('round-trips asm → disasm → asm over random programs (labels, comments, illegal words)', () => {
    const rnd = prng(0xa5e);
    let illegal = 0;
    for (let p = 0; p < 200; p++) {
      const words = randomProgram(rnd, 1 + Math.floor(rnd() * 60));
      illegal += words.filter((w) => !decode(w).ok).length;
      for (const opts of [{}, { labels: false, comments: false }]) {
        expect(reassemble(disassemble(words, opts))).toEqual(words);
      }
      // And the text itself is a fixed point.
      const text = disassemble(words);
      expect(disassemble(reassemble(text))).toBe(text);
    }
    expect(illegal).toBeGreaterThan(50);
  });

  it('round-trips every mnemonic at its field extremes', () => {
    const rnd = prng(3);
    for (const spec of ISA) {
      const words = Array.from({ length: 200 }, () => randomWord(rnd, spec));
      expect(reassemble(disassemble(words, { labels: false }))).toEqual(words);
    }
  });
});
