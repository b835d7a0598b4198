/** Benchmark sections beyond the simulator headline (RTL, FFI, training, FPGA). */
import { benchRtl } from './rtl.js';

export interface BenchRow {
  readonly section: string;
  readonly metric: string;
  readonly value: string;
  readonly target: string;
}

export const BENCH_SECTIONS: Array<[string, () => BenchRow[] | Promise<BenchRow[]>]> = [['rtl', benchRtl], ['cocotb', async () => (await import('./cocotb.js')).benchCocotb()]];
