import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/sim/index.js';
import { presetConfig, resolveConfig } from '../src/config/index.js';
import { decode } from '../src/isa/encoding.js';
import { disassemble } from '../src/isa/disassembler.js';
import { assemble } from '../src/isa/assembler.js';
import { compileProgram, reseed } from '../src/compiler/train/program.js';
import { int8Forward } from '../src/train/int8-ref.js';
import { ChipTrainer } from '../src/train/chip.js';
import { arrayConfig, makeCase, runBoth } from './train-helpers.js';

describe('compiled training step vs the int8 TypeScript reference (bit-exact)', () => {
  const cases: [number, number, number[], number, number][] = [
    // rows, cols, layer widths, batch, steps
    [3, 5, [20, 12, 5], 6, 3],
    [5, 3, [20, 12, 5], 6, 3],
    [2, 4, [20, 12, 5], 5, 2],
    [1, 1, [9, 5, 3], 3, 2],
    [4, 4, [30, 17, 9, 4], 7, 3],
    [3, 5, [30, 17, 9, 4], 7, 2],
    [8, 4, [50, 20, 10], 9, 2],
    [8, 8, [20, 12, 5], 6, 3],
    [8, 8, [196, 64, 10], 16, 2],
  ];
  for (const [R, C, sizes, B, steps] of cases) {
    it(`${R}×${C} mlp:${sizes.join('-')}, batch ${B}, ${steps} steps`, () => {
      const c = makeCase(arrayConfig(R, C), sizes, B, steps);
      const { chip, res, ref, refZ } = runBoth(c, steps);
      chip.weights.forEach((w, l) => expect(Array.from(w), `layer ${l} weights`).toEqual(Array.from(ref.weights[l]!)));
      expect(Array.from(res.z)).toEqual(Array.from(refZ));
      // The step really trained: weights moved.
      const moved = chip.weights.reduce((n, w, l) => n + w.filter((v, i) => v !== c.w[l]![i]).length, 0);
      expect(moved).toBeGreaterThan(0);
    });
  }

  it('on the default config (8×8) with the real model, across two launches with different seeds', () => {
    const c = makeCase(presetConfig('default'), [196, 64, 10], 16, 4, 3);
    const chip = new ChipTrainer(new Simulator(c.cfg), c.spec, c.scheme, c.batch, c.w);
    const { ref } = runBoth({ ...c, x: c.x.subarray(0, 2 * 16 * 196), labels: c.labels.slice(0, 32) }, 2, 11);
    chip.train(c.x.subarray(0, 2 * 16 * 196), c.labels.slice(0, 32), 2, 11);
    chip.weights.forEach((w, l) => expect(Array.from(w)).toEqual(Array.from(ref.weights[l]!)));
    chip.train(c.x.subarray(2 * 16 * 196), c.labels.slice(32), 2, 12);
    ref.setSeed(12);
    for (let s = 2; s < 4; s++) ref.step(c.x.subarray(s * 16 * 196, (s + 1) * 16 * 196), c.labels.slice(s * 16, (s + 1) * 16));
    chip.weights.forEach((w, l) => expect(Array.from(w)).toEqual(Array.from(ref.weights[l]!)));
  });

  it('the inference program computes the reference logits (batch padding included)', () => {
    for (const [R, C] of [[3, 5], [8, 8]] as const) {
      const c = makeCase(arrayConfig(R, C), [30, 17, 9, 4], 7, 5);
      const chip = new ChipTrainer(new Simulator(c.cfg), c.spec, c.scheme, c.batch, c.w);
      const count = 31; // not a multiple of the batch
      const { z } = chip.infer(c.x, count);
      const ref = int8Forward(c.spec, c.scheme, c.w, c.x.subarray(0, count * 30), count);
      expect(Array.from(z)).toEqual(Array.from(ref[3]!));
    }
  });
});

