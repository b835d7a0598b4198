import type { ChipConfig } from '../config/index.js';
import type { ChipBackend } from '../host/backend.js';
import { Simulator } from '../sim/simulator.js';
import { CliError } from './errors.js';

export const BACKENDS = ['sim', 'rtl'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export function parseBackend(v: string): BackendKind {
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendKind;
  throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}, not ${JSON.stringify(v)}`);
}

/**
 * Make a backend. The RTL backend is imported lazily: it needs Verilator and a C++ compiler, and
 * commands that only simulate must work without them.
 */
export async function makeBackend(kind: BackendKind, config: ChipConfig): Promise<ChipBackend> {
  if (kind === 'sim') return new Simulator(config);
  let mod: { RtlBackend: { create(config: ChipConfig): Promise<ChipBackend> | ChipBackend } };
  try {
    mod = (await import('../../testbench/rtl-backend.js')) as typeof mod;
  } catch (e) {
    throw new CliError(`the rtl backend is not available: ${(e as Error).message}`);
  }
  try {
    return await mod.RtlBackend.create(config);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
