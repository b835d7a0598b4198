import { describe, expect, it } from 'vitest';
import { presetConfig } from '../src/config/index.js';
import { mlp } from '../src/compiler/train/model.js';
import { chooseScheme } from '../src/compiler/train/scales.js';
import { geometry } from '../src/compiler/train/geometry.js';
import { FitError, planMemory, maxStepsPerRun } from '../src/compiler/train/plan.js';
import { compileProgram } from '../src/compiler/train/program.js';
import { arrayConfig } from './train-helpers.js';

const fitError = (f: () => unknown): FitError => {
  try {
    f();
  } catch (e) {
    if (e instanceof FitError) return e;
    throw e;
  }
  throw new Error('expected a FitError');
};

describe('tiling geometry on odd array shapes', () => {
  it('uses g = min(R, C) lanes per block, batch padded to R rows, inputs to g rows', () => {
    const spec = mlp([196, 64, 10]);
    const g35 = geometry(arrayConfig(3, 5), spec, 16);
    expect([g35.g, g35.W, g35.Bp]).toEqual([3, 5, 18]);
    expect(g35.Np).toEqual([198, 66]);
    expect(g35.outBlocks).toEqual([22, 4]);
    const g53 = geometry(arrayConfig(5, 3), spec, 16);
    expect([g53.g, g53.W, g53.Bp]).toEqual([3, 5, 20]);
    const g88 = geometry(presetConfig('default'), spec, 16);
    expect([g88.g, g88.Bp, g88.Np[0], g88.outBlocks[0]]).toEqual([8, 16, 200, 8]);
  });

  it('gives the weights and each batch buffer lock regions of their own on the default config', () => {
    const p = planMemory(presetConfig('default'), mlp([196, 64, 10]), 16);
    expect(p.sp.regionAligned).toBe(true);
    expect(p.sp.buffers).toEqual([2048, 3072]);
    expect(p.sp.weightRows).toBe(8 * 200 + 2 * 64);
    expect(p.grad.slots).toEqual([0, 256, 512, 768]);
    expect(maxStepsPerRun(p, 'train')).toBeGreaterThan(250);
  });

  it('falls back to one batch buffer when two do not fit', () => {
    const p = planMemory(presetConfig('default'), mlp([196, 64, 10]), 32);
    expect(p.sp.doubleBuffered).toBe(false);
  });
});

describe('programs that cannot fit say which memory is short and by how much', () => {
  const spec = mlp([196, 64, 10]);

  it('scratchpad (mlp:196-64-10 on iCE40UP5K)', () => {
    const e = fitError(() => planMemory(presetConfig('ice40-up5k'), spec, 16));
    expect(e.memory).toBe('scratchpad');
    expect(e.message).toMatch(/^scratchpad is short by \d+ rows \(needs \d+, has 512\): mlp:196-64-10, batch 16: weights \d+ rows/);
    expect(e.needed - e.available).toBeGreaterThan(0);
  });

  it('gradient buffer', () => {
    const e = fitError(() => planMemory(arrayConfig(8, 8, { gradRows: 64 }), mlp([196, 8, 10]), 16));
    expect(e.message).toBe("gradient buffer is short by 136 rows (needs 200, has 64): one 8-column block of layer 0's weight gradient has 200 input rows");
  });

  it('accumulator memory', () => {
    const e = fitError(() => planMemory(arrayConfig(8, 8, { accRows: 64, spRows: 16384 }), mlp([20, 64, 10]), 16));
    expect(e.memory).toBe('accumulator memory');
    expect(e.message).toMatch(/^accumulator memory is short by 64 rows \(needs 128, has 64\)/);
  });

  it('main memory', () => {
    const e = fitError(() => maxStepsPerRun(planMemory(arrayConfig(8, 8, { mainBytes: 8192 }), spec, 16), 'train'));
    expect(e.message).toMatch(/^main memory is short by \d+ bytes \(needs \d+, has 8192\)/);
    const p = planMemory(presetConfig('default'), spec, 16);
    const s = chooseScheme(spec, 1 / 127, { lr: 0.1, batch: 16 });
    const big = fitError(() => compileProgram(presetConfig('default'), spec, s, 16, { kind: 'train', steps: maxStepsPerRun(p, 'train') + 1 }));
    expect(big.memory).toBe('main memory');
  });

  it('instruction memory', () => {
    const s = chooseScheme(spec, 1 / 127, { lr: 0.1, batch: 16 });
    const e = fitError(() => compileProgram(arrayConfig(8, 8, { imemWords: 128 }), spec, s, 16, { kind: 'train', steps: 1 }));
    expect(e.message).toMatch(/^instruction memory is short by \d+ words \(needs \d+, has 128\): mlp:196-64-10 train program/);
  });
});
