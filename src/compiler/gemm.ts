import type { ChipConfig } from '../config/index.js';
import { ProgramBuilder } from './builder.js';

/**
 * GEMM compiler: Y (M×N int32) = A (M×K int8) · B (K×N int8), tiled onto any R×C array and memory size.
 *
 * Dataflow (docs/compiler.md): an output tile is R rows of A by C columns of B. A rows are streamed as
 * the *transposed* left operand (A is stored row-major, K contiguous: each W-lane block of a row is one
 * sp row, blocks LSTRIDE = R rows apart), B rows as the normal top operand. Tiles are computed in groups
 * of ga A-panels × gb B-panels that share one half of the scratchpad, while the DMA fills the other half
 * with the next group's panels; output tiles alternate PE banks so each drain overlaps the next matmul.
 */

export interface GemmShape {
  readonly M: number;
  readonly K: number;
  readonly N: number;
}

/** Where the operands live in main memory (byte addresses); A, B row-major, Y row-major int32. */
export interface GemmLayout {
  readonly aAddr: number;
  readonly bAddr: number;
  readonly yAddr: number;
  /** Bytes of main memory the layout uses. */
  readonly bytes: number;
}

export interface GemmProgram {
  readonly shape: GemmShape;
  readonly layout: GemmLayout;
  /** One or more programs run back to back (more than one only when a program exceeds imem). */
  readonly launches: readonly (readonly bigint[])[];
  readonly plan: { readonly scheme: 'grouped' | 'k-chunked'; readonly ga: number; readonly gb: number; readonly kChunk: number; readonly tiles: number };
}

/** A problem that does not fit the chip: names the memory and the shortfall. */
export class FitError extends Error {
  constructor(readonly memory: string, readonly needed: number, readonly available: number, readonly unit: string, detail: string) {
    super(`${memory} is short by ${needed - available} ${unit} (needs ${needed}, has ${available}): ${detail}`);
    this.name = 'FitError';
  }
}

const align = (x: number, a: number): number => Math.ceil(x / a) * a;

/** Place A, B and Y in main memory (16-byte aligned), or throw FitError. */
export function gemmLayout(cfg: ChipConfig, s: GemmShape): GemmLayout {
  const aAddr = 0;
  const bAddr = align(s.M * s.K, 16);
  const yAddr = align(bAddr + s.K * s.N, 16);
  const bytes = yAddr + s.M * s.N * 4;
  if (bytes > cfg.memory.mainBytes) {
    throw new FitError('main memory', bytes, cfg.memory.mainBytes, 'bytes', `A ${s.M}×${s.K} int8 + B ${s.K}×${s.N} int8 + Y ${s.M}×${s.N} int32`);
  }
  return { aAddr, bAddr, yAddr, bytes };
}

interface Tile {
  readonly mt: number;
  readonly nt: number;
}

/** Everything the emitters share. */
interface Ctx {
  readonly cfg: ChipConfig;
  readonly s: GemmShape;
  readonly L: GemmLayout;
  readonly R: number;
  readonly C: number;
  readonly W: number;
  readonly half: number;
  /** Largest K per mm instruction that keeps transposed blocks whole. */
  readonly kMax: number;
  /** acc rows of each drain slot, and the number of slots. */
  readonly slotRows: number;
  readonly slots: number;
}

function makeCtx(cfg: ChipConfig, s: GemmShape, L: GemmLayout): Ctx {
  const { rows: R, cols: C } = cfg.array;
  const W = cfg.derived.W;
  const regionRows = cfg.memory.accRows / 4;
  const slotRows = regionRows >= R ? regionRows : R;
  return {
    cfg, s, L, R, C, W,
    half: cfg.memory.spRows / 2,
    kMax: Math.floor(4096 / W) * W,
    slotRows,
    slots: Math.max(1, Math.floor(cfg.memory.accRows / slotRows)),
  };
}

/** One DMA instruction, emitted later by the scheduler; returns nothing, `cycles` is its duration. */
interface DmaOp {
  readonly cycles: number;
  readonly emit: () => void;
}

