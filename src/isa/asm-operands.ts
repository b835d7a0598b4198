/**
 * Operand matching: parsed operands of one instruction line → field values, checked against the
 * table's `operands`, `options` and field ranges. Every problem is reported (not just the first),
 * with what was expected.
 */
import { fieldAccepts, fieldRange } from './encoding.js';
import { MEM_CODES, MEM_NAMES, type FieldSpec, type InstrSpec, type MemName, type OperandSyntax } from './table.js';
import { QuietFail, SyntaxFail, exprStart, type Expr } from './expr.js';
import type { AddrOperand, Operand, OptOperand } from './asm-parse.js';
import { REG_RANGE_TEXT, fieldOf, memsOf, type AddrMemName } from './syntax.js';
import { didYouMean } from './diagnostic.js';

export interface OperandContext {
  /** Evaluate an expression; throws SyntaxFail (to report) or QuietFail (already reported). */
  evaluate(e: Expr): bigint;
  error(col: number, message: string): void;
}

/** A local or main address the instruction touches, for the assembler's config checks. */
export interface MatchedAddr {
  readonly mem: AddrMemName;
  readonly reg: number;
  readonly off: number;
  readonly col: number;
}

export interface Matched {
  /** Natural field values (as `encode` takes them). */
  readonly values: Record<string, number>;
  /** Column of the operand that set each field, for later checks. */
  readonly cols: Record<string, number>;
  readonly addrs: readonly MatchedAddr[];
}

const MEM_WORDS: readonly string[] = [...MEM_NAMES, 'main'];

function noun(fs: FieldSpec): string {
  return fs.kind === 'count' ? 'count' : fs.kind === 'target' ? 'branch target' : fs.kind === 'flag' ? 'value' : 'immediate';
}

function rangeText(fs: FieldSpec): string {
  const { lo, hi } = fieldRange(fs);
  // A 32-bit signed immediate also takes its bit pattern (li r1, 0xffffffff), as registers wrap.
  return fs.kind === 'simm' ? `${lo}..${hi}, or 0..0x${(2n ** BigInt(fs.width) - 1n).toString(16)} as a bit pattern` : `${lo}..${hi}`;
}

/** Check an evaluated value against a numeric field; returns the natural value or reports. */
function fitField(fs: FieldSpec, v: bigint, col: number, ctx: OperandContext, what = fs.name): number | undefined {
  let x = v;
  if (fs.kind === 'simm' && x >= 0n && x < 1n << BigInt(fs.width)) x = BigInt.asIntN(fs.width, x);
  const { lo, hi } = fieldRange(fs);
  if (x < BigInt(lo) || x > BigInt(hi) || !fieldAccepts(fs, Number(x))) {
    const field = fs.kind === 'target' ? '' : ` for ${what}`;
    ctx.error(col, `${noun(fs)} ${v} out of range${field} (${rangeText(fs)})`);
    return undefined;
  }
  return Number(x);
}

/** Evaluate, turning failures into diagnostics; undefined when it failed. */
function tryEval(e: Expr, ctx: OperandContext): bigint | undefined {
  try {
    return ctx.evaluate(e);
  } catch (err) {
    if (err instanceof SyntaxFail) ctx.error(err.col, err.message);
    else if (!(err instanceof QuietFail)) throw err;
    return undefined;
  }
}

function expectedText(fs: FieldSpec): string {
  switch (fs.kind) {
    case 'count': return `a count for ${fs.name}`;
    case 'target': return 'a branch target (a label or an address)';
    default: return `an immediate for ${fs.name}`;
  }
}

