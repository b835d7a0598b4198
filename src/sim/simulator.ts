/**
 * The golden cycle-accurate simulator: docs/microarch.md implemented literally, with each
 * instruction's data effect applied at issue (§4). `step()` is one clock; `run()` is the same
 * machine with an exact fast-forward over cycles in which only counters change.
 */
import type { ChipConfig } from '../config/index.js';
import type { ChipBackend, ChipStatus, PerfCounters, TraceRecord } from '../host/backend.js';
import { ERROR_CODES, type MemName } from '../isa/table.js';
import { Datapath } from './datapath.js';
import type { ChipMemories } from './memory.js';
import { Op, predecodeCached, U_DMA, U_MXU, type SimInstr } from './predecode.js';
import { geometryOf, newPrepared, prepare, type Geometry, type Prepared } from './prepare.js';

/** Controller states, as in the trace (docs/microarch.md §7). */
export const STATE_IDLE = 0;
export const STATE_RUNNING = 1;
export const STATE_DRAINING = 2;
export const STATE_HALTED = 3;

const UNITS = 4;

/** The TypeScript model of the chip; a ChipBackend like the Verilated RTL. */
export class Simulator implements ChipBackend {
  readonly kind = 'sim';
  readonly config: ChipConfig;
  /** The data memories (typed arrays). Prefer the validated accessors; these are for fast tooling. */
  readonly memories: ChipMemories;

  private readonly g: Geometry;
  private readonly dp: Datapath;
  private readonly imemWords: number;
  private readonly words: bigint[];
  private readonly program: SimInstr[];

  private state = STATE_IDLE;
  /** PC of the instruction in decode, or −1 during a bubble (cycle 0, after a taken branch). */
  private pcDec = -1;
  /** PC being fetched during a bubble: it is in decode once the bubbles are over. */
  private pcFetch = 0;
  /** Bubble cycles left before pcFetch is in decode (docs/microarch.md §2: L after start or a taken branch, L − 1 after an issue). */
  private bubbles = 0;
  /** Front-end stages L. */
  private readonly stages: number;
  /** PC reported once stopped: the halt or the faulting instruction. */
  private pcStop = 0;
  /** The instruction in decode has not been prepared (its first cycle in decode is now). */
  private fresh = false;
  private readonly prep: Prepared = newPrepared();
  private error = 0;

  /** Unit busy counters n (index = trace busy bit) and the resource sets of their instructions. */
  private readonly n = new Int32Array(UNITS);
  private readonly uReads = new Int32Array(UNITS);
  private readonly uWrites = new Int32Array(UNITS);
  /** MXU per-bank flush counters. */
  private readonly bankN = new Int32Array(2);
  private readonly flush: number;
  private readonly pesPerStep: number;

  private cycles = 0;
  private macs = 0;
  private dmaBusy = 0;
  private stalls = 0;
  private retired = 0;

  constructor(config: ChipConfig) {
    this.config = config;
    this.g = geometryOf(config);
    this.dp = new Datapath(config);
    this.memories = this.dp.memories;
    this.imemWords = config.memory.imemWords;
    const zero = predecodeCached(0n);
    this.words = new Array<bigint>(this.imemWords).fill(0n);
    this.program = new Array<SimInstr>(this.imemWords).fill(zero);
    this.flush = config.derived.flushCycles;
    this.stages = config.controller.stages;
    this.pesPerStep = config.array.rows * config.array.cols;
  }

  // ---- host interface ------------------------------------------------------------------------

  /**
   * Write `words` to instruction memory from word 0 (later words keep their contents, as in the
   * RTL's imem). Each word is predecoded once here.
   */
  loadProgram(words: readonly bigint[]): void {
    if (words.length > this.imemWords) {
      throw new RangeError(`loadProgram: ${words.length} words do not fit instruction memory (${this.imemWords} words)`);
    }
    words.forEach((w, i) => {
      if (typeof w !== 'bigint' || w < 0n || w >= 1n << 64n) {
        throw new RangeError(`loadProgram: word ${i} must be a bigint in 0..2^64−1, not ${String(w)}`);
      }
    });
    words.forEach((w, i) => {
      if (this.words[i] !== w) {
        this.words[i] = w;
        this.program[i] = predecodeCached(w);
      }
    });
  }

  /** Instruction-memory word `i` (0 if never written). */
  imemWord(i: number): bigint {
    if (!Number.isInteger(i) || i < 0 || i >= this.imemWords) throw new RangeError(`imemWord: index must be in 0..${this.imemWords - 1}, not ${i}`);
    return this.words[i]!;
  }

  writeMain(byteAddr: number, data: Uint8Array): void {
    this.memories.writeMain(byteAddr, data);
  }

