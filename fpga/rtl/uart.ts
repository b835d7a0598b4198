import { verilogFile, type VerilogFile } from './types.js';

/**
 * 8N1 UART receiver and transmitter with the bit time as a parameter (CLKS_PER_BIT clock cycles),
 * so one generated file serves every clock/baud pair (uart-protocol.ts `uartDivisor` picks it).
 */

export function uartRx(): VerilogFile {
  return verilogFile('agb_uart_rx', '8N1 UART receiver, samples mid-bit', `
module agb_uart_rx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst,
  input  wire       rx,
  output reg        valid,     // one-cycle pulse: data holds a byte
  output reg  [7:0] data,
  output reg        frame_err  // one-cycle pulse: stop bit was 0 (byte dropped)
);
  localparam integer CW = $clog2(CLKS_PER_BIT + 1);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam integer HALF_I = CLKS_PER_BIT / 2 - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];
  localparam [CW-1:0] HALF = HALF_I[CW-1:0];
  localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_DATA = 2'd2, S_STOP = 2'd3;

  // Two flops bring the asynchronous pin into this clock domain (metastability);
  // both start at 1, the idle level of the line.
  reg rx_m = 1'b1;
  reg rx_s = 1'b1;
  always @(posedge clk) begin
    rx_m <= rx;
    rx_s <= rx_m;
  end

  reg [1:0]    state;
  reg [CW-1:0] cnt;
  reg [2:0]    bit_idx;
  reg [7:0]    shift;

  always @(posedge clk) begin
    valid     <= 1'b0;
    frame_err <= 1'b0;
    if (rst) begin
      state   <= S_IDLE;
      cnt     <= {CW{1'b0}};
      bit_idx <= 3'd0;
      shift   <= 8'd0;
      data    <= 8'd0;
    end else begin
      case (state)
        S_IDLE: if (!rx_s) begin
          state <= S_START;
          cnt   <= HALF;
        end
        // Half a bit after the falling edge: still low means a real start bit, not a glitch.
        S_START: if (cnt != 0) cnt <= cnt - 1'b1;
          else if (rx_s) state <= S_IDLE;
          else begin
            state   <= S_DATA;
            cnt     <= FULL;
            bit_idx <= 3'd0;
          end
        S_DATA: if (cnt != 0) cnt <= cnt - 1'b1;
          else begin
            shift <= {rx_s, shift[7:1]};   // LSB first
            cnt   <= FULL;
            if (bit_idx == 3'd7) state <= S_STOP;
            bit_idx <= bit_idx + 1'b1;
          end
        // Back to idle right at mid stop bit, so the next start edge is seen even if the sender is fast.
        S_STOP: if (cnt != 0) cnt <= cnt - 1'b1;
          else begin
            state <= S_IDLE;
            if (rx_s) begin
              valid <= 1'b1;
              data  <= shift;
            end else begin
              frame_err <= 1'b1;
            end
          end
      endcase
    end
  end
endmodule
`);
}

export function uartTx(): VerilogFile {
  return verilogFile('agb_uart_tx', '8N1 UART transmitter', `
module agb_uart_tx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst,
  input  wire       start,   // take data when ready
  input  wire [7:0] data,
  output wire       ready,   // idle: a start pulse is accepted
  output reg        tx
);
  localparam integer CW = $clog2(CLKS_PER_BIT + 1);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];

  reg [8:0]    shift;   // data bits then the stop bit; the start bit goes out first
  reg [3:0]    left;    // bits still to send (start + 8 data + stop = 10)
  reg [CW-1:0] cnt;

  assign ready = (left == 4'd0);

  always @(posedge clk) begin
    if (rst) begin
      tx    <= 1'b1;
      left  <= 4'd0;
      cnt   <= {CW{1'b0}};
      shift <= 9'h1ff;
    end else if (left == 4'd0) begin
      if (start) begin
        tx    <= 1'b0;                // start bit
        shift <= {1'b1, data};
        left  <= 4'd10;
        cnt   <= FULL;
      end
    end else if (cnt != 0) begin
      cnt <= cnt - 1'b1;
    end else begin
      left <= left - 1'b1;
      cnt  <= FULL;
      if (left != 4'd1) begin
        tx    <= shift[0];
        shift <= {1'b1, shift[8:1]};
      end
    end
  end
endmodule
`);
}
