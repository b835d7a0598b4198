import { describe, expect, test } from 'vitest';
import { presetConfig, resolveConfig, type ChipConfig } from '../src/config/index.js';
import type { ChipBackend } from '../src/host/backend.js';
import { encode } from '../src/isa/encoding.js';
import { ISA_BY_MNEMONIC } from '../src/isa/table.js';
import { Simulator } from '../src/sim/simulator.js';
import { ContractChecker, unitDuration } from '../src/verify/contract.js';
import { generateProgram } from '../src/verify/generator.js';
import { lockstep } from '../src/verify/lockstep.js';
import { writeInit } from '../src/verify/memory-init.js';
import { PerturbedBackend, type Perturbation } from '../src/verify/perturb.js';
import { Rng } from '../src/verify/rng.js';
import { programFor, verify } from '../src/verify/verify.js';
import { runVerifyCommand } from '../src/cli/commands/verify.js';
import { decode } from '../src/isa/encoding.js';

const cfg = presetConfig('ice40-up5k');
const w = (m: string, f: Record<string, number> = {}): bigint => encode(ISA_BY_MNEMONIC.get(m)!, f);

/** Step a backend to its halt, feeding the checker; returns the first violation. */
function check(b: ChipBackend, words: readonly bigint[], c: ChipConfig = cfg) {
  const p = generateProgram(c, new Rng(1));
  writeInit(b, words, p.init);
  b.start();
  const chk = new ContractChecker(c, words);
  for (let i = 0; i < 20_000; i++) {
    const st = b.status();
    const v = chk.observe(b.trace(), st);
    if (v || st.halted) return v;
    b.step();
  }
  throw new Error('did not halt');
}

describe('the simulator keeps the timing contract', () => {
  test.each([
    presetConfig('default'), presetConfig('ice40-hx8k'), presetConfig('ecp5-85f'), presetConfig('default', { rows: 3, cols: 5 }),
    resolveConfig({ array: { rows: 2, cols: 3, peLatency: 4 }, memory: { spRows: 12, accRows: 4, gradRows: 4, mainBytes: 64, imemWords: 32 }, dma: { bytesPerCycle: 32 } }),
    resolveConfig({ name: 'stages2', array: { rows: 3, cols: 5 }, controller: { stages: 2 } }),
    resolveConfig({ name: 'stages3', base: 'ecp5-25f', controller: { stages: 3 } }),
    resolveConfig({ name: 'stages4', base: 'ice40-up5k', controller: { stages: 4 }, vpu: { lanes: 1, latency: 5 } }),
  ])('$name: 150 random programs, every cycle', (c) => {
    const sim = new Simulator(c);
    for (let i = 0; i < 150; i++) {
      const { program } = programFor(c, 404, i, 0.3);
      expect(check(sim, program.words, c), program.description).toBeUndefined();
    }
  });

  test('front-end stages: a trace with the wrong number of bubbles breaks the contract', () => {
    // A branch loop: sequential issues and taken and not-taken branches, so every bubble rule is met.
    const words = [
      w('addi', { rd: 1, rs: 0, imm: 2 }),
      w('addi', { rd: 1, rs: 1, imm: -1 }),
      w('bne', { rs: 1, rt: 0, target: 1 }),
      w('jmp', { target: 4 }),
      w('halt'),
    ];
    const two = resolveConfig({ name: 'stages2', base: 'ice40-up5k', controller: { stages: 2 } });
    const three = resolveConfig({ name: 'stages3', base: 'ice40-up5k', controller: { stages: 3 } });
    expect(check(new Simulator(two), words, two)).toBeUndefined();
    expect(check(new Simulator(three), words, three)).toBeUndefined();
    // The same chip judged by another stage count: too few or too many bubbles.
    expect(check(new Simulator(two), words, three)).toMatchObject({ rule: 'pc.sequence', cycle: 2 });
    expect(check(new Simulator(three), words, two)).toMatchObject({ rule: 'pc.sequence', cycle: 2 });
    expect(check(new Simulator(cfg), words, two)).toMatchObject({ rule: 'pc.sequence', cycle: 1 });
  });

  test('hand-written timing: DMA duration, mm flush before drain, fence, halt', () => {
    // ld 2 rows × 4 sp bytes on B = 4: D = 2·1 + 3 = 5; mm K=6; drain waits K + F; fence DMA; halt.
    const words = [
      w('ld', { mem: 0, loff: 0, moff: 0, rows: 2, elems: 4 }),
      w('mm', { loff: 8, toff: 16, k: 6 }),
      w('drain', { mem: 1, doff: 0 }),
      w('fence', { mask: 15 }),
      w('halt'),
    ];
    expect(unitDuration(cfg, (decode(words[0]!) as { ok: true; instr: Parameters<typeof unitDuration>[1] }).instr)).toBe(5);
    expect(check(new Simulator(cfg), words)).toBeUndefined();
  });
});

