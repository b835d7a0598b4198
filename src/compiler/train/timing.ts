import type { ChipConfig } from '../../config/index.js';
import type { Op, Unit } from './ops.js';
import { regionSets } from './ops.js';

/**
 * A data-free model of the controller's issue rules (docs/microarch.md §2–4) for straight-line
 * code: in-order issue, one instruction every L cycles at most (L = controller.stages), unit busy
 * counters, PE-bank flush counters and lock-region conflicts. The scheduler asks it when an
 * instruction would issue; the compiler also uses it to predict cycles per step.
 */

const UNIT_INDEX: Readonly<Record<Exclude<Unit, 'ctrl'>, number>> = { dma: 0, mxu: 1, drn: 2, vpu: 3 };

export class IssueModel {
  /** Cycle in which the next instruction is in decode (the first: cycle L). */
  avail: number;
  /** Sum of mm K: cycles the array steps. */
  mxuCycles = 0;
  /** Issue cycle of the last instruction. */
  last = 0;
  private readonly issued = [-Infinity, -Infinity, -Infinity, -Infinity];
  private readonly dur = [0, 0, 0, 0];
  private readonly reads = [0, 0, 0, 0];
  private readonly writes = [0, 0, 0, 0];
  private readonly bankReady = [0, 0];
  private readonly flush: number;
  /** Front-end stages L: an issue in cycle c makes the next instruction available in c + L. */
  private readonly stages: number;

  constructor(
    private readonly cfg: ChipConfig,
    /** Rows of the current and next batch buffers (for the lock regions of `spc`/`spn`). */
    private readonly cur = 0,
    private readonly next = 0,
  ) {
    this.flush = cfg.derived.flushCycles;
    this.stages = cfg.controller.stages;
    this.avail = this.stages;
  }

  /** Cycle in which `op` would issue if it were the next instruction after `extra` scalar ones. */
  predict(op: Op, extra = 0): number {
    let x = this.avail + extra * this.stages;
    if (op.unit === 'ctrl') return x;
    const u = UNIT_INDEX[op.unit];
    // The unit takes a new instruction once its counter is ≤ 1: D cycles after the last issue.
    x = Math.max(x, this.issued[u]! + this.dur[u]!);
    if (op.unit === 'drn') x = Math.max(x, this.bankReady[op.bank!]!);
    const { reads, writes } = regionSets(this.cfg, op, this.cur, this.next);
    for (let v = 0; v < 4; v++) {
      if ((writes & (this.reads[v]! | this.writes[v]!)) !== 0 || (reads & this.writes[v]!) !== 0) {
        // Conflicts hold while that unit's counter is ≥ 2, i.e. until D cycles after its issue.
        x = Math.max(x, this.issued[v]! + this.dur[v]!);
      }
    }
    return x;
  }

  /** Issue `op` (after `extra` scalar instructions) and return its issue cycle. */
  issue(op: Op, extra = 0): number {
    const x = this.predict(op, extra);
    if (op.unit !== 'ctrl') {
      const u = UNIT_INDEX[op.unit];
      const { reads, writes } = regionSets(this.cfg, op, this.cur, this.next);
      this.issued[u] = x;
      this.dur[u] = op.dur;
      this.reads[u] = reads;
      this.writes[u] = writes;
      if (op.unit === 'mxu') {
        this.bankReady[op.bank!] = Math.max(this.bankReady[op.bank!]!, x + op.k! + this.flush);
        this.mxuCycles += op.k!;
      }
    }
    this.last = x;
    this.avail = x + this.stages;
    return x;
  }

  /** Cycle by which every unit has finished (what `halt` waits for). */
  drainedAt(): number {
    let x = this.avail;
    for (let v = 0; v < 4; v++) x = Math.max(x, this.issued[v]! + this.dur[v]!);
    return x;
  }
}
