import type { CfgReg } from '../../isa/table.js';
import { dependent, type Op } from './ops.js';
import type { IssueModel } from './timing.js';

/**
 * List scheduling for an in-order machine. The input is a *canonical* sequence whose order defines
 * the semantics. matmuls keep their order; drains, vector-unit and DMA instructions wait in one
 * FIFO per unit and are slipped in where the timing model says they issue without stalling the
 * matmul stream — an instruction that waits in decode blocks everything behind it, so placement is
 * what overlaps DMA, drains and vector work with the array. An instruction is never moved past one
 * it depends on (same rows or bank, one of them writing), so the result computes exactly what the
 * canonical order computes. FIFO order per unit also keeps the RNG counter's order of rq/sgd.
 */

/** Tracks configuration-register values in program order so redundant `cfg`s are not emitted. */
export class CfgState {
  private readonly known = new Map<CfgReg, number>();

  /** The cfg writes needed before `op`. */
  needed(op: Op): [CfgReg, number][] {
    return (Object.entries(op.cfg) as [CfgReg, number][]).filter(([r, v]) => this.known.get(r) !== v);
  }

  set(reg: CfgReg, value: number): void {
    this.known.set(reg, value);
  }

  /** After a label the values are unknown (several paths reach it). */
  forget(): void {
    this.known.clear();
  }
}

/** Output sink: the scheduler hands it each instruction (after its cfg writes) in final order. */
export interface Emitter {
  emitCfg(reg: CfgReg, value: number): void;
  emit(op: Op): void;
}

export function schedule(ops: readonly Op[], model: IssueModel, cfgState: CfgState, out: Emitter): void {
  const n = ops.length;
  // deps[j]: earlier ops j must follow.
  const deps: number[][] = ops.map(() => []);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) if (dependent(ops[i]!, ops[j]!)) deps[j]!.push(i);
  }
  const done = new Uint8Array(n);
  const queues = new Map<string, number[]>([['drn', []], ['vpu', []], ['dma', []]]);
  const queueOf = (i: number): number[] => queues.get(ops[i]!.unit)!;

  const emit = (i: number): void => {
    const op = ops[i]!;
    const need = cfgState.needed(op);
    for (const [r, v] of need) {
      out.emitCfg(r, v);
      cfgState.set(r, v);
      model.issue({ unit: 'ctrl', mnemonic: 'cfg', fields: {}, cfg: {}, dur: 0, spans: [] });
    }
    model.issue(op);
    out.emit(op);
    done[i] = 1;
  };
  const ready = (i: number): boolean => deps[i]!.every((d) => done[d] === 1);
  const predict = (i: number): number => model.predict(ops[i]!, cfgState.needed(ops[i]!).length);

  const force = (i: number): void => {
    if (done[i]) return;
    for (const d of deps[i]!) force(d);
    const q = queueOf(i);
    while (q[0] !== i) force(q[0]!);
    q.shift();
    emit(i);
  };

  // Slip queued instructions in while they would issue before the next matmul would.
  const opportunistic = (nextMain: number | undefined): void => {
    for (let progress = true; progress;) {
      progress = false;
      for (const q of queues.values()) {
        const h = q[0];
        if (h === undefined || !ready(h)) continue;
        const x = predict(h);
        const y = nextMain === undefined ? Infinity : predict(nextMain);
        if (x <= model.avail || x < y) {
          q.shift();
          emit(h);
          progress = true;
        }
      }
    }
  };

  const mains = ops.map((o, i) => (o.unit === 'mxu' ? i : -1)).filter((i) => i >= 0);
  let mi = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    if (op.unit === 'mxu') {
      for (const d of deps[i]!) force(d);
      opportunistic(i);
      emit(i);
      mi++;
      opportunistic(mains[mi]);
    } else if (op.unit === 'ctrl') {
      throw new Error('internal: controller instructions are not scheduled');
    } else {
      queueOf(i).push(i);
      opportunistic(mains[mi]);
    }
  }
  // Flush: always take the earliest-issuing ready head (the oldest op is always ready).
  for (;;) {
    let best = -1;
    let bx = Infinity;
    for (const q of queues.values()) {
      const h = q[0];
      if (h === undefined || !ready(h)) continue;
      const x = predict(h);
      if (x < bx || (x === bx && h < best)) {
        bx = x;
        best = h;
      }
    }
    if (best < 0) break;
    queueOf(best).shift();
    emit(best);
  }
}
