import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../src/sim/index.js';
import { presetConfig } from '../src/config/index.js';
import { parseModelSpec } from '../src/compiler/train/model.js';
import { epochOrder, loadMnist } from '../src/train/dataset.js';
import { trainOnChip } from '../src/train/trainer.js';
import { register } from '../src/cli/commands/train.js';
import { CliError } from '../src/cli/errors.js';

describe('MNIST at 14×14', () => {
  it('splits 8000 / 2000 deterministically, pixels 0..127, every digit present', () => {
    const a = loadMnist();
    const b = loadMnist();
    expect([a.train.count, a.test.count, a.train.features]).toEqual([8000, 2000, 196]);
    expect(Array.from(a.test.labels.subarray(0, 50))).toEqual(Array.from(b.test.labels.subarray(0, 50)));
    expect(a.train.x.reduce((m, v) => Math.min(m, v), 0)).toBe(0);
    expect(a.train.x.reduce((m, v) => Math.max(m, v), 0)).toBe(127);
    expect(new Set(a.test.labels).size).toBe(10);
  });

  it('orders samples by (seed, epoch)', () => {
    const o = epochOrder(100, 1, 0);
    expect(new Set(o).size).toBe(100);
    expect(Array.from(o)).toEqual(Array.from(epochOrder(100, 1, 0)));
    expect(Array.from(o)).not.toEqual(Array.from(epochOrder(100, 1, 1)));
    expect(Array.from(o)).not.toEqual(Array.from(epochOrder(100, 2, 0)));
  });
});

describe('training on the simulator', () => {
  it('a short run lowers the loss, matches the int8 reference bit for bit, and tracks float32', () => {
    const rep = trainOnChip(new Simulator(presetConfig('default')), {
      spec: parseModelSpec('mlp:196-64-10'), data: loadMnist(), epochs: 1, batch: 16, lr: 0.1, seed: 3, maxSteps: 150, check: true,
    });
    expect(rep.steps).toBe(150);
    expect(rep.checked).toBe(true);
    const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(rep.lossCurve.slice(-30))).toBeLessThan(0.6 * mean(rep.lossCurve.slice(0, 30)));
    expect(rep.testAccuracy).toBeGreaterThan(0.7);
    expect(Math.abs(rep.testAccuracy - rep.floatTestAccuracy!)).toBeLessThan(0.05);
    expect(rep.utilization).toBeGreaterThan(0.7);
    expect(rep.cyclesPerStep).toBeGreaterThan(0);
  });
});

describe('accelgen train (in process)', () => {
  afterEach(() => vi.restoreAllMocks());

  const runCli = async (args: string[]): Promise<string> => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = new Command().exitOverride();
    register(p);
    await p.parseAsync(['node', 'accelgen', 'train', ...args]);
    return out;
  };

  it('--json reports the figures and --plot writes the loss curves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelgen-train-'));
    const svg = join(dir, 'loss.svg');
    const out = await runCli(['--model', 'mlp:196-64-10', '--dataset', 'mnist', '--steps', '40', '--json', '--plot', svg]);
    const j = JSON.parse(out) as Record<string, unknown>;
    for (const k of ['test_accuracy', 'float_test_accuracy', 'cycles_per_step', 'utilization', 'steps']) expect(j[k], k).toBeTypeOf('number');
    expect(j.steps).toBe(40);
    expect(j.array).toBe('8x8');
    expect(readFileSync(svg, 'utf8')).toContain('float32 reference');
  });

  it('turns fit errors and bad flags into one-line CLI errors', async () => {
    await expect(runCli(['--model', 'mlp:196-64-10', '--dataset', 'mnist', '--config', 'ice40-up5k'])).rejects.toThrow(/scratchpad is short by \d+ rows/);
    await expect(runCli(['--model', 'mlp:196-64-10', '--dataset', 'cifar'])).rejects.toThrow(CliError);
    await expect(runCli(['--model', 'mlp:100-10', '--dataset', 'mnist'])).rejects.toThrow(/takes 100 inputs but mnist has 196/);
    await expect(runCli(['--model', 'mlp:196-64-10', '--dataset', 'mnist', '--lr', '-1'])).rejects.toThrow(/--lr must be a positive number/);
  });
});
