/**
 * A checker of one backend's cycle-by-cycle behaviour against the timing rules of
 * docs/microarch.md (§2–§7), from its trace records, status and the program words alone.
 *
 * Lockstep only proves that two backends agree; if both misread the contract the same way (they
 * share the ISA table and its decoder) they agree and are both wrong. This checker is a third,
 * deliberately small opinion on what the trace must look like: counter bookkeeping, PC sequencing,
 * bubbles after taken branches, unit busy durations, the issue conditions that need no register
 * values (unit free, halt, fence, drain waiting for the flush, scalars always issuing), fault
 * detection in the first decode cycle, fault draining and halting.
 */
import type { ChipConfig } from '../config/index.js';
import type { ChipStatus, TraceRecord } from '../host/backend.js';
import { decode, type Instr } from '../isa/encoding.js';
import { ERROR_CODES, MEM_NAMES } from '../isa/table.js';

export interface ContractViolation {
  readonly cycle: number;
  /** Short rule name, e.g. `counters.stalls`, `pc.sequence`, `busy.duration`. */
  readonly rule: string;
  readonly message: string;
}

const UNIT_INDEX: Readonly<Record<string, number>> = { dma: 0, mxu: 1, drn: 2, vpu: 3 };
const SCALAR = new Set(['nop', 'addi', 'add', 'sub', 'beq', 'bne', 'blt', 'bge', 'jmp']);
const BRANCH = new Set(['beq', 'bne', 'blt', 'bge', 'jmp']);

/** Unit busy duration D of an instruction (docs/microarch.md §3). */
export function unitDuration(config: ChipConfig, ins: Instr): number {
  const f = ins.f;
  const v = (n: string): number => f[n] ?? 0;
  switch (ins.spec.unit) {
    case 'dma': {
      const size = MEM_NAMES[v('mem')] === 'sp' ? 1 : 4;
      return v('rows') * Math.ceil((v('elems') * size) / config.dma.bytesPerCycle) + 3;
    }
    case 'mxu':
      return v('k');
    case 'drn':
      return (v('t') === 1 ? config.array.cols : config.array.rows) + 2;
    case 'vpu':
      return v('count') * config.derived.vpuRowCycles + config.vpu.latency;
    default:
      return 0;
  }
}

export class ContractChecker {
  private prev: { t: TraceRecord; s: ChipStatus } | undefined;
  /** PC in decode in the record before `prev` (to know whether prev's instruction was fresh). */
  private prevPrevPc = -1;
  /** Unit counters n and bank flush counters at the start of the current cycle, per the contract. */
  private readonly n = [0, 0, 0, 0];
  private readonly bankN = [0, 0];
  /**
   * What may follow the last issue (or start): `bubbles` bubble cycles, then `pc` in decode (NaN:
   * any). L − 1 bubbles then pc + 1 after an issue; L then the target after a taken branch (§2).
   */
  private outcomes: Array<{ readonly pc: number; readonly bubbles: number }>;
  /** Bubbles seen since the last issue (or start). */
  private bubbles = 1;
  private readonly L: number;
  /** PC of the instruction that faulted (reported after the halt). */
  private faultPc: number | undefined;
  private readonly decoded: Array<Instr | null>;
  private readonly RC: number;
  private readonly F: number;

  constructor(readonly config: ChipConfig, readonly words: readonly bigint[]) {
    this.decoded = words.map((w) => {
      const d = decode(w);
      return d.ok ? d.instr : null;
    });
    this.RC = config.array.rows * config.array.cols;
    this.F = config.derived.flushCycles;
    this.L = config.controller.stages;
    // Cycle 0 is the first of the L bubbles that deliver PC 0.
    this.outcomes = [{ pc: 0, bubbles: this.L }];
  }

  /** The instruction at pc: decoded, null if illegal, undefined if outside the loaded program. */
  private instr(pc: number): Instr | null | undefined {
    return pc >= 0 && pc < this.decoded.length ? this.decoded[pc] : undefined;
  }

  /**
   * Observe the record and status at the start of each cycle, from cycle 0 after start, in order.
   * Returns the first violation found in this step, if any.
   */
  observe(t: TraceRecord, s: ChipStatus): ContractViolation | undefined {
    const v = (rule: string, message: string): ContractViolation => ({ cycle: t.cycle, rule, message });
    const out = this.recordChecks(t, s, v) ?? this.transition(t, s, v) ?? this.busyCheck(t, v);
    if (this.prev) this.prevPrevPc = this.prev.t.pc;
    this.prev = { t, s };
    return out;
  }