describe('training program structure and timing', () => {
  it('one step uses all three GEMM forms, the gradient buffer, the loss ALU ops and sgd', () => {
    const c = makeCase(presetConfig('default'), [196, 64, 10], 16, 1);
    const p = compileProgram(c.cfg, c.spec, c.scheme, 16, { kind: 'train', steps: 3, seed: 1 });
    const ins = p.words.map((w) => {
      const d = decode(w);
      if (!d.ok) throw new Error(d.reason);
      return d.instr;
    });
    const has = (m: string, f: Record<string, number> = {}): boolean =>
      ins.some((i) => i.spec.mnemonic === m && Object.entries(f).every(([k, v]) => i.f[k] === v));
    expect(has('mm', { tl: 1, tt: 0 })).toBe(true); // forward X·W
    expect(has('mm', { tl: 1, tt: 1 })).toBe(true); // input gradient dY·Wᵀ
    expect(has('mm', { tl: 0, tt: 0 })).toBe(true); // weight gradient Xᵀ·dY
    expect(has('drain', { mem: 2, add: 0 })).toBe(true); // dW lands in grad (each tile once: no add, so sgd needs no clear)
    expect(has('rq', { relu: 1 })).toBe(true);
    for (const m of ['vrelubwd', 'vsub', 'vmov', 'ld', 'st', 'blt']) expect(has(m), m).toBe(true);
    expect(has('sgd', { clear: 0 })).toBe(true); // clear would hold grad's write port against the dW drains
    expect(p.plan.sp.doubleBuffered && p.plan.sp.regionAligned).toBe(true);
  });

  it('reseeding a compiled program equals compiling it with that seed', () => {
    const c = makeCase(arrayConfig(3, 5), [20, 12, 5], 6, 1);
    const a = compileProgram(c.cfg, c.spec, c.scheme, 6, { kind: 'train', steps: 3, seed: 1 });
    const b = compileProgram(c.cfg, c.spec, c.scheme, 6, { kind: 'train', steps: 3, seed: 0xdeadbeef });
    expect(reseed(a, 0xdeadbeef).words).toEqual(b.words);
  });

  it('disassembles to text the assembler turns back into the same words', () => {
    const c = makeCase(arrayConfig(3, 5), [20, 12, 5], 6, 1);
    const p = compileProgram(c.cfg, c.spec, c.scheme, 6, { kind: 'train', steps: 2, seed: 9 });
    const text = disassemble(p.words);
    const r = assemble(text, 'train.s', { config: c.cfg });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics.slice(0, 3)));
    expect(r.words).toEqual(p.words);
  });

  it('the timing model predicts the simulator\'s cycles per step exactly (steady state)', () => {
    const shapes: [number, number, number[], number, number?, number?, number?][] = [
      [8, 8, [196, 64, 10], 16], [3, 5, [20, 12, 5], 6], [5, 3, [20, 12, 5], 6], [4, 4, [30, 17, 9, 4], 7],
      [4, 4, [30, 17, 9, 4], 7, 1], [3, 5, [20, 12, 5], 6, 2], // narrow vector units
      [4, 4, [30, 17, 9, 4], 7, 1, 4, 5], [3, 5, [20, 12, 5], 6, 5, 3, 4], // pipelined front end and vector unit
    ];
    for (const [R, C, sizes, B, lanes, stages, latency] of shapes) {
      const cfg = lanes === undefined ? arrayConfig(R, C) : resolveConfig({
        name: `t${R}x${C}l${lanes}`, array: { rows: R, cols: C }, vpu: { lanes, latency: latency ?? 3 }, controller: { stages: stages ?? 1 },
      });
      const c = makeCase(cfg, sizes, B, 8);
      const cycles = (n: number): { cycles: number; predicted: number } => {
        const res = new ChipTrainer(new Simulator(c.cfg), c.spec, c.scheme, B, c.w).train(c.x, c.labels, n, 5);
        return { cycles: res.counters.cycles, predicted: res.program.predicted.cyclesPerStep };
      };
      const a = cycles(4);
      const b = cycles(8);
      expect((b.cycles - a.cycles) / 4, `${R}×${C}`).toBe(a.predicted);
    }
  });

  it('reaches ≥ 70 % utilization over training steps of mlp:196-64-10 on the default config', () => {
    const c = makeCase(presetConfig('default'), [196, 64, 10], 16, 1);
    const p = compileProgram(c.cfg, c.spec, c.scheme, 16, { kind: 'train', steps: 1 });
    expect(p.predicted.mxuCyclesPerStep / p.predicted.cyclesPerStep).toBeGreaterThanOrEqual(0.7);
  });
});
