/** Host-side API of the simulator: memory accessors and their validation, tensor helpers, VCD. */
import { describe, expect, test } from 'vitest';
import { Simulator, VcdWriter, runWithVcd } from '../src/sim/index.js';
import { readLocalMatrix, readMainInt32, readMainInt8, writeLocalMatrix, writeMainInt32, writeMainInt8 } from '../src/sim/tensors.js';
import { I, li, mem, smallConfig } from './sim-helpers.js';

const cfg = smallConfig(2, 3, { mainBytes: 256 }); // W = 3, sp 64 rows, acc/grad 32 rows

describe('memory accessors', () => {
  test('round trips', () => {
    const sim = new Simulator(cfg);
    sim.writeMain(250, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(Array.from(sim.readMain(250, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    sim.writeLocal('sp', 63, new Int8Array([-1, 2, -3]));
    expect(Array.from(sim.readLocal('sp', 63, 1))).toEqual([-1, 2, -3]);
    sim.writeLocal('grad', 30, new Int32Array([1, 2, 3, -4, -5, -2147483648]));
    expect(Array.from(sim.readLocal('grad', 30, 2))).toEqual([1, 2, 3, -4, -5, -2147483648]);
    // reads are copies
    sim.readLocal('acc', 0, 1)[0] = 7;
    expect(sim.readLocal('acc', 0, 1)[0]).toBe(0);
  });

  test('misuse throws RangeError / TypeError with the reason', () => {
    const sim = new Simulator(cfg);
    expect(() => sim.writeMain(250, new Uint8Array(7))).toThrow(/exceed main memory \(256 bytes\)/);
    expect(() => sim.writeMain(-1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => sim.readMain(1.5, 1)).toThrow(/integer/);
    expect(() => sim.readMain(0, 257)).toThrow(RangeError);
    expect(() => sim.writeLocal('sp', 0, new Int8Array(4))).toThrow(/multiple of W = 3/);
    expect(() => sim.writeLocal('sp', 0, new Int32Array(3))).toThrow(/Int8Array/);
    expect(() => sim.writeLocal('acc', 0, new Int8Array(3))).toThrow(/Int32Array/);
    expect(() => sim.writeLocal('acc', 32, new Int32Array(3))).toThrow(/exceed acc \(32 rows\)/);
    expect(() => sim.readLocal('grad', 31, 2)).toThrow(RangeError);
    expect(() => sim.readLocal('main' as 'sp', 0, 1)).toThrow(/one of sp, acc, grad/);
    expect(() => sim.loadProgram(new Array<bigint>(257).fill(0n))).toThrow(/do not fit/);
    expect(() => sim.loadProgram([-1n])).toThrow(RangeError);
    expect(() => sim.run(-1)).toThrow(RangeError);
    expect(() => sim.run(1.5)).toThrow(RangeError);
  });

  test('tensor helpers', () => {
    const sim = new Simulator(cfg);
    writeMainInt8(sim, 10, [-128, 127, 0]);
    expect(Array.from(readMainInt8(sim, 10, 3))).toEqual([-128, 127, 0]);
    writeMainInt32(sim, 20, [-2147483648, 2147483647, -1]);
    expect(Array.from(readMainInt32(sim, 20, 3))).toEqual([-2147483648, 2147483647, -1]);
    expect(Array.from(sim.readMain(28, 4))).toEqual([255, 255, 255, 255]);
    sim.writeLocal('acc', 4, new Int32Array([9, 9, 9, 9, 9, 9]));
    writeLocalMatrix(sim, 'acc', 4, 2, 2, [1, 2, 3, 4]);
    expect(Array.from(sim.readLocal('acc', 4, 2))).toEqual([1, 2, 9, 3, 4, 9]);
    expect(Array.from(readLocalMatrix(sim, 'acc', 4, 2, 2))).toEqual([1, 2, 3, 4]);
    expect(() => writeMainInt8(sim, 0, [128])).toThrow(/element 0 = 128/);
    expect(() => writeLocalMatrix(sim, 'sp', 0, 1, 4, [1, 2, 3, 4])).toThrow(/cols must be in 1..3/);
    expect(() => writeLocalMatrix(sim, 'sp', 0, 2, 2, [1, 2, 3])).toThrow(/expected 2×2 = 4 values/);
  });

  test('loadProgram keeps later words; memories survive start()', () => {
    const sim = new Simulator(cfg);
    sim.loadProgram([li(1, 1), li(2, 2), I('halt')]);
    sim.loadProgram([li(1, 5)]);
    expect(sim.imemWord(1)).toBe(li(2, 2));
    sim.writeLocal('sp', 0, new Int8Array([1, 2, 3]));
    sim.start();
    sim.run(100);
    expect(Array.from(sim.readRegisters().slice(1, 3))).toEqual([5, 2]);
    expect(Array.from(sim.readLocal('sp', 0, 1))).toEqual([1, 2, 3]);
  });
});

describe('VCD', () => {
  const program = [I('mm', { k: 3 }), I('ld', { mem: mem('sp'), loff: 40 }), I('jmp', { target: 3 }), I('halt')];

  test('deterministic, debug-port names, one sample per cycle', () => {
    const mk = (): string => {
      const sim = new Simulator(cfg);
      sim.loadProgram(program);
      sim.start();
      return runWithVcd(sim, 1000);
    };
    const a = mk();
    expect(mk()).toBe(a);
    expect(a).not.toMatch(/\$date/);
    for (const name of ['clk', 'dbg_pc [31:0]', 'dbg_pc_valid', 'dbg_issue', 'dbg_busy [3:0]', 'dbg_state [1:0]', 'perf_cycles [63:0]', 'perf_macs [63:0]', 'perf_dma_busy [63:0]', 'perf_stalls [63:0]', 'perf_retired [63:0]']) {
      expect(a).toContain(` ${name} $end`);
    }
    const sim = new Simulator(cfg);
    sim.loadProgram(program);
    sim.start();
    const cycles = sim.run(1000).counters.cycles;
    // samples at 0, 10, …, 10·cycles (the first halted cycle), then the closing timestamp
    expect(a).toContain(`#${10 * cycles}\n`);
    expect(a).not.toContain(`#${10 * (cycles + 1) + 5}\n`);
    expect(a.trimEnd().endsWith(`#${10 * (cycles + 1)}`)).toBe(true);
  });

  test('values follow the trace', () => {
    const w = new VcdWriter({ scope: 'tb', pcWidth: 8, periodNs: 2 });
    const c = { cycles: 0, macs: 0, dmaBusy: 0, stalls: 0, retired: 0 };
    w.sample({ cycle: 0, pc: -1, issue: 0, busy: 0, state: 1 }, c);
    w.sample({ cycle: 1, pc: 5, issue: 1, busy: 0b1010, state: 1 }, { ...c, cycles: 1 });
    w.sample({ cycle: 2, pc: 5, issue: 1, busy: 0b1010, state: 3 }, { ...c, cycles: 2 });
    const text = w.toString();
    expect(text).toContain('$scope module tb $end');
    const ids = Object.fromEntries([...text.matchAll(/\$var wire \d+ (\S+) (\w+)/g)].map((m) => [m[2]!, m[1]!]));
    expect(text).toContain(`#2\n1${ids.clk}\nb101 ${ids.dbg_pc}\n1${ids.dbg_pc_valid}\n1${ids.dbg_issue}\nb1010 ${ids.dbg_busy}\nb1 ${ids.perf_cycles}\n#3\n0${ids.clk}`);
    // unchanged values are not repeated
    expect(text).toContain(`#4\n1${ids.clk}\nb11 ${ids.dbg_state}\nb10 ${ids.perf_cycles}\n#5`);
    expect(() => new VcdWriter({ pcWidth: 40 })).toThrow(RangeError);
  });
});
