import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './require-tools.js';
import { BoardClient } from '../fpga/board-client.js';
import { boardDesign } from '../fpga/design.js';
import { netlistSimScript, synthesizeForSimulation } from '../fpga/netlist.js';
import { DEMO_K_CSR } from '../fpga/rtl/demo-core.js';
import { mult18x18dModel } from '../fpga/rtl/mult18x18d-model.js';
import { runCommand } from '../fpga/run.js';
import { buildUartSim, UartSimLink } from '../fpga/sim/uart-sim.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, projectRoot, toolSpec, type ToolId } from '../fpga/tools.js';

const have = (ids: ToolId[]): boolean => ids.every((id) => locateTool(toolSpec(id)).found);
const cacheDir = join(projectRoot(), '.cache', 'fpga-sim');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

describe('post-synthesis netlist script (as text)', () => {
  it('synthesizes like the flow, then swaps in the cell models and flattens', () => {
    const t = getTarget('ice40-up5k');
    expect(netlistSimScript(t, [{ name: 'a.v' }, { name: 'b.v' }], 'agb_top').split('\n').slice(1, 12)).toEqual([
      'read_verilog rtl/a.v',
      'read_verilog rtl/b.v',
      'synth_ice40 -dsp -spram -top agb_top',
      'read_verilog +/ice40/cells_sim.v',
      'hierarchy -top agb_top',
      'proc',
      'flatten',
      'opt -fast',
      'opt_clean -purge',
      'write_verilog -noattr netlist_sim.v',
      'stat',
    ]);
    expect(netlistSimScript(getTarget('ecp5-25f'), [], 'x')).toContain('read_verilog +/ecp5/cells_sim.v');
    expect(netlistSimScript(getTarget('ecp5-25f'), [], 'x')).toContain('\nsynth_ecp5 -top x\n');
    expect(netlistSimScript(getTarget('ecp5-25f'), [], 'x', { noBram: true })).toContain('synth_ecp5 -nobram -top x');
  });
});

describe('MULT18X18D behavioural model, tested by itself', () => {
  beforeAll(() => requireTools(['iverilog']));
  it('equals A × B for every sign mode (2000 random vectors, checked in TypeScript with BigInt)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agmult-'));
    writeFileSync(join(dir, 'MULT18X18D.v'), mult18x18dModel().text);
    const conn = (p: string, n: number, v: string): string => Array.from({ length: n }, (_, i) => `.${p}${i}(${v}[${i}])`).join(', ');
    writeFileSync(join(dir, 'tb.v'), `
module tb;
  reg [17:0] a, b; reg sa, sb; wire [35:0] p; wire sp; integer i;
  MULT18X18D u (${conn('A', 18, 'a')}, ${conn('B', 18, 'b')}, ${conn('P', 36, 'p')}, .SIGNEDA(sa), .SIGNEDB(sb), .SIGNEDP(sp));
  initial begin
    for (i = 0; i < 2000; i = i + 1) begin
      a = $random; b = $random; sa = i[0]; sb = i[1];
      if (i < 8) begin a = (i & 4) ? 18'h20000 : 18'h3ffff; b = 18'h20000; end
      #1 $display("%h %h %0d %0d %h %0d", a, b, sa, sb, p, sp);
    end
  end
endmodule
`);
    const iv = locateTool(toolSpec('iverilog'));
    if (!iv.found) throw new Error('unreachable');
    const c = await runCommand({ argv: [iv.path, '-o', 'tb.vvp', 'tb.v', 'MULT18X18D.v'], cwd: dir });
    expect(c.code, c.output).toBe(0);
    const r = await runCommand({ argv: ['vvp', '-n', 'tb.vvp'], cwd: dir });
    expect(r.code, r.output).toBe(0);
    const lines = r.output.trim().split('\n').filter((l) => /^[0-9a-f]{5} /.test(l));
    expect(lines).toHaveLength(2000);
    const sx = (v: bigint, signed: boolean): bigint => (signed && v & 0x20000n ? v - 0x40000n : v);
    let bad = 0;
    for (const l of lines) {
      const [a, b, sa, sb, p, sp] = l.split(' ');
      const want = (sx(BigInt(`0x${a}`), sa === '1') * sx(BigInt(`0x${b}`), sb === '1')) & ((1n << 36n) - 1n);
      if (BigInt(`0x${p}`) !== want || sp !== (sa === '1' || sb === '1' ? '1' : '0')) bad++;
    }
    expect(bad).toBe(0);
  });
});

