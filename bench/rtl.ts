import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { compileGemm } from '../src/compiler/gemm.js';
import type { ChipBackend } from '../src/host/backend.js';
import { RtlBackend } from '../testbench/rtl-backend.js';
import { buildModel, checkTools } from '../testbench/build.js';
import type { BenchRow } from './sections.js';

function seededInt8(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

/** Load a GEMM's operands and its (single) program; returns the program words. */
function prepare(b: ChipBackend, M: number, K: number, N: number): readonly bigint[] {
  const p = compileGemm(b.config, { M, K, N });
  if (p.launches.length !== 1) throw new Error('benchmark GEMM must fit one launch');
  b.writeMain(p.layout.aAddr, new Uint8Array(seededInt8(M * K, 1).buffer));
  b.writeMain(p.layout.bAddr, new Uint8Array(seededInt8(K * N, 2).buffer));
  b.loadProgram(p.launches[0]!);
  return p.launches[0]!;
}

/**
 * The Verilated model through koffi on the default config: build time from a clean cache, batched
 * run speed, per-cycle stepping from TypeScript, and the simulator's speed on the same program.
 */
export function benchRtl(): BenchRow[] {
  const cfg = presetConfig('default');
  const rows: BenchRow[] = [];
  const cacheDir = mkdtempSync(join(tmpdir(), 'accelgen-bench-cache-'));
  try {
    // Only one model instance per process: Verilator 5.006 can hang when a second context is freed.
    const t0 = performance.now();
    buildModel(cfg, { cacheDir });
    const buildS = (performance.now() - t0) / 1000;
    const verilator = checkTools().split('\n')[0]!.replace(/^Verilator\s+/, '').split(' ')[0];
    rows.push({ section: 'rtl', metric: `config → Verilated library (default 8×8, clean cache, Verilator ${verilator})`, value: `${buildS.toFixed(1)} s`, target: '< 60 s' });
    const t1 = performance.now();
    const hit = buildModel(cfg, { cacheDir });
    rows.push({ section: 'rtl', metric: 'same config again (cache hit, no rebuild)', value: `${((performance.now() - t1) / 1000).toFixed(2)} s${hit.built ? ' (REBUILT)' : ''}`, target: 'no rebuild' });
    const rtl = new RtlBackend(cfg, { cacheDir });

    // Batched: the whole 128³ GEMM in one C call, best of 3 in wall time and (on a shared machine
    // wall time mostly measures the other jobs) in CPU time of this process.
    const cpuS = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    let rtlRate = 0;
    let cpuRate = 0;
    let rtlCycles = 0;
    for (let rep = 0; rep < 3; rep++) {
      prepare(rtl, 128, 128, 128);
      rtl.start();
      const c0 = cpuS();
      const t0r = performance.now();
      const s = rtl.run(1e9);
      const wall = (performance.now() - t0r) / 1000;
      if (!s.halted || s.error !== 0) throw new Error('GEMM on the RTL did not halt cleanly');
      rtlCycles = s.counters.cycles;
      rtlRate = Math.max(rtlRate, rtlCycles / wall);
      cpuRate = Math.max(cpuRate, rtlCycles / (cpuS() - c0));
    }
    rows.push({ section: 'rtl', metric: 'RTL batched run (GEMM 128³ on 8×8), best of 3', value: `${(rtlRate / 1e6).toFixed(2)} M cycles/s`, target: '≥ 2 M cycles/s' });
    rows.push({ section: 'rtl', metric: 'RTL batched run, CPU time of the run() call, best of 3 (same GEMM)', value: `${(cpuRate / 1e6).toFixed(2)} M cycles/s`, target: '≥ 2 M cycles/s' });

    // The simulator on the same program, measured the same way (best of 3: the first run also pays
    // for the JavaScript JIT).
    const sim = new Simulator(cfg);
    let simRate = 0;
    for (let rep = 0; rep < 3; rep++) {
      prepare(sim, 128, 128, 128);
      sim.start();
      const t3 = performance.now();
      const ss = sim.run(1e9);
      const simS = (performance.now() - t3) / 1000;
      if (ss.counters.cycles !== rtlCycles) throw new Error(`sim and RTL disagree on cycles: ${ss.counters.cycles} vs ${rtlCycles}`);
      simRate = Math.max(simRate, ss.counters.cycles / simS);
    }
    rows.push({ section: 'rtl', metric: 'simulator on the same program, best of 3', value: `${(simRate / 1e6).toFixed(2)} M cycles/s`, target: '' });
    rows.push({ section: 'rtl', metric: 'simulator ÷ Verilated RTL, cycles per second (same program, same run, best of 3 each)', value: `${(simRate / rtlRate).toFixed(1)}×`, target: '≥ 1× (not slower)' });

    // Stepped: one cycle per FFI call, as a TypeScript test bench drives it (the GEMM runs ~35 k cycles).
    prepare(rtl, 128, 128, 128);
    rtl.start();
    const t4 = performance.now();
    let i = 0;
    while (rtl.status().running) {
      rtl.step();
      i++;
    }
    const stepS = (performance.now() - t4) / 1000;
    rows.push({ section: 'rtl', metric: 'RTL stepped one cycle per call from TypeScript (step + status each cycle)', value: `${(i / stepS / 1e3).toFixed(0)} k cycles/s`, target: '≥ 20× cocotb on the same RTL (cocotb section measures it)' });
    prepare(rtl, 128, 128, 128);
    rtl.start();
    const t5 = performance.now();
    let j = 0;
    while (rtl.trace().state === 1) {
      rtl.step();
      j++;
    }
    const traceS = (performance.now() - t5) / 1000;
    rows.push({ section: 'rtl', metric: 'RTL stepped with trace() each cycle (lockstep use)', value: `${(j / traceS / 1e3).toFixed(0)} k cycles/s`, target: '' });
    rtl.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return rows;
}
