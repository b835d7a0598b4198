import type { BoardRecord } from './boards/index.js';
import { generateConstraints } from './constraints.js';
import { planPll, type PllPlan } from './pll.js';
import { boardTop, defaultIdleGap, resetSync } from './rtl/board-top.js';
import { hostBridge } from './rtl/bridge.js';
import { demoCore } from './rtl/demo-core.js';
import type { VerilogFile } from './rtl/types.js';
import { uartRx, uartTx } from './rtl/uart.js';
import { targetBoard, type TargetRecord } from './targets.js';
import { uartDivisor } from './uart-protocol.js';

/**
 * Assemble everything a board build needs: the chip's files (from src/hdl-gen, or the demo core),
 * the board-level modules, the board top and its constraint file. Pure: returns text, writes nothing.
 */

/** The chip to put on the board: generated RTL with `top` having ag_top's ports, or the demo core. */
export type CoreSource =
  | { readonly kind: 'chip'; readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>; readonly top: string }
  | { readonly kind: 'demo'; readonly rows: number; readonly cols: number; readonly mainWords?: number };

export interface DesignOptions {
  readonly target: TargetRecord;
  /** Requested clock in MHz (default: the target's benchmark frequency). */
  readonly freqMhz?: number;
  /** UART baud rate (default 115200). */
  readonly baud?: number;
  readonly core: CoreSource;
  /** Override the bridge idle gap (cycles); simulations use a short one. */
  readonly idleGapCycles?: number;
  /** Allowed relative PLL error (planPll). */
  readonly pllTolerance?: number;
}

export interface BoardDesign {
  readonly target: TargetRecord;
  readonly board: BoardRecord;
  readonly pll: PllPlan;
  /** Achieved clock in MHz (what nextpnr is asked to meet). */
  readonly freqMhz: number;
  readonly baud: number;
  readonly clocksPerBit: number;
  readonly idleGapCycles: number;
  /** All Verilog sources in a stable order; the top module is `agb_top`. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  readonly top: string;
  readonly constraints: { readonly name: string; readonly text: string };
  /** MACs per cycle of the core (rows·cols). */
  readonly macs: number;
}

export const DEFAULT_BAUD = 115200;

export function boardDesign(o: DesignOptions): BoardDesign {
  const target = o.target;
  const board = targetBoard(target);
  const pll = planPll(target.pll, board.clock.mhz, o.freqMhz ?? target.defaultFreqMhz, o.pllTolerance);
  const clockHz = pll.outMhz * 1e6;
  const baud = o.baud ?? DEFAULT_BAUD;
  const { clocksPerBit } = uartDivisor(clockHz, baud);
  const idleGapCycles = o.idleGapCycles ?? defaultIdleGap(clockHz, clocksPerBit);
  let coreFiles: ReadonlyArray<{ name: string; text: string }>;
  let coreModule: string;
  let macs: number;
  if (o.core.kind === 'demo') {
    const f: VerilogFile = demoCore({ rows: o.core.rows, cols: o.core.cols, mainWords: o.core.mainWords ?? 256 });
    coreFiles = [f];
    coreModule = f.module;
    macs = o.core.rows * o.core.cols;
  } else {
    coreFiles = o.core.files;
    coreModule = o.core.top;
    macs = 0;
  }
  const top = boardTop({ board, pll, clocksPerBit, idleGapCycles, coreModule, clockHz });
  const files = [...coreFiles, uartRx(), uartTx(), hostBridge(), resetSync(), top].map((f) => ({ name: f.name, text: f.text }));
  return {
    target, board, pll, freqMhz: pll.outMhz, baud, clocksPerBit, idleGapCycles,
    files, top: top.module, constraints: generateConstraints(board, target.constraints), macs,
  };
}
