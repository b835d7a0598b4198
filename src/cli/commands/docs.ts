import type { Command } from 'commander';
import { generateIsaDoc } from '../../isa/docs.js';
import { writeFileAtomic } from '../io.js';

/** `accelgen docs --out docs/isa.md`: regenerate the ISA reference from the table. */
export function register(program: Command): void {
  program
    .command('docs')
    .description('generate the ISA reference (docs/isa.md) from the instruction table')
    .option('--out <file>', 'output file (default: stdout)')
    .action((flags: { out?: string }) => {
      const text = generateIsaDoc();
      if (flags.out) writeFileAtomic(flags.out, text);
      else process.stdout.write(text);
    });
}
