/**
 * `verify`: generate N seeded random programs (legal and faulty), run each on two backends —
 * in lockstep or batched — and summarize. A library function: no printing, no exit codes.
 */
import type { ChipConfig } from '../config/index.js';
import type { ChipBackend, ChipStatus } from '../host/backend.js';
import type { Mismatch } from './compare.js';
import type { ContractViolation } from './contract.js';
import { generateProgram, type GenerateOptions, type GeneratedProgram } from './generator.js';
import { compareMemories, compareRun, lockstep, mainRange, type MainRange, type LockstepOptions, type LockstepResult } from './lockstep.js';
import { mixSeed, Rng } from './rng.js';

/** Makes a backend for a config (the RTL backend may need to build, hence the promise). */
export type BackendFactory = (config: ChipConfig) => ChipBackend | Promise<ChipBackend>;

export interface VerifyOptions {
  /** Number of programs to generate and run. */
  readonly programs: number;
  /** Seed of the whole run; program i uses mixSeed(seed, i), so any program can be regenerated alone. */
  readonly seed: number;
  /** Index of the first program (default 0): `first: i, programs: 1` reruns program i of a run. */
  readonly first?: number;
  /** The two backends to compare, e.g. [sim, rtl]. */
  readonly backends: readonly [BackendFactory, BackendFactory];
  /** Per-cycle lockstep (default true) or batched run with a final-state comparison. */
  readonly lockstep?: boolean;
  /** Fraction of programs that end in a deliberate fault, 0..1 (default 0.25). */
  readonly faultyFraction?: number;
  /** Passed to the generator for every program. */
  readonly generate?: Omit<GenerateOptions, 'kind'>;
  /**
   * Comparison options (maxCycles defaults to max(20 000, 10 × the program's estimate); scope
   * defaults to 'footprint' with a full sweep every `sweepEvery` programs).
   */
  readonly compare?: LockstepOptions;
  /** In lockstep, also check the agreed trace against the timing contract (default true). */
  readonly contract?: boolean;
  /**
   * With footprint comparisons (the default), compare all of every memory after this many
   * programs (default 25) and after the last one.
   */
  readonly sweepEvery?: number;
  /** Stop after the first mismatch (default false: run every program and count). */
  readonly stopOnMismatch?: boolean;
  /** Called after each program (for progress display; must not throw). */
  readonly onProgram?: (r: ProgramRun) => void;
}

/** What happened to one program. */
export interface ProgramRun {
  readonly index: number;
  /** The program's own seed: `new Rng(seed)` regenerates it (see programFor). */
  readonly seed: number;
  readonly program: GeneratedProgram;
  readonly result: LockstepResult;
  /** The sides agreed but not with what the generator intended (wrong error code, no halt, …). */
  readonly unexpected?: string;
}

/** A failing program, with everything needed to report and reproduce it. */
export interface ProgramFailure {
  readonly index: number;
  readonly seed: number;
  readonly description: string;
  readonly words: readonly bigint[];
  readonly mismatch?: Mismatch;
  readonly unexpected?: string;
  readonly violation?: ContractViolation;
}

export interface VerifySummary {
  readonly config: string;
  readonly configHash: string;
  readonly backends: readonly [string, string];
  readonly mode: 'lockstep' | 'batched';
  readonly seed: number;
  readonly programs: number;
  readonly legal: number;
  readonly faulty: number;
  /** Cycles run in total (halt cycles of side a). */
  readonly cycles: number;
  /** Programs on which the two backends differed (including a backend throwing). */
  readonly mismatches: number;
  /** Programs on which both backends agreed but not with the generator's intent. */
  readonly unexpected: number;
  /** Programs on which both backends agreed but broke the timing contract (lockstep only). */
  readonly contractViolations: number;
  readonly firstMismatch?: ProgramFailure;
  readonly firstUnexpected?: ProgramFailure;
  readonly firstViolation?: ProgramFailure;
  readonly seconds: number;
}

