/**
 * run() (with its fast-forward) and repeated step() must be the same machine: identical trace
 * records, counters, status, registers and memories, on random legal and faulty programs across
 * array shapes.
 */
import { describe, expect, test } from 'vitest';
import type { ChipConfig } from '../src/config/index.js';
import type { ChipStatus, TraceRecord } from '../src/host/backend.js';
import { Simulator } from '../src/sim/index.js';
import { randInt, rng, smallConfig } from './sim-helpers.js';
import { randomMemories, randomProgram } from './sim-random.js';

const CONFIGS: ReadonlyArray<readonly [string, ChipConfig]> = [
  ['2x2', smallConfig(2, 2)],
  ['3x5 P3', smallConfig(3, 5, { peLatency: 3, B: 8 })],
  ['1x7', smallConfig(1, 7, { B: 1 })],
  ['4x4 B32', smallConfig(4, 4, { B: 32, peLatency: 2 })],
  ['3x5 stages 3, vpu.latency 5', smallConfig(3, 5, { stages: 3, vpuLatency: 5 })],
  ['2x2 stages 4', smallConfig(2, 2, { stages: 4 })],
];
const MAX = 4000;

function snapshot(sim: Simulator) {
  const c = sim.config;
  return {
    status: sim.status(),
    regs: Array.from(sim.readRegisters()),
    main: sim.readMain(0, c.memory.mainBytes),
    sp: sim.readLocal('sp', 0, c.memory.spRows),
    acc: sim.readLocal('acc', 0, c.memory.accRows),
    grad: sim.readLocal('grad', 0, c.memory.gradRows),
  };
}

describe.each(CONFIGS)('run() ≡ step() on %s', (_name, cfg) => {
  test('random programs', () => {
    let skipped = 0;
    let faults = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const prog = randomProgram(cfg, seed, { length: 30, faultRate: seed % 3 === 0 ? 0.05 : 0 });
      const a = new Simulator(cfg);
      const b = new Simulator(cfg);
      for (const s of [a, b]) {
        randomMemories(s, cfg, seed);
        s.loadProgram(prog);
        s.start();
      }
      const traces: TraceRecord[] = [];
      const stats: ChipStatus[] = [];
      for (let i = 0; i < MAX && b.status().running; i++) {
        traces.push(b.trace());
        stats.push(b.status());
        b.step();
      }
      traces.push(b.trace());
      stats.push(b.status());

      const r = rng(seed);
      let done = 0;
      while (done < MAX && a.status().running) {
        const chunk = Math.min(randInt(r, 1, 60), MAX - done);
        const before = a.status().counters.cycles;
        a.run(chunk);
        const cyc = a.status().counters.cycles;
        if (cyc - before > 1) skipped++;
        done += chunk;
        const at = Math.min(cyc, traces.length - 1);
        expect(a.trace(), `seed ${seed} cycle ${cyc}`).toEqual(traces[at]);
        expect(a.status(), `seed ${seed} cycle ${cyc}`).toEqual(stats[at]);
      }
      const sa = snapshot(a);
      expect(sa).toEqual(snapshot(b));
      if (sa.status.error !== 0) faults++;
    }
    expect(skipped).toBeGreaterThan(0);
    expect(faults).toBeGreaterThan(0);
  });
});
