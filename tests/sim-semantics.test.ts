/** Data semantics of every instruction on small hand-checked data (docs/isa.md, docs/microarch.md §8). */
import { describe, expect, test } from 'vitest';
import { rngValue } from '../src/numeric/arith.js';
import { Simulator } from '../src/sim/index.js';
import { readLocalMatrix, writeLocalMatrix, writeMainInt32, readMainInt32, writeMainInt8, readMainInt8 } from '../src/sim/tensors.js';
import { I, li, mem, runToHalt, setCfg, smallConfig } from './sim-helpers.js';

// 2×3 array (W = 3): non-square so rows/columns cannot be confused.
const cfg23 = smallConfig(2, 3);

function sim23(): Simulator {
  return new Simulator(cfg23);
}

function ok(sim: Simulator): void {
  const st = sim.status();
  expect(st.error).toBe(0);
  expect(st.halted).toBe(true);
}

describe('ld / st', () => {
  test('ld sp: 2-D strided, signed bytes, untouched lanes', () => {
    const sim = sim23();
    writeMainInt8(sim, 100, [1, -2, 99, 3, -4, 99, 5, -6]);
    writeLocalMatrix(sim, 'sp', 7, 3, 3, [9, 9, 9, 9, 9, 9, 9, 9, 9]);
    runToHalt(sim, [
      setCfg('DMA_STRIDE', 3),
      li(5, 2),
      li(6, 60),
      I('ld', { mem: mem('sp'), lreg: 5, loff: 5, mreg: 6, moff: 40, rows: 3, elems: 2 }),
      I('halt'),
    ]);
    ok(sim);
    expect(Array.from(readLocalMatrix(sim, 'sp', 7, 3, 3))).toEqual([1, -2, 9, 3, -4, 9, 5, -6, 9]);
  });

  test('ld acc / grad: little-endian int32, negative stride', () => {
    const sim = sim23();
    writeMainInt32(sim, 200, [7, -1, 0x12345678, -2147483648]);
    runToHalt(sim, [
      setCfg('DMA_STRIDE', -8),
      I('ld', { mem: mem('acc'), loff: 4, moff: 208, rows: 2, elems: 2 }),
      I('ld', { mem: mem('grad'), loff: 0, moff: 200, rows: 1, elems: 3 }),
      I('halt'),
    ]);
    ok(sim);
    // row 4 ← main 208.. (0x12345678, -2^31); row 5 ← main 200.. (7, −1)
    expect(Array.from(readLocalMatrix(sim, 'acc', 4, 2, 2))).toEqual([0x12345678, -2147483648, 7, -1]);
    expect(Array.from(readLocalMatrix(sim, 'grad', 0, 1, 3))).toEqual([7, -1, 0x12345678]);
  });

  test('st sp / acc / grad with stride; bytes outside rows untouched', () => {
    const sim = sim23();
    writeLocalMatrix(sim, 'sp', 1, 2, 3, [1, -1, 2, -3, 4, -5]);
    writeLocalMatrix(sim, 'acc', 2, 2, 3, [10, -20, 30, 40, 50, 60]);
    writeLocalMatrix(sim, 'grad', 3, 1, 3, [-7, 8, 9]);
    writeMainInt8(sim, 0, new Array<number>(16).fill(-9));
    runToHalt(sim, [
      setCfg('DMA_STRIDE', 5),
      I('st', { mem: mem('sp'), loff: 1, moff: 0, rows: 2, elems: 3 }),
      setCfg('DMA_STRIDE', 16),
      I('st', { mem: mem('acc'), loff: 2, moff: 32, rows: 2, elems: 2 }),
      I('st', { mem: mem('grad'), loff: 3, moff: 80, rows: 1, elems: 3 }),
      I('halt'),
    ]);
    ok(sim);
    expect(Array.from(readMainInt8(sim, 0, 10))).toEqual([1, -1, 2, -9, -9, -3, 4, -5, -9, -9]);
    expect(Array.from(readMainInt32(sim, 32, 6))).toEqual([10, -20, 0, 0, 40, 50]);
    expect(Array.from(readMainInt32(sim, 80, 3))).toEqual([-7, 8, 9]);
  });
});

