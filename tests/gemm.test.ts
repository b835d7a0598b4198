import { describe, expect, it } from 'vitest';
import { presetConfig, resolveConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { runGemm } from '../src/compiler/gemm-run.js';
import { compileGemm, FitError, referenceGemm } from '../src/compiler/gemm.js';

function seededInt8(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

function check(cfg: ReturnType<typeof presetConfig>, M: number, K: number, N: number, seed = 1) {
  const A = seededInt8(M * K, seed);
  const B = seededInt8(K * N, seed + 1);
  const res = runGemm(new Simulator(cfg), A, B, { M, K, N });
  expect(Array.from(res.Y)).toEqual(Array.from(referenceGemm(A, B, { M, K, N })));
  // Every MAC of every matmul step is counted, so MAC PE-cycles cover at least the useful MACs.
  expect(res.counters.macs).toBeGreaterThanOrEqual(M * K * N);
  return res;
}

describe('GEMM on the simulator', () => {
  it('computes odd shapes exactly on a 3×5 array', () => {
    const res = check(presetConfig('default', { rows: 3, cols: 5 }), 37, 53, 19);
    expect(res.program.plan.scheme).toBe('grouped');
  });

  it('computes odd shapes on 8×8, 1×7, 7×1, 2×4 and 12×12', () => {
    check(presetConfig('default'), 37, 53, 19, 3);
    check(presetConfig('default', { rows: 1, cols: 7 }), 5, 9, 13, 4);
    check(presetConfig('default', { rows: 7, cols: 1 }), 13, 9, 5, 5);
    check(presetConfig('ice40-up5k'), 9, 30, 11, 6);
    check(presetConfig('ecp5-85f'), 25, 40, 27, 7);
  });

  it('handles 1×1×1 and K = 1', () => {
    check(presetConfig('default'), 1, 1, 1, 8);
    check(presetConfig('default', { rows: 3, cols: 5 }), 10, 1, 10, 9);
  });

  it('falls back to K chunks when a panel pair does not fit half the scratchpad', () => {
    const cfg = resolveConfig({ base: 'default', name: 'tiny-sp', array: { rows: 4, cols: 4 }, memory: { spRows: 64 } });
    const res = check(cfg, 9, 100, 6, 10);
    expect(res.program.plan.scheme).toBe('k-chunked');
  });

  it('splits into several launches when one program exceeds instruction memory', () => {
    const cfg = resolveConfig({ base: 'default', name: 'tiny-imem', array: { rows: 2, cols: 2 }, memory: { imemWords: 64 } });
    const res = check(cfg, 12, 8, 12, 11);
    expect(res.program.launches.length).toBeGreaterThan(1);
    for (const l of res.program.launches) expect(l.length).toBeLessThanOrEqual(64);
  });

  it('splits matmuls longer than 4096 steps', () => {
    const cfg = resolveConfig({ base: 'default', name: 'long-k', array: { rows: 2, cols: 3 }, memory: { spRows: 16384 } });
    check(cfg, 3, 5000, 4, 12);
  });

  it('keeps the array busy on a large GEMM (≥ 90 % on 8×8, 128³)', () => {
    const res = check(presetConfig('default'), 128, 128, 128, 13);
    expect(res.utilization).toBeGreaterThan(0.9);
  });

  it('says which memory is short and by how much', () => {
    const cfg = presetConfig('ice40-hx8k');
    expect(() => compileGemm(cfg, { M: 64, K: 64, N: 64 })).toThrow(FitError);
    expect(() => compileGemm(cfg, { M: 64, K: 64, N: 64 })).toThrow(/main memory is short by 20480 bytes \(needs 24576, has 4096\)/);
    expect(() => compileGemm(presetConfig('default'), { M: 0, K: 1, N: 1 })).toThrow(/M must be a positive integer/);
  });
});
