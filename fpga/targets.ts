import { BOARDS, type BoardRecord, type Family } from './boards/index.js';
import { FpgaError } from './errors.js';

/**
 * FPGA targets as declarative records (LiteX style): everything the flow needs to know about a
 * device — synthesis command, P&R device flags, constraint format, packer, resource budget, PLL
 * primitive — is data here. The flow (flow.ts) and the fit estimator (fit.ts) read it; neither has a
 * per-target branch. Preset configs in src/config are named exactly like these targets.
 */

export type ConstraintFormat = 'pcf' | 'lpf';
export type PllPrimitive = 'SB_PLL40_PAD' | 'SB_PLL40_CORE' | 'EHXPLLL';

/** Device resources the estimator budgets against (datasheet numbers, as nextpnr reports them). */
export interface ResourceBudget {
  /** Logic cells: iCE40 LCs (LUT4 + FF) / ECP5 LUT4s (TRELLIS_COMB). */
  readonly luts: number;
  /** Hard multipliers: SB_MAC16 (16×16) / MULT18X18D. */
  readonly dsps: number;
  /** Block RAMs: iCE40 EBR (4 kbit) / ECP5 DP16KD (18 kbit). */
  readonly brams: number;
  /** iCE40UP5K SPRAM blocks (256 kbit, 16K × 16); 0 elsewhere. */
  readonly sprams: number;
}

/** nextpnr cell-type names for each resource, to read utilization out of `--report` JSON. */
export interface ReportCells {
  readonly luts: string;
  readonly dsps: string;
  readonly brams: string;
  readonly sprams?: string;
  readonly plls: string;
}

export interface TargetRecord {
  /** Target id (also the config preset name). */
  readonly name: string;
  readonly family: Family;
  /** Vendor part name, e.g. `iCE40UP5K`, `LFE5U-25F`. */
  readonly device: string;
  /** Package as nextpnr spells it. */
  readonly package: string;
  /** The board this target builds for (boards/). */
  readonly board: string;
  /** yosys synthesis pass and its arguments (the output option `-json` is added by the flow). */
  readonly synth: { readonly command: string; readonly args: readonly string[] };
  /** Place-and-route: tool id (tools.ts) and device-selecting arguments. */
  readonly pnr: { readonly tool: 'nextpnr-ice40' | 'nextpnr-ecp5'; readonly deviceArgs: readonly string[]; readonly constraintFlag: string; readonly outputFlag: string; readonly outputFile: string };
  readonly constraints: ConstraintFormat;
  /** Bitstream packer: tool id and bitstream file name. */
  readonly packer: { readonly tool: 'icepack' | 'ecppack'; readonly bitstream: string };
  readonly budget: ResourceBudget;
  readonly reportCells: ReportCells;
  readonly pll: PllPrimitive;
  /** Default clock target in MHz (the benchmark frequency for this target). */
  readonly defaultFreqMhz: number;
  /** MACs/cycle goal for this target (benchmark table), for reports. */
  readonly goalMacs: number;
}

const ICE40_CELLS: ReportCells = { luts: 'ICESTORM_LC', dsps: 'ICESTORM_DSP', brams: 'ICESTORM_RAM', sprams: 'ICESTORM_SPRAM', plls: 'ICESTORM_PLL' };
const ECP5_CELLS: ReportCells = { luts: 'TRELLIS_COMB', dsps: 'MULT18X18D', brams: 'DP16KD', plls: 'EHXPLLL' };

const ice40Pnr = (dev: string, pkg: string): TargetRecord['pnr'] => ({
  tool: 'nextpnr-ice40',
  deviceArgs: [`--${dev}`, '--package', pkg],
  constraintFlag: '--pcf',
  outputFlag: '--asc',
  outputFile: 'board.asc',
});
const ecp5Pnr = (dev: string): TargetRecord['pnr'] => ({
  tool: 'nextpnr-ecp5',
  // ULX3S parts are -6BG381C: CABGA381, speed grade 6.
  deviceArgs: [`--${dev}`, '--package', 'CABGA381', '--speed', '6'],
  constraintFlag: '--lpf',
  outputFlag: '--textcfg',
  outputFile: 'board.config',
});

