/**
 * Lockstep and batched comparison of two ChipBackends running the same program from the same
 * memory image (docs/microarch.md §7, DESIGN.md §4).
 *
 * `lockstep` steps both one cycle at a time and stops at the first cycle whose trace record, status
 * or counters differ; `compareRun` uses the batched run() and compares only the final state. Both
 * then compare the error code, halt cycle, counters and every memory, and report the first
 * differing address.
 */
import type { ChipBackend, ChipStatus, TraceRecord } from '../host/backend.js';
import { MEM_NAMES } from '../isa/table.js';
import { diffMemory, diffStatus, diffTrace, TraceHistory, type FieldValue, type Mismatch, type MismatchKind } from './compare.js';
import { writeInit, type CompareScope, type MemoryInit } from './memory-init.js';
import { ContractChecker, type ContractViolation } from './contract.js';

export interface LockstepOptions {
  /** Give up after this many cycles without both sides halting (default 100 000). */
  readonly maxCycles?: number;
  /** Trace records kept for the report from each side (default 8). */
  readonly history?: number;
  /** Dotted field names not to compare (e.g. `status.pc` while its meaning in bubbles is unsettled). */
  readonly ignore?: readonly string[];
  /** Zero main beyond the image before the run and compare all of main afterwards (default false). */
  readonly fullMain?: boolean;
  /**
   * 'full' (default): write and compare every local memory whole. 'footprint': only the rows the
   * generator says the program can touch (`init.footprint`) — far fewer host-bus transfers; stray
   * writes elsewhere are left to a later full comparison (verify() does one every few programs).
   */
  readonly scope?: CompareScope;
  /** Pad the program with nops to the whole instruction memory (default false). */
  readonly padImem?: boolean;
  /**
   * Lockstep only: also check the (agreed) trace against the timing contract every cycle
   * (contract.ts), so a misreading both sides share is found too (default false).
   */
  readonly contract?: boolean;
}

export interface LockstepResult {
  /** True when no difference was found and both sides halted. */
  readonly ok: boolean;
  readonly mismatch?: Mismatch;
  /** Neither side halted within maxCycles (the sides agreed up to there). */
  readonly timedOut: boolean;
  /** Cycles run: the halt cycle count (from side a), or the cycle where the comparison stopped. */
  readonly cycles: number;
  /** The sides agreed, but their behaviour breaks docs/microarch.md (lockstep with `contract`). */
  readonly violation?: ContractViolation;
  /** Final status of each side (undefined if a side threw). */
  readonly statusA?: ChipStatus;
  readonly statusB?: ChipStatus;
}

const DEFAULT_MAX_CYCLES = 100_000;

/** Call into a backend, turning an exception into a message (a crashing side is a finding too). */
function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

class Comparison {
  readonly histA: TraceHistory;
  readonly histB: TraceHistory;
  readonly ignore: ReadonlySet<string>;
  readonly names: readonly [string, string];

  constructor(readonly a: ChipBackend, readonly b: ChipBackend, readonly opts: LockstepOptions) {
    this.histA = new TraceHistory(opts.history ?? 8);
    this.histB = new TraceHistory(opts.history ?? 8);
    this.ignore = new Set(opts.ignore ?? []);
    this.names = [a.kind, b.kind];
  }

  mismatch(kind: MismatchKind, cycle: number, field: string, a: FieldValue, b: FieldValue, extra: Partial<Mismatch> = {}): Mismatch {
    return { kind, cycle, field, a, b, backends: this.names, historyA: this.histA.records(), historyB: this.histB.records(), ...extra };
  }

  /** Run f on both sides; a throw on either side becomes an `exception` mismatch. */
  both<T>(cycle: number, what: string, f: (x: ChipBackend) => T): { ok: true; a: T; b: T } | { ok: false; mismatch: Mismatch } {
    const ra = attempt(() => f(this.a));
    const rb = attempt(() => f(this.b));
    if (ra.ok && rb.ok) return { ok: true, a: ra.value, b: rb.value };
    return {
      ok: false,
      mismatch: this.mismatch('exception', cycle, `exception in ${what}`, ra.ok ? '(no exception)' : ra.error, rb.ok ? '(no exception)' : rb.error),
    };
  }

