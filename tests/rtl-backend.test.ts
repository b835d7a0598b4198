import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig, type ChipConfig } from '../src/config/index.js';
import { ERROR_CODES } from '../src/isa/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { buildModel, ToolMissingError } from '../testbench/build.js';
import { RtlBackend } from '../testbench/rtl-backend.js';
import { I, cfg, lockstepRun, prng, randomImage, type Image } from './rtl-helpers.js';

// The RTL tests need Verilator and a C++ compiler; without them they fail saying how to install.
const configs: ChipConfig[] = [presetConfig('default'), presetConfig('default', { rows: 3, cols: 5 })];

describe('tools', () => {
  test('a missing Verilator is an error that says how to install it', () => {
    const old = process.env.ACCELGEN_VERILATOR;
    process.env.ACCELGEN_VERILATOR = '/nonexistent/verilator';
    try {
      expect(() => buildModel(presetConfig('ice40-hx8k'))).toThrow(ToolMissingError);
      expect(() => buildModel(presetConfig('ice40-hx8k'))).toThrow(/Verilator not found.*apt-get install verilator/);
    } finally {
      if (old === undefined) delete process.env.ACCELGEN_VERILATOR;
      else process.env.ACCELGEN_VERILATOR = old;
    }
  });
});

describe.each(configs.map((c) => [c.name, c] as const))('RtlBackend %s', (_name, c) => {
  const { rows: R, cols: C } = c.array;
  const W = c.derived.W;
  let rtl: RtlBackend;
  let sim: Simulator;
  beforeAll(() => {
    rtl = new RtlBackend(c);
    sim = new Simulator(c);
  });
  afterAll(() => rtl?.close());

  test('a second backend of the same config reuses the cached model', () => {
    const again = new RtlBackend(c);
    expect(again.model.built).toBe(false);
    expect(again.model.libPath).toBe(rtl.model.libPath);
    again.step();
    expect(again.status().running).toBe(false);
    again.close();
    // The status record lived in the freed handle: asking again is an error, not a stale read.
    expect(() => again.status()).toThrow(/after close/);
  });

  test('host bus: main (unaligned bytes), sp, acc and grad round-trip', () => {
    const r = prng(7);
    const bytes = new Uint8Array(77).map(() => r() & 0xff);
    rtl.writeMain(0, new Uint8Array(96));
    rtl.writeMain(5, bytes);
    expect(rtl.readMain(5, 77)).toEqual(bytes);
    expect(rtl.readMain(0, 5)).toEqual(new Uint8Array(5));
    expect(rtl.readMain(82, 14)).toEqual(new Uint8Array(14));
    const sp = new Int8Array(9 * W).map(() => (r() & 0xff) - 128);
    rtl.writeLocal('sp', c.memory.spRows - 9, sp);
    expect(rtl.readLocal('sp', c.memory.spRows - 9, 9)).toEqual(sp);
    for (const m of ['acc', 'grad'] as const) {
      const v = new Int32Array(5 * W).map(() => r() | 0);
      rtl.writeLocal(m, 3, v);
      expect(rtl.readLocal(m, 3, 5)).toEqual(v);
    }
    expect(() => rtl.writeMain(c.memory.mainBytes - 2, new Uint8Array(4))).toThrow(RangeError);
    expect(() => rtl.readLocal('sp', 0, c.memory.spRows + 1)).toThrow(RangeError);
  });

  test('CSRs: config hash and shape', () => {
    expect(rtl.hostRead(13)).toBe(parseInt(c.derived.hash, 16));
    expect(rtl.hostRead(14)).toBe(R | (C << 8) | (W << 16));
  });

  test('scalar loop: trace and counters as the contract gives them (by hand)', () => {
    const words = [I('addi', { rd: 1, rs: 0, imm: 5 }), I('addi', { rd: 1, rs: 1, imm: -1 }), I('bne', { rs: 1, rt: 0, target: 1 }), I('halt')];
    const [a] = lockstepRun(rtl, sim, words, randomImage(c, 1, 64, 4));
    // Cycle 0 fetches; each taken branch costs one bubble; halt issues in cycle 16.
    expect(a.trace.map((t) => t.pc)).toEqual([-1, 0, 1, 2, -1, 1, 2, -1, 1, 2, -1, 1, 2, -1, 1, 2, 3, -1]);
    expect(a.status.counters).toEqual({ cycles: 17, macs: 0, dmaBusy: 0, stalls: 0, retired: 12 });
    expect(a.status).toMatchObject({ halted: true, running: false, error: 0, pc: 3 });
    // STATUS and counters over the bus agree with the status read.
    expect(rtl.hostRead(1)).toBe(0b10);
    expect(rtl.hostRead(3)).toBe(17);
    expect(rtl.hostRead(11)).toBe(12);
  });

  test('GEMM: ld, mm, drain, st equal a reference product and the simulator, cycle for cycle', () => {
    const K = 2 * W + 3;
    const img = randomImage(c, 2, 8192, 32);
    // X^T (K rows of R) at main 0, Y (K rows of C) at main 1024.
    const x = (i: number, k: number): number => ((img.main[k * R + i]! << 24) >> 24);
    const y = (k: number, j: number): number => ((img.main[1024 + k * C + j]! << 24) >> 24);
    const words = [
      cfg('DMA_STRIDE', R),
      I('ld', { mem: 0, lreg: 0, loff: 100, mreg: 0, moff: 0, rows: K, elems: R }),
      cfg('DMA_STRIDE', C),
      I('ld', { mem: 0, lreg: 0, loff: 200, mreg: 0, moff: 1024, rows: K, elems: C }),
      I('mm', { lreg: 0, loff: 100, treg: 0, toff: 200, k: K, bank: 1 }),
      I('drain', { mem: 1, dreg: 0, doff: 16, bank: 1 }),
      cfg('DMA_STRIDE', 4 * C + 4),
      I('st', { mem: 1, lreg: 0, loff: 16, mreg: 0, moff: 4096, rows: R, elems: C }),
      I('halt'),
    ];
    const [a, b] = lockstepRun(rtl, sim, words, img);
    expect(a.status.error).toBe(0);
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x(i, k) * y(k, j);
        expect(a.acc[(16 + i) * W + j], `acc[${16 + i}][${j}]`).toBe(s);
        const at = 4096 + i * (4 * C + 4) + 4 * j;
        expect(new DataView(a.main.buffer).getInt32(at, true)).toBe(s);
      }
    }
    expect(a).toEqual(b);
    expect(a.status.counters.macs).toBe(R * C * K);
  });

  test('transposed operands (K not a multiple of W), accumulate, transposed drain with add', () => {
    const img = randomImage(c, 3, 256, 200);
    const K = W + 2;
    const LS = 17;
    const TS = 23;
    const words = [
      cfg('LSTRIDE', LS), cfg('TSTRIDE', TS),
      I('mm', { lreg: 0, loff: 3, treg: 0, toff: 90, k: K, bank: 0, tl: 1, tt: 1 }),
      I('mm', { lreg: 0, loff: 40, treg: 0, toff: 60, k: 5, bank: 0, acc: 1 }),
      I('drain', { mem: 2, dreg: 0, doff: 20, bank: 0, t: 1, add: 1 }),
      I('halt'),
    ];
    const [a, b] = lockstepRun(rtl, sim, words, img);
    const sp = (row: number, lane: number): number => img.sp[row * W + lane]!;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += sp(3 + Math.floor(k / W) * LS + i, k % W) * sp(90 + Math.floor(k / W) * TS + j, k % W);
        for (let k = 0; k < 5; k++) s += sp(40 + k, i) * sp(60 + k, j);
        expect(a.grad[(20 + j) * W + i], `grad[${20 + j}][${i}]`).toBe((img.grad[(20 + j) * W + i]! + s) | 0);
      }
    }
    expect(a).toEqual(b);
  });

  test('vector unit: rq (stochastic, relu), vmul, vclamp, vrelubwd, sgd with clear, same as the simulator', () => {
    const img = randomImage(c, 4, 256, 64);
    const words = [
      cfg('QMUL', 19000), cfg('QSHIFT', 13), cfg('ROUND', 1), cfg('SEED', 12345), cfg('VSHIFT', 3),
      cfg('CLAMP_LO', -50), cfg('CLAMP_HI', 60), cfg('LR_MUL', -7), cfg('LR_SHIFT', 35),
      I('rq', { dreg: 0, doff: 30, smem: 1, sreg: 0, soff: 0, count: 6, relu: 1 }),
      I('vmul', { dmem: 1, dreg: 0, doff: 8, smem: 0, sreg: 0, soff: 2, count: 4 }),
      I('vclamp', { dmem: 0, dreg: 0, doff: 40, smem: 1, sreg: 0, soff: 10, count: 3 }),
      I('vrelubwd', { dmem: 2, dreg: 0, doff: 2, smem: 0, sreg: 0, soff: 44, count: 5 }),
      cfg('ROUND', 0),
      I('vsra', { dmem: 1, dreg: 0, doff: 20, smem: 2, sreg: 0, soff: 20, count: 3 }),
      cfg('ROUND', 1),
      I('sgd', { dreg: 0, doff: 50, sreg: 0, soff: 30, count: 7, clear: 1 }),
      I('vadd', { dmem: 0, dreg: 0, doff: 12, smem: 0, sreg: 0, soff: 12, count: 2 }),
      I('halt'),
    ];
    const [a, b] = lockstepRun(rtl, sim, words, img);
    expect(a.status.error).toBe(0);
    expect(a).toEqual(b);
    for (let r = 30; r < 37; r++) for (let l = 0; l < W; l++) expect(a.grad[r * W + l]).toBe(0);
    // In-place vadd on sp saturates: d = sat8(d + d).
    for (let l = 0; l < W; l++) {
      const v = img.sp[12 * W + l]! * 2;
      expect(a.sp[12 * W + l]).toBe(Math.max(-128, Math.min(127, v)));
    }
  });

  const faults: readonly (readonly [string, bigint[], number])[] = [
    ['illegal opcode', [0x3fn << 58n], ERROR_CODES.ILLEGAL_INSTRUCTION],
    ['reserved bit set', [I('nop') | 1n], ERROR_CODES.ILLEGAL_INSTRUCTION],
    ['local range', [I('ld', { mem: 0, lreg: 0, loff: c.memory.spRows - 2, mreg: 0, moff: 0, rows: 3, elems: 1 })], ERROR_CODES.LOCAL_RANGE],
    ['main range', [I('addi', { rd: 2, rs: 0, imm: c.memory.mainBytes - 4 }), I('st', { mem: 2, lreg: 0, loff: 0, mreg: 2, moff: 0, rows: 1, elems: 2 })], ERROR_CODES.MAIN_RANGE],
    ['bad cfg operand', [cfg('QSHIFT', 48)], ERROR_CODES.BAD_OPERAND],
    ['overlapping v*', [I('vadd', { dmem: 1, dreg: 0, doff: 4, smem: 1, sreg: 0, soff: 5, count: 3 })], ERROR_CODES.BAD_OPERAND],
    ['pc range', [I('jmp', { target: c.memory.imemWords })], ERROR_CODES.PC_RANGE],
  ];
  test.each(faults)('fault after work in flight: %s', (_n, tail, code) => {
    const img = randomImage(c, 5, 512, 16);
    const words = [I('ld', { mem: 1, lreg: 0, loff: 0, mreg: 0, moff: 0, rows: 8, elems: W }), I('mm', { lreg: 0, loff: 0, treg: 0, toff: 0, k: 30 }), ...tail, I('halt')];
    const [a, b] = lockstepRun(rtl, sim, words, img);
    expect(a.status.error).toBe(code);
    expect(a.status.halted).toBe(true);
    expect(a.trace.some((t) => t.state === 2)).toBe(true);
    expect(a).toEqual(b);
  });

  test('reset returns to idle and keeps memories', () => {
    const img = randomImage(c, 6, 64, 4);
    rtl.writeLocal('acc', 0, img.acc);
    rtl.loadProgram([I('jmp', { target: 0 })]);
    rtl.start();
    rtl.run(50);
    expect(rtl.status().running).toBe(true);
    rtl.reset();
    expect(rtl.trace().state).toBe(0);
    expect(rtl.status()).toMatchObject({ running: false, halted: false, error: 0 });
    expect(rtl.readLocal('acc', 0, 4)).toEqual(img.acc);
  });

  test('status() after step() comes with the step, and any other call into the model refreshes it', () => {
    rtl.loadProgram([I('jmp', { target: 0 })]);
    rtl.start();
    rtl.step();
    const a = rtl.status();
    expect(a.running).toBe(true);
    expect(rtl.trace().cycle).toBe(a.counters.cycles);
    rtl.step();
    expect(rtl.status().counters.cycles).toBe(a.counters.cycles + 1);
    rtl.run(5);
    expect(rtl.status().counters.cycles).toBe(a.counters.cycles + 6);
    rtl.step();
    rtl.reset();
    expect(rtl.status()).toMatchObject({ running: false, halted: false, error: 0 });
    expect(rtl.trace().state).toBe(0);
  });

  test('batched run and traceRun agree with stepping', () => {
    const img: Image = randomImage(c, 8, 1024, 32);
    const words = [
      I('addi', { rd: 3, rs: 0, imm: 6 }),
      I('ld', { mem: 0, lreg: 0, loff: 0, mreg: 0, moff: 0, rows: 10, elems: W }),
      I('mm', { lreg: 0, loff: 0, treg: 0, toff: 2, k: 8, bank: 0 }),
      I('drain', { mem: 1, dreg: 0, doff: 0, bank: 0, add: 1 }),
      I('addi', { rd: 3, rs: 3, imm: -1 }),
      I('bne', { rs: 3, rt: 0, target: 1 }),
      I('halt'),
    ];
    const [stepped] = lockstepRun(rtl, sim, words, img);
    for (const how of ['run', 'traceRun'] as const) {
      rtl.loadProgram(words);
      rtl.writeMain(0, img.main);
      rtl.writeLocal('sp', 0, img.sp);
      rtl.writeLocal('acc', 0, img.acc);
      rtl.start();
      if (how === 'run') rtl.run(Infinity);
      else expect(rtl.traceRun(1_000_000)).toEqual(stepped.trace.slice(0, -1));
      expect(rtl.status()).toEqual(stepped.status);
      expect(rtl.readLocal('acc', 0, 32)).toEqual(stepped.acc);
    }
  });
});

