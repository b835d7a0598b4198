import { describe, expect, it } from 'vitest';
import { ConfigError, PRESETS, PRESET_NAMES, presetConfig, resolveConfig, configToJson } from '../src/config/index.js';

describe('ChipConfig', () => {
  it('resolves every preset, frozen, with a stable hash', () => {
    for (const name of PRESET_NAMES) {
      const c = presetConfig(name);
      expect(c.name).toBe(name);
      expect(Object.isFrozen(c)).toBe(true);
      expect(Object.isFrozen(c.array)).toBe(true);
      expect(c.derived.hash).toMatch(/^[0-9a-f]{8}$/);
      expect(presetConfig(name).derived.hash).toBe(c.derived.hash);
      expect(c.derived.W).toBe(Math.max(c.array.rows, c.array.cols));
    }
  });

  it('gives different hashes to different configs', () => {
    const hashes = new Set(PRESET_NAMES.map((n) => presetConfig(n).derived.hash));
    expect(hashes.size).toBe(PRESET_NAMES.length);
    expect(presetConfig('default', { rows: 3, cols: 5 }).derived.hash).not.toBe(presetConfig('default').derived.hash);
  });

  it('accepts non-square and 1×N arrays', () => {
    expect(presetConfig('default', { rows: 3, cols: 5 }).derived.W).toBe(5);
    const c = presetConfig('default', { rows: 1, cols: 7 });
    expect([c.array.rows, c.array.cols, c.derived.W]).toEqual([1, 7, 7]);
    expect(c.name).toBe('default-1x7');
  });

  it('round-trips through its JSON form', () => {
    const c = presetConfig('ecp5-25f');
    const again = resolveConfig(JSON.parse(JSON.stringify(configToJson(c))));
    expect(again.derived.hash).toBe(c.derived.hash);
  });

  it('lists every problem at once, naming each field', () => {
    let err: unknown;
    try {
      resolveConfig({ array: { rows: 0, cols: -2, bogus: 1 }, memory: { spRows: 6, mainBytes: 1001 }, dma: { bytesPerCycle: 3 }, extra: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual(expect.arrayContaining([
      'extra is not a known key (expected one of: name, array, memory, dma, vpu, controller, base, derived)',
      'array.bogus is not a known key (expected one of: rows, cols, mult, peLatency)',
      'array.rows must be in 1..64, not 0',
      'array.cols must be in 1..64, not -2',
      'memory.spRows must be a multiple of 4, not 6',
      'memory.mainBytes must be a multiple of 4, not 1001',
      'dma.bytesPerCycle must be 1, 2, 4, 8, 16 or 32, not 3',
    ]));
    expect((err as Error).message).not.toMatch(/at .*\.ts:/); // a message, not a stack
  });

  it('checks vpu.lanes against W and keeps full-width hashes unchanged', () => {
    expect(() => resolveConfig({ array: { rows: 2, cols: 4 }, vpu: { lanes: 5 } })).toThrow(/vpu\.lanes must be "all" or a lane count in 1\.\.4 \(W = max\(rows, cols\)\), not 5/);
    expect(() => resolveConfig({ vpu: { lanes: 0 } })).toThrow(/vpu\.lanes/);
    expect(() => resolveConfig({ vpu: { width: 2 } })).toThrow(/vpu\.width is not a known key \(expected one of: lanes, latency\)/);
    const all = resolveConfig({ array: { rows: 3, cols: 5 } });
    const five = resolveConfig({ array: { rows: 3, cols: 5 }, vpu: { lanes: 5 } });
    const two = resolveConfig({ array: { rows: 3, cols: 5 }, vpu: { lanes: 2 } });
    expect(all.derived.vpuRowCycles).toBe(1);
    expect(five.derived.hash).toBe(all.derived.hash); // 5 lanes = all lanes: the same chip
    expect(two.derived).toMatchObject({ vpuLanes: 2, vpuRowCycles: 3 });
    expect(two.derived.hash).not.toBe(all.derived.hash);
  });

  it('checks vpu.latency and keeps 3-cycle hashes unchanged', () => {
    expect(() => resolveConfig({ vpu: { latency: 6 } })).toThrow(/vpu\.latency must be in 3\.\.5, not 6/);
    expect(() => resolveConfig({ vpu: { stages: 4 } })).toThrow(/vpu\.stages is not a known key \(expected one of: lanes, latency\)/);
    expect(resolveConfig({ vpu: { latency: 3 } }).derived.hash).toBe('45c3d1a3');
    const four = resolveConfig({ vpu: { latency: 4 } });
    expect(four.vpu.latency).toBe(4);
    expect(four.derived.hash).not.toBe('45c3d1a3');
    // With a narrow unit the lanes stay in the hash as before.
    expect(resolveConfig({ array: { rows: 3, cols: 5 }, vpu: { lanes: 2, latency: 3 } }).derived.hash).toBe(resolveConfig({ array: { rows: 3, cols: 5 }, vpu: { lanes: 2 } }).derived.hash);
  });

  it('checks controller.stages and keeps one-stage hashes unchanged', () => {
    expect(() => resolveConfig({ controller: { stages: 5 } })).toThrow(/controller\.stages must be in 1\.\.4, not 5/);
    expect(() => resolveConfig({ controller: { stages: 1.5 } })).toThrow(/controller\.stages/);
    expect(() => resolveConfig({ controller: { depth: 2 } })).toThrow(/controller\.depth is not a known key \(expected one of: stages\)/);
    const one = resolveConfig({ controller: { stages: 1 } });
    const three = resolveConfig({ controller: { stages: 3 } });
    expect(one.derived.hash).toBe(resolveConfig({}).derived.hash);
    // The hash the default chip had before controller.stages existed (its checked-in RTL carries it).
    expect(one.derived.hash).toBe('45c3d1a3');
    expect(three.controller.stages).toBe(3);
    expect(three.derived.hash).not.toBe(one.derived.hash);
  });

  it('rejects a memory too small for the array', () => {
    expect(() => resolveConfig({ array: { rows: 16, cols: 16 }, memory: { spRows: 32, accRows: 8 } })).toThrow(
      /memory\.spRows = 32 is too small for a 16×16 array: needs ≥ 64 rows[\s\S]*memory\.accRows = 8 is too small/,
    );
  });

  it('rejects non-integers, wrong types and unknown presets', () => {
    expect(() => resolveConfig({ array: { rows: 2.5 } })).toThrow(/array\.rows must be an integer, not 2.5/);
    expect(() => resolveConfig({ array: { mult: 'fast' } })).toThrow(/array\.mult must be "dsp", "lut" or a PE count/);
    expect(() => resolveConfig('nope')).toThrow(ConfigError);
    expect(() => resolveConfig({ base: 'ice41' })).toThrow(/base must be one of/);
    expect(() => presetConfig('nope')).toThrow(/unknown preset "nope"/);
  });

  it('sizes FPGA presets for their devices', () => {
    expect(PRESETS['ice40-up5k']!.array.rows * PRESETS['ice40-up5k']!.array.cols).toBe(8);
    expect(presetConfig('ice40-up5k').derived.dspPEs).toBe(8);
    expect(presetConfig('ecp5-85f').derived.dspPEs).toBe(144);
    expect(presetConfig('ice40-hx8k').derived.dspPEs).toBe(0);
  });
});
