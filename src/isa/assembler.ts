/**
 * The assembler: source text → 64-bit instruction words, driven entirely by the ISA table.
 * Two passes: the first parses every line and places labels (every instruction is one word, so
 * addresses are known before any expression is evaluated); the second evaluates operands and encodes.
 * User errors are collected as diagnostics, never thrown. Syntax: docs/assembly.md.
 */
import type { ChipConfig } from '../config/index.js';
import { encode } from './encoding.js';
import { ISA_BY_MNEMONIC, type InstrSpec } from './table.js';
import { QuietFail, SyntaxFail, evalExpr, type Expr } from './expr.js';
import { parseLine, type Operand } from './asm-parse.js';
import { matchOperands, type Matched } from './asm-operands.js';
import { ALL_MNEMONICS, PREDEFINED, PSEUDOS, instrSyntaxText, isRegisterName } from './syntax.js';
import { didYouMean, type Diagnostic } from './diagnostic.js';

export interface AsmOptions {
  /** When given, also check limits of this config (vector width, memory sizes, imemWords). */
  readonly config?: ChipConfig;
}

/** One emitted word and where it came from. */
export interface ListingEntry {
  readonly addr: number;
  readonly word: bigint;
  /** 1-based source line. */
  readonly line: number;
  /** The source line, trimmed. */
  readonly source: string;
}

export type AsmResult =
  | {
    readonly ok: true;
    readonly words: bigint[];
    readonly listing: readonly ListingEntry[];
    /** Label → instruction address. */
    readonly labels: Map<string, number>;
    /** Named constants (.equ / NAME = …) → value. */
    readonly constants: Map<string, bigint>;
  }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

interface SymbolDef { readonly line: number; readonly col: number }
interface ConstDef extends SymbolDef { readonly expr: Expr }
type ConstState = { state: 'pending' | 'evaluating' } | { state: 'done'; value: bigint } | { state: 'failed' };

interface InstrLine {
  readonly addr: number;
  readonly line: number;
  readonly col: number;
  readonly source: string;
  readonly mnemonic?: string;
  readonly operands: readonly Operand[];
  /** `.word expr`. */
  readonly word?: Expr;
}

// Constants are evaluated recursively; a bound keeps hostile chains from overflowing the stack.
const MAX_CONST_DEPTH = 500;

const MEM_ROWS_KEY = { sp: 'spRows', acc: 'accRows', grad: 'gradRows', main: 'mainBytes' } as const;
const MEM_TEXT = { sp: 'the scratchpad', acc: 'the accumulator memory', grad: 'the gradient buffer', main: 'main memory' } as const;

/** Is the source plainly not text? NUL bytes, or U+FFFD from decoding invalid UTF-8. */
function looksBinary(source: string): boolean {
  return source.includes('\0') || source.includes('\uFFFD');
}

class Assembly {
  readonly diags: Diagnostic[] = [];
  readonly labels = new Map<string, SymbolDef & { addr: number }>();
  readonly consts = new Map<string, ConstDef>();
  readonly constState = new Map<string, ConstState>();
  readonly instrs: InstrLine[] = [];
  attempted = 0;
  private constDepth = 0;

  constructor(readonly file: string, readonly opts: AsmOptions) {}

  error(line: number, col: number, message: string): void {
    this.diags.push({ file: this.file, line, column: col, message });
  }

  /** Reject a new symbol name that is reserved or already taken; true when it may be defined. */
  private claim(name: string, line: number, col: number, what: 'label' | 'constant'): boolean {
    if (isRegisterName(name)) {
      this.error(line, col, `${what} "${name}" is spelled like a register; choose another name`);
      return false;
    }
    if (PREDEFINED.has(name)) {
      this.error(line, col, `${what} "${name}" redefines a predefined constant (${[...PREDEFINED.keys()].join(', ')})`);
      return false;
    }
    const prev = this.labels.get(name) ?? this.consts.get(name);
    if (prev) {
      const kind = this.labels.has(name) ? 'label' : 'constant';
      this.error(line, col, `duplicate ${what} "${name}" (first defined${kind === what ? '' : ` as a ${kind}`} at ${prev.line}:${prev.col})`);
      return false;
    }
    return true;
  }

