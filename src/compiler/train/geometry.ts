import type { ChipConfig } from '../../config/index.js';
import type { ModelSpec } from './model.js';

/**
 * How logical tensors map onto local-memory rows. The compiled program and the int8 reference share
 * it because stochastic rounding draws element n0 + row·W + lane of the chip's counter-based RNG:
 * bit-exactness needs the reference to know each element's (row, lane) inside its instruction.
 *
 * Every tensor is *blocked*: logical element (r, c) sits in row ⌊c/g⌋·rowStride + r, lane c mod g,
 * with g = min(R, C) lanes per block. g (not W) because the array reads a non-transposed operand's
 * lanes 0..R−1 (left) or 0..C−1 (top) only; with g = min(R, C) one layout serves every GEMM of a
 * training step on any array shape. Lanes g..W−1 are never part of a result.
 */
export interface Geometry {
  readonly R: number;
  readonly C: number;
  /** Lanes per local-memory row. */
  readonly W: number;
  /** Lanes per block. */
  readonly g: number;
  readonly batch: number;
  /** Batch rows padded to a multiple of R: drains of batch tiles write R rows. */
  readonly Bp: number;
  /** Per layer: input rows of a weight block padded to a multiple of g (dW tiles cover g inputs). */
  readonly Np: readonly number[];
  /** Per layer: number of g-wide output blocks. */
  readonly outBlocks: readonly number[];
  /** Per layer: number of g-wide input blocks. */
  readonly inBlocks: readonly number[];
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

export function geometry(cfg: ChipConfig, spec: ModelSpec, batch: number): Geometry {
  const R = cfg.array.rows;
  const C = cfg.array.cols;
  const g = Math.min(R, C);
  return {
    R,
    C,
    W: cfg.derived.W,
    g,
    batch,
    Bp: ceilDiv(batch, R) * R,
    Np: spec.layers.map((L) => ceilDiv(L.inputs, g) * g),
    outBlocks: spec.layers.map((L) => ceilDiv(L.outputs, g)),
    inBlocks: spec.layers.map((L) => ceilDiv(L.inputs, g)),
  };
}

/** Offset (row·W + lane) of activation-like element (b, c) inside an instruction over the whole tensor. */
export function actOffset(geo: Geometry, b: number, c: number): number {
  return (Math.floor(c / geo.g) * geo.Bp + b) * geo.W + (c % geo.g);
}
