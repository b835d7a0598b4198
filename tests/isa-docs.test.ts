import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bitDiagram, generateIsaDoc } from '../src/isa/docs.js';
import { ISA, ISA_BY_MNEMONIC, CFG_REGS, ERROR_CODES } from '../src/isa/table.js';
import { assemble } from '../src/isa/assembler.js';
import { presetConfig } from '../src/config/index.js';

const DOC = fileURLToPath(new URL('../docs/isa.md', import.meta.url));

describe('docs/isa.md', () => {
  it('is up to date with src/isa/table.ts', () => {
    const want = generateIsaDoc();
    const have = readFileSync(DOC, 'utf8');
    // On failure: run `npm run docs` (node dist/src/cli/main.js docs --out docs/isa.md) and commit docs/isa.md.
    expect(have === want, 'docs/isa.md is stale: regenerate it with `npm run docs`').toBe(true);
  });

  it('is deterministic and covers every instruction, cfg register and error code', () => {
    const doc = generateIsaDoc();
    expect(generateIsaDoc()).toBe(doc);
    for (const s of ISA) expect(doc).toContain(`### \`${s.mnemonic}\``);
    for (const r of CFG_REGS) expect(doc).toContain(`\`${r}\``);
    for (const e of Object.keys(ERROR_CODES)) expect(doc).toContain(`\`${e}\``);
    expect(doc).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('draws every bit of the word once, fields at their positions', () => {
    const d = bitDiagram(ISA_BY_MNEMONIC.get('vadd')!).split('\n');
    expect(d[2]).toBe('| 011000 | fn=1  | dmem  | dreg  | doff  | smem  | sreg  | soff  | 0     | count |');
    expect(d[0]!.indexOf('57:54')).toBe(d[2]!.indexOf('fn=1'));
    for (const s of ISA) {
      const ranges = bitDiagram(s).split('\n')[0]!.trim().split(/\s+/).map((r) => r.split(':').map(Number));
      const width = ranges.reduce((n, [h, l]) => n + h! - (l ?? h!) + 1, 0);
      expect(width, s.mnemonic).toBe(64);
    }
  });
});

describe('docs/assembly.md', () => {
  it('has examples that assemble for the default config', () => {
    const md = readFileSync(fileURLToPath(new URL('../docs/assembly.md', import.meta.url)), 'utf8');
    const blocks = [...md.matchAll(/```asm\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      const r = assemble(b, 'assembly.md', { config: presetConfig('default') });
      expect(r.ok ? [] : r.diagnostics).toEqual([]);
    }
  });
});
