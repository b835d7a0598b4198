import { FpgaError } from './errors.js';
import type { PllPrimitive } from './targets.js';

/**
 * PLL planning: pick divider settings that bring the board oscillator to the requested clock, the
 * way the vendor-neutral tools do it (icepll for iCE40 SB_PLL40, ecppll for ECP5 EHXPLLL), and
 * report the frequency actually achieved — nextpnr must time against that, not the request.
 */

/** iCE40 SB_PLL40 in SIMPLE feedback mode (iCE40 sysCLOCK PLL guide limits, as in icepll). */
export interface Ice40PllPlan {
  readonly kind: 'ice40';
  readonly primitive: 'SB_PLL40_PAD' | 'SB_PLL40_CORE';
  readonly inMhz: number;
  readonly requestedMhz: number;
  /** Achieved output frequency in MHz. */
  readonly outMhz: number;
  readonly divr: number;
  readonly divf: number;
  readonly divq: number;
  readonly filterRange: number;
  readonly pfdMhz: number;
  readonly vcoMhz: number;
}

/** ECP5 EHXPLLL with CLKOP fed back (as ecppll generates it). */
export interface Ecp5PllPlan {
  readonly kind: 'ecp5';
  readonly primitive: 'EHXPLLL';
  readonly inMhz: number;
  readonly requestedMhz: number;
  readonly outMhz: number;
  readonly clkiDiv: number;
  readonly clkfbDiv: number;
  readonly clkopDiv: number;
  readonly clkopCphase: number;
  readonly vcoMhz: number;
}

/** The board clock is used directly (requested = oscillator frequency): no PLL instantiated. */
export interface NoPllPlan {
  readonly kind: 'none';
  readonly inMhz: number;
  readonly requestedMhz: number;
  readonly outMhz: number;
}

export type PllPlan = Ice40PllPlan | Ecp5PllPlan | NoPllPlan;

const ICE40 = { in: [10, 133], pfd: [10, 133], vco: [533, 1066], out: [16, 275] } as const;
const ECP5 = { in: [8, 400], pfd: [3.125, 400], vco: [400, 800], out: [10, 400] } as const;

/** Default: refuse a plan whose achieved frequency is more than this far from the request. */
export const DEFAULT_PLL_TOLERANCE = 0.02;

const fmt = (x: number): string => String(Number(x.toFixed(4)));

function checkRange(family: string, what: string, mhz: number, lo: number, hi: number, hint: string): void {
  if (!(mhz >= lo && mhz <= hi)) {
    throw new FpgaError('pll', `${family} PLL cannot make ${fmt(mhz)} MHz: its ${what} range is ${lo}–${hi} MHz${hint}`);
  }
}

/** icepll's search: every DIVR/DIVF/DIVQ in SIMPLE mode, the closest output wins (first found on ties). */
export function planIce40Pll(inMhz: number, outMhz: number, primitive: Ice40PllPlan['primitive'] = 'SB_PLL40_CORE'): Ice40PllPlan {
  checkRange('iCE40', 'input', inMhz, ICE40.in[0], ICE40.in[1], '');
  checkRange('iCE40', 'output', outMhz, ICE40.out[0], ICE40.out[1], `; ask for ${fmt(inMhz)} MHz (the board clock, no PLL) or 16–275 MHz`);
  let best: Ice40PllPlan | undefined;
  for (let divr = 0; divr <= 15; divr++) {
    const pfd = inMhz / (divr + 1);
    if (pfd < ICE40.pfd[0] || pfd > ICE40.pfd[1]) continue;
    for (let divf = 0; divf <= 127; divf++) {
      const vco = pfd * (divf + 1);
      if (vco < ICE40.vco[0] || vco > ICE40.vco[1]) continue;
      for (let divq = 1; divq <= 6; divq++) {
        const f = vco / 2 ** divq;
        if (!best || Math.abs(f - outMhz) < Math.abs(best.outMhz - outMhz)) {
          // FILTER_RANGE by PFD frequency, the table icepll uses (iCE40 PLL guide).
          const filterRange = pfd < 17 ? 1 : pfd < 26 ? 2 : pfd < 44 ? 3 : pfd < 66 ? 4 : pfd < 101 ? 5 : 6;
          best = { kind: 'ice40', primitive, inMhz, requestedMhz: outMhz, outMhz: f, divr, divf, divq, filterRange, pfdMhz: pfd, vcoMhz: vco };
        }
      }
    }
  }
  if (!best) throw new FpgaError('pll', `iCE40 PLL has no setting for ${fmt(outMhz)} MHz from ${fmt(inMhz)} MHz`);
  return best;
}

