/** Shared helpers of the simulator tests: build words with the table's encoder, make configs. */
import { resolveConfig, type ChipConfig } from '../src/config/index.js';
import { encode } from '../src/isa/encoding.js';
import { CFG_REGS, ISA_BY_MNEMONIC, MEM_CODES, type CfgReg, type MemName } from '../src/isa/table.js';
import { Simulator } from '../src/sim/index.js';

/** Encode one instruction by mnemonic and natural field values. */
export function I(mnemonic: string, fields: Readonly<Record<string, number>> = {}): bigint {
  const spec = ISA_BY_MNEMONIC.get(mnemonic);
  if (!spec) throw new Error(`no mnemonic ${mnemonic}`);
  return encode(spec, fields);
}

export const mem = (m: MemName): number => MEM_CODES[m];
export const cfgReg = (r: CfgReg): number => CFG_REGS.indexOf(r);
export const li = (rd: number, imm: number): bigint => I('addi', { rd, rs: 0, imm });
export const setCfg = (r: CfgReg, imm: number): bigint => I('cfg', { reg: cfgReg(r), rs: 0, imm });

/** A small config: R×C array, default memories shrunk so tests stay quick. */
export function smallConfig(rows: number, cols: number, extra: { peLatency?: number; B?: number; spRows?: number; accRows?: number; gradRows?: number; mainBytes?: number; imemWords?: number; stages?: number; vpuLatency?: number } = {}): ChipConfig {
  const W = Math.max(rows, cols);
  return resolveConfig({
    name: 'test',
    array: { rows, cols, mult: 'lut', peLatency: extra.peLatency ?? 1 },
    memory: {
      spRows: extra.spRows ?? Math.max(64, 4 * W),
      accRows: extra.accRows ?? Math.max(32, W),
      gradRows: extra.gradRows ?? Math.max(32, W),
      mainBytes: extra.mainBytes ?? 4096,
      imemWords: extra.imemWords ?? 256,
    },
    dma: { bytesPerCycle: extra.B ?? 4 },
    vpu: { lanes: 'all', latency: extra.vpuLatency ?? 3 },
    controller: { stages: extra.stages ?? 1 },
  });
}

/** Load and start a program on a fresh simulator. */
export function boot(cfg: ChipConfig, program: readonly bigint[]): Simulator {
  const sim = new Simulator(cfg);
  sim.loadProgram(program);
  sim.start();
  return sim;
}

/** Deterministic PRNG for test data (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integer in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Load, start and run a program to halt (fails the caller's expectations if it does not halt). */
export function runToHalt(sim: Simulator, program: readonly bigint[], maxCycles = 100_000): Simulator {
  sim.loadProgram(program);
  sim.start();
  sim.run(maxCycles);
  return sim;
}

/** Step to halt, collecting the trace record of every cycle (including the first halted one). */
export function traceRun(sim: Simulator, maxCycles = 10_000): Array<{ cycle: number; pc: number; issue: number; busy: number; state: number }> {
  const out = [];
  for (let i = 0; i < maxCycles && sim.status().running; i++) {
    out.push(sim.trace());
    sim.step();
  }
  out.push(sim.trace());
  return out;
}
