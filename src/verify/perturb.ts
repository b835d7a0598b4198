/**
 * A backend wrapper that injects one deliberate discrepancy. A comparator that has never been seen
 * to fail proves nothing; tests run lockstep against these to show each kind of difference is
 * caught at the right cycle and named by the right field.
 */
import type { ChipBackend, ChipStatus, PerfCounters, TraceRecord } from '../host/backend.js';
import type { MemName } from '../isa/table.js';
import type { MemoryName } from './compare.js';

export type Perturbation =
  /** Report the halt `cycles` cycles late (default 1): still running, cycle counter higher. */
  | { readonly kind: 'delay-halt'; readonly cycles?: number }
  /** Flip one bit of one element when the memory is read back (element index in the read array). */
  | { readonly kind: 'flip-memory-bit'; readonly mem: MemoryName; readonly index: number; readonly bit: number }
  /** XOR the trace busy flags with `mask` in one cycle. */
  | { readonly kind: 'busy-flag'; readonly cycle: number; readonly mask: number }
  /** Add `delta` to one performance counter from cycle `from` on (default 0). */
  | { readonly kind: 'counter'; readonly counter: keyof PerfCounters; readonly delta: number; readonly from?: number };

export class PerturbedBackend implements ChipBackend {
  readonly kind: string;
  /** Cycles the wrapper has pretended to run after the inner backend halted. */
  private lateCycles = 0;

  constructor(readonly inner: ChipBackend, readonly perturbation: Perturbation) {
    this.kind = `${inner.kind}~${perturbation.kind}`;
  }

  get config() {
    return this.inner.config;
  }

  private get delay(): number {
    return this.perturbation.kind === 'delay-halt' ? this.perturbation.cycles ?? 1 : 0;
  }

  /** True while the wrapper hides the inner backend's halt. */
  private hidingHalt(): boolean {
    return this.lateCycles < this.delay && this.inner.status().halted;
  }

  loadProgram(words: readonly bigint[]): void {
    this.inner.loadProgram(words);
  }

  writeMain(byteAddr: number, data: Uint8Array): void {
    this.inner.writeMain(byteAddr, data);
  }

  readMain(byteAddr: number, length: number): Uint8Array {
    return this.flip('main', this.inner.readMain(byteAddr, length), byteAddr);
  }

  writeLocal(mem: MemName, row: number, data: Int8Array | Int32Array): void {
    this.inner.writeLocal(mem, row, data);
  }

  readLocal(mem: MemName, row: number, rows: number): Int8Array | Int32Array {
    return this.flip(mem, this.inner.readLocal(mem, row, rows), row * this.config.derived.W);
  }

  private flip<T extends Uint8Array | Int8Array | Int32Array>(mem: MemoryName, data: T, base: number): T {
    const p = this.perturbation;
    if (p.kind !== 'flip-memory-bit' || p.mem !== mem) return data;
    const i = p.index - base;
    if (i < 0 || i >= data.length) return data;
    const copy = data.slice() as T;
    copy[i] = copy[i]! ^ (1 << p.bit);
    return copy;
  }

  start(): void {
    this.lateCycles = 0;
    this.inner.start();
  }

  step(): void {
    if (this.hidingHalt()) this.lateCycles++;
    else this.inner.step();
  }

  run(maxCycles: number): ChipStatus {
    this.inner.run(maxCycles);
    if (this.inner.status().halted) this.lateCycles = this.delay;
    return this.status();
  }

  status(): ChipStatus {
    const s = this.inner.status();
    const hiding = this.hidingHalt();
    const p = this.perturbation;
    let counters: PerfCounters = s.counters;
    if (p.kind === 'delay-halt') counters = { ...counters, cycles: counters.cycles + this.lateCycles };
    if (p.kind === 'counter' && this.inner.trace().cycle >= (p.from ?? 0)) counters = { ...counters, [p.counter]: counters[p.counter] + p.delta };
    return hiding ? { ...s, running: true, halted: false, counters } : { ...s, counters };
  }

  trace(): TraceRecord {
    const t = this.inner.trace();
    const p = this.perturbation;
    if (this.hidingHalt()) return { ...t, cycle: t.cycle + this.lateCycles, pc: -1, issue: 0, state: 1 };
    if (p.kind === 'busy-flag' && t.cycle === p.cycle) return { ...t, busy: t.busy ^ p.mask };
    if (p.kind === 'delay-halt') return { ...t, cycle: t.cycle + this.lateCycles };
    return t;
  }

  close(): void {
    this.inner.close();
  }
}
