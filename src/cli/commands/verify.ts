import type { Command } from 'commander';
import type { ChipConfig } from '../../config/index.js';
import type { ChipBackend } from '../../host/backend.js';
import { Simulator } from '../../sim/simulator.js';
import { formatMismatch } from '../../verify/report.js';
import { verify, type BackendFactory, type ProgramRun, type VerifySummary } from '../../verify/verify.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { CliError } from '../errors.js';
import { locateTool, toolSpec } from '../../../fpga/tools.js';
import { FpgaError } from '../../../fpga/errors.js';
import { chipNetlist, type ChipNetlist } from '../../../fpga/netlist-chip.js';
import { getTarget } from '../../../fpga/targets.js';

export interface VerifyFlags extends ConfigFlags {
  programs: string;
  seed: string;
  first: string;
  json?: boolean;
  against: string;
  lockstep: boolean;
  contract?: boolean;
  faulty: string;
  ignore?: string;
  fullMain?: boolean;
  full?: boolean;
  stop?: boolean;
  netlist?: string;
}

const INSTALL_HINT =
  "install it with 'sudo apt-get install verilator' (or point ACCELGEN_VERILATOR at a verilator binary), " +
  "or run 'accelgen verify --against sim' to check the simulator against itself";

const round1 = (x: number): number => Math.round(x * 10) / 10;

function netlistTarget(name: string): ReturnType<typeof getTarget> {
  try {
    return getTarget(name);
  } catch (e) {
    if (e instanceof FpgaError) throw new CliError(`--netlist: ${e.message}`);
    throw e;
  }
}

