import type { ChipConfigInput } from './types.js';

/**
 * Presets are small, complete inputs. FPGA presets are named exactly like the FPGA targets and
 * sized for their device (DESIGN.md §5–6); `default` is a roomy simulation config.
 */
export const PRESETS: Readonly<Record<string, Required<Omit<ChipConfigInput, 'base'>>>> = {
  default: {
    name: 'default',
    array: { rows: 8, cols: 8, mult: 'dsp', peLatency: 1 },
    memory: { spRows: 4096, accRows: 1024, gradRows: 1024, mainBytes: 1 << 20, imemWords: 16384 },
    dma: { bytesPerCycle: 16 },
    vpu: { lanes: 'all', latency: 3 },
    controller: { stages: 1 },
  },
  // iCE40UP5K: 8 SB_MAC16, 30 EBR (4 kbit), 4 SPRAM (256 kbit). 2×4 = all 8 DSPs, registered in/out.
  'ice40-up5k': {
    name: 'ice40-up5k',
    array: { rows: 2, cols: 4, mult: 'dsp', peLatency: 3 },
    memory: { spRows: 512, accRows: 128, gradRows: 128, mainBytes: 64 * 1024, imemWords: 512 },
    dma: { bytesPerCycle: 4 },
    vpu: { lanes: 'all', latency: 3 },
    controller: { stages: 1 },
  },
  // iCE40HX8K: no DSPs, 32 EBR (4 kbit), no SPRAM: LUT multipliers and small memories.
  'ice40-hx8k': {
    name: 'ice40-hx8k',
    array: { rows: 4, cols: 4, mult: 'lut', peLatency: 1 },
    memory: { spRows: 256, accRows: 64, gradRows: 64, mainBytes: 4096, imemWords: 256 },
    dma: { bytesPerCycle: 4 },
    vpu: { lanes: 'all', latency: 3 },
    controller: { stages: 1 },
  },
  // ECP5-25F: 28 MULT18X18D, 56 EBR (18 kbit), 24k LUT4. 4×4 = 16 DSP MACs; one vector-unit lane
  // (a row in 4 cycles) keeps the logic at ~82 % of the device after place and route.
  'ecp5-25f': {
    name: 'ecp5-25f',
    array: { rows: 4, cols: 4, mult: 'dsp', peLatency: 3 },
    memory: { spRows: 2048, accRows: 512, gradRows: 512, mainBytes: 32 * 1024, imemWords: 1024 },
    dma: { bytesPerCycle: 8 },
    vpu: { lanes: 1, latency: 5 },
    // For the clock: footprints in three pre-decode cycles, so the issue decision starts from
    // registers, and vector-unit stages after the operand select and the rounding shift
    // (fmax 21.6 → 49.4 MHz for +0.1 % cycles on a GEMM, +5.8 % on a training step; docs/fpga.md §4).
    controller: { stages: 4 },
  },
  // ECP5-85F: 156 MULT18X18D, 208 EBR (18 kbit), 84k LUT4. 12×12 = 144 DSP MACs + 4 vector lanes
  // × 2 + 4 for the operand checks = all 156 DSPs. sp 3072 rows holds mlp:196-64-10 at batch 16.
  'ecp5-85f': {
    name: 'ecp5-85f',
    array: { rows: 12, cols: 12, mult: 'dsp', peLatency: 3 },
    memory: { spRows: 3072, accRows: 512, gradRows: 512, mainBytes: 32 * 1024, imemWords: 2048 },
    dma: { bytesPerCycle: 16 },
    vpu: { lanes: 4, latency: 5 },
    controller: { stages: 4 },
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);
