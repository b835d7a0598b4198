import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { presetConfig } from '../src/config/index.js';
import { assemble } from '../src/isa/assembler.js';
import { Simulator } from '../src/sim/simulator.js';
import { compareDemo, demoData, demoReference, runDemoOn } from '../src/demo/train-step.js';

describe('the bundled training step (examples/train-step.s)', () => {
  const config = presetConfig('default');
  const asm = assemble(readFileSync(join(__dirname, '..', 'examples', 'train-step.s'), 'utf8'), 'train-step.s', { config });
  if (!asm.ok) throw new Error(asm.diagnostics.map((d) => d.message).join('\n'));

  it('matches the plain TypeScript model for several data sets', () => {
    for (const seed of [1, 2, 3, 42]) {
      const d = demoData(seed);
      const run = runDemoOn(new Simulator(config), asm.words, d);
      expect(run.error).toBe(0);
      expect(compareDemo(run.result, demoReference(d))).toEqual([]);
    }
  });

  it('really trains: the weights move, and a corrupted weight is detected', () => {
    const d = demoData(1);
    const ref = demoReference(d);
    expect(ref.Wnew.some((w, i) => w !== d.W[i])).toBe(true);
    const bad = { ...ref, Wnew: ref.Wnew.slice() };
    bad.Wnew[5] = bad.Wnew[5]! + 1;
    expect(compareDemo(bad, ref)).toEqual([`Wnew[5]: ${ref.Wnew[5]! + 1} vs ${ref.Wnew[5]}`]);
  });
});