  readMain(byteAddr: number, length: number): Uint8Array {
    return this.memories.readMain(byteAddr, length);
  }

  writeLocal(mem: MemName, row: number, data: Int8Array | Int32Array): void {
    this.memories.writeLocal(mem, row, data);
  }

  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array {
    return this.memories.readLocal(mem, row, rows);
  }

  /** Scalar registers r0..r15 (a copy; for debugging and tests). */
  readRegisters(): Int32Array {
    return this.dp.regs.slice();
  }

  /** Reset the controller per docs/microarch.md §8 (memories keep their contents) and start. */
  start(): void {
    this.dp.reset();
    this.n.fill(0);
    this.uReads.fill(0);
    this.uWrites.fill(0);
    this.bankN.fill(0);
    this.cycles = this.macs = this.dmaBusy = this.stalls = this.retired = 0;
    this.error = 0;
    this.state = STATE_RUNNING;
    // Cycle 0 fetches PC 0: the first of L bubbles.
    this.pcDec = -1;
    this.pcFetch = 0;
    this.bubbles = this.stages;
    this.pcStop = 0;
    this.fresh = false;
  }

  /** Advance exactly one clock cycle (no-op unless running or fault-draining). */
  step(): void {
    if (this.state === STATE_RUNNING || this.state === STATE_DRAINING) this.cycle();
  }

  /**
   * Run until halted or `maxCycles` more cycles (an integer ≥ 0, or Infinity) have passed.
   * Stretches in which the instruction in decode stalls (or a fault drains) and only counters
   * change are advanced in one go; the result is identical to calling step() that many times.
   */
  run(maxCycles: number): ChipStatus {
    if (!(maxCycles === Infinity || (Number.isInteger(maxCycles) && maxCycles >= 0))) {
      throw new RangeError(`run: maxCycles must be an integer ≥ 0 or Infinity, not ${String(maxCycles)}`);
    }
    let left = maxCycles;
    while (left > 0) {
      const st = this.state;
      if (st === STATE_RUNNING) {
        if (this.pcDec >= 0 && !this.fresh && this.prep.fault === 0 && !this.canIssue(this.program[this.pcDec]!, this.prep)) {
          const s = Math.min(this.quietCycles(), left);
          if (s > 1) {
            this.skip(s, true);
            left -= s;
            continue;
          }
        }
      } else if (st === STATE_DRAINING) {
        const s = Math.min(this.maxCounter() - 1, left);
        if (s > 1) {
          this.skip(s, false);
          left -= s;
          continue;
        }
      } else {
        break;
      }
      this.cycle();
      left--;
    }
    return this.status();
  }

  status(): ChipStatus {
    const st = this.state;
    const counters: PerfCounters = {
      cycles: this.cycles, macs: this.macs, dmaBusy: this.dmaBusy, stalls: this.stalls, retired: this.retired,
    };
    const pc = st === STATE_RUNNING ? (this.pcDec >= 0 ? this.pcDec : this.pcFetch) : this.pcStop;
    return { running: st === STATE_RUNNING || st === STATE_DRAINING, halted: st === STATE_HALTED, error: this.error, pc, counters };
  }

  /** The trace record of the current cycle (its start state, and whether decode issues in it). */
  trace(): TraceRecord {
    const st = this.state;
    let pc = -1;
    let issue = 0;
    if (st === STATE_RUNNING && this.pcDec >= 0) {
      pc = this.pcDec;
      if (this.fresh) this.prepareDecode();
      if (this.prep.fault === 0 && this.canIssue(this.program[pc]!, this.prep)) issue = 1;
    }
    const n = this.n;
    const busy = (n[0]! > 0 ? 1 : 0) | (n[1]! > 0 ? 2 : 0) | (n[2]! > 0 ? 4 : 0) | (n[3]! > 0 ? 8 : 0);
    return { cycle: this.cycles, pc, issue, busy, state: st };
  }

  close(): void {
    // Nothing native to release.
  }

  // ---- controller ----------------------------------------------------------------------------

  /** First cycle of an instruction in decode: resolve it and detect its fault (§6). */
  private prepareDecode(): void {
    this.fresh = false;
    if (this.pcDec >= this.imemWords) {
      this.prep.fault = ERROR_CODES.PC_RANGE;
      return;
    }
    prepare(this.program[this.pcDec]!, this.dp.regs, this.dp.cfgRegs, this.g, this.prep);
  }

