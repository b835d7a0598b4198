import { FpgaError } from '../errors.js';
import { verilogFile, type VerilogFile } from './types.js';

/**
 * A stand-in chip with `ag_top`'s exact ports and host-bus map (docs/microarch.md §9), used to
 * prove the board flow (bridge, PLL, constraints, P&R, bitstream) while the real chip RTL is not
 * there, and as a board smoke test afterwards (`accelgen fpga --design demo`).
 *
 * It computes an R×C outer-product GEMM, acc[i][j] = Σ_k L[k][i]·T[k][j] (int8 × int8 → int32),
 * on a small output-stationary systolic array (skewed edges, operands hop one PE a step, like the
 * chip), one step every two cycles:
 *   main word 2k   : L[k][0..R-1] in bytes 0..R-1
 *   main word 2k+1 : T[k][0..C-1] in bytes 0..C-1
 *   CSR 15 (demo)  : K, the number of steps; CTRL bit 0 starts; acc region word i·C+j = acc[i][j].
 * Counters follow the chip: CYCLES, MACS (R·C per step); the others read 0. 2K > main words halts
 * with error 2 (address out of range), like the chip's fault.
 * The multiplier inputs and the product are registered so synth_ice40 -dsp / synth_ecp5 map each
 * MAC onto one SB_MAC16 / MULT18X18D (nextpnr does not time inside SB_MAC16: DESIGN.md §5).
 */
export interface DemoCoreOptions {
  readonly rows: number;
  readonly cols: number;
  /** Main memory words (power of two, ≥ 16). */
  readonly mainWords: number;
}

export const DEMO_K_CSR = 15;
export const DEMO_ERR_RANGE = 2;