/** Loads of rows [m0, m0+mv) of A, columns [k0, k0+kn), as transposed-left blocks at sp row `at`. */
function loadA(b: ProgramBuilder, c: Ctx, at: number, mt: number, k0: number, kn: number): DmaOp[] {
  const m0 = mt * c.R;
  const mv = Math.min(c.R, c.s.M - m0);
  const ops: DmaOp[] = [];
  for (let blk = 0; blk * c.W < kn; blk++) {
    const kv = Math.min(c.W, kn - blk * c.W);
    const row = at + blk * c.R;
    const addr = c.L.aAddr + m0 * c.s.K + k0 + blk * c.W;
    ops.push({ cycles: b.dmaCycles('sp', mv, kv), emit: () => b.ld('sp', row, addr, mv, kv, c.s.K) });
  }
  return ops;
}

/** Loads of rows [k0, k0+kn) of B, columns of tile nt, as the normal top operand at sp row `at`. */
function loadB(b: ProgramBuilder, c: Ctx, at: number, nt: number, k0: number, kn: number): DmaOp[] {
  const n0 = nt * c.C;
  const nv = Math.min(c.C, c.s.N - n0);
  const ops: DmaOp[] = [];
  // Pieces of at most 64 rows keep each ld short, so the in-order controller is never stuck behind one
  // long transfer while the array waits for its next matmul.
  for (let kk = 0; kk < kn; kk += 64) {
    const rows = Math.min(64, kn - kk);
    const addr = c.L.bAddr + (k0 + kk) * c.s.N + n0;
    ops.push({ cycles: b.dmaCycles('sp', rows, nv), emit: () => b.ld('sp', at + kk, addr, rows, nv, c.s.N) });
  }
  return ops;
}

/** mm over kn steps; splits at kMax (a multiple of W so transposed blocks stay aligned). */
function matmul(b: ProgramBuilder, c: Ctx, aAt: number, bAt: number, kn: number, bank: number, accumulate: boolean): void {
  b.cfg('LSTRIDE', c.R);
  for (let k0 = 0; k0 < kn; k0 += c.kMax) {
    const k = Math.min(c.kMax, kn - k0);
    b.op('mm', { lreg: 0, loff: aAt + (k0 / c.W) * c.R, treg: 0, toff: bAt + k0, k, bank, acc: accumulate || k0 > 0 ? 1 : 0, tl: 1, tt: 0 });
  }
}

/** Drain a finished tile into its acc slot and store its valid part to Y. Returns the store's DMA cycles. */
function drainStore(b: ProgramBuilder, c: Ctx, t: Tile, seq: number): number {
  const slot = (seq % c.slots) * c.slotRows;
  b.op('drain', { mem: 1, dreg: 0, doff: slot, bank: seq % 2, add: 0, t: 0 });
  const m0 = t.mt * c.R;
  const n0 = t.nt * c.C;
  const mv = Math.min(c.R, c.s.M - m0);
  const nv = Math.min(c.C, c.s.N - n0);
  b.st(c.L.yAddr + (m0 * c.s.N + n0) * 4, 'acc', slot, mv, nv, c.s.N * 4);
  return b.dmaCycles('acc', mv, nv);
}

interface Group {
  readonly mts: readonly number[];
  readonly nts: readonly number[];
}

