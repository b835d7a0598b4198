import type { ChipConfig } from '../../config/index.js';
import { LOCK_REGIONS } from '../../config/index.js';
import { FitError } from '../gemm.js';
import { geometry, type Geometry } from './geometry.js';
import type { ModelSpec } from './model.js';

export { FitError };

/**
 * Memory plan of a training (or inference) program.
 *
 * Scratchpad: the weights stay resident (rows 0..); everything that belongs to one batch — inputs,
 * targets, activations, logits, loss gradient, hidden gradients — lives in a *batch buffer*. Two
 * buffers alternate between steps, so the DMA loads batch s+1 into one while step s computes from
 * the other. When they fit, the weights and each buffer get lock regions of their own (4 per memory,
 * docs/microarch.md §4): then neither the prefetch nor the SGD updates ever make a matmul wait.
 *
 * Accumulator memory: each layer's int32 output and input gradient. Gradient buffer: *slots* of one
 * g-wide output block of a weight gradient, used round-robin, so the SGD update of one block (with
 * clear) overlaps the accumulation of the next.
 */

export interface BufferLayout {
  /** Rows of one batch buffer. */
  readonly rows: number;
  /** Offsets inside a buffer. */
  readonly x: number;
  readonly t: number;
  /** acts[l]: input activation of layer l (l ≥ 1; index 0 unused). */
  readonly acts: readonly number[];
  readonly z: number;
  readonly e: number;
  /** grads[l]: gradient with respect to the output of hidden layer l (l ≤ L−2). */
  readonly grads: readonly number[];
}

export interface TrainPlan {
  readonly config: ChipConfig;
  readonly spec: ModelSpec;
  readonly geo: Geometry;
  readonly sp: {
    /** Row of each layer's weights (block ob at + ob·Np). */
    readonly weights: readonly number[];
    readonly weightRows: number;
    /** Rows of the two batch buffers (equal when there is room for one only). */
    readonly buffers: readonly [number, number];
    readonly doubleBuffered: boolean;
    /** Weights and buffers each have lock regions of their own. */
    readonly regionAligned: boolean;
    readonly buffer: BufferLayout;
  };
  readonly acc: { readonly y: readonly number[]; readonly dA: readonly number[]; readonly rows: number };
  readonly grad: { readonly slots: readonly number[]; readonly slotRows: number };
}

export type ProgramKind = 'train' | 'infer';

/** Rows of a batch-major tensor with `width` columns. */
const actRows = (geo: Geometry, width: number): number => Math.ceil(width / geo.g) * geo.Bp;

function bufferLayout(geo: Geometry, spec: ModelSpec, kind: ProgramKind): BufferLayout {
  const sizes = spec.sizes;
  const L = spec.layers.length;
  const classes = sizes[L]!;
  let r = 0;
  const take = (rows: number): number => {
    const at = r;
    r += rows;
    return at;
  };
  const x = take(actRows(geo, sizes[0]!));
  const t = kind === 'train' ? take(actRows(geo, classes)) : x;
  const acts = [0];
  for (let l = 1; l < L; l++) acts.push(take(actRows(geo, sizes[l]!)));
  const z = take(actRows(geo, classes));
  const e = kind === 'train' ? take(actRows(geo, classes)) : z;
  const grads: number[] = [];
  if (kind === 'train') for (let l = 0; l < L - 1; l++) grads.push(take(actRows(geo, sizes[l + 1]!)));
  return { rows: r, x, t, acts, z, e, grads };
}

const describe = (spec: ModelSpec, geo: Geometry): string => `${spec.name}, batch ${geo.batch}`;