export function demoCore(o: DemoCoreOptions): VerilogFile {
  const { rows: R, cols: C, mainWords: M } = o;
  if (!(R >= 1 && R <= 4 && C >= 1 && C <= 4)) throw new FpgaError('output', `demo core supports 1..4 rows and columns, not ${R}×${C}`);
  if (!(M >= 16 && (M & (M - 1)) === 0)) throw new FpgaError('output', `demo main memory must be a power of two ≥ 16 words, not ${M}`);
  const AW = Math.log2(M);
  const W = Math.max(R, C);
  const info = R | (C << 8) | (W << 16);
  // Edges: row i's L byte waits i steps, column j's T byte j steps (the usual skew), so the
  // operands of step k meet in PE(i,j) after i + j hops.
  const edges: string[] = [];
  const rowIn = (i: number): string => (i === 0 ? 'l_in_0' : `lsk_${i}_${i - 1}`);
  const colIn = (j: number): string => (j === 0 ? 't_in_0' : `tsk_${j}_${j - 1}`);
  for (let i = 0; i < R; i++) {
    edges.push(`  wire signed [7:0] l_in_${i} = l_live ? l_word[${8 * i + 7}:${8 * i}] : 8'sd0;`);
    for (let m = 0; m < i; m++) edges.push(`  reg signed [7:0] lsk_${i}_${m};`);
  }
  for (let j = 0; j < C; j++) {
    edges.push(`  wire signed [7:0] t_in_${j} = t_live ? t_word[${8 * j + 7}:${8 * j}] : 8'sd0;`);
    for (let m = 0; m < j; m++) edges.push(`  reg signed [7:0] tsk_${j}_${m};`);
  }
  const skew: string[] = [];
  for (let i = 1; i < R; i++) for (let m = 0; m < i; m++) skew.push(`      lsk_${i}_${m} <= ${m === 0 ? `l_in_${i}` : `lsk_${i}_${m - 1}`};`);
  for (let j = 1; j < C; j++) for (let m = 0; m < j; m++) skew.push(`      tsk_${j}_${m} <= ${m === 0 ? `t_in_${j}` : `tsk_${j}_${m - 1}`};`);
  const skewClear = skew.map((l) => l.replace(/<= .*;/, "<= 8'sd0;"));
  const pes: string[] = [];
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < C; j++) {
      const n = i * C + j;
      const aSrc = j === 0 ? rowIn(i) : `a_${i * C + j - 1}`;
      const bSrc = i === 0 ? colIn(j) : `b_${(i - 1) * C + j}`;
      pes.push(
        `  // PE(${i},${j}): operands move right (a) and down (b) one PE a step; every register has one load, so routes stay short.`,
        `  reg signed [7:0]  a_${n}, b_${n};`,
        `  reg signed [15:0] p_${n};`,
        `  reg signed [31:0] acc_${n};`,
        `  always @(posedge clk) begin`,
        `    if (clear) begin`,
        `      a_${n} <= 8'sd0;`,
        `      b_${n} <= 8'sd0;`,
        `    end else if (shift) begin`,
        `      a_${n} <= ${aSrc};`,
        `      b_${n} <= ${bSrc};`,
        `    end`,
        `    p_${n} <= a_${n} * b_${n};`,
        `    if (clear) acc_${n} <= 32'sd0;`,
        // Zero operands before the first and after the last step make the extra products 0.
        `    else if (mac_en) acc_${n} <= acc_${n} + {{16{p_${n}[15]}}, p_${n}};`,
        `  end`,
      );
    }
  }
  pes.unshift(
    ...edges,
    `  always @(posedge clk) begin`,
    `    if (clear) begin`,
    ...skewClear.map((l) => `  ${l}`),
    `    end else if (shift) begin`,
    ...skew.map((l) => `  ${l}`),
    `    end`,
    `  end`,
    '',
  );
  const accRead = Array.from({ length: R * C }, (_, n) => `        ${n}: acc_q <= acc_${n};`);
  return verilogFile('agb_demo_core', `demo chip: ${R}×${C} int8 MACs behind the ag_top host bus`, `
// The demo decodes only the region and the low address bits, and uses R of 4 L-word bytes.
/* verilator lint_off UNUSEDSIGNAL */
module agb_demo_core (
  input  wire        clk,
  input  wire        rst,
  input  wire        host_en,
  input  wire        host_we,
  input  wire [31:0] host_addr,
  input  wire [31:0] host_wdata,
  output wire [31:0] host_rdata,
  output wire [15:0] dbg_pc,
  output wire        dbg_pc_valid,
  output wire        dbg_issue,
  output wire [3:0]  dbg_busy,
  output wire [1:0]  dbg_state
);
  localparam integer MAIN_WORDS = ${M};
  localparam [31:0] INFO = 32'h${info.toString(16).padStart(8, '0')};
  localparam [31:0] HASH = 32'hdeadc0de;   // not a real config: the demo core is no chip

  wire [3:0] region = host_addr[31:28];

  // ---- main memory (one BRAM port, owned by the engine while it runs) ----
  reg  [31:0] mem [0:MAIN_WORDS-1];
  reg  [31:0] mem_q;
  reg         running, halted;
  reg  [7:0]  error;
  reg  [15:0] k_steps, k;
  reg         phase;             // 0: fetch L word, 1: fetch T word
  wire        eng_rd = running;
  wire [${AW - 1}:0] eng_addr = {k[${AW - 2}:0], phase};
  wire        host_mem_we = host_en && host_we && region == 4'd2 && !running;
  always @(posedge clk) begin
    if (host_mem_we) mem[host_addr[${AW - 1}:0]] <= host_wdata;
    mem_q <= mem[eng_rd ? eng_addr : host_addr[${AW - 1}:0]];
  end

  // ---- engine: two cycles a step, then drain the MAC pipeline ----
  reg [31:0] l_word, t_word;
  reg        l_ok, t_ok;         // mem_q holds an L / T word this cycle
  reg        l_live, t_live;     // l_word / t_word belong to a step k < K (else feed zeros)
  reg        l_ok_live, t_ok_live;
  reg [15:0] n_steps;            // K + R + C - 2: the last step reaches PE(R-1, C-1)
  reg [2:0]  drain;
  reg        step_v, step_v1, step_v2; // shift operands → a/b valid → product valid
  wire       clear = host_en && host_we && region == 4'd0 && host_addr[3:0] == 4'd0 && host_wdata[0] && !running;
  wire       shift = step_v;
  wire       mac_en = step_v2;
  reg [63:0] cycles, macs;
  always @(posedge clk) begin
    if (rst) begin
      running <= 1'b0; halted <= 1'b0; error <= 8'd0; k <= 16'd0; phase <= 1'b0;
      l_ok <= 1'b0; t_ok <= 1'b0; l_live <= 1'b0; t_live <= 1'b0; l_ok_live <= 1'b0; t_ok_live <= 1'b0; n_steps <= 16'd0; step_v <= 1'b0; step_v1 <= 1'b0; step_v2 <= 1'b0; drain <= 3'd0;
      cycles <= 64'd0; macs <= 64'd0; k_steps <= 16'd0; l_word <= 32'd0; t_word <= 32'd0;
    end else begin
      l_ok      <= running && !phase;
      t_ok      <= running && phase;
      l_ok_live <= k < k_steps;
      t_ok_live <= k < k_steps;
      if (l_ok) begin
        l_word <= mem_q;
        l_live <= l_ok_live;
      end
      if (t_ok) begin
        t_word <= mem_q;
        t_live <= t_ok_live;
      end
      step_v  <= t_ok;            // both words in place the cycle after T arrives
      step_v1 <= step_v;          // a/b registered
      step_v2 <= step_v1;         // p registered: accumulate now
      if (shift && t_live) macs <= macs + ${R * C};
      if (host_en && host_we && region == 4'd0 && host_addr[3:0] == 4'd${DEMO_K_CSR}) k_steps <= host_wdata[15:0];
      if (clear) begin
        halted <= 1'b0; error <= 8'd0; cycles <= 64'd0; macs <= 64'd0; k <= 16'd0; phase <= 1'b0;
        n_steps <= k_steps + 16'd${R + C - 2};
        if ({15'd0, k_steps, 1'b0} > MAIN_WORDS) begin
          halted <= 1'b1;
          error  <= 8'd${DEMO_ERR_RANGE};
        end else if (k_steps == 16'd0) halted <= 1'b1;
        else running <= 1'b1;
      end else if (running) begin
        cycles <= cycles + 1'b1;
        phase  <= ~phase;
        if (phase) begin
          k <= k + 1'b1;
          if (k + 1'b1 == n_steps) begin
            running <= 1'b0;
            drain   <= 3'd5;
          end
        end
      end else if (drain != 3'd0) begin
        cycles <= cycles + 1'b1;
        drain  <= drain - 1'b1;
        if (drain == 3'd1) halted <= 1'b1;
      end
    end
  end

${pes.join('\n')}

  // ---- host reads: register per region, select with the registered region ----
  reg [3:0]  rd_region;
  reg [31:0] csr_q, acc_q;
  always @(posedge clk) begin
    if (host_en && !host_we) begin
      rd_region <= region;
      case (host_addr[3:0])
        4'd1:  csr_q <= {16'd0, error, 6'd0, halted, running || drain != 3'd0};
        4'd2:  csr_q <= {16'd0, k};
        4'd3:  csr_q <= cycles[31:0];
        4'd4:  csr_q <= cycles[63:32];
        4'd5:  csr_q <= macs[31:0];
        4'd6:  csr_q <= macs[63:32];
        4'd13: csr_q <= HASH;
        4'd14: csr_q <= INFO;
        4'd${DEMO_K_CSR}: csr_q <= {16'd0, k_steps};
        default: csr_q <= 32'd0;
      endcase
      case (host_addr[3:0])
${accRead.join('\n')}
        default: acc_q <= 32'd0;
      endcase
    end
  end
  assign host_rdata = rd_region == 4'd2 ? mem_q : rd_region == 4'd4 ? acc_q : rd_region == 4'd0 ? csr_q : 32'd0;

  assign dbg_pc       = k;
  assign dbg_pc_valid = running;
  assign dbg_issue    = running && phase;
  assign dbg_busy     = {3'd0, running};
  assign dbg_state    = halted ? 2'd3 : (running || drain != 3'd0) ? 2'd1 : 2'd0;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
`);
}