  /** Pass 1: parse every line, place labels, collect constants and instruction lines. */
  parse(lines: readonly string[]): void {
    let addr = 0;
    lines.forEach((text, i) => {
      const line = i + 1;
      const r = parseLine(text);
      const labels = r.ok ? r.line.labels : r.labels;
      for (const l of labels) {
        if (this.claim(l.name, line, l.col, 'label')) this.labels.set(l.name, { addr, line, col: l.col });
      }
      if (!r.ok) {
        this.error(line, r.col, r.message);
        // Keep the line's slot so labels after it keep their addresses (no cascade of errors).
        if (r.wasInstr) {
          this.attempted++;
          addr++;
        }
        return;
      }
      const s = r.line.stmt;
      if (!s) return;
      if (s.kind === 'equ') {
        if (this.claim(s.name, line, s.col, 'constant')) {
          this.consts.set(s.name, { line, col: s.col, expr: s.expr });
          this.constState.set(s.name, { state: 'pending' });
        }
        return;
      }
      this.attempted++;
      const base = { addr, line, source: text.trim() };
      this.instrs.push(s.kind === 'word' ? { ...base, col: s.col, operands: [], word: s.expr } : { ...base, col: s.col, mnemonic: s.mnemonic, operands: s.operands });
      addr++;
    });
  }

  /** Resolve a symbol in an expression. */
  resolve = (name: string, col: number): bigint => {
    const label = this.labels.get(name);
    if (label) return BigInt(label.addr);
    if (this.consts.has(name)) return this.constValue(name, col);
    const pre = PREDEFINED.get(name);
    if (pre !== undefined) return pre;
    if (isRegisterName(name)) {
      throw new SyntaxFail(col, `expected a number, constant or label, found register "${name}" (in an address write the register first: sp[${name}+offset])`);
    }
    const known = [...this.labels.keys(), ...this.consts.keys(), ...PREDEFINED.keys()];
    throw new SyntaxFail(col, `undefined label "${name}"${didYouMean(name, known)}`);
  };

  /** A constant's value, evaluated once, on first use; errors are reported at its definition. */
  private constValue(name: string, col?: number): bigint {
    const st = this.constState.get(name)!;
    const def = this.consts.get(name)!;
    if (st.state === 'done') return st.value;
    if (st.state === 'failed') throw new QuietFail();
    // Reported where the cycle closes (inside the definition being evaluated), once.
    if (st.state === 'evaluating') throw new SyntaxFail(col ?? def.col, `circular definition: constant "${name}" depends on itself`);
    if (this.constDepth >= MAX_CONST_DEPTH) {
      throw new SyntaxFail(col ?? def.col, `constants nested too deeply (more than ${MAX_CONST_DEPTH} levels of one constant defined by another)`);
    }
    this.constState.set(name, { state: 'evaluating' });
    this.constDepth++;
    try {
      const value = evalExpr(def.expr, this.resolve);
      this.constState.set(name, { state: 'done', value });
      return value;
    } catch (e) {
      if (!(e instanceof SyntaxFail) && !(e instanceof QuietFail)) throw e;
      if (e instanceof SyntaxFail) this.error(def.line, e.col, e.message);
      this.constState.set(name, { state: 'failed' });
      throw new QuietFail();
    } finally {
      this.constDepth--;
    }
  }

