import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './require-tools.js';
import { boardDesign } from '../fpga/design.js';
import { FpgaError } from '../fpga/errors.js';
import { estimateDemoFit } from '../fpga/fit.js';
import { runFlow } from '../fpga/flow.js';
import { designFmax, parsePnrReport, resourceUse } from '../fpga/report.js';
import { runCommand, type CommandRunner } from '../fpga/run.js';
import { getTarget } from '../fpga/targets.js';
import { locateTool, toolSpec, type ToolContext } from '../fpga/tools.js';

const REPORT = {
  utilization: {
    ICESTORM_LC: { available: 5280, used: 1913 },
    ICESTORM_DSP: { available: 8, used: 8 },
    ICESTORM_RAM: { available: 30, used: 2 },
    ICESTORM_SPRAM: { available: 4, used: 0 },
    ICESTORM_PLL: { available: 1, used: 1 },
  },
  fmax: { clk: { achieved: 35.99, constraint: 30 } },
  critical_paths: [{
    from: 'posedge clk', to: 'posedge clk',
    path: [
      { type: 'clk-to-q', net: 'a', delay: 0.5, from: { cell: 'u_chip.a_0', port: 'Q' }, to: { cell: 'u_chip.a_0', port: 'Q' } },
      { type: 'routing', net: 'a', delay: 2.5, from: { cell: 'u_chip.a_0', port: 'Q' }, to: { cell: 'u_chip.dsp_0', port: 'A0' } },
    ],
  }],
};

describe('nextpnr report', () => {
  it('reads utilization, fmax and the critical path', () => {
    const r = parsePnrReport(JSON.stringify(REPORT));
    const use = resourceUse(r, getTarget('ice40-up5k').reportCells);
    expect(use.luts).toEqual({ used: 1913, available: 5280 });
    expect(use.dsps.used).toBe(8);
    expect(designFmax(r)).toEqual({ net: 'clk', achievedMhz: 35.99, constraintMhz: 30 });
    expect(r.criticalPaths[0]).toEqual({ from: 'posedge clk', to: 'posedge clk', delayNs: 3, cells: ['u_chip.a_0', 'u_chip.dsp_0'] });
  });
  it('refuses a report that is not one', () => {
    expect(() => parsePnrReport('{')).toThrow(/not JSON/);
    expect(() => parsePnrReport('{}')).toThrow(/no "utilization"/);
  });
});

/** A fake tool chain: every tool "exists" and writes the file its stage must produce. */
function fakeTools(failStage?: 'synth' | 'pnr' | 'pack'): { ctx: ToolContext; runner: CommandRunner } {
  const ctx: ToolContext = { env: { PATH: '/fake' }, root: '/nowhere', isExecutable: (p) => p.startsWith('/fake/') };
  const runner: CommandRunner = async (spec) => {
    const tool = spec.argv[0]!.replace('/fake/', '');
    const stage = tool === 'yosys' ? 'synth' : tool.startsWith('nextpnr') ? 'pnr' : 'pack';
    if (spec.logFile) writeFileSync(spec.logFile, `${tool} ran\n${stage === failStage ? 'ERROR: something cryptic\n' : ''}`);
    if (stage === failStage) return { code: 1, signal: null, output: '', seconds: 0.1, timedOut: false };
    if (stage === 'synth') writeFileSync(join(spec.cwd, 'board.json'), '{}');
    if (stage === 'pnr') {
      writeFileSync(join(spec.cwd, 'board.asc'), 'asc');
      writeFileSync(join(spec.cwd, 'nextpnr-report.json'), JSON.stringify(REPORT));
    }
    if (stage === 'pack') writeFileSync(join(spec.cwd, 'board.bin'), 'bits');
    return { code: 0, signal: null, output: '', seconds: 0.1, timedOut: false };
  };
  return { ctx, runner };
}

const up5k = getTarget('ice40-up5k');
const design = boardDesign({ target: up5k, core: { kind: 'demo', rows: 2, cols: 4 } });
const fit = estimateDemoFit(up5k, 2, 4, 256);

