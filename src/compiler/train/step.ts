import type { CfgReg } from '../../isa/table.js';
import type { QuantScheme } from './scales.js';
import type { ProgramKind, TrainPlan } from './plan.js';
import { OpFactory, REG, at, offset, type Loc, type Op } from './ops.js';

/**
 * The canonical (semantic) instruction sequence of one training step or one inference batch: the
 * order that defines what is computed. The scheduler (schedule.ts) then overlaps it.
 *
 * Mappings of the three GEMMs of layer l (A: input B×K, Wt: K×N, G: output gradient B×N):
 * - forward Y = A·Wt: i = sample, j = output, A the transposed left operand (LSTRIDE = Bp);
 * - input gradient dA = G·Wtᵀ: i = sample, j = input; both operands transposed (TSTRIDE = Np);
 * - weight gradient dWt = Aᵀ·G: the reduction runs over samples, so no transposes at all; i = input,
 *   j = output when R ≤ C, else i = output, j = input and the drain transposes (t=1), so that the
 *   gradient rows always match the weight rows for `sgd`.
 * When g < W (non-square arrays) a transposed operand is read one g-lane block per mm (acc=1).
 */

const VPU_MAX = 4096;
const DMA_ROWS_MAX = 256;

export class StepEmitter {
  readonly f: OpFactory;
  readonly ops: Op[] = [];
  private bank = 0;
  private slot = 0;

  constructor(
    readonly plan: TrainPlan,
    readonly scheme: QuantScheme,
    readonly kind: ProgramKind,
  ) {
    this.f = new OpFactory(plan.config);
  }

  private nextBank(): number {
    const b = this.bank;
    this.bank ^= 1;
    return b;
  }

  private buf(off: number, space: 'spc' | 'spn' = 'spc'): Loc {
    return at(space, off);
  }

  /** Input activation of layer l in the current buffer. */
  private act(l: number): Loc {
    const b = this.plan.sp.buffer;
    return this.buf(l === 0 ? b.x : b.acts[l]!);
  }

  /** Gradient with respect to layer l's output. */
  private gradOf(l: number): Loc {
    const b = this.plan.sp.buffer;
    return this.buf(l === this.plan.spec.layers.length - 1 ? b.e : b.grads[l]!);
  }

  private vpu(make: (d: Loc, s: Loc, n: number) => Op, dst: Loc, src: Loc, count: number): void {
    // Splitting a vector op in row order leaves every element's RNG index unchanged.
    for (let r = 0; r < count; r += VPU_MAX) this.ops.push(make(offset(dst, r), offset(src, r), Math.min(VPU_MAX, count - r)));
  }

  private loadRows(local: Loc, mreg: number, moff: number, rows: number, elems: number, stride: number): void {
    for (let r = 0; r < rows; r += DMA_ROWS_MAX) {
      this.ops.push(this.f.ld(offset(local, r), mreg, moff + r * stride, Math.min(DMA_ROWS_MAX, rows - r), elems, stride));
    }
  }

  private storeRows(mreg: number, moff: number, local: Loc, rows: number, elems: number, stride: number): void {
    for (let r = 0; r < rows; r += DMA_ROWS_MAX) {
      this.ops.push(this.f.st(mreg, moff + r * stride, offset(local, r), Math.min(DMA_ROWS_MAX, rows - r), elems, stride));
    }
  }

  /** Loads of the next batch (inputs and, when training, targets) into `space`. */
  prefetch(space: 'spc' | 'spn'): void {
    const { geo, spec } = this.plan;
    const b = this.plan.sp.buffer;
    const N0 = spec.sizes[0]!;
    for (let kb = 0; kb < geo.inBlocks[0]!; kb++) {
      this.loadRows(at(space, b.x + kb * geo.Bp), REG.xMain, kb * geo.g, geo.batch, Math.min(geo.g, N0 - kb * geo.g), N0);
    }
    if (this.kind === 'train') {
      const cls = spec.sizes[spec.layers.length]!;
      for (let ob = 0; ob * geo.g < cls; ob++) {
        this.loadRows(at(space, b.t + ob * geo.Bp), REG.tMain, ob * geo.g, geo.batch, Math.min(geo.g, cls - ob * geo.g), cls);
      }
    }
  }

  /** Forward pass of layer l: tiles, drains into acc, requantization (per output block). */
  forward(l: number): void {
    const { geo, spec } = this.plan;
    const L = spec.layers[l]!;
    const A = this.act(l);
    const Wt = at('sp', this.plan.sp.weights[l]!);
    const Y = at('acc', this.plan.acc.y[l]!);
    const last = l === spec.layers.length - 1;
    const dst = last ? this.buf(this.plan.sp.buffer.z) : this.act(l + 1);
    const fm = this.scheme.fwd[l]!;
    const cfg: Partial<Record<CfgReg, number>> = { QMUL: fm.mul, QSHIFT: fm.shift, ROUND: 0 };
    for (let ob = 0; ob < geo.outBlocks[l]!; ob++) {
      for (let b0 = 0; b0 < geo.Bp; b0 += geo.R) {
        const bank = this.nextBank();
        if (geo.g === geo.W) {
          this.ops.push(this.f.mm(offset(A, b0), offset(Wt, ob * geo.Np[l]!), L.inputs, { bank, acc: false, tl: true, tt: false, lstride: geo.Bp }));
        } else {
          for (let kb = 0; kb < geo.inBlocks[l]!; kb++) {
            const k = Math.min(geo.g, L.inputs - kb * geo.g);
            this.ops.push(this.f.mm(offset(A, kb * geo.Bp + b0), offset(Wt, ob * geo.Np[l]! + kb * geo.g), k, { bank, acc: kb > 0, tl: true, tt: false }));
          }
        }
        this.ops.push(this.f.drain(offset(Y, ob * geo.Bp + b0), { bank, add: false, t: false }));
      }
      this.vpu((d, s, n) => this.f.rq(d, s, n, L.relu, cfg), offset(dst, ob * geo.Bp), offset(Y, ob * geo.Bp), geo.Bp);
    }
  }

