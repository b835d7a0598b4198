import type { ChipConfig } from '../config/index.js';
import { CFG_REGS, ISA_BY_MNEMONIC, MEM_CODES, type CfgReg, type MemName } from '../isa/table.js';
import { encode } from '../isa/encoding.js';

/** Largest main-memory offset an instruction can hold; higher addresses go through a base register. */
const MOFF_LIMIT = 1 << 18;
/** Register the builder reserves for main-memory base addresses. */
const MAIN_BASE_REG = 1;

/**
 * Emits machine words for the compilers. It tracks configuration registers and the main-memory
 * base register so that redundant `cfg`/`addi` instructions are not emitted, and it knows each
 * unit's duration formula (docs/microarch.md §3) so schedulers can budget DMA work.
 */
export class ProgramBuilder {
  readonly words: bigint[] = [];
  private readonly cfgVals = new Map<CfgReg, number>();
  private mainBase = 0;

  constructor(readonly config: ChipConfig) {
    for (const r of CFG_REGS) this.cfgVals.set(r, 0); // start resets them to 0
  }

  get length(): number {
    return this.words.length;
  }

  /** Emit an instruction by mnemonic with natural field values. */
  op(mnemonic: string, fields: Readonly<Record<string, number>> = {}): void {
    const spec = ISA_BY_MNEMONIC.get(mnemonic);
    if (!spec) throw new Error(`internal: unknown mnemonic ${mnemonic}`);
    this.words.push(encode(spec, fields));
  }

  /** Set a configuration register unless it already holds the value. */
  cfg(reg: CfgReg, value: number): void {
    if (this.cfgVals.get(reg) === value) return;
    this.cfgVals.set(reg, value);
    this.op('cfg', { reg: CFG_REGS.indexOf(reg), rs: 0, imm: value | 0 });
  }

  /** Split a main byte address into (base register, offset), emitting `addi` when the base moves. */
  private mainAddr(addr: number): { mreg: number; moff: number } {
    const base = addr - (addr % MOFF_LIMIT);
    if (base !== this.mainBase) {
      this.mainBase = base;
      this.op('addi', { rd: MAIN_BASE_REG, rs: 0, imm: base });
    }
    return { mreg: base === 0 ? 0 : MAIN_BASE_REG, moff: addr - base };
  }

  /** DMA main → local. `stride` is the main-memory byte distance between rows. */
  ld(mem: MemName, row: number, mainAddr: number, rows: number, elems: number, stride: number): void {
    if (rows > 1) this.cfg('DMA_STRIDE', stride);
    const { mreg, moff } = this.mainAddr(mainAddr);
    this.op('ld', { mem: MEM_CODES[mem], lreg: 0, loff: row, mreg, moff, rows, elems });
  }

  /** DMA local → main. */
  st(mainAddr: number, mem: MemName, row: number, rows: number, elems: number, stride: number): void {
    if (rows > 1) this.cfg('DMA_STRIDE', stride);
    const { mreg, moff } = this.mainAddr(mainAddr);
    this.op('st', { mem: MEM_CODES[mem], lreg: 0, loff: row, mreg, moff, rows, elems });
  }

  /** DMA duration in cycles (docs/microarch.md §3). */
  dmaCycles(mem: MemName, rows: number, elems: number): number {
    const size = mem === 'sp' ? 1 : 4;
    return rows * Math.ceil((elems * size) / this.config.dma.bytesPerCycle) + 3;
  }
}