/** Direct evaluation of the mm formula in docs/isa.md. */
function refMatmul(sp: Int8Array, W: number, R: number, C: number, l: number, t: number, k: number, tl: boolean, tt: boolean, ls: number, ts: number): number[] {
  const L = (i: number, s: number): number => (tl ? sp[(l + Math.floor(s / W) * ls + i) * W + (s % W)]! : sp[(l + s) * W + i]!);
  const T = (s: number, j: number): number => (tt ? sp[(t + Math.floor(s / W) * ts + j) * W + (s % W)]! : sp[(t + s) * W + j]!);
  const out: number[] = [];
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    let acc = 0;
    for (let s = 0; s < k; s++) acc += L(i, s) * T(s, j);
    out.push(acc | 0);
  }
  return out;
}

describe('mm and drain', () => {
  test('mm normal, acc=0 then acc=1, both banks; drain overwrite', () => {
    const sim = sim23();
    // L(i,k) = sp[k][i]: L = [[1,3],[2,4]]; T(k,j) = sp[10+k][j]: T = [[1,0,-1],[2,5,7]].
    writeLocalMatrix(sim, 'sp', 0, 2, 2, [1, 2, 3, 4]);
    writeLocalMatrix(sim, 'sp', 10, 2, 3, [1, 0, -1, 2, 5, 7]);
    runToHalt(sim, [
      I('mm', { loff: 0, toff: 10, k: 2, bank: 0, acc: 0 }),
      I('mm', { loff: 0, toff: 10, k: 2, bank: 1, acc: 0 }),
      I('mm', { loff: 0, toff: 10, k: 2, bank: 1, acc: 1 }),
      I('drain', { mem: mem('acc'), doff: 0, bank: 0 }),
      I('drain', { mem: mem('acc'), doff: 4, bank: 1 }),
      I('mm', { loff: 0, toff: 10, k: 1, bank: 0, acc: 0 }), // restarts bank 0 from zero
      I('drain', { mem: mem('grad'), doff: 8, bank: 0 }),
      I('halt'),
    ]);
    ok(sim);
    expect(Array.from(readLocalMatrix(sim, 'acc', 0, 2, 3))).toEqual([7, 15, 20, 10, 20, 26]);
    expect(Array.from(readLocalMatrix(sim, 'acc', 4, 2, 3))).toEqual([14, 30, 40, 20, 40, 52]);
    // k = 1: L(i,0)·T(0,j) = [1,2]ᵀ·[1,0,-1]
    expect(Array.from(readLocalMatrix(sim, 'grad', 8, 2, 3))).toEqual([1, 0, -1, 2, 0, -2]);
  });

  test('drain transposed and add, into acc and grad; other lanes untouched', () => {
    const sim = sim23();
    writeLocalMatrix(sim, 'sp', 0, 2, 2, [1, 2, 3, 4]);
    writeLocalMatrix(sim, 'sp', 10, 2, 3, [1, 0, -1, 2, 5, 7]);
    writeLocalMatrix(sim, 'acc', 0, 3, 3, [100, 200, 300, 400, 500, 600, 700, 800, 900]);
    writeLocalMatrix(sim, 'grad', 0, 2, 3, [1, 1, 1, 1, 1, 1]);
    runToHalt(sim, [
      I('mm', { loff: 0, toff: 10, k: 2, bank: 0 }),
      I('drain', { mem: mem('acc'), doff: 0, bank: 0, t: 1, add: 1 }),
      I('drain', { mem: mem('grad'), doff: 0, bank: 0, add: 1 }),
      I('drain', { mem: mem('acc'), doff: 5, bank: 0, t: 1 }),
      I('halt'),
    ]);
    ok(sim);
    // bank = [[7,15,20],[10,20,26]]; transposed: row j = column j; lane 2 untouched.
    expect(Array.from(readLocalMatrix(sim, 'acc', 0, 3, 3))).toEqual([107, 210, 300, 415, 520, 600, 720, 826, 900]);
    expect(Array.from(readLocalMatrix(sim, 'grad', 0, 2, 3))).toEqual([8, 16, 21, 11, 21, 27]);
    expect(Array.from(readLocalMatrix(sim, 'acc', 5, 3, 2))).toEqual([7, 10, 15, 20, 20, 26]);
  });

  test('mm tl / tt with one block: operands stored row-major', () => {
    const sim = sim23();
    // L = [[1,3],[2,4]] stored row-major from row 20 (L(i,k) = sp[20+i][k]); T stored transposed.
    writeLocalMatrix(sim, 'sp', 20, 2, 2, [1, 3, 2, 4]);
    writeLocalMatrix(sim, 'sp', 30, 3, 2, [1, 2, 0, 5, -1, 7]);
    runToHalt(sim, [
      I('mm', { loff: 20, toff: 30, k: 2, tl: 1, tt: 1 }),
      I('drain', { mem: mem('acc'), doff: 0 }),
      I('halt'),
    ]);
    ok(sim);
    expect(Array.from(readLocalMatrix(sim, 'acc', 0, 2, 3))).toEqual([7, 15, 20, 10, 20, 26]);
  });

  test('mm tl / tt over several W-blocks with LSTRIDE / TSTRIDE match the formula', () => {
    const sim = sim23();
    const sp = new Int8Array(64 * 3);
    for (let i = 0; i < sp.length; i++) sp[i] = ((i * 37 + 11) % 255) - 127;
    sim.writeLocal('sp', 0, sp);
    for (const [tl, tt] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      runToHalt(sim, [
        setCfg('LSTRIDE', 5),
        setCfg('TSTRIDE', 7),
        I('mm', { loff: 2, toff: 33, k: 8, tl, tt, bank: 1 }),
        I('mm', { loff: 2, toff: 33, k: 8, tl, tt, bank: 1, acc: 1 }),
        I('drain', { mem: mem('acc'), doff: 0, bank: 1 }),
        I('halt'),
      ]);
      ok(sim);
      const once = refMatmul(sp, 3, 2, 3, 2, 33, 8, tl === 1, tt === 1, 5, 7);
      expect(Array.from(readLocalMatrix(sim, 'acc', 0, 2, 3))).toEqual(once.map((v) => 2 * v));
    }
  });

  test('accumulation wraps at 32 bits across matmuls', () => {
    const sim = new Simulator(smallConfig(1, 1));
    sim.writeLocal('sp', 0, new Int8Array(64).fill(-128));
    const prog: bigint[] = [];
    // 2^14 per step, 64 steps = 2^20 per mm; 2^11 matmuls = 2^31 → wraps to −2^31.
    prog.push(I('mm', { loff: 0, toff: 0, k: 64, acc: 0 }));
    prog.push(li(1, 2047));
    prog.push(I('mm', { loff: 0, toff: 0, k: 64, acc: 1 }));
    prog.push(I('addi', { rd: 1, rs: 1, imm: -1 }));
    prog.push(I('bne', { rs: 1, rt: 0, target: 2 }));
    prog.push(I('drain', { mem: mem('acc'), doff: 0 }));
    prog.push(I('halt'));
    runToHalt(sim, prog, 1_000_000);
    ok(sim);
    expect(sim.readLocal('acc', 0, 1)[0]).toBe(-(2 ** 31));
  });
});

