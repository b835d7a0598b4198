import type { Command } from 'commander';
import { toolReports, type ToolReport } from '../../../fpga/tools.js';

interface DoctorFlags {
  json?: boolean;
}

function row(r: ToolReport): string[] {
  const l = r.location;
  if (!l.found) return [r.spec.id, 'missing', l.problem ?? '-', '-', r.spec.usedFor];
  const ver = r.version ?? `? (${r.probeProblem ?? 'no version'})`;
  return [r.spec.id, l.source, l.path, ver, r.spec.usedFor];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

/** `accelgen doctor [--json]`: every external tool accelgen can use, where it was found, its version. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('list the external tools (Verilator, yosys, nextpnr, packers, C++ compiler, …): where found, version, how to install what is missing')
    .option('--json', 'print one JSON object')
    .action(async (flags: DoctorFlags) => {
      const reports = await toolReports();
      const missing = reports.filter((r) => !r.location.found);
      if (flags.json) {
        const tools = reports.map((r) => ({
          tool: r.spec.id,
          found: r.location.found,
          source: r.location.found ? r.location.source : null,
          path: r.location.found ? r.location.path : null,
          version: r.version ?? null,
          problem: r.location.found ? r.probeProblem ?? null : r.location.problem ?? null,
          env: r.spec.envVar,
          usedFor: r.spec.usedFor,
          install: r.location.found ? null : r.spec.install,
        }));
        process.stdout.write(JSON.stringify({ ok: missing.length === 0, tools }, null, 2) + '\n');
        return;
      }
      const rows = [['tool', 'found', 'path', 'version', 'used for'], ...reports.map(row)];
      process.stdout.write(table(rows) + '\n');
      if (missing.length > 0) {
        process.stdout.write(`\n${missing.length} missing:\n`);
        for (const r of missing) process.stdout.write(`  ${r.spec.id}: ${r.spec.install} (or set ${r.spec.envVar}=/path/to/${r.spec.id})\n`);
      } else {
        process.stdout.write('\nall tools found. Override any of them with ACCELGEN_<TOOL>=/path (e.g. ACCELGEN_YOSYS).\n');
      }
    });
}
