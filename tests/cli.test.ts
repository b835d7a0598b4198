import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNpy, parseNpy } from '../src/io/npy.js';
import { referenceGemm } from '../src/compiler/gemm.js';

const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

function cli(args: string[], cwd?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function seededInt8(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  return Int8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 24) - 128;
  });
}

const noStack = (s: string): void => {
  expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);
};

describe('accelgen CLI', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it first)`);
    dir = mkdtempSync(join(tmpdir(), 'accelgen-cli-'));
  });

  it('lists its commands', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['asm', 'disasm', 'sim', 'gemm', 'demo']) expect(r.out).toContain(c);
  });

  it('gemm on a 3×5 array equals the reference, with the JSON figures', () => {
    const [M, K, N] = [37, 53, 19];
    const A = seededInt8(M * K, 1);
    const B = seededInt8(K * N, 2);
    writeFileSync(join(dir, 'A.npy'), formatNpy(A, [M, K]));
    writeFileSync(join(dir, 'B.npy'), formatNpy(B, [K, N]));
    const r = cli(['gemm', '--config', 'default', '--rows', '3', '--cols', '5', '--a', join(dir, 'A.npy'), '--b', join(dir, 'B.npy'), '--out', join(dir, 'Y.npy'), '--backend', 'sim', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, number>;
    expect(j.cycles).toBeGreaterThan(0);
    expect(j.macs).toBe(M * K * N);
    expect(j.utilization).toBeGreaterThan(0);
    expect(j.utilization).toBeLessThanOrEqual(1);
    const Y = parseNpy(readFileSync(join(dir, 'Y.npy')));
    expect(Y.shape).toEqual([M, N]);
    expect(Y.dtype).toBe('int32');
    expect(Array.from(Y.data)).toEqual(Array.from(referenceGemm(A, B, { M, K, N })));
  });

  it('gemm refuses bad inputs in one line, without a stack trace or an output file', () => {
    writeFileSync(join(dir, 'junk.npy'), 'not numpy');
    const out = join(dir, 'never.npy');
    const r1 = cli(['gemm', '--a', join(dir, 'junk.npy'), '--b', join(dir, 'junk.npy'), '--out', out]);
    expect(r1.code).not.toBe(0);
    expect(r1.err).toMatch(/junk\.npy: not a \.npy file/);
    noStack(r1.err);
    writeFileSync(join(dir, 'C.npy'), formatNpy(new Int8Array(6), [2, 3]));
    const r2 = cli(['gemm', '--a', join(dir, 'C.npy'), '--b', join(dir, 'C.npy'), '--out', out]);
    expect(r2.err).toMatch(/shapes do not chain: A is 2×3, B is 2×3/);
    expect(existsSync(out)).toBe(false);
    const r3 = cli(['gemm', '--a', join(dir, 'C.npy'), '--b', join(dir, 'C.npy'), '--backend', 'gpu']);
    expect(r3.err).toMatch(/--backend must be one of sim, rtl/);
    const r4 = cli(['gemm', '--config', 'nope', '--a', 'x', '--b', 'y']);
    expect(r4.err).toMatch(/--config nope: not a preset/);
  });

  it('fpga refuses a bad --stage-timeout in one line and writes no output folder', () => {
    const out = join(dir, 'never-fpga');
    const r = cli(['fpga', '--target', 'ecp5-25f', '--design', 'demo', '--out', out, '--stage-timeout', 'abc']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--stage-timeout must be a positive number, not "abc"/);
    noStack(r.err);
    expect(existsSync(out)).toBe(false);
  });

  it('fpga refuses a bad --router or --seed in one line', () => {
    const out = join(dir, 'never-fpga');
    const r = cli(['fpga', '--target', 'ecp5-25f', '--design', 'demo', '--out', out, '--router', 'router9']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--router must be one of router1, router2, not "router9"/);
    noStack(r.err);
    const s = cli(['fpga', '--target', 'ecp5-25f', '--design', 'demo', '--out', out, '--seed', '2.5']);
    expect(s.err).toMatch(/--seed must be a positive integer up to 2147483647, not "2.5"/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports every config problem by field name', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ array: { rows: 0 }, memory: { spRows: -4 }, colour: 'red' }));
    const r = cli(['sim', 'x.s', '--config', join(dir, 'bad.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/array\.rows must be in 1\.\.64, not 0/);
    expect(r.err).toMatch(/memory\.spRows must be in 1\.\.16384, not -4/);
    expect(r.err).toMatch(/colour is not a known key/);
    noStack(r.err);
  });

  it('asm reports file:line:column errors, exits non-zero and writes nothing', () => {
    const src = join(dir, 'bad.s');
    writeFileSync(src, 'start:\n  ld sp[0], main[0], 8, 8\n  mmm sp[0], sp[0], 4\n  addi r1, r1, 0x1_0000_0000\n  jmp nowhere\nstart:\n');
    const r = cli(['asm', src, '-o', join(dir, 'bad.hex')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`${src}:3:3: unknown mnemonic "mmm"`);
    expect(r.err).toMatch(new RegExp(`${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: .*out of range`));
    expect(r.err).toMatch(/:5:\d+: undefined label "nowhere"/);
    expect(r.err).toMatch(/:6:1: duplicate label "start"/);
    expect(existsSync(join(dir, 'bad.hex'))).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes('.tmp'))).toBe(false);
    noStack(r.err);
  });

  it('asm → sim → disasm round trip on the bundled training step', () => {
    const hex = join(dir, 'step.hex');
    expect(cli(['asm', 'examples/train-step.s', '-o', hex], join(__dirname, '..')).code).toBe(0);
    const s = cli(['sim', hex, '--json', '--vcd', join(dir, 'step.vcd')]);
    expect(s.code).toBe(0);
    const j = JSON.parse(s.out) as { halted: boolean; error: number; cycles: number };
    expect(j.halted).toBe(true);
    expect(j.error).toBe(0);
    expect(readFileSync(join(dir, 'step.vcd'), 'utf8')).toMatch(/\$var .* dbg_pc /);
    const d = cli(['disasm', hex]);
    expect(d.code).toBe(0);
    writeFileSync(join(dir, 'again.s'), d.out);
    expect(cli(['asm', join(dir, 'again.s'), '-o', join(dir, 'again.hex')]).code).toBe(0);
    expect(readFileSync(join(dir, 'again.hex'), 'utf8')).toBe(readFileSync(hex, 'utf8'));
    // A hex image made for another config is refused.
    const other = cli(['sim', hex, '--config', 'ecp5-25f']);
    expect(other.code).not.toBe(0);
    expect(other.err).toMatch(/built for config default/);
  });

  it('demo checks the training step against its reference', () => {
    const r = cli(['demo', '--backend', 'sim', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { ok: boolean; runs: Array<{ matches_reference: boolean; cycles: number }> };
    expect(j.ok).toBe(true);
    expect(j.runs[0]!.matches_reference).toBe(true);
  });
});