/** Regenerate program `index` of a run with `seed` exactly as verify() does. */
export function programFor(config: ChipConfig, seed: number, index: number, faultyFraction = 0.25, gen: Omit<GenerateOptions, 'kind'> = {}): { seed: number; program: GeneratedProgram } {
  const s = mixSeed(seed, index);
  const rng = new Rng(s);
  const kind = rng.chance(faultyFraction) ? 'faulty' : 'legal';
  return { seed: s, program: generateProgram(config, rng, { ...gen, kind }) };
}

/** Does the agreed outcome match what the generator intended? Returns the reason if not. */
export function checkOutcome(p: GeneratedProgram, r: LockstepResult): string | undefined {
  if (r.timedOut) return `did not halt within the cycle limit (estimate ${p.estCycles} cycles)`;
  const s: ChipStatus | undefined = r.statusA;
  if (!s) return undefined;
  if (!s.halted) return 'not halted';
  if (s.error !== p.expect.error) return `halted with error ${s.error}, expected ${p.expect.error}`;
  if (p.expect.faultPc !== undefined && s.pc !== p.expect.faultPc) return `fault reported at pc ${s.pc}, expected ${p.expect.faultPc}`;
  return undefined;
}

/**
 * A full-memory sweep found a difference after programs lo..hi: rerun each with full writes and
 * full comparisons (so each starts from identical memories) and return the first that differs.
 */
function locate(
  config: ChipConfig,
  opts: VerifyOptions,
  lo: number,
  hi: number,
  faultyFraction: number,
  run: (p: GeneratedProgram, scope: 'full') => LockstepResult,
): ProgramFailure | undefined {
  for (let k = lo; k <= hi; k++) {
    const { seed, program } = programFor(config, opts.seed, k, faultyFraction, opts.generate);
    const r = run(program, 'full');
    if (r.mismatch) return { index: k, seed, description: program.description, words: program.words, mismatch: r.mismatch };
  }
  return undefined;
}

