import type { ModelSpec } from '../compiler/train/model.js';

/**
 * The float32 reference: the same MLP (no bias, ReLU between layers), the same initial weights and
 * sample order as the int8 run, plain mini-batch SGD on the loss ½·Σ(z − onehot)² averaged over the
 * batch. It is the yardstick the int8 scheme is measured against.
 */

export interface FloatModel {
  readonly spec: ModelSpec;
  /** Per layer, inputs × outputs row-major. */
  readonly weights: Float32Array[];
}

/** Forward pass for a batch; returns every layer's output (post-ReLU for hidden layers). */
export function floatForward(m: FloatModel, x: Float32Array, batch: number): Float32Array[] {
  const acts: Float32Array[] = [x];
  let a = x;
  m.spec.layers.forEach((L, li) => {
    const w = m.weights[li]!;
    const y = new Float32Array(batch * L.outputs);
    for (let b = 0; b < batch; b++) {
      const yo = b * L.outputs;
      for (let k = 0; k < L.inputs; k++) {
        const v = a[b * L.inputs + k]!;
        if (v === 0) continue;
        const wo = k * L.outputs;
        for (let o = 0; o < L.outputs; o++) y[yo + o]! += v * w[wo + o]!;
      }
    }
    if (L.relu) for (let i = 0; i < y.length; i++) if (y[i]! < 0) y[i] = 0;
    acts.push(y);
    a = y;
  });
  return acts;
}

/**
 * One SGD step on a batch. `targets` is batch × classes (one-hot). Returns the batch's mean loss
 * ½·Σ(z − t)² per sample, before the update.
 */
export function floatStep(m: FloatModel, x: Float32Array, targets: Float32Array, batch: number, lr: number): number {
  const acts = floatForward(m, x, batch);
  const layers = m.spec.layers;
  const z = acts[acts.length - 1]!;
  let dy: Float32Array = new Float32Array(z.length);
  let loss = 0;
  for (let i = 0; i < z.length; i++) {
    const e = z[i]! - targets[i]!;
    loss += 0.5 * e * e;
    dy[i] = e / batch;
  }
  for (let li = layers.length - 1; li >= 0; li--) {
    const L = layers[li]!;
    const a = acts[li]!;
    const w = m.weights[li]!;
    // Input gradient first: it needs the weights before their update.
    let dx: Float32Array | undefined;
    if (li > 0) {
      dx = new Float32Array(batch * L.inputs);
      const prevRelu = layers[li - 1]!.relu;
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < L.inputs; k++) {
          if (prevRelu && a[b * L.inputs + k]! <= 0) continue;
          let s = 0;
          const wo = k * L.outputs;
          for (let o = 0; o < L.outputs; o++) s += dy[b * L.outputs + o]! * w[wo + o]!;
          dx[b * L.inputs + k] = s;
        }
      }
    }
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < L.inputs; k++) {
        const v = a[b * L.inputs + k]!;
        if (v === 0) continue;
        const wo = k * L.outputs;
        const s = lr * v;
        for (let o = 0; o < L.outputs; o++) w[wo + o]! -= s * dy[b * L.outputs + o]!;
      }
    }
    if (dx) dy = dx;
  }
  return loss / batch;
}

/** Predicted class per sample. */
export function argmaxRows(z: ArrayLike<number>, rows: number, cols: number): Uint8Array {
  const p = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (z[r * cols + c]! > z[r * cols + best]!) best = c;
    p[r] = best;
  }
  return p;
}
