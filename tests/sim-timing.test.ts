/** Cycle counts hand-computed from docs/microarch.md §2–§4 and §7. */
import { describe, expect, test } from 'vitest';
import { Simulator } from '../src/sim/index.js';
import { I, li, mem, smallConfig, traceRun } from './sim-helpers.js';

// 2×2, P = 1: F = R + C + P + 2 = 7. spRows 64 → 16 rows per lock region. B = 4.
const cfg = smallConfig(2, 2);

function stepped(program: bigint[], c = cfg) {
  const sim = new Simulator(c);
  sim.loadProgram(program);
  sim.start();
  const trace = traceRun(sim);
  return { sim, trace, st: sim.status() };
}

/** Compact trace: "pc/issue" per cycle, '-' for a bubble or no valid pc. */
function pcs(trace: ReadonlyArray<{ pc: number; issue: number }>): string {
  return trace.map((t) => (t.pc < 0 ? '-' : `${t.pc}${t.issue ? '!' : ''}`)).join(' ');
}

describe('controller timing', () => {
  test('back-to-back mm: no bubble between K-step streams; halt waits for the last step', () => {
    const { trace, st } = stepped([I('mm', { k: 4 }), I('mm', { k: 4 }), I('halt')]);
    // cycle 0 fetch; mm0 issues in 1 (works 2..5); mm1 stalls 2..4, issues in 5 (works 6..9); halt issues in 9.
    expect(pcs(trace)).toBe('- 0! 1 1 1 1! 2 2 2 2! -');
    expect(trace.map((t) => t.busy)).toEqual([0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 0]);
    expect(trace.map((t) => t.state)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(st.counters).toEqual({ cycles: 10, macs: 8 * 4, dmaBusy: 0, stalls: 6, retired: 3 });
    expect(st.halted).toBe(true);
    expect(st.pc).toBe(2);
  });

  test('drain waits for the bank to flush (K + F cycles after issue)', () => {
    const { trace, st } = stepped([I('mm', { k: 4 }), I('drain', { mem: mem('acc') }), I('halt')]);
    // bank_n = 4 + 7 = 11 at the end of cycle 1 → ≤ 1 at the start of cycle 12. Drain D = R + 2 = 4 → halt in 16.
    expect(trace.findIndex((t) => t.pc === 1 && t.issue === 1)).toBe(12);
    expect(trace.findIndex((t) => t.pc === 2 && t.issue === 1)).toBe(16);
    expect(st.counters).toEqual({ cycles: 17, macs: 16, dmaBusy: 0, stalls: 13, retired: 3 });
  });

  test('drain of the other bank does not wait; mm into a bank being drained waits', () => {
    const { trace } = stepped([
      I('mm', { k: 4, bank: 0 }), I('drain', { mem: mem('acc'), bank: 1 }), // bank 1 idle: issues at once
      I('mm', { k: 2, bank: 1 }), // conflicts with the drain reading bank 1 (DRN n ≥ 2)
      I('halt'),
    ]);
    expect(pcs(trace).split(' ').slice(0, 8)).toEqual(['-', '0!', '1!', '2', '2', '2', '2!', '3']);
  });

  test('peLatency enters F: drain waits K + R + C + P + 2', () => {
    const c3 = smallConfig(2, 3, { peLatency: 3 });
    const { trace } = stepped([I('mm', { k: 5 }), I('drain', { mem: mem('grad') }), I('halt')], c3);
    expect(trace.findIndex((t) => t.pc === 1 && t.issue === 1)).toBe(1 + 5 + (2 + 3 + 3 + 2));
  });

  test('DMA overlaps mm when regions do not conflict', () => {
    const { trace, st } = stepped([
      I('mm', { loff: 0, toff: 16, k: 4 }), // reads sp regions 0 and 1
      I('ld', { mem: mem('sp'), loff: 32, rows: 4, elems: 2 }), // writes region 2: D = 4·⌈2/4⌉ + 3 = 7
      I('halt'),
    ]);
    expect(pcs(trace)).toBe('- 0! 1! 2 2 2 2 2 2 2! -');
    expect(trace.map((t) => t.busy)).toEqual([0, 0, 2, 3, 3, 3, 1, 1, 1, 1, 0]);
    expect(st.counters).toEqual({ cycles: 10, macs: 16, dmaBusy: 7, stalls: 6, retired: 3 });
  });

  test('DMA writing a region the mm reads waits until the MXU is in its last cycle', () => {
    const { trace, st } = stepped([
      I('mm', { loff: 0, toff: 16, k: 4 }),
      I('ld', { mem: mem('sp'), loff: 12, rows: 4, elems: 2 }), // region 0: conflict
      I('halt'),
    ]);
    expect(pcs(trace)).toBe('- 0! 1 1 1 1! 2 2 2 2 2 2 2! -');
    expect(st.counters).toEqual({ cycles: 13, macs: 16, dmaBusy: 7, stalls: 9, retired: 3 });
  });

  test('mm reading a region a DMA writes waits; st of acc waits for the drain writing it', () => {
    const a = stepped([
      I('ld', { mem: mem('sp'), loff: 0, rows: 2, elems: 2 }), // D = 2·1 + 3 = 5, region 0
      I('mm', { loff: 20, toff: 1, k: 2 }), // top rows [1, 3): region 0 → waits until DMA n ≤ 1
      I('halt'),
    ]);
    expect(pcs(a.trace).split(' ').slice(0, 7)).toEqual(['-', '0!', '1', '1', '1', '1', '1!']);
    // acc rows 32 → 8 per region. drain writes acc rows 0..1 (region 0), st reads acc rows 4..5 (region 0).
    const b = stepped([
      I('drain', { mem: mem('acc'), doff: 0 }), // D = R + 2 = 4
      I('st', { mem: mem('acc'), loff: 4, rows: 1, elems: 1 }),
      I('st', { mem: mem('acc'), loff: 8, rows: 1, elems: 1 }), // region 1: waits only for the DMA
      I('halt'),
    ]);
    expect(pcs(b.trace).split(' ').slice(0, 6)).toEqual(['-', '0!', '1', '1', '1', '1!']);
  });

  test('VPU reading what the DMA writes waits; disjoint VPU work overlaps', () => {
    const { trace, st } = stepped([
      I('ld', { mem: mem('acc'), loff: 0, rows: 1, elems: 2 }), // 2·4 bytes / 4 = 2 → D = 5
      I('vadd', { dmem: mem('grad'), doff: 0, smem: mem('acc'), soff: 9, count: 1 }), // acc region 1: overlaps
      I('vadd', { dmem: mem('grad'), doff: 1, smem: mem('acc'), soff: 0, count: 1 }), // acc region 0: waits (and for the VPU)
      I('halt'),
    ]);
    expect(pcs(trace).split(' ').slice(0, 8)).toEqual(['-', '0!', '1!', '2', '2', '2', '2!', '3']);
    // second vadd issues in 6 (VPU n = 4 at the end of 2 → 1 at the start of 6), D = 4 → halt in 10.
    expect(st.counters.cycles).toBe(11);
    expect(st.counters.dmaBusy).toBe(5);
  });

  test('taken branch costs one bubble; a not-taken branch none', () => {
    const { trace, st } = stepped([li(1, 1), I('jmp', { target: 3 }), I('nop'), I('beq', { rs: 1, rt: 0, target: 0 }), I('halt')]);
    expect(pcs(trace)).toBe('- 0! 1! - 3! 4! -');
    expect(st.counters).toEqual({ cycles: 6, macs: 0, dmaBusy: 0, stalls: 0, retired: 4 });
  });

  test('front-end stages L: L − 1 bubbles after an issue, L after a taken branch and at start', () => {
    const prog = [li(1, 1), I('jmp', { target: 3 }), I('nop'), I('beq', { rs: 1, rt: 0, target: 0 }), I('halt')];
    const two = stepped(prog, smallConfig(2, 2, { stages: 2 }));
    expect(pcs(two.trace)).toBe('- - 0! - 1! - - 3! - 4! -');
    expect(two.st.counters).toEqual({ cycles: 10, macs: 0, dmaBusy: 0, stalls: 0, retired: 4 });
    const three = stepped(prog, smallConfig(2, 2, { stages: 3 }));
    expect(pcs(three.trace)).toBe('- - - 0! - - 1! - - - 3! - - 4! -');
    expect(three.st.counters.cycles).toBe(14);
    const four = stepped(prog, smallConfig(2, 2, { stages: 4 }));
    expect(pcs(four.trace)).toBe('- - - - 0! - - - 1! - - - - 3! - - - 4! -');
    // Bubbles are not stalls; a unit busy across them still counts down.
    const mm = stepped([I('mm', { k: 4 }), I('mm', { k: 4 }), I('halt')], smallConfig(2, 2, { stages: 2 }));
    expect(pcs(mm.trace)).toBe('- - 0! - 1 1 1! - 2 2 2! -');
    expect(mm.st.counters).toEqual({ cycles: 11, macs: 32, dmaBusy: 0, stalls: 4, retired: 3 });
  });

  test('during pre-decode bubbles the status PC is the instruction being fetched', () => {
    const sim = new Simulator(smallConfig(2, 2, { stages: 3 }));
    sim.loadProgram([I('nop'), I('jmp', { target: 5 }), I('nop'), I('nop'), I('nop'), I('halt')]);
    sim.start();
    const seen: Array<[number, number]> = [];
    for (let i = 0; i < 12; i++) {
      seen.push([sim.trace().pc, sim.status().pc]);
      sim.step();
    }
    expect(seen.slice(0, 11)).toEqual([[-1, 0], [-1, 0], [-1, 0], [0, 0], [-1, 1], [-1, 1], [1, 1], [-1, 5], [-1, 5], [-1, 5], [5, 5]]);
  });

  test('fence waits only for the masked units', () => {
    const { trace } = stepped([
      I('mm', { k: 6 }),
      I('ld', { mem: mem('sp'), loff: 40, rows: 1, elems: 1 }), // D = 4
      I('fence', { mask: 1 }), // DMA only: n = 4 after cycle 2 → 1 at the start of 6
      I('fence', { mask: 2 }), // MXU: n = 6 after cycle 1 → 1 at the start of 7
      I('fence', { mask: 0 }),
      I('halt'),
    ]);
    expect(pcs(trace)).toBe('- 0! 1! 2 2 2 2! 3! 4! 5! -');
  });

  test('halt waits for the VPU', () => {
    const { trace, st } = stepped([I('vadd', { dmem: mem('acc'), smem: mem('grad'), count: 2 }), I('halt')]);
    // D = 2 + 3 = 5: VPU busy 2..6, halt issues in 6.
    expect(pcs(trace)).toBe('- 0! 1 1 1 1 1! -');
    expect(st.counters).toEqual({ cycles: 7, macs: 0, dmaBusy: 0, stalls: 4, retired: 2 });
  });

  test('vpu.latency 4: every vector instruction one cycle longer', () => {
    const c = smallConfig(2, 2, { vpuLatency: 4 });
    const { trace, st } = stepped([I('vadd', { dmem: mem('acc'), smem: mem('grad'), count: 2 }), I('halt')], c);
    // D = 2 + 4 = 6: VPU busy 2..7, halt issues in 7.
    expect(pcs(trace)).toBe('- 0! 1 1 1 1 1 1! -');
    expect(st.counters).toEqual({ cycles: 8, macs: 0, dmaBusy: 0, stalls: 5, retired: 2 });
  });

  test('DMA duration: rows·⌈elems·size/B⌉ + 3 for sp and acc', () => {
    const c = smallConfig(4, 4, { B: 4 });
    const sp = stepped([I('ld', { mem: mem('sp'), rows: 3, elems: 3 }), I('halt')], c);
    expect(sp.st.counters.dmaBusy).toBe(3 * 1 + 3);
    const acc = stepped([I('st', { mem: mem('acc'), rows: 3, elems: 3 }), I('halt')], c);
    expect(acc.st.counters.dmaBusy).toBe(3 * 3 + 3);
  });

  test('loop with branches: counts, registers and cycles', () => {
    const { sim, trace, st } = stepped([
      li(2, 3), // 0
      I('addi', { rd: 1, rs: 1, imm: 1 }), // 1
      I('blt', { rs: 1, rt: 2, target: 1 }), // 2
      I('halt'), // 3
    ]);
    expect(pcs(trace)).toBe('- 0! 1! 2! - 1! 2! - 1! 2! 3! -');
    expect(st.counters).toEqual({ cycles: 11, macs: 0, dmaBusy: 0, stalls: 0, retired: 8 });
    expect(sim.readRegisters()[1]).toBe(3);
  });

  test('step() after halt is a no-op; start() resets counters and registers', () => {
    const { sim, st } = stepped([li(3, 5), I('halt')]);
    sim.step();
    expect(sim.status()).toEqual(st);
    expect(sim.trace()).toEqual({ cycle: 3, pc: -1, issue: 0, busy: 0, state: 3 });
    sim.start();
    expect(sim.status().counters.cycles).toBe(0);
    expect(sim.readRegisters()[3]).toBe(0);
    expect(sim.trace()).toEqual({ cycle: 0, pc: -1, issue: 0, busy: 0, state: 1 });
  });

  test('idle before start', () => {
    const sim = new Simulator(cfg);
    expect(sim.trace()).toEqual({ cycle: 0, pc: -1, issue: 0, busy: 0, state: 0 });
    sim.step();
    expect(sim.run(100).running).toBe(false);
    expect(sim.status().counters.cycles).toBe(0);
  });
});
