import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BoardClientOptions } from './board-client.js';
import { FpgaError } from './errors.js';
import { projectRoot } from './tools.js';
import type { BoardStatus } from './uart-protocol.js';

/**
 * A synchronous face on BoardClient. ChipBackend (src/host/backend.ts) is synchronous because the
 * simulator and the FFI model are; a UART is asynchronous I/O. The client and its ByteLink live in
 * a worker thread (board-worker.ts); each call posts one request and parks this thread in
 * Atomics.wait until the worker flags the reply, then takes it with receiveMessageOnPort (which
 * needs no event loop turn). No native dependency, and the protocol code is BoardClient's own.
 */

/** Which ByteLink the worker opens. */
export type LinkSpec =
  | { readonly kind: 'uart-sim'; readonly exe: string; readonly hostBitCycles: number; readonly dutBitCycles: number }
  | { readonly kind: 'tty'; readonly path: string; readonly baud?: number };

export type WorkerRequest =
  | { readonly op: 'ping' }
  | { readonly op: 'write'; readonly addr: number; readonly words: Uint32Array }
  | { readonly op: 'read'; readonly addr: number; readonly count: number }
  | { readonly op: 'start' }
  | { readonly op: 'status' }
  | { readonly op: 'close' };

export interface WorkerOk {
  readonly ok: true;
  readonly value?: number;
  readonly words?: Uint32Array;
  readonly status?: BoardStatus;
}
export type WorkerReply = WorkerOk | { readonly ok: false; readonly message: string };

/** Host-bus operations on a board, synchronously (what BoardBackend needs). */
export interface SyncBoardTransport {
  ping(): number;
  writeWords(addr: number, words: Uint32Array): void;
  readWords(addr: number, count: number): Uint32Array;
  start(): void;
  status(): BoardStatus;
  close(): void;
}

export interface SyncBoardLinkOptions {
  readonly client?: BoardClientOptions;
  /**
   * Longest wait for one call's reply, ms. A call may span several frames (BoardClient splits long
   * reads/writes) and retries; this only guards against a dead worker. Default 10 minutes.
   */
  readonly callTimeoutMs?: number;
}

/**
 * The compiled worker script. Under dist/ it sits next to this module; when this module runs from
 * TypeScript source (vitest), Node cannot start a .ts worker, so use the built one under dist/.
 */
function workerPath(): string {
  const here = fileURLToPath(new URL('./board-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(projectRoot(), 'dist', 'fpga', 'board-worker.js');
  if (existsSync(built)) return built;
  throw new FpgaError('output', `the board link worker is not built (${built} is missing): run 'npm run build'`);
}

export class SyncBoardLink implements SyncBoardTransport {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly callTimeoutMs: number;
  private readonly pingTimeoutMs: number;
  private closed = false;

  constructor(spec: LinkSpec, o: SyncBoardLinkOptions = {}) {
    this.callTimeoutMs = o.callTimeoutMs ?? 600_000;
    // PING is one short frame: if it takes longer than the client's own retries, the worker never
    // started (its errors cannot reach this thread while it waits), so fail fast.
    this.pingTimeoutMs = Math.min(this.callTimeoutMs, (o.client?.timeoutMs ?? 5000) * (o.client?.attempts ?? 3) + 30_000);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerPath(), {
      workerData: { spec, client: o.client ?? {}, port: port2, flag: this.flag.buffer },
      transferList: [port2],
    });
    // A forgotten close() must not keep the CLI alive; the harness child then sees EOF and exits.
    this.worker.unref();
    this.port.unref();
  }

  private call(req: WorkerRequest, timeoutMs = this.callTimeoutMs): WorkerOk {
    if (this.closed) throw new FpgaError('protocol', 'board link used after close()');
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new FpgaError('protocol', `the board link did not answer ${req.op} within ${timeoutMs} ms`);
      if (Atomics.wait(this.flag, 0, 0, left) !== 'timed-out' || Atomics.load(this.flag, 0) === 1) break;
    }
    const m = receiveMessageOnPort(this.port);
    if (!m) throw new FpgaError('protocol', `the board link flagged a reply to ${req.op} but sent none`);
    const r = m.message as WorkerReply;
    if (!r.ok) throw new FpgaError('protocol', r.message);
    return r;
  }

  ping(): number {
    return this.call({ op: 'ping' }, this.pingTimeoutMs).value ?? 0;
  }

  writeWords(addr: number, words: Uint32Array): void {
    if (words.length > 0) this.call({ op: 'write', addr, words });
  }

  readWords(addr: number, count: number): Uint32Array {
    if (count === 0) return new Uint32Array(0);
    const r = this.call({ op: 'read', addr, count });
    if (!r.words || r.words.length !== count) throw new FpgaError('protocol', `READ of ${count} words returned ${r.words?.length ?? 0}`);
    return r.words;
  }

  start(): void {
    this.call({ op: 'start' });
  }

  status(): BoardStatus {
    const r = this.call({ op: 'status' });
    if (!r.status) throw new FpgaError('protocol', 'STATUS returned nothing');
    return r.status;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'close' });
    } catch {
      // Best effort: close() runs in `finally` blocks and must not hide the error that led there.
    } finally {
      this.closed = true;
      this.port.close();
      void this.worker.terminate();
    }
  }
}