/** Emit one launch of the grouped scheme. */
function emitGrouped(c: Ctx, groups: readonly Group[], ga: number): bigint[] {
  const b = new ProgramBuilder(c.cfg);
  const aRows = Math.ceil(c.s.K / c.W) * c.R;
  const bRows = c.s.K;
  const K = c.s.K;
  const F = c.cfg.derived.flushCycles;
  const base = (g: number, p: number, q: number | null): number =>
    (g % 2) * c.half + (q === null ? p * aRows : ga * aRows + q * bRows);
  const loads = (g: number): DmaOp[] => {
    const grp = groups[g]!;
    return [
      ...grp.mts.flatMap((mt, p) => loadA(b, c, base(g, p, null), mt, 0, K)),
      ...grp.nts.flatMap((nt, q) => loadB(b, c, base(g, 0, q), nt, 0, K)),
    ];
  };
  // A coarse model of the timing contract (docs/microarch.md §3–4) decides where DMA work goes: the
  // controller issues in order and blocks on a busy unit, so a load is placed after a matmul only if
  // the DMA can start it before the array needs its next matmul.
  let dmaFree = 0;
  for (const op of loads(0)) {
    op.emit();
    dmaFree += op.cycles;
  }
  let mmAt = dmaFree; // issue time of the current matmul
  let seq = 0;
  let prev: Tile | null = null;
  for (let g = 0; g < groups.length; g++) {
    const queue = g + 1 < groups.length ? loads(g + 1) : [];
    const grp = groups[g]!;
    for (let p = 0; p < grp.mts.length; p++) {
      for (let q = 0; q < grp.nts.length; q++) {
        matmul(b, c, base(g, p, null), base(g, 0, q), K, seq % 2, false);
        if (prev) {
          const stCycles = drainStore(b, c, prev, seq - 1);
          dmaFree = Math.max(dmaFree, mmAt + F + c.R + 3) + stCycles;
        }
        const nextMm = mmAt + Math.ceil(K / c.kMax) * Math.min(K, c.kMax);
        while (queue.length > 0 && Math.max(dmaFree, mmAt + 1) < nextMm - 1) {
          const op = queue.shift()!;
          op.emit();
          dmaFree = Math.max(dmaFree, mmAt + 1) + op.cycles;
        }
        mmAt = nextMm;
        prev = { mt: grp.mts[p]!, nt: grp.nts[q]! };
        seq++;
      }
    }
    for (const op of queue) {
      op.emit();
      dmaFree = Math.max(dmaFree, mmAt) + op.cycles;
    }
    mmAt = Math.max(mmAt, dmaFree);
  }
  if (prev) drainStore(b, c, prev, seq - 1);
  b.op('halt');
  return b.words;
}

/** Emit one launch of the K-chunked scheme (K too long for a panel pair in half the sp). */
function emitChunked(c: Ctx, tiles: readonly Tile[], kc: number): bigint[] {
  const b = new ProgramBuilder(c.cfg);
  const aRows = Math.ceil(kc / c.W) * c.R;
  const chunks: Array<{ t: Tile; k0: number; kn: number; last: boolean }> = [];
  for (const t of tiles) {
    for (let k0 = 0; k0 < c.s.K; k0 += kc) chunks.push({ t, k0, kn: Math.min(kc, c.s.K - k0), last: k0 + kc >= c.s.K });
  }
  const at = (i: number): { a: number; b: number } => ({ a: (i % 2) * c.half, b: (i % 2) * c.half + aRows });
  const load = (i: number): void => {
    const ch = chunks[i]!;
    for (const op of loadA(b, c, at(i).a, ch.t.mt, ch.k0, ch.kn)) op.emit();
    for (const op of loadB(b, c, at(i).b, ch.t.nt, ch.k0, ch.kn)) op.emit();
  };
  if (chunks.length > 0) load(0);
  let seq = 0;
  for (let i = 0; i < chunks.length; i++) {
    const ch = chunks[i]!;
    matmul(b, c, at(i).a, at(i).b, ch.kn, seq % 2, ch.k0 > 0);
    if (i + 1 < chunks.length) load(i + 1);
    if (ch.last) {
      drainStore(b, c, ch.t, seq);
      seq++;
    }
  }
  b.op('halt');
  return b.words;
}

/** Split items into launches whose programs fit instruction memory. */
function pack<T>(items: readonly T[], emit: (part: readonly T[]) => bigint[], imem: number, what: string): bigint[][] {
  const out: bigint[][] = [];
  let i = 0;
  while (i < items.length) {
    let n = items.length - i;
    let words = emit(items.slice(i, i + n));
    while (words.length > imem && n > 1) {
      n = Math.max(1, Math.floor((n * imem) / words.length * 0.95));
      words = emit(items.slice(i, i + n));
    }
    if (words.length > imem) throw new FitError('instruction memory', words.length, imem, 'words', `one ${what} needs ${words.length} instructions`);
    out.push(words);
    i += n;
  }
  return out;
}

