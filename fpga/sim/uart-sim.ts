import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ByteLink } from '../board-client.js';
import type { BoardDesign } from '../design.js';
import { FpgaError } from '../errors.js';
import { runCommand, type CommandRunner } from '../run.js';
import { locateTool, toolSpec, VERILATOR_MAKE_FIXES } from '../tools.js';
import { uartHarnessCpp } from './uart-harness.js';

/**
 * The Verilated board top driven at its UART pins: build (cached by content hash) and a ByteLink
 * over the harness's stdin/stdout. Requires the design to run without a PLL (request the board's
 * own clock frequency), since vendor PLL primitives have no simulation model here.
 */
export interface UartSimBuildOptions {
  /** Cache root; the build lands in `<cacheDir>/<hash>/`. */
  readonly cacheDir: string;
  readonly runner?: CommandRunner;
}

export interface UartSimBinary {
  readonly exe: string;
  /** Seconds the build took (0 when it came from the cache). */
  readonly buildSeconds: number;
}

/** The argv that builds the harness (tested as text). */
export function uartSimBuildArgv(verilator: string, design: Pick<BoardDesign, 'files' | 'top'>): string[] {
  return [
    verilator, '--cc', '--exe', '--build', '-j', '2',
    '--top-module', design.top,
    // The board-level RTL is lint-clean with -Wall; a chip still being written may not be, and a
    // warning must not stop a simulation build.
    '-Wno-fatal', '-Wno-lint', '-Wno-style',
    '-O2', '--x-assign', 'fast', '--x-initial', 'fast',
    // Gate-level netlists make huge C++ files: split them so `-j 2` compiles in parallel.
    '--output-split', '20000',
    '-Mdir', 'obj', '-o', 'harness', '-MAKEFLAGS', VERILATOR_MAKE_FIXES.join(' '),
    ...design.files.map((f) => f.name),
    'harness.cpp',
  ];
}

/**
 * Build the harness around a board design — its RTL, or other sources with the same top (a
 * post-synthesis netlist from netlist.ts).
 */
export async function buildUartSim(
  design: BoardDesign,
  o: UartSimBuildOptions,
  sources: Pick<BoardDesign, 'files' | 'top'> = design,
): Promise<UartSimBinary> {
  if (design.pll.kind !== 'none') {
    throw new FpgaError('output', `the UART simulation needs the board clock without PLL: ask for ${design.board.clock.mhz} MHz`);
  }
  const loc = locateTool(toolSpec('verilator'));
  if (!loc.found) throw new FpgaError('tool-missing', `verilator not found: ${loc.install}`);
  const holds = design.board.reset ? [{ port: 'rst_btn', value: (design.board.reset.activeLow ? 1 : 0) as 0 | 1 }] : [];
  const cpp = uartHarnessCpp({ vclass: `V${sources.top}`, holds });
  const h = createHash('sha256');
  for (const f of sources.files) h.update(f.name).update('\0').update(f.text).update('\0');
  h.update(cpp).update(loc.path);
  const key = h.digest('hex').slice(0, 16);
  const dir = join(o.cacheDir, key);
  const exe = join(dir, 'obj', 'harness');
  if (existsSync(exe)) return { exe, buildSeconds: 0 };
  // Build in a temporary folder and rename, so a killed build never leaves a half-built cache entry.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of sources.files) writeFileSync(join(tmp, f.name), f.text);
  writeFileSync(join(tmp, 'harness.cpp'), cpp);
  const r = await (o.runner ?? runCommand)({ argv: uartSimBuildArgv(loc.path, sources), cwd: tmp, logFile: join(tmp, 'build.log') });
  if (r.code !== 0) {
    const tail = existsSync(join(tmp, 'build.log')) ? readFileSync(join(tmp, 'build.log'), 'utf8').split('\n').slice(-15) : [];
    throw new FpgaError('tool-failed', `verilator build of the board top failed (log: ${join(tmp, 'build.log')})`, tail);
  }
  // Another process (a parallel test worker) may have finished the same build first: keep its
  // folder — something may be running its binary — and drop ours.
  try {
    renameSync(tmp, dir);
  } catch {
    if (!existsSync(exe)) throw new FpgaError('output', `cannot move the harness build into ${dir}`);
    rmSync(tmp, { recursive: true, force: true });
  }
  return { exe, buildSeconds: r.seconds };
}

/** A ByteLink to a running harness process. */
export class UartSimLink implements ByteLink {
  private readonly child: ChildProcessWithoutNullStreams;
  private chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private exited = false;
  private stderr = '';

  /**
   * @param hostBitCycles clock cycles per bit the host sends with (≠ the board's to model baud error)
   * @param dutBitCycles the board's clocks per bit
   */
  constructor(exe: string, hostBitCycles: number, dutBitCycles: number, maxCycles = 0) {
    this.child = spawn(exe, [String(hostBitCycles), String(dutBitCycles), String(maxCycles)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.waiter?.();
    });
    this.child.stderr.on('data', (b: Buffer) => {
      this.stderr += b.toString('utf8');
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  /** Messages the harness printed (framing errors, cycle limit). */
  get diagnostics(): string {
    return this.stderr;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  read(timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        if (this.chunks.length === 0) return false;
        const b = Buffer.concat(this.chunks);
        this.chunks = [];
        resolve(new Uint8Array(b));
        return true;
      };
      if (take()) return;
      if (this.exited) {
        reject(new FpgaError('protocol', `board simulation exited${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
        return;
      }
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new FpgaError('protocol', `no bytes from the board simulation within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (!take()) reject(new FpgaError('protocol', `board simulation exited${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      };
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.child.on('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
