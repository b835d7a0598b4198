import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './require-tools.js';
import { BoardClient } from '../fpga/board-client.js';
import { boardDesign } from '../fpga/design.js';
import { DEMO_K_CSR } from '../fpga/rtl/demo-core.js';
import { buildUartSim } from '../fpga/sim/uart-sim.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, projectRoot, toolSpec } from '../fpga/tools.js';
import { TtyLink } from '../fpga/tty-link.js';

/**
 * The real serial path without hardware: socat exposes the Verilated board top's UART harness on
 * a pseudo-terminal, and the host talks to it through TtyLink exactly as to /dev/ttyUSB1.
 */
const socat = locateTool(toolSpec('socat'));
const ready = socat.found && locateTool(toolSpec('verilator')).found;

describe('board over a pseudo-terminal (socat)', () => {
  beforeAll(() => requireTools(['socat', 'verilator', 'cxx']));
  it('PING, write/read and a demo GEMM through the pty', async () => {
    const d = boardDesign({ target: getTarget('ice40-up5k'), freqMhz: 12, baud: 1_000_000, idleGapCycles: 3000, core: { kind: 'demo', rows: 2, cols: 4 } });
    const bin = await buildUartSim(d, { cacheDir: join(projectRoot(), '.cache', 'fpga-sim') });
    const dir = mkdtempSync(join(tmpdir(), 'agtty-'));
    const port = join(dir, 'board');
    if (!socat.found) throw new Error('unreachable');
    // socat's own address syntax; argv array, no shell.
    const child = spawn(socat.path, [`pty,raw,echo=0,link=${port}`, `EXEC:${bin.exe} ${d.clocksPerBit} ${d.clocksPerBit} 0`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let socatErr = '';
    child.stderr.on('data', (b: Buffer) => (socatErr += b.toString()));
    try {
      for (let i = 0; i < 500 && !existsSync(port); i++) await new Promise((r) => setTimeout(r, 20)); // up to 10 s under load
      const client = new BoardClient(await TtyLink.open(port, 1_000_000), { timeoutMs: 60_000 });
      try {
        expect(await client.ping().catch((e: unknown) => Promise.reject(new Error(`${String(e)}; socat: ${socatErr || 'nothing'}`)))).toBe(1);
        const words = Array.from({ length: 100 }, (_, i) => (i * 0x01010101 + 7) >>> 0);
        await client.writeWords(0x2000_0000 + 100, words);
        expect(Array.from(await client.readWords(0x2000_0000 + 100, 100))).toEqual(words);
        // 1 step: L = (3, -2), T = (1, 2, 3, 4) → acc = outer product.
        await client.writeWords(0x2000_0000, [0xfe03, 0x04030201]);
        await client.writeWords(DEMO_K_CSR, [1]);
        await client.start();
        let st = await client.status();
        for (let i = 0; i < 10 && !st.halted; i++) st = await client.status();
        expect(Array.from(await client.readWords(0x4000_0000, 8), (x) => x | 0)).toEqual([3, 6, 9, 12, -2, -4, -6, -8]);
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
