/**
 * A fully unrolled int8 GEMM program C = A·B (int32) for an R×R array, used to check the simulator
 * on a long mm-heavy workload and to measure its speed. Main memory holds Aᵀ (K×M, so a left
 * panel is one strided `ld`), B (K×N) and C (M×N int32). The scratchpad keeps two A panels
 * (regions 0 and 1) and two groups of B panels (regions 2 and 3) so DMA overlaps compute;
 * accumulator tiles rotate through the 4 acc regions so drains overlap stores.
 */
import type { ChipConfig } from '../src/config/index.js';
import { I, mem, setCfg } from './sim-helpers.js';

export interface GemmLayout {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly atAddr: number;
  readonly bAddr: number;
  readonly cAddr: number;
}

/** Build the program; requires a square array, M, N multiples of R, and the memory it needs. */
export function gemmProgram(cfg: ChipConfig, M: number, N: number, K: number): { program: bigint[]; layout: GemmLayout } {
  const R = cfg.array.rows;
  if (cfg.array.cols !== R) throw new Error('gemmProgram: square arrays only');
  const sp = cfg.memory.spRows;
  const region = sp / 4;
  const panelsPerGroup = Math.floor(region / K);
  if (panelsPerGroup < 1) throw new Error('gemmProgram: K exceeds a scratchpad region');
  const accRegion = cfg.memory.accRows / 4;
  const atAddr = 0;
  const bAddr = atAddr + K * M;
  const cAddr = bAddr + K * N;
  if (cAddr + 4 * M * N > cfg.memory.mainBytes) throw new Error('gemmProgram: main memory too small');
  const MOFF = 1 << 18;
  if (bAddr + K * N > MOFF || 4 * M * N > MOFF) throw new Error('gemmProgram: addresses exceed the moff field');
  const mi = M / R;
  const nj = N / R;
  const groups = Math.ceil(nj / panelsPerGroup);

  const p: bigint[] = [];
  // r1 = C base: C offsets then fit moff.
  p.push(I('addi', { rd: 1, rs: 0, imm: cAddr }));
  let stride = 0;
  const dma = (s: number, word: bigint): void => {
    if (s !== stride) p.push(setCfg('DMA_STRIDE', s));
    stride = s;
    p.push(word);
  };
  // A panels are used in sequence s = g·mi + m, alternating between two buffers.
  const aRow = (s: number): number => (s % 2) * region;
  const bRow = (g: number, q: number): number => (2 + (g % 2)) * region + q * K;
  const ldA = (s: number): void => dma(M, I('ld', { mem: mem('sp'), loff: aRow(s), moff: atAddr + (s % mi) * R, rows: K, elems: R }));
  const ldB = (g: number, q: number): void => dma(N, I('ld', { mem: mem('sp'), loff: bRow(g, q), moff: bAddr + (g * panelsPerGroup + q) * R, rows: K, elems: R }));
  const panels = (g: number): number => Math.min(panelsPerGroup, nj - g * panelsPerGroup);

  // Tiles in issue order; each tile's drain and store are emitted after the next tile's mm, so
  // the drain's wait for the flush overlaps the next matmul.
  type Tile = { m: number; n: number; bank: number; accRow: number };
  let t = 0;
  let prev: Tile | null = null;
  const flushPrev = (): void => {
    if (!prev) return;
    p.push(I('drain', { mem: mem('acc'), doff: prev.accRow, bank: prev.bank }));
    dma(4 * N, I('st', { mem: mem('acc'), loff: prev.accRow, mreg: 1, moff: 4 * (prev.m * R * N + prev.n * R), rows: R, elems: R }));
  };

  for (let q = 0; q < panels(0); q++) ldB(0, q);
  ldA(0);
  for (let g = 0; g < groups; g++) {
    for (let m = 0; m < mi; m++) {
      const s = g * mi + m;
      for (let q = 0; q < panels(g); q++) {
        const tile: Tile = { m, n: g * panelsPerGroup + q, bank: t % 2, accRow: (t % 4) * accRegion };
        p.push(I('mm', { loff: aRow(s), toff: bRow(g, q), k: K, bank: tile.bank }));
        flushPrev();
        prev = tile;
        t++;
        // After a panel's first tile: prefetch the next A panel, and one of the next group's B panels.
        if (q === 0) {
          if (s + 1 < groups * mi) ldA(s + 1);
          if (g + 1 < groups && m < panels(g + 1)) ldB(g + 1, m);
        }
      }
    }
  }
  flushPrev();
  p.push(I('halt'));
  return { program: p, layout: { M, N, K, atAddr, bAddr, cAddr } };
}
