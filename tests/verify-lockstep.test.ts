import { describe, expect, test } from 'vitest';
import { presetConfig, type ChipConfig } from '../src/config/index.js';
import type { ChipBackend } from '../src/host/backend.js';
import { Simulator } from '../src/sim/simulator.js';
import { generateProgram, type GeneratedProgram } from '../src/verify/generator.js';
import { compareRun, lockstep } from '../src/verify/lockstep.js';
import { writeInit } from '../src/verify/memory-init.js';
import { PerturbedBackend, type Perturbation } from '../src/verify/perturb.js';
import { formatMismatch } from '../src/verify/report.js';
import { mixSeed, Rng } from '../src/verify/rng.js';
import { programFor, verify } from '../src/verify/verify.js';

const sim = (c: ChipConfig): ChipBackend => new Simulator(c);
const cfg = presetConfig('ice40-up5k');

/** A legal program that uses the array and the DMA, with its halt cycle on the simulator. */
function sample(seed: number, c: ChipConfig = cfg): { p: GeneratedProgram; haltCycle: number } {
  for (let i = 0; ; i++) {
    const p = generateProgram(c, new Rng(mixSeed(seed, i)), { blocks: 8 });
    const s = new Simulator(c);
    writeInit(s, p.words, p.init);
    s.start();
    const st = s.run(100_000);
    if (st.error === 0 && st.counters.macs > 0 && st.counters.dmaBusy > 0 && st.counters.cycles > 60) return { p, haltCycle: st.counters.cycles };
  }
}

function perturbed(p: Perturbation, c: ChipConfig = cfg): ChipBackend {
  return new PerturbedBackend(new Simulator(c), p);
}

describe('sim vs sim agrees', () => {
  test.each([presetConfig('default'), presetConfig('ice40-hx8k'), presetConfig('default', { rows: 3, cols: 5 }), presetConfig('default', { rows: 2, cols: 4 })])(
    '$name: lockstep and batched, 120 programs each, zero mismatches',
    async (c) => {
      for (const mode of [true, false]) {
        const s = await verify(c, { programs: 120, seed: 3, backends: [sim, sim], lockstep: mode, faultyFraction: 0.3 });
        expect(s.mismatches).toBe(0);
        expect(s.unexpected).toBe(0);
        expect(s.programs).toBe(120);
        expect(s.legal + s.faulty).toBe(120);
        expect(s.faulty).toBeGreaterThan(15);
        expect(s.cycles).toBeGreaterThan(120 * 20);
        expect(s.mode).toBe(mode ? 'lockstep' : 'batched');
      }
    },
  );

  test('lockstep and batched count the same cycles', async () => {
    const a = await verify(cfg, { programs: 40, seed: 8, backends: [sim, sim], lockstep: true });
    const b = await verify(cfg, { programs: 40, seed: 8, backends: [sim, sim], lockstep: false });
    expect(b.cycles).toBe(a.cycles);
  });

  test('fullMain and padImem compare the same way', () => {
    const { p } = sample(4);
    const r = lockstep(sim(cfg), sim(cfg), p.words, p.init, { fullMain: true, padImem: true });
    expect(r.ok).toBe(true);
  });
});

