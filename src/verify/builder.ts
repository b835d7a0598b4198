/**
 * ProgramBuilder: emits encoded words while tracking what the generator knows about the machine —
 * register intervals and configuration registers — and refuses (throws GeneratorBug) any
 * instruction meant to be legal that the static checker says would fault. Branch targets can be
 * patched once a label's address is known.
 */
import type { ChipConfig } from '../config/index.js';
import { CFG_REGS, ISA_BY_MNEMONIC, type CfgReg, type MemName } from '../isa/table.js';
import { encode } from '../isa/encoding.js';
import { featuresOfInstr } from './coverage.js';
import { checkWord, exact, type Interval, type StaticState, type Verdict } from './footprint.js';

/** Thrown when the generator would emit something it did not intend: always a bug in src/verify. */
export class GeneratorBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorBug';
  }
}

export type Fields = Readonly<Record<string, number>>;

/** A counted loop being generated: induction registers are intervals over all iterations. */
export interface LoopContext {
  readonly iterations: number;
  /** Registers the loop machinery owns; the body must not write them. */
  readonly reserved: ReadonlySet<number>;
}

export class ProgramBuilder implements StaticState {
  readonly words: bigint[] = [];
  private readonly fields: Array<{ mnemonic: string; fields: Fields } | undefined> = [];
  private readonly regs: Array<Interval | undefined> = Array.from({ length: 16 }, () => exact(0));
  private readonly cfgs = new Map<CfgReg, number>(CFG_REGS.map((r) => [r, 0]));
  loop: LoopContext | undefined;
  /** Local rows the emitted instructions may touch, per memory (unmerged; see footprint()). */
  private readonly touched: Record<MemName, Array<[number, number]>> = { sp: [], acc: [], grad: [] };
  /** Coverage features of the emitted instructions (see coverage.ts). */
  readonly features = new Set<string>();

  constructor(readonly config: ChipConfig, readonly maxWords: number) {}

  get pc(): number {
    return this.words.length;
  }

  /** Words still available under the size budget. */
  room(): number {
    return this.maxWords - this.words.length;
  }

  reg(i: number): Interval | undefined {
    return i === 0 ? exact(0) : this.regs[i];
  }

  /** Known exact value of a register, or undefined. */
  exactReg(i: number): number | undefined {
    const r = this.reg(i);
    return r !== undefined && r.lo === r.hi ? r.lo : undefined;
  }

  cfg(name: CfgReg): number {
    return this.cfgs.get(name)!;
  }

  /** Override a register's interval (loop induction registers while their body is generated). */
  setReg(i: number, v: Interval | undefined): void {
    if (i !== 0) this.regs[i] = v;
  }

  /** Snapshot of the tracked state, to restore after generating dead (skipped) code. */
  snapshot(): { regs: Array<Interval | undefined>; cfgs: Map<CfgReg, number> } {
    return { regs: [...this.regs], cfgs: new Map(this.cfgs) };
  }

  restore(s: { regs: Array<Interval | undefined>; cfgs: Map<CfgReg, number> }): void {
    for (let i = 0; i < 16; i++) this.regs[i] = s.regs[i];
    for (const [k, v] of s.cfgs) this.cfgs.set(k, v);
  }

  /** What the static checker says about an instruction at the current point (nothing is emitted). */
  check(mnemonic: string, values: Fields): Verdict {
    return checkWord(this.config, this.encodeOrBug(mnemonic, values), this);
  }

  /**
   * Emit a legal instruction. Throws GeneratorBug if the static checker finds a fault or cannot
   * prove its absence. Code a taken branch skips is checked too (callers snapshot/restore the
   * tracked state around it), so every emitted word would be legal if it ever ran.
   */
  emit(mnemonic: string, values: Fields): number {
    const word = this.encodeOrBug(mnemonic, values);
    const verdict = checkWord(this.config, word, this);
    if (verdict.error !== 0) {
      throw new GeneratorBug(`pc ${this.pc}: ${mnemonic} ${JSON.stringify(values)} would not be legal: ${'reason' in verdict ? verdict.reason : ''}`);
    }
    if (this.room() <= 0) throw new GeneratorBug(`program exceeds its budget of ${this.maxWords} words`);
    if ('touched' in verdict) for (const t of verdict.touched) this.touched[t.mem].push([t.lo, t.hi]);
    const pc = this.pc;
    this.words.push(word);
    this.fields.push({ mnemonic, fields: values });
    for (const f of featuresOfInstr(mnemonic, values, this.cfg('ROUND'))) this.features.add(f);
    this.apply(mnemonic, values);
    return pc;
  }

