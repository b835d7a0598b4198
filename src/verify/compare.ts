/**
 * Field-by-field comparison of two backends' observable state: trace records, status and counters,
 * and memories. Every difference is described by the same Mismatch record, which the report
 * formatter turns into text.
 */
import type { ChipStatus, TraceRecord } from '../host/backend.js';
import type { MemName } from '../isa/table.js';

export type MemoryName = 'main' | MemName;

/** Where in a memory the first difference is. */
export interface MemLocation {
  readonly mem: MemoryName;
  /** Main: byte address. */
  readonly addr?: number;
  /** Local memories: row and lane. */
  readonly row?: number;
  readonly lane?: number;
}

export type MismatchKind = 'trace' | 'status' | 'memory' | 'exception';

export type FieldValue = number | boolean | string;

export interface Mismatch {
  readonly kind: MismatchKind;
  /** First differing cycle (the trace/status cycle; for final-state differences, the halt cycle). */
  readonly cycle: number;
  /** Dotted field name: `trace.busy`, `status.counters.stalls`, `memory.acc`, `exception`, … */
  readonly field: string;
  readonly a: FieldValue;
  readonly b: FieldValue;
  readonly location?: MemLocation;
  /** Backend kinds, e.g. ['sim', 'rtl']. */
  readonly backends: readonly [string, string];
  /** The last few trace records before (and including) the differing cycle, oldest first. */
  readonly historyA: readonly TraceRecord[];
  readonly historyB: readonly TraceRecord[];
}

/** The fields compared, in report order. */
const TRACE_FIELDS = ['cycle', 'pc', 'issue', 'busy', 'state'] as const;
const STATUS_FIELDS = ['running', 'halted', 'error', 'pc'] as const;
const COUNTER_FIELDS = ['cycles', 'macs', 'dmaBusy', 'stalls', 'retired'] as const;

export interface FieldDiff {
  readonly field: string;
  readonly a: FieldValue;
  readonly b: FieldValue;
}

/** First differing trace field, ignoring the names in `ignore` (e.g. `trace.state`). */
export function diffTrace(a: TraceRecord, b: TraceRecord, ignore: ReadonlySet<string>): FieldDiff | undefined {
  for (const f of TRACE_FIELDS) {
    const field = `trace.${f}`;
    if (!ignore.has(field) && a[f] !== b[f]) return { field, a: a[f], b: b[f] };
  }
  return undefined;
}

/** First differing status field or counter. */
export function diffStatus(a: ChipStatus, b: ChipStatus, ignore: ReadonlySet<string>): FieldDiff | undefined {
  for (const f of STATUS_FIELDS) {
    const field = `status.${f}`;
    if (!ignore.has(field) && a[f] !== b[f]) return { field, a: a[f], b: b[f] };
  }
  for (const f of COUNTER_FIELDS) {
    const field = `status.counters.${f}`;
    if (!ignore.has(field) && a.counters[f] !== b.counters[f]) return { field, a: a.counters[f], b: b.counters[f] };
  }
  return undefined;
}

/** First differing element of two memory images of the same memory. */
export function diffMemory(
  mem: MemoryName,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  W: number,
  base = 0,
): { location: MemLocation; a: number; b: number } | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      const location: MemLocation = mem === 'main'
        ? { mem, addr: base + i }
        : { mem, row: base + Math.floor(i / W), lane: i % W };
      return { location, a: a[i]!, b: b[i]! };
    }
  }
  if (a.length !== b.length) {
    const i = n;
    const location: MemLocation = mem === 'main' ? { mem, addr: base + i } : { mem, row: base + Math.floor(i / W), lane: i % W };
    return { location, a: a.length > i ? a[i]! : NaN, b: b.length > i ? b[i]! : NaN };
  }
  return undefined;
}

/** A bounded history of trace records (a ring buffer, oldest first on read). */
export class TraceHistory {
  private readonly buf: TraceRecord[] = [];
  constructor(private readonly size: number) {}

  push(t: TraceRecord): void {
    this.buf.push(t);
    if (this.buf.length > this.size) this.buf.shift();
  }

  records(): TraceRecord[] {
    return [...this.buf];
  }
}
