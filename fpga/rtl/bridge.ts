import { CMD, PING_WORD, REQ_SYNC, RSP_SYNC, STATUS, STATUS_WORDS } from '../uart-protocol.js';
import { verilogFile, type VerilogFile } from './types.js';

/**
 * The UART host bridge: parses request frames (uart-protocol.ts, docs/fpga.md) from the UART
 * receiver and masters the chip's host bus (docs/microarch.md §9: one-cycle writes, read data one
 * cycle after the request). Protocol constants are spliced in from uart-protocol.ts, so the host
 * client and the RTL cannot disagree.
 *
 * Also polls CSR STATUS while idle, for the board LEDs (busy/halted/error).
 */

const h8 = (v: number): string => `8'h${v.toString(16).padStart(2, '0')}`;

export function hostBridge(): VerilogFile {
  return verilogFile('agb_bridge', 'UART frame protocol → host bus master', `
module agb_bridge #(
  // Cycles without a received byte after which a partial frame is dropped and, after an error
  // response, the bridge listens again (the host waits this long before retrying).
  parameter integer IDLE_GAP = 240000,
  // Cycles between two STATUS polls for the LEDs while idle.
  parameter integer POLL_CYCLES = 256
) (
  input  wire        clk,
  input  wire        rst,
  // UART side
  input  wire        rx_valid,
  input  wire [7:0]  rx_data,
  input  wire        rx_err,       // framing error on the line (a byte was lost)
  output reg         tx_start,
  output reg  [7:0]  tx_data,
  input  wire        tx_ready,
  // host bus master (docs/microarch.md §9)
  output reg         host_en,
  output reg         host_we,
  output reg  [31:0] host_addr,
  output reg  [31:0] host_wdata,
  input  wire [31:0] host_rdata,
  // status for LEDs
  output reg         chip_running,
  output reg         chip_halted,
  output reg         chip_error,
  output reg         link_error   // last frame was bad (CRC, command, timeout); cleared by a good one
);
  localparam [7:0] REQ_SYNC = ${h8(REQ_SYNC)}, RSP_SYNC = ${h8(RSP_SYNC)};
  localparam [7:0] C_PING = ${h8(CMD.PING)}, C_WRITE = ${h8(CMD.WRITE)}, C_READ = ${h8(CMD.READ)}, C_START = ${h8(CMD.START)}, C_STATUS = ${h8(CMD.STATUS)};
  localparam [7:0] ST_OK = ${h8(STATUS.OK)}, ST_HCRC = ${h8(STATUS.HEADER_CRC)}, ST_DCRC = ${h8(STATUS.DATA_CRC)}, ST_BADCMD = ${h8(STATUS.BAD_CMD)}, ST_BADCNT = ${h8(STATUS.BAD_COUNT)};
  localparam [31:0] PING_WORD = 32'h${(PING_WORD >>> 0).toString(16).padStart(8, '0')};

  // Receive states
  localparam [2:0] R_IDLE = 3'd0, R_HDR = 3'd1, R_WDATA = 3'd2, R_WCRC = 3'd3, R_RESP = 3'd4, R_DISCARD = 3'd5;
  // Response (transmit) phases
  localparam [3:0] T_SYNC = 4'd0, T_CMD = 4'd1, T_STATUS = 4'd2, T_RDREQ = 4'd3, T_RDBUS = 4'd4, T_RDDATA = 4'd5, T_RDWAIT = 4'd6, T_BYTES = 4'd7, T_CRC = 4'd8, T_DONE = 4'd9, T_RDREG = 4'd10;

  localparam integer GW = $clog2(IDLE_GAP + 1);
  localparam integer PW = $clog2(POLL_CYCLES + 1);

  // CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), MSB first: same as uart-protocol.ts crc8().
  function [7:0] crc8;
    input [7:0] c;
    input [7:0] d;
    integer i;
    reg [7:0] x;
    begin
      x = c ^ d;
      for (i = 0; i < 8; i = i + 1) x = x[7] ? ((x << 1) ^ 8'h07) : (x << 1);
      crc8 = x;
    end
  endfunction

  reg [2:0]  rstate;
  reg [3:0]  tphase;
  reg [2:0]  hidx;        // header byte index 0..7 (cmd, addr×4, count×2, hcrc)
  reg [7:0]  cmd;
  reg [31:0] addr;
  reg [15:0] count;       // words left
  reg [7:0]  crc;
  reg [1:0]  bidx;        // byte within a data word
  reg [31:0] word;        // data word being assembled (write) or sent (read)
  reg [7:0]  status;
  reg        payload;     // the response carries data words
  reg        rd_const;    // payload word comes from PING_WORD, not the bus
  reg        err_resp;    // after responding, discard input until the line is idle

  // Idle-gap timer: restarts on every received byte.
  reg [GW-1:0] gap;
  wire line_idle = (gap == IDLE_GAP[GW-1:0]);
  always @(posedge clk) begin
    if (rst || rx_valid) gap <= {GW{1'b0}};
    else if (!line_idle) gap <= gap + 1'b1;
  end

  // LED status poll: read CSR 1 (STATUS) every POLL_CYCLES while no frame is in progress.
  reg [PW-1:0] poll_cnt;
  reg [3:0]    poll_wait;   // request in the chip's input register, seen by the chip, data on host_rdata, data in rd_q

  // host_rdata goes straight into a register with nothing in front: on ECP5 the chip's block-RAM
  // output alone takes ~5.6 ns, so any logic here would set the design's fmax.
  reg [31:0] rd_q;
  always @(posedge clk) rd_q <= host_rdata;
  wire         poll_now = (rstate == R_IDLE) && !rx_valid && (poll_cnt == 0);

  always @(posedge clk) begin
    host_en  <= 1'b0;
    host_we  <= 1'b0;
    tx_start <= 1'b0;
    if (rst) begin
      rstate       <= R_IDLE;
      tphase       <= T_SYNC;
      hidx         <= 3'd0;
      cmd          <= 8'd0;
      addr         <= 32'd0;
      count        <= 16'd0;
      crc          <= 8'd0;
      bidx         <= 2'd0;
      word         <= 32'd0;
      status       <= ST_OK;
      payload      <= 1'b0;
      rd_const     <= 1'b0;
      err_resp     <= 1'b0;
      host_addr    <= 32'd0;
      host_wdata   <= 32'd0;
      tx_data      <= 8'd0;
      poll_cnt     <= POLL_CYCLES[PW-1:0];
      poll_wait    <= 4'b0000;
      chip_running <= 1'b0;
      chip_halted  <= 1'b0;
      chip_error   <= 1'b0;
      link_error   <= 1'b0;
    end else begin
      if (rx_err) link_error <= 1'b1;
      // ---- LED poll ----
      poll_wait <= {poll_wait[2:0], 1'b0};
      if (poll_wait[3]) begin
        chip_running <= rd_q[0];
        chip_halted  <= rd_q[1];
        chip_error   <= |rd_q[15:8];
      end
      if (rstate != R_IDLE) poll_cnt <= POLL_CYCLES[PW-1:0];
      else if (poll_now) begin
        host_en   <= 1'b1;
        host_addr <= 32'd1;
        poll_wait <= 4'b0001;
        poll_cnt  <= POLL_CYCLES[PW-1:0];
      end else if (poll_cnt != 0) poll_cnt <= poll_cnt - 1'b1;

      case (rstate)
        // ---- hunt for the sync byte ----
        R_IDLE: if (rx_valid && rx_data == REQ_SYNC) begin
          rstate <= R_HDR;
          hidx   <= 3'd0;
          crc    <= 8'd0;
        end

        // ---- header: cmd, addr (LE), count (LE), hcrc ----
        R_HDR: if (rx_valid) begin
          hidx <= hidx + 1'b1;
          if (hidx != 3'd7) crc <= crc8(crc, rx_data);
          case (hidx)
            3'd0: cmd <= rx_data;
            3'd1: addr[7:0] <= rx_data;
            3'd2: addr[15:8] <= rx_data;
            3'd3: addr[23:16] <= rx_data;
            3'd4: addr[31:24] <= rx_data;
            3'd5: count[7:0] <= rx_data;
            3'd6: count[15:8] <= rx_data;
            default: begin
              // hcrc: check, then dispatch. Nothing reaches the bus before the header checks out.
              rstate   <= R_RESP;
              tphase   <= T_SYNC;
              payload  <= 1'b0;
              rd_const <= 1'b0;
              err_resp <= 1'b1;
              status   <= ST_OK;
              if (rx_data != crc) status <= ST_HCRC;
              else if (cmd == C_PING) begin
                err_resp <= 1'b0;
                payload  <= 1'b1;
                rd_const <= 1'b1;
                count    <= 16'd1;
              end else if (cmd == C_START) begin
                err_resp   <= 1'b0;
                host_en    <= 1'b1;
                host_we    <= 1'b1;
                host_addr  <= 32'd0;        // CSR CTRL
                host_wdata <= 32'd1;        // bit 0 = start
              end else if (cmd == C_STATUS) begin
                err_resp <= 1'b0;
                payload  <= 1'b1;
                addr     <= 32'd0;
                count    <= 16'd${STATUS_WORDS};
              end else if (cmd == C_READ || cmd == C_WRITE) begin
                if (count == 16'd0) status <= ST_BADCNT;
                else if (cmd == C_READ) begin
                  err_resp <= 1'b0;
                  payload  <= 1'b1;
                end else begin
                  // WRITE: take the data first, respond after its CRC.
                  err_resp <= 1'b0;
                  rstate   <= R_WDATA;
                  bidx     <= 2'd0;
                  crc      <= 8'd0;
                end
              end else status <= ST_BADCMD;
            end
          endcase
        end else if (line_idle) begin
          rstate     <= R_IDLE;          // the host stopped mid-frame: drop it
          link_error <= 1'b1;
        end

        // ---- write data: each complete little-endian word goes to the bus at once ----
        R_WDATA: if (rx_valid) begin
          crc  <= crc8(crc, rx_data);
          word <= {rx_data, word[31:8]};
          bidx <= bidx + 1'b1;
          if (bidx == 2'd3) begin
            host_en    <= 1'b1;
            host_we    <= 1'b1;
            host_addr  <= addr;
            host_wdata <= {rx_data, word[31:8]};
            addr       <= addr + 1'b1;
            count      <= count - 1'b1;
            if (count == 16'd1) rstate <= R_WCRC;
          end
        end else if (line_idle) begin
          rstate     <= R_IDLE;
          link_error <= 1'b1;
        end

        R_WCRC: if (rx_valid) begin
          rstate <= R_RESP;
          tphase <= T_SYNC;
          status <= (rx_data == crc) ? ST_OK : ST_DCRC;
        end else if (line_idle) begin
          rstate     <= R_IDLE;
          link_error <= 1'b1;
        end

        // ---- response: sync, cmd, status, [payload words], crc ----
        R_RESP: begin
          case (tphase)
            T_SYNC: if (tx_ready && !tx_start) begin
              tx_start <= 1'b1;
              tx_data  <= RSP_SYNC;
              tphase   <= T_CMD;
              crc      <= 8'd0;
            end
            T_CMD: if (tx_ready && !tx_start) begin
              tx_start <= 1'b1;
              tx_data  <= cmd;
              crc      <= crc8(8'd0, cmd);
              tphase   <= T_STATUS;
            end
            T_STATUS: if (tx_ready && !tx_start) begin
              tx_start <= 1'b1;
              tx_data  <= status;
              crc      <= crc8(crc, status);
              tphase   <= (payload && status == ST_OK) ? T_RDREQ : T_CRC;
            end
            T_RDREQ: begin
              if (rd_const) begin
                word   <= PING_WORD;
                tphase <= T_BYTES;
              end else begin
                host_en   <= 1'b1;
                host_addr <= addr;
                tphase    <= T_RDBUS;
              end
              bidx <= 2'd0;
            end
            // host_en is a register, and the chip registers its bus input: the request is in the
            // chip's input register after this cycle,
            T_RDBUS: tphase <= T_RDREG;
            // the chip sees it in this one,
            T_RDREG: tphase <= T_RDDATA;
            // host_rdata is valid in the next one,
            T_RDDATA: tphase <= T_RDWAIT;
            // and rd_q holds it in the one after.
            T_RDWAIT: begin
              word   <= rd_q;
              tphase <= T_BYTES;
            end
            T_BYTES: if (tx_ready && !tx_start) begin
              tx_start <= 1'b1;
              tx_data  <= word[7:0];
              crc      <= crc8(crc, word[7:0]);
              word     <= {8'd0, word[31:8]};
              bidx     <= bidx + 1'b1;
              if (bidx == 2'd3) begin
                addr  <= addr + 1'b1;
                count <= count - 1'b1;
                tphase <= (count == 16'd1) ? T_CRC : T_RDREQ;
              end
            end
            T_CRC: if (tx_ready && !tx_start) begin
              tx_start <= 1'b1;
              tx_data  <= crc;
              tphase   <= T_DONE;
            end
            default: if (tx_ready && !tx_start) begin
              link_error <= (status != ST_OK);
              rstate     <= err_resp ? R_DISCARD : R_IDLE;
            end
          endcase
        end

        // ---- after a bad header: ignore the rest of the frame until the line goes quiet ----
        default: if (line_idle) rstate <= R_IDLE;
      endcase
    end
  end
endmodule
`);
}
