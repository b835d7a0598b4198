import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { register as registerAsm } from '../src/cli/commands/asm.js';
import { register as registerDisasm } from '../src/cli/commands/disasm.js';
import { register as registerDocs } from '../src/cli/commands/docs.js';
import { CliError } from '../src/cli/errors.js';
import { generateIsaDoc } from '../src/isa/docs.js';
import { presetConfig } from '../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'accelgen-isa-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
});
afterEach(() => vi.restoreAllMocks());

async function run(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerAsm(program);
  registerDisasm(program);
  registerDocs(program);
  await program.parseAsync(['node', 'accelgen', ...args]);
}

const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('CLI asm / disasm / docs', () => {
  it('assembles to a hex image tagged with the config, and disassembles it back', async () => {
    const prog = file('ok.s', 'L: li r1, 5\n  bne r1, r0, L\n  halt\n');
    const hex = join(dir, 'ok.hex');
    await run('asm', prog, '-o', hex, '--config', 'ice40-up5k');
    const text = readFileSync(hex, 'utf8');
    expect(text.split('\n')[0]).toBe(`// accelgen program; config ice40-up5k ${presetConfig('ice40-up5k').derived.hash}; 3 words`);
    await run('disasm', hex, '--no-comments');
    expect(out).toBe('L0:\n    addi r1, r0, 5\n    bne r1, r0, L0\n    halt\n');
  });

  it('defaults the output name and prints a JSON summary with --json', async () => {
    const prog = file('json.s', 'start: halt\n');
    await run('asm', prog, '--json');
    expect(existsSync(join(dir, 'json.hex'))).toBe(true);
    expect(JSON.parse(out)).toMatchObject({ ok: true, words: 1, labels: { start: 0 }, config: { name: 'default' } });
  });

  it('prints every diagnostic file:line:col and fails with a CliError, writing nothing', async () => {
    const prog = file('bad.s', 'mmm\nnop\njmp nowhere\n');
    const hex = join(dir, 'bad.hex');
    await expect(run('asm', prog, '-o', hex)).rejects.toThrow(CliError);
    expect(err).toBe(`${prog}:1:1: unknown mnemonic "mmm" (did you mean "mm"?)\n${prog}:3:5: undefined label "nowhere"\n`);
    expect(existsSync(hex)).toBe(false);
  });

  it('reports config limits (elems > W on a 2×4 array)', async () => {
    const prog = file('w.s', 'ld sp[0], main[0], 1, 8\nhalt\n');
    await expect(run('asm', prog, '--config', 'ice40-up5k')).rejects.toThrow(/1 error/);
    expect(err).toContain(':1:23: elems 8 exceeds the vector width W = 4');
  });

  it('rejects binary input cleanly', async () => {
    const prog = file('bin.s', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0xff, 0xfe]));
    await expect(run('asm', prog)).rejects.toThrow(CliError);
    expect(err).toBe(`${prog}:1:1: not a text file (contains NUL bytes or invalid UTF-8): expected assembly source\n`);
  });

  it('refuses to disassemble an image against a different --config, and bad images', async () => {
    const prog = file('m.s', 'halt\n');
    const hex = join(dir, 'm.hex');
    await run('asm', prog, '-o', hex, '--config', 'ice40-up5k');
    await expect(run('disasm', hex, '--config', 'default')).rejects.toThrow(/built for config ice40-up5k .* not config default/);
    await run('disasm', hex); // no --config: any image can be inspected
    expect(out).toContain('halt');
    const bad = file('bad.hex', '0123\nxyz\n');
    await expect(run('disasm', bad)).rejects.toThrow(/not a valid hex program image/);
    expect(err).toContain(`${bad}:2:1: bad hex digit "x"`);
  });

  it('writes docs/isa.md content', async () => {
    const target = join(dir, 'sub', 'isa.md');
    await run('docs', '--out', target);
    expect(readFileSync(target, 'utf8')).toBe(generateIsaDoc());
  });
});