/**
 * ecppll's search: CLKI_DIV 1..128, CLKFB_DIV 1..80, CLKOP_DIV 1..128 with the VCO in 400–800 MHz;
 * closest output wins, ties go to the VCO nearest 600 MHz. CLKOP_CPHASE is a half period in VCO
 * cycles minus one, as current ecppll writes it.
 */
export function planEcp5Pll(inMhz: number, outMhz: number): Ecp5PllPlan {
  checkRange('ECP5', 'input', inMhz, ECP5.in[0], ECP5.in[1], '');
  checkRange('ECP5', 'output', outMhz, ECP5.out[0], ECP5.out[1], `; ask for ${fmt(inMhz)} MHz (the board clock, no PLL) or 10–400 MHz`);
  let best: Ecp5PllPlan | undefined;
  let bestErr = Infinity;
  // Float ties: treat errors within 1e-9 MHz as equal (ecppll uses single-precision floats).
  const eps = 1e-9;
  for (let clkiDiv = 1; clkiDiv <= 128; clkiDiv++) {
    const pfd = inMhz / clkiDiv;
    if (pfd < ECP5.pfd[0] || pfd > ECP5.pfd[1]) continue;
    for (let clkfbDiv = 1; clkfbDiv <= 80; clkfbDiv++) {
      for (let clkopDiv = 1; clkopDiv <= 128; clkopDiv++) {
        const vco = pfd * clkfbDiv * clkopDiv;
        if (vco < ECP5.vco[0] || vco > ECP5.vco[1]) continue;
        const f = vco / clkopDiv;
        const err = Math.abs(f - outMhz);
        if (err < bestErr - eps || (Math.abs(err - bestErr) <= eps && best && Math.abs(vco - 600) < Math.abs(best.vcoMhz - 600))) {
          bestErr = err;
          best = {
            kind: 'ecp5', primitive: 'EHXPLLL', inMhz, requestedMhz: outMhz, outMhz: f,
            clkiDiv, clkfbDiv, clkopDiv, clkopCphase: Math.ceil(clkopDiv / 2) - 1, vcoMhz: vco,
          };
        }
      }
    }
  }
  if (!best) throw new FpgaError('pll', `ECP5 PLL has no setting for ${fmt(outMhz)} MHz from ${fmt(inMhz)} MHz`);
  return best;
}

/**
 * Plan the clock for a target: no PLL when the request equals the board clock, else the family's
 * search; refuse when the closest achievable frequency is further than `tolerance` (relative) away.
 */
export function planPll(primitive: PllPrimitive, inMhz: number, outMhz: number, tolerance = DEFAULT_PLL_TOLERANCE): PllPlan {
  if (!Number.isFinite(outMhz) || outMhz <= 0) throw new FpgaError('pll', `clock frequency must be a positive number of MHz, not ${outMhz}`);
  if (Math.abs(outMhz - inMhz) < 1e-9) return { kind: 'none', inMhz, requestedMhz: outMhz, outMhz: inMhz };
  const plan = primitive === 'EHXPLLL' ? planEcp5Pll(inMhz, outMhz) : planIce40Pll(inMhz, outMhz, primitive);
  if (Math.abs(plan.outMhz - outMhz) > tolerance * outMhz) {
    throw new FpgaError('pll', `the PLL cannot make ${fmt(outMhz)} MHz from ${fmt(inMhz)} MHz within ${tolerance * 100} %: the closest is ${fmt(plan.outMhz)} MHz (ask for that)`);
  }
  return plan;
}

