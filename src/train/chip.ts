import type { ChipBackend, PerfCounters } from '../host/backend.js';
import { compileProgram, reseed, type CompiledProgram } from '../compiler/train/program.js';
import type { ProgramKind } from '../compiler/train/plan.js';
import { maxStepsPerRun, planMemory, type TrainPlan } from '../compiler/train/plan.js';
import type { ModelSpec } from '../compiler/train/model.js';
import type { QuantScheme } from '../compiler/train/scales.js';

/**
 * Runs compiled training and inference programs on any ChipBackend (simulator or Verilated RTL):
 * writes weights and batches into main memory through the host interface, starts the chip, and
 * reads back the updated weights and the logged logits. The host keeps the weights between runs,
 * so every run is self-contained.
 */

export class ChipRunError extends Error {
  constructor(message: string, readonly error: number) {
    super(message);
    this.name = 'ChipRunError';
  }
}

export interface RunResult {
  /** Logits, samples × classes int8 (scale of the last layer's output). */
  readonly z: Int8Array;
  readonly counters: PerfCounters;
  readonly program: CompiledProgram;
}

const asBytes = (a: Int8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Cycle budget of one run: generous, but a hung program still stops. */
const MAX_CYCLES = 2 ** 40;

export class ChipTrainer {
  readonly trainPlan: TrainPlan;
  readonly inferPlan: TrainPlan;
  /** Per layer, inputs × outputs int8 (host copy of the trained state). */
  weights: Int8Array[];

  constructor(
    readonly backend: ChipBackend,
    readonly spec: ModelSpec,
    readonly scheme: QuantScheme,
    readonly batch: number,
    weights: readonly Int8Array[],
  ) {
    this.trainPlan = planMemory(backend.config, spec, batch, 'train');
    this.inferPlan = planMemory(backend.config, spec, batch, 'infer');
    this.weights = weights.map((w) => Int8Array.from(w));
    this.zeroLocal();
  }

  private readonly programs = new Map<string, CompiledProgram>();

  /** Compile (or reuse: only the step count and the seed vary between launches) a program. */
  private program(kind: ProgramKind, steps: number, seed: number): CompiledProgram {
    const key = `${kind}:${steps}`;
    let p = this.programs.get(key);
    if (!p) {
      p = compileProgram(this.backend.config, this.spec, this.scheme, this.batch, { kind, steps, seed });
      this.programs.set(key, p);
    }
    return p.seed === seed >>> 0 ? p : reseed(p, seed);
  }

  /** Zero the local memories once, so lanes and rows outside every tensor hold a known value. */
  private zeroLocal(): void {
    const cfg = this.backend.config;
    const W = cfg.derived.W;
    const chunk = 256;
    for (const mem of ['sp', 'acc', 'grad'] as const) {
      const rows = mem === 'sp' ? cfg.memory.spRows : mem === 'acc' ? cfg.memory.accRows : cfg.memory.gradRows;
      for (let r = 0; r < rows; r += chunk) {
        const n = Math.min(chunk, rows - r) * W;
        this.backend.writeLocal(mem, r, mem === 'sp' ? new Int8Array(n) : new Int32Array(n));
      }
    }
  }

  /** Training steps one run can hold in main memory. */
  get maxTrainSteps(): number {
    return maxStepsPerRun(this.trainPlan, 'train');
  }

  get maxInferBatches(): number {
    return maxStepsPerRun(this.inferPlan, 'infer');
  }

  private run(prog: CompiledProgram, what: string): PerfCounters {
    const b = this.backend;
    b.loadProgram(prog.words);
    b.start();
    const st = b.run(MAX_CYCLES);
    if (!st.halted || st.error !== 0) {
      throw new ChipRunError(`${what}: the chip stopped with error ${st.error} at pc ${st.pc} (halted: ${st.halted})`, st.error);
    }
    return st.counters;
  }

  private writeWeights(prog: CompiledProgram): void {
    this.weights.forEach((w, l) => this.backend.writeMain(prog.main.weights[l]!, asBytes(w)));
  }

  /**
   * Train on `steps` consecutive batches: x is (steps·batch) × inputs, labels one per sample.
   * `seed` is the program's RNG seed. Updates `weights`; returns the logits of every step.
   */
  train(x: Int8Array, labels: ArrayLike<number>, steps: number, seed: number): RunResult {
    const { spec, batch, scheme } = this;
    const L = spec.layers.length;
    const cls = spec.sizes[L]!;
    const prog = this.program('train', steps, seed);
    const m = prog.main;
    this.writeWeights(prog);
    this.backend.writeMain(m.x, asBytes(x.subarray(0, steps * batch * spec.sizes[0]!)));
    // The batch after the last is prefetched but never used: make it defined.
    this.backend.writeMain(m.x + steps * m.xBatchBytes, new Uint8Array(m.xBatchBytes));
    const t = new Int8Array((steps + 1) * batch * cls);
    for (let i = 0; i < steps * batch; i++) t[i * cls + labels[i]!] = scheme.targetOne;
    this.backend.writeMain(m.t, asBytes(t));
    const counters = this.run(prog, 'training run');
    this.weights = spec.layers.map((Ly, l) => new Int8Array(this.backend.readMain(m.weights[l]!, Ly.inputs * Ly.outputs).slice().buffer));
    const z = new Int8Array(this.backend.readMain(m.z, steps * m.zBatchBytes).slice().buffer);
    return { z, counters, program: prog };
  }

  /** Logits of `count` samples (padded to whole batches with zeros), run in as few launches as fit. */
  infer(x: Int8Array, count: number): { z: Int8Array; counters: PerfCounters[] } {
    const { spec, batch } = this;
    const N0 = spec.sizes[0]!;
    const cls = spec.sizes[spec.layers.length]!;
    const batches = Math.ceil(count / batch);
    const per = this.maxInferBatches;
    const z = new Int8Array(batches * batch * cls);
    const counters: PerfCounters[] = [];
    for (let b0 = 0; b0 < batches; b0 += per) {
      const nb = Math.min(per, batches - b0);
      const prog = this.program('infer', nb, 0);
      const m = prog.main;
      this.writeWeights(prog);
      const xb = new Int8Array((nb + 1) * batch * N0);
      const src = x.subarray(b0 * batch * N0, Math.min(count, (b0 + nb) * batch) * N0);
      xb.set(src);
      this.backend.writeMain(m.x, asBytes(xb));
      counters.push(this.run(prog, 'inference run'));
      z.set(new Int8Array(this.backend.readMain(m.z, nb * m.zBatchBytes).slice().buffer), b0 * batch * cls);
    }
    return { z: z.subarray(0, count * cls), counters };
  }
}
