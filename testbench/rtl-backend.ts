/**
 * RtlBackend: the generated RTL, Verilated into a shared library and driven through koffi, behind
 * the same host interface as the simulator (src/host/backend.ts), so every test and CLI command
 * runs on `sim`, `rtl` or both. Memories are reached over the chip's own host bus (one clock edge a
 * word, looped in C for whole ranges); counters are read without a clock edge.
 */
import koffi from 'koffi';
import type { ChipConfig } from '../src/config/index.js';
import type { ChipBackend, ChipStatus, TraceRecord } from '../src/host/backend.js';
import { MEM_NAMES, type MemName } from '../src/isa/table.js';
import { buildModel, type BuildOptions, type BuiltModel } from './build.js';

/** Host-bus regions (docs/microarch.md §9). */
const REGION = { CSR: 0, IMEM: 1, MAIN: 2, SP: 3, ACC: 4, GRAD: 5 } as const;
const addr = (region: number, word: number): number => ((region << 28) | word) >>> 0;

type Handle = unknown;
interface Api {
  agNew: () => Handle;
  agFree: (h: Handle) => void;
  agReset: (h: Handle) => void;
  agWrite: (h: Handle, a: number, d: number) => void;
  agRead: (h: Handle, a: number) => number;
  agWriteBlock: (h: Handle, a: number, d: Uint32Array, n: number) => void;
  agReadBlock: (h: Handle, a: number, out: Uint32Array, n: number) => void;
  agStep: (h: Handle) => void;
  agRun: (h: Handle, max: number) => number;
  agDbg: (h: Handle) => number;
  agStepTrace: (h: Handle, n: number, out: Uint32Array) => number;
  agStatus: (h: Handle) => void;
  agStatusBuf: (h: Handle) => unknown;
  agVcdOpen: (h: Handle, path: string) => number;
  agVcdClose: (h: Handle) => void;
}

const apis = new Map<string, Api>();

function load(libPath: string): Api {
  const have = apis.get(libPath);
  if (have) return have;
  const lib = koffi.load(libPath);
  const api: Api = {
    agNew: lib.func('void *ag_new(void)'),
    agFree: lib.func('void ag_free(void *h)'),
    agReset: lib.func('void ag_reset(void *h)'),
    agWrite: lib.func('void ag_write(void *h, uint32_t addr, uint32_t data)'),
    agRead: lib.func('uint32_t ag_read(void *h, uint32_t addr)'),
    agWriteBlock: lib.func('void ag_write_block(void *h, uint32_t addr, const uint32_t *data, uint32_t n)'),
    agReadBlock: lib.func('void ag_read_block(void *h, uint32_t addr, _Out_ uint32_t *out, uint32_t n)'),
    agStep: lib.func('void ag_step(void *h)'),
    agRun: lib.func('double ag_run(void *h, double max)'),
    agDbg: lib.func('uint32_t ag_dbg(void *h)'),
    agStepTrace: lib.func('uint32_t ag_step_trace(void *h, uint32_t n, _Out_ uint32_t *out)'),
    // The status record lives in the C handle and is read in place (koffi.view): a call with only
    // the handle costs ~20 ns, one that also passes a Float64Array ~36 ns, and stepping test benches
    // make one every cycle.
    agStatus: lib.func('void ag_status(void *h)'),
    agStatusBuf: lib.func('double *ag_status_buf(void *h)'),
    agVcdOpen: lib.func('int ag_vcd_open(void *h, const char *path)'),
    agVcdClose: lib.func('void ag_vcd_close(void *h)'),
  };
  apis.set(libPath, api);
  return api;
}

export interface RtlOptions extends BuildOptions {
  /** Write a VCD of everything the chip does to this file (builds the traced model variant). */
  readonly vcd?: string;
  /** The backend's name in reports (default `rtl`; e.g. `netlist-ice40-up5k` with `sources`). */
  readonly kind?: string;
}

/** Unpacked per-cycle trace word of the shim (valid, issue<<1, busy<<2, state<<6, pc<<8). */
function unpack(w: number, cycle: number): TraceRecord {
  return {
    cycle,
    pc: w & 1 ? w >>> 8 : -1,
    issue: (w >>> 1) & 1,
    busy: (w >>> 2) & 0xf,
    state: (w >>> 6) & 3,
  };
}

