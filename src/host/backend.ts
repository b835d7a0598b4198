import type { ChipConfig } from '../config/index.js';
import type { MemName } from '../isa/table.js';

/**
 * The one host interface every backend implements: the TypeScript simulator (`sim`), the
 * Verilated RTL through koffi (`rtl`), and later the board transports. Every test and CLI command
 * is written against this, so it runs on any backend.
 *
 * Memories may be read and written only while the chip is not running (before start or after halt);
 * what a backend returns for a memory mid-run is unspecified (docs/microarch.md §8).
 */
export interface ChipBackend {
  readonly config: ChipConfig;
  /** Backend name, e.g. `sim` or `rtl`. */
  readonly kind: string;

  /** Load a program into instruction memory from word 0. */
  loadProgram(words: readonly bigint[]): void;
  /** Write bytes to main memory at a byte address. */
  writeMain(byteAddr: number, data: Uint8Array): void;
  /** Read bytes from main memory. */
  readMain(byteAddr: number, length: number): Uint8Array;
  /**
   * Write local-memory rows starting at `row`. sp takes int8 (Int8Array), acc/grad int32 (Int32Array);
   * `data.length` must be a multiple of W (whole rows).
   */
  writeLocal(mem: MemName, row: number, data: Int8Array | Int32Array): void;
  /** Read `rows` whole rows (rows·W elements): Int8Array for sp, Int32Array for acc/grad. */
  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array;

  /** Reset the controller (PC, registers, config registers, counters, error) and start running. */
  start(): void;
  /** Advance exactly one clock cycle (no-op once halted). */
  step(): void;
  /**
   * Run until halted or `maxCycles` more cycles have passed. Returns the status afterwards.
   */
  run(maxCycles: number): ChipStatus;
  /** Current status and counters. */
  status(): ChipStatus;
  /** One trace record of the state at the start of the current cycle (for lockstep). */
  trace(): TraceRecord;
  /** Release native resources (the simulator has none). */
  close(): void;
}

export interface PerfCounters {
  /** Cycles from start until halt (the halting cycle included). */
  readonly cycles: number;
  /** MAC-active PE-cycles: R·C for every cycle in which the array takes a step. */
  readonly macs: number;
  /** Cycles in which the DMA unit was busy. */
  readonly dmaBusy: number;
  /** Cycles in which a valid instruction waited in decode and did not issue. */
  readonly stalls: number;
  /** Instructions issued (halt included). */
  readonly retired: number;
}

export interface ChipStatus {
  readonly running: boolean;
  readonly halted: boolean;
  /** 0 = none; see ERROR_CODES in isa/table.ts. */
  readonly error: number;
  /** PC of the instruction in decode (on a fault: the faulting instruction). */
  readonly pc: number;
  readonly counters: PerfCounters;
}

/** Per-cycle trace used by lockstep comparison (docs/microarch.md §7). */
export interface TraceRecord {
  readonly cycle: number;
  /** PC of the valid instruction in decode, or −1 (bubble, halted, draining after a fault). */
  readonly pc: number;
  /** 1 if the instruction in decode issues this cycle. */
  readonly issue: number;
  /** Busy flags: bit0 DMA, bit1 MXU, bit2 DRN, bit3 VPU (count > 0 at the start of the cycle). */
  readonly busy: number;
  /** 0 idle, 1 running, 2 fault-draining, 3 halted. */
  readonly state: number;
}

/** Utilization = MAC-active PE-cycles / (rows·cols·cycles). */
export function utilization(cfg: ChipConfig, c: PerfCounters): number {
  const denom = cfg.array.rows * cfg.array.cols * c.cycles;
  return denom === 0 ? 0 : c.macs / denom;
}
