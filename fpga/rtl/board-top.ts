import type { BoardRecord } from '../boards/index.js';
import { boardPorts, type BoardPort } from '../board-ports.js';
import { pllVerilog, type PllPlan } from '../pll.js';
import { verilogFile, type VerilogFile } from './types.js';

/**
 * The board top: board pins → PLL → reset (power-on, PLL lock, button) → UART → bridge → the chip's
 * host bus, plus status LEDs and board-required pin ties. The chip is any module with `ag_top`'s
 * ports (the real chip from src/hdl-gen, or the demo core while that is not there).
 */
export interface BoardTopOptions {
  readonly board: BoardRecord;
  readonly pll: PllPlan;
  /** Clocks per UART bit at the PLL output frequency (uart-protocol.ts `uartDivisor`). */
  readonly clocksPerBit: number;
  /** Bridge IDLE_GAP in cycles (see bridge.ts). */
  readonly idleGapCycles: number;
  /** Module name of the chip, with the ag_top port list. */
  readonly coreModule: string;
  /** Clock frequency after the PLL, Hz (sizes the LED blink counter). */
  readonly clockHz: number;
}

/** Default bridge idle gap: 20 ms of clock, and never under 32 byte times (320 bit times). */
export function defaultIdleGap(clockHz: number, clocksPerBit: number): number {
  return Math.max(Math.round(clockHz * 0.02), 320 * clocksPerBit);
}

function portDecl(p: BoardPort): string {
  return `  ${p.dir === 'input' ? 'input  wire' : 'output wire'} ${p.name}`;
}

/** `assign pin = level` with the board's LED polarity applied. */
function drive(p: BoardPort | undefined, signal: string): string[] {
  if (!p) return [];
  return [`  assign ${p.name} = ${p.pin.activeLow ? '~' : ''}${signal};${p.pin.activeLow ? ' // active low' : ''}`];
}

export function resetSync(): VerilogFile {
  return verilogFile('agb_reset', 'power-on / PLL-lock / button reset, synchronous release', `
module agb_reset #(
  parameter integer HOLD = 15   // cycles rst stays high after the last request
) (
  input  wire clk,
  input  wire pll_locked,   // asynchronous
  input  wire button,       // asynchronous, active high
  output reg  rst
);
  // FPGA flops start at 0 after configuration; count up once to make a power-on reset.
  reg [3:0] por = 4'd0;
  wire      por_done = &por;
  always @(posedge clk) if (!por_done) por <= por + 1'b1;

  // Two-flop synchronizers for the asynchronous inputs.
  reg [1:0] lock_s = 2'b00;
  reg [1:0] btn_s  = 2'b00;
  always @(posedge clk) begin
    lock_s <= {lock_s[0], pll_locked};
    btn_s  <= {btn_s[0], button};
  end

  wire req = !por_done || !lock_s[1] || btn_s[1];
  localparam integer HW = $clog2(HOLD + 1);
  localparam [HW-1:0] HOLD_V = HOLD[HW-1:0];
  reg [HW-1:0] hold = {HW{1'b0}};
  initial rst = 1'b1;
  always @(posedge clk) begin
    if (req) begin
      hold <= {HW{1'b0}};
      rst  <= 1'b1;
    end else if (hold != HOLD_V) begin
      hold <= hold + 1'b1;
    end else begin
      rst <= 1'b0;
    end
  end
endmodule
`);
}