  /**
   * Every local row a legal instruction of this program may read or write, as sorted, merged
   * half-open row ranges per memory (faulting instructions touch nothing).
   */
  footprint(): Record<MemName, Array<readonly [number, number]>> {
    const merge = (list: Array<[number, number]>): Array<readonly [number, number]> => {
      const out: Array<[number, number]> = [];
      for (const [lo, hi] of [...list].sort((a, b) => a[0] - b[0])) {
        const last = out[out.length - 1];
        if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
        else out.push([lo, hi]);
      }
      return out;
    };
    return { sp: merge(this.touched.sp), acc: merge(this.touched.acc), grad: merge(this.touched.grad) };
  }

  /** Emit only if legal; returns whether it was emitted. */
  tryEmit(mnemonic: string, values: Fields): boolean {
    if (this.room() <= 0 || this.check(mnemonic, values).error !== 0) return false;
    this.emit(mnemonic, values);
    return true;
  }

  /** Emit a raw word (faulty endings); no checks, no state effects. */
  emitRaw(word: bigint): number {
    const pc = this.pc;
    this.words.push(BigInt.asUintN(64, word));
    this.fields.push(undefined);
    return pc;
  }

  /** Re-encode a branch/jmp at `pc` with a new target. */
  patchTarget(pc: number, target: number): void {
    const entry = this.fields[pc];
    if (!entry) throw new GeneratorBug(`patchTarget: no instruction at ${pc}`);
    const fields = { ...entry.fields, target };
    this.fields[pc] = { mnemonic: entry.mnemonic, fields };
    this.words[pc] = this.encodeOrBug(entry.mnemonic, fields);
  }

  private encodeOrBug(mnemonic: string, values: Fields): bigint {
    const spec = ISA_BY_MNEMONIC.get(mnemonic);
    if (!spec) throw new GeneratorBug(`unknown mnemonic ${mnemonic}`);
    try {
      return encode(spec, values);
    } catch (e) {
      throw new GeneratorBug(`cannot encode ${mnemonic} ${JSON.stringify(values)}: ${(e as Error).message}`);
    }
  }

  /** Track the architectural effect of scalar instructions on registers and configuration. */
  private apply(mnemonic: string, f: Fields): void {
    const get = (name: string): number => f[name] ?? 0;
    const write = (rd: number, v: Interval | undefined): void => {
      if (rd === 0) return;
      if (this.loop?.reserved.has(rd)) throw new GeneratorBug(`loop body writes reserved r${rd}`);
      // A body instruction before this one may have relied on rd's value, which the next iteration
      // would change: loop bodies may only write registers already marked unknown.
      if (this.loop && this.regs[rd] !== undefined) throw new GeneratorBug(`loop body writes r${rd}, which earlier body code may rely on`);
      // Inside a loop a written register varies by iteration: the generator stops relying on it.
      this.regs[rd] = this.loop ? undefined : v;
    };
    switch (mnemonic) {
      case 'addi': {
        const s = this.exactReg(get('rs'));
        write(get('rd'), s === undefined ? undefined : exact((s + get('imm')) | 0));
        break;
      }
      case 'add':
      case 'sub': {
        const a = this.exactReg(get('rs'));
        const b = this.exactReg(get('rt'));
        const v = a === undefined || b === undefined ? undefined : mnemonic === 'add' ? (a + b) | 0 : (a - b) | 0;
        write(get('rd'), v === undefined ? undefined : exact(v));
        break;
      }
      case 'cfg': {
        const name = CFG_REGS[get('reg')]!;
        const s = this.exactReg(get('rs'));
        if (s === undefined) throw new GeneratorBug(`cfg ${name} from an unknown register`);
        this.cfgs.set(name, (s + get('imm')) | 0);
        break;
      }
      default:
        break;
    }
  }
}
