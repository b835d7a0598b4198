import type { Command } from 'commander';
import { serveBoardSimOnPty } from '../../../fpga/board-open.js';
import { FpgaError } from '../../../fpga/errors.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { CliError } from '../errors.js';

interface ServeFlags extends ConfigFlags {
  link?: string;
  baud?: string;
}

/**
 * `accelgen serve-board`: the Verilated board top (UART bridge + chip) behind a pseudo-terminal, so
 * `--backend board --port <pty>` can be tried without hardware. Runs until interrupted.
 */
export function register(program: Command): void {
  program
    .command('serve-board')
    .description('serve a simulated board (Verilated board top with the chip) on a pseudo-terminal for --backend board --port')
    .option('--config <name|file>', CONFIG_FLAG_HELP.config, 'default')
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .option('--link <path>', 'where to create the pty symlink (default: a temporary folder)')
    .option('--baud <n>', 'UART baud rate of the simulated board (default 1000000)')
    .action(async (flags: ServeFlags) => {
      const config = configFromFlags(flags);
      const baud = flags.baud === undefined ? undefined : Number(flags.baud);
      if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) throw new CliError(`--baud must be a positive integer, not ${flags.baud}`);
      let board;
      try {
        board = await serveBoardSimOnPty(config, { link: flags.link, baud });
      } catch (e) {
        if (e instanceof FpgaError) throw new CliError(e.message);
        throw e;
      }
      process.stdout.write(`simulated board for config ${config.name} (hash ${config.derived.hash}) on ${board.port}\n` +
        `use: accelgen gemm --config ${flags.config ?? 'default'}${flags.rows ? ` --rows ${flags.rows}` : ''}${flags.cols ? ` --cols ${flags.cols}` : ''} --backend board --port ${board.port}${baud ? ` --baud ${baud}` : ''} …\n` +
        `Ctrl-C stops it.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await board.close();
    });
}
