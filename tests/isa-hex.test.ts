import { describe, expect, it } from 'vitest';
import { formatHex, hexConfigMismatch, parseHex } from '../src/isa/hex.js';
import { formatDiagnostic } from '../src/isa/diagnostic.js';
import { presetConfig } from '../src/config/index.js';
import { prng, word64 } from './isa-random.js';

const errs = (text: string): string[] => {
  const r = parseHex(text, 'p.hex');
  if (r.ok) throw new Error('expected errors');
  return r.diagnostics.map(formatDiagnostic);
};

describe('hex image', () => {
  const cfg = presetConfig('default');

  it('writes a config header and one 16-digit lower-case word a line', () => {
    const text = formatHex([1n, 0xdeadbeefn << 32n, (1n << 64n) - 1n], cfg);
    expect(text).toBe(`// accelgen program; config default ${cfg.derived.hash}; 3 words\n0000000000000001\ndeadbeef00000000\nffffffffffffffff\n`);
    expect(formatHex([0n])).toBe('// accelgen program; 1 word\n0000000000000000\n');
  });

  it('round-trips random images and returns the config hash', () => {
    const rnd = prng(11);
    for (let i = 0; i < 50; i++) {
      const words = Array.from({ length: 1 + Math.floor(rnd() * 100) }, () => word64(rnd));
      const r = parseHex(formatHex(words, cfg), 'p.hex');
      expect(r).toEqual({ ok: true, words, configHash: cfg.derived.hash, configName: 'default' });
    }
    const bare = parseHex(formatHex([5n]), 'p.hex');
    expect(bare).toEqual({ ok: true, words: [5n] });
  });

  it('reads what $readmemh reads: short words, several a line, comments, blank lines, CRLF', () => {
    const r = parseHex('// hi\r\n\r\n1 2 // two words\r\nABCDEF\r\n', 'p.hex');
    expect(r).toEqual({ ok: true, words: [1n, 2n, 0xabcdefn] });
  });

  it('reports bad digits, too many digits, empty and binary input with file:line:column', () => {
    expect(errs('// h\n00000000000000zz\n')).toEqual(['p.hex:2:15: bad hex digit "z" in "00000000000000zz": expected 0-9 or a-f']);
    expect(errs('0\n  00000000000000001\n')).toEqual(['p.hex:2:3: too many digits: "00000000000000001" has 17 hex digits, a 64-bit word has at most 16']);
    expect(errs('')).toEqual(['p.hex:1:1: empty program image: no words']);
    expect(errs('// accelgen program; 0 words\n')).toEqual(['p.hex:1:1: empty program image: no words']);
    expect(errs('@10\n0')[0]).toBe('p.hex:1:1: bad hex digit "@" in "@10": expected 0-9 or a-f (address directives "@" are not supported)');
    expect(errs('\0\x01')).toEqual(['p.hex:1:1: not a text file (contains NUL bytes or invalid UTF-8): expected a hex program image']);
    expect(errs('x\ny\n')).toHaveLength(2);
  });

  it('lets callers detect an image built for another config', () => {
    const img = parseHex(formatHex([1n], presetConfig('ice40-up5k')), 'p.hex');
    expect(img.ok).toBe(true);
    if (!img.ok) return;
    expect(img.configHash).toBe(presetConfig('ice40-up5k').derived.hash);
    expect(hexConfigMismatch(img, presetConfig('ice40-up5k'))).toBeUndefined();
    expect(hexConfigMismatch(img, cfg)).toBe(
      `program was built for config ice40-up5k (hash ${presetConfig('ice40-up5k').derived.hash}), not config default (hash ${cfg.derived.hash})`,
    );
    expect(hexConfigMismatch({ words: Array(600).fill(0n) }, presetConfig('ice40-up5k'))).toMatch(/600 words .* imemWords = 512/);
  });
});
