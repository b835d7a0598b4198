import { describe, expect, it } from 'vitest';
import { asInt8Matrix, formatNpy, NpyError, parseNpy } from '../src/io/npy.js';

describe('.npy', () => {
  it('round-trips int8 and int32 matrices', () => {
    const a = Int8Array.from([1, -2, 3, -128, 127, 0]);
    const p = parseNpy(formatNpy(a, [2, 3]));
    expect(p.dtype).toBe('int8');
    expect(p.shape).toEqual([2, 3]);
    expect(Array.from(p.data)).toEqual(Array.from(a));
    const y = Int32Array.from([1 << 30, -5, 7]);
    const q = parseNpy(formatNpy(y, [3]));
    expect(q.dtype).toBe('int32');
    expect(Array.from(q.data)).toEqual(Array.from(y));
  });

  it('aligns the data to 64 bytes like NumPy', () => {
    const buf = formatNpy(new Int8Array(5), [5]);
    const hlen = buf[8]! | (buf[9]! << 8);
    expect((10 + hlen) % 64).toBe(0);
  });

  it('accepts wider integer dtypes whose values fit int8, and names the first that does not', () => {
    const ok = asInt8Matrix(parseNpy(formatNpy(Int32Array.from([1, 2, 3, 4]), [2, 2])), 'A');
    expect(Array.from(ok.data)).toEqual([1, 2, 3, 4]);
    expect(() => asInt8Matrix(parseNpy(formatNpy(Int32Array.from([1, 200]), [1, 2])), 'A')).toThrow(/A: value 200 at \[0, 1\] does not fit int8/);
  });

  it('rejects bad files with a reason', () => {
    expect(() => parseNpy(new TextEncoder().encode('hello world'))).toThrow(NpyError);
    const good = formatNpy(new Int8Array(16), [4, 4]);
    expect(() => parseNpy(good.subarray(0, good.length - 3))).toThrow(/truncated data/);
    const latin1 = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
    const bytes = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    expect(() => parseNpy(bytes(latin1(good).replace("'|i1'", "'<f4'")))).toThrow(/unsupported dtype <f4/);
    expect(() => parseNpy(bytes(latin1(good).replace('False', 'True ')))).toThrow(/Fortran-order/);
    expect(() => asInt8Matrix(parseNpy(formatNpy(new Int8Array(4), [4])), 'B')).toThrow(/B: expected a 2-D matrix/);
  });
});
