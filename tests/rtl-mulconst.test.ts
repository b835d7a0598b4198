import { describe, expect, it } from 'vitest';
import { ref } from '../src/hdl-gen/ir/expr.js';
import { mulConst, mulLut, nafDigits } from '../src/hdl-gen/blocks/mulconst.js';
import { divConstParams } from '../src/hdl-gen/blocks/divconst.js';
import { resolveConfig } from '../src/config/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';

describe('constant multiplication without multiplier cells', () => {
  it('non-adjacent form: digits −1/0/1, no two neighbours non-zero, sums back to k', () => {
    for (let k = 0; k < 5000; k++) {
      const d = nafDigits(k);
      expect(d.reduce((s, x, i) => s + x * 2 ** i, 0)).toBe(k);
      for (let i = 1; i < d.length; i++) expect(d[i] !== 0 && d[i - 1] !== 0).toBe(false);
    }
    expect(nafDigits(0x2aab).filter((x) => x !== 0).length).toBeLessThanOrEqual(8);
  });

  it('emits shifts, adds and subtracts of the operand, never `*`', () => {
    const x = ref('x', 12);
    for (const k of [1, 3, 5, 12, 0x2aab, divConstParams(12, 12).mul]) {
      const e = mulConst(x, k, 28);
      expect(e.width).toBe(28);
      expect(e.text).not.toContain('*');
    }
    expect(mulConst(x, 0, 8).text).toBe("8'd0");
    // The top NAF digit of 3 = 4 − 1 sits above k's top bit: a 13-bit count times 3 into 14 bits.
    expect(mulConst(ref('count', 13), 3, 14).width).toBe(14);
    expect(mulConst(ref('count', 13), 7, 13).width).toBe(13);
  });

  it('mulLut: a variable product as gated shifted adds, never `*` (no DSP slot)', () => {
    const e = mulLut(ref('beats', 11), ref('rows', 9), 15);
    expect(e.width).toBe(15);
    expect(e.text).not.toContain('*');
    expect(e.refs).toEqual(expect.arrayContaining(['beats', 'rows']));
  });

  it('generates RTL for narrow vector units whose row-cycle count has adjacent one bits', () => {
    for (const [rows, cols, lanes, B] of [[12, 12, 2, 16], [12, 12, 4, 32], [7, 7, 1, 16], [6, 6, 1, 16], [3, 3, 1, 32]] as const) {
      const cfg = resolveConfig({ array: { rows, cols }, vpu: { lanes }, dma: { bytesPerCycle: B } });
      expect(() => generateRtl(cfg), `${rows}×${cols} lanes ${lanes} B ${B}`).not.toThrow();
    }
  });
});
