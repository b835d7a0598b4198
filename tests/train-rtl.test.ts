import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/sim/index.js';
import { presetConfig } from '../src/config/index.js';
import type { ChipBackend } from '../src/host/backend.js';
import { parseModelSpec } from '../src/compiler/train/model.js';
import { loadMnist } from '../src/train/dataset.js';
import { trainOnChip } from '../src/train/trainer.js';
import { makeBackend } from '../src/cli/backend-arg.js';

// The RTL backend needs Verilator and a C++ compiler; without them this test fails with the
// backend's message, which says how to install them (it never skips silently).
const config = presetConfig('default');

describe('training on the Verilated RTL', () => {
  it('a few steps give bit-identical weights, logits and counters to the simulator', async () => {
    const rtl: ChipBackend = await makeBackend('rtl', config);
    const opts = { spec: parseModelSpec('mlp:196-64-10'), data: loadMnist({ train: 8000, test: 64 }), epochs: 1, batch: 16, lr: 0.3, seed: 5, maxSteps: 4, noFloat: true };
    const a = trainOnChip(new Simulator(config), opts);
    let b;
    try {
      b = trainOnChip(rtl, { ...opts, check: true });
    } finally {
      rtl.close();
    }
    b.weights.forEach((w, l) => expect(Array.from(w), `layer ${l}`).toEqual(Array.from(a.weights[l]!)));
    expect(b.lossCurve).toEqual(a.lossCurve);
    expect(b.counters).toEqual(a.counters);
    expect(b.testAccuracy).toBe(a.testAccuracy);
  });
});
