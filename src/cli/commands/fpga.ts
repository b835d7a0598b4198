import type { Command } from 'commander';
import type { ChipConfig } from '../../config/index.js';
import { boardDesign, DEFAULT_BAUD, type CoreSource } from '../../../fpga/design.js';
import { FpgaError } from '../../../fpga/errors.js';
import { estimateDemoFit, estimateFit, type FitReport } from '../../../fpga/fit.js';
import { rtlInventory } from '../../../fpga/rtl-inventory.js';
import { PNR_ROUTERS, runFlow, type FlowProgress, type FlowResult, type PnrRouter } from '../../../fpga/flow.js';
import { getTarget, TARGET_NAMES, type TargetRecord } from '../../../fpga/targets.js';
import { CONFIG_FLAG_HELP, configFromFlags } from '../config-arg.js';
import { CliError } from '../errors.js';

interface FpgaFlags {
  target?: string;
  config?: string;
  rows?: string;
  cols?: string;
  freq?: string;
  baud?: string;
  out?: string;
  json?: boolean;
  check?: boolean;
  design?: string;
  force?: boolean;
  stageTimeout?: string;
  seed?: string;
  router?: string;
}

/** The chip generator's public API (src/hdl-gen/index.ts), checked at run time: it may not exist yet. */
interface RtlGenerator {
  generateRtl(config: ChipConfig): { files: Array<{ name: string; text: string }>; top: string };
}

function isRtlGenerator(m: unknown): m is RtlGenerator {
  return typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>).generateRtl === 'function';
}

async function chipCore(config: ChipConfig): Promise<CoreSource> {
  // A variable specifier keeps tsc from requiring the module at build time.
  const spec = '../../hdl-gen/index.js';
  let mod: unknown;
  try {
    mod = await import(spec);
  } catch {
    throw new CliError('the chip RTL generator (src/hdl-gen) is not available in this build: use --design demo for the board demo core');
  }
  if (!isRtlGenerator(mod)) throw new CliError('src/hdl-gen does not export generateRtl(config): use --design demo for the board demo core');
  const rtl = mod.generateRtl(config);
  return { kind: 'chip', files: rtl.files, top: rtl.top };
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new CliError(`--${name} must be a positive number, not ${JSON.stringify(v)}`);
  return x;
}

function fitTable(f: FitReport): string {
  const lines = [`fit check: ${f.config} on ${f.target} (${f.device}), ${f.macs} MACs/cycle`];
  for (const l of f.lines) {
    const share = l.available ? `${Math.round((100 * l.estimate) / l.available)} %` : l.estimate ? 'none available' : '-';
    lines.push(`  ${l.unit.padEnd(18)} ${String(l.estimate).padStart(6)} of ${String(l.available).padEnd(6)} ${share}`);
  }
  for (const w of f.warnings) lines.push(`  warning: ${w}`);
  lines.push(f.fits ? '  fits' : `  does not fit:\n${f.problems.map((p) => `    ${p}`).join('\n')}`);
  return lines.join('\n');
}

function resultTable(r: FlowResult): string {
  const row = (k: string, v: string): string => `  ${k.padEnd(14)} ${v}`;
  const lines = [
    `${r.target} (${r.device} on ${r.board}): ${r.macs} MACs/cycle`,
    row('clock', `${r.freq_mhz} MHz (${r.pll})`),
    row('fmax', `${r.fmax_mhz ?? '?'} MHz: timing ${r.timing_met ? 'met' : 'NOT met'}`),
    row('resource', 'estimate   actual / available'),
    ...r.estimate.map((e) => row(e.unit, `${String(e.estimate).padStart(8)} ${String(e.actual).padStart(8)} / ${e.available}`)),
    row('seconds', `synth ${r.seconds.synth}, pnr ${r.seconds.pnr}, pack ${r.seconds.pack}, total ${r.seconds.total}`),
    row('bitstream', r.bitstream),
  ];
  if (!r.timing_met && r.critical_path) {
    const p = r.critical_path;
    lines.push(row('critical path', `${p.delayNs.toFixed(2)} ns: ${p.cells.slice(0, 2).join(' → ')} … ${p.cells.slice(-1)[0] ?? ''}`));
  }
  return lines.join('\n');
}

const STAGES = ['generate', 'synth', 'pnr', 'pack'] as const;

function progressLine(p: FlowProgress): void {
  const i = STAGES.indexOf(p.stage) + 1;
  const name = { generate: 'generate RTL + constraints', synth: 'synthesis (yosys)', pnr: 'place and route (nextpnr)', pack: 'bitstream' }[p.stage];
  if (p.event === 'start') process.stderr.write(`[${i}/4] ${name} …\n`);
  else process.stderr.write(`[${i}/4] ${name}: ${p.seconds ?? 0} s\n`);
}

