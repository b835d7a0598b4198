import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { presetConfig } from '../../config/index.js';
import { assemble } from '../../isa/assembler.js';
import { formatDiagnostic } from '../../isa/diagnostic.js';
import { utilization } from '../../host/backend.js';
import { compareDemo, demoData, demoReference, runDemoOn, DEMO } from '../../demo/train-step.js';
import { makeBackend, type BackendKind } from '../backend-arg.js';
import { CliError } from '../errors.js';
import { packageFile } from '../../util/package-root.js';
import { locateTool, toolSpec } from '../../../fpga/tools.js';

const haveVerilator = (): boolean => locateTool(toolSpec('verilator')).found;

interface DemoFlags {
  backend?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run one training step of a dense layer on the chip and check it against a TypeScript model')
    .option('--backend <sim|rtl|both>', 'where to run (default: sim, plus rtl when Verilator is installed)')
    .option('--json', 'print one JSON object with the figures')
    .action(async (flags: DemoFlags) => {
      const config = presetConfig('default');
      const file = packageFile('examples/train-step.s');
      const asm = assemble(readFileSync(file, 'utf8'), 'examples/train-step.s', { config });
      if (!asm.ok) throw new CliError(asm.diagnostics.map(formatDiagnostic).join('\n'));
      let kinds: BackendKind[];
      if (flags.backend === undefined) kinds = haveVerilator() ? ['sim', 'rtl'] : ['sim'];
      else if (flags.backend === 'both') kinds = ['sim', 'rtl'];
      else if (flags.backend === 'sim' || flags.backend === 'rtl') kinds = [flags.backend];
      else throw new CliError(`--backend must be sim, rtl or both, not ${JSON.stringify(flags.backend)}`);

      const data = demoData();
      const ref = demoReference(data);
      const results = [];
      for (const kind of kinds) {
        const backend = await makeBackend(kind, config);
        try {
          const t0 = performance.now();
          const run = runDemoOn(backend, asm.words, data);
          const seconds = (performance.now() - t0) / 1000;
          const diffs = run.error === 0 ? compareDemo(run.result, ref) : [`chip stopped with error ${run.error}`];
          results.push({ backend: kind, cycles: run.counters.cycles, utilization: utilization(config, run.counters), macs: run.counters.macs, instructions: run.counters.retired, stalls: run.counters.stalls, seconds, matches_reference: diffs.length === 0, diffs, result: run.result });
        } finally {
          backend.close();
        }
      }
      const agree = results.length < 2 || (results[0]!.cycles === results[1]!.cycles && compareDemo(results[0]!.result, results[1]!.result).length === 0);
      const ok = results.every((r) => r.matches_reference) && agree;
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ok, config: config.name, layer: `${DEMO.batch}x${DEMO.inputs} · ${DEMO.inputs}x${DEMO.outputs}`, runs: results.map(({ result: _r, ...rest }) => rest), sim_rtl_agree: results.length > 1 ? agree : null }) + '\n');
      } else {
        process.stdout.write(`accelgen demo: one training step of a dense layer (batch ${DEMO.batch}, ${DEMO.inputs} → ${DEMO.outputs}) on the ${config.array.rows}×${config.array.cols} default config\n`);
        process.stdout.write(`  forward Y = X·W, MSE gradient, dX = dY·Wᵀ, dW = Xᵀ·dY into the gradient buffer, SGD with stochastic rounding\n`);
        for (const r of results) {
          process.stdout.write(`  ${r.backend.padEnd(4)} cycles ${r.cycles}, utilization ${(r.utilization * 100).toFixed(1)} %, ${r.instructions} instructions, ${r.stalls} stall cycles — ${r.matches_reference ? 'matches the TypeScript reference' : 'DIFFERS: ' + r.diffs.join('; ')}\n`);
        }
        if (results.length > 1) process.stdout.write(`  sim and RTL ${agree ? 'agree: same cycle count and same results' : 'DISAGREE'}\n`);
        if (!kinds.includes('rtl') && !haveVerilator()) process.stdout.write(`  (Verilator not found: install it with 'sudo apt-get install verilator' to also run the RTL)\n`);
      }
      if (!ok) throw new CliError('the demo did not match its reference');
    });
}
