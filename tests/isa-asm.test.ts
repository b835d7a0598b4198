import { describe, expect, it } from 'vitest';
import { assemble, type AsmResult } from '../src/isa/assembler.js';
import { formatDiagnostic } from '../src/isa/diagnostic.js';
import { encode } from '../src/isa/encoding.js';
import { ISA_BY_MNEMONIC, CFG_REGS } from '../src/isa/table.js';
import { presetConfig } from '../src/config/index.js';
import { prng, pick } from './isa-random.js';

const enc = (m: string, v: Record<string, number> = {}): bigint => encode(ISA_BY_MNEMONIC.get(m)!, v);

function words(src: string): bigint[] {
  const r = assemble(src, 'prog.s');
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.words;
}

/** The diagnostics of a failing assembly, formatted `file:line:col: message`. */
function errors(src: string, opts: Parameters<typeof assemble>[2] = {}): string[] {
  const r: AsmResult = assemble(src, 'prog.s', opts);
  if (r.ok) throw new Error('expected errors, assembled fine');
  return r.diagnostics.map(formatDiagnostic);
}

describe('assembler: syntax', () => {
  it('assembles every operand form as the table encodes it', () => {
    const src = [
      'start: li r1, 4            ; comment',
      'loop:  mm sp[r1], sp[r2+64], 32, bank=1, acc=1, tl=1   // comment',
      '  cfg QSHIFT, r0, 7        # comment',
      '  fence DMA|MXU',
      '  ld acc[r3+4], main[r4+0x100], 2, 8',
      '  st main[16], sp[r1], 1, 8',
      '  drain grad[r5], t=1, add=1',
      '  vadd acc[r1], sp[r2], 16',
      '  rq sp[0], acc[4], 8, relu=1',
      '  sgd sp[0], grad[0], 8, clear=1',
      '  bne r1, r2, loop',
      '  jmp start',
      '  halt',
    ].join('\n');
    expect(words(src)).toEqual([
      enc('addi', { rd: 1, rs: 0, imm: 4 }),
      enc('mm', { lreg: 1, loff: 0, treg: 2, toff: 64, k: 32, bank: 1, acc: 1, tl: 1 }),
      enc('cfg', { reg: CFG_REGS.indexOf('QSHIFT'), rs: 0, imm: 7 }),
      enc('fence', { mask: 3 }),
      enc('ld', { mem: 1, lreg: 3, loff: 4, mreg: 4, moff: 0x100, rows: 2, elems: 8 }),
      enc('st', { mem: 0, lreg: 1, loff: 0, mreg: 0, moff: 16, rows: 1, elems: 8 }),
      enc('drain', { mem: 2, dreg: 5, add: 1, t: 1 }),
      enc('vadd', { dmem: 1, dreg: 1, smem: 0, sreg: 2, count: 16 }),
      enc('rq', { smem: 1, soff: 4, count: 8, relu: 1 }),
      enc('sgd', { count: 8, clear: 1 }),
      enc('bne', { rs: 1, rt: 2, target: 1 }),
      enc('jmp', { target: 0 }),
      enc('halt'),
    ]);
  });

  it('evaluates constants, labels and expressions (forward references too)', () => {
    const r = assemble([
      '.equ N, 4',
      'M = (N + 1) * 2 | 0b1_0000',
      'K = end - start',
      'start: addi r1, r0, M',
      '  addi r2, r0, -N*2',
      '  addi r3, r0, 1_000_000 + 0xFF',
      '  addi r4, r0, K',
      '  addi r5, r0, 1 << 4 & ~1',
      'end: beq r1, r2, end',
    ].join('\n'), 'p.s');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.constants.get('M')).toBe(26n);
    expect(r.constants.get('K')).toBe(5n);
    expect(r.labels).toEqual(new Map([['start', 0], ['end', 5]]));
    expect(r.words.slice(0, 5)).toEqual([
      enc('addi', { rd: 1, imm: 26 }), enc('addi', { rd: 2, imm: -8 }), enc('addi', { rd: 3, imm: 1_000_255 }),
      enc('addi', { rd: 4, imm: 5 }), enc('addi', { rd: 5, imm: 16 }),
    ]);
    expect(r.listing[5]).toEqual({ addr: 5, word: r.words[5], line: 9, source: 'end: beq r1, r2, end' });
  });

  it('accepts labels alone on a line, several labels, CRLF, a BOM and mixed case mnemonics', () => {
    expect(words('\uFEFFa:\r\nb: c:\r\n  NOP\r\n  JMP b\r\n')).toEqual([enc('nop'), enc('jmp', { target: 0 })]);
  });

  it('takes a 32-bit bit pattern for a signed 32-bit immediate', () => {
    expect(words('li r1, 0xffffffff')).toEqual([enc('addi', { rd: 1, imm: -1 })]);
    expect(words('li r1, -2147483648')).toEqual([enc('addi', { rd: 1, imm: -(2 ** 31) })]);
  });

  it('writes counts as the natural count and enums by name (any case) or code', () => {
    expect(words('mm sp[0], sp[0], 4096')).toEqual([enc('mm', { k: 4096 })]);
    expect(words('cfg seed, r2, 1\ncfg 6, r2, 1')).toEqual([enc('cfg', { reg: 6, rs: 2, imm: 1 }), enc('cfg', { reg: 6, rs: 2, imm: 1 })]);
  });

  it('emits raw words with .word (also illegal ones, for fault tests)', () => {
    expect(words('.word 0xdeadbeef_00000001\n.word -1\n.word L\nL: nop')).toEqual([0xdeadbeef00000001n, (1n << 64n) - 1n, 3n, enc('nop')]);
  });

  it('accepts options in any order and addresses with a negative offset expression that stays in range', () => {
    expect(words('mm sp[r1-4+8], sp[0], 1, tt=1, bank=1')).toEqual([enc('mm', { lreg: 1, loff: 4, k: 1, tt: 1, bank: 1 })]);
  });
});

