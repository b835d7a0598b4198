/**
 * Derived structural numbers of one chip, computed once from the ChipConfig and passed to every
 * block generator (widths, bank counts, region sizes), so no generator recomputes them differently.
 */
import type { ChipConfig } from '../config/index.js';
import { LOCK_REGIONS } from '../config/index.js';
import { clog2 } from './ir/expr.js';
import { Library } from './library.js';

/** One local memory (sp, acc or grad) as the RTL sees it. */
export interface LocalMemGeom {
  readonly name: 'sp' | 'acc' | 'grad';
  readonly code: number;
  readonly rows: number;
  /** Row address bits. */
  readonly aw: number;
  /** Rows per lock region (rows / 4); each region is a separately written bank. */
  readonly q: number;
  /** Bytes per row (W for sp, 4·W for acc/grad). */
  readonly bytes: number;
  /** Element size in bytes (1 or 4). */
  readonly size: number;
}

export interface Ctx {
  readonly cfg: ChipConfig;
  readonly lib: Library;
  readonly R: number;
  readonly C: number;
  readonly W: number;
  /** DMA bytes per cycle. */
  readonly B: number;
  /** Main-memory byte banks: max(B, 4), so a DMA beat and a host word each touch distinct banks. */
  readonly NB: number;
  readonly P: number;
  readonly sp: LocalMemGeom;
  readonly acc: LocalMemGeom;
  readonly grad: LocalMemGeom;
  /** Main memory byte-address bits. */
  readonly mainAw: number;
  /** Instruction-memory address bits. */
  readonly imemAw: number;
  /** PC register bits: holds every target (16 bits) and imemWords (falling off the end). */
  readonly pcw: number;
  /** Number of PEs whose multiplier is a DSP (row-major first). */
  readonly dspPEs: number;
}

export function makeCtx(cfg: ChipConfig): Ctx {
  const W = cfg.derived.W;
  const geom = (name: 'sp' | 'acc' | 'grad', code: number, rows: number, size: number): LocalMemGeom => ({
    name, code, rows, aw: clog2(rows), q: rows / LOCK_REGIONS, bytes: W * size, size,
  });
  const B = cfg.dma.bytesPerCycle;
  return {
    cfg,
    lib: new Library(),
    R: cfg.array.rows,
    C: cfg.array.cols,
    W,
    B,
    NB: Math.max(B, 4),
    P: cfg.array.peLatency,
    sp: geom('sp', 0, cfg.memory.spRows, 1),
    acc: geom('acc', 1, cfg.memory.accRows, 4),
    grad: geom('grad', 2, cfg.memory.gradRows, 4),
    mainAw: clog2(cfg.memory.mainBytes),
    imemAw: clog2(cfg.memory.imemWords),
    pcw: Math.max(16, clog2(cfg.memory.imemWords + 1)),
    dspPEs: cfg.derived.dspPEs,
  };
}

export function isPow2(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

export function pow2ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
