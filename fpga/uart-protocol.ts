import { FpgaError } from './errors.js';

/**
 * The accelgen UART host protocol (docs/fpga.md §"UART protocol"): framed requests from the host,
 * one framed response per request, CRC-8 protected. The board's bridge (rtl/bridge.ts) implements
 * the device side in Verilog; this module is the host side (encode requests, decode responses) and
 * backs `--backend board` / `board-sim`. Pure functions: no I/O.
 *
 * Request : A5 | cmd | addr (u32 LE, word address) | count (u16 LE, words) | hcrc | [data, dcrc]
 *           hcrc = CRC-8 over cmd..count; WRITE carries count·4 data bytes and dcrc = CRC-8 over them.
 * Response: 5A | cmd | status | payload | crc      crc = CRC-8 over cmd, status, payload.
 */

export const REQ_SYNC = 0xa5;
export const RSP_SYNC = 0x5a;
export const PROTOCOL_VERSION = 1;
/** PING payload: bytes 'A' 'G', version, 0 (little-endian word 0x00_01_47_41). */
export const PING_WORD = 0x41 | (0x47 << 8) | (PROTOCOL_VERSION << 16);

export const CMD = { PING: 0x01, WRITE: 0x02, READ: 0x03, START: 0x04, STATUS: 0x05 } as const;
export type CommandName = keyof typeof CMD;

export const STATUS = { OK: 0, HEADER_CRC: 1, DATA_CRC: 2, BAD_CMD: 3, BAD_COUNT: 4 } as const;
export type StatusName = keyof typeof STATUS;

/** Words a STATUS response carries: CSR 0..14 (docs/microarch.md §9). */
export const STATUS_WORDS = 15;
/** Largest word count one READ/WRITE frame may carry (u16 count field). */
export const MAX_WORDS = 0xffff;

/** CRC-8, polynomial 0x07, init 0, no reflection (CRC-8/SMBUS; check "123456789" → 0xF4). */
export function crc8(bytes: ArrayLike<number>, init = 0): number {
  let c = init & 0xff;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i]! & 0xff;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

export type Request =
  | { readonly cmd: 'PING' }
  | { readonly cmd: 'START' }
  | { readonly cmd: 'STATUS' }
  | { readonly cmd: 'READ'; readonly addr: number; readonly count: number }
  | { readonly cmd: 'WRITE'; readonly addr: number; readonly words: ArrayLike<number> };

function checkAddr(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr > 0xffffffff) throw new FpgaError('protocol', `address must be a 32-bit word address, not ${addr}`);
}
function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORDS) throw new FpgaError('protocol', `word count must be 1..${MAX_WORDS}, not ${n}`);
}

/** Encode one request frame. */
export function encodeRequest(req: Request): Uint8Array {
  let addr = 0;
  let count = 0;
  let data: Uint8Array | undefined;
  if (req.cmd === 'READ') {
    checkAddr(req.addr);
    checkCount(req.count);
    addr = req.addr;
    count = req.count;
  } else if (req.cmd === 'WRITE') {
    checkAddr(req.addr);
    checkCount(req.words.length);
    addr = req.addr;
    count = req.words.length;
    data = new Uint8Array(count * 4);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < count; i++) dv.setUint32(4 * i, req.words[i]! >>> 0, true);
  }
  const hdr = new Uint8Array(7);
  const hv = new DataView(hdr.buffer);
  hdr[0] = CMD[req.cmd];
  hv.setUint32(1, addr >>> 0, true);
  hv.setUint16(5, count, true);
  const len = 1 + 7 + 1 + (data ? data.length + 1 : 0);
  const out = new Uint8Array(len);
  out[0] = REQ_SYNC;
  out.set(hdr, 1);
  out[8] = crc8(hdr);
  if (data) {
    out.set(data, 9);
    out[9 + data.length] = crc8(data);
  }
  return out;
}

/** Number of response bytes a request produces when it succeeds. */
export function expectedResponseLength(req: Request): number {
  const payload = req.cmd === 'READ' ? 4 * req.count : req.cmd === 'STATUS' ? 4 * STATUS_WORDS : req.cmd === 'PING' ? 4 : 0;
  return 4 + payload;
}

export interface Response {
  readonly cmd: number;
  readonly status: number;
  readonly statusName: StatusName | 'UNKNOWN';
  /** Payload words (READ, STATUS, PING). */
  readonly words: Uint32Array;
}

