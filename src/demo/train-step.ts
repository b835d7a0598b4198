import type { ChipBackend, PerfCounters } from '../host/backend.js';
import { rngValue, rshiftNearest, rshiftStochastic, sat8 } from '../numeric/arith.js';

/**
 * The demo: one training step of a dense layer (examples/train-step.s) and a plain TypeScript model
 * of the same integer arithmetic, written directly from the ISA semantics (not from the simulator).
 */

export const DEMO = {
  batch: 8,
  inputs: 16,
  outputs: 8,
  addr: { X: 0x000, W: 0x080, T: 0x100, dX: 0x200, Wnew: 0x400, Y: 0x500 },
  actShift: 6,
  lrShift: 4,
  seed: 0x1234,
} as const;

export interface DemoData {
  readonly X: Int8Array; // batch × inputs
  readonly W: Int8Array; // inputs × outputs
  readonly T: Int8Array; // batch × outputs
}

export interface DemoResult {
  readonly Y: Int32Array; // batch × outputs, pre-activation
  readonly dX: Int32Array; // batch × inputs
  readonly Wnew: Int8Array; // inputs × outputs
}

/** Deterministic demo tensors (mulberry32 from `seed`). */
export function demoData(seed = 1): DemoData {
  let s = seed >>> 0;
  const rnd = (lo: number, hi: number): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + Math.floor(u * (hi - lo + 1));
  };
  const fill = (n: number, lo: number, hi: number): Int8Array => Int8Array.from({ length: n }, () => rnd(lo, hi));
  return {
    X: fill(DEMO.batch * DEMO.inputs, -24, 24),
    W: fill(DEMO.inputs * DEMO.outputs, -24, 24),
    T: fill(DEMO.batch * DEMO.outputs, -30, 30),
  };
}

/** The reference: the same step in plain TypeScript. */
export function demoReference(d: DemoData): DemoResult {
  const { batch: B, inputs: I, outputs: O } = DEMO;
  const Y = new Int32Array(B * O);
  for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) {
    let acc = 0;
    for (let i = 0; i < I; i++) acc += d.X[b * I + i]! * d.W[i * O + o]!;
    Y[b * O + o] = acc;
  }
  // Loss gradient of MSE on requantized outputs, saturated to int8.
  const dY = new Int8Array(B * O);
  for (let k = 0; k < B * O; k++) dY[k] = sat8(sat8(rshiftNearest(Y[k]!, DEMO.actShift)) - d.T[k]!);
  const dX = new Int32Array(B * I);
  for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) {
    let acc = 0;
    for (let o = 0; o < O; o++) acc += dY[b * O + o]! * d.W[i * O + o]!;
    dX[b * I + i] = acc;
  }
  const W8 = 8; // lanes per scratchpad row on the default config; the RNG element index uses it
  const Wnew = new Int8Array(I * O);
  for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) {
    let g = 0;
    for (let b = 0; b < B; b++) g += d.X[b * I + i]! * dY[b * O + o]!;
    const delta = rshiftStochastic(g, DEMO.lrShift, rngValue(DEMO.seed, i * W8 + o));
    Wnew[i * O + o] = sat8(d.W[i * O + o]! - delta);
  }
  return { Y, dX, Wnew };
}

/** Load the demo data, run the assembled program on a backend, and read the results back. */
export function runDemoOn(backend: ChipBackend, words: readonly bigint[], d: DemoData): { result: DemoResult; counters: PerfCounters; error: number } {
  const { batch: B, inputs: I, outputs: O, addr } = DEMO;
  const bytes = (a: Int8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  backend.writeMain(addr.X, bytes(d.X));
  backend.writeMain(addr.W, bytes(d.W));
  backend.writeMain(addr.T, bytes(d.T));
  backend.loadProgram(words);
  backend.start();
  const st = backend.run(1_000_000);
  const i32 = (a: number, n: number): Int32Array => new Int32Array(new Uint8Array(backend.readMain(a, n * 4)).buffer);
  return {
    result: {
      Y: i32(addr.Y, B * O),
      dX: i32(addr.dX, B * I),
      Wnew: new Int8Array(new Uint8Array(backend.readMain(addr.Wnew, I * O)).buffer),
    },
    counters: st.counters,
    error: st.halted ? st.error : -1,
  };
}

/** Names of the tensors that differ between two results (empty when equal). */
export function compareDemo(a: DemoResult, b: DemoResult): string[] {
  const diff: string[] = [];
  for (const k of ['Y', 'dX', 'Wnew'] as const) {
    const x = a[k];
    const y = b[k];
    const i = x.findIndex((v, j) => v !== y[j]);
    if (i >= 0) diff.push(`${k}[${i}]: ${x[i]} vs ${y[i]}`);
  }
  return diff;
}
