import type { ChipBackend, PerfCounters } from '../host/backend.js';
import { utilization } from '../host/backend.js';
import type { ModelSpec } from '../compiler/train/model.js';
import { chooseScheme, type QuantScheme } from '../compiler/train/scales.js';
import { geometry } from '../compiler/train/geometry.js';
import { epochOrder, PIXEL_MAX, type Dataset, type DatasetSplit } from './dataset.js';
import { floatForward, floatStep } from './float-ref.js';
import { Int8Reference } from './int8-ref.js';
import { ChipTrainer } from './chip.js';
import { dequantizedModel, initWeights } from './init.js';
import { accuracy, mseLoss } from './metrics.js';
import { deriveSeed } from './rng.js';

/**
 * On-device training end to end: the int8 training program runs on the chip (any backend) over
 * whole epochs — as many batches per launch as main memory holds — while the float32 reference
 * trains the same model from the same initial weights on the same batches. Afterwards both are
 * evaluated on the held-out set (the int8 model by an inference program on the chip).
 */

export interface TrainOptions {
  readonly spec: ModelSpec;
  readonly data: DatasetSplit;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  /** Stop after this many training steps in total (quick runs, RTL checks). */
  readonly maxSteps?: number;
  /** Also run the int8 TypeScript reference and require bit-identical weights after every launch. */
  readonly check?: boolean;
  /** Skip the float32 reference. */
  readonly noFloat?: boolean;
  readonly onProgress?: (e: ProgressEvent) => void;
}

export type ProgressEvent =
  | { readonly kind: 'run'; readonly epoch: number; readonly step: number; readonly steps: number; readonly loss: number }
  | { readonly kind: 'epoch'; readonly epoch: number; readonly result: EpochResult };

export interface EpochResult {
  readonly epoch: number;
  readonly steps: number;
  /** Mean training loss of the epoch (int8 model, from the logits the chip logged). */
  readonly loss: number;
  readonly floatLoss: number | null;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly floatTestAccuracy: number | null;
}

export interface TrainReport {
  readonly model: string;
  readonly config: string;
  readonly backend: string;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly steps: number;
  readonly epochs: readonly EpochResult[];
  readonly testAccuracy: number;
  readonly floatTestAccuracy: number | null;
  /** Per training step: int8 loss and float loss (same batch). */
  readonly lossCurve: readonly number[];
  readonly floatLossCurve: readonly number[];
  /** Counters summed over all training launches. */
  readonly counters: PerfCounters;
  readonly cyclesPerStep: number;
  readonly utilization: number;
  /** Timing model's steady-state prediction of one step. */
  readonly predictedCyclesPerStep: number;
  readonly launches: number;
  /** Wall time spent in training launches on the backend (ms). */
  readonly chipTrainMs: number;
  readonly checked: boolean;
  readonly scheme: QuantScheme;
  /** Final int8 weights, per layer inputs × outputs. */
  readonly weights: readonly Int8Array[];
}

export class TrainCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainCheckError';
  }
}

export class TrainSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainSetupError';
  }
}

function gather(d: Dataset, order: ArrayLike<number>, from: number, count: number): { x: Int8Array; labels: Uint8Array } {
  const F = d.features;
  const x = new Int8Array(count * F);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const s = order[from + i]!;
    x.set(d.x.subarray(s * F, s * F + F), i * F);
    labels[i] = d.labels[s]!;
  }
  return { x, labels };
}

const addCounters = (a: PerfCounters, b: PerfCounters): PerfCounters => ({
  cycles: a.cycles + b.cycles, macs: a.macs + b.macs, dmaBusy: a.dmaBusy + b.dmaBusy, stalls: a.stalls + b.stalls, retired: a.retired + b.retired,
});

/** The scheme every run of this model uses: static scales from the model and the input scale. */
export function schemeFor(spec: ModelSpec, batch: number, lr: number): QuantScheme {
  return chooseScheme(spec, 1 / PIXEL_MAX, { lr, batch });
}