describe('assembler: diagnostics', () => {
  it('rejects binary input with one error at 1:1', () => {
    expect(errors('nop\0\0\x01\x02')).toEqual(['prog.s:1:1: not a text file (contains NUL bytes or invalid UTF-8): expected assembly source']);
    const invalidUtf8 = Buffer.from([0x6e, 0x6f, 0x70, 0x0a, 0xff, 0xfe, 0xc3]).toString('utf8');
    expect(errors(invalidUtf8)).toHaveLength(1);
  });

  it('rejects an empty file and a file of only comments', () => {
    for (const src of ['', '\n\n', '; only a comment\n// and another\n# and one more', 'x: ; a label\n.equ A, 1']) {
      expect(errors(src)).toEqual(['prog.s:1:1: no instructions (the file is empty or holds only comments, labels and constants)']);
    }
  });

  it('names the unknown mnemonic and suggests a close one', () => {
    expect(errors('nop\nnop\n  mmm sp[0], sp[0], 1')).toEqual(['prog.s:3:3: unknown mnemonic "mmm" (did you mean "mm"?)']);
    expect(errors('frobnicate')).toEqual(['prog.s:1:1: unknown mnemonic "frobnicate"']);
  });

  it('reports a wrong operand count with the expected syntax', () => {
    expect(errors('mm sp[0], sp[0]')).toEqual([
      'prog.s:1:1: mm expects 3 operands (mm sp[lreg+loff], sp[treg+toff], k [, bank=…] [, acc=…] [, tl=…] [, tt=…]), found 2',
    ]);
    expect(errors('nop r1')).toEqual(['prog.s:1:5: nop expects 0 operands (nop), found 1']);
    expect(errors('li r1')).toEqual(['prog.s:1:1: li expects 2 operands (li rd, imm), found 1']);
    expect(errors('mm sp[0], sp[0], 4, acc')[0]).toMatch(/^prog.s:1:21: mm expects 3 operands .*, found 4; options are written name=value, e.g. acc=1$/);
    expect(errors('li r1, 4, x=1')).toEqual(['prog.s:1:11: li takes no options, found "x=1"']);
  });

  it('reports immediates out of range with the field and its range', () => {
    expect(errors('nop\nnop\n  ld sp[r1+70000], main[0], 1, 1')).toEqual(['prog.s:3:12: immediate 70000 out of range for loff (0..16383)']);
    expect(errors('mm sp[0], sp[0], 0')).toEqual(['prog.s:1:18: count 0 out of range for k (1..4096)']);
    expect(errors('mm sp[0], sp[0], 1, acc=2')).toEqual(['prog.s:1:25: value 2 out of range for option acc (0..1)']);
    expect(errors('li r1, 0x100000000')[0]).toContain('immediate 4294967296 out of range for imm (-2147483648..2147483647, or 0..0xffffffff as a bit pattern)');
    expect(errors('jmp 65536')).toEqual(['prog.s:1:5: branch target 65536 out of range (0..65535)']);
    expect(errors('ld sp[r1-4], main[0], 1, 1')).toEqual(['prog.s:1:9: immediate -4 out of range for loff (0..16383)']);
  });

  it('reports a register where one is expected, with what was found', () => {
    expect(errors('nop\nnop\naddi r1, x5, 3')).toEqual(['prog.s:3:10: expected a register (r0..r15), found "x5"']);
    expect(errors('addi r16, r0, 1')).toEqual(['prog.s:1:6: expected a register (r0..r15), found "r16"']);
    expect(errors('mm sp[4+r1], sp[0], 1')[0]).toBe('prog.s:1:9: expected a number, constant or label, found register "r1" (in an address write the register first: sp[r1+offset])');
    expect(errors('mm sp[0], sp[0], r3')).toEqual(['prog.s:1:18: expected a count for k, found register "r3"']);
  });

  it('reports undefined and duplicate labels', () => {
    expect(errors('loop: nop\n  jmp loop2')).toEqual(['prog.s:2:7: undefined label "loop2" (did you mean "loop"?)']);
    expect(errors('nop\nloop: nop\nloop: nop')).toEqual(['prog.s:3:1: duplicate label "loop" (first defined at 2:1)']);
    expect(errors('A = 1\nA: nop')).toEqual(['prog.s:2:1: duplicate label "A" (first defined as a constant at 1:1)']);
    expect(errors('DMA = 3\nnop')[0]).toContain('redefines a predefined constant');
    expect(errors('r3: nop')[0]).toContain('is spelled like a register');
  });

  it('reports bad number literals', () => {
    expect(errors('li r1, 0xZZ')).toEqual(['prog.s:1:8: bad number literal "0xZZ": expected hex digits (0-9, a-f) after 0x']);
    expect(errors('li r1, 12ab')).toEqual(['prog.s:1:8: bad number literal "12ab": expected decimal digits (0-9)']);
    expect(errors('li r1, 0b102')).toEqual(['prog.s:1:8: bad number literal "0b102": expected binary digits (0, 1) after 0b']);
    expect(errors('li r1, 1__0')).toEqual(['prog.s:1:8: bad number literal "1__0": "_" may only separate digits']);
    expect(errors('li r1, 0x')).toEqual(['prog.s:1:8: bad number literal "0x": expected hex digits (0-9, a-f) after 0x']);
  });

  it('reports unknown options and options given twice', () => {
    expect(errors('mm sp[0], sp[0], 1, bnk=1')).toEqual(['prog.s:1:21: unknown option "bnk" for mm (expected bank, acc, tl, tt) (did you mean "bank"?)']);
    expect(errors('mm sp[0], sp[0], 1, bank=1, acc=1, bank=0')).toEqual(['prog.s:1:36: option "bank" given twice (first at column 21)']);
    expect(errors('ld sp[0], main[0], 1, 1, x=1')).toEqual(['prog.s:1:26: ld takes no options, found "x=1"']);
    expect(errors('mm sp[0], sp[0], bank=1, 4')).toEqual(['prog.s:1:26: expected an option (name=value) after the first option, found "4"; options go last']);
  });

  it('reports an unterminated bracket and other structure errors', () => {
    expect(errors('mm sp[r1], sp[r2+4, 1')).toEqual(['prog.s:1:19: expected "]" to close "[" at column 14, found ","']);
    expect(errors('mm sp[r1], sp[r2+4')).toEqual(['prog.s:1:19: expected "]" to close "[" at column 14, found end of line']);
    expect(errors('li r1, (3 + 4')).toEqual(['prog.s:1:14: expected ")" to close "(" at column 8, found end of line']);
    expect(errors('li r1, 3 @')[0]).toBe('prog.s:1:10: unexpected character "@"');
    expect(errors('.org 5\nnop')[0]).toBe('prog.s:1:1: unknown directive ".org" (expected .equ or .word)');
    expect(errors('li r1,, 3')[0]).toBe('prog.s:1:7: expected an operand, found ","');
    expect(errors('drain sp[0]')).toEqual(['prog.s:1:7: memory "sp" not allowed here: drain expects {acc|grad}[rN+offset]']);
    expect(errors('ld spp[0], main[0], 1, 1')[0]).toContain('unknown memory "spp" (expected sp or acc or grad) (did you mean "sp"?)');
    expect(errors('ld main[0], sp[0], 1, 1')[0]).toContain('memory "main" not allowed here: ld expects {sp|acc|grad}[rN+offset]');
    expect(errors('cfg QSHFT, r0, 1')[0]).toContain('expected a configuration register (DMA_STRIDE, QMUL, QSHIFT');
    expect(errors('cfg QSHFT, r0, 1')[0]).toContain('(did you mean "QSHIFT"?)');
    expect(errors('A = B\nB = A + 1\nnop\nnop A')).toEqual([
      'prog.s:2:5: circular definition: constant "A" depends on itself',
      'prog.s:4:5: nop expects 0 operands (nop), found 1',
    ]);
  });

  it('collects every error in the file, in line order', () => {
    const errs = errors(['mmm', 'nop', 'jmp nowhere', 'li r1, 0xZZ', 'addi r1, r2', 'halt'].join('\n'));
    expect(errs.map((e) => e.split(':').slice(0, 2).join(':'))).toEqual(['prog.s:1', 'prog.s:3', 'prog.s:4', 'prog.s:5']);
  });

  it('does not cascade: a bad line keeps its slot, so later labels keep their addresses', () => {
    const r = assemble('mm sp[0\nL: jmp L', 'p.s');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toHaveLength(1);
  });

  it('survives hostile nesting and long chains', () => {
    expect(errors(`li r1, ${'('.repeat(100000)}1`)[0]).toMatch(/nested too deeply/);
    expect(errors(`li r1, ${'-'.repeat(100000)}1`)[0]).toMatch(/nested too deeply/);
    expect(errors(`li r1, ${Array(20000).fill('1').join('+')}`)[0]).toMatch(/expression too long/);
    expect(errors(`li r1, ${Array(900).fill('0x1000000').join('+')}`)[0]).toMatch(/out of range for imm/);
    expect(errors(`li r1, 1${'<<100'.repeat(3)}`)[0]).toMatch(/too large/);
    const chain = (n: number): string => Array.from({ length: n }, (_, i) => `C${i} = C${i + 1} + 1`).join('\n') + `\nC${n} = 0\nli r1, C0`;
    expect(assemble(chain(400), 'p.s').ok).toBe(true);
    expect(errors(chain(50000)).some((e) => /nested too deeply/.test(e))).toBe(true);
  });

  it('never throws on random garbage', () => {
    const rnd = prng(2024);
    const bits = ['mm', 'ld', 'sp[', 'r1', 'r99', ']', ',', '(', ')', '+', '-', '*', '|', '0x', '12', 'x', '=', ':', '.equ', '.word', 'bank=1', ';', '\t', 'main[', '<<', '#', '"', '\\', '0b2', '9'.repeat(40)];
    for (let i = 0; i < 2000; i++) {
      const src = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () =>
        Array.from({ length: Math.floor(rnd() * 8) }, () => pick(rnd, bits)).join(rnd() < 0.5 ? ' ' : '')).join('\n');
      const r = assemble(src, 'fuzz.s');
      if (!r.ok) for (const d of r.diagnostics) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(d.message).not.toMatch(/internal/);
      }
    }
  });
});

