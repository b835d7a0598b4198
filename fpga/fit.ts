import type { ChipConfig } from '../src/config/index.js';
import type { Family } from './boards/index.js';
import type { RtlInventory } from './rtl-inventory.js';
import type { TargetRecord } from './targets.js';

/**
 * Fit estimator: from a chip config and a target's budget, estimate DSPs, block RAMs (and SPRAM)
 * and logic, before any tool runs — and refuse in plain words with a suggestion, instead of letting
 * nextpnr fail with a placement error. After P&R the flow prints the estimate next to the actual use
 * (`compareFit`), so the constants below can be checked and recalibrated.
 *
 * Block RAM: given the generated RTL (rtl-inventory.ts), every `ag_ram_*` copy is counted at its
 * real shape — what yosys maps, block for block (52 DP16KD predicted and found for the ecp5-25f
 * preset). Without RTL, a model of the memories in docs/microarch.md.
 *
 * Logic and DSP constants were measured on the src/hdl-gen RTL of 2026-11-27 after the memory-port
 * contract (docs/microarch.md §4): yosys 0.23 `synth_ecp5 -noflatten` per module on ecp5-25f with
 * vpu.lanes 1 and 4 — controller, operands, interlock, host, drain, MXU ≈ 9 000 LUT4 slots; vector
 * unit ≈ 2 650 + 1 600 a lane (2 MULT18X18D a lane, 4 more in the operand checks); memory ports and
 * DMA ≈ 1 000 a row lane; a DSP PE with its share of the drain read mux ≈ 350 — and against
 * nextpnr-ecp5: the ecp5-25f preset (4×4, 1 vector lane) placed at 20 102 TRELLIS_COMB (the packing
 * factor 0.86 is that ratio), 22 MULT18X18D, 52 DP16KD. iCE40: yosys 0.23 `synth_ice40 -dsp
 * -noflatten` of rtl/ice40-up5k (2×4, W = 4, 4 vector lanes), 16 705 SB_LUT4 in all: controller with
 * decode, operands, interlock and counters 5 535, host port 664, drain 284, MXU 153, RAM wrappers and
 * main/imem ports ≈ 500 (base ≈ 7 200); acc/grad/sp ports and DMA 2 019 (≈ 500 a row lane); vector
 * unit 6 450 (≈ 1 600 a lane); array 1 076 (≈ 135 a PE); LCs ≈ 1.1 LUT4. Recalibrate when the chip
 * RTL changes: the estimate-vs-actual table after every build shows the drift.
 */

interface FamilyCosts {
  /** Logic per PE with a DSP multiplier (accumulator banks, adder, operand registers, drain mux). */
  readonly pe: number;
  /** Extra logic per PE when its multiplier is built from LUTs. */
  readonly lutMult: number;
  /** Controller, decode, DMA, CSRs, counters (fixed part). */
  readonly base: number;
  /** Memory-port logic (write buses, read selects, DMA byte lanes) per row lane W. */
  readonly perLane: number;
  /** Vector-unit logic per datapath lane (vpu.lanes). */
  readonly perVpuLane: number;
  /** Hard multipliers of the controller's operand checks (transposed-operand lengths, DMA span). */
  readonly addrDsps: number;
  /** UART bridge, UART, reset, LEDs. */
  readonly board: number;
  /**
   * Hard multipliers per vector-unit lane: its 32×16 signed product split into 16×16 / 18×18
   * blocks (src/hdl-gen ag_vpu).
   */
  readonly vpuDsps: number;
  /** Logic per lane for that product when the device has no DSPs. */
  readonly vpuLutMult: number;
  /** Device logic cells per LUT4 the synthesizer reports (iCE40 LCs also hold lone flip-flops). */
  readonly packing: number;
  /** Demo-core PE (single accumulator, no drain mux) around a hard multiplier. */
  readonly demoPe: number;
  /** Block RAM shapes (depth × width) the synthesizer can use, one block each. */
  readonly bramShapes: ReadonlyArray<readonly [number, number]>;
  readonly bramName: string;
  readonly dspName: string;
  readonly lutName: string;
}

const COSTS: Readonly<Record<Family, FamilyCosts>> = {
  ice40: {
    pe: 140, lutMult: 180, base: 7200, perLane: 500, perVpuLane: 1600, board: 600, packing: 1.1, demoPe: 150, vpuDsps: 2, addrDsps: 4, vpuLutMult: 900,
    // SB_RAM40_4K: 256×16, 512×8, 1024×4, 2048×2.
    bramShapes: [[256, 16], [512, 8], [1024, 4], [2048, 2]],
    bramName: 'EBR', dspName: 'DSPs (SB_MAC16)', lutName: 'LCs',
  },
  ecp5: {
    pe: 350, lutMult: 300, base: 11700, perLane: 1000, perVpuLane: 1600, board: 600, packing: 0.86, demoPe: 90, vpuDsps: 2, addrDsps: 4, vpuLutMult: 1200,
    // DP16KD in pseudo-dual-port mode: 512×36 … 16384×1.
    bramShapes: [[512, 36], [1024, 18], [2048, 9], [4096, 4], [8192, 2], [16384, 1]],
    bramName: 'DP16KD', dspName: 'DSPs (MULT18X18D)', lutName: 'LUT4s',
  },
};