describe('the checker fails when both sides share a misreading', () => {
  const both = (p: Perturbation) => [(c: ChipConfig) => new PerturbedBackend(new Simulator(c), p), (c: ChipConfig) => new PerturbedBackend(new Simulator(c), p)] as const;

  test.each([
    [{ kind: 'counter', counter: 'stalls', delta: 1, from: 20 } as Perturbation, 'counters.stalls', 20],
    [{ kind: 'counter', counter: 'retired', delta: 1, from: 15 } as Perturbation, 'counters.retired', 15],
    [{ kind: 'busy-flag', cycle: 25, mask: 8 } as Perturbation, 'busy.duration', 25],
  ] as const)('%o → rule %s at cycle %i', (p, rule, cycle) => {
    const { program } = programFor(cfg, 12, 0, 0);
    const [ma, mb] = both(p);
    const r = lockstep(ma(cfg), mb(cfg), program.words, program.init, { contract: true });
    expect(r.mismatch).toBeUndefined();
    expect(r.violation).toMatchObject({ rule, cycle });
  });

  test('a halt reported one cycle late on both sides', () => {
    const { program } = programFor(cfg, 12, 0, 0);
    const r = lockstep(new PerturbedBackend(new Simulator(cfg), { kind: 'delay-halt' }), new PerturbedBackend(new Simulator(cfg), { kind: 'delay-halt' }), program.words, program.init, { contract: true });
    expect(r.violation?.rule).toBe('state.next');
  });

  test('a taken branch without its bubble', () => {
    // A backend that skips the bubble cycle after jmp: the checker names pc.branch.
    const words = [w('jmp', { target: 2 }), w('nop'), w('halt')];
    const sim = new Simulator(cfg);
    const noBubble: ChipBackend = {
      get config() { return sim.config; },
      kind: 'nobubble',
      loadProgram: (x) => sim.loadProgram(x),
      writeMain: (a, d) => sim.writeMain(a, d),
      readMain: (a, n) => sim.readMain(a, n),
      writeLocal: (m, r, d) => sim.writeLocal(m, r, d),
      readLocal: (m, r, n) => sim.readLocal(m, r, n),
      start: () => sim.start(),
      step: () => sim.step(),
      run: (n) => sim.run(n),
      status: () => sim.status(),
      trace: () => {
        const t = sim.trace();
        return t.cycle === 2 ? { ...t, pc: 1 } : t; // claims pc 1 (the skipped nop) in the bubble
      },
      close: () => sim.close(),
    };
    expect(check(noBubble, words)).toMatchObject({ rule: 'pc.branch', cycle: 2 });
  });

  test('verify and the CLI count contract violations separately and fail', async () => {
    const s = await verify(cfg, { programs: 4, seed: 1, backends: both({ kind: 'counter', counter: 'macs', delta: 8, from: 5 }), faultyFraction: 0 });
    expect(s.mismatches).toBe(0);
    expect(s.contractViolations).toBe(4);
    expect(s.firstViolation?.violation?.rule).toBe('counters.macs');
    const off = await verify(cfg, { programs: 4, seed: 1, backends: both({ kind: 'counter', counter: 'macs', delta: 8, from: 5 }), faultyFraction: 0, contract: false });
    expect(off.contractViolations).toBe(0);
    const r = await runVerifyCommand({ programs: '2', seed: '1', first: '0', against: 'sim', lockstep: true, faulty: '0', config: 'ice40-up5k' }, both({ kind: 'counter', counter: 'macs', delta: 8, from: 5 }));
    expect(r.exitCode).toBe(1);
    expect(r.text).toContain('2 contract violations');
    expect(r.text).toContain('CONTRACT VIOLATION at cycle 5 (counters.macs)');
  });
});