describe('the comparator catches deliberate differences at the right cycle and field', () => {
  test('halt delayed by one cycle: caught in the halt cycle as trace.state', () => {
    const { p, haltCycle } = sample(1);
    const r = lockstep(sim(cfg), perturbed({ kind: 'delay-halt' }), p.words, p.init);
    expect(r.ok).toBe(false);
    expect(r.mismatch).toMatchObject({ kind: 'trace', cycle: haltCycle, field: 'trace.state', a: 3, b: 1 });
    expect(r.mismatch!.backends).toEqual(['sim', 'sim~delay-halt']);
    // History ends with the differing record, on both sides.
    expect(r.mismatch!.historyA.at(-1)!.cycle).toBe(haltCycle);
    expect(r.mismatch!.historyB.at(-1)!.state).toBe(1);
    expect(r.mismatch!.historyA.length).toBe(8);
  });

  test('halt delayed by one cycle: batched comparison sees the halt cycle counter', () => {
    const { p, haltCycle } = sample(1);
    const r = compareRun(sim(cfg), perturbed({ kind: 'delay-halt' }), p.words, p.init);
    expect(r.mismatch).toMatchObject({ kind: 'status', field: 'status.counters.cycles', a: haltCycle, b: haltCycle + 1 });
  });

  test('one busy flag wrong in one cycle: caught in exactly that cycle', () => {
    const { p, haltCycle } = sample(2);
    const at = Math.floor(haltCycle / 2);
    const r = lockstep(sim(cfg), perturbed({ kind: 'busy-flag', cycle: at, mask: 0b0100 }), p.words, p.init);
    expect(r.mismatch).toMatchObject({ kind: 'trace', cycle: at, field: 'trace.busy' });
    expect((r.mismatch!.a as number) ^ (r.mismatch!.b as number)).toBe(0b0100);
    // The same perturbation is invisible to the batched comparison (only final state).
    expect(compareRun(sim(cfg), perturbed({ kind: 'busy-flag', cycle: at, mask: 0b0100 }), p.words, p.init).ok).toBe(true);
  });

  test('a counter off by one from cycle 10: caught at cycle 10 as that counter', () => {
    const { p } = sample(3);
    const r = lockstep(sim(cfg), perturbed({ kind: 'counter', counter: 'stalls', delta: 1, from: 10 }), p.words, p.init);
    expect(r.mismatch).toMatchObject({ kind: 'status', cycle: 10, field: 'status.counters.stalls' });
    expect(r.mismatch!.b).toBe((r.mismatch!.a as number) + 1);
  });

  test.each([
    ['acc', 37, 5],
    ['grad', 3, 31],
    ['sp', 100, 7],
    ['main', 1000, 0],
  ] as const)('one flipped bit in %s[%i] bit %i: caught after halt with the exact location', (mem, index, bit) => {
    const { p, haltCycle } = sample(5);
    const W = cfg.derived.W;
    for (const cmp of [lockstep, compareRun]) {
      const r = cmp(sim(cfg), perturbed({ kind: 'flip-memory-bit', mem, index, bit }), p.words, p.init);
      expect(r.mismatch).toMatchObject({ kind: 'memory', field: `memory.${mem}`, cycle: haltCycle });
      const loc = r.mismatch!.location!;
      if (mem === 'main') expect(loc).toEqual({ mem, addr: index });
      else expect(loc).toEqual({ mem, row: Math.floor(index / W), lane: index % W });
      const a = r.mismatch!.a as number;
      const b = r.mismatch!.b as number;
      const mask = mem === 'sp' || mem === 'main' ? 0xff : 0xffffffff;
      expect(((a ^ b) & mask) >>> 0).toBe((1 << bit) >>> 0);
    }
  });

  test('a backend that throws is reported, not propagated', () => {
    const { p } = sample(6);
    // Step 5 throws: lockstep has then compared cycles 0..4 and is stepping out of cycle 4.
    class Crashing extends Simulator {
      override readonly kind = 'crashy';
      private steps = 0;
      override step(): void {
        if (++this.steps === 5) throw new Error('boom');
        super.step();
      }
    }
    const crashing = new Crashing(cfg);
    const r = lockstep(sim(cfg), crashing, p.words, p.init);
    expect(r.mismatch).toMatchObject({ kind: 'exception', cycle: 4, field: 'exception in step', a: '(no exception)', b: 'Error: boom' });
  });

  test('a program that never halts times out instead of hanging', () => {
    // jmp 0 forever: both sides agree, so it is a timeout, not a mismatch.
    const words = [0x2400000000000000n];
    const { p } = sample(1);
    const r = lockstep(sim(cfg), sim(cfg), words, p.init, { maxCycles: 500 });
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.mismatch).toBeUndefined();
  });

  test('ignored fields are not compared', () => {
    const { p } = sample(2);
    const r = lockstep(sim(cfg), perturbed({ kind: 'counter', counter: 'macs', delta: 8 }), p.words, p.init, { ignore: ['status.counters.macs'] });
    expect(r.ok).toBe(true);
  });

  test('verify counts every mismatching program and keeps the first', async () => {
    const s = await verify(cfg, { programs: 12, seed: 1, backends: [sim, (c) => perturbed({ kind: 'delay-halt' }, c)], faultyFraction: 0 });
    expect(s.mismatches).toBe(12);
    expect(s.firstMismatch?.index).toBe(0);
    expect(s.firstMismatch?.mismatch?.field).toBe('trace.state');
    const stop = await verify(cfg, { programs: 12, seed: 1, backends: [sim, (c) => perturbed({ kind: 'delay-halt' }, c)], stopOnMismatch: true });
    expect(stop.programs).toBe(1);
  });
});

