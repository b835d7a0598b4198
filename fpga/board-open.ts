import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChipConfig } from '../src/config/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { BoardBackend, checkBoardChip } from './board-backend.js';
import type { BoardClientOptions } from './board-client.js';
import { SyncBoardLink, type LinkSpec } from './board-sync.js';
import { boardDesign, DEFAULT_BAUD, type BoardDesign } from './design.js';
import { FpgaError } from './errors.js';
import { buildUartSim } from './sim/uart-sim.js';
import { getTarget } from './targets.js';
import { locateTool, projectRoot, toolSpec } from './tools.js';

/**
 * Opening the two board backends: `board-sim` (the Verilated board top with the real chip, driven
 * at its UART pins) and `board` (a serial device). Both check, before returning, that the chip on
 * the other end was generated from the same config (CONFIG_HASH and INFO CSRs).
 */

/** The board the simulation models: the iCEBreaker's 12 MHz clock needs no PLL (none is simulated). */
export const BOARD_SIM_TARGET = 'ice40-up5k';
/** 12 clocks a bit at 12 MHz: the fastest divisor with margin, so simulated transfers are quick. */
export const BOARD_SIM_BAUD = 1_000_000;

export interface BoardSimOptions {
  /** UART baud rate of the simulated board at its 12 MHz clock (default 1 Mbaud = 12 clocks a bit). */
  readonly baud?: number;
  /** Build cache (default `<project>/.cache/fpga-sim`, as the bridge tests use). */
  readonly cacheDir?: string;
  readonly client?: BoardClientOptions;
}

/** The board design around the real chip core generated from `config` (no PLL, short idle gap). */
export function boardSimDesign(config: ChipConfig, o: Pick<BoardSimOptions, 'baud'> = {}): BoardDesign {
  const rtl = generateRtl(config);
  return boardDesign({
    target: getTarget(BOARD_SIM_TARGET),
    freqMhz: 12,
    baud: o.baud ?? BOARD_SIM_BAUD,
    // 3000 cycles ≥ 32 byte times at 12 clocks a bit; the 20 ms default would be 240 k cycles of
    // simulation after every bad frame.
    idleGapCycles: Math.max(3000, 400 * Math.round(12e6 / (o.baud ?? BOARD_SIM_BAUD))),
    core: { kind: 'chip', files: rtl.files, top: rtl.top },
  });
}

export interface BoardSimBinary {
  readonly design: BoardDesign;
  readonly exe: string;
  /** Seconds the Verilator build took (0 from the cache). */
  readonly buildSeconds: number;
}

/** Build (or take from the cache) the Verilated board top with the chip of `config`. */
export async function buildBoardSim(config: ChipConfig, o: BoardSimOptions = {}): Promise<BoardSimBinary> {
  const design = boardSimDesign(config, o);
  const bin = await buildUartSim(design, { cacheDir: o.cacheDir ?? join(projectRoot(), '.cache', 'fpga-sim') });
  return { design, exe: bin.exe, buildSeconds: bin.buildSeconds };
}

// A simulated UART frame of 256 words takes ~120 k board cycles, which the Verilated chip may need
// seconds for; a real board answers in milliseconds.
const SIM_CLIENT: BoardClientOptions = { timeoutMs: 120_000 };

function connect(config: ChipConfig, spec: LinkSpec, client: BoardClientOptions, kind: string, where: string, onClose?: () => void): BoardBackend {
  const link = new SyncBoardLink(spec, { client });
  try {
    try {
      link.ping();
    } catch (e) {
      throw new FpgaError('protocol', `${where} did not answer PING (${(e as Error).message}): check the port, the baud rate (--baud) and that the board runs an accelgen bitstream`);
    }
    checkBoardChip(config, link.status(), where);
  } catch (e) {
    link.close();
    onClose?.();
    throw e;
  }
  return new BoardBackend(config, link, { kind, onClose });
}

/** `--backend board-sim`: the Verilated board top (real chip core) behind BoardBackend. */
export async function openBoardSim(config: ChipConfig, o: BoardSimOptions = {}): Promise<BoardBackend> {
  const bin = await buildBoardSim(config, o);
  const cpb = bin.design.clocksPerBit;
  return connect(config, { kind: 'uart-sim', exe: bin.exe, hostBitCycles: cpb, dutBitCycles: cpb }, { ...SIM_CLIENT, ...o.client }, 'board-sim', 'the simulated board');
}

export interface BoardPortOptions {
  /** Serial device, e.g. /dev/ttyUSB1 (or a pseudo-terminal). */
  readonly port: string;
  /** Line rate, set with stty (default 115200, the board top's default). */
  readonly baud?: number;
  readonly client?: BoardClientOptions;
}

/** `--backend board --port DEV`: a board (or anything speaking the protocol) on a serial line. */
export async function openBoard(config: ChipConfig, o: BoardPortOptions): Promise<BoardBackend> {
  if (!existsSync(o.port)) throw new FpgaError('protocol', `serial port ${o.port} does not exist`);
  return connect(config, { kind: 'tty', path: o.port, baud: o.baud ?? DEFAULT_BAUD }, o.client ?? {}, 'board', `the board on ${o.port}`);
}

export interface PtyBoard {
  /** Path of the pseudo-terminal to open as a serial port. */
  readonly port: string;
  readonly design: BoardDesign;
  close(): Promise<void>;
}

/**
 * Stand-in for a board on a serial port: socat makes a pseudo-terminal and runs the Verilated board
 * top (real chip core) behind it, so `--backend board --port <pty>` is tested without hardware.
 */
export async function serveBoardSimOnPty(config: ChipConfig, o: BoardSimOptions & { readonly link?: string } = {}): Promise<PtyBoard> {
  const socat = locateTool(toolSpec('socat'));
  if (!socat.found) throw new FpgaError('tool-missing', `socat not found: ${socat.install}`);
  const bin = await buildBoardSim(config, o);
  const dir = o.link === undefined ? mkdtempSync(join(tmpdir(), 'agpty-')) : undefined;
  const port = o.link ?? join(dir!, 'board');
  const cpb = bin.design.clocksPerBit;
  // socat's own address syntax; argv array, no shell. raw/echo=0: the bytes are binary frames.
  const child = spawn(socat.path, [`pty,raw,echo=0,link=${port}`, `EXEC:${bin.exe} ${cpb} ${cpb} 0`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  let exited = false;
  const gone = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
  for (let i = 0; i < 250 && !existsSync(port) && !exited; i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(port)) {
    child.kill('SIGTERM');
    throw new FpgaError('tool-failed', `socat made no pseudo-terminal at ${port}${err ? `: ${err.trim()}` : ''}`);
  }
  return {
    port,
    design: bin.design,
    async close(): Promise<void> {
      if (!exited) child.kill('SIGTERM');
      await gone;
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
