/**
 * VCD waveforms of the per-cycle trace and counters. Signal names are the RTL top's debug ports
 * (docs/microarch.md §7), so a simulator waveform and a Verilator waveform of the same run line up
 * in a viewer. Output is deterministic: no $date, stable identifiers, one fixed timescale. Nothing
 * here touches the file system; the caller writes the string.
 */
import type { ChipBackend, PerfCounters, TraceRecord } from '../host/backend.js';

export interface VcdOptions {
  /** Scope (module) name the signals are declared in. Default `accelgen_top`. */
  readonly scope?: string;
  /** Width of dbg_pc in bits, 1..32. Default 32. */
  readonly pcWidth?: number;
  /** Clock period in ns (the VCD timescale is 1 ns). Default 10. */
  readonly periodNs?: number;
}

interface Signal {
  readonly name: string;
  readonly width: number;
  readonly id: string;
  last: string | null;
}

/** Counter signals, named like the STATUS CSRs (64-bit). */
const COUNTERS: ReadonlyArray<readonly [string, keyof PerfCounters]> = [
  ['perf_cycles', 'cycles'],
  ['perf_macs', 'macs'],
  ['perf_dma_busy', 'dmaBusy'],
  ['perf_stalls', 'stalls'],
  ['perf_retired', 'retired'],
];

/** VCD identifier codes: printable ASCII from '!' in base 94. */
function idCode(i: number): string {
  let s = '';
  let n = i;
  do {
    s += String.fromCharCode(33 + (n % 94));
    n = Math.floor(n / 94);
  } while (n > 0);
  return s;
}

function bits(value: number, width: number): string {
  // BigInt keeps 64-bit counters exact beyond 2^32.
  return BigInt.asUintN(width, BigInt(value)).toString(2);
}

/**
 * Records one sample per clock cycle and renders a VCD text. Each sample is the state at the start
 * of the cycle (the trace record and the counters before the cycle's own increments), shown at the
 * clock's rising edge; the falling edge is at half a period.
 */
export class VcdWriter {
  private readonly clk: Signal;
  private readonly pc: Signal;
  private readonly pcValid: Signal;
  private readonly issue: Signal;
  private readonly busy: Signal;
  private readonly state: Signal;
  private readonly counters: Signal[];
  private readonly signals: Signal[] = [];
  private readonly body: string[] = [];
  private readonly period: number;
  private readonly pcWidth: number;
  private readonly scope: string;
  private samples = 0;

  constructor(options: VcdOptions = {}) {
    this.scope = options.scope ?? 'accelgen_top';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(this.scope)) throw new RangeError(`VcdWriter: scope must be an identifier, not ${JSON.stringify(this.scope)}`);
    this.pcWidth = options.pcWidth ?? 32;
    if (!Number.isInteger(this.pcWidth) || this.pcWidth < 1 || this.pcWidth > 32) throw new RangeError(`VcdWriter: pcWidth must be in 1..32, not ${this.pcWidth}`);
    this.period = options.periodNs ?? 10;
    if (!Number.isInteger(this.period) || this.period < 2 || this.period % 2 !== 0) throw new RangeError(`VcdWriter: periodNs must be an even integer ≥ 2, not ${this.period}`);
    const sig = (name: string, width: number): Signal => {
      const s: Signal = { name, width, id: idCode(this.signals.length), last: null };
      this.signals.push(s);
      return s;
    };
    this.clk = sig('clk', 1);
    this.pc = sig('dbg_pc', this.pcWidth);
    this.pcValid = sig('dbg_pc_valid', 1);
    this.issue = sig('dbg_issue', 1);
    this.busy = sig('dbg_busy', 4);
    this.state = sig('dbg_state', 2);
    this.counters = COUNTERS.map(([name]) => sig(name, 64));
  }

  /** Number of cycles recorded. */
  get cycles(): number {
    return this.samples;
  }

  private change(s: Signal, value: number): void {
    const v = s.width === 1 ? String(value & 1) : bits(value, s.width);
    if (v === s.last) return;
    s.last = v;
    this.body.push(s.width === 1 ? `${v}${s.id}` : `b${v} ${s.id}`);
  }

  /** Record one cycle: its trace record and the counters at its start. */
  sample(rec: TraceRecord, counters: PerfCounters): void {
    const t = this.samples * this.period;
    this.body.push(`#${t}`);
    this.change(this.clk, 1);
    const valid = rec.pc >= 0;
    this.change(this.pc, valid ? rec.pc : 0);
    this.change(this.pcValid, valid ? 1 : 0);
    this.change(this.issue, rec.issue);
    this.change(this.busy, rec.busy);
    this.change(this.state, rec.state);
    COUNTERS.forEach(([, key], i) => this.change(this.counters[i]!, counters[key]));
    this.body.push(`#${t + this.period / 2}`);
    this.change(this.clk, 0);
    this.samples++;
  }

  /** The VCD text so far (header, initial values and all recorded cycles). */
  toString(): string {
    const head = [
      '$version accelgen sim $end',
      '$timescale 1ns $end',
      `$scope module ${this.scope} $end`,
      ...this.signals.map((s) => `$var wire ${s.width} ${s.id} ${s.name}${s.width > 1 ? ` [${s.width - 1}:0]` : ''} $end`),
      '$upscope $end',
      '$enddefinitions $end',
    ];
    return `${head.join('\n')}\n${this.body.join('\n')}\n#${this.samples * this.period}\n`;
  }
}

/**
 * Step a started backend one cycle at a time (up to `maxCycles` cycles, or until it stops running)
 * and return the VCD of those cycles plus the first stopped cycle. Works with any ChipBackend.
 */
export function runWithVcd(backend: ChipBackend, maxCycles: number, options: VcdOptions = {}): string {
  if (!Number.isInteger(maxCycles) || maxCycles < 0) throw new RangeError(`runWithVcd: maxCycles must be an integer ≥ 0, not ${maxCycles}`);
  const w = new VcdWriter(options);
  for (let i = 0; i < maxCycles && backend.status().running; i++) {
    w.sample(backend.trace(), backend.status().counters);
    backend.step();
  }
  w.sample(backend.trace(), backend.status().counters);
  return w.toString();
}