describe('mismatch report', () => {
  test('names the cycle, the field, both values, the trace history and the disassembled program', () => {
    const { p, haltCycle } = sample(2);
    const at = Math.floor(haltCycle / 2);
    const r = lockstep(sim(cfg), perturbed({ kind: 'busy-flag', cycle: at, mask: 0b0010 }), p.words, p.init);
    const text = formatMismatch(r.mismatch!, { words: p.words, title: 'seed 2' });
    expect(text).toContain(`MISMATCH at cycle ${at}: trace.busy`);
    expect(text).toContain('program: seed 2');
    expect(text).toMatch(/sim\s+= \d+ \(0b\d{4}/);
    expect(text).toMatch(/sim~busy-flag = \d+ \(0b\d{4}/);
    expect(text).toContain('last trace records (sim | sim~busy-flag)');
    expect(text.split('\n').filter((l) => l.endsWith('<<'))).toHaveLength(1);
    expect(text).toContain(`program (${p.words.length} words)`);
    expect(text).toMatch(/halt/);
    expect(text).toMatch(/\b(mm|ld|addi) /);
  });

  test('memory mismatches name the location; long programs are abbreviated', () => {
    const big = presetConfig('ice40-hx8k');
    const p = generateProgram(big, new Rng(4), { kind: 'faulty', fault: 'pc-falloff' });
    const r = lockstep(sim(big), perturbed({ kind: 'flip-memory-bit', mem: 'acc', index: 9, bit: 2 }, big), p.words, p.init);
    const text = formatMismatch(r.mismatch!, { words: p.words });
    expect(text).toContain('MISMATCH after halt');
    expect(text).toContain('location: acc row 2 lane 1');
    expect(text).toMatch(/more of the same|not shown/);
    expect(text.split('\n').length).toBeLessThan(120);
  });
});

describe('footprint comparisons with full sweeps', () => {
  test('a program changes no local row outside its footprint', () => {
    for (const c of [cfg, presetConfig('default'), presetConfig('default', { rows: 3, cols: 5 })]) {
      const s = new Simulator(c);
      const W = c.derived.W;
      for (let i = 0; i < 150; i++) {
        const p = generateProgram(c, new Rng(mixSeed(21, i)), { kind: i % 4 === 0 ? 'faulty' : 'legal' });
        writeInit(s, p.words, p.init);
        s.start();
        s.run(100_000);
        for (const mem of ['sp', 'acc', 'grad'] as const) {
          const after = s.readLocal(mem, 0, p.init[mem].length / W);
          const inside = (row: number): boolean => p.init.footprint![mem].some(([lo, hi]) => row >= lo && row < hi);
          for (let j = 0; j < after.length; j++) {
            if (after[j] !== p.init[mem][j]) expect(inside(Math.floor(j / W)), `${c.name} #${i} ${mem} row ${Math.floor(j / W)}: ${p.description}`).toBe(true);
          }
        }
      }
    }
  });

  test('footprint scope writes and reads far less, and finds the same differences inside footprints', () => {
    const { p } = sample(5);
    const W = cfg.derived.W;
    const [lo] = p.init.footprint!.acc[0]!;
    const r = lockstep(sim(cfg), perturbed({ kind: 'flip-memory-bit', mem: 'acc', index: lo * W + 1, bit: 3 }), p.words, p.init, { scope: 'footprint' });
    expect(r.mismatch).toMatchObject({ field: 'memory.acc', location: { row: lo, lane: 1 } });
    const footprintRows = p.init.footprint!.sp.reduce((n, [a, b]) => n + b - a, 0);
    expect(footprintRows).toBeLessThan(cfg.memory.spRows);
  });

  test('a stray write outside every footprint is caught by the sweep and pinned to its program', async () => {
    const c = presetConfig('ice40-hx8k');
    const culprit = 7;
    const target = programFor(c, 99, culprit, 0).program;
    // A row no program of the segment touches is hard to know in advance; any row outside the
    // culprit's footprint works, because locate() reruns each program from identical memories.
    const stray = [...Array(c.memory.spRows).keys()].find((row) => !target.init.footprint!.sp.some(([a, b]) => row >= a && row < b))!;
    class StrayWriter extends Simulator {
      override readonly kind = 'stray' as 'sim';
      private armed = false;
      override loadProgram(words: readonly bigint[]): void {
        super.loadProgram(words);
        this.armed = words.length === target.words.length && words.every((w, k) => w === target.words[k]);
      }
      override step(): void {
        super.step();
        if (this.armed && this.status().halted) {
          this.armed = false;
          const row = this.readLocal('sp', stray, 1) as Int8Array;
          row[0] = row[0]! ^ 0x40;
          this.writeLocal('sp', stray, row);
        }
      }
    }
    const s = await verify(c, { programs: 20, seed: 99, faultyFraction: 0, backends: [sim, (x) => new StrayWriter(x)], sweepEvery: 10 });
    expect(s.mismatches).toBe(1);
    expect(s.firstMismatch?.index).toBe(culprit);
    expect(s.firstMismatch?.mismatch).toMatchObject({ kind: 'memory', field: 'memory.sp', location: { mem: 'sp', row: stray, lane: 0 } });
    // With full comparisons every program, the same stray write is found directly.
    const full = await verify(c, { programs: 20, seed: 99, faultyFraction: 0, backends: [sim, (x) => new StrayWriter(x)], compare: { scope: 'full' } });
    expect(full.mismatches).toBe(1);
    expect(full.firstMismatch?.index).toBe(culprit);
  });
});
