/**
 * Shared helpers of the RTL tests: encode instructions, fill memories identically on two backends,
 * and run a program on both in lockstep comparing the trace and status every cycle and every
 * memory at the end.
 */
import type { ChipConfig } from '../src/config/index.js';
import type { ChipBackend, ChipStatus, TraceRecord } from '../src/host/backend.js';
import { encode, ISA_BY_MNEMONIC, CFG_REGS } from '../src/isa/index.js';

export function I(mnemonic: string, fields: Readonly<Record<string, number>> = {}): bigint {
  const spec = ISA_BY_MNEMONIC.get(mnemonic);
  if (!spec) throw new Error(`no instruction ${mnemonic}`);
  return encode(spec, fields);
}

/** `cfg NAME, r0, value`. */
export function cfg(name: (typeof CFG_REGS)[number], value: number): bigint {
  return I('cfg', { reg: CFG_REGS.indexOf(name), rs: 0, imm: value });
}

/** A small deterministic PRNG (xorshift32) for test data. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export interface Image {
  readonly main: Uint8Array;
  readonly sp: Int8Array;
  readonly acc: Int32Array;
  readonly grad: Int32Array;
}

/** Random contents for the first `mainBytes` bytes of main and `rows` rows of each local memory. */
export function randomImage(c: ChipConfig, seed: number, mainBytes = 4096, rows = 64): Image {
  const r = prng(seed);
  const W = c.derived.W;
  const main = new Uint8Array(Math.min(mainBytes, c.memory.mainBytes)).map(() => r() & 0xff);
  const sp = new Int8Array(Math.min(rows, c.memory.spRows) * W).map(() => (r() % 41) - 20);
  const acc = new Int32Array(Math.min(rows, c.memory.accRows) * W).map(() => (r() % 20001) - 10000);
  const grad = new Int32Array(Math.min(rows, c.memory.gradRows) * W).map(() => ((r() % 2) ? r() | 0 : (r() % 2001) - 1000));
  return { main, sp, acc, grad };
}

export function load(b: ChipBackend, words: readonly bigint[], img: Image): void {
  b.loadProgram(words);
  b.writeMain(0, img.main);
  b.writeLocal('sp', 0, img.sp);
  b.writeLocal('acc', 0, img.acc);
  b.writeLocal('grad', 0, img.grad);
}

export interface Outcome {
  readonly status: ChipStatus;
  readonly trace: TraceRecord[];
  readonly main: Uint8Array;
  readonly sp: Int8Array;
  readonly acc: Int32Array;
  readonly grad: Int32Array;
}

function snapshot(b: ChipBackend, img: Image, trace: TraceRecord[]): Outcome {
  const W = b.config.derived.W;
  return {
    status: b.status(),
    trace,
    main: b.readMain(0, img.main.length),
    sp: b.readLocal('sp', 0, img.sp.length / W) as Int8Array,
    acc: b.readLocal('acc', 0, img.acc.length / W) as Int32Array,
    grad: b.readLocal('grad', 0, img.grad.length / W) as Int32Array,
  };
}

/**
 * Run the same program on two backends one cycle at a time. Throws at the first cycle whose trace
 * or status differs (naming both values); returns both outcomes after the halt.
 */
export function lockstepRun(a: ChipBackend, b: ChipBackend, words: readonly bigint[], img: Image, maxCycles = 200_000): [Outcome, Outcome] {
  load(a, words, img);
  load(b, words, img);
  a.start();
  b.start();
  const trace: TraceRecord[] = [];
  for (let cycle = 0; ; cycle++) {
    const ta = a.trace();
    const tb = b.trace();
    if (JSON.stringify(ta) !== JSON.stringify(tb)) {
      throw new Error(`cycle ${cycle}: trace ${a.kind} ${JSON.stringify(ta)} vs ${b.kind} ${JSON.stringify(tb)}`);
    }
    const sa = a.status();
    const sb = b.status();
    if (JSON.stringify(sa) !== JSON.stringify(sb)) {
      throw new Error(`cycle ${cycle}: status ${a.kind} ${JSON.stringify(sa)} vs ${b.kind} ${JSON.stringify(sb)}`);
    }
    trace.push(ta);
    if (sa.halted) break;
    if (cycle > maxCycles) throw new Error(`no halt within ${maxCycles} cycles`);
    a.step();
    b.step();
  }
  return [snapshot(a, img, trace), snapshot(b, img, trace)];
}
