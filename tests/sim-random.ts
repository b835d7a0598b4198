/**
 * Seeded random programs for the simulator tests, generated from the ISA table: every mnemonic
 * with field values chosen by field name so most instructions are legal and in range, plus a
 * counted loop, forward branches, and (at `faultRate`) deliberately faulty words.
 */
import type { ChipConfig } from '../src/config/index.js';
import { encode, fieldRange } from '../src/isa/encoding.js';
import { CFG_REGS, ISA, MEM_CODES, type InstrSpec } from '../src/isa/table.js';
import { I, li, randInt, rng } from './sim-helpers.js';

const LOOP_REG = 14;

/** Relative weights of mnemonics in the body (others weigh 1). */
const WEIGHT: Readonly<Record<string, number>> = { mm: 8, ld: 5, st: 3, drain: 5, rq: 2, sgd: 2, cfg: 3, addi: 2, halt: 0, jmp: 1 };

function cfgValue(r: () => number, name: string): number {
  switch (name) {
    case 'DMA_STRIDE': return randInt(r, -16, 64);
    case 'QSHIFT': case 'LR_SHIFT': return randInt(r, 0, 20);
    case 'VSHIFT': return randInt(r, 0, 8);
    case 'ROUND': return randInt(r, 0, 1);
    case 'LSTRIDE': case 'TSTRIDE': return randInt(r, 0, 3);
    case 'CLAMP_LO': return randInt(r, -100, 0);
    case 'CLAMP_HI': return randInt(r, 0, 100);
    case 'SEED': return randInt(r, -(2 ** 31), 2 ** 31 - 1);
    default: return randInt(r, -40000, 40000); // QMUL, LR_MUL: low 16 bits used
  }
}

export interface RandomProgramOptions {
  /** Body length in instructions. */
  readonly length: number;
  /** Probability that a body word is made faulty. */
  readonly faultRate: number;
}

/** A seeded random program for `cfg`. */
export function randomProgram(cfg: ChipConfig, seed: number, opts: RandomProgramOptions): bigint[] {
  const r = rng(seed);
  const W = cfg.derived.W;
  const m = cfg.memory;
  const minRows = Math.min(m.spRows, m.accRows, m.gradRows);
  const specs = ISA.filter((s) => (WEIGHT[s.mnemonic] ?? 1) > 0);
  const total = specs.reduce((a, s) => a + (WEIGHT[s.mnemonic] ?? 1), 0);
  const pick = (): InstrSpec => {
    let x = r() * total;
    for (const s of specs) {
      x -= WEIGHT[s.mnemonic] ?? 1;
      if (x < 0) return s;
    }
    return specs[specs.length - 1]!;
  };

  const prog: bigint[] = [];
  for (let reg = 1; reg <= 4; reg++) prog.push(li(reg, randInt(r, 0, 8)));
  prog.push(li(LOOP_REG, randInt(r, 1, 3)));
  const loopStart = prog.length;
  const bodyEnd = loopStart + opts.length; // index of the loop's closing addi

  for (let pc = loopStart; pc < bodyEnd; pc++) {
    const spec = pick();
    const v: Record<string, number> = {};
    for (const fs of spec.fields) {
      const n = fs.name;
      let val: number;
      if (spec.fixed?.[n] !== undefined) continue;
      if (n === 'rd') val = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15][randInt(r, 0, 13)]!;
      else if (spec.mnemonic === 'cfg' && n === 'rs') val = r() < 0.9 ? 0 : randInt(r, 1, 4);
      else if (fs.kind === 'reg') val = randInt(r, 0, 4);
      else if (n === 'target') val = randInt(r, pc + 1, Math.min(pc + 4, bodyEnd));
      else if (fs.kind === 'mem') val = MEM_CODES[fs.mems![randInt(r, 0, fs.mems!.length - 1)]!];
      else if (fs.kind === 'flag') val = randInt(r, 0, 1);
      else if (n === 'reg') val = randInt(r, 0, CFG_REGS.length - 1);
      // cfg fields come in table order reg, rs, imm: the value fits the register already chosen.
      else if (n === 'imm') val = spec.mnemonic === 'cfg' ? cfgValue(r, CFG_REGS[v.reg ?? 0]!) : randInt(r, -4, 8);
      else if (n === 'loff' || n === 'toff' || n === 'doff' || n === 'soff') val = randInt(r, 0, minRows - 14);
      else if (n === 'moff') val = randInt(r, 0, m.mainBytes - 8 * W * 4);
      else if (n === 'rows') val = randInt(r, 1, 4);
      else if (n === 'elems') val = randInt(r, 1, W);
      else if (n === 'k') val = randInt(r, 1, 24);
      else if (n === 'count') val = randInt(r, 1, 4);
      else {
        const { lo, hi } = fieldRange(fs);
        val = randInt(r, lo, hi);
      }
      v[n] = val;
    }
    // Overlapping v* operands in one memory are BAD_OPERAND: mostly make them in place instead.
    if (v.dmem !== undefined && v.dmem === v.smem && r() < 0.8) {
      v.sreg = v.dreg!;
      v.soff = v.doff!;
    }
    let word = encode(spec, v);
    if (r() < opts.faultRate) {
      const kind = randInt(r, 0, 2);
      if (kind === 0) word = BigInt(randInt(r, 0, 2 ** 30)) * BigInt(randInt(r, 0, 2 ** 30)) * 17n & ((1n << 64n) - 1n);
      else if (kind === 1) word |= 1n << BigInt(randInt(r, 0, 57)); // may set reserved bits
      else {
        // one field at a random legal encoding value: often out of memory range
        const fs = spec.fields[randInt(r, 0, Math.max(0, spec.fields.length - 1))];
        if (fs && spec.fixed?.[fs.name] === undefined) {
          const { lo, hi } = fieldRange(fs);
          try {
            word = encode(spec, { ...v, [fs.name]: fs.kind === 'target' ? randInt(r, 0, bodyEnd + 2) : randInt(r, lo, hi) });
          } catch {
            // an enum/mem code the table rejects: keep the legal word
          }
        }
      }
    }
    prog.push(word);
  }
  prog.push(I('addi', { rd: LOOP_REG, rs: LOOP_REG, imm: -1 }));
  prog.push(I('bne', { rs: LOOP_REG, rt: 0, target: loopStart }));
  prog.push(I('halt'));
  return prog;
}

/** Fill every memory with seeded random contents. */
export function randomMemories(target: { writeMain(a: number, d: Uint8Array): void; writeLocal(m: 'sp' | 'acc' | 'grad', row: number, d: Int8Array | Int32Array): void }, cfg: ChipConfig, seed: number): void {
  const r = rng(seed ^ 0x5bd1e995);
  const W = cfg.derived.W;
  const main = new Uint8Array(cfg.memory.mainBytes);
  for (let i = 0; i < main.length; i++) main[i] = randInt(r, 0, 255);
  target.writeMain(0, main);
  const sp = new Int8Array(cfg.memory.spRows * W);
  for (let i = 0; i < sp.length; i++) sp[i] = randInt(r, -128, 127);
  target.writeLocal('sp', 0, sp);
  for (const [name, rows] of [['acc', cfg.memory.accRows], ['grad', cfg.memory.gradRows]] as const) {
    const a = new Int32Array(rows * W);
    for (let i = 0; i < a.length; i++) a[i] = randInt(r, -(2 ** 20), 2 ** 20);
    target.writeLocal(name, 0, a);
  }
}