export const TARGETS: Readonly<Record<string, TargetRecord>> = Object.freeze({
  'ice40-up5k': {
    name: 'ice40-up5k',
    family: 'ice40',
    device: 'iCE40UP5K',
    package: 'sg48',
    board: 'icebreaker',
    // -dsp maps int8×int8(+int32) MACs onto SB_MAC16 (DESIGN.md §5); -spram lets yosys put a
    // 16K×16 single-port memory (main memory) into the four SPRAM blocks instead of 32 EBR each.
    synth: { command: 'synth_ice40', args: ['-dsp', '-spram'] },
    pnr: ice40Pnr('up5k', 'sg48'),
    constraints: 'pcf',
    packer: { tool: 'icepack', bitstream: 'board.bin' },
    // iCE40 UltraPlus datasheet: 5280 LCs, 8 DSP, 30 EBR (4 kbit), 4 SPRAM (256 kbit).
    budget: { luts: 5280, dsps: 8, brams: 30, sprams: 4 },
    reportCells: ICE40_CELLS,
    // The iCEBreaker's 12 MHz oscillator sits on pin 35, the PLL's dedicated input pad on UP5K.
    pll: 'SB_PLL40_PAD',
    defaultFreqMhz: 30,
    goalMacs: 8,
  },
  'ice40-hx8k': {
    name: 'ice40-hx8k',
    family: 'ice40',
    device: 'iCE40HX8K',
    package: 'ct256',
    board: 'hx8k-breakout',
    // No DSPs on HX parts: plain synth_ice40, multipliers become LUT logic.
    synth: { command: 'synth_ice40', args: [] },
    pnr: ice40Pnr('hx8k', 'ct256'),
    constraints: 'pcf',
    packer: { tool: 'icepack', bitstream: 'board.bin' },
    // iCE40 LP/HX datasheet: 7680 LCs, 32 EBR (4 kbit), no DSP, no SPRAM.
    budget: { luts: 7680, dsps: 0, brams: 32, sprams: 0 },
    reportCells: ICE40_CELLS,
    // J3 is a global-buffer input but not a PLL pad: feed the PLL through the fabric (CORE variant).
    pll: 'SB_PLL40_CORE',
    defaultFreqMhz: 50,
    goalMacs: 16,
  },
  'ecp5-25f': {
    name: 'ecp5-25f',
    family: 'ecp5',
    device: 'LFE5U-25F',
    package: 'CABGA381',
    board: 'ulx3s',
    synth: { command: 'synth_ecp5', args: [] },
    pnr: ecp5Pnr('25k'),
    constraints: 'lpf',
    packer: { tool: 'ecppack', bitstream: 'board.bit' },
    // ECP5 family datasheet, LFE5U-25: 24K LUTs (nextpnr: 24288 TRELLIS_COMB), 28 MULT18X18D, 56 EBR (18 kbit).
    budget: { luts: 24288, dsps: 28, brams: 56, sprams: 0 },
    reportCells: ECP5_CELLS,
    pll: 'EHXPLLL',
    defaultFreqMhz: 100,
    goalMacs: 16,
  },
  'ecp5-85f': {
    name: 'ecp5-85f',
    family: 'ecp5',
    device: 'LFE5U-85F',
    package: 'CABGA381',
    board: 'ulx3s',
    synth: { command: 'synth_ecp5', args: [] },
    pnr: ecp5Pnr('85k'),
    constraints: 'lpf',
    packer: { tool: 'ecppack', bitstream: 'board.bit' },
    // LFE5U-85: 84K LUTs (nextpnr: 83640 TRELLIS_COMB), 156 MULT18X18D, 208 EBR (18 kbit).
    budget: { luts: 83640, dsps: 156, brams: 208, sprams: 0 },
    reportCells: ECP5_CELLS,
    pll: 'EHXPLLL',
    defaultFreqMhz: 90,
    goalMacs: 144,
  },
} satisfies Record<string, TargetRecord>);

export const TARGET_NAMES: readonly string[] = Object.keys(TARGETS);

/** Look a target up by name; unknown names are an FpgaError that lists the known ones. */
export function getTarget(name: string): TargetRecord {
  const t = TARGETS[name];
  if (!t) throw new FpgaError('unknown-target', `unknown target ${JSON.stringify(name)}: expected one of ${TARGET_NAMES.join(', ')}`);
  return t;
}

/** The board record a target builds for. */
export function targetBoard(t: TargetRecord): BoardRecord {
  const b = BOARDS[t.board];
  if (!b) throw new FpgaError('unknown-board', `target ${t.name} names unknown board ${t.board}`);
  return b;
}
