/**
 * BoardBackend: a chip on a board (or the Verilated board top) behind the UART host bridge, as a
 * ChipBackend — the same host interface as the simulator and the FFI model, so `accelgen gemm|sim|
 * train --backend board|board-sim` run unchanged. Every memory access is a host-bus word access
 * (docs/microarch.md §9) batched into READ/WRITE frames (docs/fpga.md §3); memory semantics match
 * testbench/rtl-backend.ts word for word.
 *
 * Not cycle-exact: the board runs on its own clock while the host talks at UART speed, so `run`
 * polls STATUS until the chip stops and reads the cycle count from the CYCLES counter (exact, as
 * the chip counts it), and `step()`/`trace()` are not available.
 */
import type { ChipConfig } from '../src/config/index.js';
import type { ChipBackend, ChipStatus, TraceRecord } from '../src/host/backend.js';
import { MEM_NAMES, type MemName } from '../src/isa/table.js';
import type { SyncBoardTransport } from './board-sync.js';
import { FpgaError } from './errors.js';
import type { BoardStatus } from './uart-protocol.js';

/** Host-bus regions (docs/microarch.md §9). */
const REGION = { CSR: 0, IMEM: 1, MAIN: 2, SP: 3, ACC: 4, GRAD: 5 } as const;
const addr = (region: number, word: number): number => ((region << 28) | word) >>> 0;

function checkInt(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`${what} must be an integer, not ${String(v)}`);
  if (v < lo || v > hi) throw new RangeError(`${what} must be in ${lo}..${hi}, not ${v}`);
}

export function toChipStatus(s: BoardStatus): ChipStatus {
  return {
    running: s.running,
    halted: s.halted,
    error: s.error,
    pc: s.pc,
    counters: {
      cycles: Number(s.cycles),
      macs: Number(s.macs),
      dmaBusy: Number(s.dmaBusy),
      stalls: Number(s.stalls),
      retired: Number(s.retired),
    },
  };
}

/**
 * Check that the chip on the other end is the one `config` describes (CONFIG_HASH and INFO CSRs):
 * the host compiles programs and lays out memory from its config, so a board built from another
 * config would compute garbage silently.
 */
export function checkBoardChip(config: ChipConfig, s: BoardStatus, where: string): void {
  const want = parseInt(config.derived.hash, 16) >>> 0;
  const { rows, cols, W } = s.info;
  const a = config.array;
  if (s.configHash !== want || rows !== a.rows || cols !== a.cols || W !== config.derived.W) {
    throw new FpgaError(
      'protocol',
      `${where} carries a different chip: config hash ${s.configHash.toString(16).padStart(8, '0')}, ${rows}×${cols} array, W ${W}; ` +
        `this config (${config.name}) is ${config.derived.hash}, ${a.rows}×${a.cols}, W ${config.derived.W}: ` +
        `build the board from the same --config/--rows/--cols`,
    );
  }
}

export interface BoardBackendOptions {
  /** Backend name reported by `kind` (`board` or `board-sim`). */
  readonly kind?: string;
  /** Called once by close() after the link is closed (e.g. to stop a helper process). */
  readonly onClose?: () => void;
}

export class BoardBackend implements ChipBackend {
  readonly kind: string;
  readonly config: ChipConfig;
  private readonly W: number;
  private readonly onClose: (() => void) | undefined;
  private link: SyncBoardTransport | null;

  constructor(config: ChipConfig, link: SyncBoardTransport, o: BoardBackendOptions = {}) {
    this.config = config;
    this.W = config.derived.W;
    this.link = link;
    this.kind = o.kind ?? 'board';
    this.onClose = o.onClose;
  }

  private get bus(): SyncBoardTransport {
    if (this.link === null) throw new Error('BoardBackend: used after close()');
    return this.link;
  }

  loadProgram(words: readonly bigint[]): void {
    checkInt('loadProgram: program length', words.length, 0, this.config.memory.imemWords);
    // Two host words per 64-bit instruction, low half first (imem word 2i = bits 31:0).
    const w = new Uint32Array(words.length * 2);
    words.forEach((x, i) => {
      const v = BigInt.asUintN(64, x);
      w[2 * i] = Number(v & 0xffffffffn);
      w[2 * i + 1] = Number(v >> 32n);
    });
    this.bus.writeWords(addr(REGION.IMEM, 0), w);
  }

  writeMain(byteAddr: number, data: Uint8Array): void {
    const size = this.config.memory.mainBytes;
    checkInt('writeMain: byteAddr', byteAddr, 0, size);
    if (byteAddr + data.length > size) throw new RangeError(`writeMain: bytes [${byteAddr}, ${byteAddr + data.length}) exceed main memory (${size} bytes)`);
    if (data.length === 0) return;
    // Whole words over the range; the partial words at either end are read first so the bytes
    // outside the range keep their contents.
    const w0 = Math.floor(byteAddr / 4);
    const w1 = Math.ceil((byteAddr + data.length) / 4);
    const bytes = new Uint8Array((w1 - w0) * 4);
    if (byteAddr % 4 !== 0) bytes.set(new Uint8Array(this.bus.readWords(addr(REGION.MAIN, w0), 1).buffer), 0);
    if ((byteAddr + data.length) % 4 !== 0) bytes.set(new Uint8Array(this.bus.readWords(addr(REGION.MAIN, w1 - 1), 1).buffer), (w1 - w0 - 1) * 4);
    bytes.set(data, byteAddr - w0 * 4);
    this.bus.writeWords(addr(REGION.MAIN, w0), new Uint32Array(bytes.buffer));
  }

