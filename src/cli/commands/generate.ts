import type { Command } from 'commander';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChipConfig } from '../../config/index.js';
import { configJsonText, DesignError, generateRtl } from '../../hdl-gen/index.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../io.js';

export interface GenerateFlags extends ConfigFlags {
  out?: string;
}

export interface GenerateResult {
  readonly config: ChipConfig;
  readonly dir: string;
  /** Files written, relative to `dir`. */
  readonly files: readonly string[];
}

/**
 * Write the chip's Verilog for a config into `dir`: every module as `<name>.v`, the resolved config
 * as `config.json` and the file list (top last) as `files.f`. Each file is written atomically; stale
 * `ag_*.v` files of an earlier generation are removed, so the folder is exactly one design.
 */
export function writeRtl(config: ChipConfig, dir: string): GenerateResult {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`--out ${dir}: not a folder`);
  let rtl;
  try {
    rtl = generateRtl(config);
  } catch (e) {
    if (e instanceof DesignError) throw new CliError(`internal error in the Verilog generator:\n${e.message}`);
    throw e;
  }
  const names = rtl.files.map((f) => f.name);
  for (const f of rtl.files) writeFileAtomic(join(dir, f.name), f.text);
  writeFileAtomic(join(dir, 'config.json'), configJsonText(config));
  const order = [...names.filter((n) => n !== `${rtl.top}.v`), `${rtl.top}.v`];
  writeFileAtomic(join(dir, 'files.f'), `${order.join('\n')}\n`);
  for (const f of readdirSync(dir)) {
    if (/^ag_.*\.v$/.test(f) && !names.includes(f)) rmSync(join(dir, f));
  }
  return { config, dir, files: [...order, 'config.json', 'files.f'] };
}

/** `accelgen generate --config C [--rows r --cols c] --out DIR`. */
export function register(program: Command): void {
  program
    .command('generate')
    .description('generate the Verilog of the chip for a config (one module per file, config.json, files.f)')
    .option('--config <name|file>', CONFIG_FLAG_HELP.config, 'default')
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .option('--out <dir>', 'output folder')
    .action((flags: GenerateFlags) => {
      if (!flags.out) throw new CliError('generate needs --out DIR (the folder to write the Verilog into)');
      const r = writeRtl(configFromFlags(flags), flags.out);
      const c = r.config;
      process.stdout.write(`generated ${r.files.length - 2} Verilog files for ${c.name} (${c.array.rows}x${c.array.cols}, hash ${c.derived.hash}) in ${r.dir}\n`);
    });
}
