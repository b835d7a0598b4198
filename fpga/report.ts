import { FpgaError } from './errors.js';
import type { ReportCells } from './targets.js';

/**
 * Reading nextpnr's `--report` JSON (utilization per cell type, fmax per clock, critical paths).
 * Validated field by field: a tool upgrade that changes the shape is a clear error, not NaN.
 */
export interface Utilization {
  readonly used: number;
  readonly available: number;
}

export interface CriticalPath {
  readonly from: string;
  readonly to: string;
  /** Total path delay, ns. */
  readonly delayNs: number;
  /** Cells along the path, source first. */
  readonly cells: readonly string[];
}

export interface PnrReport {
  readonly utilization: Readonly<Record<string, Utilization>>;
  /** Per clock net: achieved and constrained MHz. */
  readonly fmax: Readonly<Record<string, { readonly achievedMhz: number; readonly constraintMhz: number }>>;
  readonly criticalPaths: readonly CriticalPath[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

export function parsePnrReport(text: string): PnrReport {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new FpgaError('report', `nextpnr report is not JSON (${(e as Error).message})`);
  }
  if (!isObj(j) || !isObj(j.utilization)) throw new FpgaError('report', 'nextpnr report has no "utilization" object');
  const utilization: Record<string, Utilization> = {};
  for (const [k, v] of Object.entries(j.utilization)) {
    if (isObj(v) && num(v.used) !== undefined && num(v.available) !== undefined) utilization[k] = { used: num(v.used)!, available: num(v.available)! };
  }
  const fmax: Record<string, { achievedMhz: number; constraintMhz: number }> = {};
  if (isObj(j.fmax)) {
    for (const [k, v] of Object.entries(j.fmax)) {
      if (isObj(v) && num(v.achieved) !== undefined) fmax[k] = { achievedMhz: num(v.achieved)!, constraintMhz: num(v.constraint) ?? 0 };
    }
  }
  const criticalPaths: CriticalPath[] = [];
  if (Array.isArray(j.critical_paths)) {
    for (const p of j.critical_paths) {
      if (!isObj(p) || !Array.isArray(p.path)) continue;
      let delay = 0;
      const cells: string[] = [];
      for (const seg of p.path) {
        if (!isObj(seg)) continue;
        delay += num(seg.delay) ?? 0;
        for (const end of [seg.from, seg.to]) {
          if (isObj(end) && typeof end.cell === 'string' && cells[cells.length - 1] !== end.cell) cells.push(end.cell);
        }
      }
      criticalPaths.push({ from: String(p.from ?? '?'), to: String(p.to ?? '?'), delayNs: delay, cells });
    }
  }
  return { utilization, fmax, criticalPaths };
}

export interface ResourceUse {
  readonly luts: Utilization;
  readonly dsps: Utilization;
  readonly brams: Utilization;
  readonly sprams?: Utilization;
  readonly plls: Utilization;
}

/** Pick the resources accelgen budgets out of a report, by the target's cell names. */
export function resourceUse(r: PnrReport, cells: ReportCells): ResourceUse {
  const get = (name: string): Utilization => r.utilization[name] ?? { used: 0, available: 0 };
  return {
    luts: get(cells.luts),
    dsps: get(cells.dsps),
    brams: get(cells.brams),
    ...(cells.sprams ? { sprams: get(cells.sprams) } : {}),
    plls: get(cells.plls),
  };
}

/**
 * The design clock's fmax: the clock net driving most of the design is the one the PLL (or the
 * board oscillator) feeds; nextpnr names it after the net (`clk`, or `clk_in$SB_IO_IN` …).
 * Takes the lowest achieved fmax across clocks, which is what limits the design.
 */
export function designFmax(r: PnrReport): { net: string; achievedMhz: number; constraintMhz: number } | undefined {
  let best: { net: string; achievedMhz: number; constraintMhz: number } | undefined;
  for (const [net, f] of Object.entries(r.fmax)) if (!best || f.achievedMhz < best.achievedMhz) best = { net, ...f };
  return best;
}
