import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeForSimulation } from '../fpga/netlist.js';
import { dp16kdModel } from '../fpga/rtl/dp16kd-model.js';
import { runCommand } from '../fpga/run.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, toolSpec } from '../fpga/tools.js';
import { printModule } from '../src/hdl-gen/ir/print.js';
import { ram, ramAddrBits, type RamShape } from '../src/hdl-gen/blocks/ram.js';
import { Library } from '../src/hdl-gen/library.js';
import { requireTools } from './require-tools.js';

/**
 * The DP16KD behavioural model (fpga/rtl/dp16kd-model.ts) against the chip's own RAM RTL: the RAM
 * shapes are synthesized with synth_ecp5 (block RAM mapped), the netlist is simulated with the model
 * next to the RTL on the same random writes (lane masks included) and reads, and every read word
 * must agree. The shapes make yosys use every DP16KD mode it emits: ×36 with byte enables
 * (pseudo-dual-port), ×18 with byte enables, ×9/×4/×2/×1, and several blocks side by side and
 * stacked in depth (the ecp5-25f chip's shapes).
 */

const SHAPES: readonly RamShape[] = [
  { depth: 512, lanes: 4, laneBits: 8 }, // 1 × DP16KD x36, 4 byte enables
  { depth: 1024, lanes: 2, laneBits: 8 }, // x18, 2 byte enables
  { depth: 2048, lanes: 1, laneBits: 8 }, // x9
  { depth: 4096, lanes: 1, laneBits: 4 }, // x4
  { depth: 8192, lanes: 1, laneBits: 2 }, // x2
  { depth: 16384, lanes: 2, laneBits: 1 }, // x1 (two blocks: one bit lane each)
  { depth: 2048, lanes: 4, laneBits: 8 }, // chip shapes: several blocks per RAM
  { depth: 1024, lanes: 2, laneBits: 32 },
  { depth: 4096, lanes: 1, laneBits: 8 },
];
const CYCLES = 3000;

function shapeWidth(s: RamShape): number {
  return s.lanes * s.laneBits;
}

/** A wrapper holding every shape; each RAM takes the low bits of the shared buses. */
function wrapper(name: string, shapes: readonly RamShape[], modules: readonly string[]): string {
  const maxW = Math.max(...shapes.map(shapeWidth));
  const maxL = Math.max(...shapes.map((s) => s.lanes));
  const outW = shapes.reduce((a, s) => a + shapeWidth(s), 0);
  let lo = 0;
  const inst = shapes.map((s, i) => {
    const w = shapeWidth(s);
    const aw = ramAddrBits(s.depth);
    const r = `  ${modules[i]} u${i} (.clk(clk), .we(we[${i}]), .waddr(waddr[${aw - 1}:0]), .wdata(wdata[${w - 1}:0]), .wmask(wmask[${s.lanes - 1}:0]), .raddr(raddr[${aw - 1}:0]), .rdata(rdata[${lo + w - 1}:${lo}]));`;
    lo += w;
    return r;
  });
  return [
    '`default_nettype none',
    `module ${name} (input wire clk, input wire [${shapes.length - 1}:0] we, input wire [13:0] waddr, input wire [${maxW - 1}:0] wdata,`,
    `  input wire [${maxL - 1}:0] wmask, input wire [13:0] raddr, output wire [${outW - 1}:0] rdata);`,
    ...inst,
    'endmodule',
    '`default_nettype wire',
    '',
  ].join('\n');
}

function testbench(shapes: readonly RamShape[]): string {
  const maxW = Math.max(...shapes.map(shapeWidth));
  const maxL = Math.max(...shapes.map((s) => s.lanes));
  const outW = shapes.reduce((a, s) => a + shapeWidth(s), 0);
  const n = shapes.length;
  // 64 addresses: 4 bases and each base with one address bit flipped (bit 0 … 13), so every RAM sees
  // words that differ in exactly one address bit (a mode that drops or swaps an address bit aliases
  // them) spread over its whole depth. A RAM whose write and read address coincide in a cycle does
  // not write (the RAMs are no_rw_check).
  const bases = [0x0000, 0x2e5b, 0x15a4, 0x3c3c];
  const table = bases.flatMap((b) => [b, ...Array.from({ length: 14 }, (_, k) => b ^ (1 << k)), b ^ 0x3fff]);
  const cases = table.map((a, i) => `      6'd${i}: addr = 14'h${a.toString(16)};`).join('\n');
  const gate = shapes.map((s, i) => `we[${i}] = we[${i}] & (waddr[${ramAddrBits(s.depth) - 1}:0] != raddr[${ramAddrBits(s.depth) - 1}:0]);`).join(' ');
  return `
module tb;
  reg clk = 0;
  reg [${n - 1}:0] we; reg [13:0] waddr, raddr; reg [${maxW - 1}:0] wdata; reg [${maxL - 1}:0] wmask;
  wire [${outW - 1}:0] r_rtl, r_net;
  t_rams rtl (.clk(clk), .we(we), .waddr(waddr), .wdata(wdata), .wmask(wmask), .raddr(raddr), .rdata(r_rtl));
  t_rams_net net (.clk(clk), .we(we), .waddr(waddr), .wdata(wdata), .wmask(wmask), .raddr(raddr), .rdata(r_net));
  integer seed = 1, c, k, bad = 0, checked = 0;
  reg [5:0] wi, ri;
  task step; begin #1 clk = 1; #1 clk = 0; end endtask
  function [13:0] addr(input [5:0] i);
    case (i)
${cases}
    endcase
  endfunction
  initial begin
    // Fill the 64 addresses of every RAM, then random lane writes and reads.
    for (c = 0; c < 64; c = c + 1) begin
      we = {${n}{1'b1}}; wmask = {${maxL}{1'b1}}; waddr = addr(c); raddr = addr(c + 1);
      for (k = 0; k < ${maxW}; k = k + 32) wdata[k +: 32] = $random(seed);
      step;
    end
    for (c = 0; c < ${CYCLES}; c = c + 1) begin
      wi = $random(seed); ri = $random(seed);
      we = $random(seed); wmask = $random(seed); waddr = addr(wi); raddr = addr(ri);
      ${gate}
      for (k = 0; k < ${maxW}; k = k + 32) wdata[k +: 32] = $random(seed);
      // rdata is sampled with the next address already applied: a read that is not registered
      // (data in the cycle of its address) shows up as a mismatch.
      #1;
      if (c > 0) begin
        checked = checked + 1;
        if (r_rtl !== r_net) begin
          bad = bad + 1;
          if (bad <= 5) $display("MISMATCH cycle %0d raddr %h rtl %h net %h", c, raddr, r_rtl, r_net);
        end
      end
      step;
    end
    $display("CHECKED %0d MISMATCHES %0d", checked, bad);
    $finish;
  end
endmodule
`;
}

