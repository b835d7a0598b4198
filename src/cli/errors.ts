/**
 * A user-facing failure: the CLI prints `message` (one or more lines) and exits with `exitCode`,
 * never a stack trace. Library code throws its own typed errors; commands translate them.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
