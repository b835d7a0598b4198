import { describe, expect, test } from 'vitest';
import { Command } from 'commander';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register, writeRtl } from '../src/cli/commands/generate.js';
import { CliError } from '../src/cli/errors.js';
import { presetConfig } from '../src/config/index.js';

async function cli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'accelgen', 'generate', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out.join('');
}

describe('accelgen generate', () => {
  test('writes every module, config.json and files.f (top last) for a preset with overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelgen-gen-'));
    try {
      const said = await cli(['--config', 'ice40-up5k', '--rows', '2', '--cols', '2', '--out', dir]);
      expect(said).toMatch(/generated \d+ Verilog files for ice40-up5k-2x2 \(2x2, hash [0-9a-f]{8}\)/);
      const files = readdirSync(dir);
      expect(files).toContain('ag_top.v');
      expect(files).toContain('config.json');
      const list = readFileSync(join(dir, 'files.f'), 'utf8').trim().split('\n');
      expect(list[list.length - 1]).toBe('ag_top.v');
      expect(list.every((f) => existsSync(join(dir, f)))).toBe(true);
      const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { array: { rows: number }; derived: { hash: string } };
      expect(json.array.rows).toBe(2);
      expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
      // A stale module of an earlier generation is removed; other files are left alone.
      writeFileSync(join(dir, 'ag_old.v'), 'x');
      writeFileSync(join(dir, 'notes.txt'), 'x');
      writeRtl(presetConfig('ice40-up5k'), dir);
      expect(existsSync(join(dir, 'ag_old.v'))).toBe(false);
      expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('errors are one-line CliErrors', async () => {
    await expect(cli(['--config', 'ice40-up5k'])).rejects.toThrow(CliError);
    await expect(cli(['--config', 'nope', '--out', '/tmp/x'])).rejects.toThrow(/not a preset/);
    await expect(cli(['--rows', 'x', '--out', '/tmp/x'])).rejects.toThrow(/--rows must be a positive integer/);
  });
});