export interface MemoryPlacement {
  readonly name: string;
  readonly depth: number;
  readonly width: number;
  /** Copies needed for read ports (the scratchpad has two read ports on 1R1W blocks). */
  readonly copies: number;
  readonly kind: 'bram' | 'spram';
  readonly blocks: number;
}

export interface ResourceLine {
  readonly resource: 'luts' | 'dsps' | 'brams' | 'sprams';
  /** Unit name for messages (LCs, DSPs (SB_MAC16), EBR, SPRAM). */
  readonly unit: string;
  readonly estimate: number;
  readonly available: number;
}

export interface FitReport {
  readonly target: string;
  readonly device: string;
  readonly config: string;
  readonly macs: number;
  readonly lines: readonly ResourceLine[];
  readonly memories: readonly MemoryPlacement[];
  readonly fits: boolean;
  /** Each a full sentence: what does not fit, and what to do. */
  readonly problems: readonly string[];
  /** Fits, but tight (P&R may struggle). */
  readonly warnings: readonly string[];
}

/** Logic above this share of the device is flagged: nextpnr's packing rarely reaches 100 %. */
export const LUT_WARN_SHARE = 0.85;
/**
 * Logic is refused only above this share: DSP and block-RAM counts are near exact, the logic
 * estimate is not (±15 % against nextpnr), so a borderline config gets a warning and a try.
 */
export const LUT_REFUSE_SHARE = 1.15;

/** Blocks for one depth × width memory: the best single shape, tiled. */
export function blocksFor(depth: number, width: number, shapes: ReadonlyArray<readonly [number, number]>): number {
  let best = Infinity;
  for (const [d, w] of shapes) best = Math.min(best, Math.ceil(width / w) * Math.ceil(depth / d));
  return best;
}

/** The memories of a config as the chip builds them (docs/microarch.md §1, §9). */
export function chipMemories(cfg: ChipConfig): Array<{ name: string; depth: number; width: number; copies: number }> {
  const W = cfg.derived.W;
  const B = cfg.dma.bytesPerCycle;
  const mainWidth = Math.max(32, 8 * B);
  return [
    { name: 'main', depth: Math.ceil((cfg.memory.mainBytes * 8) / mainWidth), width: mainWidth, copies: 1 },
    { name: 'imem', depth: cfg.memory.imemWords, width: 64, copies: 1 },
    // One copy per read port, written together (docs/microarch.md §1a): sp general and owner; the
    // array's left and top copies are row-interleaved NI ways (NI = R resp. C rounded up to a power
    // of two), NI RAMs of ⌈spRows / NI⌉ words each; acc/grad general and owner.
    { name: 'sp', depth: cfg.memory.spRows, width: 8 * W, copies: 2 },
    ...[cfg.array.rows, cfg.array.cols].map((n) => {
      const ni = n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
      return { name: 'sp', depth: Math.ceil(cfg.memory.spRows / ni), width: 8 * W, copies: ni };
    }),
    { name: 'acc', depth: cfg.memory.accRows, width: 32 * W, copies: 2 },
    { name: 'grad', depth: cfg.memory.gradRows, width: 32 * W, copies: 2 },
  ];
}

function placeMemories(cfg: ChipConfig, t: TargetRecord): MemoryPlacement[] {
  const costs = COSTS[t.family];
  // The generated RTL keeps every memory in block RAM (SPRAM, single-ported, is not used yet).
  return chipMemories(cfg).map((m) => {
    return { ...m, kind: 'bram' as const, blocks: m.copies * blocksFor(m.depth, m.width, costs.bramShapes) };
  });
}

function logicEstimate(t: TargetRecord, pes: number, dspPEs: number, lanes: number, vpuLanes: number): number {
  const c = COSTS[t.family];
  const vpuMult = t.budget.dsps === 0 ? vpuLanes * c.vpuLutMult : 0;
  return Math.round(c.packing * (c.base + c.board + lanes * c.perLane + vpuLanes * c.perVpuLane + vpuMult + pes * c.pe + (pes - dspPEs) * c.lutMult));
}

