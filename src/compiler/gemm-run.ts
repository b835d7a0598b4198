import type { ChipBackend, PerfCounters } from '../host/backend.js';
import { ERROR_CODES } from '../isa/table.js';
import { compileGemm, type GemmShape, type GemmProgram } from './gemm.js';

export interface GemmRunResult {
  readonly Y: Int32Array;
  readonly program: GemmProgram;
  /** Counters summed over all launches. */
  readonly counters: PerfCounters;
  readonly utilization: number;
}

export class ChipFault extends Error {
  constructor(readonly code: number, readonly pc: number, readonly launch: number) {
    const name = Object.entries(ERROR_CODES).find(([, v]) => v === code)?.[0] ?? `code ${code}`;
    super(`the chip stopped with ${name} at pc ${pc} (launch ${launch})`);
    this.name = 'ChipFault';
  }
}

/** Run each launch to completion on a backend; throws ChipFault on an error or a program that never halts. */
export function runLaunches(backend: ChipBackend, launches: readonly (readonly bigint[])[], maxCycles = 2_000_000_000): PerfCounters {
  let total = { cycles: 0, macs: 0, dmaBusy: 0, stalls: 0, retired: 0 };
  launches.forEach((words, i) => {
    backend.loadProgram(words);
    backend.start();
    const st = backend.run(maxCycles);
    if (!st.halted) throw new Error(`launch ${i} did not halt within ${maxCycles} cycles`);
    if (st.error !== 0) throw new ChipFault(st.error, st.pc, i);
    const c = st.counters;
    total = {
      cycles: total.cycles + c.cycles,
      macs: total.macs + c.macs,
      dmaBusy: total.dmaBusy + c.dmaBusy,
      stalls: total.stalls + c.stalls,
      retired: total.retired + c.retired,
    };
  });
  return total;
}

/** Compute Y = A·B on a backend: write operands to main memory, run, read Y back. */
export function runGemm(backend: ChipBackend, A: Int8Array, B: Int8Array, shape: GemmShape): GemmRunResult {
  const cfg = backend.config;
  if (A.length !== shape.M * shape.K) throw new RangeError(`A has ${A.length} values, expected M·K = ${shape.M * shape.K}`);
  if (B.length !== shape.K * shape.N) throw new RangeError(`B has ${B.length} values, expected K·N = ${shape.K * shape.N}`);
  const program = compileGemm(cfg, shape);
  const L = program.layout;
  backend.writeMain(L.aAddr, new Uint8Array(A.buffer, A.byteOffset, A.byteLength));
  backend.writeMain(L.bAddr, new Uint8Array(B.buffer, B.byteOffset, B.byteLength));
  const counters = runLaunches(backend, program.launches);
  const raw = backend.readMain(L.yAddr, shape.M * shape.N * 4);
  const Y = new Int32Array(new Uint8Array(raw).buffer);
  const util = counters.cycles === 0 ? 0 : counters.macs / (cfg.array.rows * cfg.array.cols * counters.cycles);
  return { Y, program, counters, utilization: util };
}