function matchEnum(spec: InstrSpec, op: OperandSyntax & { type: 'enum' }, o: Operand, ctx: OperandContext, out: Matched): void {
  const fs = fieldOf(spec, op.field);
  const values = fs.values ?? [];
  const list = `(${values.join(', ')})`;
  if (o.kind !== 'expr') {
    ctx.error(o.col, `expected a ${fs.doc} ${list}, found "${o.text}"`);
    return;
  }
  if (o.expr.kind === 'sym') {
    const idx = values.findIndex((v) => v.toLowerCase() === (o.expr as { name: string }).name.toLowerCase());
    if (idx >= 0) {
      out.values[fs.name] = idx;
      out.cols[fs.name] = o.col;
      return;
    }
  }
  // Not a name: a numeric code is accepted too (it is what the hardware sees).
  let v: bigint | undefined;
  try {
    v = ctx.evaluate(o.expr);
  } catch (err) {
    if (err instanceof QuietFail) return;
    if (!(err instanceof SyntaxFail)) throw err;
    const name = o.expr.kind === 'sym' ? o.expr.name : o.text;
    ctx.error(o.col, `expected a ${fs.doc} ${list}, found "${name}"${didYouMean(name, values)}`);
    return;
  }
  if (v < 0n || v >= BigInt(values.length)) {
    ctx.error(o.col, `${fs.doc} code ${v} out of range (0..${values.length - 1}: ${values.join(', ')})`);
    return;
  }
  out.values[fs.name] = Number(v);
  out.cols[fs.name] = o.col;
}

function matchAddr(spec: InstrSpec, op: OperandSyntax & { type: 'addr' }, o: Operand, ctx: OperandContext, out: Matched & { addrs: MatchedAddr[] }): void {
  const mems = memsOf(spec, op);
  const shape = `${mems.length === 1 ? mems[0] : `{${mems.join('|')}}`}[rN+offset]`;
  if (o.kind !== 'addr') {
    ctx.error(o.col, `expected an address ${shape}, found "${o.text}"`);
    return;
  }
  const a: AddrOperand = o;
  const mem = a.mem.toLowerCase();
  let ok = true;
  if (!MEM_WORDS.includes(mem)) {
    ctx.error(a.col, `unknown memory "${a.mem}" (expected ${mems.join(' or ')})${didYouMean(a.mem, MEM_WORDS)}`);
    ok = false;
  } else if (!(mems as readonly string[]).includes(mem)) {
    ctx.error(a.col, `memory "${mem}" not allowed here: ${spec.mnemonic} expects ${shape}`);
    ok = false;
  }
  let reg = 0;
  if (a.reg) {
    if (a.reg.n === undefined) {
      ctx.error(a.reg.col, `expected a register (${REG_RANGE_TEXT}), found "${a.reg.name}"`);
      ok = false;
    } else reg = a.reg.n;
  }
  const immFs = fieldOf(spec, op.imm);
  let off = 0;
  if (a.off) {
    const v = tryEval(a.off, ctx);
    const fitted = v === undefined ? undefined : fitField(immFs, v, exprStart(a.off), ctx);
    if (fitted === undefined) ok = false;
    else off = fitted;
  }
  if (!ok) return;
  if (!('fixed' in op.mem)) {
    out.values[op.mem.field] = MEM_CODES[mem as MemName];
    out.cols[op.mem.field] = a.col;
  }
  out.values[op.reg] = reg;
  out.values[op.imm] = off;
  out.cols[op.reg] = a.col;
  out.cols[op.imm] = a.col;
  out.addrs.push({ mem: mem as AddrMemName, reg, off, col: a.col });
}

