/**
 * A 256×256×256 int8 GEMM on the default 8×8 config: the result matches a direct matmul, the
 * array stays busy, and the run's speed (PE-updates per second, start-up included) is reported.
 */
import { expect, test } from 'vitest';
import { presetConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/index.js';
import { readMainInt32 } from '../src/sim/tensors.js';
import { gemmProgram } from './sim-gemm.js';
import { randInt, rng } from './sim-helpers.js';

test('GEMM 256³ on 8×8: correct, ≥ 90 % utilization, speed', () => {
  const cfg = presetConfig('default');
  const M = 256, N = 256, K = 256;
  const { program, layout } = gemmProgram(cfg, M, N, K);
  const r = rng(7);
  const at = new Int8Array(K * M).map(() => randInt(r, -128, 127));
  const b = new Int8Array(K * N).map(() => randInt(r, -128, 127));

  const t0 = performance.now();
  const sim = new Simulator(cfg);
  sim.loadProgram(program);
  sim.writeMain(layout.atAddr, new Uint8Array(at.buffer));
  sim.writeMain(layout.bAddr, new Uint8Array(b.buffer));
  sim.start();
  const st = sim.run(10_000_000);
  const ms = performance.now() - t0;

  expect(st.error).toBe(0);
  expect(st.halted).toBe(true);
  const c = readMainInt32(sim, layout.cAddr, M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let acc = 0;
    for (let k = 0; k < K; k++) acc += at[k * M + m]! * b[k * N + n]!;
    if (c[m * N + n] !== acc) expect(`C[${m}][${n}] = ${c[m * N + n]}`).toBe(`C[${m}][${n}] = ${acc}`);
  }
  const { cycles, macs } = st.counters;
  expect(macs).toBe(M * N * K);
  const util = macs / (64 * cycles);
  expect(util).toBeGreaterThan(0.9);
  const rate = (cycles * 64) / (ms / 1000);
  console.log(`GEMM 256³ on 8×8: ${program.length} words, ${cycles} cycles, utilization ${(100 * util).toFixed(1)} %, ` +
    `${ms.toFixed(1)} ms → ${(rate / 1e6).toFixed(0)} M PE-updates/s (start-up included)`);
});
