import { describe, expect, test } from 'vitest';
import { presetConfig, resolveConfig, type ChipConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { verify, formatMismatch } from '../src/verify/index.js';
import { RtlBackend } from '../testbench/rtl-backend.js';

// Random programs (legal and faulty) in lockstep, simulator against the Verilated RTL: the trace and
// status every cycle, every memory at the end. The full-size runs (200+ programs a config) are
// `accelgen verify`; this keeps the suite's time modest while touching every config shape.
const cases: readonly (readonly [ChipConfig, number])[] = [
  [presetConfig('default'), 60],
  [presetConfig('default', { rows: 2, cols: 4 }), 60],
  [presetConfig('default', { rows: 3, cols: 5 }), 60],
  [presetConfig('ice40-up5k'), 40],
  // Odd corners: byte-wide DMA, non-power-of-two lock regions, mixed DSP/LUT PEs, deep PEs.
  [resolveConfig({ name: 'odd', array: { rows: 2, cols: 3, mult: 2, peLatency: 4 }, memory: { spRows: 100, accRows: 20, gradRows: 28, mainBytes: 4000, imemWords: 600 }, dma: { bytesPerCycle: 2 } }), 60],
];

describe('simulator and RTL agree on random programs', () => {
  test.each(cases.map(([c, n]) => [c.name, c, n] as const))('%s', async (_n, c, n) => {
    const s = await verify(c, {
      programs: n,
      seed: 2024,
      backends: [(x) => new Simulator(x), (x) => new RtlBackend(x)],
      lockstep: true,
      faultyFraction: 0.3,
    });
    const f = s.firstMismatch;
    expect(s.mismatches, f ? `program ${f.index}: ${f.mismatch ? formatMismatch(f.mismatch) : f.unexpected ?? ''}` : '').toBe(0);
    expect(s.unexpected).toBe(0);
    expect(s.contractViolations).toBe(0);
    expect(s.programs).toBe(n);
  });
});
