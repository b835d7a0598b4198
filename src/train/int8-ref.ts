import { rngValue, rshiftNearest, rshiftStochastic, sat8 } from '../numeric/arith.js';
import type { ModelSpec } from '../compiler/train/model.js';
import type { QuantScheme, FixedMul } from '../compiler/train/scales.js';
import { actOffset, type Geometry } from '../compiler/train/geometry.js';

/**
 * The int8 training step in plain TypeScript, using exactly the chip's arithmetic (ISA semantics,
 * docs/microarch.md §8): int8 operands, exact int32 GEMMs, rq = sat8(rshift(acc·QMUL, QSHIFT)), the
 * loss gradient sat8(z − t) on the vector ALU, ReLU-backward masks, and
 * sgd W = sat8(W − rshift(G·LR_MUL, LR_SHIFT)) with the counter-based RNG. The compiled program
 * must reproduce it bit for bit; it is also the fast way to study the scheme without a simulator.
 *
 * The RNG counter follows the program's order of rq/sgd instructions (each advances it by
 * rows·W), so this model knows the tensor geometry but nothing else about the program.
 */

export interface Int8StepResult {
  /** Requantized logits, batch × classes (scale 2^outExp of the last layer). */
  readonly z: Int8Array;
}

function rq(acc: number, m: FixedMul, relu: boolean, stochastic: boolean, rnd: number): number {
  const p = acc * m.mul;
  let y = sat8(stochastic ? rshiftStochastic(p, m.shift, rnd) : rshiftNearest(p, m.shift));
  if (relu && y < 0) y = 0;
  return y;
}

/** acc[b][o] = Σ_k a[b][k] · w[k][o] (exact int32; values stay far from 2^31). */
function matmul(a: Int8Array, w: Int8Array, batch: number, K: number, N: number): Int32Array {
  const y = new Int32Array(batch * N);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < K; k++) {
      const v = a[b * K + k]!;
      if (v === 0) continue;
      const wo = k * N;
      const yo = b * N;
      for (let o = 0; o < N; o++) y[yo + o]! += v * w[wo + o]!;
    }
  }
  return y;
}

/** Inference: requantized logits for `count` samples (round to nearest, no RNG involved). */
export function int8Forward(spec: ModelSpec, scheme: QuantScheme, weights: readonly Int8Array[], x: Int8Array, count: number): Int8Array[] {
  const acts: Int8Array[] = [x];
  let a = x;
  spec.layers.forEach((L, l) => {
    const acc = matmul(a, weights[l]!, count, L.inputs, L.outputs);
    const out = new Int8Array(acc.length);
    for (let i = 0; i < acc.length; i++) out[i] = rq(acc[i]!, scheme.fwd[l]!, L.relu, false, 0);
    acts.push(out);
    a = out;
  });
  return acts;
}

export class Int8Reference {
  /** Per layer, inputs × outputs row-major int8 weights (the state being trained). */
  readonly weights: Int8Array[];
  private seed = 0;
  private counter = 0;

  constructor(
    readonly spec: ModelSpec,
    readonly geo: Geometry,
    readonly scheme: QuantScheme,
    weights: readonly Int8Array[],
  ) {
    this.weights = weights.map((w) => Int8Array.from(w));
  }

  /** `cfg SEED`: set the RNG seed and reset its element counter (every program does this first). */
  setSeed(seed: number): void {
    this.seed = seed >>> 0;
    this.counter = 0;
  }

  private rnd(offset: number): number {
    return rngValue(this.seed, this.counter + offset);
  }

  /**
   * One training step on a batch (geo.batch samples): x is batch × inputs int8, labels one per
   * sample. Updates the weights and returns the requantized logits of the forward pass.
   */
  step(x: Int8Array, labels: ArrayLike<number>): Int8StepResult {
    const { spec, geo, scheme } = this;
    const B = geo.batch;
    const W = geo.W;
    const nL = spec.layers.length;
    // Forward: the rq instructions use ROUND=0 but still advance the counter by rows·W.
    const acts = int8Forward(spec, scheme, this.weights, x, B);
    for (let l = 0; l < nL; l++) this.counter += geo.outBlocks[l]! * geo.Bp * W;
    const z = acts[nL]!;
    // Loss gradient of ½(z − t)²: e = sat8(z − t) at the logit scale (vmov + vsub into sp).
    const classes = spec.layers[nL - 1]!.outputs;
    let grad: Int8Array = new Int8Array(B * classes);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < classes; o++) {
        const t = labels[b] === o ? scheme.targetOne : 0;
        grad[b * classes + o] = sat8(z[b * classes + o]! - t);
      }
    }
    const stochastic = scheme.gradRound === 'stochastic';
    const sgdStochastic = scheme.sgdRound === 'stochastic';
    for (let l = nL - 1; l >= 0; l--) {
      const L = spec.layers[l]!;
      const a = acts[l]!;
      const w = this.weights[l]!;
      const N = L.outputs;
      const K = L.inputs;
      let next: Int8Array | null = null;
      if (l > 0) {
        // Input gradient with the weights before this step's update, ReLU-backward mask, rq (SR).
        const m = scheme.bwd[l]!;
        next = new Int8Array(B * K);
        for (let b = 0; b < B; b++) {
          for (let k = 0; k < K; k++) {
            if (a[b * K + k]! <= 0) continue; // vrelubwd: keep where the activation is positive
            let s = 0;
            for (let o = 0; o < N; o++) s += grad[b * N + o]! * w[k * N + o]!;
            next[b * K + k] = rq(s, m, false, stochastic, this.rnd(actOffset(geo, b, k)));
          }
        }
        this.counter += geo.inBlocks[l]! * geo.Bp * W;
      }
      // Weight gradient Σ_b a[b][k]·g[b][o] (int32 in the gradient buffer), SGD per output block.
      const dw = new Int32Array(K * N);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < K; k++) {
          const v = a[b * K + k]!;
          if (v === 0) continue;
          for (let o = 0; o < N; o++) dw[k * N + o]! += v * grad[b * N + o]!;
        }
      }
      const lr = scheme.lr[l]!;
      for (let ob = 0; ob < geo.outBlocks[l]!; ob++) {
        const o1 = Math.min(N, (ob + 1) * geo.g);
        for (let k = 0; k < K; k++) {
          for (let o = ob * geo.g; o < o1; o++) {
            const i = k * N + o;
            const p = dw[i]! * lr.mul;
            const delta = sgdStochastic ? rshiftStochastic(p, lr.shift, this.rnd(k * W + (o - ob * geo.g))) : rshiftNearest(p, lr.shift);
            w[i] = sat8(w[i]! - delta);
          }
        }
        this.counter += geo.Np[l]! * W;
      }
      if (next) grad = next;
    }
    return { z };
  }
}
