/**
 * The chip's data memories as typed arrays, plus the validated host accessors. Layout is row-major
 * with W lanes a row, which is what the vector unit, the DMA and the array all index.
 */
import type { ChipConfig } from '../config/index.js';
import { MEM_NAMES, type MemName } from '../isa/table.js';

/** Local memories indexed by memory code (sp = 0, acc = 1, grad = 2, as in MEM_CODES). */
export type LocalArray = Int8Array | Int32Array;

function checkInt(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`${what} must be an integer, not ${String(v)}`);
  if (v < lo || v > hi) throw new RangeError(`${what} must be in ${lo}..${hi}, not ${v}`);
}

export class ChipMemories {
  /** Main memory, bytes. */
  readonly main: Uint8Array;
  /** Scratchpad, spRows × W int8. */
  readonly sp: Int8Array;
  /** Accumulator memory, accRows × W int32. */
  readonly acc: Int32Array;
  /** Gradient buffer, gradRows × W int32. */
  readonly grad: Int32Array;
  /** Lanes per local-memory row. */
  readonly W: number;
  /** Local memories by memory code. */
  readonly local: readonly [Int8Array, Int32Array, Int32Array];
  /** Rows of each local memory by memory code. */
  readonly rows: readonly [number, number, number];

  constructor(cfg: ChipConfig) {
    const m = cfg.memory;
    this.W = cfg.derived.W;
    this.main = new Uint8Array(m.mainBytes);
    this.sp = new Int8Array(m.spRows * this.W);
    this.acc = new Int32Array(m.accRows * this.W);
    this.grad = new Int32Array(m.gradRows * this.W);
    this.local = [this.sp, this.acc, this.grad];
    this.rows = [m.spRows, m.accRows, m.gradRows];
  }

  /**
   * Write bytes to main memory.
   * @param byteAddr first byte address, 0..mainBytes−data.length
   */
  writeMain(byteAddr: number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('writeMain: data must be a Uint8Array');
    checkInt('writeMain: byteAddr', byteAddr, 0, this.main.length);
    if (byteAddr + data.length > this.main.length) {
      throw new RangeError(`writeMain: bytes [${byteAddr}, ${byteAddr + data.length}) exceed main memory (${this.main.length} bytes)`);
    }
    this.main.set(data, byteAddr);
  }

  /**
   * Read `length` bytes of main memory starting at `byteAddr` (a copy).
   */
  readMain(byteAddr: number, length: number): Uint8Array {
    checkInt('readMain: byteAddr', byteAddr, 0, this.main.length);
    checkInt('readMain: length', length, 0, this.main.length);
    if (byteAddr + length > this.main.length) {
      throw new RangeError(`readMain: bytes [${byteAddr}, ${byteAddr + length}) exceed main memory (${this.main.length} bytes)`);
    }
    return this.main.slice(byteAddr, byteAddr + length);
  }

  private code(what: string, mem: MemName): number {
    const c = MEM_NAMES.indexOf(mem);
    if (c < 0) throw new RangeError(`${what}: memory must be one of ${MEM_NAMES.join(', ')}, not ${JSON.stringify(mem)}`);
    return c;
  }

  /**
   * Write whole local-memory rows starting at `row`. sp takes an Int8Array, acc/grad an Int32Array;
   * `data.length` must be a multiple of W.
   */
  writeLocal(mem: MemName, row: number, data: Int8Array | Int32Array): void {
    const c = this.code('writeLocal', mem);
    const want = c === 0 ? Int8Array : Int32Array;
    if (!(data instanceof want)) throw new TypeError(`writeLocal: ${mem} data must be an ${want.name}`);
    if (data.length % this.W !== 0) {
      throw new RangeError(`writeLocal: data length ${data.length} is not a multiple of W = ${this.W} (whole rows)`);
    }
    const n = data.length / this.W;
    checkInt(`writeLocal: ${mem} row`, row, 0, this.rows[c]);
    if (row + n > this.rows[c]) throw new RangeError(`writeLocal: rows [${row}, ${row + n}) exceed ${mem} (${this.rows[c]} rows)`);
    this.local[c].set(data, row * this.W);
  }

  /** Read `rows` whole rows (rows·W elements, a copy) of a local memory starting at `row`. */
  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array {
    const c = this.code('readLocal', mem);
    checkInt(`readLocal: ${mem} row`, row, 0, this.rows[c]);
    checkInt('readLocal: rows', rows, 0, this.rows[c]);
    if (row + rows > this.rows[c]) throw new RangeError(`readLocal: rows [${row}, ${row + rows}) exceed ${mem} (${this.rows[c]} rows)`);
    return this.local[c].slice(row * this.W, (row + rows) * this.W);
  }
}