function matchPositional(spec: InstrSpec, op: OperandSyntax, o: Operand, ctx: OperandContext, out: Matched & { addrs: MatchedAddr[] }): void {
  switch (op.type) {
    case 'reg': {
      const fs = fieldOf(spec, op.field);
      if (o.kind === 'reg' && o.n !== undefined && fieldAccepts(fs, o.n)) {
        out.values[fs.name] = o.n;
        out.cols[fs.name] = o.col;
      } else ctx.error(o.col, `expected a register (${REG_RANGE_TEXT}), found "${o.text}"`);
      return;
    }
    case 'imm': {
      const fs = fieldOf(spec, op.field);
      if (o.kind !== 'expr') {
        ctx.error(o.col, `expected ${expectedText(fs)}, found ${o.kind === 'reg' ? 'register ' : ''}"${o.text}"`);
        return;
      }
      const v = tryEval(o.expr, ctx);
      const fitted = v === undefined ? undefined : fitField(fs, v, o.col, ctx);
      if (fitted !== undefined) {
        out.values[fs.name] = fitted;
        out.cols[fs.name] = o.col;
      }
      return;
    }
    case 'enum':
      matchEnum(spec, op, o, ctx, out);
      return;
    case 'addr':
      matchAddr(spec, op, o, ctx, out);
      return;
  }
}

function matchOptions(spec: InstrSpec, shown: string, opts: readonly OptOperand[], ctx: OperandContext, out: Matched): void {
  const seen = new Map<string, number>();
  for (const o of opts) {
    const name = o.name.toLowerCase();
    if (!spec.options.includes(name)) {
      ctx.error(o.col, spec.options.length === 0
        ? `${shown} takes no options, found "${o.text}"`
        : `unknown option "${o.name}" for ${shown} (expected ${spec.options.join(', ')})${didYouMean(o.name, spec.options)}`);
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      ctx.error(o.col, `option "${name}" given twice (first at column ${first})`);
      continue;
    }
    seen.set(name, o.col);
    const fs = fieldOf(spec, name);
    const v = tryEval(o.value, ctx);
    const fitted = v === undefined ? undefined : fitField(fs, v, exprStart(o.value), ctx, `option ${name}`);
    if (fitted !== undefined) {
      out.values[name] = fitted;
      out.cols[name] = o.col;
    }
  }
}

/**
 * Match a statement's operands against an instruction spec. `shown` is the mnemonic as written
 * (a pseudo-instruction's name) and `syntax` its one-line syntax, for messages. Returns undefined
 * when anything was reported.
 */
export function matchOperands(
  spec: InstrSpec, shown: string, syntax: string, mnemonicCol: number, operands: readonly Operand[], ctx: OperandContext,
): Matched | undefined {
  let errors = 0;
  const counted: OperandContext = { evaluate: (e) => ctx.evaluate(e), error: (c, m) => { errors++; ctx.error(c, m); } };
  const out = { values: {} as Record<string, number>, cols: {} as Record<string, number>, addrs: [] as MatchedAddr[] };
  const firstOpt = operands.findIndex((o) => o.kind === 'opt');
  const positional = firstOpt < 0 ? operands : operands.slice(0, firstOpt);
  const opts: OptOperand[] = [];
  let misplaced = false;
  for (const o of firstOpt < 0 ? [] : operands.slice(firstOpt)) {
    if (o.kind === 'opt') opts.push(o);
    else {
      misplaced = true;
      counted.error(o.col, `expected an option (name=value) after the first option, found "${o.text}"; options go last`);
    }
  }
  const n = spec.operands.length;
  if (positional.length === n) {
    spec.operands.forEach((op, i) => matchPositional(spec, op, positional[i]!, counted, out));
  } else if (!misplaced) {
    // (With an operand out of place the count is meaningless; the message above says what to fix.)
    const extra = positional[n];
    const col = extra ? extra.col : mnemonicCol;
    // A bare option name (`acc` for `acc=1`) is the likeliest cause of one operand too many.
    const bare = extra?.kind === 'expr' && extra.expr.kind === 'sym' && spec.options.includes(extra.expr.name.toLowerCase());
    const hint = bare ? `; options are written name=value, e.g. ${extra.text.toLowerCase()}=1` : '';
    counted.error(col, `${shown} expects ${n} operand${n === 1 ? '' : 's'} (${syntax}), found ${positional.length}${hint}`);
  }
  matchOptions(spec, shown, opts, counted, out);
  return errors === 0 ? out : undefined;
}
