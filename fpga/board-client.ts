import { FpgaError } from './errors.js';
import {
  decodeResponse, encodeRequest, parseStatusWords, STATUS, PING_WORD,
  type BoardStatus, type Request, type Response,
} from './uart-protocol.js';

/**
 * Host side of the UART protocol over any byte link: a real serial port (`--backend board`), the
 * Verilated board top's UART pin (`board-sim`), or a test double. One request in flight at a time;
 * error responses are retried after the bridge's idle gap.
 */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  /** Resolve with whatever bytes have arrived (at least one), or reject after `timeoutMs`. */
  read(timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface BoardClientOptions {
  /** How long to wait for a whole response, ms. */
  readonly timeoutMs?: number;
  /** Time the bridge needs to forget a bad frame (its IDLE_GAP), ms. */
  readonly idleGapMs?: number;
  /** Attempts per request when the board reports a CRC error. */
  readonly attempts?: number;
  /** Words per READ/WRITE frame (bounded so a retry resends little). */
  readonly chunkWords?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class BoardClient {
  private pending = new Uint8Array(0);
  private readonly timeoutMs: number;
  private readonly idleGapMs: number;
  private readonly attempts: number;
  private readonly chunk: number;

  constructor(private readonly link: ByteLink, o: BoardClientOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.idleGapMs = o.idleGapMs ?? 25;
    this.attempts = o.attempts ?? 3;
    this.chunk = o.chunkWords ?? 256;
  }

  /** Send one request and return its decoded response (any status); no retry. */
  async transact(req: Request): Promise<Response> {
    this.pending = new Uint8Array(0);
    await this.link.write(encodeRequest(req));
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const r = decodeResponse(req, this.pending);
      if (r.kind === 'ok') {
        this.pending = this.pending.subarray(r.length);
        return r.response;
      }
      if (r.kind === 'error') throw new FpgaError('protocol', `bad response to ${req.cmd}: ${r.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new FpgaError('protocol', `no complete response to ${req.cmd} within ${this.timeoutMs} ms (${this.pending.length} bytes received)`);
      const more = await this.link.read(left);
      const next = new Uint8Array(this.pending.length + more.length);
      next.set(this.pending);
      next.set(more, this.pending.length);
      this.pending = next;
    }
  }

  /** Send a request until it succeeds (CRC errors are retried after the bridge's idle gap). */
  async request(req: Request): Promise<Response> {
    let last: Response | undefined;
    for (let i = 0; i < this.attempts; i++) {
      last = await this.transact(req);
      if (last.status === STATUS.OK) return last;
      if (last.status !== STATUS.HEADER_CRC && last.status !== STATUS.DATA_CRC) break;
      await sleep(this.idleGapMs);
    }
    throw new FpgaError('protocol', `board refused ${req.cmd}: ${last?.statusName ?? 'no response'}`);
  }

  /** Check the link: the board answers PING with 'AG' and the protocol version. */
  async ping(): Promise<number> {
    const r = await this.request({ cmd: 'PING' });
    if ((r.words[0]! & 0xffff) !== (PING_WORD & 0xffff)) throw new FpgaError('protocol', `PING answered 0x${r.words[0]!.toString(16)}: not an accelgen bridge`);
    return (r.words[0]! >>> 16) & 0xff;
  }

  async writeWords(addr: number, words: ArrayLike<number>): Promise<void> {
    for (let i = 0; i < words.length; i += this.chunk) {
      const part = Array.from({ length: Math.min(this.chunk, words.length - i) }, (_, j) => words[i + j]!);
      await this.request({ cmd: 'WRITE', addr: addr + i, words: part });
    }
  }

  async readWords(addr: number, count: number): Promise<Uint32Array> {
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i += this.chunk) {
      const n = Math.min(this.chunk, count - i);
      const r = await this.request({ cmd: 'READ', addr: addr + i, count: n });
      out.set(r.words, i);
    }
    return out;
  }

  async start(): Promise<void> {
    await this.request({ cmd: 'START' });
  }

  async status(): Promise<BoardStatus> {
    return parseStatusWords((await this.request({ cmd: 'STATUS' })).words);
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