/** One-line description of a plan for reports. */
export function describePll(p: PllPlan): string {
  switch (p.kind) {
    case 'none':
      return `board clock ${fmt(p.inMhz)} MHz, no PLL`;
    case 'ice40':
      return `${p.primitive} ${fmt(p.inMhz)} → ${fmt(p.outMhz)} MHz (DIVR=${p.divr} DIVF=${p.divf} DIVQ=${p.divq} FILTER_RANGE=${p.filterRange}, VCO ${fmt(p.vcoMhz)} MHz)`;
    case 'ecp5':
      return `EHXPLLL ${fmt(p.inMhz)} → ${fmt(p.outMhz)} MHz (CLKI_DIV=${p.clkiDiv} CLKFB_DIV=${p.clkfbDiv} CLKOP_DIV=${p.clkopDiv}, VCO ${fmt(p.vcoMhz)} MHz)`;
  }
}

const bin = (v: number, n: number): string => `${n}'b${v.toString(2).padStart(n, '0')}`;

/**
 * Verilog lines instantiating the planned PLL (inside a module): `clkIn` → `clkOut`, `locked` high
 * once the PLL is stable. For a `none` plan, wires the input straight through with locked = 1.
 */
export function pllVerilog(p: PllPlan, clkIn: string, clkOut: string, locked: string): string[] {
  switch (p.kind) {
    case 'none':
      return [`  assign ${clkOut} = ${clkIn};`, `  assign ${locked} = 1'b1;`];
    case 'ice40':
      return [
        `  // ${describePll(p)}`,
        `  ${p.primitive} #(`,
        `    .FEEDBACK_PATH("SIMPLE"),`,
        `    .DIVR(${bin(p.divr, 4)}),`,
        `    .DIVF(${bin(p.divf, 7)}),`,
        `    .DIVQ(${bin(p.divq, 3)}),`,
        `    .FILTER_RANGE(${bin(p.filterRange, 3)})`,
        `  ) u_pll (`,
        `    .${p.primitive === 'SB_PLL40_PAD' ? 'PACKAGEPIN' : 'REFERENCECLK'}(${clkIn}),`,
        `    .PLLOUTGLOBAL(${clkOut}),`,
        `    .RESETB(1'b1),`,
        `    .BYPASS(1'b0),`,
        `    .LOCK(${locked})`,
        `  );`,
      ];
    case 'ecp5':
      return [
        `  // ${describePll(p)}`,
        `  (* FREQUENCY_PIN_CLKI="${fmt(p.inMhz)}", FREQUENCY_PIN_CLKOP="${fmt(p.outMhz)}", ICP_CURRENT="12", LPF_RESISTOR="8", MFG_ENABLE_FILTEROPAMP="1", MFG_GMCREF_SEL="2" *)`,
        `  EHXPLLL #(`,
        `    .PLLRST_ENA("DISABLED"),`,
        `    .INTFB_WAKE("DISABLED"),`,
        `    .STDBY_ENABLE("DISABLED"),`,
        `    .DPHASE_SOURCE("DISABLED"),`,
        `    .OUTDIVIDER_MUXA("DIVA"),`,
        `    .OUTDIVIDER_MUXB("DIVB"),`,
        `    .OUTDIVIDER_MUXC("DIVC"),`,
        `    .OUTDIVIDER_MUXD("DIVD"),`,
        `    .CLKI_DIV(${p.clkiDiv}),`,
        `    .CLKOP_ENABLE("ENABLED"),`,
        `    .CLKOP_DIV(${p.clkopDiv}),`,
        `    .CLKOP_CPHASE(${p.clkopCphase}),`,
        `    .CLKOP_FPHASE(0),`,
        `    .FEEDBK_PATH("CLKOP"),`,
        `    .CLKFB_DIV(${p.clkfbDiv})`,
        `  ) u_pll (`,
        `    .RST(1'b0),`,
        `    .STDBY(1'b0),`,
        `    .CLKI(${clkIn}),`,
        `    .CLKOP(${clkOut}),`,
        `    .CLKFB(${clkOut}),`,
        `    .CLKINTFB(),`,
        `    .PHASESEL0(1'b0),`,
        `    .PHASESEL1(1'b0),`,
        `    .PHASEDIR(1'b1),`,
        `    .PHASESTEP(1'b1),`,
        `    .PHASELOADREG(1'b1),`,
        `    .PLLWAKESYNC(1'b0),`,
        `    .ENCLKOP(1'b0),`,
        `    .LOCK(${locked})`,
        `  );`,
      ];
  }
}