describe('assembler: config limits', () => {
  const up5k = presetConfig('ice40-up5k'); // W = 4, imemWords = 512, spRows = 512, mainBytes = 64 KiB

  it('rejects elems > W for ld/st, naming W and the config', () => {
    expect(words('ld sp[0], main[0], 1, 8')).toHaveLength(1);
    expect(errors('ld sp[0], main[0], 1, 8', { config: up5k })).toEqual([
      'prog.s:1:23: elems 8 exceeds the vector width W = 4 of config ice40-up5k (a DMA row moves at most W elements; the chip would stop with ILLEGAL_INSTRUCTION)',
    ]);
  });

  it('rejects branch targets outside instruction memory', () => {
    expect(errors('L: jmp 600\nbeq r1, r2, 512', { config: up5k })).toEqual([
      'prog.s:1:8: branch target 600 is outside instruction memory (imemWords = 512 in config ice40-up5k)',
      'prog.s:2:13: branch target 512 is outside instruction memory (imemWords = 512 in config ice40-up5k)',
    ]);
  });

  it('rejects a program longer than instruction memory', () => {
    const src = Array(513).fill('nop').join('\n');
    expect(assemble(src, 'p.s').ok).toBe(true);
    expect(errors(src, { config: up5k })).toEqual([
      'prog.s:513:1: program has 513 words but instruction memory holds 512 (imemWords in config ice40-up5k); this is the first word that does not fit',
    ]);
  });

  it('rejects fixed (r0-based) addresses outside a memory, but not register-based ones', () => {
    expect(errors('ld sp[600], main[0], 1, 1\nst main[70000], acc[0], 1, 1', { config: up5k })).toEqual([
      'prog.s:1:4: sp row 600 is outside the scratchpad (spRows = 512 in config ice40-up5k)',
      'prog.s:2:4: main byte address 70000 is outside main memory (mainBytes = 65536 in config ice40-up5k)',
    ]);
    expect(assemble('ld sp[r1+600], main[0], 1, 1', 'p.s', { config: up5k }).ok).toBe(true);
  });
});
