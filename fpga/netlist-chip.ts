import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChipConfig } from '../src/config/index.js';
import { generateRtl } from '../src/hdl-gen/index.js';
import { FpgaError } from './errors.js';
import { cellModels, NETLIST_SIM, netlistSimScript, synthesizeForSimulation, type NetlistOptions } from './netlist.js';
import { runCommand, type CommandRunner } from './run.js';
import type { TargetRecord } from './targets.js';
import { defaultToolContext, locateTool, projectRoot, toolSpec, type ToolContext } from './tools.js';

/**
 * The post-synthesis netlist of the chip core itself (`ag_top`, no board top, no PLL) for a target:
 * synthesized with the target's own synth command (DSP and RAM cells mapped), turned into plain
 * Verilog by fpga/netlist.ts, and cached by (config hash + generated RTL + target + yosys version +
 * script). `accelgen verify --netlist T` builds it with the test bench's Verilator build and shim.
 *
 * The shim reads status and counters without a clock from nets the generator marks
 * `public_flat_rd`; yosys drops comments and would purge the names, so those nets are kept by name
 * (`setattr keep`, observability only) and the marker is put back on their declarations here.
 */

/** ag_top nets the test-bench shim reads without a clock (testbench/shim.ts ag_status). */
export const SHIM_NETS = [
  'perf_cycles', 'perf_macs', 'perf_dma_busy', 'perf_stalls', 'perf_retired',
  'ctrl_st_running', 'ctrl_st_halted', 'ctrl_st_error', 'ctrl_st_pc',
] as const;

export interface ChipNetlistOptions {
  /** Cache root (default: $ACCELGEN_CACHE or <repo>/.cache/accelgen); netlists go to `netlist/`. */
  readonly cacheDir?: string;
  /** Keep memories out of block RAM (`-nobram`, see NetlistOptions). Default: false (mapped). */
  readonly noBram?: boolean;
  readonly tools?: ToolContext;
  readonly runner?: CommandRunner;
}

export interface ChipNetlist {
  readonly target: string;
  /** Files to build instead of the RTL (the netlist, plus cell models yosys lacks). */
  readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  readonly top: string;
  readonly noBram: boolean;
  /** Cache folder holding the netlist, the yosys script and log. */
  readonly dir: string;
  readonly cached: boolean;
  /** yosys time (0 when taken from the cache). */
  readonly seconds: number;
  readonly yosysVersion: string;
  /** Hard cells in the netlist before inlining (from the yosys log), e.g. { SB_MAC16: 8 }. */
  readonly cells: Readonly<Record<string, number>>;
  /** Plain-words notes for the report (e.g. why block RAM is not mapped). */
  readonly notes: readonly string[];
}

const HARD_CELLS = ['SB_MAC16', 'SB_RAM40_4K', 'SB_SPRAM256KA', 'MULT18X18D', 'DP16KD', 'TRELLIS_DPR16X4'];

function cacheBase(o: ChipNetlistOptions): string {
  return resolve(o.cacheDir ?? process.env.ACCELGEN_CACHE ?? join(projectRoot(), '.cache', 'accelgen'), 'netlist');
}

/** Put `/* verilator public_flat_rd *\/` back on the declarations of the shim's nets. */
export function markShimNets(netlist: string): { text: string; missing: string[] } {
  const missing: string[] = [];
  let text = netlist;
  for (const n of SHIM_NETS) {
    const re = new RegExp(`^(\\s*(?:wire|reg)\\s*(?:\\[[^\\]]+\\]\\s*)?${n})\\s*;`, 'm');
    if (!re.test(text)) missing.push(n);
    else text = text.replace(re, '$1 /* verilator public_flat_rd */;');
  }
  return { text, missing };
}

/** Count hard cells in the last `stat` of a yosys log (before the models were inlined: the first stat). */
function cellCounts(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of HARD_CELLS) {
    const m = new RegExp(`^\\s+${c}\\s+(\\d+)\\s*$`, 'm').exec(log);
    if (m) out[c] = Number(m[1]);
  }
  return out;
}

