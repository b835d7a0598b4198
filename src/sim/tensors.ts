/**
 * Tensor helpers over any ChipBackend (simulator or RTL): int8/int32 vectors in main memory
 * (little-endian, as the DMA reads them) and row-major matrices in local memory. Every argument is
 * validated and misuse throws a RangeError that says what was expected.
 */
import type { ChipBackend } from '../host/backend.js';
import type { MemName } from '../isa/table.js';

function checkValues(what: string, values: ArrayLike<number>, lo: number, hi: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${what}: element ${i} = ${v} is not an integer in ${lo}..${hi}`);
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be an integer ≥ 0, not ${n}`);
}

/** Write int8 values (−128..127) to main memory at `byteAddr`, one byte each. */
export function writeMainInt8(b: ChipBackend, byteAddr: number, values: ArrayLike<number>): void {
  checkValues('writeMainInt8', values, -128, 127);
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = values[i]!;
  b.writeMain(byteAddr, bytes);
}

/** Read `count` int8 values from main memory at `byteAddr`. */
export function readMainInt8(b: ChipBackend, byteAddr: number, count: number): Int8Array {
  checkCount('readMainInt8: count', count);
  const bytes = b.readMain(byteAddr, count);
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length).slice();
}

/** Write int32 values to main memory at `byteAddr`, 4 bytes each, little-endian. */
export function writeMainInt32(b: ChipBackend, byteAddr: number, values: ArrayLike<number>): void {
  checkValues('writeMainInt32', values, -(2 ** 31), 2 ** 31 - 1);
  const bytes = new Uint8Array(values.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) dv.setInt32(4 * i, values[i]!, true);
  b.writeMain(byteAddr, bytes);
}

/** Read `count` little-endian int32 values from main memory at `byteAddr`. */
export function readMainInt32(b: ChipBackend, byteAddr: number, count: number): Int32Array {
  checkCount('readMainInt32: count', count);
  const bytes = b.readMain(byteAddr, count * 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
  return out;
}

/**
 * Write a row-major `rows × cols` matrix into local memory: element (r, c) goes to row `row + r`,
 * lane c. cols ≤ W; lanes ≥ cols keep their contents. sp takes −128..127, acc/grad int32.
 */
export function writeLocalMatrix(b: ChipBackend, mem: MemName, row: number, rows: number, cols: number, values: ArrayLike<number>): void {
  const W = b.config.derived.W;
  checkCount('writeLocalMatrix: rows', rows);
  if (!Number.isInteger(cols) || cols < 1 || cols > W) throw new RangeError(`writeLocalMatrix: cols must be in 1..${W} (W), not ${cols}`);
  if (values.length !== rows * cols) throw new RangeError(`writeLocalMatrix: expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`);
  if (mem === 'sp') checkValues('writeLocalMatrix', values, -128, 127);
  else checkValues('writeLocalMatrix', values, -(2 ** 31), 2 ** 31 - 1);
  const cur = b.readLocal(mem, row, rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) cur[r * W + c] = values[r * cols + c]!;
  b.writeLocal(mem, row, cur);
}

/** Read a `rows × cols` matrix (lanes 0..cols−1 of rows row..row+rows−1), row-major. */
export function readLocalMatrix(b: ChipBackend, mem: MemName, row: number, rows: number, cols: number): Int8Array | Int32Array {
  const W = b.config.derived.W;
  if (!Number.isInteger(cols) || cols < 1 || cols > W) throw new RangeError(`readLocalMatrix: cols must be in 1..${W} (W), not ${cols}`);
  const cur = b.readLocal(mem, row, rows);
  const out = mem === 'sp' ? new Int8Array(rows * cols) : new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = cur[r * W + c]!;
  return out;
}
