import type { ModelSpec } from '../compiler/train/model.js';
import type { QuantScheme } from '../compiler/train/scales.js';
import type { FloatModel } from './float-ref.js';
import { HostRng, deriveSeed } from './rng.js';

/**
 * One initialisation for both models: He-normal weights quantized to int8 at each layer's weight
 * scale; the float32 reference starts from exactly those values (dequantized), so the two runs
 * differ only in their training arithmetic.
 */
export function initWeights(spec: ModelSpec, scheme: QuantScheme, seed: number): Int8Array[] {
  const rng = new HostRng(deriveSeed(seed, 0x1717));
  return spec.layers.map((L, l) => {
    const s = scheme.layers[l]!;
    const k = s.initStd / 2 ** s.wExp;
    return Int8Array.from({ length: L.inputs * L.outputs }, () => Math.max(-127, Math.min(127, Math.round(rng.normal() * k))));
  });
}

export function dequantizedModel(spec: ModelSpec, scheme: QuantScheme, weights: readonly Int8Array[]): FloatModel {
  return { spec, weights: weights.map((w, l) => Float32Array.from(w, (v) => v * 2 ** scheme.layers[l]!.wExp)) };
}