function checkInt(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`${what} must be an integer, not ${String(v)}`);
  if (v < lo || v > hi) throw new RangeError(`${what} must be in ${lo}..${hi}, not ${v}`);
}

export class RtlBackend implements ChipBackend {
  readonly kind: string;
  readonly config: ChipConfig;
  /** The shared library this backend runs (and whether this process built it). */
  readonly model: BuiltModel;
  private readonly api: Api;
  private h: Handle | null;
  private readonly W: number;
  /** The C handle's status record (10 doubles), viewed in place; replaced by a copy on close(). */
  private stat: Float64Array;
  /**
   * `stat` holds the model's status as of now: step() fills it in the same native call, so the usual
   * step-then-status loop of a stepping test bench costs one FFI call a cycle, not two. Every other
   * call into the model clears it.
   */
  private statFresh = false;

  /** Build (or load from the cache) the Verilated model of `config` and open an instance of it. */
  constructor(config: ChipConfig, opts: RtlOptions = {}) {
    this.kind = opts.kind ?? 'rtl';
    this.config = config;
    this.W = config.derived.W;
    this.model = buildModel(config, { ...opts, trace: opts.trace ?? opts.vcd !== undefined });
    this.api = load(this.model.libPath);
    this.h = this.api.agNew();
    this.stat = new Float64Array(koffi.view(this.api.agStatusBuf(this.h), 10 * 8));
    if (opts.vcd !== undefined && this.api.agVcdOpen(this.h, opts.vcd) !== 1) {
      throw new Error(`cannot write VCD ${opts.vcd}: the model was built without --trace`);
    }
  }

  /** Factory used by the CLI (`--backend rtl`). */
  static create(config: ChipConfig, opts: RtlOptions = {}): RtlBackend {
    return new RtlBackend(config, opts);
  }

  private get handle(): Handle {
    if (this.h === null) throw new Error('RtlBackend: used after close()');
    this.statFresh = false;
    return this.h;
  }

  private writeWords(a: number, words: Uint32Array): void {
    if (words.length) this.api.agWriteBlock(this.handle, a, words, words.length);
  }

  private readWords(a: number, n: number): Uint32Array {
    const out = new Uint32Array(n);
    if (n) this.api.agReadBlock(this.handle, a, out, n);
    return out;
  }

  loadProgram(words: readonly bigint[]): void {
    checkInt('loadProgram: program length', words.length, 0, this.config.memory.imemWords);
    const w = new Uint32Array(words.length * 2);
    words.forEach((x, i) => {
      const v = BigInt.asUintN(64, x);
      w[2 * i] = Number(v & 0xffffffffn);
      w[2 * i + 1] = Number(v >> 32n);
    });
    this.writeWords(addr(REGION.IMEM, 0), w);
  }

  writeMain(byteAddr: number, data: Uint8Array): void {
    const size = this.config.memory.mainBytes;
    checkInt('writeMain: byteAddr', byteAddr, 0, size);
    if (byteAddr + data.length > size) throw new RangeError(`writeMain: bytes [${byteAddr}, ${byteAddr + data.length}) exceed main memory (${size} bytes)`);
    if (data.length === 0) return;
    // Whole words over the range; the partial words at either end are read first.
    const w0 = Math.floor(byteAddr / 4);
    const w1 = Math.ceil((byteAddr + data.length) / 4);
    const bytes = new Uint8Array((w1 - w0) * 4);
    if (byteAddr % 4 !== 0) bytes.set(new Uint8Array(this.readWords(addr(REGION.MAIN, w0), 1).buffer), 0);
    if ((byteAddr + data.length) % 4 !== 0) bytes.set(new Uint8Array(this.readWords(addr(REGION.MAIN, w1 - 1), 1).buffer), (w1 - w0 - 1) * 4);
    bytes.set(data, byteAddr - w0 * 4);
    this.writeWords(addr(REGION.MAIN, w0), new Uint32Array(bytes.buffer));
  }

