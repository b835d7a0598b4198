import { describe, expect, it } from 'vitest';
import { CMD, crc8, decodeResponse, encodeRequest, parseStatusWords, STATUS, uartDivisor } from '../fpga/uart-protocol.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function response(cmd: number, status: number, payload: number[]): Uint8Array {
  const body = [cmd, status, ...payload];
  return new Uint8Array([0x5a, ...body, crc8(body)]);
}

describe('UART protocol', () => {
  it('CRC-8/SMBUS check value', () => {
    expect(crc8(new TextEncoder().encode('123456789'))).toBe(0xf4);
    expect(crc8([])).toBe(0);
  });

  it('encodes a PING: sync, cmd, zero addr/count, header CRC', () => {
    const f = encodeRequest({ cmd: 'PING' });
    expect(hex(f)).toBe(`a5${'01'}${'00000000'}${'0000'}${crc8([1, 0, 0, 0, 0, 0, 0]).toString(16).padStart(2, '0')}`);
  });

  it('encodes a WRITE: little-endian address, count, data and a data CRC', () => {
    const f = encodeRequest({ cmd: 'WRITE', addr: 0x2000_0010, words: [0x11223344, 0xaabbccdd] });
    expect(f.length).toBe(9 + 8 + 1);
    expect(hex(f.subarray(0, 8))).toBe('a502100000200200');
    expect(f[8]).toBe(crc8(f.subarray(1, 8)));
    expect(hex(f.subarray(9, 17))).toBe('44332211ddccbbaa');
    expect(f[17]).toBe(crc8(f.subarray(9, 17)));
  });

  it('refuses out-of-range requests', () => {
    expect(() => encodeRequest({ cmd: 'READ', addr: 0, count: 0 })).toThrow(/1\.\.65535/);
    expect(() => encodeRequest({ cmd: 'READ', addr: -1, count: 1 })).toThrow(/32-bit/);
  });

  it('decodes a READ response and reports incomplete input', () => {
    const req = { cmd: 'READ', addr: 0x2000_0000, count: 2 } as const;
    const r = response(CMD.READ, STATUS.OK, [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeResponse(req, r.subarray(0, 5))).toEqual({ kind: 'incomplete', need: 12 });
    const d = decodeResponse(req, r);
    expect(d.kind).toBe('ok');
    if (d.kind === 'ok') expect(Array.from(d.response.words)).toEqual([1, 0xffffffff]);
  });

  it('decodes error statuses without payload, and catches a bad CRC', () => {
    const req = { cmd: 'READ', addr: 0, count: 4 } as const;
    const e = decodeResponse(req, response(CMD.READ, STATUS.BAD_COUNT, []));
    expect(e.kind === 'ok' && e.response.statusName).toBe('BAD_COUNT');
    const bad = response(CMD.READ, STATUS.HEADER_CRC, []);
    bad[3] ^= 1;
    expect(decodeResponse(req, bad).kind).toBe('error');
  });

  it('parses the 15 STATUS words (CSR 0..14)', () => {
    const w = [0, 0x0302, 7, 100, 1, 40, 0, 0, 0, 0, 0, 9, 0, 0xdeadc0de, 2 | (4 << 8) | (4 << 16)];
    const s = parseStatusWords(w);
    expect(s).toMatchObject({ running: false, halted: true, error: 3, pc: 7, macs: 40n, retired: 9n, configHash: 0xdeadc0de });
    expect(s.cycles).toBe((1n << 32n) + 100n);
    expect(s.info).toEqual({ rows: 2, cols: 4, W: 4 });
  });

  it('picks the UART divisor and refuses rates a clock cannot make', () => {
    expect(uartDivisor(12e6, 1_000_000).clocksPerBit).toBe(12);
    expect(uartDivisor(12e6, 3_000_000).clocksPerBit).toBe(4);
    expect(uartDivisor(30e6, 115_200).clocksPerBit).toBe(260);
    expect(() => uartDivisor(12e6, 4_000_000)).toThrow(/too fast/);
    expect(() => uartDivisor(12e6, 1_600_000)).toThrow(/% off/);
  });
});
