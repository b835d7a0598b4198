import type { Command } from 'commander';
import { disassemble } from '../../isa/disassembler.js';
import { formatDiagnostic } from '../../isa/diagnostic.js';
import { hexConfigMismatch, parseHex } from '../../isa/hex.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { CliError } from '../errors.js';
import { readFileOrFail, writeFileAtomic } from '../io.js';

interface DisasmFlags extends ConfigFlags {
  out?: string;
  comments: boolean;
}

/** `accelgen disasm PROG.hex [--config C]`: print assembly that re-assembles to the same words. */
export function register(program: Command): void {
  program
    .command('disasm')
    .description('disassemble a hex image (the output re-assembles to the same words)')
    .argument('<hex>', 'hex program image')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--config <config>', `${CONFIG_FLAG_HELP.config}; checked against the image header`)
    .option('--rows <n>', CONFIG_FLAG_HELP.rows)
    .option('--cols <n>', CONFIG_FLAG_HELP.cols)
    .option('--no-comments', 'omit the address/word comment on each line')
    .action((hex: string, flags: DisasmFlags) => {
      const img = parseHex(readFileOrFail(hex).toString('utf8'), hex);
      if (!img.ok) {
        for (const d of img.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
        throw new CliError(`${hex}: not a valid hex program image`);
      }
      // Only an explicitly chosen config is checked: without one, any image can be inspected.
      if (flags.config !== undefined || flags.rows !== undefined || flags.cols !== undefined) {
        const why = hexConfigMismatch(img, configFromFlags(flags));
        if (why) throw new CliError(`${hex}: ${why}`);
      }
      const text = disassemble(img.words, { comments: flags.comments });
      if (flags.out) writeFileAtomic(flags.out, text);
      else process.stdout.write(text);
    });
}