describe('DP16KD behavioural model against the RAM RTL (yosys synth_ecp5 + iverilog)', () => {
  beforeAll(() => requireTools(['yosys', 'iverilog', 'verilator']));

  it('lints clean in Verilator (-Wall, waivers in the text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agdp16-lint-'));
    writeFileSync(join(dir, 'DP16KD.v'), dp16kdModel().text);
    const v = locateTool(toolSpec('verilator'));
    const r = await runCommand({ argv: [v.path, '--lint-only', '-Wall', 'DP16KD.v'], cwd: dir });
    expect(r.code, r.output).toBe(0);
  });

  it('stops the simulation on a mode it does not model (REGMODE OUTREG, x36 read without x36 write, a pin mux)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agdp16-bad-'));
    writeFileSync(join(dir, 'DP16KD.v'), dp16kdModel().text);
    const iv = locateTool(toolSpec('iverilog'));
    for (const [params, msg] of [
      ['.REGMODE_B("OUTREG")', 'only REGMODE NOREG'],
      ['.DATA_WIDTH_A(18), .DATA_WIDTH_B(36)', 'x36 reads need the x36 write side'],
      ['.DATA_WIDTH_B(8)', 'DATA_WIDTH_A/B must be'],
      ['.WEAMUX("1")', 'WEAMUX: only the pin itself'],
    ] as const) {
      writeFileSync(join(dir, 'tb.v'), `module tb; DP16KD #(${params}) u (); initial #1 $display("RAN ON"); endmodule\n`);
      const c = await runCommand({ argv: [iv.path, '-g2012', '-o', 'tb.vvp', '-s', 'tb', 'tb.v', 'DP16KD.v'], cwd: dir });
      expect(c.code, c.output).toBe(0);
      const r = await runCommand({ argv: ['vvp', '-n', 'tb.vvp'], cwd: dir });
      expect(r.output, params).toContain(msg);
      expect(r.output, params).not.toContain('RAN ON');
    }
  });

  it('every mode yosys maps to (x36/x18 with byte enables, x9..x1, stacked and side by side) reads what the RTL reads', async () => {
    const lib = new Library();
    const mods = SHAPES.map((s) => ram(lib, s));
    const rtl = [...new Map(mods.map((m) => [m.name, { name: `${m.name}.v`, text: printModule(m, []) }])).values()];
    const names = mods.map((m) => m.name);
    const files = [...rtl, { name: 't_rams.v', text: wrapper('t_rams', SHAPES, names) }];
    const work = mkdtempSync(join(tmpdir(), 'agdp16-'));
    const net = await synthesizeForSimulation({ target: getTarget('ecp5-25f'), files, top: 't_rams' }, join(work, 'net'));
    const netText = net.files[0]!.text;
    // yosys used block RAM in the modes this test is about.
    const widths = new Set([...netText.matchAll(/\.DATA_WIDTH_A\((?:32'sd|32'd)?(\d+)\)/g)].map((m) => Number(m[1])));
    expect([...widths].sort((a, b) => a - b)).toEqual([1, 2, 4, 9, 18, 36]);
    expect(netText).not.toMatch(/TRELLIS_DPR16X4|\$mem/);
    expect(net.files.map((f) => f.name)).toContain('DP16KD.v');
    for (const f of [...files, ...net.files.slice(1)]) writeFileSync(join(work, f.name), f.text);
    writeFileSync(join(work, 'netlist_sim.v'), netText.replace(/^module t_rams\b/m, 'module t_rams_net'));
    writeFileSync(join(work, 'tb.v'), testbench(SHAPES));
    const iv = locateTool(toolSpec('iverilog'));
    const srcs = [...files.map((f) => f.name), ...net.files.map((f) => f.name), 'tb.v'];
    const c = await runCommand({ argv: [iv.path, '-g2012', '-o', 'tb.vvp', '-s', 'tb', ...srcs], cwd: work });
    expect(c.code, c.output).toBe(0);
    const r = await runCommand({ argv: ['vvp', '-n', 'tb.vvp'], cwd: work });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`CHECKED ${CYCLES - 1} MISMATCHES 0`);
  }, 300_000);
});