  /** Compare final status, then every memory. */
  final(cycle: number, sa: ChipStatus, sb: ChipStatus, main: MainRange, footprint?: MemoryInit['footprint']): Mismatch | undefined {
    const ds = diffStatus(sa, sb, this.ignore);
    if (ds) return this.mismatch('status', cycle, ds.field, ds.a, ds.b);
    return this.memories(cycle, main, footprint);
  }

  /** Compare a range of main and the local memories (whole, or only the given row ranges). */
  memories(cycle: number, main: MainRange, footprint?: MemoryInit['footprint']): Mismatch | undefined {
    const W = this.a.config.derived.W;
    const mem = this.a.config.memory;
    const r = this.both(cycle, 'readMain', (x) => x.readMain(main.base, main.length));
    if (!r.ok) return r.mismatch;
    const dm = this.ignore.has('memory.main') ? undefined : diffMemory('main', r.a, r.b, W, main.base);
    if (dm) return this.mismatch('memory', cycle, 'memory.main', dm.a, dm.b, { location: dm.location });
    for (const name of MEM_NAMES) {
      if (this.ignore.has(`memory.${name}`)) continue;
      const rows = name === 'sp' ? mem.spRows : name === 'acc' ? mem.accRows : mem.gradRows;
      for (const [lo, hi] of footprint ? footprint[name] : [[0, rows] as const]) {
        const rl = this.both(cycle, `readLocal(${name})`, (x) => x.readLocal(name, lo, hi - lo));
        if (!rl.ok) return rl.mismatch;
        const d = diffMemory(name, rl.a, rl.b, W, lo);
        if (d) return this.mismatch('memory', cycle, `memory.${name}`, d.a, d.b, { location: d.location });
      }
    }
    return undefined;
  }
}

function prepare(cmp: Comparison, words: readonly bigint[], init: MemoryInit, opts: LockstepOptions): Mismatch | undefined {
  const w = { clearMain: opts.fullMain === true, padImem: opts.padImem === true, scope: opts.scope ?? 'full' };
  const r = cmp.both(0, 'program/memory load', (x) => writeInit(x, words, init, w));
  if (!r.ok) return r.mismatch;
  const s = cmp.both(0, 'start', (x) => x.start());
  return s.ok ? undefined : s.mismatch;
}

function scoped(init: MemoryInit, opts: LockstepOptions): MemoryInit['footprint'] {
  return opts.scope === 'footprint' ? init.footprint : undefined;
}

/**
 * Compare the memories of two stopped backends: the given main ranges and every local memory whole
 * (or only `footprint`). verify() uses it for its periodic full sweeps, and before each program to
 * check the rows it is about to overwrite, so no earlier stray write can be erased unseen.
 */
export function compareMemories(
  a: ChipBackend,
  b: ChipBackend,
  mains: readonly MainRange[],
  opts: Pick<LockstepOptions, 'ignore'> = {},
  footprint?: MemoryInit['footprint'],
): Mismatch | undefined {
  const cmp = new Comparison(a, b, opts);
  const c = attempt(() => a.status().counters.cycles);
  const cycle = c.ok ? c.value : 0;
  for (const m of mains.slice(1)) {
    const r = cmp.both(cycle, 'readMain', (x) => x.readMain(m.base, m.length));
    if (!r.ok) return r.mismatch;
    const d = opts.ignore?.includes('memory.main') ? undefined : diffMemory('main', r.a, r.b, a.config.derived.W, m.base);
    if (d) return cmp.mismatch('memory', cycle, 'memory.main', d.a, d.b, { location: d.location });
  }
  return cmp.memories(cycle, mains[0] ?? { base: 0, length: 0 }, footprint);
}

function padded(words: readonly bigint[], n: number): bigint[] {
  return words.length >= n ? [...words] : [...words, ...new Array<bigint>(n - words.length).fill(0n)];
}

/** Bytes of main memory a program run is compared on. */
export interface MainRange {
  readonly base: number;
  readonly length: number;
}

/** The program's main window, or all of main with `fullMain`. */
export function mainRange(x: ChipBackend, init: MemoryInit, opts: Pick<LockstepOptions, 'fullMain'>): MainRange {
  return opts.fullMain ? { base: 0, length: x.config.memory.mainBytes } : { base: init.mainBase, length: init.main.length };
}

