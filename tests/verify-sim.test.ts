import { describe, expect, test } from 'vitest';
import { presetConfig, resolveConfig, type ChipConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { FAULT_KINDS, generateProgram } from '../src/verify/generator.js';
import { writeInit } from '../src/verify/memory-init.js';
import { checkOutcome, programFor } from '../src/verify/verify.js';
import { mixSeed, Rng } from '../src/verify/rng.js';

const CONFIGS: ChipConfig[] = [
  presetConfig('default'),
  presetConfig('ice40-up5k'),
  presetConfig('ice40-hx8k'),
  presetConfig('ecp5-25f'),
  presetConfig('default', { rows: 2, cols: 4 }),
  presetConfig('default', { rows: 3, cols: 5 }),
  presetConfig('default', { rows: 1, cols: 7 }),
  presetConfig('ecp5-25f', { rows: 12, cols: 3 }),
  resolveConfig({ array: { rows: 1, cols: 1 }, memory: { spRows: 4, accRows: 4, gradRows: 4, mainBytes: 64, imemWords: 16 }, dma: { bytesPerCycle: 1 } }),
  resolveConfig({ array: { rows: 2, cols: 3, peLatency: 4 }, memory: { spRows: 12, accRows: 4, gradRows: 4, mainBytes: 64, imemWords: 32 }, dma: { bytesPerCycle: 32 } }),
];
const label = (c: ChipConfig): string => `${c.name} ${c.array.rows}x${c.array.cols}`;

function runOnSim(sim: Simulator, words: readonly bigint[], init: Parameters<typeof writeInit>[2]) {
  writeInit(sim, words, init);
  sim.start();
  return sim.run(100_000);
}

describe('generated programs on the simulator', () => {
  test.each(CONFIGS.map((c) => [label(c), c] as const))('%s: legal programs halt cleanly, faulty ones with the intended error at the intended pc', (_n, cfg) => {
    const sim = new Simulator(cfg);
    let maxCycles = 0;
    for (let i = 0; i < 300; i++) {
      const { program } = programFor(cfg, 2024, i, 0.3);
      const status = runOnSim(sim, program.words, program.init);
      const why = checkOutcome(program, { ok: true, timedOut: !status.halted, cycles: status.counters.cycles, statusA: status, statusB: status });
      expect(why, `program #${i}: ${program.description}`).toBeUndefined();
      maxCycles = Math.max(maxCycles, status.counters.cycles);
    }
    // Small enough to run thousands of programs in lockstep against the RTL.
    expect(maxCycles).toBeLessThan(3000);
  });

  test.each(FAULT_KINDS.map((k) => [k]))('every config: fault %s is raised as intended', (kind) => {
    for (const cfg of CONFIGS) {
      const sim = new Simulator(cfg);
      for (let i = 0; i < 8; i++) {
        const p = generateProgram(cfg, new Rng(mixSeed(77, i)), { kind: 'faulty', fault: kind });
        const status = runOnSim(sim, p.words, p.init);
        expect(status.halted).toBe(true);
        expect(status.error, `${label(cfg)} #${i}: ${p.description}`).toBe(p.expect.error);
        if (p.expect.faultPc !== undefined) expect(status.pc).toBe(p.expect.faultPc);
      }
    }
  });

  test('legal programs change memory (they compute something, not just run)', () => {
    const cfg = presetConfig('ice40-up5k');
    const sim = new Simulator(cfg);
    let changed = 0;
    for (let i = 0; i < 40; i++) {
      const p = generateProgram(cfg, new Rng(mixSeed(9, i)));
      runOnSim(sim, p.words, p.init);
      const acc = sim.readLocal('acc', 0, cfg.memory.accRows);
      const sp = sim.readLocal('sp', 0, cfg.memory.spRows);
      if (acc.some((v, j) => v !== p.init.acc[j]) || sp.some((v, j) => v !== p.init.sp[j])) changed++;
    }
    expect(changed).toBeGreaterThan(35);
  });
});