  readMain(byteAddr: number, length: number): Uint8Array {
    const size = this.config.memory.mainBytes;
    checkInt('readMain: byteAddr', byteAddr, 0, size);
    checkInt('readMain: length', length, 0, size);
    if (byteAddr + length > size) throw new RangeError(`readMain: bytes [${byteAddr}, ${byteAddr + length}) exceed main memory (${size} bytes)`);
    const w0 = Math.floor(byteAddr / 4);
    const w1 = Math.ceil((byteAddr + length) / 4);
    const words = this.bus.readWords(addr(REGION.MAIN, w0), w1 - w0);
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    return bytes.slice(byteAddr - w0 * 4, byteAddr - w0 * 4 + length);
  }

  private localGeom(what: string, mem: MemName): { region: number; rows: number; sp: boolean } {
    if (!MEM_NAMES.includes(mem)) throw new RangeError(`${what}: memory must be one of ${MEM_NAMES.join(', ')}, not ${JSON.stringify(mem)}`);
    const m = this.config.memory;
    if (mem === 'sp') return { region: REGION.SP, rows: m.spRows, sp: true };
    return mem === 'acc' ? { region: REGION.ACC, rows: m.accRows, sp: false } : { region: REGION.GRAD, rows: m.gradRows, sp: false };
  }

  writeLocal(mem: MemName, row: number, data: Int8Array | Int32Array): void {
    const g = this.localGeom('writeLocal', mem);
    const want = g.sp ? Int8Array : Int32Array;
    if (!(data instanceof want)) throw new TypeError(`writeLocal: ${mem} data must be an ${want.name}`);
    const W = this.W;
    if (data.length % W !== 0) throw new RangeError(`writeLocal: data length ${data.length} is not a multiple of W = ${W} (whole rows)`);
    const n = data.length / W;
    checkInt(`writeLocal: ${mem} row`, row, 0, g.rows);
    if (row + n > g.rows) throw new RangeError(`writeLocal: rows [${row}, ${row + n}) exceed ${mem} (${g.rows} rows)`);
    if (!g.sp) {
      // A copy: the caller's view may not be 4-byte aligned within its buffer.
      return this.bus.writeWords(addr(g.region, row * W), Uint32Array.from(data, (x) => x >>> 0));
    }
    // sp: ⌈W/4⌉ words a row, lane 4j in bits 7:0 of word j; lanes ≥ W are written as 0 (ignored).
    const per = Math.ceil(W / 4);
    const bytes = new Uint8Array(n * per * 4);
    for (let r = 0; r < n; r++) for (let l = 0; l < W; l++) bytes[r * per * 4 + l] = data[r * W + l]! & 0xff;
    this.bus.writeWords(addr(g.region, row * per), new Uint32Array(bytes.buffer));
  }

  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array {
    const g = this.localGeom('readLocal', mem);
    const W = this.W;
    checkInt(`readLocal: ${mem} row`, row, 0, g.rows);
    checkInt('readLocal: rows', rows, 0, g.rows);
    if (row + rows > g.rows) throw new RangeError(`readLocal: rows [${row}, ${row + rows}) exceed ${mem} (${g.rows} rows)`);
    if (!g.sp) return Int32Array.from(this.bus.readWords(addr(g.region, row * W), rows * W), (x) => x | 0);
    const per = Math.ceil(W / 4);
    const words = this.bus.readWords(addr(g.region, row * per), rows * per);
    const bytes = new Int8Array(words.buffer, words.byteOffset, words.byteLength);
    const out = new Int8Array(rows * W);
    for (let r = 0; r < rows; r++) for (let l = 0; l < W; l++) out[r * W + l] = bytes[r * per * 4 + l]!;
    return out;
  }

  start(): void {
    this.bus.start();
  }

  /** Not available: a UART cannot hold the board's clock, so single cycles cannot be stepped. */
  step(): void {
    throw new Error('step() is not available over a board link; use run()');
  }

  /**
   * Run until halted, or until the chip's CYCLES counter has advanced `maxCycles` since the call.
   * The board keeps its own clock: the chip is not paused at `maxCycles` (it may run on past it
   * before the next STATUS poll) — only the halt cycle and counters are exact.
   */
  run(maxCycles: number): ChipStatus {
    if (!(maxCycles === Infinity || (Number.isInteger(maxCycles) && maxCycles >= 0))) {
      throw new RangeError(`run: maxCycles must be an integer ≥ 0 or Infinity, not ${String(maxCycles)}`);
    }
    let st = this.status();
    const from = st.counters.cycles;
    // Each STATUS request paces the loop (a frame takes ~80 byte times), so no extra sleep.
    while (st.running && st.counters.cycles - from < maxCycles) st = this.status();
    return st;
  }

  status(): ChipStatus {
    return toChipStatus(this.bus.status());
  }

  /** Not available: a per-cycle trace needs the chip stopped every cycle (lockstep is sim ↔ rtl). */
  trace(): TraceRecord {
    throw new Error('trace() is not available over a board link; use run() (lockstep runs on sim and rtl)');
  }

  /** Read words over the host bus (CSRs, or memories while stopped). */
  hostRead(address: number, count = 1): Uint32Array {
    return this.bus.readWords(address >>> 0, count);
  }

  close(): void {
    if (this.link === null) return;
    const l = this.link;
    this.link = null;
    try {
      l.close();
    } finally {
      this.onClose?.();
    }
  }
}
