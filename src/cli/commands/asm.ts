import type { Command } from 'commander';
import { assemble } from '../../isa/assembler.js';
import { formatDiagnostic } from '../../isa/diagnostic.js';
import { formatHex } from '../../isa/hex.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { CliError } from '../errors.js';
import { readFileOrFail, writeFileAtomic } from '../io.js';

interface AsmFlags extends ConfigFlags {
  out?: string;
  json?: boolean;
}

/** `PROG.s` → `PROG.hex` (any other name gets `.hex` appended). */
function defaultOut(prog: string): string {
  return prog.endsWith('.s') || prog.endsWith('.asm') ? prog.replace(/\.(s|asm)$/, '.hex') : `${prog}.hex`;
}

/** `accelgen asm PROG.s -o PROG.hex [--config C] [--json]`: assemble to a hex image. */
export function register(program: Command): void {
  program
    .command('asm')
    .description('assemble a program into a hex image ($readmemh format, tagged with the config hash)')
    .argument('<prog>', 'assembly source file')
    .option('-o, --out <file>', 'output hex image (default: PROG with .hex)')
    .option('--config <config>', CONFIG_FLAG_HELP.config)
    .option('--rows <n>', CONFIG_FLAG_HELP.rows)
    .option('--cols <n>', CONFIG_FLAG_HELP.cols)
    .option('--json', 'print a JSON result (words, labels or diagnostics) on stdout')
    .action((prog: string, flags: AsmFlags) => {
      const config = configFromFlags(flags);
      // Decoding as UTF-8 turns invalid bytes into U+FFFD, which the assembler reports as "not text".
      const source = readFileOrFail(prog).toString('utf8');
      const r = assemble(source, prog, { config });
      if (!r.ok) {
        if (flags.json) process.stdout.write(JSON.stringify({ ok: false, diagnostics: r.diagnostics }, null, 2) + '\n');
        for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
        const n = r.diagnostics.length;
        throw new CliError(`${prog}: ${n} error${n === 1 ? '' : 's'}; no output written`);
      }
      const out = flags.out ?? defaultOut(prog);
      writeFileAtomic(out, formatHex(r.words, config));
      if (flags.json) {
        process.stdout.write(JSON.stringify({
          ok: true,
          out,
          words: r.words.length,
          config: { name: config.name, hash: config.derived.hash },
          labels: Object.fromEntries(r.labels),
        }, null, 2) + '\n');
      }
    });
}
