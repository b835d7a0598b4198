import type { Command } from 'commander';
import { configFromFlags, CONFIG_FLAG_HELP, type ConfigFlags } from '../config-arg.js';
import { BACKEND_HELP, makeBackend, parseBackend } from '../backend-arg.js';
import { readFileOrFail, writeFileAtomic } from '../io.js';
import { CliError } from '../errors.js';
import { asInt8Matrix, formatNpy, NpyError, parseNpy } from '../../io/npy.js';
import { runGemm, ChipFault } from '../../compiler/gemm-run.js';
import { FitError } from '../../compiler/gemm.js';

interface GemmFlags extends ConfigFlags {
  a: string;
  b: string;
  out?: string;
  backend: string;
  port?: string;
  baud?: string;
  json?: boolean;
}

function loadMatrix(path: string, name: string): { rows: number; cols: number; data: Int8Array } {
  try {
    return asInt8Matrix(parseNpy(readFileOrFail(path)), `${name} (${path})`);
  } catch (e) {
    if (e instanceof NpyError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('gemm')
    .description('compute Y = A·B on the chip (A int8 M×K, B int8 K×N, Y int32 M×N, all .npy)')
    .option('--config <name|file>', CONFIG_FLAG_HELP.config, 'default')
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .requiredOption('--a <A.npy>', 'left matrix, int8 M×K')
    .requiredOption('--b <B.npy>', 'right matrix, int8 K×N')
    .option('--out <Y.npy>', 'write Y (int32 M×N) here')
    .option('--backend <kind>', BACKEND_HELP, 'sim')
    .option('--port <device>', 'serial device of --backend board, e.g. /dev/ttyUSB1')
    .option('--baud <n>', 'UART baud rate of --backend board / board-sim')
    .option('--json', 'print one JSON object with the figures')
    .action(async (flags: GemmFlags) => {
      const config = configFromFlags(flags);
      const kind = parseBackend(flags.backend);
      const A = loadMatrix(flags.a, 'A');
      const B = loadMatrix(flags.b, 'B');
      if (A.cols !== B.rows) throw new CliError(`shapes do not chain: A is ${A.rows}×${A.cols}, B is ${B.rows}×${B.cols} (A's columns must equal B's rows)`);
      const shape = { M: A.rows, K: A.cols, N: B.cols };
      const backend = await makeBackend(kind, config, { port: flags.port, baud: flags.baud });
      const t0 = performance.now();
      let res;
      try {
        res = runGemm(backend, A.data, B.data, shape);
      } catch (e) {
        if (e instanceof FitError || e instanceof ChipFault) throw new CliError(e.message);
        throw e;
      } finally {
        backend.close();
      }
      const seconds = (performance.now() - t0) / 1000;
      if (flags.out) writeFileAtomic(flags.out, formatNpy(res.Y, [shape.M, shape.N]));
      const c = res.counters;
      const report = {
        backend: kind,
        config: config.name,
        config_hash: config.derived.hash,
        array: `${config.array.rows}x${config.array.cols}`,
        M: shape.M, K: shape.K, N: shape.N,
        cycles: c.cycles,
        macs: shape.M * shape.K * shape.N,
        mac_pe_cycles: c.macs,
        utilization: Number(res.utilization.toFixed(4)),
        dma_busy_cycles: c.dmaBusy,
        stall_cycles: c.stalls,
        instructions: c.retired,
        launches: res.program.launches.length,
        scheme: res.program.plan.scheme,
        seconds: Number(seconds.toFixed(3)),
        out: flags.out ?? null,
      };
      if (flags.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
      } else {
        process.stdout.write(
          `gemm ${shape.M}×${shape.K} · ${shape.K}×${shape.N} on ${report.array} (${kind}, config ${config.name})\n` +
            `  cycles        ${c.cycles}\n` +
            `  utilization   ${(res.utilization * 100).toFixed(1)} %  (MAC-active PE-cycles / (rows·cols·cycles))\n` +
            `  MACs          ${report.macs}\n` +
            `  DMA busy      ${c.dmaBusy} cycles, stalls ${c.stalls}, instructions ${c.retired}, launches ${report.launches}\n` +
            (flags.out ? `  wrote         ${flags.out}\n` : ''),
        );
      }
    });
}