export type DecodeResult =
  /** Not enough bytes yet; `need` is the least total length that could complete the frame. */
  | { readonly kind: 'incomplete'; readonly need: number }
  | { readonly kind: 'ok'; readonly response: Response; readonly length: number }
  | { readonly kind: 'error'; readonly message: string };

const statusName = (s: number): StatusName | 'UNKNOWN' =>
  (Object.keys(STATUS) as StatusName[]).find((k) => STATUS[k] === s) ?? 'UNKNOWN';

/**
 * Decode a response to `req` from the start of `buf`. A response with an error status has no
 * payload, so its length is known after the status byte.
 */
export function decodeResponse(req: Request, buf: Uint8Array): DecodeResult {
  if (buf.length < 3) return { kind: 'incomplete', need: 3 };
  if (buf[0] !== RSP_SYNC) return { kind: 'error', message: `response starts with 0x${buf[0]!.toString(16)}, not 0x5a` };
  const status = buf[2]!;
  // A header-CRC error echoes the command byte as received, which may be the corrupted one.
  if (buf[1] !== CMD[req.cmd] && status === STATUS.OK) return { kind: 'error', message: `response is for command 0x${buf[1]!.toString(16)}, not ${req.cmd}` };
  const full = status === STATUS.OK ? expectedResponseLength(req) : 4;
  if (buf.length < full) return { kind: 'incomplete', need: full };
  const crc = crc8(buf.subarray(1, full - 1));
  if (crc !== buf[full - 1]) return { kind: 'error', message: `response CRC 0x${buf[full - 1]!.toString(16)} ≠ 0x${crc.toString(16)}` };
  const payload = buf.subarray(3, full - 1);
  const words = new Uint32Array(payload.length / 4);
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.length);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(4 * i, true);
  return { kind: 'ok', length: full, response: { cmd: buf[1]!, status, statusName: statusName(status), words } };
}

/** The chip status as the STATUS command returns it (CSR 0..14, docs/microarch.md §9). */
export interface BoardStatus {
  readonly running: boolean;
  readonly halted: boolean;
  readonly error: number;
  readonly pc: number;
  readonly cycles: bigint;
  readonly macs: bigint;
  readonly dmaBusy: bigint;
  readonly stalls: bigint;
  readonly retired: bigint;
  readonly configHash: number;
  readonly info: { readonly rows: number; readonly cols: number; readonly W: number };
}

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** Interpret the 15 words of a STATUS response. */
export function parseStatusWords(w: ArrayLike<number>): BoardStatus {
  if (w.length < STATUS_WORDS) throw new FpgaError('protocol', `STATUS needs ${STATUS_WORDS} words, got ${w.length}`);
  const st = w[1]!;
  return {
    running: (st & 1) !== 0,
    halted: (st & 2) !== 0,
    error: (st >>> 8) & 0xff,
    pc: w[2]! >>> 0,
    cycles: u64(w[3]!, w[4]!),
    macs: u64(w[5]!, w[6]!),
    dmaBusy: u64(w[7]!, w[8]!),
    stalls: u64(w[9]!, w[10]!),
    retired: u64(w[11]!, w[12]!),
    configHash: w[13]! >>> 0,
    info: { rows: w[14]! & 0xff, cols: (w[14]! >>> 8) & 0xff, W: (w[14]! >>> 16) & 0xff },
  };
}

/**
 * UART timing: the integer clocks-per-bit divisor the bridge uses for a clock and baud rate, and
 * the rate error it implies. A UART tolerates a few percent in total; refuse beyond `maxError`.
 */
export function uartDivisor(clockHz: number, baud: number, maxError = 0.02): { clocksPerBit: number; actualBaud: number; error: number } {
  if (!(baud > 0) || !Number.isFinite(baud)) throw new FpgaError('baud', `baud rate must be a positive number, not ${baud}`);
  const clocksPerBit = Math.round(clockHz / baud);
  // The receiver samples mid-bit; fewer than 4 clocks a bit leaves no margin for the 2-FF synchronizer.
  if (clocksPerBit < 4) {
    throw new FpgaError('baud', `${baud} baud is too fast for a ${clockHz / 1e6} MHz clock (needs ≥ 4 clocks a bit, max ${Math.floor(clockHz / 4)} baud)`);
  }
  const actualBaud = clockHz / clocksPerBit;
  const error = Math.abs(actualBaud - baud) / baud;
  if (error > maxError) {
    throw new FpgaError('baud', `${baud} baud from a ${clockHz / 1e6} MHz clock is ${(error * 100).toFixed(1)} % off (divisor ${clocksPerBit}); pick a clock or baud rate that divide better`);
  }
  return { clocksPerBit, actualBaud, error };
}