  /** The issue condition of §4 on the state at the start of the cycle. */
  private canIssue(ins: SimInstr, p: Prepared): boolean {
    const n = this.n;
    switch (ins.op) {
      case Op.HALT:
        return n[0]! <= 1 && n[1]! <= 1 && n[2]! <= 1 && n[3]! <= 1;
      case Op.FENCE: {
        const mask = ins.f.mask!;
        for (let u = 0; u < UNITS; u++) if ((mask >> u) & 1 && n[u]! > 1) return false;
        return true;
      }
      default:
        break;
    }
    const unit = ins.unit;
    if (unit < 0) return true;
    if (n[unit]! > 1) return false;
    if (ins.op === Op.DRAIN && this.bankN[ins.f.bank!]! > 1) return false;
    const r = p.reads;
    const w = p.writes;
    for (let u = 0; u < UNITS; u++) {
      if (n[u]! >= 2 && ((w & (this.uReads[u]! | this.uWrites[u]!)) | (r & this.uWrites[u]!)) !== 0) return false;
    }
    return true;
  }

  /** Cycles until some counter ≥ 2 reaches 1 (the next time an issue condition can change). */
  private quietCycles(): number {
    let m = Infinity;
    for (let u = 0; u < UNITS; u++) {
      const v = this.n[u]!;
      if (v >= 2 && v < m) m = v;
    }
    for (let b = 0; b < 2; b++) {
      const v = this.bankN[b]!;
      if (v >= 2 && v < m) m = v;
    }
    return m - 1;
  }

  private maxCounter(): number {
    let m = 0;
    for (let u = 0; u < UNITS; u++) if (this.n[u]! > m) m = this.n[u]!;
    return m;
  }

  /** Advance s cycles in which nothing issues: exactly what s calls of cycle() would count. */
  private skip(s: number, stalled: boolean): void {
    const n = this.n;
    this.cycles += s;
    if (stalled) this.stalls += s;
    this.macs += this.pesPerStep * Math.min(s, n[U_MXU]!);
    this.dmaBusy += Math.min(s, n[U_DMA]!);
    for (let u = 0; u < UNITS; u++) n[u] = Math.max(0, n[u]! - s);
    for (let b = 0; b < 2; b++) this.bankN[b] = Math.max(0, this.bankN[b]! - s);
  }

  /** End of a cycle: count it, then let every counter tick (§3, §7). */
  private tick(): void {
    const n = this.n;
    this.cycles++;
    if (n[U_MXU]! > 0) this.macs += this.pesPerStep;
    if (n[U_DMA]! > 0) this.dmaBusy++;
    for (let u = 0; u < UNITS; u++) if (n[u]! > 0) n[u]!--;
    if (this.bankN[0]! > 0) this.bankN[0]!--;
    if (this.bankN[1]! > 0) this.bankN[1]!--;
  }

  /** One clock cycle of a running or fault-draining chip. */
  private cycle(): void {
    if (this.state === STATE_DRAINING) {
      const done = this.maxCounter() <= 1;
      this.tick();
      if (done) this.state = STATE_HALTED;
      return;
    }
    const pc = this.pcDec;
    if (pc < 0) {
      // Bubble: after the last one the fetched instruction enters decode.
      this.tick();
      if (--this.bubbles === 0) {
        this.pcDec = this.pcFetch;
        this.fresh = true;
      }
      return;
    }
    if (this.fresh) this.prepareDecode();
    const p = this.prep;
    if (p.fault !== 0) {
      // A fault stops issue; halt at the end of the first cycle in which every unit has n ≤ 1.
      this.error = p.fault;
      this.pcStop = pc;
      const done = this.maxCounter() <= 1;
      this.tick();
      this.state = done ? STATE_HALTED : STATE_DRAINING;
      return;
    }
    const ins = this.program[pc]!;
    if (!this.canIssue(ins, p)) {
      this.stalls++;
      this.tick();
      return;
    }
    this.retired++;
    const next = this.dp.execute(ins, p);
    this.tick();
    if (ins.unit >= 0) this.occupy(ins, p);
    if (ins.op === Op.HALT) {
      this.state = STATE_HALTED;
      this.pcStop = pc;
    } else if (next < 0 && this.stages === 1) {
      this.pcDec = pc + 1;
      this.fresh = true;
    } else {
      // L − 1 bubbles before the next word, L before a taken branch's target.
      this.pcDec = -1;
      this.pcFetch = next < 0 ? pc + 1 : next;
      this.bubbles = next < 0 ? this.stages - 1 : this.stages;
    }
  }

  /** The unit takes the issued instruction: n = D and its resource sets, after this cycle's tick. */
  private occupy(ins: SimInstr, p: Prepared): void {
    const u = ins.unit;
    this.n[u] = p.duration;
    this.uReads[u] = p.reads;
    this.uWrites[u] = p.writes;
    if (ins.op === Op.MM) {
      const b = ins.f.bank!;
      this.bankN[b] = Math.max(this.bankN[b]!, ins.f.k! + this.flush);
    }
  }
}
