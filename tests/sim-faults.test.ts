/** Every fault code, its cycle and PC, the detection order and fault-draining (docs/microarch.md §6). */
import { describe, expect, test } from 'vitest';
import { ERROR_CODES } from '../src/isa/table.js';
import { Simulator } from '../src/sim/index.js';
import { I, li, mem, setCfg, smallConfig, traceRun } from './sim-helpers.js';

const cfg = smallConfig(2, 2, { mainBytes: 1024, imemWords: 16 });
const E = ERROR_CODES;

/** Run `body` after `pad` nops so the faulting instruction is at PC = pad, in cycle pad + 1. */
function fault(body: bigint[], pad = 2, c = cfg) {
  const sim = new Simulator(c);
  sim.loadProgram([...new Array<bigint>(pad).fill(I('nop')), ...body, I('halt')]);
  sim.start();
  const trace = traceRun(sim);
  return { sim, trace, st: sim.status() };
}

function expectFault(body: bigint[], code: number, faultPc = 2): void {
  const { trace, st } = fault(body);
  expect(st.error).toBe(code);
  expect(st.halted).toBe(true);
  expect(st.running).toBe(false);
  expect(st.pc).toBe(faultPc);
  const last = body.length - 1;
  // body[0..last−1] are scalar setup that issue back to back; the fault is in cycle faultPc + 1.
  expect(faultPc).toBe(2 + last);
  expect(trace[faultPc + 1]).toEqual({ cycle: faultPc + 1, pc: faultPc, issue: 0, busy: 0, state: 1 });
  expect(st.counters.cycles).toBe(faultPc + 2);
  expect(st.counters.retired).toBe(faultPc);
  expect(st.counters.stalls).toBe(0);
}

