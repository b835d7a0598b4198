/**
 * Shared state of one program generation: the builder, the RNG, the config-derived limits, the
 * "hot zones" most addresses fall in, and the address picker that turns a wanted footprint into a
 * `reg + offset` the static checker accepts for every loop iteration.
 */
import type { ChipConfig } from '../config/index.js';
import { LOCK_REGIONS } from '../config/index.js';
import type { MemName } from '../isa/table.js';
import { ProgramBuilder } from './builder.js';
import { memRows, type Interval } from './footprint.js';
import type { Rng } from './rng.js';

/** Offsets of local-row fields are 14 bits, main-byte offsets 18 bits (src/isa/table.ts). */
export const LOCAL_OFF_MAX = (1 << 14) - 1;
export const MAIN_OFF_MAX = (1 << 18) - 1;

/** Registers with fixed roles, so blocks never clobber each other's state. */
export const REGS = {
  /** Address bases; blocks may rewrite them outside loops. */
  addr: [1, 2, 3, 4, 5, 6, 14],
  /**
   * Set once in the prologue near the main window's base and never rewritten: main offsets are
   * 18 bits, so a window at the top of a large main memory is reachable only through a register.
   */
  mainBase: 15,
  /** Scratch for add/sub results (values may be large; used as bases only if they happen to fit). */
  scratch: [7, 8, 9],
  /** Loop machinery: counter, bound, local-row induction, main-byte induction. */
  loopCounter: 10,
  loopBound: 11,
  loopLocal: 12,
  loopMain: 13,
} as const;

export interface AddrRequest {
  /** Exclusive upper bound of the address space (rows or bytes). */
  readonly limit: number;
  /** Lowest address allowed (default 0). */
  readonly lowest?: number;
  /** Accessed set relative to the start address: [start + relLo, start + relHi). */
  readonly relLo: number;
  readonly relHi: number;
  readonly offMax: number;
  /** Where the start address should preferably land (absolute, inclusive..exclusive). */
  readonly zones?: readonly Interval[];
  /** Registers to prefer as base (loop induction registers). */
  readonly prefer?: readonly number[];
}

export interface Addr {
  readonly reg: number;
  readonly off: number;
}

export class GenContext {
  readonly b: ProgramBuilder;
  readonly W: number;
  readonly R: number;
  readonly C: number;
  /** Bytes of main memory programs use, from mainBase (keeps images small; see MemoryInit). */
  readonly mainWindow: number;
  /** First byte of the main window: 0, or the top of main so the upper range check is exercised. */
  readonly mainBase: number;
  readonly zones: Readonly<Record<MemName, readonly Interval[]>>;
  /** Conservative cycle estimate of what has been emitted (serialized durations). */
  estCycles = 0;
  /** Multiplier for estCycles while generating a loop body. */
  costScale = 1;

  constructor(readonly config: ChipConfig, readonly rng: Rng, maxWords: number, mainWindow: number, mainBase: number, readonly cycleBudget: number) {
    this.b = new ProgramBuilder(config, maxWords);
    this.W = config.derived.W;
    this.R = config.array.rows;
    this.C = config.array.cols;
    this.mainWindow = mainWindow;
    this.mainBase = mainBase;
    this.zones = {
      sp: this.makeZones(memRows(config, 'sp'), 4 * this.W),
      acc: this.makeZones(memRows(config, 'acc'), 2 * this.W),
      grad: this.makeZones(memRows(config, 'grad'), 2 * this.W),
    };
  }

  rows(mem: MemName): number {
    return memRows(this.config, mem);
  }

  /** Flush cycles F of the config. */
  get F(): number {
    return this.config.derived.flushCycles;
  }

  /** Account for an instruction's duration in the cycle estimate. */
  cost(cycles: number): void {
    this.estCycles += cycles * this.costScale;
  }

  /** Cycles left under the budget (for sizing the next operation). */
  budgetLeft(): number {
    return this.cycleBudget - this.estCycles;
  }