function intArg(v: string, name: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new CliError(`--${name} must be an integer ≥ ${min}, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** The RTL module's export, whichever construction style it offers. */
type RtlModule = { RtlBackend?: { create?: (c: ChipConfig) => ChipBackend | Promise<ChipBackend> } & (new (c: ChipConfig, o?: NetlistBuild) => ChipBackend) };

/** RtlBackend options for a netlist build (testbench/build.ts `sources`). */
interface NetlistBuild {
  readonly sources: { readonly files: ChipNetlist['files']; readonly top: string; readonly label: string };
  readonly kind: string;
}

/**
 * The Verilated backend, loaded lazily so `--against sim` works without Verilator; a missing tool
 * is a one-line error saying how to install it — never a silent pass.
 */
async function rtlFactory(say: (line: string) => void, netlist?: ChipNetlist): Promise<BackendFactory> {
  const tool = locateTool(toolSpec('verilator'));
  if (!tool.found) throw new CliError(`Verilator not found${tool.problem ? ` (${tool.problem})` : ''}: ${INSTALL_HINT}`);
  let mod: RtlModule;
  try {
    // A computed specifier: the build must not depend on the testbench being present.
    const specifier = new URL('../../../testbench/rtl-backend.js', import.meta.url).href;
    mod = (await import(specifier)) as RtlModule;
  } catch (e) {
    throw new CliError(`the RTL backend (testbench/rtl-backend) could not be loaded: ${(e as Error).message}`);
  }
  const Rtl = mod.RtlBackend;
  if (!Rtl) throw new CliError('testbench/rtl-backend does not export RtlBackend');
  return async (config) => {
    if (netlist) {
      say(`  building the Verilated ${netlist.target} netlist of ${config.name} (${config.derived.hash}; built once, a few minutes)…`);
      try {
        const kind = `netlist-${netlist.target}`;
        return new Rtl(config, { sources: { files: netlist.files, top: netlist.top, label: kind }, kind });
      } catch (e) {
        throw new CliError(`cannot build the ${netlist.target} netlist with Verilator: ${(e as Error).message}`);
      }
    }
    say(`  loading the Verilated model of ${config.name} (${config.derived.hash}; built once per config)…`);
    try {
      return typeof Rtl.create === 'function' ? await Rtl.create(config) : new Rtl(config);
    } catch (e) {
      const msg = (e as Error).message;
      throw new CliError(/verilator/i.test(msg) ? `${msg} (${INSTALL_HINT})` : `cannot build the RTL backend: ${msg}`);
    }
  };
}

/** A self-overwriting `programs done / total` line on stderr, at most ten updates a second. */
function progressLine(total: number): { update: (r: ProgramRun) => void; done: () => void } {
  let last = 0;
  let done = 0;
  let bad = 0;
  return {
    update: (r) => {
      done++;
      if (r.result.mismatch || r.unexpected) bad++;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      process.stderr.write(`\r  ${done}/${total} programs, ${bad} failing`);
    },
    done: () => {
      if (done > 0) process.stderr.write('\r\x1b[K');
    },
  };
}

function summaryLine(s: VerifySummary): string {
  const ok = s.mismatches === 0 && s.unexpected === 0 && s.contractViolations === 0;
  return `verify ${s.config} (${s.configHash}): ${s.programs} programs (${s.legal} legal, ${s.faulty} faulty), ` +
    `${s.cycles.toLocaleString('en-US')} cycles, ${s.backends[0]} vs ${s.backends[1]} ${s.mode === 'lockstep' ? 'in lockstep' : 'batched'}: ` +
    `${s.mismatches} mismatch${s.mismatches === 1 ? '' : 'es'}` +
    `${s.unexpected ? `, ${s.unexpected} unexpected outcome${s.unexpected === 1 ? '' : 's'}` : ''}` +
    `${s.contractViolations ? `, ${s.contractViolations} contract violation${s.contractViolations === 1 ? '' : 's'}` : ''} ` +
    `(${s.seconds.toFixed(1)} s) ${ok ? 'OK' : 'FAIL'}`;
}

function rerun(flags: VerifyFlags, index: number): string {
  const cfg = [`${flags.netlist ? `--netlist ${flags.netlist} ` : ''}--config ${flags.config ?? flags.netlist ?? 'default'}`, flags.rows ? `--rows ${flags.rows}` : '', flags.cols ? `--cols ${flags.cols}` : ''].filter(Boolean).join(' ');
  return `accelgen verify ${cfg} --seed ${flags.seed} --first ${index} --programs 1 --faulty ${flags.faulty}` +
    `${flags.full ? ' --full' : ''}${flags.against === 'sim' && !flags.netlist ? ' --against sim' : ''}${flags.lockstep ? '' : ' --no-lockstep'}${flags.contract === false ? ' --no-contract' : ''}`;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('run seeded random programs (legal and faulty) on the simulator and the RTL and compare them cycle by cycle')
    .option('--config <name|file>', CONFIG_FLAG_HELP.config)
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .option('--programs <n>', 'number of random programs', '100')
    .option('--seed <s>', 'seed of the run (program i is reproducible from seed and i)', '1')
    .option('--first <i>', 'index of the first program (to rerun one program of a run)', '0')
    .option('--against <sim|rtl>', 'the backend the simulator is compared with', 'rtl')
    .option('--no-lockstep', 'batched runs comparing only the final state (faster, no first differing cycle)')
    .option('--no-contract', 'in lockstep, do not check the agreed trace against the timing contract (docs/microarch.md)')
    .option('--faulty <fraction>', 'fraction of programs ending in a deliberate fault', '0.25')
    .option('--ignore <fields>', 'comma-separated fields not to compare, e.g. status.pc')
    .option('--full', 'write and compare every local memory whole for every program (slower over the RTL host bus)')
    .option('--full-main', 'compare all of main memory, not just the window programs use')
    .option('--stop', 'stop at the first mismatch')
    .option('--netlist <target>', 'compare the simulator with the post-synthesis netlist of the chip for an FPGA target (ice40-up5k, ice40-hx8k, ecp5-25f, ecp5-85f); --config defaults to the target\'s preset')
    .option('--json', 'print one JSON object')
    .action(async (flags: VerifyFlags) => {
      // Long RTL runs: a progress line on an interactive stderr (never in pipes or with --json).
      const r = await runVerifyCommand(flags, undefined, process.stderr.isTTY === true && !flags.json);
      process.stdout.write(r.text);
      if (r.exitCode !== 0) process.exitCode = r.exitCode;
    });
}

/**
 * The command without its process side effects: returns the text to print and the exit code
 * (1 on any mismatch or unexpected outcome). `backends` replaces the [sim, --against] pair (tests).
 */
export async function runVerifyCommand(
  flags: VerifyFlags,
  backends?: readonly [BackendFactory, BackendFactory],
  showProgress = false,
): Promise<{ text: string; exitCode: number }> {
  const t0 = performance.now();
  const target = flags.netlist === undefined ? undefined : netlistTarget(flags.netlist);
  const config = configFromFlags(target && flags.config === undefined ? { ...flags, config: target.name } : flags);
  const programs = intArg(flags.programs, 'programs', 1);
  const seed = intArg(flags.seed, 'seed', 0);
  const first = intArg(flags.first, 'first', 0);
  if (seed > 0xffffffff) throw new CliError(`--seed must be < 2^32, not ${flags.seed}`);
  const faultyFraction = Number(flags.faulty);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(flags.faulty) || !(faultyFraction >= 0 && faultyFraction <= 1)) {
    throw new CliError(`--faulty must be a fraction in 0..1, not ${JSON.stringify(flags.faulty)}`);
  }
  if (flags.against !== 'sim' && flags.against !== 'rtl') throw new CliError(`--against must be sim or rtl, not ${JSON.stringify(flags.against)}`);
  const sim: BackendFactory = (c) => new Simulator(c);
  const say = (line: string): void => {
    if (showProgress) process.stderr.write(`${line}\n`);
  };
  let netlist: ChipNetlist | undefined;
  if (target && !backends) {
    const yosys = locateTool(toolSpec('yosys'));
    if (!yosys.found) throw new CliError(`yosys not found${yosys.problem ? ` (${yosys.problem})` : ''}: ${yosys.install}`);
    say(`  synthesizing ${config.name} for ${target.name} (${[target.synth.command, ...target.synth.args].join(' ')}; cached per config, target and yosys version)…`);
    try {
      netlist = await chipNetlist(config, target);
    } catch (e) {
      if (e instanceof FpgaError) throw new CliError(`--netlist ${target.name}: ${e.message}`);
      throw e;
    }
    for (const n of netlist.notes) say(`  note: ${n}`);
  }
  const pair = backends ?? [sim, flags.against === 'rtl' || netlist ? await rtlFactory(say, netlist) : sim] as const;
  const ignore = flags.ignore ? flags.ignore.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const progress = showProgress ? progressLine(programs) : undefined;
  const summary = await verify(config, {
    programs, seed, first, faultyFraction,
    backends: pair,
    lockstep: flags.lockstep,
    contract: flags.contract !== false,
    stopOnMismatch: flags.stop === true,
    compare: { ignore, fullMain: flags.fullMain === true, scope: flags.full ? 'full' : 'footprint' },
    ...(progress ? { onProgram: progress.update } : {}),
  });
  progress?.done();
  const failed = summary.mismatches > 0 || summary.unexpected > 0 || summary.contractViolations > 0;
  let text: string;
  if (flags.json) {
    const fm = summary.firstMismatch;
    const fu = summary.firstUnexpected;
    const fv = summary.firstViolation;
    text = JSON.stringify({
      ok: !failed,
      config: summary.config, configHash: summary.configHash, backends: summary.backends, mode: summary.mode,
      seed: summary.seed, programs: summary.programs, legal: summary.legal, faulty: summary.faulty,
      cycles: summary.cycles, mismatches: summary.mismatches, unexpected: summary.unexpected,
      contractViolations: summary.contractViolations, seconds: summary.seconds,
      ...(target ? { target: target.name, totalSeconds: round1((performance.now() - t0) / 1000) } : {}),
      ...(netlist ? {
        netlist: {
          synthesis: [target!.synth.command, ...target!.synth.args, ...(netlist.noBram ? ['-nobram'] : [])].join(' '),
          yosys: netlist.yosysVersion, cells: netlist.cells, noBram: netlist.noBram, cached: netlist.cached,
          synthSeconds: round1(netlist.seconds), dir: netlist.dir, notes: netlist.notes,
        },
      } : {}),
      ...(fm?.mismatch ? {
        firstMismatch: {
          program: fm.index, programSeed: fm.seed, description: fm.description, rerun: rerun(flags, fm.index),
          kind: fm.mismatch.kind, cycle: fm.mismatch.cycle, field: fm.mismatch.field, a: fm.mismatch.a, b: fm.mismatch.b,
          ...(fm.mismatch.location ? { location: fm.mismatch.location } : {}),
        },
      } : {}),
      ...(fv?.violation ? { firstViolation: { program: fv.index, programSeed: fv.seed, description: fv.description, ...fv.violation, rerun: rerun(flags, fv.index) } } : {}),
      ...(fu ? { firstUnexpected: { program: fu.index, programSeed: fu.seed, description: fu.description, reason: fu.unexpected, rerun: rerun(flags, fu.index) } } : {}),
    }) + '\n';
  } else {
    const out: string[] = [summaryLine(summary)];
    if (netlist) {
      const cells = Object.entries(netlist.cells).map(([c, n]) => `${n} ${c}`).join(', ');
      out.push(`  netlist: ${netlist.target}, ${[target!.synth.command, ...target!.synth.args, ...(netlist.noBram ? ['-nobram'] : [])].join(' ')} (${netlist.yosysVersion})${cells ? `, ${cells}` : ''}` +
        `${netlist.cached ? ', from the cache' : `, synthesized in ${netlist.seconds.toFixed(0)} s`}; ${netlist.dir}`);
      for (const n of netlist.notes) out.push(`  note: ${n}`);
    }
    const fm = summary.firstMismatch;
    if (fm?.mismatch) {
      out.push('', formatMismatch(fm.mismatch, { words: fm.words, title: `#${fm.index} of seed ${summary.seed} — ${fm.description}` }));
      out.push(`  rerun: ${rerun(flags, fm.index)}`);
    }
    const fv = summary.firstViolation;
    if (fv?.violation) {
      out.push('', `CONTRACT VIOLATION at cycle ${fv.violation.cycle} (${fv.violation.rule}): ${fv.violation.message}`,
        `  both backends agree, but docs/microarch.md says otherwise — program #${fv.index} of seed ${summary.seed}: ${fv.description}`,
        `  rerun: ${rerun(flags, fv.index)}`);
    }
    const fu = summary.firstUnexpected;
    if (fu) {
      out.push('', `UNEXPECTED program #${fu.index} of seed ${summary.seed}: both backends agree, but ${fu.unexpected}`, `  ${fu.description}`, `  rerun: ${rerun(flags, fu.index)}`);
    }
    text = out.join('\n') + '\n';
  }
  return { text, exitCode: failed ? 1 : 0 };
}