  /** Checks of one record and its status by themselves (§7). */
  private recordChecks(t: TraceRecord, s: ChipStatus, v: (rule: string, message: string) => ContractViolation): ContractViolation | undefined {
    if (t.cycle !== s.counters.cycles) return v('trace.cycle', `trace cycle ${t.cycle} ≠ cycles counter ${s.counters.cycles}`);
    if ((t.state === 3) !== s.halted) return v('state', `trace state ${t.state} but status.halted = ${s.halted}`);
    if ((t.state === 1 || t.state === 2) !== s.running) return v('state', `trace state ${t.state} but status.running = ${s.running}`);
    if (t.state === 3 && (t.pc !== -1 || t.issue !== 0 || t.busy !== 0)) return v('halted.record', `halted record must be {pc −1, issue 0, busy 0}, got pc ${t.pc} issue ${t.issue} busy ${t.busy}`);
    if (t.state === 2 && (t.pc !== -1 || t.issue !== 0)) return v('draining.record', `fault-draining record must have pc −1 and issue 0, got pc ${t.pc} issue ${t.issue}`);
    if (t.issue === 1 && (t.pc < 0 || t.state !== 1)) return v('issue', `issue without a running instruction in decode (pc ${t.pc}, state ${t.state})`);
    if (!this.prev && (t.cycle !== 0 || t.state !== 1 || t.pc !== -1)) return v('start', `cycle 0 must be a running fetch bubble (pc −1), got cycle ${t.cycle} state ${t.state} pc ${t.pc}`);
    return undefined;
  }

  /** Busy flags against the unit durations (§3), once the model is at the start of this cycle. */
  private busyCheck(t: TraceRecord, v: (rule: string, message: string) => ContractViolation): ContractViolation | undefined {
    if (t.state === 3) return undefined;
    const model = (this.n[0]! > 0 ? 1 : 0) | (this.n[1]! > 0 ? 2 : 0) | (this.n[2]! > 0 ? 4 : 0) | (this.n[3]! > 0 ? 8 : 0);
    if (t.busy !== model) return v('busy.duration', `busy ${t.busy.toString(2).padStart(4, '0')} but the unit durations give ${model.toString(2).padStart(4, '0')} (n = ${this.n.join(',')})`);
    return undefined;
  }

