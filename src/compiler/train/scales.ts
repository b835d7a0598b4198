import type { ModelSpec } from './model.js';

/**
 * The int8 training scheme's static scales. Every tensor is int8 (or int32 after a GEMM) times a
 * per-tensor scale fixed at compile time: the ISA has no reduction to find a tensor's maximum at run
 * time and no way to move data into a shift register, so NITI's dynamic exponents are not possible.
 *
 * Power-of-two scales for weights, activations and gradients keep the arithmetic exact; the ratios
 * between them become rq multipliers (QMUL/2^QSHIFT) and SGD learning-rate multipliers
 * (LR_MUL/2^LR_SHIFT, the QAS gradient scaling: lr · s_a · s_g / (B · s_w)).
 */

/** A fixed-point multiplier m / 2^shift approximating a positive real factor. */
export interface FixedMul {
  readonly mul: number;
  readonly shift: number;
}

export interface LayerScales {
  /** log2 of the weight scale (weights = int8 · 2^wExp). */
  readonly wExp: number;
  /** log2 of the output scale: hidden activation after ReLU, or the logits of the last layer. */
  readonly outExp: number;
  /** log2 of the scale of the gradient with respect to this layer's output (the backward operand). */
  readonly gradExp: number;
  /** Standard deviation the weights are initialised with (He: sqrt(2 / inputs)). */
  readonly initStd: number;
}

export interface QuantScheme {
  /** Input scale (pixels: 1/127). */
  readonly inputScale: number;
  readonly layers: readonly LayerScales[];
  /** int8 value of a one-hot target's 1 (= 2^-outExp of the last layer). */
  readonly targetOne: number;
  /** Forward requantization of each layer: acc → int8 output. */
  readonly fwd: readonly FixedMul[];
  /** Backward requantization of the input gradient of layer l (index l; none for layer 0). */
  readonly bwd: readonly (FixedMul | null)[];
  /** SGD multiplier of each layer. */
  readonly lr: readonly FixedMul[];
  /** Rounding of the backward requantization (gradients): stochastic is unbiased. */
  readonly gradRound: 'nearest' | 'stochastic';
  /** Rounding of the SGD update. Stochastic (the default) is what makes int8 weights train. */
  readonly sgdRound: 'nearest' | 'stochastic';
}

/** Largest shift the ISA takes. */
const MAX_SHIFT = 47;

/**
 * Best m / 2^s ≈ f with 1 ≤ m ≤ 32767 (QMUL and LR_MUL are signed 16-bit) and s ≤ 47.
 * Prefers shifts ≤ 32: beyond that the chip's stochastic rounding draws coarser random offsets.
 */
export function fixedMul(f: number): FixedMul {
  if (!(f > 0) || !Number.isFinite(f)) throw new RangeError(`fixed-point factor must be positive, not ${f}`);
  let shift = Math.floor(Math.log2(32767 / f));
  shift = Math.max(0, Math.min(MAX_SHIFT, shift));
  let mul = Math.round(f * 2 ** shift);
  while (mul > 32767 && shift > 0) {
    shift--;
    mul = Math.round(f * 2 ** shift);
  }
  if (mul < 1 || mul > 32767) throw new RangeError(`factor ${f} cannot be written as m/2^s with a 16-bit m and s ≤ ${MAX_SHIFT}`);
  return { mul, shift };
}

export interface SchemeOptions {
  /** SGD learning rate (float-equivalent). */
  readonly lr: number;
  readonly batch: number;
  /** Overrides of the exponents the rules below choose (for experiments). */
  readonly layers?: readonly Partial<LayerScales>[];
  readonly gradRound?: 'nearest' | 'stochastic';
  readonly sgdRound?: 'nearest' | 'stochastic';
}

/** Power-of-two exponent whose int8 range (±127 LSB) just covers `max`. */
export function expFor(max: number): number {
  return Math.ceil(Math.log2(max / 127));
}

/**
 * Choose the scales of a model.
 * - weights: range ±4σ of the He initialisation (σ = sqrt(2/inputs));
 * - hidden activations: 2^-6 (0..2): a ReLU layer of a He-initialised MLP on [0, 1] inputs keeps
 *   activations O(1), and the float reference never exceeds ~1.8 on MNIST;
 * - logits: 2^-6, so the one-hot target 1.0 is 64 and ±2 is representable;
 * - gradients: the last layer's is the loss gradient z − t at the logit scale; hidden ones are 4× finer
 *   than the activations (they are products of O(1) errors with O(0.3) weights and shrink as training
 *   proceeds; stochastic rounding keeps the small ones unbiased).
 */
export function chooseScheme(spec: ModelSpec, inputScale: number, opts: SchemeOptions): QuantScheme {
  const n = spec.layers.length;
  const base: LayerScales[] = spec.layers.map((L, i) => {
    const initStd = Math.sqrt(2 / L.inputs);
    const last = i === n - 1;
    return { wExp: expFor(4 * initStd), outExp: -6, gradExp: last ? -6 : -8, initStd };
  });
  const layers = base.map((b, i) => ({ ...b, ...(opts.layers?.[i] ?? {}) }));
  // The loss gradient z − t is formed at the logit scale, so the last layer's gradient scale is it.
  layers[n - 1] = { ...layers[n - 1]!, gradExp: layers[n - 1]!.outExp };
  if (layers[n - 1]!.outExp < -6) throw new RangeError('the logit scale must be ≥ 2^-6 so the one-hot target 1.0 fits int8');
  const inExp = (l: number): number => (l === 0 ? Math.log2(inputScale) : layers[l - 1]!.outExp);
  const fwd = layers.map((s, l) => fixedMul(2 ** (inExp(l) + s.wExp - s.outExp)));
  const bwd = layers.map((s, l) => (l === 0 ? null : fixedMul(2 ** (s.gradExp + s.wExp - layers[l - 1]!.gradExp))));
  const lr = layers.map((s, l) => fixedMul((opts.lr * 2 ** (inExp(l) + s.gradExp - s.wExp)) / opts.batch));
  return {
    inputScale,
    layers,
    targetOne: 2 ** -layers[n - 1]!.outExp,
    fwd,
    bwd,
    lr,
    gradRound: opts.gradRound ?? 'stochastic',
    sgdRound: opts.sgdRound ?? 'stochastic',
  };
}