async function yosysVersion(path: string, runner: CommandRunner): Promise<string> {
  const r = await runner({ argv: [path, '-V'], cwd: projectRoot(), timeoutMs: 180_000 });
  const v = r.output.trim().split('\n')[0] ?? '';
  if (r.code !== 0 || !v) throw new FpgaError('tool-failed', `\`${path} -V\` failed: ${v || r.spawnError || 'no output'}`);
  return v;
}

/** Synthesize (or take from the cache) the simulatable netlist of `config`'s chip core for `target`. */
export async function chipNetlist(config: ChipConfig, target: TargetRecord, o: ChipNetlistOptions = {}): Promise<ChipNetlist> {
  const tools = o.tools ?? defaultToolContext();
  const runner = o.runner ?? runCommand;
  const yosys = locateTool(toolSpec('yosys'), tools);
  if (!yosys.found) throw new FpgaError('tool-missing', `yosys not found${yosys.problem ? ` (${yosys.problem})` : ''}: ${yosys.install}`);
  const version = await yosysVersion(yosys.path, runner);
  const noBram = o.noBram ?? false;
  const rtl = generateRtl(config);
  const nopts: NetlistOptions = { noBram, keepNets: ['perf_*', 'ctrl_st_*'] };
  const script = netlistSimScript(target, rtl.files, rtl.top, nopts);
  const h = createHash('sha256');
  h.update(`${config.derived.hash}\0${target.name}\0${version}\0${script}\0`);
  for (const f of rtl.files) h.update(`${f.name}\0${f.text}\0`);
  const key = `${target.name}-${config.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${h.digest('hex').slice(0, 16)}`;
  const dir = join(cacheBase(o), key);
  const notes = [
    ...(noBram ? [`block RAM not mapped (${target.synth.command} -nobram, as asked): memories are checked as LUT RAM/logic, not as block RAM`] : []),
    ...(target.family === 'ecp5'
      ? [`yosys ships ${noBram ? 'MULT18X18D' : 'DP16KD and MULT18X18D'} only as blackboxes: simulated with the behavioural models of fpga/rtl (${noBram ? '' : 'dp16kd-model.ts, '}mult18x18d-model.ts)`]
      : []),
  ];
  const manifest = join(dir, 'netlist.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { cells: Record<string, number> };
    // Cell models come from the code, not the cache (older entries listed them too).
    const files = [{ name: NETLIST_SIM, text: readFileSync(join(dir, NETLIST_SIM), 'utf8') }, ...cellModels(target.family)];
    return { target: target.name, files, top: rtl.top, noBram, dir, cached: true, seconds: 0, yosysVersion: version, cells: m.cells, notes };
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const net = await synthesizeForSimulation({ target, files: rtl.files, top: rtl.top }, tmp, { ...nopts, runner, tools });
  const marked = markShimNets(net.files[0]!.text);
  if (marked.missing.length) {
    throw new FpgaError('tool-failed', `the ${target.name} netlist lost the counter nets the test bench reads (${marked.missing.join(', ')}); see ${join(tmp, 'netlist_sim.v')}`);
  }
  const files = [{ name: net.files[0]!.name, text: marked.text }, ...net.files.slice(1)];
  writeFileSync(join(tmp, NETLIST_SIM), marked.text);
  const cells = cellCounts(existsSync(join(tmp, 'netlist.log')) ? readFileSync(join(tmp, 'netlist.log'), 'utf8') : '');
  writeFileSync(join(tmp, 'netlist.json'), `${JSON.stringify({ target: target.name, config: config.name, configHash: config.derived.hash, yosys: version, noBram, files: [NETLIST_SIM], cells }, null, 2)}\n`);
  // The RTL copy is large and regenerable.
  rmSync(join(tmp, 'rtl'), { recursive: true, force: true });
  mkdirSync(cacheBase(o), { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process placed the same key first
  }
  return { target: target.name, files, top: rtl.top, noBram, dir, cached: false, seconds: net.seconds, yosysVersion: version, cells, notes };
}
