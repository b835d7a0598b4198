import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configFromFlags, CONFIG_FLAG_HELP, type ConfigFlags } from '../config-arg.js';
import { BACKEND_HELP, makeBackend, parseBackend } from '../backend-arg.js';
import { writeFileAtomic } from '../io.js';
import { CliError } from '../errors.js';
import { parseModelSpec, ModelSpecError, type ModelSpec } from '../../compiler/train/model.js';
import { FitError } from '../../compiler/train/plan.js';
import { DatasetError, loadMnist } from '../../train/dataset.js';
import { ChipRunError } from '../../train/chip.js';
import { trainOnChip, TrainCheckError, TrainSetupError, type TrainReport } from '../../train/trainer.js';
import { lossPlotSvg } from '../../train/plot.js';

interface TrainFlags extends ConfigFlags {
  model: string;
  dataset: string;
  epochs: string;
  batch: string;
  lr: string;
  seed: string;
  backend: string;
  port?: string;
  baud?: string;
  steps?: string;
  check?: boolean;
  json?: boolean;
  plot?: string;
}

const DATASETS = ['mnist'] as const;

function intFlag(v: string, name: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new CliError(`--${name} must be an integer in ${lo}..${hi}, not ${JSON.stringify(v)}`);
  return Number(v);
}

