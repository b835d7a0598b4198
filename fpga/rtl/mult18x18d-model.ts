import { verilogFile, type VerilogFile } from './types.js';

/**
 * Behavioural simulation model of the ECP5 MULT18X18D in the one mode yosys's synth_ecp5 emits
 * ($__MUL18X18 → MULT18X18D in techlibs/ecp5/dsp_map.v): every REG_* = "NONE" (combinational),
 * SOURCEA/SOURCEB = 0, C unused. No yosys release ships a simulation model for this cell (only a
 * blackbox), so post-synthesis netlists need this one.
 *
 * Lattice sysDSP (ECP5 sysDSP usage guide): SIGNEDA/SIGNEDB mark A/B as two's complement; the 36-bit
 * product P is A × B with each operand extended accordingly; SIGNEDP = SIGNEDA | SIGNEDB. Any other
 * mode stops the simulation at time 0 instead of computing something wrong.
 */
export function mult18x18dModel(): VerilogFile {
  const bits = (p: string, n: number): string => Array.from({ length: n }, (_, i) => `${p}${n - 1 - i}`).join(', ');
  const inBus = (p: string, n: number): string => `input wire ${bits(p, n)}`;
  const outBus = (p: string, n: number): string => `output wire ${bits(p, n)}`;
  return verilogFile('MULT18X18D', 'simulation model of the ECP5 18×18 multiplier (combinational mode only)', `
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module MULT18X18D (
  ${inBus('A', 18)},
  ${inBus('B', 18)},
  ${inBus('C', 18)},
  input wire SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
  input wire CLK0, CLK1, CLK2, CLK3,
  input wire CE0, CE1, CE2, CE3,
  input wire RST0, RST1, RST2, RST3,
  ${inBus('SRIA', 18)},
  ${inBus('SRIB', 18)},
  ${outBus('SROA', 18)},
  ${outBus('SROB', 18)},
  ${outBus('ROA', 18)},
  ${outBus('ROB', 18)},
  ${outBus('ROC', 18)},
  ${outBus('P', 36)},
  output wire SIGNEDP
);
  parameter REG_INPUTA_CLK = "NONE";
  parameter REG_INPUTA_CE = "CE0";
  parameter REG_INPUTA_RST = "RST0";
  parameter REG_INPUTB_CLK = "NONE";
  parameter REG_INPUTB_CE = "CE0";
  parameter REG_INPUTB_RST = "RST0";
  parameter REG_INPUTC_CLK = "NONE";
  parameter REG_INPUTC_CE = "CE0";
  parameter REG_INPUTC_RST = "RST0";
  parameter REG_PIPELINE_CLK = "NONE";
  parameter REG_PIPELINE_CE = "CE0";
  parameter REG_PIPELINE_RST = "RST0";
  parameter REG_OUTPUT_CLK = "NONE";
  parameter REG_OUTPUT_CE = "CE0";
  parameter REG_OUTPUT_RST = "RST0";
  parameter [127:0] CLK0_DIV = "ENABLED";
  parameter [127:0] CLK1_DIV = "ENABLED";
  parameter [127:0] CLK2_DIV = "ENABLED";
  parameter [127:0] CLK3_DIV = "ENABLED";
  parameter HIGHSPEED_CLK = "NONE";
  parameter [127:0] GSR = "ENABLED";
  parameter CAS_MATCH_REG = "FALSE";
  parameter [127:0] SOURCEB_MODE = "B_SHIFT";
  parameter [127:0] MULT_BYPASS = "DISABLED";
  parameter [127:0] RESETMODE = "SYNC";

  initial begin
    if (REG_INPUTA_CLK != "NONE" || REG_INPUTB_CLK != "NONE" || REG_INPUTC_CLK != "NONE" ||
        REG_PIPELINE_CLK != "NONE" || REG_OUTPUT_CLK != "NONE")
      $fatal(1, "MULT18X18D model: only the combinational mode (all REG_*_CLK = NONE) is modelled");
  end

  wire [17:0] a = {${bits('A', 18)}};
  wire [17:0] b = {${bits('B', 18)}};
  wire signed [18:0] ax = {SIGNEDA & a[17], a};
  wire signed [18:0] bx = {SIGNEDB & b[17], b};
  wire signed [37:0] p = ax * bx;
  assign {${bits('P', 36)}} = p[35:0];
  assign SIGNEDP = SIGNEDA | SIGNEDB;
  assign {${bits('SROA', 18)}} = 18'd0;
  assign {${bits('SROB', 18)}} = 18'd0;
  assign {${bits('ROA', 18)}} = a;
  assign {${bits('ROB', 18)}} = b;
  assign {${bits('ROC', 18)}} = 18'd0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
`);
}
