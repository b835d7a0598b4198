/**
 * `npm run bench`: the performance figures recorded in BENCHMARKS.md. Not a test: it measures and
 * prints a Markdown table. Sections: `node dist/bench/run.js [--only sim,rtl,...]`.
 */
import { presetConfig } from '../src/config/index.js';
import { Simulator } from '../src/sim/simulator.js';
import { runGemm } from '../src/compiler/gemm-run.js';
import { referenceGemm } from '../src/compiler/gemm.js';
import { BENCH_SECTIONS, type BenchRow } from './sections.js';
import { benchScaleSim } from './scalesim.js';
import { packageRoot } from '../src/util/package-root.js';

/** The headline run, shared with the SCALE-Sim comparison. */
const headline: { seconds: number | null; cycles: number | null } = { seconds: null, cycles: null };

export function seededInt8(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

/** The headline: the cycle-accurate simulator on an 8×8 GEMM 256×256×256, start-up included. */
export function benchSimGemm(): BenchRow[] {
  const shape = { M: 256, K: 256, N: 256 };
  const A = seededInt8(shape.M * shape.K, 1);
  const B = seededInt8(shape.K * shape.N, 2);
  const rows: BenchRow[] = [];
  const runs: number[] = [];
  let last;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const sim = new Simulator(presetConfig('default'));
    last = runGemm(sim, A, B, shape);
    runs.push((performance.now() - t0) / 1000);
  }
  const res = last!;
  const ref = referenceGemm(A, B, shape);
  const ok = res.Y.every((v, i) => v === ref[i]);
  const best = Math.min(...runs);
  const cold = runs[0]!;
  const peUpdates = (res.counters.cycles * 64) / best;
  headline.seconds = cold;
  headline.cycles = res.counters.cycles;
  rows.push({ section: 'sim', metric: 'GEMM 256³ on 8×8: cycles', value: String(res.counters.cycles), target: '≤ 291,485 (SCALE-Sim v3)' });
  rows.push({ section: 'sim', metric: 'GEMM 256³ on 8×8: utilization', value: `${(res.utilization * 100).toFixed(2)} %`, target: '≥ 90 %' });
  rows.push({ section: 'sim', metric: 'GEMM 256³ on 8×8: wall time (best of 3, start-up included)', value: `${best.toFixed(3)} s`, target: '≥ 10× faster than SCALE-Sim (~17 s)' });
  rows.push({ section: 'sim', metric: 'GEMM 256³ on 8×8: wall time of the first run in a fresh process (compile + decode + JIT warm-up)', value: `${cold.toFixed(3)} s`, target: '' });
  rows.push({ section: 'sim', metric: 'simulator PE-updates/s (cycles/s × 64), best of 3', value: `${(peUpdates / 1e6).toFixed(0)} M`, target: '≥ 100 M (floor 20 M)' });
  rows.push({ section: 'sim', metric: 'simulator PE-updates/s, first run in a fresh process', value: `${((res.counters.cycles * 64) / cold / 1e6).toFixed(0)} M`, target: '≥ 20 M' });
  rows.push({ section: 'sim', metric: 'GEMM result equals the plain reference', value: ok ? 'yes' : 'NO', target: 'yes' });
  return rows;
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
  const all: Array<[string, () => BenchRow[] | Promise<BenchRow[]>]> = [
    ['sim', benchSimGemm],
    ['scalesim', () => benchScaleSim(packageRoot(), headline.seconds, headline.cycles)],
    ...BENCH_SECTIONS,
  ];
  const rows: BenchRow[] = [];
  for (const [name, fn] of all) {
    if (only && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name} …\n`);
    try {
      rows.push(...(await fn()));
    } catch (e) {
      rows.push({ section: name, metric: 'section failed', value: (e as Error).message.split('\n')[0]!, target: '' });
    }
  }
  process.stdout.write(`| section | metric | value | target |\n|---|---|---|---|\n`);
  for (const r of rows) process.stdout.write(`| ${r.section} | ${r.metric} | ${r.value} | ${r.target} |\n`);
}

await main();