  /** Loss gradient e = sat8(z − t) (MSE on one-hot targets) and the logit log to main memory. */
  loss(): void {
    const { geo, spec } = this.plan;
    const b = this.plan.sp.buffer;
    const cls = spec.sizes[spec.layers.length]!;
    const rows = Math.ceil(cls / geo.g) * geo.Bp;
    this.logLogits();
    this.vpu((d, s, n) => this.f.valu('mov', d, s, n), this.buf(b.e), this.buf(b.z), rows);
    this.vpu((d, s, n) => this.f.valu('sub', d, s, n), this.buf(b.e), this.buf(b.t), rows);
  }

  /** Store this batch's logits (batch × classes int8) at the log address. */
  logLogits(): void {
    const { geo, spec } = this.plan;
    const cls = spec.sizes[spec.layers.length]!;
    for (let ob = 0; ob * geo.g < cls; ob++) {
      this.storeRows(REG.zMain, ob * geo.g, this.buf(this.plan.sp.buffer.z + ob * geo.Bp), geo.batch, Math.min(geo.g, cls - ob * geo.g), cls);
    }
  }

  /** Backward pass of layer l: input gradient (l > 0), weight gradient and SGD. */
  backward(l: number): void {
    const { geo, spec } = this.plan;
    const L = spec.layers[l]!;
    const G = this.gradOf(l);
    const A = this.act(l);
    const Wt = at('sp', this.plan.sp.weights[l]!);
    const Np = geo.Np[l]!;
    if (l > 0) {
      const dA = at('acc', this.plan.acc.dA[l]!);
      const bm = this.scheme.bwd[l]!;
      const cfg: Partial<Record<CfgReg, number>> = { QMUL: bm.mul, QSHIFT: bm.shift, ROUND: this.scheme.gradRound === 'stochastic' ? 1 : 0 };
      const Gprev = this.gradOf(l - 1);
      for (let nb = 0; nb < geo.inBlocks[l]!; nb++) {
        for (let b0 = 0; b0 < geo.Bp; b0 += geo.R) {
          const bank = this.nextBank();
          if (geo.g === geo.W) {
            this.ops.push(this.f.mm(offset(G, b0), offset(Wt, nb * geo.g), L.outputs, { bank, acc: false, tl: true, tt: true, lstride: geo.Bp, tstride: Np }));
          } else {
            for (let ob = 0; ob < geo.outBlocks[l]!; ob++) {
              const k = Math.min(geo.g, L.outputs - ob * geo.g);
              this.ops.push(this.f.mm(offset(G, ob * geo.Bp + b0), offset(Wt, ob * Np + nb * geo.g), k, { bank, acc: ob > 0, tl: true, tt: true }));
            }
          }
          this.ops.push(this.f.drain(offset(dA, nb * geo.Bp + b0), { bank, add: false, t: false }));
        }
        const rows = offset(dA, nb * geo.Bp);
        this.vpu((d, s, n) => this.f.valu('relubwd', d, s, n), rows, offset(A, nb * geo.Bp), geo.Bp);
        this.vpu((d, s, n) => this.f.rq(d, s, n, false, cfg), offset(Gprev, nb * geo.Bp), rows, geo.Bp);
      }
    }
    const lm = this.scheme.lr[l]!;
    const sgdCfg: Partial<Record<CfgReg, number>> = { LR_MUL: lm.mul, LR_SHIFT: lm.shift, ROUND: this.scheme.sgdRound === 'stochastic' ? 1 : 0 };
    const slots = this.plan.grad.slots;
    const wide = geo.R > geo.C;
    for (let ob = 0; ob < geo.outBlocks[l]!; ob++) {
      const slot = at('grad', slots[this.slot++ % slots.length]!);
      for (let nb = 0; nb < geo.inBlocks[l]!; nb++) {
        const bank = this.nextBank();
        const a = offset(A, nb * geo.Bp);
        const gg = offset(G, ob * geo.Bp);
        this.ops.push(wide
          ? this.f.mm(gg, a, geo.batch, { bank, acc: false, tl: false, tt: false })
          : this.f.mm(a, gg, geo.batch, { bank, acc: false, tl: false, tt: false }));
        this.ops.push(this.f.drain(offset(slot, nb * geo.g), { bank, add: false, t: wide }));
      }
      this.vpu((d, s, n) => this.f.sgd(d, s, n, sgdCfg), offset(Wt, ob * Np), slot, Np);
    }
  }

  /** The whole step: prefetch, forward, loss, backward (last layer first). */
  trainStep(): Op[] {
    const L = this.plan.spec.layers.length;
    const dbl = this.plan.sp.doubleBuffered;
    if (dbl) this.prefetch('spn');
    for (let l = 0; l < L; l++) this.forward(l);
    this.loss();
    for (let l = L - 1; l >= 0; l--) this.backward(l);
    // With one buffer the next batch may only land after the last read of this one.
    if (!dbl) this.prefetch('spc');
    return this.ops;
  }

  /** One inference batch: prefetch, forward, store the logits. */
  inferBatch(): Op[] {
    const L = this.plan.spec.layers.length;
    const dbl = this.plan.sp.doubleBuffered;
    if (dbl) this.prefetch('spn');
    for (let l = 0; l < L; l++) this.forward(l);
    this.logLogits();
    if (!dbl) this.prefetch('spc');
    return this.ops;
  }
}
