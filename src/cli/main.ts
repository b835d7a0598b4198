#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError } from './errors.js';
import { COMMANDS } from './commands/index.js';

/** Build the `accelgen` program. Each command lives in commands/<name>.ts and registers itself. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('accelgen')
    .description('Generate, program, simulate and verify an int8 systolic training accelerator')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (help, version or a usage error).
      return e.exitCode;
    }
    if (e instanceof CliError) {
      process.stderr.write(`accelgen: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`accelgen: internal error: ${msg}\n(set ACCELGEN_DEBUG=1 for a stack trace)\n`);
    if (process.env.ACCELGEN_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 70;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
