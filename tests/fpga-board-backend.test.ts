import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './require-tools.js';
import { openBoardSim, serveBoardSimOnPty, type PtyBoard } from '../fpga/board-open.js';
import type { BoardBackend } from '../fpga/board-backend.js';
import { referenceGemm } from '../src/compiler/gemm.js';
import { presetConfig } from '../src/config/index.js';
import { formatNpy, parseNpy } from '../src/io/npy.js';
import { Simulator } from '../src/sim/simulator.js';

/**
 * The board transports as ChipBackends with the real chip core: `--backend board-sim` (the
 * Verilated board top driven at its UART pins) and `--backend board --port <pty>` (the same board
 * top behind a socat pseudo-terminal, reached through the serial path a real board uses).
 */
const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const CONFIG = ['--config', 'default', '--rows', '2', '--cols', '4'];
const config = presetConfig('default', { rows: 2, cols: 4 });
const shape = { M: 9, K: 13, N: 7 };

function seededInt8(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  return Int8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 24) - 128;
  });
}

interface GemmJson { backend: string; cycles: number; mac_pe_cycles: number; dma_busy_cycles: number; stall_cycles: number; instructions: number }

describe('board backends (real chip core behind the UART bridge)', () => {
  let dir: string;
  let A: Int8Array;
  let B: Int8Array;

  function gemm(backend: string[], out: string): { report: GemmJson; Y: Int32Array } {
    const r = spawnSync(process.execPath, [CLI, 'gemm', ...CONFIG, '--a', join(dir, 'A.npy'), '--b', join(dir, 'B.npy'), '--out', join(dir, out), '--json', ...backend], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`accelgen gemm ${backend.join(' ')} failed (${r.status}): ${r.stderr}`);
    const npy = parseNpy(readFileSync(join(dir, out)));
    return { report: JSON.parse(r.stdout) as GemmJson, Y: Int32Array.from(npy.data as ArrayLike<number>) };
  }

  beforeAll(() => {
    requireTools(['verilator', 'cxx', 'socat']);
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it first)`);
    dir = mkdtempSync(join(tmpdir(), 'agboard-'));
    A = seededInt8(shape.M * shape.K, 7);
    B = seededInt8(shape.K * shape.N, 8);
    writeFileSync(join(dir, 'A.npy'), formatNpy(A, [shape.M, shape.K]));
    writeFileSync(join(dir, 'B.npy'), formatNpy(B, [shape.K, shape.N]));
  });

  it('gemm --backend board-sim equals the reference, with the cycles and counters of --backend sim', () => {
    const want = referenceGemm(A, B, shape);
    const sim = gemm(['--backend', 'sim'], 'Ysim.npy');
    const board = gemm(['--backend', 'board-sim'], 'Yboard.npy');
    expect(Array.from(sim.Y)).toEqual(Array.from(want));
    expect(Array.from(board.Y)).toEqual(Array.from(want));
    expect(board.report.backend).toBe('board-sim');
    const { backend: _a, ...simFigures } = { ...sim.report, seconds: 0, out: '' };
    const { backend: _b, ...boardFigures } = { ...board.report, seconds: 0, out: '' };
    expect(boardFigures).toEqual(simFigures);
  });

  describe('over a pseudo-terminal (socat)', () => {
    let pty: PtyBoard | undefined;
    afterAll(async () => pty?.close());

    it('gemm --backend board --port <pty> equals the reference and --backend sim', async () => {
      pty = await serveBoardSimOnPty(config);
      const want = referenceGemm(A, B, shape);
      const sim = gemm(['--backend', 'sim'], 'Ysim2.npy');
      const board = gemm(['--backend', 'board', '--port', pty.port, '--baud', '115200'], 'Ypty.npy');
      expect(Array.from(board.Y)).toEqual(Array.from(want));
      expect(board.report.cycles).toBe(sim.report.cycles);
      expect(board.report.mac_pe_cycles).toBe(sim.report.mac_pe_cycles);
      expect(board.report.instructions).toBe(sim.report.instructions);
      // A second session on the same line finds the board as the first left it.
      const again = gemm(['--backend', 'board', '--port', pty.port], 'Ypty2.npy');
      expect(Array.from(again.Y)).toEqual(Array.from(want));
    });

    it('refuses a board built from another config, naming both', () => {
      const r = spawnSync(process.execPath, [CLI, 'gemm', '--config', 'default', '--rows', '2', '--cols', '8', '--a', join(dir, 'A.npy'), '--b', join(dir, 'B.npy'), '--backend', 'board', '--port', pty!.port], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/different chip: config hash [0-9a-f]{8}, 2×4 array.*2×8/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('missing --port and a missing device are one-line errors', () => {
    const run = (extra: string[]): { status: number | null; stderr: string } =>
      spawnSync(process.execPath, [CLI, 'gemm', ...CONFIG, '--a', join(dir, 'A.npy'), '--b', join(dir, 'B.npy'), '--backend', 'board', ...extra], { encoding: 'utf8' });
    expect(run([]).stderr.trim()).toBe('accelgen: --backend board needs --port DEVICE (e.g. --port /dev/ttyUSB1)');
    expect(run(['--port', join(dir, 'nope')]).stderr.trim()).toBe(`accelgen: serial port ${join(dir, 'nope')} does not exist`);
  });

  describe('BoardBackend memory semantics (same as the simulator and RtlBackend)', () => {
    let board: BoardBackend;
    beforeAll(async () => {
      board = await openBoardSim(config);
    });
    afterAll(() => board?.close());

    it('main memory: unaligned writes keep the bytes around them; reads of any range', () => {
      const sim = new Simulator(config);
      const base = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 1) & 0xff);
      const patch = Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
      for (const b of [board, sim]) {
        b.writeMain(1000, base);
        b.writeMain(1003, patch);
        b.writeMain(1031, patch.subarray(0, 1));
      }
      for (const [a, n] of [[1000, 40], [1001, 7], [1003, 5], [1030, 3]] as const) {
        expect(Array.from(board.readMain(a, n))).toEqual(Array.from(sim.readMain(a, n)));
      }
      expect(() => board.writeMain(config.memory.mainBytes - 2, new Uint8Array(3))).toThrow(RangeError);
    });

    it('sp/acc/grad rows through their host-bus regions; program load; step/trace refused', () => {
      const sim = new Simulator(config);
      const W = config.derived.W;
      const sp = Int8Array.from({ length: 3 * W }, (_, i) => ((i * 29) & 0xff) - 128);
      const acc = Int32Array.from({ length: 2 * W }, (_, i) => (i - 3) * 0x01234567);
      const grad = Int32Array.from({ length: 2 * W }, (_, i) => -i * 1000003);
      for (const b of [board, sim]) {
        b.writeLocal('sp', 5, sp);
        b.writeLocal('acc', 7, acc);
        b.writeLocal('grad', config.memory.gradRows - 2, grad);
      }
      expect(Array.from(board.readLocal('sp', 4, 5))).toEqual(Array.from(sim.readLocal('sp', 4, 5)));
      expect(Array.from(board.readLocal('acc', 7, 2))).toEqual(Array.from(acc));
      expect(Array.from(board.readLocal('grad', config.memory.gradRows - 2, 2))).toEqual(Array.from(grad));
      expect(() => board.writeLocal('acc', config.memory.accRows, new Int32Array(W))).toThrow(RangeError);
      // Instruction words land low half first: imem host word 2i = bits 31:0 of instruction i.
      board.loadProgram([0x0123456789abcdefn, 0xfedcba9876543210n]);
      expect(Array.from(board.hostRead(0x1000_0000, 4), (x) => x.toString(16))).toEqual(['89abcdef', '1234567', '76543210', 'fedcba98']);
      expect(() => board.step()).toThrow('step() is not available over a board link; use run()');
      expect(() => board.trace()).toThrow(/trace\(\) is not available over a board link/);
      expect(board.status().running).toBe(false);
    });

    it('a fault stops the chip with the error code, PC and counters of the simulator', () => {
      // Two nops, then an unknown opcode (63): ILLEGAL_INSTRUCTION at PC 2.
      const prog = [0n, 0n, 63n << 58n, 0n];
      const sim = new Simulator(config);
      for (const b of [board, sim]) {
        b.loadProgram(prog);
        b.start();
      }
      const st = board.run(10_000);
      expect(st.error).not.toBe(0);
      expect(st).toEqual(sim.run(10_000));
      // A new start clears the error (the controller resets) and runs the same program again.
      board.start();
      expect(board.run(10_000)).toEqual(st);
    });
  });
});