function modelFromFlag(v: string): ModelSpec {
  try {
    if (v.startsWith('mlp:')) return parseModelSpec(v);
    if (existsSync(v)) return parseModelSpec(readFileSync(v, 'utf8'));
    return parseModelSpec(v);
  } catch (e) {
    if (e instanceof ModelSpecError) throw new CliError(`--model ${v}: ${e.message}`);
    throw e;
  }
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)} %`);

function jsonReport(r: TrainReport, extra: Record<string, unknown>): Record<string, unknown> {
  const last = r.epochs[r.epochs.length - 1];
  return {
    model: r.model,
    dataset: 'mnist',
    backend: r.backend,
    ...extra,
    epochs: r.epochs.length,
    batch: r.batch,
    lr: r.lr,
    seed: r.seed,
    steps: r.steps,
    test_accuracy: r.testAccuracy,
    float_test_accuracy: r.floatTestAccuracy,
    train_accuracy: last?.trainAccuracy ?? null,
    loss: last?.loss ?? null,
    float_loss: last?.floatLoss ?? null,
    cycles: r.counters.cycles,
    cycles_per_step: Math.round(r.cyclesPerStep),
    predicted_cycles_per_step: r.predictedCyclesPerStep,
    utilization: Number(r.utilization.toFixed(4)),
    dma_busy_cycles: r.counters.dmaBusy,
    stall_cycles: r.counters.stalls,
    launches: r.launches,
    chip_seconds: Number((r.chipTrainMs / 1000).toFixed(3)),
    checked_against_int8_reference: r.checked,
    per_epoch: r.epochs.map((e) => ({
      epoch: e.epoch, steps: e.steps, loss: e.loss, float_loss: e.floatLoss,
      train_accuracy: e.trainAccuracy, test_accuracy: e.testAccuracy, float_test_accuracy: e.floatTestAccuracy,
    })),
    scheme: {
      weight_exp: r.scheme.layers.map((s) => s.wExp),
      out_exp: r.scheme.layers.map((s) => s.outExp),
      grad_exp: r.scheme.layers.map((s) => s.gradExp),
      fwd: r.scheme.fwd, bwd: r.scheme.bwd, lr: r.scheme.lr, grad_round: r.scheme.gradRound,
    },
  };
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train a model on the chip in int8 (forward, loss, backward and SGD on the accelerator) next to a float32 reference')
    .requiredOption('--model <spec|file.json>', 'model, e.g. mlp:196-64-10 (dense + ReLU, no bias) or a JSON file {"kind":"mlp","sizes":[...]}')
    .requiredOption('--dataset <name>', `data set: ${DATASETS.join(', ')} (14×14, 8000 train / 2000 test)`)
    .option('--config <name|file>', CONFIG_FLAG_HELP.config, 'default')
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .option('--epochs <n>', 'passes over the training set', '1')
    .option('--batch <n>', 'samples per SGD step', '16')
    .option('--lr <x>', 'learning rate (float-equivalent; the compiler turns it into per-layer LR_MUL/LR_SHIFT)', '0.3')
    .option('--seed <n>', 'seed of the initial weights, the sample order and the chip RNG', '1')
    .option('--backend <kind>', BACKEND_HELP, 'sim')
    .option('--port <device>', 'serial device of --backend board, e.g. /dev/ttyUSB1')
    .option('--baud <n>', 'UART baud rate of --backend board / board-sim')
    .option('--steps <n>', 'stop after this many training steps in total (quick runs, RTL checks)')
    .option('--check', 'also run the int8 TypeScript reference and require bit-identical weights after every launch')
    .option('--json', 'print one JSON object with the results')
    .option('--plot <loss.svg>', 'write the int8 and float32 loss curves as an SVG')
    .action(async (flags: TrainFlags) => {
      const config = configFromFlags(flags);
      const kind = parseBackend(flags.backend);
      const spec = modelFromFlag(flags.model);
      if (!(DATASETS as readonly string[]).includes(flags.dataset)) {
        throw new CliError(`--dataset must be one of ${DATASETS.join(', ')}, not ${JSON.stringify(flags.dataset)}`);
      }
      const epochs = intFlag(flags.epochs, 'epochs', 1, 1000);
      const batch = intFlag(flags.batch, 'batch', 1, 4096);
      const seed = intFlag(flags.seed, 'seed', 0, 0xffffffff);
      const maxSteps = flags.steps === undefined ? undefined : intFlag(flags.steps, 'steps', 1, 1e9);
      const lr = Number(flags.lr);
      if (!Number.isFinite(lr) || lr <= 0) throw new CliError(`--lr must be a positive number, not ${JSON.stringify(flags.lr)}`);

      const t0 = performance.now();
      let data;
      try {
        data = loadMnist();
      } catch (e) {
        if (e instanceof DatasetError) throw new CliError(e.message);
        throw e;
      }
      const backend = await makeBackend(kind, config, { port: flags.port, baud: flags.baud });
      const say = (s: string): void => {
        if (!flags.json) process.stderr.write(s + '\n');
      };
      say(`training ${spec.name} on ${data.name} (${data.train.count} train / ${data.test.count} test), ${config.array.rows}×${config.array.cols} array (${config.name}), backend ${kind}`);
      let report: TrainReport;
      try {
        report = trainOnChip(backend, {
          spec, data, epochs, batch, lr, seed, maxSteps, check: flags.check === true,
          onProgress: (e) => {
            if (e.kind === 'epoch') {
              const r = e.result;
              say(`  epoch ${r.epoch}: loss ${r.loss.toFixed(4)} (float ${r.floatLoss?.toFixed(4) ?? '—'}), test accuracy int8 ${pct(r.testAccuracy)}, float32 ${pct(r.floatTestAccuracy)}`);
            }
          },
        });
      } catch (e) {
        if (e instanceof FitError || e instanceof TrainSetupError || e instanceof TrainCheckError || e instanceof ChipRunError) throw new CliError(e.message);
        throw e;
      } finally {
        backend.close();
      }
      const seconds = (performance.now() - t0) / 1000;
      if (flags.plot) {
        const title = `${spec.name} on ${data.name}: int8 on ${config.array.rows}×${config.array.cols} (${kind}) vs float32`;
        writeFileAtomic(flags.plot, lossPlotSvg(report.lossCurve, report.floatLossCurve, title, Math.floor(data.train.count / batch)));
      }
      if (flags.json) {
        const extra = { config: config.name, config_hash: config.derived.hash, array: `${config.array.rows}x${config.array.cols}` };
        process.stdout.write(JSON.stringify({ ...jsonReport(report, extra), seconds: Number(seconds.toFixed(3)), plot: flags.plot ?? null }) + '\n');
        return;
      }
      process.stdout.write(
        `${spec.name} on mnist, ${report.steps} steps of batch ${batch} (lr ${lr}, seed ${seed}), ${config.array.rows}×${config.array.cols} ${kind}\n` +
          `  test accuracy   int8 ${pct(report.testAccuracy)}   float32 ${pct(report.floatTestAccuracy)}\n` +
          `  cycles/step     ${Math.round(report.cyclesPerStep)} (timing model: ${report.predictedCyclesPerStep})\n` +
          `  utilization     ${(report.utilization * 100).toFixed(1)} %  over ${report.counters.cycles} cycles, ${report.launches} launches\n` +
          `  time            ${(report.chipTrainMs / 1000).toFixed(2)} s training on ${kind}, ${seconds.toFixed(2)} s total\n` +
          (report.checked ? '  check           weights bit-identical to the int8 TypeScript reference after every launch\n' : '') +
          (flags.plot ? `  wrote           ${flags.plot}\n` : ''),
      );
    });
}
