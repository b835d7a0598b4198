import { verilogFile, type VerilogFile } from './types.js';

/**
 * Behavioural simulation model of the ECP5 sysMEM block RAM DP16KD (18 kbit: 1024 × 18 bits) in the
 * modes yosys's synth_ecp5 emits (techlibs/ecp5/brams_map.v in 0.23, lattice/brams_map_16kd.v in
 * 0.70: `$__ECP5_DP16KD_` true dual port and `$__ECP5_PDPW16KD_` pseudo-dual port). yosys ships the
 * cell only as a `(* blackbox *)`, so post-synthesis netlists with block RAM need this model.
 *
 * Semantics (Lattice TN1264 / FPGA-TN-02204 "ECP5 and ECP5-5G Memory Usage Guide", sysMEM EBR and
 * the DP16KD/PDPW16KD primitives):
 * - Each port has its own clock (CLKx, inverted when CLKxMUX = "INV"), clock enable CEx, write
 *   enable WEx and chip select CSx[2:0] (active when equal to CSDECODE_x). An enabled edge writes
 *   when WEx = 1 and reads otherwise; with REGMODE_x = "NOREG" the read word is on DOx right after
 *   that edge (one cycle after the address) and holds until the next enabled edge.
 * - DATA_WIDTH 1/2/4/9/18 on either port (16K×1 … 1K×18); the address is ADx[13:k] with
 *   k = 0,1,2,3,4. In ×18 mode ADx[1:0] are the two byte enables (byte i = data bits 9i+8..9i).
 *   ×36 is pseudo-dual-port only: port A writes 512×36 from {DIB, DIA} with byte enables ADA[3:0]
 *   at address ADA[13:5]; port B reads 512×36 onto {DOB, DOA} at ADB[13:5].
 * - Narrow modes address the array as yosys's memory_libmap assumes (widths 1 2 4 9 18 36, byte 9):
 *   a 9-bit unit holds 8 data bits + 1 ninth bit; ×1/×2/×4 entries pack into the 8 data bits of a
 *   unit (the ninth bit is not reachable), wider words are consecutive units, little-endian.
 * - WRITEMODE (a port reading what it writes): NORMAL keeps DOx, WRITETHROUGH shows the new word,
 *   READBEFOREWRITE the old one. A read on one port of a word the other port writes at the same edge
 *   returns the old word (the chip never does it: its RAMs are `no_rw_check`).
 * - RSTx clears the output latch (RESETMODE SYNC: at the edge, ASYNC: at once), not the array.
 * - INITVAL_00..3F: 16 words of 18 bits each, word i at bits 20i+17..20i (yosys's init_slice).
 *
 * Anything else (REGMODE OUTREG, a malformed CSDECODE, a ×36 port on the wrong side, a pin mux other
 * than the pin itself, a deselected or resetting port that writes) stops the simulation at time 0 or
 * at that edge with a message, instead of computing something wrong.
 */

const PORTS = ['A', 'B'] as const;
const DATA_BITS = 18;
const ADDR_BITS = 14;

/** Pins with a `<pin>MUX` parameter in the cell library (cells_sim.v / cells_bb.v). */
function muxPins(p: 'A' | 'B'): string[] {
  const r = (n: number, s: string): string[] => Array.from({ length: n }, (_, i) => `${s}${n - 1 - i}`);
  return [...r(DATA_BITS, `DI${p}`), ...r(ADDR_BITS, `AD${p}`), `CE${p}`, `OCE${p}`, `CLK${p}`, `WE${p}`, `RST${p}`, `CS${p}2`, `CS${p}1`, `CS${p}0`, ...r(DATA_BITS, `DO${p}`)];
}

