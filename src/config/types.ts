/**
 * The chip configuration: one typed object, validated once (see validate.ts) and frozen.
 * Every artefact (hex images, RTL headers, Verilated libraries, reports) carries its hash.
 */

/** How a PE's int8×int8 multiplier is built. `dsp`: a hard DSP block; `lut`: soft logic. */
export type MultKind = 'dsp' | 'lut';

export interface ArrayConfig {
  /** PE rows R (left-edge lanes), ≥ 1. */
  readonly rows: number;
  /** PE columns C (top-edge lanes), ≥ 1. */
  readonly cols: number;
  /**
   * Multipliers: `dsp` or `lut` for every PE, or a number n meaning "the first n PEs in
   * row-major order use a DSP, the rest LUT logic" (so an array can exceed a device's DSP count).
   */
  readonly mult: MultKind | number;
  /** Cycles from a PE's operand registers to its accumulator (1 = plain MAC; DSP with registered in/out = 3). */
  readonly peLatency: number;
}

export interface MemoryConfig {
  /** Scratchpad rows; each row holds W = max(rows, cols) int8 lanes. */
  readonly spRows: number;
  /** Accumulator-memory rows; each row holds W int32 lanes. */
  readonly accRows: number;
  /** Gradient-buffer rows; each row holds W int32 lanes. */
  readonly gradRows: number;
  /** Main memory size in bytes (multiple of 4). */
  readonly mainBytes: number;
  /** Instruction-memory size in 64-bit words. */
  readonly imemWords: number;
}

export interface DmaConfig {
  /** Bytes the DMA moves per cycle: 1, 2, 4, 8, 16 or 32. */
  readonly bytesPerCycle: number;
}

export interface VpuConfig {
  /**
   * Lanes the vector unit computes per cycle: `all` (= W, one row a cycle) or 1..W. With fewer
   * lanes a row takes G = ⌈W / lanes⌉ cycles (docs/microarch.md §3): less logic and fewer DSPs
   * for small FPGAs, at the cost of vector-unit time.
   */
  readonly lanes: number | 'all';
  /**
   * Cycles from a row's last read to its write (docs/microarch.md §3: D = count · G + latency):
   * 3; 4 adds a register between the rounding shift and the saturation, 5 also one between the
   * read-data select and the lane arithmetic (for a faster FPGA clock).
   */
  readonly latency: number;
}

export interface ControllerConfig {
  /**
   * Front-end stages L (1..4): an instruction that issues in cycle c makes the next one available
   * in cycle c + L, a taken branch its target in c + L + 1 (docs/microarch.md §2). 1 decides
   * issue in one cycle; 2 to 4 compute an instruction's footprint in the cycles before it is in
   * decode, for a faster clock on an FPGA, at L − 1 more cycles per instruction not hidden by busy
   * units.
   */
  readonly stages: number;
}

/** The user-facing shape of a config (what a JSON file holds). */
export interface ChipConfigInput {
  readonly name?: string;
  readonly array?: Partial<ArrayConfig>;
  readonly memory?: Partial<MemoryConfig>;
  readonly dma?: Partial<DmaConfig>;
  readonly vpu?: Partial<VpuConfig>;
  readonly controller?: Partial<ControllerConfig>;
  /** Name of a preset this config is a delta of (default: `default`). */
  readonly base?: string;
}

/** A validated, frozen config with its derived values. Construct only through `resolveConfig`. */
export interface ChipConfig {
  readonly name: string;
  readonly array: ArrayConfig;
  readonly memory: MemoryConfig;
  readonly dma: DmaConfig;
  readonly vpu: VpuConfig;
  readonly controller: ControllerConfig;
  readonly derived: DerivedConfig;
}

export interface DerivedConfig {
  /** Vector width in lanes: max(rows, cols). Every local-memory row has W lanes. */
  readonly W: number;
  /** Number of PEs whose multiplier is a DSP. */
  readonly dspPEs: number;
  /** Vector-unit lanes per cycle (vpu.lanes resolved: 1..W). */
  readonly vpuLanes: number;
  /** Cycles the vector unit spends on one row: ⌈W / vpuLanes⌉. */
  readonly vpuRowCycles: number;
  /** Cycles after a matmul's last feed until its bank may be drained (see docs/microarch.md). */
  readonly flushCycles: number;
  /** Stable 8-hex-digit hash of the resolved config (FNV-1a over canonical JSON). */
  readonly hash: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[], readonly source?: string) {
    super(`invalid chip config${source ? ` (${source})` : ''}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
