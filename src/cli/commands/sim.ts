import type { Command } from 'commander';
import { assemble } from '../../isa/assembler.js';
import { formatDiagnostic } from '../../isa/diagnostic.js';
import { hexConfigMismatch, parseHex } from '../../isa/hex.js';
import { ERROR_CODES } from '../../isa/table.js';
import { utilization } from '../../host/backend.js';
import { runWithVcd } from '../../sim/vcd.js';
import { CONFIG_FLAG_HELP, configFromFlags, type ConfigFlags } from '../config-arg.js';
import { BACKEND_HELP, makeBackend, parseBackend } from '../backend-arg.js';
import { CliError } from '../errors.js';
import { readFileOrFail, writeFileAtomic } from '../io.js';
import { formatNpy, parseNpy, NpyError } from '../../io/npy.js';

interface SimFlags extends ConfigFlags {
  backend: string;
  port?: string;
  baud?: string;
  vcd?: string;
  json?: boolean;
  maxCycles: string;
  load?: string[];
  dump?: string[];
}

/** Parse `ADDR=FILE` (main-memory byte address and a file). */
function addrFile(spec: string, flag: string): { addr: number; file: string } {
  const m = /^(0x[0-9a-fA-F]+|\d+)=(.+)$/.exec(spec);
  if (!m) throw new CliError(`${flag} expects ADDR=FILE (e.g. 0x100=x.npy), not ${JSON.stringify(spec)}`);
  return { addr: Number(m[1]), file: m[2]! };
}

function errorName(code: number): string {
  return Object.entries(ERROR_CODES).find(([, v]) => v === code)?.[0] ?? `code ${code}`;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('run a program (.s or .hex) until it halts and report cycles, counters and errors')
    .argument('<prog>', 'assembly source (.s) or hex image (.hex)')
    .option('--config <name|file>', CONFIG_FLAG_HELP.config, 'default')
    .option('--rows <r>', CONFIG_FLAG_HELP.rows)
    .option('--cols <c>', CONFIG_FLAG_HELP.cols)
    .option('--backend <kind>', BACKEND_HELP, 'sim')
    .option('--port <device>', 'serial device of --backend board, e.g. /dev/ttyUSB1')
    .option('--baud <n>', 'UART baud rate of --backend board / board-sim')
    .option('--vcd <out.vcd>', 'write a waveform of the run (trace signals and counters)')
    .option('--max-cycles <n>', 'give up after this many cycles', '100000000')
    .option('--load <ADDR=FILE.npy...>', 'write a .npy tensor (raw bytes, C order) to main memory first')
    .option('--dump <ADDR=FILE.npy...>', 'after the run, read main memory at ADDR into FILE with the shape and dtype of the matching --load, or as int32 words: ADDR:COUNT=FILE')
    .option('--json', 'print one JSON object with the figures')
    .action(async (prog: string, flags: SimFlags) => {
      const config = configFromFlags(flags);
      const kind = parseBackend(flags.backend);
      const maxCycles = Number(flags.maxCycles);
      if (!Number.isInteger(maxCycles) || maxCycles < 1) throw new CliError(`--max-cycles must be a positive integer, not ${flags.maxCycles}`);
      // A waveform needs the chip stepped cycle by cycle, which a UART link cannot do.
      if (flags.vcd && (kind === 'board' || kind === 'board-sim')) throw new CliError(`--vcd needs --backend sim or rtl: a board runs on its own clock and cannot be traced cycle by cycle`);
      const text = readFileOrFail(prog).toString('utf8');
      let words: bigint[];
      if (prog.endsWith('.hex')) {
        const h = parseHex(text, prog);
        if (!h.ok) throw new CliError(h.diagnostics.map(formatDiagnostic).join('\n'));
        const why = hexConfigMismatch(h, config);
        if (why) throw new CliError(`${prog}: ${why}`);
        words = h.words;
      } else {
        const a = assemble(text, prog, { config });
        if (!a.ok) throw new CliError(a.diagnostics.map(formatDiagnostic).join('\n'));
        words = a.words;
      }
      const backend = await makeBackend(kind, config, { port: flags.port, baud: flags.baud });
      try {
        for (const spec of flags.load ?? []) {
          const { addr, file } = addrFile(spec, '--load');
          let bytes: Uint8Array;
          try {
            const a = parseNpy(readFileOrFail(file));
            bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
          } catch (e) {
            if (e instanceof NpyError) throw new CliError(`${file}: ${e.message}`);
            throw e;
          }
          if (addr + bytes.length > config.memory.mainBytes) throw new CliError(`--load ${spec}: ${bytes.length} bytes at ${addr} do not fit main memory (${config.memory.mainBytes} bytes)`);
          backend.writeMain(addr, bytes);
        }
        backend.loadProgram(words);
        backend.start();
        const t0 = performance.now();
        let st;
        if (flags.vcd) {
          const vcd = runWithVcd(backend, maxCycles);
          st = backend.status();
          writeFileAtomic(flags.vcd, vcd);
        } else {
          st = backend.run(maxCycles);
        }
        const seconds = (performance.now() - t0) / 1000;
        for (const spec of flags.dump ?? []) {
          const m = /^(0x[0-9a-fA-F]+|\d+):(\d+)=(.+)$/.exec(spec);
          if (!m) throw new CliError(`--dump expects ADDR:COUNT=FILE (COUNT int32 words), not ${JSON.stringify(spec)}`);
          const addr = Number(m[1]);
          const count = Number(m[2]);
          if (addr + count * 4 > config.memory.mainBytes) throw new CliError(`--dump ${spec}: beyond main memory (${config.memory.mainBytes} bytes)`);
          const raw = new Uint8Array(backend.readMain(addr, count * 4)); // a copy, aligned for Int32Array
          writeFileAtomic(m[3]!, formatNpy(new Int32Array(raw.buffer), [count]));
        }
        const c = st.counters;
        const report = {
          backend: kind,
          config: config.name,
          config_hash: config.derived.hash,
          halted: st.halted,
          error: st.error,
          error_name: errorName(st.error),
          pc: st.pc,
          cycles: c.cycles,
          macs: c.macs,
          utilization: Number(utilization(config, c).toFixed(4)),
          dma_busy_cycles: c.dmaBusy,
          stall_cycles: c.stalls,
          instructions: c.retired,
          seconds: Number(seconds.toFixed(3)),
          vcd: flags.vcd ?? null,
        };
        if (flags.json) process.stdout.write(JSON.stringify(report) + '\n');
        else {
          const state = !st.halted ? `did not halt within ${maxCycles} cycles (pc ${st.pc})` : st.error === 0 ? 'halted' : `stopped with ${report.error_name} (error ${st.error}) at pc ${st.pc}`;
          process.stdout.write(
            `${prog} on ${config.name} (${config.array.rows}×${config.array.cols}, ${kind}): ${state}\n` +
              `  cycles ${c.cycles}, MAC PE-cycles ${c.macs}, utilization ${(report.utilization * 100).toFixed(1)} %\n` +
              `  DMA busy ${c.dmaBusy}, stalls ${c.stalls}, instructions ${c.retired}\n` +
              (flags.vcd ? `  wrote ${flags.vcd}\n` : ''),
          );
        }
        if (!st.halted) throw new CliError(`${prog}: did not halt within ${maxCycles} cycles`);
        if (st.error !== 0) process.exitCode = 3;
      } finally {
        backend.close();
      }
    });
}