/** Plan the memories, or throw FitError naming the memory that is short and by how much. */
export function planMemory(cfg: ChipConfig, spec: ModelSpec, batch: number, kind: ProgramKind = 'train'): TrainPlan {
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) throw new RangeError(`batch must be an integer in 1..4096, not ${batch}`);
  const geo = geometry(cfg, spec, batch);
  const { C, g } = geo;
  const L = spec.layers.length;

  // ---- scratchpad
  // The input-gradient matmul reads C weight rows from each g-row block start: C − g rows of slack.
  const slack = C - g;
  const weights: number[] = [];
  let wr = 0;
  for (let l = 0; l < L; l++) {
    weights.push(wr);
    wr += geo.outBlocks[l]! * geo.Np[l]! + slack;
  }
  const buffer = bufferLayout(geo, spec, kind);
  const spRows = cfg.memory.spRows;
  const q = spRows / LOCK_REGIONS;
  const rw = Math.ceil(wr / q);
  const per = Math.floor((LOCK_REGIONS - rw) / 2);
  let buffers: [number, number];
  let doubleBuffered = true;
  let regionAligned = false;
  if (per >= 1 && buffer.rows <= per * q) {
    buffers = [rw * q, (rw + per) * q];
    regionAligned = true;
  } else if (wr + 2 * buffer.rows <= spRows) {
    buffers = [wr, wr + buffer.rows];
  } else if (wr + buffer.rows <= spRows) {
    buffers = [wr, wr];
    doubleBuffered = false;
  } else {
    throw new FitError('scratchpad', wr + buffer.rows, spRows, 'rows',
      `${describe(spec, geo)}: weights ${wr} rows + one batch buffer ${buffer.rows} rows (rows of ${geo.W} int8 lanes)`);
  }

  // ---- accumulator memory
  const y: number[] = [];
  const dA: number[] = [];
  let ar = 0;
  for (let l = 0; l < L; l++) {
    y.push(ar);
    ar += actRows(geo, spec.sizes[l + 1]!);
  }
  if (kind === 'train') {
    for (let l = 0; l < L; l++) {
      dA.push(ar);
      if (l > 0) ar += actRows(geo, spec.sizes[l]!);
    }
  }
  let accRows = ar;
  if (ar > cfg.memory.accRows) {
    // Share one area: program order (and the interlocks) keep the reuse correct, at some overlap cost.
    const biggest = Math.max(...spec.sizes.slice(1).map((w) => actRows(geo, w)), ...(kind === 'train' ? spec.sizes.slice(1, L).map((w) => actRows(geo, w)) : []));
    if (biggest > cfg.memory.accRows) {
      throw new FitError('accumulator memory', biggest, cfg.memory.accRows, 'rows', `${describe(spec, geo)}: the largest layer output needs ${biggest} rows`);
    }
    y.fill(0);
    dA.fill(0);
    accRows = biggest;
  }

  // ---- gradient buffer
  const slotRows = kind === 'train' ? Math.max(...geo.Np) : 0;
  const slots: number[] = [];
  if (kind === 'train') {
    const gq = cfg.memory.gradRows / LOCK_REGIONS;
    if (slotRows > cfg.memory.gradRows) {
      const l = geo.Np.indexOf(slotRows);
      throw new FitError('gradient buffer', slotRows, cfg.memory.gradRows, 'rows',
        `one ${g}-column block of layer ${l}'s weight gradient has ${slotRows} input rows`);
    }
    if (slotRows <= gq) for (let s = 0; s < LOCK_REGIONS; s++) slots.push(s * gq);
    else for (let s = 0; (s + 1) * slotRows <= cfg.memory.gradRows; s++) slots.push(s * slotRows);
  }
  return {
    config: cfg, spec, geo,
    sp: { weights, weightRows: wr, buffers, doubleBuffered, regionAligned, buffer },
    acc: { y, dA, rows: accRows },
    grad: { slots, slotRows },
  };
}

/** Main-memory layout of one run (one program launch) of `steps` batches. */
export interface MainLayout {
  /** Byte address of each layer's weights (inputs × outputs int8, row-major). */
  readonly weights: readonly number[];
  /** Inputs of steps + 1 batches (the last is only prefetched), batch × features int8 each. */
  readonly x: number;
  /** One-hot targets (training only), steps + 1 batches of batch × classes int8. */
  readonly t: number;
  /** Logits written by the program, steps batches of batch × classes int8. */
  readonly z: number;
  readonly bytes: number;
  readonly xBatchBytes: number;
  readonly tBatchBytes: number;
  readonly zBatchBytes: number;
}

export function mainLayout(plan: TrainPlan, kind: ProgramKind, steps: number): MainLayout {
  const { spec, geo } = plan;
  const L = spec.layers.length;
  const weights: number[] = [];
  let a = 0;
  for (const layer of spec.layers) {
    weights.push(a);
    a += layer.inputs * layer.outputs;
  }
  const xBatchBytes = geo.batch * spec.sizes[0]!;
  const tBatchBytes = kind === 'train' ? geo.batch * spec.sizes[L]! : 0;
  const zBatchBytes = geo.batch * spec.sizes[L]!;
  const x = a;
  const t = x + (steps + 1) * xBatchBytes;
  const z = t + (steps + 1) * tBatchBytes;
  return { weights, x, t, z, bytes: z + steps * zBatchBytes, xBatchBytes, tBatchBytes, zBatchBytes };
}

/** Most batches one run can hold in main memory; throws FitError if not even one fits. */
export function maxStepsPerRun(plan: TrainPlan, kind: ProgramKind): number {
  const one = mainLayout(plan, kind, 1);
  const perStep = one.xBatchBytes + one.tBatchBytes + one.zBatchBytes;
  const fixed = one.bytes - perStep;
  const avail = plan.config.memory.mainBytes;
  if (one.bytes > avail) {
    throw new FitError('main memory', one.bytes, avail, 'bytes',
      `${plan.spec.name}: weights ${one.x} bytes + two batches of inputs/targets + one batch of logits`);
  }
  return Math.floor((avail - fixed) / perStep);
}
