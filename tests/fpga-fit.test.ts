import { describe, expect, it } from 'vitest';
import { presetConfig, resolveConfig } from '../src/config/index.js';
import { blocksFor, compareFit, estimateDemoFit, estimateFit } from '../fpga/fit.js';
import { getTarget } from '../fpga/targets.js';

const up5k = getTarget('ice40-up5k');

describe('fit estimator', () => {
  it('refuses a 4×4 DSP array on iCE40UP5K in plain words, with both ways out', () => {
    const f = estimateFit(presetConfig('ice40-up5k', { rows: 4, cols: 4 }), up5k);
    expect(f.fits).toBe(false);
    const dsp = f.problems.find((p) => p.includes('multipliers'));
    expect(dsp).toMatch(/^4×4 array needs 16 multipliers; iCE40UP5K has 8 DSPs: use mult=lut for 8 PEs \(array\.mult: 8.*\), or --rows 2 --cols 4$/);
  });

  it('counts a mixed array (array.mult: 8) as 8 DSPs', () => {
    const cfg = resolveConfig({ base: 'ice40-up5k', array: { rows: 4, cols: 4, mult: 8 }, memory: { imemWords: 256 } });
    const f = estimateFit(cfg, up5k);
    expect(f.lines.find((l) => l.resource === 'dsps')?.estimate).toBe(8);
    expect(f.problems.some((p) => p.includes('multipliers'))).toBe(false);
  });

  it('suggests the largest array that fits the DSPs', () => {
    const f = estimateFit(presetConfig('ecp5-25f', { rows: 8, cols: 8 }), getTarget('ecp5-25f'));
    expect(f.problems[0]).toContain('8×8 array needs 64 multipliers; LFE5U-25F has 28 DSPs');
    expect(f.problems[0]).toContain('--rows 4 --cols 7');
  });

  it('places iCE40UP5K main memory in SPRAM and counts EBR per memory', () => {
    const f = estimateFit(presetConfig('ice40-up5k'), up5k);
    const byName = Object.fromEntries(f.memories.map((m) => [m.name, m]));
    expect(byName.main).toMatchObject({ kind: 'spram', blocks: 2 });
    // W = 4: sp is 32 bits wide and read by two ports (two copies); acc/grad are 128 bits wide.
    expect(byName.sp).toMatchObject({ kind: 'bram', copies: 2, blocks: 8 });
    expect(byName.acc?.blocks).toBe(8);
    expect(byName.imem?.blocks).toBe(8);
  });

  it('says which memory to shrink when block RAM runs out', () => {
    const f = estimateFit(presetConfig('ice40-up5k'), up5k);
    const p = f.problems.find((x) => x.includes('EBR'));
    // The preset as written needs 32 of 30 EBR (see the report); the message names the biggest memory.
    if (p) expect(p).toMatch(/memories need \d+ EBR blocks \(.*\); iCE40UP5K has 30: make memory\.\w+ smaller/);
  });

  it('the ECP5 presets fit their devices with every PE on a DSP', () => {
    for (const n of ['ecp5-25f', 'ecp5-85f']) {
      const f = estimateFit(presetConfig(n), getTarget(n));
      expect(f.problems).toEqual([]);
      expect(f.lines.find((l) => l.resource === 'dsps')?.estimate).toBe(f.macs);
    }
    expect(estimateFit(presetConfig('ecp5-85f'), getTarget('ecp5-85f')).macs).toBe(144);
  });

  it('builds every multiplier in logic on a device without DSPs', () => {
    const f = estimateFit(presetConfig('ice40-hx8k', { rows: 2, cols: 2 }), getTarget('ice40-hx8k'));
    expect(f.lines.find((l) => l.resource === 'dsps')?.estimate).toBe(0);
    const dspCfg = resolveConfig({ base: 'ice40-hx8k', array: { rows: 2, cols: 2, mult: 'dsp' } });
    expect(estimateFit(dspCfg, getTarget('ice40-hx8k')).warnings[0]).toContain('iCE40HX8K has no DSPs');
  });

  it('block shapes: the best single shape, tiled', () => {
    expect(blocksFor(512, 32, [[256, 16], [512, 8], [1024, 4], [2048, 2]])).toBe(4);
    expect(blocksFor(128, 128, [[256, 16], [512, 8]])).toBe(8);
    expect(blocksFor(2048, 32, [[512, 36], [1024, 18], [2048, 9]])).toBe(4);
  });

  it('puts the estimate next to the actual use', () => {
    const est = estimateDemoFit(up5k, 2, 4, 256);
    const cmp = compareFit(est, { luts: 1913, dsps: 8, brams: 2 });
    expect(cmp.map((c) => [c.resource, c.estimate, c.actual])).toEqual([['luts', 2100, 1913], ['dsps', 8, 8], ['brams', 2, 2]]);
    expect(cmp[0]!.error).toBeCloseTo((2100 - 1913) / 1913);
  });
});
