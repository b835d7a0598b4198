import { afterEach, describe, expect, test, vi } from 'vitest';
import { Command } from 'commander';
import { Simulator } from '../src/sim/simulator.js';
import { PerturbedBackend } from '../src/verify/perturb.js';
import { register, runVerifyCommand, type VerifyFlags } from '../src/cli/commands/verify.js';
import { CliError } from '../src/cli/errors.js';

const base: VerifyFlags = { programs: '30', seed: '1', first: '0', against: 'sim', lockstep: true, faulty: '0.25' };
const sim = (c: ConstructorParameters<typeof Simulator>[0]) => new Simulator(c);

/** Run the registered command as `accelgen verify …` and capture stdout. */
async function cli(args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'accelgen', 'verify', ...args]);
    return { out, exitCode: process.exitCode === before ? undefined : (process.exitCode as number) };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('accelgen verify', () => {
  afterEach(() => {
    delete process.env.ACCELGEN_VERILATOR;
  });

  test('--against sim: one summary line, exit code 0', async () => {
    const r = await cli(['--against', 'sim', '--programs', '25', '--config', 'ice40-up5k', '--seed', '9']);
    expect(r.exitCode).toBeUndefined();
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^verify ice40-up5k \(\w{8}\): 25 programs \(\d+ legal, \d+ faulty\), [\d,]+ cycles, sim vs sim in lockstep: 0 mismatches .* OK\n$/);
  });

  test('--json prints one object with programs, cycles and mismatches', async () => {
    const r = await cli(['--against', 'sim', '--programs', '20', '--rows', '3', '--cols', '5', '--json', '--no-lockstep']);
    const o = JSON.parse(r.out) as Record<string, unknown>;
    expect(o).toMatchObject({ ok: true, programs: 20, mismatches: 0, unexpected: 0, mode: 'batched', config: 'default-3x5' });
    expect(o.cycles).toBeGreaterThan(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  test('a mismatch prints the report and exits 1; --json carries the first mismatch and how to rerun it', async () => {
    const perturbed = [sim, (c: Parameters<typeof sim>[0]) => new PerturbedBackend(new Simulator(c), { kind: 'busy-flag', cycle: 12, mask: 1 })] as const;
    const human = await runVerifyCommand({ ...base, programs: '3' }, perturbed);
    expect(human.exitCode).toBe(1);
    expect(human.text).toContain('3 mismatches');
    expect(human.text).toContain('FAIL');
    expect(human.text).toContain('MISMATCH at cycle 12: trace.busy');
    expect(human.text).toContain('rerun: accelgen verify --config default --seed 1 --first 0 --programs 1');
    const json = await runVerifyCommand({ ...base, programs: '3', json: true }, perturbed);
    expect(json.exitCode).toBe(1);
    const o = JSON.parse(json.text) as { ok: boolean; mismatches: number; firstMismatch: Record<string, unknown> };
    expect(o.ok).toBe(false);
    expect(o.mismatches).toBe(3);
    expect(o.firstMismatch).toMatchObject({ program: 0, cycle: 12, field: 'trace.busy', kind: 'trace' });
  });

  test('--first reruns exactly one program of a run', async () => {
    const all = JSON.parse((await runVerifyCommand({ ...base, programs: '6', json: true })).text) as { cycles: number };
    let sum = 0;
    for (let i = 0; i < 6; i++) sum += (JSON.parse((await runVerifyCommand({ ...base, programs: '1', first: String(i), json: true })).text) as { cycles: number }).cycles;
    expect(sum).toBe(all.cycles);
  });

  test('without Verilator the default (RTL) comparison fails with how to install it — never a silent pass', async () => {
    process.env.ACCELGEN_VERILATOR = '/nonexistent/verilator';
    await expect(runVerifyCommand({ ...base, against: 'rtl' })).rejects.toThrow(CliError);
    await expect(runVerifyCommand({ ...base, against: 'rtl' })).rejects.toThrow(/Verilator not found.*apt-get install verilator/);
  });

  test('bad flags are one-line errors', async () => {
    await expect(runVerifyCommand({ ...base, programs: '0' })).rejects.toThrow(/--programs must be an integer ≥ 1/);
    await expect(runVerifyCommand({ ...base, faulty: '2' })).rejects.toThrow(/--faulty must be a fraction/);
    await expect(runVerifyCommand({ ...base, against: 'fpga' })).rejects.toThrow(/--against must be sim or rtl/);
    await expect(runVerifyCommand({ ...base, config: 'nope' })).rejects.toThrow(CliError);
  });
});
