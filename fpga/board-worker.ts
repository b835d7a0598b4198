/**
 * Worker thread behind SyncBoardLink (board-sync.ts): owns the ByteLink and the BoardClient and
 * runs one request at a time for the main thread, which blocks on a shared flag meanwhile. The
 * ChipBackend interface is synchronous (the simulator and the FFI model are), while a UART is
 * asynchronous I/O; a worker plus Atomics.wait bridges the two without a native dependency.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { BoardClient, type BoardClientOptions, type ByteLink } from './board-client.js';
import type { LinkSpec, WorkerReply, WorkerRequest } from './board-sync.js';
import { UartSimLink } from './sim/uart-sim.js';
import { TtyLink } from './tty-link.js';

interface Init {
  readonly spec: LinkSpec;
  readonly client: BoardClientOptions;
  readonly port: MessagePort;
  readonly flag: SharedArrayBuffer;
}

const init = workerData as Init;
const flag = new Int32Array(init.flag);
const port = init.port;

function reply(r: WorkerReply): void {
  port.postMessage(r);
  // The main thread is parked in Atomics.wait on this flag; the message is already queued.
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

async function openLink(spec: LinkSpec): Promise<ByteLink> {
  if (spec.kind === 'uart-sim') return new UartSimLink(spec.exe, spec.hostBitCycles, spec.dutBitCycles);
  return TtyLink.open(spec.path, spec.baud);
}

let client: BoardClient | undefined;
let linkError: string | undefined;
const ready = openLink(init.spec).then(
  (l) => {
    client = new BoardClient(l, init.client);
  },
  (e: unknown) => {
    linkError = e instanceof Error ? e.message : String(e);
  },
);

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  await ready;
  if (!client) return { ok: false, message: linkError ?? 'the board link did not open' };
  switch (req.op) {
    case 'ping':
      return { ok: true, value: await client.ping() };
    case 'write':
      await client.writeWords(req.addr, req.words);
      return { ok: true };
    case 'read':
      return { ok: true, words: await client.readWords(req.addr, req.count) };
    case 'start':
      await client.start();
      return { ok: true };
    case 'status':
      return { ok: true, status: await client.status() };
    case 'close':
      await client.close();
      return { ok: true };
  }
}

// Requests are serialized: the main thread sends the next one only after it has the reply.
port.on('message', (req: WorkerRequest) => {
  handle(req).then(reply, (e: unknown) => reply({ ok: false, message: e instanceof Error ? e.message : String(e) }));
});
