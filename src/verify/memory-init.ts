/**
 * The initial memory image of a generated program, and how to put it into a backend.
 *
 * Local memories are small (a few tens of KiB at most), so the image holds them whole (and lists the
 * rows the program can touch, see `footprint`). Main memory can be 16 MiB, so programs only use a
 * window [mainBase, mainBase + main.length) — at the bottom or the very top of main — and the image
 * covers just that window; `writeInit(..., { clearMain: true })` zeroes the rest when a comparison
 * of all of main is wanted.
 */
import type { ChipConfig } from '../config/index.js';
import type { ChipBackend } from '../host/backend.js';
import type { Rng } from './rng.js';
import { MEM_NAMES, type MemName } from '../isa/table.js';

/** Sorted, disjoint half-open row ranges [lo, hi). */
export type RowRanges = ReadonlyArray<readonly [number, number]>;

export interface MemoryInit {
  /** Main memory bytes [mainBase, mainBase + main.length): the only main bytes the program touches. */
  readonly main: Uint8Array;
  readonly mainBase: number;
  /** Whole scratchpad: spRows·W int8. */
  readonly sp: Int8Array;
  /** Whole accumulator memory: accRows·W int32. */
  readonly acc: Int32Array;
  /** Whole gradient buffer: gradRows·W int32. */
  readonly grad: Int32Array;
  /**
   * The local rows the program can touch (its generator proved nothing else is read or written).
   * With scope 'footprint', only these rows are written before and compared after a run.
   */
  readonly footprint?: Readonly<Record<MemName, RowRanges>>;
}

export type CompareScope = 'full' | 'footprint';

/**
 * Random int32 rows: mostly small magnitudes (so rq/sgd/vmul give unsaturated, interesting
 * results), some full-range rows (wrapping, saturation, sign extension of large values).
 */
function randomWords(out: Int32Array, W: number, rng: Rng): void {
  for (let row = 0; row * W < out.length; row++) {
    const kind = rng.int(0, 9);
    const bits = kind < 5 ? 12 : kind < 8 ? 20 : 32;
    for (let lane = 0; lane < W; lane++) {
      const v = rng.u32();
      out[row * W + lane] = bits === 32 ? v | 0 : (v >> (32 - bits)) | 0;
    }
  }
}

/** A seeded random image: random bytes in the main window and random contents in every local memory. */
export function randomMemoryInit(config: ChipConfig, rng: Rng, mainBase: number, mainWindow: number, footprint?: Readonly<Record<MemName, RowRanges>>): MemoryInit {
  const W = config.derived.W;
  const m = config.memory;
  const main = new Uint8Array(Math.min(mainWindow, m.mainBytes - mainBase));
  rng.fillBytes(main);
  const sp = new Int8Array(m.spRows * W);
  rng.fillBytes(sp);
  const acc = new Int32Array(m.accRows * W);
  randomWords(acc, W, rng);
  const grad = new Int32Array(m.gradRows * W);
  randomWords(grad, W, rng);
  return { main, mainBase, sp, acc, grad, ...(footprint ? { footprint } : {}) };
}

export interface WriteInitOptions {
  /**
   * 'full' (default) writes every local memory whole; 'footprint' only the rows in
   * `init.footprint` (much cheaper over the RTL's host bus; the rest must already agree).
   */
  readonly scope?: CompareScope;
  /** Also write zeros to main beyond the image, so all of main can be compared afterwards. */
  readonly clearMain?: boolean;
  /** Pad the program with zero words (nop) to the whole instruction memory. */
  readonly padImem?: boolean;
}

/** Load the program and the memory image into a backend (the chip must not be running). */
export function writeInit(backend: ChipBackend, words: readonly bigint[], init: MemoryInit, opts: WriteInitOptions = {}): void {
  const cfg = backend.config;
  if (opts.padImem && words.length < cfg.memory.imemWords) {
    backend.loadProgram([...words, ...new Array<bigint>(cfg.memory.imemWords - words.length).fill(0n)]);
  } else {
    backend.loadProgram(words);
  }
  const end = init.mainBase + init.main.length;
  if (opts.clearMain && init.mainBase > 0) backend.writeMain(0, new Uint8Array(init.mainBase));
  backend.writeMain(init.mainBase, init.main);
  if (opts.clearMain && end < cfg.memory.mainBytes) backend.writeMain(end, new Uint8Array(cfg.memory.mainBytes - end));
  const W = cfg.derived.W;
  for (const mem of MEM_NAMES) {
    const image = init[mem];
    if (opts.scope === 'footprint' && init.footprint) {
      for (const [lo, hi] of init.footprint[mem]) backend.writeLocal(mem, lo, image.subarray(lo * W, hi * W));
    } else {
      backend.writeLocal(mem, 0, image);
    }
  }
}