export function dp16kdModel(): VerilogFile {
  const bits = (p: string, n: number): string => Array.from({ length: n }, (_, i) => `${p}${n - 1 - i}`).join(', ');
  const hex = (i: number): string => i.toString(16).toUpperCase().padStart(2, '0');
  const initvals = Array.from({ length: 64 }, (_, i) => `  parameter [319:0] INITVAL_${hex(i)} = 320'h0;`).join('\n');
  const initCase = Array.from({ length: 64 }, (_, i) => `      6'h${hex(i)}: initval = INITVAL_${hex(i)};`).join('\n');
  const muxParams = PORTS.flatMap(muxPins).map((pin) => `  parameter ${pin}MUX = "${pin}";`).join('\n');
  // Every pin mux must be the pin itself; the clock muxes may also be "INV".
  const muxChecks = PORTS.flatMap(muxPins).filter((pin) => !pin.startsWith('CLK'))
    .map((pin) => `    if (${pin}MUX != "${pin}") bad("${pin}MUX: only the pin itself is modelled");`).join('\n');
  const port = (p: 'A' | 'B'): string => {
    const l = p.toLowerCase();
    return `
  // ---- port ${p}
  wire clk_${l} = (CLK${p}MUX == "INV") ? ~CLK${p} : CLK${p};
  wire rst_async_${l} = RST${p} && RESETMODE == "ASYNC";
  wire [13:0] ad_${l} = {${bits(`AD${p}`, ADDR_BITS)}};
  wire [17:0] di_${l} = {${bits(`DI${p}`, DATA_BITS)}};
  wire cs_${l} = ({CS${p}2, CS${p}1, CS${p}0} == {CSDECODE_${p}[16], CSDECODE_${p}[8], CSDECODE_${p}[0]});
  wire [9:0] w_${l} = word_of(DATA_WIDTH_${p}, ad_${l});
  wire [4:0] s_${l} = shift_of(DATA_WIDTH_${p}, ad_${l});
  wire [17:0] old_${l} = mem[w_${l}];
  wire [17:0] be_${l} = wmask_of(DATA_WIDTH_${p}, ad_${l});
  wire [17:0] new_${l} = (old_${l} & ~be_${l}) | ((di_${l} << s_${l}) & be_${l});
  reg [17:0] do_${l} = 18'd0;
  always @(posedge clk_${l} or posedge rst_async_${l}) begin
    if (rst_async_${l}) do_${l} <= 18'd0;
    else if (RST${p} && RESETMODE == "SYNC") begin
      do_${l} <= 18'd0;
      if (CE${p} && WE${p}) bad_at("port ${p} writes while its read reset is on");
    end else if (CE${p}) begin
      if (!cs_${l}) begin
        if (WE${p}) bad_at("port ${p} writes while deselected (CS${p} != CSDECODE_${p}): cascading is not modelled");
      end else if (WE${p}) begin${p === 'B' ? `
        if (DATA_WIDTH_A == 36) bad_at("port B writes in the x36 (pseudo-dual-port) mode");` : `
        if (DATA_WIDTH_A == 36) begin
          // 512 x 36 from {DIB, DIA}, byte enables on ADA[3:0]: two consecutive 18-bit words.
          mem[{ad_a[13:5], 1'b0}] <= merge(mem[{ad_a[13:5], 1'b0}], di_a, ad_a[1:0]);
          mem[{ad_a[13:5], 1'b1}] <= merge(mem[{ad_a[13:5], 1'b1}], di_b, ad_a[3:2]);
        end else`}
        mem[w_${l}] <= new_${l};
        if (WRITEMODE_${p} == "WRITETHROUGH") do_${l} <= (new_${l} >> s_${l}) & rmask_of(DATA_WIDTH_${p});
        else if (WRITEMODE_${p} == "READBEFOREWRITE") do_${l} <= (old_${l} >> s_${l}) & rmask_of(DATA_WIDTH_${p});
      end else begin
        do_${l} <= (old_${l} >> s_${l}) & rmask_of(DATA_WIDTH_${p});${p === 'B' ? `
        if (DATA_WIDTH_B == 36) do36_hi <= mem[{ad_b[13:5], 1'b1}];` : ''}
      end
    end
  end`;
  };
  return verilogFile('DP16KD', 'simulation model of the ECP5 18 kbit block RAM (the modes yosys maps to)', `
// Waivers: the ports and parameters are the cell's whole interface, used or not (UNUSED*); both
// ports write the one array, as in the hardware (MULTIDRIVEN); string parameters are compared
// with literals of other lengths (WIDTH); the output registers power up at zero through their
// declaration and are clocked after (PROCASSINIT, reported by Verilator 5.48, not 5.006).
/* verilator lint_off PROCASSINIT */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off MULTIDRIVEN */
/* verilator lint_off WIDTH */
module DP16KD (
  input wire ${bits('DIA', DATA_BITS)},
  input wire ${bits('ADA', ADDR_BITS)},
  input wire CEA, OCEA, CLKA, WEA, RSTA,
  input wire CSA2, CSA1, CSA0,
  output wire ${bits('DOA', DATA_BITS)},
  input wire ${bits('DIB', DATA_BITS)},
  input wire ${bits('ADB', ADDR_BITS)},
  input wire CEB, OCEB, CLKB, WEB, RSTB,
  input wire CSB2, CSB1, CSB0,
  output wire ${bits('DOB', DATA_BITS)}
);
  parameter DATA_WIDTH_A = 18;
  parameter DATA_WIDTH_B = 18;
  parameter REGMODE_A = "NOREG";
  parameter REGMODE_B = "NOREG";
  parameter RESETMODE = "SYNC";
  parameter ASYNC_RESET_RELEASE = "SYNC";
  parameter [39:0] CSDECODE_A = "0b000";
  parameter [39:0] CSDECODE_B = "0b000";
  parameter WRITEMODE_A = "NORMAL";
  parameter WRITEMODE_B = "NORMAL";
  parameter GSR = "ENABLED";
  parameter WID = 0;
  parameter INIT_DATA = "STATIC";
${muxParams}
${initvals}

  // The array: 1024 words of 18 bits (two 9-bit units each), as INITVAL lays it out.
  reg [17:0] mem [0:1023];

  function [319:0] initval(input [5:0] i);
    case (i)
${initCase}
      default: initval = 320'h0;
    endcase
  endfunction

  // Where an access of width w at address ad falls: 18-bit word, bit mask in it, and bit offset.
  // A 9-bit unit u is word u/2, bits 9(u%2)..; x1/x2/x4 entries pack into its 8 low bits.
  function [9:0] word_of(input integer w, input [13:0] ad);
    word_of = (w == 36) ? {ad[13:5], 1'b0} : ad[13:4];
  endfunction
  function [4:0] shift_of(input integer w, input [13:0] ad);
    case (w)
      1: shift_of = (ad[3] ? 5'd9 : 5'd0) + {2'b0, ad[2:0]};
      2: shift_of = (ad[3] ? 5'd9 : 5'd0) + {2'b0, ad[2:1], 1'b0};
      4: shift_of = (ad[3] ? 5'd9 : 5'd0) + {2'b0, ad[2], 2'b0};
      9: shift_of = ad[3] ? 5'd9 : 5'd0;
      default: shift_of = 5'd0;
    endcase
  endfunction
  // Bits of an entry, from bit 0.
  function [17:0] rmask_of(input integer w);
    case (w)
      1: rmask_of = 18'h1;
      2: rmask_of = 18'h3;
      4: rmask_of = 18'hf;
      9: rmask_of = 18'h1ff;
      default: rmask_of = 18'h3ffff;
    endcase
  endfunction
  // Bits a write changes in its word (x18: byte enables on AD[1:0]).
  function [17:0] wmask_of(input integer w, input [13:0] ad);
    if (w == 18) wmask_of = {{9{ad[1]}}, {9{ad[0]}}};
    else wmask_of = rmask_of(w) << shift_of(w, ad);
  endfunction
  function [17:0] merge(input [17:0] old, input [17:0] d, input [1:0] be);
    merge = {be[1] ? d[17:9] : old[17:9], be[0] ? d[8:0] : old[8:0]};
  endfunction

  function automatic width_ok(input integer w);
    width_ok = w == 1 || w == 2 || w == 4 || w == 9 || w == 18 || w == 36;
  endfunction
  function automatic csdecode_ok(input [39:0] s);
    csdecode_ok = s[39:24] == "0b" && s[23:17] == 7'h18 && s[15:9] == 7'h18 && s[7:1] == 7'h18;
  endfunction

  task bad(input [8*80-1:0] what);
    $fatal(1, "DP16KD model (%m): %0s", what);
  endtask
  task bad_at(input [8*80-1:0] what);
    $fatal(1, "DP16KD model (%m) at time %0t: %0s", $time, what);
  endtask

  integer i;
  initial begin
    if (!width_ok(DATA_WIDTH_A) || !width_ok(DATA_WIDTH_B)) bad("DATA_WIDTH_A/B must be 1, 2, 4, 9, 18 or 36");
    if (DATA_WIDTH_B == 36 && DATA_WIDTH_A != 36) bad("x36 reads need the x36 write side (DATA_WIDTH_A = 36)");
    if (REGMODE_A != "NOREG" || REGMODE_B != "NOREG") bad("only REGMODE NOREG (data one cycle after the address) is modelled");
    if (RESETMODE != "SYNC" && RESETMODE != "ASYNC") bad("RESETMODE must be SYNC or ASYNC");
    if (ASYNC_RESET_RELEASE != "SYNC" && ASYNC_RESET_RELEASE != "ASYNC") bad("ASYNC_RESET_RELEASE must be SYNC or ASYNC");
    if (!csdecode_ok(CSDECODE_A) || !csdecode_ok(CSDECODE_B)) bad("CSDECODE_A/B must be \\"0bxyz\\"");
    if (WRITEMODE_A != "NORMAL" && WRITEMODE_A != "WRITETHROUGH" && WRITEMODE_A != "READBEFOREWRITE") bad("unknown WRITEMODE_A");
    if (WRITEMODE_B != "NORMAL" && WRITEMODE_B != "WRITETHROUGH" && WRITEMODE_B != "READBEFOREWRITE") bad("unknown WRITEMODE_B");
    if (GSR != "ENABLED" && GSR != "DISABLED" && GSR != "AUTO") bad("GSR must be ENABLED, DISABLED or AUTO");
    if (INIT_DATA != "STATIC") bad("only INIT_DATA STATIC is modelled");
    if (CLKAMUX != "CLKA" && CLKAMUX != "INV") bad("CLKAMUX must be CLKA or INV");
    if (CLKBMUX != "CLKB" && CLKBMUX != "INV") bad("CLKBMUX must be CLKB or INV");
${muxChecks}
    for (i = 0; i < 1024; i = i + 1) mem[i] = initval(i[9:4]) >> (20 * i[3:0]);
  end

  reg [17:0] do36_hi = 18'd0;
${port('A')}
${port('B')}

  // x36 reads: {DOB, DOA} = the 36-bit word (low half from the port-B read of the even word).
  wire [17:0] doa = DATA_WIDTH_B == 36 ? do_b : (DATA_WIDTH_A == 36 ? 18'd0 : do_a);
  wire [17:0] dob = DATA_WIDTH_B == 36 ? do36_hi : do_b;
  assign {${bits('DOA', DATA_BITS)}} = doa;
  assign {${bits('DOB', DATA_BITS)}} = dob;
endmodule
/* verilator lint_on WIDTH */
/* verilator lint_on MULTIDRIVEN */
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on PROCASSINIT */
/* verilator lint_on UNUSEDSIGNAL */
`);
}