/** The largest r×c (r ≤ rows, c ≤ cols) whose logic fits `share` of the device; ties keep columns. */
function largestFitting(t: TargetRecord, rows: number, cols: number, vpuLanes: number, share: number, dspFor: (pes: number) => number): [number, number] | undefined {
  let best: [number, number] | undefined;
  for (let c = cols; c >= 1; c--) {
    for (let r = rows; r >= 1; r--) {
      const pes = r * c;
      if (logicEstimate(t, pes, dspFor(pes), Math.max(r, c), Math.min(vpuLanes, Math.max(r, c))) <= t.budget.luts * share) {
        if (!best || pes > best[0] * best[1]) best = [r, c];
        break;
      }
    }
  }
  return best;
}

/** Largest r×c ≤ limit with r ≤ rows, c ≤ cols (most MACs; on a tie, more columns). */
function shrinkArray(rows: number, cols: number, limit: number): [number, number] | undefined {
  let best: [number, number] | undefined;
  for (let c = cols; c >= 1; c--) {
    const r = Math.min(rows, Math.floor(limit / c));
    if (r >= 1 && (!best || r * c > best[0] * best[1])) best = [r, c];
  }
  return best;
}

const pct = (a: number, b: number): string => (b === 0 ? '∞' : `${Math.round((100 * a) / b)} %`);

/** Estimate a config on a target and decide whether it fits. Pure. */
function inventoryMemories(inv: RtlInventory, t: TargetRecord): MemoryPlacement[] {
  const shapes = COSTS[t.family].bramShapes;
  return inv.rams.map((r) => ({
    name: r.module, depth: r.words, width: r.lanes * r.bits, copies: r.count, kind: 'bram' as const,
    blocks: r.count * blocksFor(r.words, r.lanes * r.bits, shapes),
  }));
}

/**
 * Estimate a config on a target and decide whether it fits. Pure. Pass the generated RTL's
 * inventory (rtl-inventory.ts) when there is one: block RAM is then counted from the real RAMs.
 */
export function estimateFit(cfg: ChipConfig, t: TargetRecord, rtl?: RtlInventory): FitReport {
  const c = COSTS[t.family];
  const { rows, cols } = cfg.array;
  const pes = rows * cols;
  const lanes = cfg.derived.W;
  const vpuLanes = cfg.derived.vpuLanes;
  // A device without DSPs builds every multiplier in logic whatever the config asks.
  const dspPEs = t.budget.dsps === 0 ? 0 : cfg.derived.dspPEs;
  const vpuDsps = t.budget.dsps === 0 ? 0 : vpuLanes * c.vpuDsps + c.addrDsps;
  const memories = rtl ? inventoryMemories(rtl, t) : placeMemories(cfg, t);
  const brams = memories.filter((m) => m.kind === 'bram').reduce((s, m) => s + m.blocks, 0);
  const sprams = memories.filter((m) => m.kind === 'spram').reduce((s, m) => s + m.blocks, 0);
  const luts = logicEstimate(t, pes, dspPEs, lanes, vpuLanes);
  const lines: ResourceLine[] = [
    { resource: 'luts', unit: c.lutName, estimate: luts, available: t.budget.luts },
    { resource: 'dsps', unit: c.dspName, estimate: dspPEs + vpuDsps, available: t.budget.dsps },
    { resource: 'brams', unit: c.bramName, estimate: brams, available: t.budget.brams },
  ];
  if (t.budget.sprams > 0) lines.push({ resource: 'sprams', unit: 'SPRAM', estimate: sprams, available: t.budget.sprams });

  const problems: string[] = [];
  const warnings: string[] = [];
  const arr = `${rows}×${cols} array`;

  if (t.budget.dsps === 0 && cfg.derived.dspPEs > 0) {
    warnings.push(`${t.device} has no DSPs: all ${pes} multipliers will be LUT logic (array.mult: "lut" says so explicitly)`);
  }
  if (dspPEs + vpuDsps > t.budget.dsps) {
    // The vector unit's multipliers come first: they are not optional, the PEs can use logic.
    const forPes = Math.max(0, t.budget.dsps - vpuDsps);
    const hint: string[] = [];
    if (forPes === 0) {
      hint.push(`the vector unit and operand checks alone need ${vpuDsps} (${vpuLanes} lane${vpuLanes === 1 ? '' : 's'} × ${c.vpuDsps} + ${c.addrDsps}); use array.mult: "lut" and fewer vpu.lanes`);
    } else {
      const mixLuts = logicEstimate(t, pes, Math.min(pes, forPes), lanes, vpuLanes);
      const tight = mixLuts > t.budget.luts * LUT_WARN_SHARE ? `; about ${mixLuts} ${c.lutName}, ${pct(mixLuts, t.budget.luts)} of the device` : '';
      hint.push(`use mult=lut for ${pes - forPes} PEs (array.mult: ${forPes}${tight})`);
      const s = shrinkArray(rows, cols, forPes);
      if (s) hint.push(`--rows ${s[0]} --cols ${s[1]}`);
    }
    const vpu = vpuDsps > 0 ? ` plus ${vpuDsps} for the vector unit and operand checks (${vpuLanes} lane${vpuLanes === 1 ? '' : 's'} × ${c.vpuDsps} + ${c.addrDsps})` : '';
    problems.push(`${arr} needs ${dspPEs} multipliers${vpu}; ${t.device} has ${t.budget.dsps} DSPs: ${hint.join(', or ')}`);
  }
  if (luts > t.budget.luts * LUT_REFUSE_SHARE) {
    const s = largestFitting(t, rows, cols, vpuLanes, LUT_WARN_SHARE, (n) => (t.budget.dsps === 0 ? 0 : Math.min(n, cfg.derived.dspPEs)));
    problems.push(`${arr} needs about ${luts} ${c.lutName}; ${t.device} has ${t.budget.luts}: ${s ? `--rows ${s[0]} --cols ${s[1]} would fit` : 'even a 1×1 array would not fit (the controller, vector unit and memory ports dominate)'}`);
  } else if (luts > t.budget.luts * LUT_WARN_SHARE) {
    warnings.push(`logic estimate ${luts} ${c.lutName} is ${pct(luts, t.budget.luts)} of ${t.device}: it may not fit; place-and-route will tell`);
  }
  if (brams > t.budget.brams) {
    const big = memories.filter((m) => m.kind === 'bram').sort((a, b) => b.blocks - a.blocks);
    const parts = big.slice(0, 4).map((m) => (m.copies > 1 ? `${m.name} ×${m.copies}: ${m.blocks}` : `${m.name} ${m.blocks}`)).join(', ');
    const first = big[0];
    const key = !rtl && first ? { main: 'memory.mainBytes', imem: 'memory.imemWords', sp: 'memory.spRows', acc: 'memory.accRows', grad: 'memory.gradRows' }[first.name] : undefined;
    const fix = key
      ? `: make ${key} smaller`
      : first
        ? `: the largest group is ${first.copies} × ${first.depth} words × ${first.width} bits, ${first.blocks / first.copies} blocks each (${t.family === 'ice40' ? 'an EBR holds 256 × 16' : 'a DP16KD holds 512 × 36'})`
        : '';
    problems.push(`memories need ${brams} ${c.bramName} blocks (${parts}); ${t.device} has ${t.budget.brams}${fix}`);
  }
  return {
    target: t.name, device: t.device, config: cfg.name, macs: pes, lines, memories,
    fits: problems.length === 0, problems, warnings,
  };
}