  /**
   * One hot zone per lock region (so interlocks between regions are exercised) plus one that
   * straddles a region boundary; most accesses land in them, so later instructions read what
   * earlier ones wrote and units collide on regions.
   */
  private makeZones(rows: number, len: number): Interval[] {
    const region = rows / LOCK_REGIONS;
    const z: Interval[] = [];
    for (let r = 0; r < LOCK_REGIONS; r++) {
      const size = Math.min(region, len);
      const start = r * region + this.rng.int(0, region - size);
      z.push({ lo: start, hi: start + size });
    }
    if (region >= 2) {
      const boundary = region * this.rng.int(1, LOCK_REGIONS - 1);
      const half = Math.max(1, Math.min(len >> 1, region));
      z.push({ lo: Math.max(0, boundary - half), hi: Math.min(rows, boundary + half) });
    }
    return z;
  }

  /** Known interval of a register (undefined = unknown). */
  regInterval(r: number): Interval | undefined {
    return this.b.reg(r);
  }

  /**
   * Choose a base register and offset so that [start + relLo, start + relHi) stays inside
   * [0, limit) for every value the register may hold. r0 is the fallback; returns undefined only if
   * the footprint cannot fit at all.
   */
  pickAddr(req: AddrRequest): Addr | undefined {
    const cands: Array<{ reg: number; lo: number; hi: number; offLo: number; offHi: number }> = [];
    for (let r = 0; r < 16; r++) {
      const iv = this.regInterval(r);
      if (!iv) continue;
      const offLo = Math.max(0, (req.lowest ?? 0) - iv.lo - req.relLo);
      const offHi = Math.min(req.offMax, req.limit - req.relHi - iv.hi);
      if (offLo <= offHi) cands.push({ reg: r, lo: iv.lo, hi: iv.hi, offLo, offHi });
    }
    if (cands.length === 0) return undefined;
    const preferred = cands.filter((c) => req.prefer?.includes(c.reg));
    const nonZero = cands.filter((c) => c.reg !== 0);
    const pool = preferred.length > 0 && this.rng.chance(0.8)
      ? preferred
      : nonZero.length > 0 && this.rng.chance(0.5) ? nonZero : cands;
    const c = this.rng.pick(pool);
    // Now and then sit exactly on an edge of the allowed range (first or last legal address),
    // where an off-by-one range check in either model would fault a legal program.
    if (this.rng.chance(0.12)) return { reg: c.reg, off: this.rng.chance(0.5) ? c.offLo : c.offHi };
    // Prefer an offset that lands the first start inside a hot zone.
    if (req.zones && req.zones.length > 0 && this.rng.chance(0.85)) {
      const fits = req.zones
        .map((z) => ({ lo: Math.max(c.offLo, z.lo - c.lo), hi: Math.min(c.offHi, z.hi - 1 - c.lo) }))
        .filter((z) => z.lo <= z.hi);
      if (fits.length > 0) {
        const z = this.rng.pick(fits);
        return { reg: c.reg, off: this.rng.int(z.lo, z.hi) };
      }
    }
    return { reg: c.reg, off: this.rng.int(c.offLo, c.offHi) };
  }

  /** Local rows [start, start + rows) of `mem`. */
  pickLocal(mem: MemName, rows: number, zones?: readonly Interval[]): Addr | undefined {
    return this.pickAddr({
      limit: this.rows(mem),
      relLo: 0,
      relHi: rows,
      offMax: LOCAL_OFF_MAX,
      zones: zones ?? this.zones[mem],
      prefer: [REGS.loopLocal],
    });
  }

  /** Main bytes: rows at start + r·stride, each `len` bytes, inside the program's window. */
  pickMain(rows: number, len: number, stride: number): Addr | undefined {
    const last = (rows - 1) * stride;
    return this.pickAddr({
      limit: this.mainBase + this.mainWindow,
      lowest: this.mainBase,
      relLo: Math.min(0, last),
      relHi: Math.max(0, last) + len,
      offMax: MAIN_OFF_MAX,
      prefer: [REGS.loopMain, REGS.mainBase],
    });
  }

  /** Absolute start of an address at the first iteration (for building related footprints). */
  startOf(a: Addr): number {
    const iv = this.regInterval(a.reg);
    return (iv?.lo ?? 0) + a.off;
  }

  inLoop(): boolean {
    return this.b.loop !== undefined;
  }
}
