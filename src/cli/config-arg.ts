import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, PRESETS, PRESET_NAMES, resolveConfig, presetConfig, type ChipConfig } from '../config/index.js';
import { CliError } from './errors.js';

export interface ConfigFlags {
  config?: string;
  rows?: string;
  cols?: string;
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new CliError(`--${name} must be a positive integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** Resolve `--config NAME|FILE.json [--rows r --cols c]` into a validated ChipConfig. */
export function configFromFlags(flags: ConfigFlags): ChipConfig {
  const spec = flags.config ?? 'default';
  const overrides = { rows: intFlag(flags.rows, 'rows'), cols: intFlag(flags.cols, 'cols') };
  try {
    if (spec in PRESETS) return presetConfig(spec, overrides);
    if (!existsSync(spec)) {
      throw new CliError(`--config ${spec}: not a preset (${PRESET_NAMES.join(', ')}) and no such file`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(spec, 'utf8'));
    } catch (e) {
      throw new CliError(`${spec}: not valid JSON (${(e as Error).message})`);
    }
    return resolveConfig(parsed, overrides, spec);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

/** Add the shared config flags to a command. */
export const CONFIG_FLAG_HELP = {
  config: 'preset name (default, ice40-up5k, ice40-hx8k, ecp5-25f, ecp5-85f) or a JSON config file',
  rows: 'override array rows',
  cols: 'override array columns',
} as const;
