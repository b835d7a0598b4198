import { Simulator } from '../src/sim/index.js';
import { resolveConfig, type ChipConfig } from '../src/config/index.js';
import { mlp, type ModelSpec } from '../src/compiler/train/model.js';
import { chooseScheme, type QuantScheme } from '../src/compiler/train/scales.js';
import { geometry } from '../src/compiler/train/geometry.js';
import { Int8Reference } from '../src/train/int8-ref.js';
import { ChipTrainer, type RunResult } from '../src/train/chip.js';
import { HostRng } from '../src/train/rng.js';

/** A config with the default memories and the given array shape. */
export function arrayConfig(rows: number, cols: number, memory: Record<string, number> = {}): ChipConfig {
  return resolveConfig({ name: `t${rows}x${cols}`, array: { rows, cols }, memory });
}

export interface Case {
  readonly cfg: ChipConfig;
  readonly spec: ModelSpec;
  readonly scheme: QuantScheme;
  readonly batch: number;
  readonly w: Int8Array[];
  readonly x: Int8Array;
  readonly labels: number[];
}

/** Random weights (wide, so saturation and both signs are exercised) and inputs for `steps` batches. */
export function makeCase(cfg: ChipConfig, sizes: number[], batch: number, steps: number, seed = 7): Case {
  const spec = mlp(sizes);
  const scheme = chooseScheme(spec, 1 / 127, { lr: 0.1, batch });
  const rng = new HostRng(seed);
  const w = spec.layers.map((L) => Int8Array.from({ length: L.inputs * L.outputs }, () => Math.max(-128, Math.min(127, Math.round(rng.normal() * 30)))));
  const x = Int8Array.from({ length: steps * batch * sizes[0]! }, () => rng.below(128));
  const labels = Array.from({ length: steps * batch }, () => rng.below(sizes[sizes.length - 1]!));
  return { cfg, spec, scheme, batch, w, x, labels };
}

/** Train `steps` on the simulator and on the int8 reference; return both. */
export function runBoth(c: Case, steps: number, seed = 1234): { chip: ChipTrainer; res: RunResult; ref: Int8Reference; refZ: Int8Array } {
  const chip = new ChipTrainer(new Simulator(c.cfg), c.spec, c.scheme, c.batch, c.w);
  const res = chip.train(c.x, c.labels, steps, seed);
  const ref = new Int8Reference(c.spec, geometry(c.cfg, c.spec, c.batch), c.scheme, c.w);
  ref.setSeed(seed);
  const n0 = c.spec.sizes[0]!;
  const zs: number[] = [];
  for (let s = 0; s < steps; s++) {
    zs.push(...ref.step(c.x.subarray(s * c.batch * n0, (s + 1) * c.batch * n0), c.labels.slice(s * c.batch, (s + 1) * c.batch)).z);
  }
  return { chip, res, ref, refZ: Int8Array.from(zs) };
}