describe('flow runner (fake tools)', () => {
  it('builds in a temporary folder and renames it into place', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agflow-'));
    const out = join(base, 'build');
    const { ctx, runner } = fakeTools();
    const stages: string[] = [];
    const r = await runFlow({ design, fit, outDir: out, runner, tools: ctx, onProgress: (p) => stages.push(`${p.stage}:${p.event}`) });
    expect(readdirSync(base)).toEqual(['build']);
    expect(r).toMatchObject({ target: 'ice40-up5k', macs: 8, luts: 1913, luts_avail: 5280, dsps: 8, dsps_avail: 8, brams: 2, brams_avail: 30, fmax_mhz: 35.99, freq_mhz: 30, timing_met: true });
    expect(r.bitstream).toBe(join(out, 'board.bin'));
    expect(Object.keys(r.seconds)).toEqual(['generate', 'synth', 'pnr', 'pack', 'total']);
    expect(stages).toEqual(['generate:start', 'generate:done', 'synth:start', 'synth:done', 'pnr:start', 'pnr:done', 'pack:start', 'pack:done']);
    for (const f of ['report.json', 'board.pcf', 'synth.ys', 'commands.txt', 'rtl/agb_top.v', 'yosys.console.log', 'nextpnr.log']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).timing_met).toBe(true);
  });

  it('a failing stage leaves no output folder, keeps the logs under .failed, and keeps an older result', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agflow-'));
    const out = join(base, 'build');
    const ok = fakeTools();
    await runFlow({ design, fit, outDir: out, runner: ok.runner, tools: ok.ctx });
    const before = statSync(join(out, 'report.json')).mtimeMs;
    const { ctx, runner } = fakeTools('pnr');
    const err = await runFlow({ design, fit, outDir: out, runner, tools: ctx }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FpgaError);
    expect((err as FpgaError).message).toBe(`pnr (nextpnr-ice40) failed with exit code 1 (logs in ${out}.failed)`);
    expect((err as FpgaError).details).toContain('ERROR: something cryptic');
    expect(readdirSync(base).sort()).toEqual(['build', 'build.failed']);
    expect(statSync(join(out, 'report.json')).mtimeMs).toBe(before);
    expect(existsSync(join(`${out}.failed`, 'nextpnr.log'))).toBe(true);
  });

  it('an interrupted build stops the tool and keeps its logs as .failed, no stray build folder', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agflow-'));
    const out = join(base, 'build');
    const { ctx } = fakeTools();
    const stop = new AbortController();
    // "nextpnr" runs until it is stopped; synthesis finishes.
    const runner: CommandRunner = async (spec) => {
      if (spec.argv[0]!.endsWith('yosys')) {
        writeFileSync(join(spec.cwd, 'board.json'), '{}');
        return { code: 0, signal: null, output: '', seconds: 0.1, timedOut: false };
      }
      if (spec.logFile) writeFileSync(spec.logFile, 'placing…\n');
      setTimeout(() => stop.abort(), 10);
      await new Promise<void>((res) => spec.signal?.addEventListener('abort', () => res(), { once: true }));
      return { code: null, signal: 'SIGTERM', output: '', seconds: 0.1, timedOut: false, aborted: true };
    };
    const err = await runFlow({ design, fit, outDir: out, runner, tools: ctx, signal: stop.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FpgaError);
    expect((err as FpgaError).code).toBe('interrupted');
    expect((err as FpgaError).message).toBe(`pnr (nextpnr-ice40) was stopped (interrupted) (logs in ${out}.failed)`);
    expect(readdirSync(base)).toEqual(['build.failed']);
    expect(existsSync(join(`${out}.failed`, 'nextpnr.log'))).toBe(true);
  });

  it('runCommand stops a running tool when its signal aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const r = await runCommand({ argv: ['/bin/sleep', '30'], cwd: tmpdir(), signal: stop.signal });
    expect(r).toMatchObject({ aborted: true, code: null, signal: 'SIGTERM' });
    expect(r.seconds).toBeLessThan(10);
  });

  it('a missing tool is a one-line error before anything is written', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agflow-'));
    const ctx: ToolContext = { env: { PATH: '/empty' }, root: '/nowhere', isExecutable: () => false };
    await expect(runFlow({ design, fit, outDir: join(base, 'b'), tools: ctx })).rejects.toThrow(/^yosys not found: apt-get install yosys/);
    expect(readdirSync(base)).toEqual([]);
  });
});

const have = (ids: Parameters<typeof toolSpec>[0][]): boolean => ids.every((id) => locateTool(toolSpec(id)).found);

describe('real flows on the demo core (benchmark-sized: ~10 s and ~25 s here)', () => {
  it('ice40-up5k: 8 DSP MACs, bitstream, timing met at 30 MHz', async () => {
    requireTools(['yosys', 'nextpnr-ice40', 'icepack']);
    const out = join(mkdtempSync(join(tmpdir(), 'agflow-')), 'up5k');
    const r = await runFlow({ design, fit, outDir: out });
    expect(statSync(r.bitstream).size).toBeGreaterThan(100_000);
    expect(r.dsps).toBe(8);
    expect(r.macs).toBe(8);
    expect(r.timing_met).toBe(true);
    expect(r.seconds.total).toBeLessThan(60);
  });
  it('ecp5-25f: 16 DSP MACs, bitstream, timing met at 100 MHz', async () => {
    requireTools(['yosys', 'nextpnr-ecp5', 'ecppack']);
    const t = getTarget('ecp5-25f');
    const d = boardDesign({ target: t, core: { kind: 'demo', rows: 4, cols: 4 } });
    const out = join(mkdtempSync(join(tmpdir(), 'agflow-')), 'e25');
    const r = await runFlow({ design: d, fit: estimateDemoFit(t, 4, 4, 256), outDir: out });
    expect(statSync(r.bitstream).size).toBeGreaterThan(100_000);
    expect(r.dsps).toBe(16);
    expect(r.fmax_mhz).toBeGreaterThan(90);
    expect(r.timing_met).toBe(true);
  });
});