/**
 * Step both backends one cycle at a time from `start`, comparing the trace record, status and
 * counters every cycle; after both halt, compare the final state and every memory.
 */
export function lockstep(a: ChipBackend, b: ChipBackend, words: readonly bigint[], init: MemoryInit, opts: LockstepOptions = {}): LockstepResult {
  const cmp = new Comparison(a, b, opts);
  const maxCycles = opts.maxCycles ?? DEFAULT_MAX_CYCLES;
  const fail = (mismatch: Mismatch, cycles: number, sa?: ChipStatus, sb?: ChipStatus): LockstepResult =>
    ({ ok: false, mismatch, timedOut: false, cycles, ...(sa ? { statusA: sa } : {}), ...(sb ? { statusB: sb } : {}) });
  const early = prepare(cmp, words, init, opts);
  if (early) return fail(early, 0);
  const checker = opts.contract ? new ContractChecker(a.config, opts.padImem ? padded(words, a.config.memory.imemWords) : words) : undefined;

  for (let cycle = 0; ; cycle++) {
    const t = cmp.both<TraceRecord>(cycle, 'trace', (x) => x.trace());
    if (!t.ok) return fail(t.mismatch, cycle);
    cmp.histA.push(t.a);
    cmp.histB.push(t.b);
    const dt = diffTrace(t.a, t.b, cmp.ignore);
    if (dt) return fail(cmp.mismatch('trace', cycle, dt.field, dt.a, dt.b), cycle);
    const s = cmp.both<ChipStatus>(cycle, 'status', (x) => x.status());
    if (!s.ok) return fail(s.mismatch, cycle);
    const ds = diffStatus(s.a, s.b, cmp.ignore);
    if (ds) return fail(cmp.mismatch('status', cycle, ds.field, ds.a, ds.b), cycle, s.a, s.b);
    const violation = checker?.observe(t.a, s.a);
    if (violation) return { ok: false, violation, timedOut: false, cycles: cycle, statusA: s.a, statusB: s.b };
    if (s.a.halted && s.b.halted) {
      const m = cmp.final(cycle, s.a, s.b, mainRange(a, init, opts), scoped(init, opts));
      const cycles = s.a.counters.cycles;
      return m ? fail(m, cycles, s.a, s.b) : { ok: true, timedOut: false, cycles, statusA: s.a, statusB: s.b };
    }
    if (cycle >= maxCycles) return { ok: false, timedOut: true, cycles: cycle, statusA: s.a, statusB: s.b };
    const st = cmp.both(cycle, 'step', (x) => x.step());
    if (!st.ok) return fail(st.mismatch, cycle);
  }
}

/**
 * Run both backends with the batched run() and compare only the final state: status, error code,
 * halt cycle, counters and every memory. Much faster than lockstep; a difference is reported at
 * the halt cycle, without a trace history.
 */
export function compareRun(a: ChipBackend, b: ChipBackend, words: readonly bigint[], init: MemoryInit, opts: LockstepOptions = {}): LockstepResult {
  const cmp = new Comparison(a, b, opts);
  const maxCycles = opts.maxCycles ?? DEFAULT_MAX_CYCLES;
  const early = prepare(cmp, words, init, opts);
  if (early) return { ok: false, mismatch: early, timedOut: false, cycles: 0 };
  const r = cmp.both<ChipStatus>(0, 'run', (x) => x.run(maxCycles));
  if (!r.ok) return { ok: false, mismatch: r.mismatch, timedOut: false, cycles: 0 };
  const cycles = r.a.counters.cycles;
  if (!r.a.halted && !r.b.halted) {
    const ds = diffStatus(r.a, r.b, cmp.ignore);
    if (!ds) return { ok: false, timedOut: true, cycles, statusA: r.a, statusB: r.b };
  }
  const m = cmp.final(cycles, r.a, r.b, mainRange(a, init, opts), scoped(init, opts));
  return m
    ? { ok: false, mismatch: m, timedOut: false, cycles, statusA: r.a, statusB: r.b }
    : { ok: true, timedOut: false, cycles, statusA: r.a, statusB: r.b };
}