  readMain(byteAddr: number, length: number): Uint8Array {
    const size = this.config.memory.mainBytes;
    checkInt('readMain: byteAddr', byteAddr, 0, size);
    checkInt('readMain: length', length, 0, size);
    if (byteAddr + length > size) throw new RangeError(`readMain: bytes [${byteAddr}, ${byteAddr + length}) exceed main memory (${size} bytes)`);
    const w0 = Math.floor(byteAddr / 4);
    const w1 = Math.ceil((byteAddr + length) / 4);
    const words = this.readWords(addr(REGION.MAIN, w0), w1 - w0);
    return new Uint8Array(words.buffer).slice(byteAddr - w0 * 4, byteAddr - w0 * 4 + length);
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
    if (!g.sp) return this.writeWords(addr(g.region, row * W), new Uint32Array(data.buffer, data.byteOffset, data.length));
    // sp: ⌈W/4⌉ words a row, lane 4j in bits 7:0 of word j.
    const per = Math.ceil(W / 4);
    const bytes = new Uint8Array(n * per * 4);
    for (let r = 0; r < n; r++) for (let l = 0; l < W; l++) bytes[r * per * 4 + l] = data[r * W + l]! & 0xff;
    this.writeWords(addr(g.region, row * per), new Uint32Array(bytes.buffer));
  }

  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array {
    const g = this.localGeom('readLocal', mem);
    const W = this.W;
    checkInt(`readLocal: ${mem} row`, row, 0, g.rows);
    checkInt('readLocal: rows', rows, 0, g.rows);
    if (row + rows > g.rows) throw new RangeError(`readLocal: rows [${row}, ${row + rows}) exceed ${mem} (${g.rows} rows)`);
    if (!g.sp) return new Int32Array(this.readWords(addr(g.region, row * W), rows * W).buffer);
    const per = Math.ceil(W / 4);
    const bytes = new Int8Array(this.readWords(addr(g.region, row * per), rows * per).buffer);
    const out = new Int8Array(rows * W);
    for (let r = 0; r < rows; r++) for (let l = 0; l < W; l++) out[r * W + l] = bytes[r * per * 4 + l]!;
    return out;
  }

  start(): void {
    this.api.agWrite(this.handle, addr(REGION.CSR, 0), 1);
  }

  step(): void {
    // One clock edge while running (running or draining); the C side checks.
    this.api.agStep(this.handle);
    this.statFresh = true;
  }

  run(maxCycles: number): ChipStatus {
    if (!(maxCycles === Infinity || (Number.isInteger(maxCycles) && maxCycles >= 0))) {
      throw new RangeError(`run: maxCycles must be an integer ≥ 0 or Infinity, not ${String(maxCycles)}`);
    }
    // The C loop takes a double; Infinity runs until the chip stops.
    this.api.agRun(this.handle, maxCycles === Infinity ? Number.MAX_SAFE_INTEGER : maxCycles);
    return this.status();
  }

  status(): ChipStatus {
    const s = this.stat;
    if (!this.statFresh) {
      this.api.agStatus(this.handle);
      this.statFresh = true;
    }
    return {
      running: s[5] === 1,
      halted: s[6] === 1,
      error: s[7]!,
      pc: s[8]!,
      counters: { cycles: s[0]!, macs: s[1]!, dmaBusy: s[2]!, stalls: s[3]!, retired: s[4]! },
    };
  }

  trace(): TraceRecord {
    if (!this.statFresh) {
      this.api.agStatus(this.handle);
      this.statFresh = true;
    }
    return unpack(this.stat[9]!, this.stat[0]!);
  }

  /**
   * Up to `n` cycles while running, one trace record per cycle (taken before its clock edge), in
   * one native call: the fast path for lockstep-style checks.
   */
  traceRun(n: number): TraceRecord[] {
    checkInt('traceRun: n', n, 0, 1 << 24);
    const start = this.status().counters.cycles;
    const buf = new Uint32Array(n);
    const got = this.api.agStepTrace(this.handle, n, buf);
    return Array.from(buf.subarray(0, got), (w, i) => unpack(w, start + i));
  }

  /** Pulse the chip's reset (back to idle; memories keep their contents). */
  reset(): void {
    this.api.agReset(this.handle);
  }

  /** Read one word over the host bus (CSRs, or memories while stopped). */
  hostRead(address: number): number {
    return this.api.agRead(this.handle, address >>> 0) >>> 0;
  }

  close(): void {
    if (this.h === null) return;
    // The view points into the handle: keep a copy, and never read the freed record again.
    this.stat = this.stat.slice();
    this.statFresh = false;
    this.api.agVcdClose(this.h);
    this.api.agFree(this.h);
    this.h = null;
  }
}