  /** What happened in the previous cycle, judged from the previous record and this one. */
  private transition(t: TraceRecord, s: ChipStatus, v: (rule: string, message: string) => ContractViolation): ContractViolation | undefined {
    const p = this.prev;
    if (!p) return undefined;
    const pt = p.t;
    const ps = p.s;
    if (pt.state === 3) {
      if (t.cycle !== pt.cycle || t.state !== 3) return v('halted.stable', `a halted chip changed: cycle ${pt.cycle}→${t.cycle}, state ${t.state}`);
      return undefined;
    }
    if (t.cycle !== pt.cycle + 1) return v('trace.cycle', `cycle ${pt.cycle} followed by ${t.cycle}`);

    const ins = pt.pc >= 0 ? this.instr(pt.pc) : undefined;
    const fresh = pt.pc >= 0 && this.prevPrevPc !== pt.pc;
    const faultCycle = pt.state === 1 && pt.pc >= 0 && pt.issue === 0 && ps.error === 0 && s.error !== 0;
    const allIdle = this.n.every((x) => x <= 1);
    if (faultCycle) this.faultPc = pt.pc;

    // Counters (§7).
    const grew = {
      cycles: s.counters.cycles - ps.counters.cycles,
      macs: s.counters.macs - ps.counters.macs,
      dmaBusy: s.counters.dmaBusy - ps.counters.dmaBusy,
      stalls: s.counters.stalls - ps.counters.stalls,
      retired: s.counters.retired - ps.counters.retired,
    };
    const want = {
      cycles: 1,
      macs: pt.busy & 2 ? this.RC : 0,
      dmaBusy: pt.busy & 1 ? 1 : 0,
      stalls: pt.state === 1 && pt.pc >= 0 && pt.issue === 0 && !faultCycle ? 1 : 0,
      retired: pt.issue,
    };
    for (const k of ['cycles', 'macs', 'dmaBusy', 'stalls', 'retired'] as const) {
      if (grew[k] !== want[k]) return v(`counters.${k}`, `${k} grew by ${grew[k]} in cycle ${pt.cycle}, the contract says ${want[k]}`);
    }

    // Errors appear only after an instruction's first decode cycle, and stay (§6).
    if (ps.error !== 0 && s.error !== ps.error) return v('error.sticky', `error changed from ${ps.error} to ${s.error}`);
    if (faultCycle && !fresh) return v('fault.first-cycle', `pc ${pt.pc} faulted after it had already been in decode`);
    if (pt.state === 1 && pt.pc >= 0 && fresh && ps.error === 0) {
      const expected = pt.pc >= this.config.memory.imemWords ? ERROR_CODES.PC_RANGE : ins === null ? ERROR_CODES.ILLEGAL_INSTRUCTION : undefined;
      if (expected !== undefined && s.error !== expected) return v('fault.detect', `pc ${pt.pc} must fault with error ${expected} in its first decode cycle, status shows ${s.error}`);
    }

    // Issue conditions that need no register values (§4).
    if (pt.state === 1 && pt.pc >= 0 && ins) {
      const m = ins.spec.mnemonic;
      const u = UNIT_INDEX[ins.spec.unit];
      const mask = ins.f.mask ?? 0;
      const fenceReady = [0, 1, 2, 3].every((k) => !((mask >> k) & 1) || this.n[k]! <= 1);
      if (pt.issue === 1) {
        if (m === 'halt' && !allIdle) return v('issue.halt', `halt issued while a unit had n ≥ 2 (n = ${this.n.join(',')})`);
        if (m === 'fence' && !fenceReady) return v('issue.fence', `fence ${mask} issued while a masked unit had n ≥ 2 (n = ${this.n.join(',')})`);
        if (u !== undefined && this.n[u]! > 1) return v('issue.unit-busy', `${m} issued while its unit had n = ${this.n[u]}`);
        if (m === 'drain' && this.bankN[ins.f.bank ?? 0]! > 1) return v('issue.flush', `drain issued before bank ${ins.f.bank} flushed (bank_n = ${this.bankN[ins.f.bank ?? 0]})`);
      } else if (!faultCycle) {
        if (SCALAR.has(m)) return v('issue.scalar', `${m} at pc ${pt.pc} did not issue (scalar instructions always issue)`);
        if (m === 'halt' && allIdle) return v('issue.halt', 'halt did not issue although every unit had n ≤ 1');
        if (m === 'fence' && fenceReady) return v('issue.fence', `fence ${mask} did not issue although its units had n ≤ 1`);
      }
    }

    // Next state and PC (§2, §6).
    let expectPc: number | undefined;
    let expectState: number | undefined;
    const m = ins?.spec.mnemonic;
    if (pt.state === 2 || faultCycle) {
      expectState = allIdle ? 3 : 2;
    } else if (pt.issue === 1 && m === 'halt') {
      expectState = 3;
    } else if (pt.pc < 0 || pt.issue === 1) {
      if (pt.issue === 1) {
        const L = this.L;
        const target = ins?.f.target ?? NaN;
        if (ins === undefined) this.outcomes = [{ pc: NaN, bubbles: L - 1 }, { pc: NaN, bubbles: L }];
        else if (m === 'jmp') this.outcomes = [{ pc: target, bubbles: L }];
        else if (m !== undefined && BRANCH.has(m)) this.outcomes = [{ pc: pt.pc + 1, bubbles: L - 1 }, { pc: target, bubbles: L }];
        else this.outcomes = [{ pc: pt.pc + 1, bubbles: L - 1 }];
        this.bubbles = 0;
      }
      expectState = 1;
      const say = (): string => this.outcomes.map((o) => `${o.bubbles} bubble(s) then pc ${Number.isNaN(o.pc) ? 'any' : o.pc}`).join(' or ');
      const after = `after ${pt.issue === 1 ? `${m ?? 'the instruction'} at ${pt.pc} issued` : 'a bubble'} (cycle ${pt.cycle})`;
      if (t.pc === -1 && t.state === 1) {
        this.bubbles++;
        if (!this.outcomes.some((o) => o.bubbles >= this.bubbles)) return v('pc.sequence', `${after}: bubble ${this.bubbles}, the contract says ${say()}`);
      } else if (t.state === 1 && !this.outcomes.some((o) => o.bubbles === this.bubbles && (Number.isNaN(o.pc) || o.pc === t.pc))) {
        return v(pt.issue === 1 && BRANCH.has(m ?? '') ? 'pc.branch' : 'pc.sequence', `${after}: pc ${t.pc} after ${this.bubbles} bubble(s), the contract says ${say()}`);
      }
    } else {
      expectPc = pt.pc; // a stall keeps the instruction in decode
      expectState = 1;
    }
    if (expectState !== undefined && t.state !== expectState) return v('state.next', `after cycle ${pt.cycle} (state ${pt.state}, pc ${pt.pc}, issue ${pt.issue}) the state must be ${expectState}, got ${t.state}`);
    if (expectPc !== undefined && t.pc !== expectPc) return v('pc.sequence', `after cycle ${pt.cycle} (pc ${pt.pc}, issue ${pt.issue}) pc must be ${expectPc}, got ${t.pc}`);
    if (t.state === 3) {
      const stopPc = this.faultPc ?? pt.pc;
      if (s.pc !== stopPc) return v('status.pc', `halted with status pc ${s.pc}, the contract says ${stopPc} (the halt or the faulting pc)`);
    }

    // Advance the unit model to the start of this cycle: tick, then the issued unit takes n = D (§3).
    for (let k = 0; k < 4; k++) if (this.n[k]! > 0) this.n[k]!--;
    for (let b = 0; b < 2; b++) if (this.bankN[b]! > 0) this.bankN[b]!--;
    if (pt.issue === 1 && ins) {
      const u = UNIT_INDEX[ins.spec.unit];
      if (u !== undefined) this.n[u] = unitDuration(this.config, ins);
      if (ins.spec.mnemonic === 'mm') {
        const b = ins.f.bank ?? 0;
        this.bankN[b] = Math.max(this.bankN[b]!, (ins.f.k ?? 1) + this.F);
      }
    }
    return undefined;
  }
}