async function action(flags: FpgaFlags): Promise<void> {
  if (!flags.target) throw new CliError(`--target is required: one of ${TARGET_NAMES.join(', ')}`);
  // nextpnr's options first, so a bad one is reported whatever else fails.
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 1 && seed <= 2 ** 31 - 1)) {
    throw new CliError(`--seed must be a positive integer up to 2147483647, not ${JSON.stringify(flags.seed)}`);
  }
  const router = flags.router;
  if (router !== undefined && !(PNR_ROUTERS as readonly string[]).includes(router)) {
    throw new CliError(`--router must be one of ${PNR_ROUTERS.join(', ')}, not ${JSON.stringify(router)}`);
  }
  const target: TargetRecord = getTarget(flags.target);
  const config = configFromFlags({ config: flags.config ?? target.name, rows: flags.rows, cols: flags.cols });
  const designKind = flags.design ?? 'chip';
  if (designKind !== 'chip' && designKind !== 'demo') throw new CliError(`--design must be chip or demo, not ${JSON.stringify(designKind)}`);
  const demoRows = Math.min(config.array.rows, 4);
  const demoCols = Math.min(config.array.cols, 4);

  // Generating the chip RTL takes milliseconds and lets the fit check count the real RAMs. For a
  // bare --check, a build without the generator falls back to the memory model.
  let core: CoreSource | undefined;
  if (designKind === 'demo') core = { kind: 'demo', rows: demoRows, cols: demoCols };
  else {
    try {
      core = await chipCore(config);
    } catch (e) {
      // Only a build without the generator falls back to the memory model; a generator failure is
      // a bug and must not hide behind a plausible-looking estimate.
      if (!flags.check || !(e instanceof CliError)) throw e;
    }
  }
  // The fit check always runs first, so a config that cannot fit never reaches nextpnr.
  const fit = designKind === 'demo'
    ? estimateDemoFit(target, demoRows, demoCols, 256)
    : estimateFit(config, target, core?.kind === 'chip' ? rtlInventory(core.files, core.top) : undefined);
  if (flags.check) {
    if (flags.json) process.stdout.write(JSON.stringify(fit, null, 2) + '\n');
    else process.stdout.write(fitTable(fit) + '\n');
    if (!fit.fits) throw new CliError(fit.problems.join('\n'), 1);
    return;
  }
  if (!flags.json) process.stderr.write(fitTable(fit) + '\n');
  if (!fit.fits && !flags.force) throw new CliError(`${fit.problems.join('\n')}\n(--force builds anyway: the estimate is a model, nextpnr has the last word)`, 1);
  if (!flags.out) throw new CliError('--out DIR is required (where the bitstream, constraints, logs and report.json go)');

  if (!core) throw new CliError('internal: no core to build');
  const design = boardDesign({ target, freqMhz: num(flags.freq, 'freq'), baud: num(flags.baud, 'baud') ?? DEFAULT_BAUD, core });
  const stageMinutes = num(flags.stageTimeout, 'stage-timeout');
  // Ctrl-C or a kill stops the tool and keeps its logs as <out>.failed, never a stray build folder.
  // A second Ctrl-C must not kill us before the tool is stopped and the folder renamed.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await runFlow({
    design,
    fit,
    outDir: flags.out,
    signal: stop.signal,
    ...(stageMinutes !== undefined ? { stageTimeoutMs: stageMinutes * 60_000 } : {}),
    pnr: { ...(seed !== undefined ? { seed } : {}), ...(router !== undefined ? { router: router as PnrRouter } : {}) },
    onProgress: progressLine,
    meta: { config: config.name, config_hash: config.derived.hash, design: designKind },
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stdout.write(resultTable(result) + '\n');
}

/** `accelgen fpga --target T [--config C] [--rows r --cols c] [--freq MHz] --out DIR [--json] [--check]`. */
export function register(program: Command): void {
  program
    .command('fpga')
    .description('build a bitstream for an FPGA board (yosys → nextpnr → icepack/ecppack), after a fit check')
    .option('--target <name>', `FPGA target: ${TARGET_NAMES.join(', ')}`)
    .option('--config <config>', `${CONFIG_FLAG_HELP.config} (default: the preset named like the target)`)
    .option('--rows <n>', CONFIG_FLAG_HELP.rows)
    .option('--cols <n>', CONFIG_FLAG_HELP.cols)
    .option('--freq <MHz>', 'clock to build for (a PLL makes it; default: the target benchmark clock)')
    .option('--baud <rate>', `UART baud rate of the host bridge (default ${DEFAULT_BAUD})`)
    .option('--out <dir>', 'output folder (written atomically: complete or absent)')
    .option('--design <chip|demo>', 'chip: the accelerator from src/hdl-gen (default); demo: a small MAC core to test the board and flow')
    .option('--check', 'only run the fit check (exit 1 if it does not fit)')
    .option('--force', 'run place-and-route even when the fit check refuses')
    .option('--stage-timeout <minutes>', 'stop a tool that runs longer than this (default 30; the ecp5-85f place and route can need more)')
    .option('--seed <n>', 'nextpnr placement seed (default 1)')
    .option('--router <name>', `nextpnr router: ${PNR_ROUTERS.join(' or ')} (default: nextpnr's; router2 copes better with congestion)`)
    .option('--json', 'print one JSON object')
    .action(async (flags: FpgaFlags) => {
      try {
        await action(flags);
      } catch (e) {
        if (e instanceof FpgaError) throw new CliError([e.message, ...e.details.map((l) => `  ${l}`)].join('\n'));
        throw e;
      }
    });
}
