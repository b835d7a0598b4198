/** Non-square arrays (3×5, 5×3, 1×7, 7×1): mm in every operand layout and drains against the formula. */
import { describe, expect, test } from 'vitest';
import { Simulator } from '../src/sim/index.js';
import { I, mem, randInt, rng, runToHalt, setCfg, smallConfig } from './sim-helpers.js';

function refMatmul(sp: Int8Array, W: number, R: number, C: number, l: number, t: number, k: number, tl: boolean, tt: boolean, ls: number, ts: number): number[][] {
  const L = (i: number, s: number): number => (tl ? sp[(l + Math.floor(s / W) * ls + i) * W + (s % W)]! : sp[(l + s) * W + i]!);
  const T = (s: number, j: number): number => (tt ? sp[(t + Math.floor(s / W) * ts + j) * W + (s % W)]! : sp[(t + s) * W + j]!);
  const out: number[][] = [];
  for (let i = 0; i < R; i++) {
    out.push([]);
    for (let j = 0; j < C; j++) {
      let a = 0;
      for (let s = 0; s < k; s++) a += L(i, s) * T(s, j);
      out[i]!.push(a | 0);
    }
  }
  return out;
}

describe.each([[3, 5], [5, 3], [1, 7], [7, 1]] as const)('%i×%i array', (R, C) => {
  const cfg = smallConfig(R, C, { peLatency: 2 });
  const W = Math.max(R, C);

  test('mm (normal, tl, tt, both; acc) and drains (normal, transposed, add) match the formula', () => {
    const r = rng(R * 100 + C);
    const sim = new Simulator(cfg);
    const sp = new Int8Array(cfg.memory.spRows * W);
    for (let i = 0; i < sp.length; i++) sp[i] = randInt(r, -128, 127);
    sim.writeLocal('sp', 0, sp);
    for (const [tl, tt] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const k = randInt(r, 1, 3 * W + 2);
      const k2 = randInt(r, 1, 2 * W);
      const ls = randInt(r, 0, 3);
      const ts = randInt(r, 0, 3);
      runToHalt(sim, [
        setCfg('LSTRIDE', ls),
        setCfg('TSTRIDE', ts),
        I('mm', { loff: 1, toff: 30, k, tl, tt, bank: 1 }),
        I('mm', { loff: 5, toff: 33, k: k2, tl, tt, bank: 1, acc: 1 }),
        I('drain', { mem: mem('acc'), doff: 0, bank: 1 }),
        I('drain', { mem: mem('grad'), doff: 0, bank: 1, t: 1 }),
        I('drain', { mem: mem('grad'), doff: 0, bank: 1, t: 1, add: 1 }),
        I('halt'),
      ]);
      expect(sim.status().error).toBe(0);
      const a = refMatmul(sp, W, R, C, 1, 30, k, tl === 1, tt === 1, ls, ts);
      const b = refMatmul(sp, W, R, C, 5, 33, k2, tl === 1, tt === 1, ls, ts);
      const sum = a.map((row, i) => row.map((v, j) => (v + b[i]![j]!) | 0));
      const acc = sim.readLocal('acc', 0, R);
      const grad = sim.readLocal('grad', 0, C);
      for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
        expect(acc[i * W + j]).toBe(sum[i]![j]);
        expect(grad[j * W + i]).toBe((2 * sum[i]![j]!) | 0);
      }
    }
  });

  test('timing: drain waits K + F, F = R + C + P + 2; drain takes (t ? C : R) + 2', () => {
    const sim = new Simulator(cfg);
    runToHalt(sim, [I('mm', { k: 9 }), I('drain', { mem: mem('acc'), t: 1 }), I('halt')]);
    const F = R + C + 2 + 2;
    // mm issues in 1; drain in 1 + 9 + F; halt when DRN n = 1, D = C + 2 cycles later.
    expect(sim.status().counters.cycles).toBe(1 + 9 + F + (C + 2) + 1);
    expect(sim.status().counters.macs).toBe(9 * R * C);
  });
});