describe('faults', () => {
  test('ILLEGAL_INSTRUCTION: unknown opcode, reserved bits, bad mem code, elems > W', () => {
    expectFault([63n << 58n], E.ILLEGAL_INSTRUCTION);
    expectFault([I('nop') | 1n], E.ILLEGAL_INSTRUCTION);
    expectFault([I('halt') | (1n << 40n)], E.ILLEGAL_INSTRUCTION);
    // drain into sp (mem code 0) is not allowed; mem code 3 is no memory.
    expectFault([I('drain', { mem: mem('acc') }) & ~(3n << 56n)], E.ILLEGAL_INSTRUCTION);
    expectFault([I('ld', { mem: mem('sp') }) | (3n << 56n)], E.ILLEGAL_INSTRUCTION);
    // cfg register code past the table; VALU fn code past the table.
    expectFault([I('cfg', { reg: 0 }) | (63n << 52n)], E.ILLEGAL_INSTRUCTION);
    expectFault([I('vmov', { count: 1 }) | (15n << 54n)], E.ILLEGAL_INSTRUCTION);
    expectFault([I('ld', { mem: mem('sp'), elems: 3 })], E.ILLEGAL_INSTRUCTION); // W = 2
  });

  test('LOCAL_RANGE: past the end and negative rows, for every unit', () => {
    expectFault([I('ld', { mem: mem('sp'), loff: 63, rows: 2, elems: 1 })], E.LOCAL_RANGE);
    expectFault([li(1, -1), I('st', { mem: mem('acc'), lreg: 1, loff: 0 })], E.LOCAL_RANGE, 3);
    expectFault([I('mm', { loff: 0, toff: 60, k: 5 })], E.LOCAL_RANGE);
    expectFault([setCfg('LSTRIDE', 20), I('mm', { loff: 20, toff: 0, k: 8, tl: 1 })], E.LOCAL_RANGE, 3); // [20, 20+3·20+2)
    expectFault([I('drain', { mem: mem('grad'), doff: 31 })], E.LOCAL_RANGE);
    expectFault([I('vadd', { dmem: mem('acc'), doff: 30, smem: mem('grad'), count: 3 })], E.LOCAL_RANGE);
    expectFault([I('rq', { doff: 0, smem: mem('acc'), soff: 40, count: 1 })], E.LOCAL_RANGE);
    expectFault([I('sgd', { doff: 62, soff: 0, count: 3 })], E.LOCAL_RANGE);
  });

  test('MAIN_RANGE: first row, last row with positive and negative stride', () => {
    expectFault([I('ld', { mem: mem('sp'), moff: 1023, elems: 2 })], E.MAIN_RANGE);
    expectFault([I('ld', { mem: mem('acc'), moff: 1020, elems: 2 })], E.MAIN_RANGE);
    expectFault([setCfg('DMA_STRIDE', 100), I('st', { mem: mem('sp'), moff: 500, rows: 7, elems: 1 })], E.MAIN_RANGE, 3);
    expectFault([setCfg('DMA_STRIDE', -100), I('st', { mem: mem('sp'), moff: 100, rows: 3, elems: 1 })], E.MAIN_RANGE, 3);
    expectFault([li(2, -4), I('ld', { mem: mem('sp'), mreg: 2, moff: 0, elems: 1 })], E.MAIN_RANGE, 3);
    // in range with a negative stride: no fault
    const { st } = fault([setCfg('DMA_STRIDE', -100), I('st', { mem: mem('sp'), moff: 200, rows: 3, elems: 2 })]);
    expect(st.error).toBe(0);
  });

  test('BAD_OPERAND: cfg ranges, overlapping v* operands', () => {
    expectFault([setCfg('QSHIFT', 48)], E.BAD_OPERAND);
    expectFault([setCfg('LR_SHIFT', -1)], E.BAD_OPERAND);
    expectFault([setCfg('VSHIFT', 1000)], E.BAD_OPERAND);
    expectFault([setCfg('ROUND', 2)], E.BAD_OPERAND);
    expectFault([setCfg('LSTRIDE', 16384)], E.BAD_OPERAND);
    expectFault([li(4, 16383), I('cfg', { reg: 11, rs: 4, imm: 1 })], E.BAD_OPERAND, 3); // TSTRIDE = rs + imm
    expectFault([I('vadd', { dmem: mem('sp'), doff: 4, smem: mem('sp'), soff: 5, count: 2 })], E.BAD_OPERAND);
    // same start or disjoint is fine; other memories may overlap rows freely
    for (const body of [
      [I('vadd', { dmem: mem('sp'), doff: 4, smem: mem('sp'), soff: 4, count: 2 })],
      [I('vadd', { dmem: mem('sp'), doff: 4, smem: mem('sp'), soff: 6, count: 2 })],
      [I('vadd', { dmem: mem('acc'), doff: 4, smem: mem('grad'), soff: 5, count: 2 })],
      [setCfg('QSHIFT', 47), setCfg('ROUND', 1), setCfg('TSTRIDE', 16383), setCfg('DMA_STRIDE', -5)],
    ]) {
      expect(fault(body).st.error).toBe(0);
    }
  });

  test('detection order: illegal before local before main before bad operand', () => {
    // elems > W and out-of-range rows and main: ILLEGAL
    expectFault([I('ld', { mem: mem('sp'), loff: 1000, moff: 5000, elems: 3 })], E.ILLEGAL_INSTRUCTION);
    // local and main both out of range: LOCAL
    expectFault([I('ld', { mem: mem('sp'), loff: 1000, moff: 5000 })], E.LOCAL_RANGE);
    // overlapping v* and out of range: LOCAL
    expectFault([I('vadd', { dmem: mem('sp'), doff: 62, smem: mem('sp'), soff: 63, count: 2 })], E.LOCAL_RANGE);
  });

  test('PC_RANGE: falling off the end of instruction memory', () => {
    const sim = new Simulator(cfg); // 16 words, all nop
    sim.start();
    const trace = traceRun(sim);
    const st = sim.status();
    expect(st.error).toBe(E.PC_RANGE);
    expect(st.pc).toBe(16);
    expect(trace[17]).toEqual({ cycle: 17, pc: 16, issue: 0, busy: 0, state: 1 });
    expect(st.counters).toEqual({ cycles: 18, macs: 0, dmaBusy: 0, stalls: 0, retired: 16 });
  });

  test('PC_RANGE: branch target outside, detected after the bubble', () => {
    const sim = new Simulator(cfg);
    sim.loadProgram([I('jmp', { target: 100 })]);
    sim.start();
    const trace = traceRun(sim);
    expect(trace.map((t) => t.pc)).toEqual([-1, 0, -1, 100, -1]);
    expect(trace[3]!.issue).toBe(0);
    expect(sim.status().error).toBe(E.PC_RANGE);
    expect(sim.status().pc).toBe(100);
    expect(sim.status().counters.cycles).toBe(4);
  });

  test('fault drains issued work: state 2 until every unit has n ≤ 1, work completes, no stalls counted', () => {
    const sim = new Simulator(cfg);
    sim.writeMain(0, new Uint8Array([1, 2, 3, 4]));
    sim.loadProgram([
      I('ld', { mem: mem('sp'), loff: 8, rows: 2, elems: 2 }), // D = 2·1 + 3 = 5, busy 2..6
      63n << 58n, // faults in cycle 2
      I('halt'),
    ]);
    sim.start();
    const trace = traceRun(sim);
    expect(trace.map((t) => t.state)).toEqual([1, 1, 1, 2, 2, 2, 2, 3]);
    expect(trace.map((t) => t.pc)).toEqual([-1, 0, 1, -1, -1, -1, -1, -1]);
    expect(trace.map((t) => t.busy)).toEqual([0, 0, 1, 1, 1, 1, 1, 0]);
    const st = sim.status();
    expect(st.error).toBe(E.ILLEGAL_INSTRUCTION);
    expect(st.pc).toBe(1);
    expect(st.counters).toEqual({ cycles: 7, macs: 0, dmaBusy: 5, stalls: 0, retired: 1 });
    expect(Array.from(sim.readLocal('sp', 8, 2))).toEqual([1, 2, 1, 2]);
  });

  test('the error code is visible (running, not halted) while draining', () => {
    const sim = new Simulator(cfg);
    sim.loadProgram([I('mm', { k: 10 }), 63n << 58n]);
    sim.start();
    sim.run(3); // cycles 0..2: the fault is in cycle 2
    expect(sim.status()).toMatchObject({ running: true, halted: false, error: E.ILLEGAL_INSTRUCTION, pc: 1 });
    expect(sim.trace().state).toBe(2);
    sim.run(100);
    expect(sim.status()).toMatchObject({ running: false, halted: true, error: E.ILLEGAL_INSTRUCTION, pc: 1 });
  });

  test('a faulting instruction faults even while it would also have to stall', () => {
    const sim = new Simulator(cfg);
    sim.loadProgram([I('mm', { k: 10 }), I('mm', { k: 1, loff: 70 }), I('halt')]);
    sim.start();
    const trace = traceRun(sim);
    expect(trace[2]).toEqual({ cycle: 2, pc: 1, issue: 0, busy: 2, state: 1 });
    expect(sim.status().error).toBe(E.LOCAL_RANGE);
    // MXU busy 2..11; halts at the end of cycle 11 (n = 1 at its start).
    expect(sim.status().counters).toEqual({ cycles: 12, macs: 40, dmaBusy: 0, stalls: 0, retired: 1 });
  });
});
