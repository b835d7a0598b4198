/**
 * NumPy `.npy` (format versions 1.0–3.0) for the integer tensors accelgen exchanges:
 * int8, uint8, int16, int32, int64 in, int8/int32 out. C order only (Fortran order is rejected
 * because silently transposing a user's matrix is worse than an error).
 */

export type NpyDtype = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64';

export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Values in C order. int64 values are converted to numbers (must be safe integers). */
  readonly data: Int8Array | Uint8Array | Int16Array | Int32Array | Float64Array;
}

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Readonly<Record<string, { dtype: NpyDtype; size: number }>> = {
  '|i1': { dtype: 'int8', size: 1 },
  '<i1': { dtype: 'int8', size: 1 },
  '|u1': { dtype: 'uint8', size: 1 },
  '<u1': { dtype: 'uint8', size: 1 },
  '<i2': { dtype: 'int16', size: 2 },
  '<i4': { dtype: 'int32', size: 4 },
  '<i8': { dtype: 'int64', size: 8 },
};

function parseHeader(h: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(h)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(h)?.[1];
  const shapeTxt = /'shape'\s*:\s*\(([^)]*)\)/.exec(h)?.[1];
  if (descr === undefined || fortran === undefined || shapeTxt === undefined) {
    throw new NpyError(`malformed .npy header: ${JSON.stringify(h.trim())}`);
  }
  const shape = shapeTxt.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+L?$/.test(s)) throw new NpyError(`malformed .npy shape entry ${JSON.stringify(s)}`);
    return Number.parseInt(s, 10);
  });
  return { descr, fortran: fortran === 'True', shape };
}

/** Parse a `.npy` file's bytes. Throws NpyError with the reason. */
export function parseNpy(buf: Uint8Array): NpyArray {
  if (buf.length < 10 || !MAGIC.every((b, i) => buf[i] === b)) throw new NpyError('not a .npy file (bad magic)');
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let hlen: number;
  let off: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    off = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new NpyError('truncated .npy header');
    hlen = dv.getUint32(8, true);
    off = 12;
  } else {
    throw new NpyError(`unsupported .npy version ${major}`);
  }
  if (off + hlen > buf.length) throw new NpyError('truncated .npy header');
  const header = new TextDecoder().decode(buf.subarray(off, off + hlen));
  const { descr, fortran, shape } = parseHeader(header);
  if (fortran) throw new NpyError('Fortran-order arrays are not supported; save with np.ascontiguousarray');
  const d = DESCR[descr];
  if (!d) throw new NpyError(`unsupported dtype ${descr}: use int8, uint8, int16, int32 or int64 (little-endian)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  if (buf.length - start < count * d.size) {
    throw new NpyError(`truncated data: shape ${JSON.stringify(shape)} needs ${count * d.size} bytes, file has ${buf.length - start}`);
  }
  // Copy into a fresh buffer: typed arrays need alignment, and a Node Buffer may be a view into a shared pool.
  const body = new Uint8Array(count * d.size);
  body.set(buf.subarray(start, start + count * d.size));
  let data: NpyArray['data'];
  switch (d.dtype) {
    case 'int8': data = new Int8Array(body.buffer, 0, count); break;
    case 'uint8': data = new Uint8Array(body.buffer, 0, count); break;
    case 'int16': data = new Int16Array(body.buffer, 0, count); break;
    case 'int32': data = new Int32Array(body.buffer, 0, count); break;
    case 'int64': {
      const big = new BigInt64Array(body.buffer, 0, count);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = big[i]!;
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new NpyError(`int64 value ${v} at index ${i} is too large`);
        out[i] = Number(v);
      }
      data = out;
      break;
    }
  }
  return { dtype: d.dtype, shape, data };
}

/** Serialize an int8 or int32 array as `.npy` version 1.0 (C order). */
export function formatNpy(data: Int8Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`shape ${JSON.stringify(shape)} holds ${count} values, data has ${data.length}`);
  const descr = data instanceof Int8Array ? '|i1' : '<i4';
  const shapeTxt = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeTxt}, }`;
  // Pad so the data starts on a 64-byte boundary, as NumPy does; header ends with '\n'.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Check a parsed array is a 2-D matrix whose values fit int8; return it as Int8Array. */
export function asInt8Matrix(a: NpyArray, name: string): { rows: number; cols: number; data: Int8Array } {
  if (a.shape.length !== 2) throw new NpyError(`${name}: expected a 2-D matrix, got shape ${JSON.stringify(a.shape)}`);
  const [rows, cols] = a.shape as [number, number];
  if (rows < 1 || cols < 1) throw new NpyError(`${name}: empty matrix ${rows}×${cols}`);
  if (a.data instanceof Int8Array) return { rows, cols, data: a.data };
  const out = new Int8Array(a.data.length);
  for (let i = 0; i < a.data.length; i++) {
    const v = a.data[i]!;
    if (v < -128 || v > 127) {
      throw new NpyError(`${name}: value ${v} at [${Math.floor(i / cols)}, ${i % cols}] does not fit int8 (dtype ${a.dtype})`);
    }
    out[i] = v;
  }
  return { rows, cols, data: out };
}
