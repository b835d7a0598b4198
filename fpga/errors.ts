/**
 * The one error type of the FPGA library. The CLI turns it into a one-line message and a non-zero
 * exit; the library never prints or exits. `code` is stable so callers (and tests) can branch on it.
 */
export type FpgaErrorCode =
  | 'unknown-target'
  | 'unknown-board'
  | 'pll'
  | 'baud'
  | 'fit'
  | 'tool-missing'
  | 'tool-failed'
  | 'report'
  | 'no-rtl'
  | 'output'
  | 'protocol'
  | 'interrupted';

export class FpgaError extends Error {
  constructor(
    readonly code: FpgaErrorCode,
    message: string,
    /** Extra lines (a log tail, a list of problems) the CLI may show under the message. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FpgaError';
  }
}