/** Demo GEMM over the UART, checked against a TypeScript reference. */
async function gemmOverUart(client: BoardClient, rows: number, cols: number, K: number, seed: number): Promise<void> {
  const r = rng(seed);
  const s8 = (): number => ((r() >>> 24) << 24) >> 24;
  const L = Array.from({ length: K }, () => Array.from({ length: rows }, s8));
  const T = Array.from({ length: K }, () => Array.from({ length: cols }, s8));
  const pack = (v: number[]): number => v.reduce((w, x, i) => w | ((x & 255) << (8 * i)), 0) >>> 0;
  await client.writeWords(0x2000_0000, L.flatMap((l, k) => [pack(l), pack(T[k]!)]));
  await client.writeWords(DEMO_K_CSR, [K]);
  await client.start();
  let st = await client.status();
  for (let i = 0; i < 20 && !st.halted; i++) st = await client.status();
  expect(st).toMatchObject({ halted: true, error: 0, macs: BigInt(rows * cols * K) });
  const ref: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ref.push(L.reduce((s, l, k) => s + l[i]! * T[k]![j]!, 0));
  expect(Array.from(await client.readWords(0x4000_0000, rows * cols), (x) => x | 0)).toEqual(ref);
}

/**
 * Heavy (yosys inlining cell models + a Verilator build of the gate-level netlist: ~1–2 min each
 * here). The iCE40 check always runs; the ECP5 one (DP16KD and MULT18X18D behavioural models from
 * fpga/rtl) runs with ACCELGEN_SLOW_TESTS=1.
 */
describe('board top after synthesis, driven at its UART pins (Verilator)', () => {
  const slow = process.env.ACCELGEN_SLOW_TESTS === '1';
  for (const [target, mhz, rows, cols, optIn] of [['ice40-up5k', 12, 2, 4, false], ['ecp5-25f', 25, 4, 4, true]] as const) {
    const what = 'DSP and RAM cells mapped';
    it.skipIf(optIn && !slow)(`${target}: same answers as the RTL (bridge + ${rows}×${cols} demo core, ${what})`, async () => {
      requireTools(['yosys', 'verilator', 'cxx']);
      const d = boardDesign({ target: getTarget(target), freqMhz: mhz, baud: 1_000_000, idleGapCycles: 4000, core: { kind: 'demo', rows, cols } });
      const work = mkdtempSync(join(tmpdir(), `agnet-${target}-`));
      const net = await synthesizeForSimulation(d, work);
      expect(net.files[0]!.text).toMatch(target === 'ice40-up5k' ? /SB_MAC16|mac16/i : /MULT18X18D/);
      const bin = await buildUartSim(d, { cacheDir }, net);
      const link = new UartSimLink(bin.exe, d.clocksPerBit, d.clocksPerBit, 2_000_000_000);
      const client = new BoardClient(link, { timeoutMs: 60_000 });
      try {
        expect(await client.ping()).toBe(1);
        const words = Array.from({ length: 64 }, rng(5));
        await client.writeWords(0x2000_0000 + 128, words);
        expect(Array.from(await client.readWords(0x2000_0000 + 128, 64))).toEqual(words);
        await gemmOverUart(client, rows, cols, 29, 3);
      } finally {
        await client.close();
      }
    });
  }
});