describe('vector ALU', () => {
  // W = 3: one row of 3 lanes per operand.
  function valu(fn: string, d: number[], s: number[], dmem: 'sp' | 'acc' | 'grad', smem: 'sp' | 'acc' | 'grad', cfgs: bigint[] = []): number[] {
    const sim = sim23();
    writeLocalMatrix(sim, dmem, 4, 1, 3, d);
    writeLocalMatrix(sim, smem, 8, 1, 3, s);
    runToHalt(sim, [...cfgs, I(`v${fn}`, { dmem: mem(dmem), doff: 4, smem: mem(smem), soff: 8, count: 1 }), I('halt')]);
    ok(sim);
    return Array.from(readLocalMatrix(sim, dmem, 4, 1, 3));
  }

  test('mov, add, sub, max, min (acc and sp with saturation)', () => {
    expect(valu('mov', [0, 0, 0], [300, -300, 5], 'sp', 'acc')).toEqual([127, -128, 5]);
    expect(valu('mov', [0, 0, 0], [-3, 4, 127], 'acc', 'sp')).toEqual([-3, 4, 127]);
    expect(valu('add', [100, -100, 5], [100, -100, -6], 'sp', 'sp')).toEqual([127, -128, -1]);
    expect(valu('add', [2147483647, 1, 0], [1, -2, 0], 'acc', 'grad')).toEqual([-2147483648, -1, 0]);
    expect(valu('sub', [-100, 100, 3], [100, -100, 3], 'sp', 'sp')).toEqual([-128, 127, 0]);
    expect(valu('sub', [-2147483648, 5, 0], [1, 7, 0], 'grad', 'acc')).toEqual([2147483647, -2, 0]);
    expect(valu('max', [1, -5, 7], [2, -6, 7], 'acc', 'acc')).toEqual([2, -5, 7]);
    expect(valu('min', [1, -5, 7], [2, -6, 7], 'acc', 'acc')).toEqual([1, -6, 7]);
    // int32 result wraps first, then saturates into sp.
    expect(valu('add', [1, 0, 0], [2147483647, 0, 0], 'sp', 'acc')).toEqual([-128, 0, 0]);
  });

  test('mul and sra round to nearest (ties up) with VSHIFT', () => {
    // d × sext16(s) >> 2: 5·3 = 15 → 3.75 → 4; −6·1 = −6 → −1.5 → −1; 2·1 → 0.5 → 1
    expect(valu('mul', [5, -6, 2], [3, 1, 1], 'acc', 'acc', [setCfg('VSHIFT', 2)])).toEqual([4, -1, 1]);
    // sext16: s = 0x18000 → −32768; d = 65536 → −2^31 (exact), shift 0
    expect(valu('mul', [65536, 3, -1], [0x18000, 0xffff, 7], 'acc', 'acc')).toEqual([-2147483648, -3, -7]);
    // product needing more than 32 bits before the shift: 2^30 · 2^14 >> 20 = 2^24
    expect(valu('mul', [2 ** 30, 0, 0], [2 ** 14, 0, 0], 'acc', 'acc', [setCfg('VSHIFT', 20)])).toEqual([2 ** 24, 0, 0]);
    // result wraps to int32: 2^30 · 2^14 (shift 0) = 2^44 → 0
    expect(valu('mul', [2 ** 30, 0, 0], [2 ** 14, 0, 0], 'acc', 'acc')).toEqual([0, 0, 0]);
    // into sp saturates
    expect(valu('mul', [100, -100, 3], [2, 2, 2], 'sp', 'sp')).toEqual([127, -128, 6]);
    expect(valu('sra', [0, 0, 0], [6, -6, -7], 'acc', 'acc', [setCfg('VSHIFT', 2)])).toEqual([2, -1, -2]);
    expect(valu('sra', [0, 0, 0], [-2147483648, 2147483647, 1], 'acc', 'acc', [setCfg('VSHIFT', 47)])).toEqual([0, 0, 0]);
  });

  test('clamp, relu, relubwd', () => {
    expect(valu('clamp', [0, 0, 0], [-50, 5, 50], 'acc', 'acc', [setCfg('CLAMP_LO', -10), setCfg('CLAMP_HI', 20)])).toEqual([-10, 5, 20]);
    expect(valu('clamp', [0, 0, 0], [-500, 5, 500], 'sp', 'acc', [setCfg('CLAMP_LO', -1000), setCfg('CLAMP_HI', 1000)])).toEqual([-128, 5, 127]);
    expect(valu('relu', [9, 9, 9], [-3, 0, 4], 'sp', 'sp')).toEqual([0, 0, 4]);
    expect(valu('relubwd', [10, -20, 30], [-3, 0, 4], 'acc', 'sp')).toEqual([0, 0, 30]);
  });

  test('in place (same rows) over several rows', () => {
    const sim = sim23();
    writeLocalMatrix(sim, 'acc', 2, 2, 3, [1, 2, 3, 4, 5, 6]);
    runToHalt(sim, [I('vadd', { dmem: mem('acc'), doff: 2, smem: mem('acc'), soff: 2, count: 2 }), I('halt')]);
    ok(sim);
    expect(Array.from(readLocalMatrix(sim, 'acc', 2, 2, 3))).toEqual([2, 4, 6, 8, 10, 12]);
  });
});

