/**
 * Lint the generated RTL with the installed tools: `verilator --lint-only -Wall` (waivers only from
 * testbench/lint-waivers.vlt) and yosys `hierarchy -check; proc; check -assert`. A missing tool is an
 * error that says how to install it, never a silent pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChipConfig } from '../src/config/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { repoRoot, ToolMissingError, verilatorBin } from './build.js';

export interface LintResult {
  readonly ok: boolean;
  /** Tool output (warnings, errors). */
  readonly log: string;
}

function run(bin: string, args: string[], cwd: string, install: string, name: string): LintResult {
  try {
    const out = execFileSync(bin, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    return { ok: true, log: out };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new ToolMissingError(name, install);
    return { ok: false, log: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

function withRtl<T>(config: ChipConfig, f: (dir: string, files: string[], top: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'accelgen-lint-'));
  try {
    const rtl = generateRtl(config);
    for (const file of rtl.files) writeFileSync(join(dir, file.name), file.text);
    return f(dir, rtl.files.map((x) => x.name), rtl.top);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `verilator --lint-only -Wall`: ok when it exits 0 and prints no warning. `bin` defaults to the
 * Verilator the test bench builds with; pass another to lint under every installed version.
 */
export function verilatorLint(config: ChipConfig, bin: string = verilatorBin()): LintResult {
  return withRtl(config, (dir, files, top) => {
    const waivers = join(repoRoot(), 'testbench', 'lint-waivers.vlt');
    const r = run(bin, ['--lint-only', '-Wall', '--top-module', top, waivers, ...files], dir,
      'install it with `apt-get install verilator`', 'Verilator');
    return { ok: r.ok && !/%(Warning|Error)/.test(r.log), log: r.log };
  });
}

/** yosys `hierarchy -check; proc; check -assert` on the whole design. */
export function yosysCheck(config: ChipConfig): LintResult {
  return withRtl(config, (dir, files, top) => {
    const script = `read_verilog ${files.join(' ')}\nhierarchy -check -top ${top}\nproc\ncheck -assert\n`;
    writeFileSync(join(dir, 'check.ys'), script);
    return run(process.env.ACCELGEN_YOSYS ?? 'yosys', ['-q', '-s', 'check.ys'], dir, 'install it with `apt-get install yosys`', 'yosys');
  });
}