describe('VCD', () => {
  test('a run writes a VCD with the top ports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelgen-vcd-'));
    const file = join(dir, 'run.vcd');
    try {
      const b = new RtlBackend(presetConfig('default', { rows: 2, cols: 4 }), { vcd: file });
      b.loadProgram([I('addi', { rd: 1, rs: 0, imm: 2 }), I('addi', { rd: 1, rs: 1, imm: 1 }), I('addi', { rd: 1, rs: 1, imm: 1 }), I('halt')]);
      b.start();
      const st = b.run(100);
      expect(st.halted).toBe(true);
      b.close();
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('$enddefinitions');
      expect(text).toMatch(/\$var wire +32 \S+ dbg_pc /);
      expect(text).toMatch(/\$var wire +64 \S+ perf_cycles /);
      // Every clock edge of the run is in the file with what changed: the clock toggles at each
      // time step, and the cycle counter takes each value it passes through.
      const id = /\$var wire +1 (\S+) clk /.exec(text)![1]!;
      const clkChanges = text.split('\n').filter((l) => l === `0${id}` || l === `1${id}`).length;
      expect(clkChanges).toBeGreaterThanOrEqual(2 * st.counters.cycles);
      const pcId = /\$var wire +64 (\S+) perf_cycles /.exec(text)![1]!;
      const cycleValues = text.split('\n').filter((l) => l.startsWith('b') && l.endsWith(` ${pcId}`)).length;
      expect(cycleValues).toBeGreaterThanOrEqual(st.counters.cycles);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