describe('rq and sgd', () => {
  test('rq nearest: ties toward +inf, saturation, relu, sext16(QMUL)', () => {
    const sim = sim23();
    writeLocalMatrix(sim, 'acc', 0, 2, 3, [5, 2, -2, -6, 1000, -1000]);
    writeLocalMatrix(sim, 'grad', 0, 1, 3, [5, -5, 3]);
    runToHalt(sim, [
      setCfg('QMUL', 3),
      setCfg('QSHIFT', 2),
      I('rq', { doff: 0, smem: mem('acc'), soff: 0, count: 2 }),
      I('rq', { doff: 2, smem: mem('acc'), soff: 0, count: 2, relu: 1 }),
      setCfg('QMUL', 0x1fffe), // sext16 → −2
      setCfg('QSHIFT', 0),
      I('rq', { doff: 4, smem: mem('grad'), soff: 0, count: 1 }),
      I('halt'),
    ]);
    ok(sim);
    // 15/4 = 3.75 → 4; 6/4 = 1.5 → 2; −6/4 = −1.5 → −1; −18/4 = −4.5 → −4; 3000/4 → 127; → −128
    expect(Array.from(readLocalMatrix(sim, 'sp', 0, 2, 3))).toEqual([4, 2, -1, -4, 127, -128]);
    expect(Array.from(readLocalMatrix(sim, 'sp', 2, 2, 3))).toEqual([4, 2, 0, 0, 127, 0]);
    expect(Array.from(readLocalMatrix(sim, 'sp', 4, 1, 3))).toEqual([-10, 10, -6]);
  });

  /** floor((p + u) / 2^s), u = rnd mod 2^s (s ≤ 32) or rnd·2^(s−32): written out from §8. */
  function stoch(p: number, s: number, seed: number, n: number): number {
    if (s === 0) return p;
    const rnd = rngValue(seed, n);
    const u = s <= 32 ? rnd % 2 ** s : rnd * 2 ** (s - 32);
    return Math.floor((p + u) / 2 ** s);
  }

  test('rq stochastic: element counter n0 + row·W + lane, advanced by count·W, reset by SEED', () => {
    const sim = sim23();
    const x = [1000, -1000, 777, -777, 12345, -1];
    writeLocalMatrix(sim, 'acc', 0, 2, 3, x);
    runToHalt(sim, [
      setCfg('ROUND', 1),
      setCfg('SEED', 12345),
      setCfg('QMUL', 1),
      setCfg('QSHIFT', 7),
      I('rq', { doff: 0, smem: mem('acc'), soff: 0, count: 1 }), // elements 0..2
      setCfg('ROUND', 0),
      I('rq', { doff: 8, smem: mem('acc'), soff: 0, count: 1 }), // advances the counter by 3 too
      setCfg('ROUND', 1),
      I('rq', { doff: 1, smem: mem('acc'), soff: 0, count: 2 }), // elements 6..11
      setCfg('SEED', 12345), // resets the counter
      setCfg('QSHIFT', 40),
      setCfg('QMUL', 0x7fff),
      I('rq', { doff: 3, smem: mem('acc'), soff: 0, count: 2, relu: 1 }), // elements 0..5, s > 32
      I('halt'),
    ]);
    ok(sim);
    const sat = (v: number): number => Math.max(-128, Math.min(127, v));
    expect(Array.from(readLocalMatrix(sim, 'sp', 0, 1, 3))).toEqual(x.slice(0, 3).map((v, e) => sat(stoch(v, 7, 12345, e))));
    expect(Array.from(readLocalMatrix(sim, 'sp', 1, 2, 3))).toEqual(x.map((v, e) => sat(stoch(v, 7, 12345, 6 + e))));
    expect(Array.from(readLocalMatrix(sim, 'sp', 3, 2, 3))).toEqual(x.map((v, e) => Math.max(0, sat(stoch(v * 0x7fff, 40, 12345, e)))));
  });

  test('sgd nearest and stochastic with clear against a direct computation', () => {
    const sim = sim23();
    const w = [10, -10, 127, -128, 0, 50];
    const g = [300, -300, -5000, 5000, 7, -2147483648];
    writeLocalMatrix(sim, 'sp', 10, 2, 3, w);
    writeLocalMatrix(sim, 'grad', 4, 2, 3, g);
    writeLocalMatrix(sim, 'grad', 6, 2, 3, g);
    runToHalt(sim, [
      setCfg('LR_MUL', 3),
      setCfg('LR_SHIFT', 8),
      I('sgd', { doff: 10, soff: 4, count: 2 }), // nearest, keep G
      setCfg('SEED', -7),
      setCfg('ROUND', 1),
      I('sgd', { doff: 10, soff: 6, count: 2, clear: 1 }),
      I('halt'),
    ]);
    ok(sim);
    const sat = (v: number): number => Math.max(-128, Math.min(127, v));
    const near = (p: number, s: number): number => Math.floor((p + 2 ** (s - 1)) / 2 ** s);
    const w1 = w.map((v, e) => sat(v - near(g[e]! * 3, 8)));
    // hand check of two lanes: 300·3/256 = 3.52 → 4; −300·3/256 = −3.52 → −4
    expect(w1.slice(0, 2)).toEqual([6, -6]);
    const w2 = w1.map((v, e) => sat(v - stoch(g[e]! * 3, 8, -7, e)));
    expect(Array.from(readLocalMatrix(sim, 'sp', 10, 2, 3))).toEqual(w2);
    expect(Array.from(readLocalMatrix(sim, 'grad', 4, 2, 3))).toEqual(g);
    expect(Array.from(readLocalMatrix(sim, 'grad', 6, 2, 3))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('stochastic rounding of sgd is unbiased on average', () => {
    const sim = new Simulator(smallConfig(4, 4, { gradRows: 256, spRows: 256 }));
    const rows = 256;
    sim.writeLocal('grad', 0, new Int32Array(rows * 4).fill(64)); // 64·1 / 256 = 0.25 LSB
    runToHalt(sim, [setCfg('ROUND', 1), setCfg('SEED', 99), setCfg('LR_MUL', 1), setCfg('LR_SHIFT', 8), I('sgd', { doff: 0, soff: 0, count: rows }), I('halt')]);
    const out = sim.readLocal('sp', 0, rows);
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(mean).toBeGreaterThan(-0.32);
    expect(mean).toBeLessThan(-0.18);
  });
});

describe('scalar instructions', () => {
  test('addi/add/sub wrap at 32 bits; r0 stays 0', () => {
    const sim = sim23();
    runToHalt(sim, [
      li(1, 2147483647),
      I('addi', { rd: 2, rs: 1, imm: 1 }),
      I('add', { rd: 3, rs: 1, rt: 1 }),
      I('sub', { rd: 4, rs: 0, rt: 2 }),
      I('addi', { rd: 0, rs: 1, imm: 5 }),
      I('halt'),
    ]);
    ok(sim);
    const r = sim.readRegisters();
    expect([r[0], r[1], r[2], r[3], r[4]]).toEqual([0, 2147483647, -2147483648, -2, -2147483648]);
  });

  test('branches compare signed', () => {
    const sim = sim23();
    // r1 = −1, r2 = 1: blt taken, bge not, beq not, bne taken; each taken branch skips one `addi r9`.
    runToHalt(sim, [
      li(1, -1), li(2, 1),
      I('blt', { rs: 1, rt: 2, target: 4 }), li(9, 1),
      I('bge', { rs: 1, rt: 2, target: 6 }), li(10, 1),
      I('beq', { rs: 1, rt: 2, target: 8 }), li(11, 1),
      I('bne', { rs: 1, rt: 2, target: 10 }), li(12, 1),
      I('halt'),
    ]);
    ok(sim);
    const r = sim.readRegisters();
    expect([r[9], r[10], r[11], r[12]]).toEqual([0, 1, 1, 0]);
  });
});
