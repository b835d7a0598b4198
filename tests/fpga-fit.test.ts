import { describe, expect, it } from 'vitest';
import { presetConfig, resolveConfig } from '../src/config/index.js';
import { blocksFor, compareFit, estimateDemoFit, estimateFit } from '../fpga/fit.js';
import { rtlInventory } from '../fpga/rtl-inventory.js';
import { getTarget } from '../fpga/targets.js';

const up5k = getTarget('ice40-up5k');
const e25 = getTarget('ecp5-25f');
const dsps = (f: ReturnType<typeof estimateFit>): number | undefined => f.lines.find((l) => l.resource === 'dsps')?.estimate;

describe('fit estimator', () => {
  it('refuses a 4×4 DSP array on iCE40UP5K in plain words, counting the vector unit too', () => {
    const f = estimateFit(presetConfig('ice40-up5k', { rows: 4, cols: 4 }), up5k);
    expect(f.fits).toBe(false);
    expect(f.problems[0]).toBe(
      '4×4 array needs 16 multipliers plus 12 for the vector unit and operand checks (4 lanes × 2 + 4); iCE40UP5K has 8 DSPs: ' +
        'the vector unit and operand checks alone need 12 (4 lanes × 2 + 4); use array.mult: "lut" and fewer vpu.lanes',
    );
  });

  it('offers mult=lut for some PEs, or a smaller array, when DSPs are short but not gone', () => {
    const f = estimateFit(presetConfig('ecp5-25f', { rows: 8, cols: 8 }), e25);
    // 64 PE multipliers + 1 vector lane × 2 + 4 = 70 > 28: 22 DSPs are left for PEs.
    expect(f.problems[0]).toMatch(/^8×8 array needs 64 multipliers plus 6 for the vector unit and operand checks \(1 lane × 2 \+ 4\); LFE5U-25F has 28 DSPs: use mult=lut for 42 PEs \(array\.mult: 22.*\), or --rows \d+ --cols \d+$/);
  });

  it('counts a mixed array (array.mult: n) as n PE DSPs plus the vector unit', () => {
    const cfg = resolveConfig({ base: 'ecp5-25f', array: { rows: 4, cols: 4, mult: 8 } });
    expect(dsps(estimateFit(cfg, e25))).toBe(8 + 1 * 2 + 4);
  });

  it('suggests the largest array whose logic fits', () => {
    const f = estimateFit(presetConfig('ecp5-25f', { rows: 8, cols: 8 }), e25);
    expect(f.problems.find((p) => p.includes('needs about'))).toMatch(/^8×8 array needs about \d+ LUT4s; LFE5U-25F has 24288: --rows \d+ --cols \d+ would fit$/);
  });

  it('without RTL, models the memories of docs/microarch.md §1a', () => {
    const f = estimateFit(presetConfig('ice40-up5k'), up5k);
    const byName = Object.fromEntries(f.memories.map((m) => [m.name, m]));
    expect(byName.main).toMatchObject({ kind: 'bram', blocks: 128 });
    // W = 4: sp is 32 bits wide: general and owner copies (8 EBR), the array's left copy 2-way and
    // top copy 4-way interleaved (4 + 8 EBR); acc/grad 128 bits, two copies.
    expect(f.memories.filter((m) => m.name === 'sp').reduce((n, m) => n + m.blocks, 0)).toBe(20);
    expect(byName.acc?.blocks).toBe(16);
    // The model agrees with the generated RTL's inventory for this preset.
    expect(f.memories.reduce((n, m) => n + m.blocks, 0)).toBe(188);
    expect(f.problems.find((p) => p.includes('EBR'))).toMatch(/make memory\.\w+ smaller$/);
  });

  it('with RTL, counts every ag_ram copy through the hierarchy at its real shape', () => {
    const files = [
      { text: 'module ag_top (input wire clk);\n  ag_mem_acc u_acc (.clk(clk));\n  ag_mem_acc u_grad (.clk(clk));\n  ag_ram_512x2x32 u_imem (.clk(clk));\nendmodule\n' },
      { text: 'module ag_mem_acc (input wire clk);\n  wire x;\n  ag_ram_32x16x8 u_b0 (.clk(clk));\n  ag_ram_32x16x8 #(.X(1)) u_b1 (.clk(clk));\n  ag_ram_32x16x8 u_b2 (.clk(clk));\nendmodule\n' },
      { text: 'module ag_ram_32x16x8 (input wire clk);\nendmodule\n' },
      { text: 'module ag_ram_512x2x32 (input wire clk);\nendmodule\n' },
    ];
    const inv = rtlInventory(files, 'ag_top');
    expect(inv.rams).toEqual([
      { module: 'ag_ram_32x16x8', words: 32, lanes: 16, bits: 8, count: 6 },
      { module: 'ag_ram_512x2x32', words: 512, lanes: 2, bits: 32, count: 1 },
    ]);
    const f = estimateFit(presetConfig('ice40-up5k'), up5k, inv);
    // 6 × (128 bits → 8 EBR) + 512 × 64 bits → 8 EBR = 56 (what yosys maps for these shapes).
    expect(f.lines.find((l) => l.resource === 'brams')?.estimate).toBe(56);
    expect(f.problems.find((p) => p.includes('EBR'))).toContain('the largest group is 6 × 32 words × 128 bits, 8 blocks each (an EBR holds 256 × 16)');
  });

  it('builds every multiplier in logic on a device without DSPs', () => {
    const hx = getTarget('ice40-hx8k');
    expect(dsps(estimateFit(presetConfig('ice40-hx8k', { rows: 2, cols: 2 }), hx))).toBe(0);
    const dspCfg = resolveConfig({ base: 'ice40-hx8k', array: { rows: 2, cols: 2, mult: 'dsp' } });
    expect(estimateFit(dspCfg, hx).warnings[0]).toContain('iCE40HX8K has no DSPs');
  });

  it('block shapes: the best single shape, tiled', () => {
    expect(blocksFor(512, 32, [[256, 16], [512, 8], [1024, 4], [2048, 2]])).toBe(4);
    expect(blocksFor(128, 128, [[256, 16], [512, 8]])).toBe(8);
    expect(blocksFor(2048, 32, [[512, 36], [1024, 18], [2048, 9]])).toBe(4);
    expect(blocksFor(16384, 8, [[256, 16], [512, 8], [1024, 4], [2048, 2]])).toBe(32);
  });

  it('puts the estimate next to the actual use', () => {
    const est = estimateDemoFit(up5k, 2, 4, 256);
    const cmp = compareFit(est, { luts: 1913, dsps: 8, brams: 2 });
    expect(cmp.map((c) => [c.resource, c.estimate, c.actual])).toEqual([['luts', 2100, 1913], ['dsps', 8, 8], ['brams', 2, 2]]);
    expect(cmp[0]!.error).toBeCloseTo((2100 - 1913) / 1913);
  });
});