/** Compile Y = A·B for this config. Throws FitError when the problem cannot fit. */
export function compileGemm(cfg: ChipConfig, s: GemmShape): GemmProgram {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`GEMM dimension ${k} must be a positive integer, not ${v}`);
  }
  const L = gemmLayout(cfg, s);
  const c = makeCtx(cfg, s, L);
  const mTiles = Math.ceil(s.M / c.R);
  const nTiles = Math.ceil(s.N / c.C);
  const aRows = Math.ceil(s.K / c.W) * c.R;
  const bRows = s.K;
  const tiles = mTiles * nTiles;

  if (aRows + bRows <= c.half) {
    // Group shapes by reuse (fewest panel rows loaded per tile), best first; a shape whose single
    // group does not fit instruction memory gives way to the next.
    const shapes: Array<{ ga: number; gb: number; score: number }> = [];
    for (let ga = 1; ga <= mTiles; ga++) {
      const gbMax = Math.min(nTiles, Math.floor((c.half - ga * aRows) / bRows));
      // The largest gb, and halvings of it as smaller fallbacks.
      for (let gb = gbMax; gb >= 1; gb = gb === 1 ? 0 : Math.floor(gb / 2)) {
        shapes.push({ ga, gb, score: (ga * gb) / (ga * aRows + gb * bRows) });
      }
    }
    shapes.sort((x, y) => y.score - x.score || y.ga * y.gb - x.ga * x.gb);
    let lastErr: FitError | null = null;
    for (const { ga, gb } of shapes) {
      const groups: Group[] = [];
      for (let gm = 0; gm < mTiles; gm += ga) {
        for (let gn = 0; gn < nTiles; gn += gb) {
          const mts = Array.from({ length: Math.min(ga, mTiles - gm) }, (_, i) => gm + i);
          const nts = Array.from({ length: Math.min(gb, nTiles - gn) }, (_, i) => gn + i);
          groups.push({ mts, nts });
        }
      }
      try {
        const launches = pack(groups, (part) => emitGrouped(c, part, ga), cfg.memory.imemWords, 'tile group');
        return { shape: s, layout: L, launches, plan: { scheme: 'grouped', ga, gb, kChunk: s.K, tiles } };
      } catch (e) {
        if (!(e instanceof FitError)) throw e;
        lastErr = e;
      }
    }
    if (lastErr) throw lastErr;
  }

  // K-chunked: the largest chunk (a multiple of W) whose A and B parts fit half the scratchpad.
  let kc = Math.floor((c.half * c.W) / (c.R + c.W) / c.W) * c.W;
  while (kc > c.W && Math.ceil(kc / c.W) * c.R + kc > c.half) kc -= c.W;
  if (kc < 1 || Math.ceil(kc / c.W) * c.R + kc > c.half) {
    throw new FitError('scratchpad', 2 * (c.R + c.W), cfg.memory.spRows, 'rows', 'cannot hold one operand block pair per half');
  }
  const tileList: Tile[] = [];
  for (let mt = 0; mt < mTiles; mt++) for (let nt = 0; nt < nTiles; nt++) tileList.push({ mt, nt });
  const launches = pack(tileList, (part) => emitChunked(c, part, kc), cfg.memory.imemWords, 'output tile');
  return { shape: s, layout: L, launches, plan: { scheme: 'k-chunked', ga: 1, gb: 1, kChunk: kc, tiles } };
}

/** Plain reference: Y = A·B with int32 wrapping accumulation. */
export function referenceGemm(A: Int8Array, B: Int8Array, s: GemmShape): Int32Array {
  const Y = new Int32Array(s.M * s.N);
  for (let m = 0; m < s.M; m++) {
    for (let k = 0; k < s.K; k++) {
      const a = A[m * s.K + k]!;
      if (a === 0) continue;
      const row = k * s.N;
      const out = m * s.N;
      for (let n = 0; n < s.N; n++) Y[out + n] = (Y[out + n]! + a * B[row + n]!) | 0;
    }
  }
  return Y;
}
