/**
 * The architectural state an instruction's effect touches — scalar and configuration registers,
 * the RNG element counter, the PE banks and the memories — and the effects themselves, applied
 * whole at issue (docs/microarch.md §4). The controller (simulator.ts) decides when.
 */
import type { ChipConfig } from '../config/index.js';
import { CFG_REGS } from '../isa/table.js';
import { execLoad, execStore } from './exec-dma.js';
import { execRq, execSgd, execValu, type VpuParams } from './exec-vpu.js';
import { ChipMemories } from './memory.js';
import { PeArray } from './pe-array.js';
import { Op, type SimInstr } from './predecode.js';
import {
  CFG_CLAMP_HI, CFG_CLAMP_LO, CFG_LR_MUL, CFG_LR_SHIFT, CFG_LSTRIDE, CFG_QMUL, CFG_QSHIFT, CFG_ROUND, CFG_SEED,
  CFG_TSTRIDE, CFG_VSHIFT, type Prepared,
} from './prepare.js';

export class Datapath {
  /** Scalar registers r0..r15 (r0 is never written). */
  readonly regs = new Int32Array(16);
  /** Configuration registers, indexed by the table's CFG_REGS code. */
  readonly cfgRegs = new Int32Array(CFG_REGS.length);
  /** RNG element counter (32-bit, wraps). */
  rngCounter = 0;
  readonly memories: ChipMemories;
  readonly pe: PeArray;
  private readonly W: number;
  /** Re-used holder of the configuration a VPU instruction latches at issue. */
  private readonly vpuParams: { -readonly [K in keyof VpuParams]: VpuParams[K] } = { vshift: 0, clampLo: 0, clampHi: 0 };

  constructor(config: ChipConfig) {
    this.W = config.derived.W;
    this.memories = new ChipMemories(config);
    this.pe = new PeArray(config.array.rows, config.array.cols, this.W);
  }

  /** `start`: registers, configuration, RNG counter and PE banks to 0; memories keep their contents. */
  reset(): void {
    this.regs.fill(0);
    this.cfgRegs.fill(0);
    this.rngCounter = 0;
    this.pe.reset();
  }

  /**
   * Apply an issuing instruction's effect. Returns the branch target if a branch is taken, else −1.
   * Register writes land immediately; nothing reads them before the next cycle's decode.
   */
  execute(ins: SimInstr, p: Prepared): number {
    const f = ins.f;
    const regs = this.regs;
    const cfg = this.cfgRegs;
    const mem = this.memories;
    switch (ins.op) {
      case Op.ADDI:
        if (f.rd !== 0) regs[f.rd!] = (regs[f.rs!]! + f.imm!) | 0;
        return -1;
      case Op.ADD:
        if (f.rd !== 0) regs[f.rd!] = (regs[f.rs!]! + regs[f.rt!]!) | 0;
        return -1;
      case Op.SUB:
        if (f.rd !== 0) regs[f.rd!] = (regs[f.rs!]! - regs[f.rt!]!) | 0;
        return -1;
      case Op.BEQ:
        return regs[f.rs!] === regs[f.rt!] ? f.target! : -1;
      case Op.BNE:
        return regs[f.rs!] !== regs[f.rt!] ? f.target! : -1;
      case Op.BLT:
        return regs[f.rs!]! < regs[f.rt!]! ? f.target! : -1;
      case Op.BGE:
        return regs[f.rs!]! >= regs[f.rt!]! ? f.target! : -1;
      case Op.JMP:
        return f.target!;
      case Op.CFG:
        cfg[f.reg!] = p.value;
        if (f.reg === CFG_SEED) this.rngCounter = 0;
        return -1;
      case Op.LD:
        execLoad(mem, f.mem!, p.row0, f.rows!, f.elems!, p.mainBase, p.stride);
        return -1;
      case Op.ST:
        execStore(mem, f.mem!, p.row0, f.rows!, f.elems!, p.mainBase, p.stride);
        return -1;
      case Op.MM:
        this.pe.matmul(mem.sp, p.row0, p.row1, f.k!, f.bank!, f.acc === 1, f.tl === 1, f.tt === 1, cfg[CFG_LSTRIDE]!, cfg[CFG_TSTRIDE]!);
        return -1;
      case Op.DRAIN:
        this.pe.drain(f.mem === 1 ? mem.acc : mem.grad, p.row0, f.bank!, f.add === 1, f.t === 1);
        return -1;
      case Op.VALU: {
        const vp = this.vpuParams;
        vp.vshift = cfg[CFG_VSHIFT]!;
        vp.clampLo = cfg[CFG_CLAMP_LO]!;
        vp.clampHi = cfg[CFG_CLAMP_HI]!;
        execValu(mem, f.fn!, f.dmem!, p.row0, f.smem!, p.row1, f.count!, vp);
        return -1;
      }
      case Op.RQ:
        execRq(mem, p.row0, f.smem!, p.row1, f.count!, f.relu === 1, cfg[CFG_QMUL]!, cfg[CFG_QSHIFT]!, cfg[CFG_ROUND] === 1, cfg[CFG_SEED]!, this.rngCounter);
        this.advanceRng(f.count!);
        return -1;
      case Op.SGD:
        execSgd(mem, p.row0, p.row1, f.count!, f.clear === 1, cfg[CFG_LR_MUL]!, cfg[CFG_LR_SHIFT]!, cfg[CFG_ROUND] === 1, cfg[CFG_SEED]!, this.rngCounter);
        this.advanceRng(f.count!);
        return -1;
      default:
        // nop, halt, fence: no data effect.
        return -1;
    }
  }

  private advanceRng(count: number): void {
    this.rngCounter = (this.rngCounter + count * this.W) >>> 0;
  }
}