export function trainOnChip(backend: ChipBackend, o: TrainOptions): TrainReport {
  const { spec, data, batch, seed } = o;
  const L = spec.layers.length;
  const classes = spec.sizes[L]!;
  if (spec.sizes[0] !== data.train.features) {
    throw new TrainSetupError(`${spec.name} takes ${spec.sizes[0]} inputs but ${data.name} has ${data.train.features} features per sample`);
  }
  if (classes !== data.train.classes) {
    throw new TrainSetupError(`${spec.name} has ${classes} outputs but ${data.name} has ${data.train.classes} classes`);
  }
  if (!(o.lr > 0)) throw new TrainSetupError(`the learning rate must be positive, not ${o.lr}`);
  const stepsPerEpoch = Math.floor(data.train.count / batch);
  if (stepsPerEpoch < 1) throw new TrainSetupError(`batch ${batch} is larger than the ${data.train.count} training samples`);

  const scheme = schemeFor(spec, batch, o.lr);
  const w0 = initWeights(spec, scheme, seed);
  const chip = new ChipTrainer(backend, spec, scheme, batch, w0);
  const fm = o.noFloat ? null : dequantizedModel(spec, scheme, w0);
  const ref = o.check ? new Int8Reference(spec, geometry(backend.config, spec, batch), scheme, w0) : null;
  const zScale = 2 ** scheme.layers[L - 1]!.outExp;
  const testX = Float32Array.from(data.test.x, (v) => v / PIXEL_MAX);

  const lossCurve: number[] = [];
  const floatLossCurve: number[] = [];
  const epochs: EpochResult[] = [];
  let counters: PerfCounters = { cycles: 0, macs: 0, dmaBusy: 0, stalls: 0, retired: 0 };
  let launches = 0;
  let chipMs = 0;
  let predicted = 0;
  let total = 0;
  const budget = o.maxSteps ?? Infinity;

  for (let e = 0; e < o.epochs && total < budget; e++) {
    const order = epochOrder(data.train.count, seed, e);
    const steps = Math.min(stepsPerEpoch, budget - total);
    let lossSum = 0;
    let floatSum = 0;
    let correct = 0;
    for (let s0 = 0; s0 < steps;) {
      const n = Math.min(chip.maxTrainSteps, steps - s0);
      const { x, labels } = gather(data.train, order, s0 * batch, n * batch);
      const runSeed = deriveSeed(seed, 0x10000 + launches);
      const t0 = performance.now();
      const res = chip.train(x, labels, n, runSeed);
      chipMs += performance.now() - t0;
      predicted = res.program.predicted.cyclesPerStep;
      counters = addCounters(counters, res.counters);
      launches++;
      for (let s = 0; s < n; s++) {
        const zs = res.z.subarray(s * batch * classes, (s + 1) * batch * classes);
        const ls = labels.subarray(s * batch, (s + 1) * batch);
        const l8 = mseLoss(zs, zScale, ls, batch, classes);
        lossCurve.push(l8);
        lossSum += l8;
        correct += accuracy(zs, ls, batch, classes) * batch;
        if (fm) {
          const xf = Float32Array.from(x.subarray(s * batch * spec.sizes[0]!, (s + 1) * batch * spec.sizes[0]!), (v) => v / PIXEL_MAX);
          const tf = new Float32Array(batch * classes);
          for (let b = 0; b < batch; b++) tf[b * classes + ls[b]!] = 1;
          const lf = floatStep(fm, xf, tf, batch, o.lr);
          floatLossCurve.push(lf);
          floatSum += lf;
        }
      }
      if (ref) {
        ref.setSeed(runSeed);
        for (let s = 0; s < n; s++) {
          ref.step(x.subarray(s * batch * spec.sizes[0]!, (s + 1) * batch * spec.sizes[0]!), labels.subarray(s * batch, (s + 1) * batch));
        }
        ref.weights.forEach((w, l) => {
          const i = w.findIndex((v, j) => v !== chip.weights[l]![j]);
          if (i >= 0) {
            throw new TrainCheckError(`after launch ${launches} (epoch ${e + 1}, steps ${s0 + 1}..${s0 + n}) layer ${l} weight ${i} is ${chip.weights[l]![i]} on ${backend.kind} but ${w[i]} in the int8 reference`);
          }
        });
      }
      s0 += n;
      total += n;
      o.onProgress?.({ kind: 'run', epoch: e + 1, step: s0, steps, loss: lossSum / s0 });
    }
    const zt = chip.infer(data.test.x, data.test.count).z;
    const testAccuracy = accuracy(zt, data.test.labels, data.test.count, classes);
    let floatTestAccuracy: number | null = null;
    if (fm) {
      const acts = floatForward(fm, testX, data.test.count);
      floatTestAccuracy = accuracy(acts[L]!, data.test.labels, data.test.count, classes);
    }
    const result: EpochResult = {
      epoch: e + 1, steps, loss: lossSum / steps, floatLoss: fm ? floatSum / steps : null,
      trainAccuracy: correct / (steps * batch), testAccuracy, floatTestAccuracy,
    };
    epochs.push(result);
    o.onProgress?.({ kind: 'epoch', epoch: e + 1, result });
  }
  const last = epochs[epochs.length - 1];
  return {
    model: spec.name, config: backend.config.name, backend: backend.kind, batch, lr: o.lr, seed,
    steps: total, epochs, testAccuracy: last?.testAccuracy ?? 0, floatTestAccuracy: last?.floatTestAccuracy ?? null,
    lossCurve, floatLossCurve, counters,
    cyclesPerStep: total > 0 ? counters.cycles / total : 0,
    utilization: utilization(backend.config, counters),
    predictedCyclesPerStep: predicted, launches, chipTrainMs: chipMs, checked: ref !== null, scheme, weights: chip.weights,
  };
}