  evaluateConstants(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const name of this.consts.keys()) {
      try {
        out.set(name, this.constValue(name));
      } catch (e) {
        if (!(e instanceof QuietFail)) throw e;
      }
    }
    return out;
  }

  /** Pass 2 for one line: the word, or undefined after reporting. */
  encodeLine(il: InstrLine): bigint | undefined {
    if (il.word) return this.encodeWord(il, il.word);
    const mnemonic = il.mnemonic!;
    const pseudo = PSEUDOS.get(mnemonic);
    const spec = ISA_BY_MNEMONIC.get(pseudo?.expandsTo ?? mnemonic);
    if (!spec) {
      this.error(il.line, il.col, `unknown mnemonic "${mnemonic}"${didYouMean(mnemonic, ALL_MNEMONICS)}`);
      return undefined;
    }
    let operands = il.operands;
    if (pseudo && mnemonic === 'li') {
      // li rd, imm  ==  addi rd, r0, imm (a synthetic r0 keeps operand errors pointing at real text).
      const lead = operands.slice(0, 1);
      const r0: Operand = { kind: 'reg', n: 0, col: il.col, text: 'r0' };
      operands = operands.length >= 1 ? [...lead, r0, ...operands.slice(1)] : operands;
      const positional = il.operands.filter((o) => o.kind !== 'opt').length;
      if (positional !== 2) {
        this.error(il.line, il.col, `li expects 2 operands (${pseudo.syntax}), found ${positional}`);
        return undefined;
      }
    }
    const ctx = {
      evaluate: (e: Expr) => evalExpr(e, this.resolve),
      error: (col: number, message: string) => this.error(il.line, col, message),
    };
    const m = matchOperands(spec, mnemonic, pseudo?.syntax ?? instrSyntaxText(spec), il.col, operands, ctx);
    if (!m) return undefined;
    if (this.opts.config && !this.checkConfig(spec, m, il)) return undefined;
    try {
      return encode(spec, m.values);
    } catch (e) {
      // The matcher checks every range first; reaching this is a bug in the assembler, not the input.
      this.error(il.line, il.col, `internal assembler error: ${(e as Error).message}`);
      return undefined;
    }
  }

  private encodeWord(il: InstrLine, e: Expr): bigint | undefined {
    try {
      const v = evalExpr(e, this.resolve);
      if (v < -(1n << 63n) || v >= 1n << 64n) {
        this.error(il.line, il.col, `.word value ${v} does not fit in 64 bits (-2^63..2^64-1)`);
        return undefined;
      }
      return BigInt.asUintN(64, v);
    } catch (err) {
      if (err instanceof SyntaxFail) this.error(il.line, err.col, err.message);
      else if (!(err instanceof QuietFail)) throw err;
      return undefined;
    }
  }

  /** Static limits that depend on the config: each one would fault on the chip every time. */
  private checkConfig(spec: InstrSpec, m: Matched, il: InstrLine): boolean {
    const cfg = this.opts.config!;
    const before = this.diags.length;
    const where = `config ${cfg.name}`;
    if (spec.unit === 'dma' && m.values.elems !== undefined && m.values.elems > cfg.derived.W) {
      this.error(il.line, m.cols.elems ?? il.col, `elems ${m.values.elems} exceeds the vector width W = ${cfg.derived.W} of ${where} (a DMA row moves at most W elements; the chip would stop with ILLEGAL_INSTRUCTION)`);
    }
    for (const fs of spec.fields) {
      const v = m.values[fs.name];
      if (fs.kind === 'target' && v !== undefined && v >= cfg.memory.imemWords) {
        this.error(il.line, m.cols[fs.name] ?? il.col, `branch target ${v} is outside instruction memory (imemWords = ${cfg.memory.imemWords} in ${where})`);
      }
    }
    for (const a of m.addrs) {
      const key = MEM_ROWS_KEY[a.mem];
      const size = cfg.memory[key];
      if (a.reg === 0 && a.off >= size) {
        const unit = a.mem === 'main' ? 'byte address' : 'row';
        this.error(il.line, a.col, `${a.mem} ${unit} ${a.off} is outside ${MEM_TEXT[a.mem]} (${key} = ${size} in ${where})`);
      }
    }
    return this.diags.length === before;
  }
}

/**
 * Assemble a program. Never throws for user errors: on failure every problem found is returned
 * as a diagnostic (file:line:column, 1-based) saying what was expected.
 * @param source program text (already decoded; NUL bytes or U+FFFD mark a binary file)
 * @param file name used in diagnostics
 * @param opts.config also check limits of this chip config (W, memory sizes, imemWords)
 */
export function assemble(source: string, file: string, opts: AsmOptions = {}): AsmResult {
  if (looksBinary(source)) {
    return { ok: false, diagnostics: [{ file, line: 1, column: 1, message: 'not a text file (contains NUL bytes or invalid UTF-8): expected assembly source' }] };
  }
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const asm = new Assembly(file, opts);
  asm.parse(lines);
  const constants = asm.evaluateConstants();
  const words: bigint[] = [];
  const listing: ListingEntry[] = [];
  for (const il of asm.instrs) {
    const w = asm.encodeLine(il) ?? 0n;
    words.push(w);
    listing.push({ addr: il.addr, word: w, line: il.line, source: il.source });
  }
  if (asm.attempted === 0) asm.error(1, 1, 'no instructions (the file is empty or holds only comments, labels and constants)');
  const cfg = opts.config;
  if (cfg && asm.instrs.length > cfg.memory.imemWords) {
    const il = asm.instrs[cfg.memory.imemWords]!;
    asm.error(il.line, 1, `program has ${asm.instrs.length} words but instruction memory holds ${cfg.memory.imemWords} (imemWords in config ${cfg.name}); this is the first word that does not fit`);
  }
  if (asm.diags.length > 0) {
    const diagnostics = [...asm.diags].sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, diagnostics };
  }
  const labels = new Map([...asm.labels].map(([k, v]) => [k, v.addr]));
  return { ok: true, words, listing, labels, constants };
}