/** A demo-core build (fpga/rtl/demo-core.ts): same cost model, R·C PEs, one small main memory. */
export function estimateDemoFit(t: TargetRecord, rows: number, cols: number, mainWords: number): FitReport {
  const c = COSTS[t.family];
  const pes = rows * cols;
  const dspPEs = Math.min(pes, t.budget.dsps);
  const brams = blocksFor(mainWords, 32, c.bramShapes);
  // The demo has no controller/VPU: counters and address logic only (~300). Measured here:
  // 2×4 on ice40-up5k 1913 LCs (estimate 2100); 4×4 on ecp5-25f 2211 LUT4s (estimate 2340).
  const luts = 300 + c.board + pes * c.demoPe + (pes - dspPEs) * c.lutMult;
  const lines: ResourceLine[] = [
    { resource: 'luts', unit: c.lutName, estimate: luts, available: t.budget.luts },
    { resource: 'dsps', unit: c.dspName, estimate: dspPEs, available: t.budget.dsps },
    { resource: 'brams', unit: c.bramName, estimate: brams, available: t.budget.brams },
  ];
  const problems = lines.filter((l) => l.estimate > l.available).map((l) => `demo ${rows}×${cols} needs ${l.estimate} ${l.unit}; ${t.device} has ${l.available}`);
  return {
    target: t.name, device: t.device, config: `demo-${rows}x${cols}`, macs: pes, lines,
    memories: [{ name: 'main', depth: mainWords, width: 32, copies: 1, kind: 'bram', blocks: brams }],
    fits: problems.length === 0, problems, warnings: [],
  };
}

export interface FitComparison {
  readonly resource: ResourceLine['resource'];
  readonly unit: string;
  readonly estimate: number;
  readonly actual: number;
  readonly available: number;
  /** (estimate − actual) / actual; null when actual is 0. */
  readonly error: number | null;
}

/** Put the estimate next to what nextpnr reported. */
export function compareFit(est: FitReport, actual: Partial<Record<ResourceLine['resource'], number>>): FitComparison[] {
  return est.lines.map((l) => {
    const a = actual[l.resource] ?? 0;
    return { resource: l.resource, unit: l.unit, estimate: l.estimate, actual: a, available: l.available, error: a === 0 ? null : (l.estimate - a) / a };
  });
}