/** Run the verification. Backends are created once and reused for every program. */
export async function verify(config: ChipConfig, opts: VerifyOptions): Promise<VerifySummary> {
  const t0 = performance.now();
  const faultyFraction = opts.faultyFraction ?? 0.25;
  if (!(faultyFraction >= 0 && faultyFraction <= 1)) throw new RangeError(`faultyFraction must be in 0..1, not ${faultyFraction}`);
  if (!Number.isInteger(opts.programs) || opts.programs < 0) throw new RangeError(`programs must be a non-negative integer, not ${opts.programs}`);
  if (opts.first !== undefined && !(Number.isInteger(opts.first) && opts.first >= 0)) throw new RangeError(`first must be a non-negative integer, not ${opts.first}`);
  const a = await opts.backends[0](config);
  let b: ChipBackend | undefined;
  try {
    b = await opts.backends[1](config);
    const useLockstep = opts.lockstep ?? true;
    let legal = 0;
    let faulty = 0;
    let cycles = 0;
    let mismatches = 0;
    let unexpected = 0;
    let firstMismatch: ProgramFailure | undefined;
    let firstUnexpected: ProgramFailure | undefined;
    let violations = 0;
    let firstViolation: ProgramFailure | undefined;
    let ran = 0;
    const first = opts.first ?? 0;
    const last = first + opts.programs - 1;
    const scope = opts.compare?.scope ?? 'footprint';
    const sweepEvery = Math.max(1, opts.sweepEvery ?? 25);
    // Programs use a main window at the bottom or at the top of main; sweeps compare both.
    const w = Math.min(opts.generate?.mainWindow ?? 4096, config.memory.mainBytes);
    const mainWindows: MainRange[] = opts.compare?.fullMain || 2 * w >= config.memory.mainBytes
      ? [{ base: 0, length: config.memory.mainBytes }]
      : [{ base: 0, length: w }, { base: config.memory.mainBytes - w, length: w }];
    const run = (program: GeneratedProgram, scopeNow: 'full' | 'footprint'): LockstepResult => {
      // A full run starts both sides from identical memories: locals whole (writeInit) and both
      // main windows (zeroed here, then the program's window is written).
      if (scopeNow === 'full' && !opts.compare?.fullMain) {
        for (const x of [a, b!]) for (const m of mainWindows) x.writeMain(m.base, new Uint8Array(m.length));
      }
      const cmpOpts: LockstepOptions = { maxCycles: Math.max(20_000, 10 * program.estCycles), contract: opts.contract ?? true, ...opts.compare, scope: scopeNow };
      return (useLockstep ? lockstep : compareRun)(a, b!, program.words, program.init, cmpOpts);
    };
    // Footprint scope leaves rows outside a program's footprint as they were: the first program
    // (and any after a mismatch) writes and compares everything, so both sides start equal.
    let needFull = true;
    let segment = first;
    for (let i = first; i <= last; i++) {
      const { seed, program } = programFor(config, opts.seed, i, faultyFraction, opts.generate);
      if (program.kind === 'legal') legal++;
      else faulty++;
      const base = { index: i, seed, description: program.description, words: program.words };
      if (!needFull && scope === 'footprint' && i > segment) {
        // The rows this program is about to overwrite must still agree; a difference is a stray
        // write by an earlier program of the segment, which would otherwise be erased unseen.
        const pre = compareMemories(a, b, [mainRange(a, program.init, opts.compare ?? {})], opts.compare ?? {}, program.init.footprint);
        if (pre) {
          mismatches++;
          firstMismatch ??= locate(config, opts, segment, i - 1, faultyFraction, run)
            ?? { ...base, mismatch: { ...pre, field: `${pre.field} (before program ${i}, left by programs ${segment}..${i - 1})` } };
          needFull = true;
          if (opts.stopOnMismatch) break;
        }
      }
      const scopeNow = needFull ? 'full' : scope;
      needFull = false;
      if (scopeNow === 'full') segment = i + 1;
      const result = run(program, scopeNow);
      cycles += result.cycles;
      ran++;
      // Every few programs (and after the last) compare all of every memory: a write outside any
      // footprint shows up here, and rerunning the segment with full comparisons pins the program.
      if (!result.mismatch && scope === 'footprint' && i >= segment && (i - segment + 1 >= sweepEvery || i === last)) {
        const sweep = compareMemories(a, b, mainWindows, opts.compare ?? {});
        if (sweep) {
          // Counted as one mismatch, attributed to the first program that reproduces it alone.
          const culprit = locate(config, opts, segment, i, faultyFraction, run)
            ?? { ...base, mismatch: { ...sweep, field: `${sweep.field} (outside the footprints of programs ${segment}..${i})` } };
          mismatches++;
          firstMismatch ??= culprit;
          needFull = true;
          if (opts.stopOnMismatch) {
            opts.onProgram?.({ index: i, seed, program, result });
            break;
          }
        }
        segment = i + 1;
      }
      let why: string | undefined;
      if (result.mismatch) {
        mismatches++;
        firstMismatch ??= { ...base, mismatch: result.mismatch };
        needFull = true;
      } else if (result.violation) {
        violations++;
        firstViolation ??= { ...base, violation: result.violation };
      } else {
        why = checkOutcome(program, result);
        if (why) {
          unexpected++;
          firstUnexpected ??= { ...base, unexpected: why };
        }
      }
      opts.onProgram?.({ index: i, seed, program, result, ...(why ? { unexpected: why } : {}) });
      if ((result.mismatch || result.violation) && opts.stopOnMismatch) break;
    }
    return {
      config: config.name,
      configHash: config.derived.hash,
      backends: [a.kind, b.kind],
      mode: useLockstep ? 'lockstep' : 'batched',
      seed: opts.seed,
      programs: ran,
      legal,
      faulty,
      cycles,
      mismatches,
      unexpected,
      contractViolations: violations,
      ...(firstMismatch ? { firstMismatch } : {}),
      ...(firstUnexpected ? { firstUnexpected } : {}),
      ...(firstViolation ? { firstViolation } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    a.close();
    b?.close();
  }
}
