import { describe, expect, it } from 'vitest';
import { parseModelSpec, ModelSpecError } from '../src/compiler/train/model.js';
import { chooseScheme, fixedMul } from '../src/compiler/train/scales.js';
import { lineChartSvg, lossPlotSvg, niceTicks } from '../src/train/plot.js';

describe('model specs', () => {
  it('parses the short form and JSON', () => {
    const m = parseModelSpec('mlp:196-64-10');
    expect(m.sizes).toEqual([196, 64, 10]);
    expect(m.layers.map((l) => l.relu)).toEqual([true, false]);
    expect(parseModelSpec('{"kind":"mlp","sizes":[4,3,2,2]}').name).toBe('mlp:4-3-2-2');
  });

  it('rejects malformed specs with a clear message', () => {
    expect(() => parseModelSpec('cnn:1-2')).toThrow(/expected mlp:IN-HIDDEN-...-OUT/);
    expect(() => parseModelSpec('mlp:196')).toThrow(ModelSpecError);
    expect(() => parseModelSpec('mlp:196-0-10')).toThrow(/layer width 1 must be an integer in 1..4096, not 0/);
    expect(() => parseModelSpec('{"sizes": 3}')).toThrow(/needs "sizes"/);
  });
});

describe('the int8 scheme', () => {
  it('fixed-point multipliers fit 16 bits and are accurate', () => {
    for (const f of [1e-7, 3.3e-5, 0.0019685, 0.25, 1, 7.5, 1000]) {
      const { mul, shift } = fixedMul(f);
      expect(mul).toBeGreaterThan(0);
      expect(mul).toBeLessThanOrEqual(32767);
      expect(shift).toBeLessThanOrEqual(47);
      expect(Math.abs(mul / 2 ** shift - f) / f).toBeLessThan(1e-4);
    }
  });

  it('chooses power-of-two scales and QAS-style learning-rate multipliers for mlp:196-64-10', () => {
    const s = chooseScheme(parseModelSpec('mlp:196-64-10'), 1 / 127, { lr: 0.1, batch: 16 });
    expect(s.layers.map((l) => [l.wExp, l.outExp, l.gradExp])).toEqual([[-8, -6, -8], [-7, -6, -6]]);
    expect(s.targetOne).toBe(64);
    // ΔW_int = lr · s_in · s_grad / (B · s_w) · G_int
    const f0 = (0.1 * (1 / 127) * 2 ** -8) / (16 * 2 ** -8);
    expect(s.lr[0]!.mul / 2 ** s.lr[0]!.shift).toBeCloseTo(f0, 9);
    expect(s.bwd[0]).toBeNull();
    expect(s.bwd[1]!.mul / 2 ** s.bwd[1]!.shift).toBeCloseTo(2 ** (-6 - 7 + 8), 12);
  });
});

describe('loss plot', () => {
  it('ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 1500)).toEqual([0, 500, 1000, 1500]);
  });

  it('writes an SVG with axes, labels, legend and both curves', () => {
    const a = Array.from({ length: 100 }, (_, i) => 1 / (1 + i / 10));
    const svg = lossPlotSvg(a, a.map((v) => v * 0.9), 'title <x>', 40);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const s of ['int8 on chip', 'float32 reference', 'training step', 'title &lt;x&gt;', 'epoch 2', 'epoch 3']) expect(svg).toContain(s);
    expect(svg.match(/<path /g)?.length).toBe(4);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(lineChartSvg([{ name: 'one', values: [0.5], color: '#000' }], { title: 't', xLabel: 'x', yLabel: 'y' })).not.toMatch(/NaN/);
  });
});