export function boardTop(o: BoardTopOptions): VerilogFile {
  const ports = boardPorts(o.board);
  const byRole = (r: BoardPort['role']): BoardPort | undefined => ports.find((p) => p.role === r);
  const reset = byRole('reset');
  // ~1 Hz blink: the counter's top bit toggles every 2^(n-1) cycles.
  const blinkBits = Math.max(2, Math.round(Math.log2(o.clockHz)));
  const lines: string[] = [
    `// Board: ${o.board.title}.`,
    `module agb_top (`,
    ports.map(portDecl).join(',\n'),
    `);`,
    `  wire clk;`,
    `  wire pll_locked;`,
    ...pllVerilog(o.pll, 'clk_in', 'clk', 'pll_locked'),
    '',
    `  wire rst;`,
    `  agb_reset u_reset (`,
    `    .clk(clk),`,
    `    .pll_locked(pll_locked),`,
    `    .button(${reset ? (reset.pin.activeLow ? '~rst_btn' : 'rst_btn') : "1'b0"}),`,
    `    .rst(rst)`,
    `  );`,
    '',
    `  wire       rx_valid;`,
    `  wire [7:0] rx_data;`,
    `  wire       tx_start;`,
    `  wire [7:0] tx_data;`,
    `  wire       tx_ready;`,
    `  // A framing error only drops the byte; the frame's CRC or the idle gap then catch it.`,
    `  wire       rx_frame_err;`,
    `  agb_uart_rx #(.CLKS_PER_BIT(${o.clocksPerBit})) u_rx (`,
    `    .clk(clk), .rst(rst), .rx(uart_rx), .valid(rx_valid), .data(rx_data), .frame_err(rx_frame_err)`,
    `  );`,
    `  agb_uart_tx #(.CLKS_PER_BIT(${o.clocksPerBit})) u_tx (`,
    `    .clk(clk), .rst(rst), .start(tx_start), .data(tx_data), .ready(tx_ready), .tx(uart_tx)`,
    `  );`,
    '',
    `  wire        host_en;`,
    `  wire        host_we;`,
    `  wire [31:0] host_addr;`,
    `  wire [31:0] host_wdata;`,
    `  wire [31:0] host_rdata;`,
    `  wire chip_running, chip_halted, chip_error, link_error;`,
    `  agb_bridge #(.IDLE_GAP(${o.idleGapCycles})) u_bridge (`,
    `    .clk(clk), .rst(rst),`,
    `    .rx_valid(rx_valid), .rx_data(rx_data), .rx_err(rx_frame_err),`,
    `    .tx_start(tx_start), .tx_data(tx_data), .tx_ready(tx_ready),`,
    `    .host_en(host_en), .host_we(host_we), .host_addr(host_addr), .host_wdata(host_wdata), .host_rdata(host_rdata),`,
    `    .chip_running(chip_running), .chip_halted(chip_halted), .chip_error(chip_error), .link_error(link_error)`,
    `  );`,
    '',
    `  // The dbg_* outputs feed the Verilator lockstep bench, not the board.`,
    `  /* verilator lint_off PINCONNECTEMPTY */`,
    `  ${o.coreModule} u_chip (`,
    `    .clk(clk),`,
    `    .rst(rst),`,
    `    .host_en(host_en),`,
    `    .host_we(host_we),`,
    `    .host_addr(host_addr),`,
    `    .host_wdata(host_wdata),`,
    `    .host_rdata(host_rdata),`,
    `    .dbg_pc(),`,
    `    .dbg_pc_valid(),`,
    `    .dbg_issue(),`,
    `    .dbg_busy(),`,
    `    .dbg_state()`,
    `  );`,
    `  /* verilator lint_on PINCONNECTEMPTY */`,
    '',
    `  reg [${blinkBits - 1}:0] blink = 0;`,
    `  always @(posedge clk) blink <= blink + 1'b1;`,
    ...drive(byRole('led_busy'), 'chip_running'),
    ...drive(byRole('led_halted'), 'chip_halted'),
    ...drive(byRole('led_error'), '(chip_error | link_error)'),
    ...drive(byRole('led_alive'), `blink[${blinkBits - 1}]`),
    ...ports.filter((p) => p.role === 'tie').map((p) => `  assign ${p.name} = 1'b${p.value}; // ${p.why}`),
    `endmodule`,
  ];
  return verilogFile('agb_top', `board top for ${o.board.name} (chip: ${o.coreModule})`, lines.join('\n'));
}
