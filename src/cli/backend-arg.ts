import type { ChipConfig } from '../config/index.js';
import type { ChipBackend } from '../host/backend.js';
import { Simulator } from '../sim/simulator.js';
import { CliError } from './errors.js';

export const BACKENDS = ['sim', 'rtl', 'board-sim', 'board'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** Help text for `--backend`, shared by the commands that take it. */
export const BACKEND_HELP = 'where to run: sim, rtl (Verilated chip), board-sim (Verilated board top over its UART), board (a board on --port)';

export function parseBackend(v: string): BackendKind {
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendKind;
  throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}, not ${JSON.stringify(v)}`);
}

/** Serial options of the board backends (`--port`, `--baud`). */
export interface BackendOptions {
  /** Serial device of `--backend board`. */
  readonly port?: string;
  /** `--baud`: the line rate (board), or the simulated board's UART rate (board-sim). */
  readonly baud?: string;
}

function baudFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) === 0) throw new CliError(`--baud must be a positive integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

interface BoardOpeners {
  openBoardSim(config: ChipConfig, o: { baud?: number }): Promise<ChipBackend>;
  openBoard(config: ChipConfig, o: { port: string; baud?: number }): Promise<ChipBackend>;
}

/**
 * Make a backend. The RTL and board backends are imported lazily: they need Verilator, a C++
 * compiler or a serial port, and commands that only simulate must work without them.
 */
export async function makeBackend(kind: BackendKind, config: ChipConfig, opts: BackendOptions = {}): Promise<ChipBackend> {
  if (kind === 'sim') return new Simulator(config);
  const baud = baudFlag(opts.baud);
  if (kind === 'board' && opts.port === undefined) throw new CliError('--backend board needs --port DEVICE (e.g. --port /dev/ttyUSB1)');
  if (kind === 'board-sim' || kind === 'board') {
    let mod: BoardOpeners;
    try {
      mod = (await import('../../fpga/board-open.js')) as BoardOpeners;
    } catch (e) {
      throw new CliError(`the ${kind} backend is not available: ${(e as Error).message}`);
    }
    try {
      return kind === 'board-sim' ? await mod.openBoardSim(config, { baud }) : await mod.openBoard(config, { port: opts.port!, baud });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  let mod: { RtlBackend: { create(config: ChipConfig): Promise<ChipBackend> | ChipBackend } };
  try {
    mod = (await import('../../testbench/rtl-backend.js')) as typeof mod;
  } catch (e) {
    throw new CliError(`the rtl backend is not available: ${(e as Error).message}`);
  }
  try {
    return await mod.RtlBackend.create(config);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
