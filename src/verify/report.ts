/**
 * Text form of a mismatch: the first differing cycle and field with both sides' values, the trace
 * records leading up to it side by side, the memory location, and the program — disassembled when
 * src/isa/disassembler.ts (or a caller-supplied function), each line with its hex word.
 */
import type { TraceRecord } from '../host/backend.js';
import { wordToHex } from '../isa/encoding.js';
import { disassembleWord } from '../isa/disassembler.js';
import type { Mismatch, MemLocation, FieldValue } from './compare.js';

/** Turns one word into assembly text (src/isa/disassembler.ts when available). */
export type Disassemble = (word: bigint, pc: number) => string;

export interface ReportContext {
  /** Program words (printed with the report). */
  readonly words?: readonly bigint[];
  readonly disassemble?: Disassemble;
  /** How to reproduce, e.g. "seed 7, program #12 (legal: 40 words …)". */
  readonly title?: string;
  /** Program lines printed around the mismatching PC when the program is long (default 12). */
  readonly context?: number;
}

/** Default disassembly: the project's disassembler, plus decode()'s reason for illegal words. */
export function describeWord(word: bigint): string {
  const d = disassembleWord(word);
  return d.illegal ? `${d.text}  ; illegal: ${d.illegal}` : d.text;
}

function fmtValue(field: string, v: FieldValue): string {
  if (typeof v !== 'number') return String(v);
  if (field === 'trace.busy') return `${v} (0b${v.toString(2).padStart(4, '0')}: ${busyNames(v)})`;
  if (field === 'trace.state') return `${v} (${['idle', 'running', 'fault-draining', 'halted'][v] ?? '?'})`;
  return String(v);
}

function busyNames(v: number): string {
  const n = ['DMA', 'MXU', 'DRN', 'VPU'].filter((_, i) => (v >> i) & 1);
  return n.length ? n.join('+') : 'none';
}

function fmtLocation(l: MemLocation): string {
  return l.mem === 'main' ? `main byte 0x${(l.addr ?? 0).toString(16)} (${l.addr})` : `${l.mem} row ${l.row} lane ${l.lane}`;
}

function fmtTrace(t: TraceRecord | undefined): string {
  if (!t) return ''.padEnd(26);
  return `pc ${String(t.pc).padStart(5)} iss ${t.issue} busy ${t.busy.toString(2).padStart(4, '0')} st ${t.state}`;
}

/** The program listing; long programs show the start, the region around `focusPc` and the end. */
function listing(words: readonly bigint[], dis: Disassemble, focusPc: number | undefined, context: number): string[] {
  const shown = (pc: number): boolean =>
    words.length <= 4 * context || pc < context || pc >= words.length - 4 ||
    (focusPc !== undefined && Math.abs(pc - focusPc) <= context);
  const lines: string[] = [];
  for (let pc = 0; pc < words.length; ) {
    if (!shown(pc)) {
      let end = pc;
      while (end < words.length && !shown(end)) end++;
      lines.push(`        … ${end - pc} words not shown …`);
      pc = end;
      continue;
    }
    lines.push(`${pc === focusPc ? '>' : ' '}${String(pc).padStart(5)}: ${wordToHex(words[pc]!)}  ${dis(words[pc]!, pc)}`);
    // Collapse runs of identical words (the nop padding before a fall-off tail).
    let run = 1;
    while (pc + run < words.length && words[pc + run] === words[pc] && pc + run !== focusPc && shown(pc + run)) run++;
    if (run >= 4) {
      lines.push(`        … ${run - 1} more of the same …`);
      pc += run;
    } else pc++;
  }
  return lines;
}

/** Format a mismatch for people: several lines, no trailing newline. */
export function formatMismatch(m: Mismatch, ctx: ReportContext = {}): string {
  const [na, nb] = m.backends;
  const out: string[] = [];
  const where = m.kind === 'memory' || (m.kind === 'status' && m.historyA.length === 0) ? `after halt (cycle ${m.cycle})` : `at cycle ${m.cycle}`;
  out.push(`MISMATCH ${where}: ${m.field}`);
  if (ctx.title) out.push(`  program: ${ctx.title}`);
  if (m.location) out.push(`  location: ${fmtLocation(m.location)}`);
  const w = Math.max(na.length, nb.length);
  out.push(`  ${na.padEnd(w)} = ${fmtValue(m.field, m.a)}`);
  out.push(`  ${nb.padEnd(w)} = ${fmtValue(m.field, m.b)}`);
  const n = Math.max(m.historyA.length, m.historyB.length);
  if (n > 0) {
    out.push(`  last trace records (${na} | ${nb}):`);
    for (let i = 0; i < n; i++) {
      const ta = m.historyA[m.historyA.length - n + i];
      const tb = m.historyB[m.historyB.length - n + i];
      const cyc = ta?.cycle ?? tb?.cycle ?? 0;
      const differs = JSON.stringify(ta) !== JSON.stringify(tb);
      out.push(`    ${String(cyc).padStart(6)}  ${fmtTrace(ta)} | ${fmtTrace(tb)}${differs ? '  <<' : ''}`);
    }
  }
  if (ctx.words && ctx.words.length > 0) {
    const last = m.historyA[m.historyA.length - 1];
    const focus = last && last.pc >= 0 ? last.pc : undefined;
    out.push(`  program (${ctx.words.length} words):`);
    for (const l of listing(ctx.words, ctx.disassemble ?? ((wd) => describeWord(wd)), focus, ctx.context ?? 12)) out.push(`  ${l}`);
  }
  return out.join('\n');
}
