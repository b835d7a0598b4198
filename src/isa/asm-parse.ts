/**
 * Assembly line parser: tokens → labels + one statement. Purely syntactic; whether a mnemonic
 * exists or an operand fits its field is decided by the assembler against the ISA table.
 */
import { lexLine, type Token } from './lexer.js';
import { SyntaxFail, TokenCursor, describeToken, parseExpr, type Expr } from './expr.js';
import { DIRECTIVES, isRegisterName, registerNumber } from './syntax.js';
import { didYouMean } from './diagnostic.js';

interface OperandBase {
  readonly col: number;
  /** The operand's source text, for "found …" messages. */
  readonly text: string;
}

/** A register written alone; `n` is undefined for names like `r16` that are not a register. */
export interface RegOperand extends OperandBase { readonly kind: 'reg'; readonly n: number | undefined }
/** `mem[rN+expr]`, `mem[rN]`, `mem[expr]`. */
export interface AddrOperand extends OperandBase {
  readonly kind: 'addr';
  readonly mem: string;
  readonly reg?: { readonly n: number | undefined; readonly name: string; readonly col: number };
  readonly off?: Expr;
}
export interface ExprOperand extends OperandBase { readonly kind: 'expr'; readonly expr: Expr }
/** A trailing `name=expr` option. */
export interface OptOperand extends OperandBase { readonly kind: 'opt'; readonly name: string; readonly value: Expr }
export type Operand = RegOperand | AddrOperand | ExprOperand | OptOperand;

export type Statement =
  | { readonly kind: 'equ'; readonly name: string; readonly col: number; readonly expr: Expr }
  | { readonly kind: 'word'; readonly col: number; readonly expr: Expr }
  | { readonly kind: 'instr'; readonly mnemonic: string; readonly col: number; readonly operands: readonly Operand[] };

export interface ParsedLine {
  readonly labels: readonly { readonly name: string; readonly col: number }[];
  readonly stmt?: Statement;
}

export type ParseLineResult =
  | { readonly ok: true; readonly line: ParsedLine }
  | { readonly ok: false; readonly col: number; readonly message: string;
    /** Labels seen before the error, so later lines referring to them don't add noise. */
    readonly labels: readonly { readonly name: string; readonly col: number }[];
    /** Set when the line was meant to be an instruction, so "no instructions" stays quiet. */
    readonly wasInstr: boolean };

function expectEnd(cur: TokenCursor, after: string): void {
  const t = cur.peek();
  if (t.kind !== 'eol') throw new SyntaxFail(t.col, `expected end of line after ${after}, found ${describeToken(t)}`);
}

function parseAddr(cur: TokenCursor, line: string): AddrOperand {
  const memTok = cur.next();
  const open = cur.next(); // '['
  let reg: AddrOperand['reg'];
  let off: Expr | undefined;
  const first = cur.peek();
  const after = cur.peek(1);
  if (first.kind === 'ident' && isRegisterName(first.text) && after.kind === 'punct' && ['+', '-', ']'].includes(after.text)) {
    cur.next();
    reg = { n: registerNumber(first.text), name: first.text, col: first.col };
    // `rN-4` keeps the minus as the offset's sign (so the range check can report it).
    if (cur.eat('+') || cur.isPunct('-')) off = parseExpr(cur);
  } else {
    if (cur.isPunct(']')) throw new SyntaxFail(cur.peek().col, `expected a register or an offset inside "${memTok.text}[…]", found "]"`);
    off = parseExpr(cur);
  }
  if (!cur.eat(']')) {
    const t = cur.peek();
    throw new SyntaxFail(t.col, `expected "]" to close "[" at column ${open.col}, found ${describeToken(t)}`);
  }
  return { kind: 'addr', mem: memTok.text, reg, off, col: memTok.col, text: line.slice(memTok.col - 1, cur.endCol() - 1) };
}

function parseOperand(cur: TokenCursor, line: string): Operand {
  const t = cur.peek();
  const n1 = cur.peek(1);
  if (t.kind === 'ident' && n1.kind === 'punct' && n1.text === '=') {
    cur.next();
    cur.next();
    const value = parseExpr(cur);
    return { kind: 'opt', name: t.text, value, col: t.col, text: line.slice(t.col - 1, cur.endCol() - 1) };
  }
  if (t.kind === 'ident' && n1.kind === 'punct' && n1.text === '[') return parseAddr(cur, line);
  if (t.kind === 'ident' && isRegisterName(t.text) && (n1.kind === 'eol' || (n1.kind === 'punct' && n1.text === ','))) {
    cur.next();
    return { kind: 'reg', n: registerNumber(t.text), col: t.col, text: t.text };
  }
  if (t.kind === 'eol' || (t.kind === 'punct' && t.text === ',')) {
    throw new SyntaxFail(t.col, `expected an operand, found ${describeToken(t)}`);
  }
  const expr = parseExpr(cur);
  return { kind: 'expr', expr, col: t.col, text: line.slice(t.col - 1, cur.endCol() - 1) };
}

function parseOperands(cur: TokenCursor, line: string): Operand[] {
  const ops: Operand[] = [];
  if (cur.atEnd()) return ops;
  for (;;) {
    ops.push(parseOperand(cur, line));
    if (cur.atEnd()) return ops;
    if (!cur.eat(',')) {
      const t = cur.peek();
      const hint = t.kind === 'punct' && t.text === ']' ? ' (unbalanced "]")' : '';
      throw new SyntaxFail(t.col, `expected "," or end of line after operand "${ops[ops.length - 1]!.text}", found ${describeToken(t)}${hint}`);
    }
  }
}

function parseStatement(cur: TokenCursor, line: string): Statement {
  const t = cur.peek();
  if (t.kind === 'directive') {
    cur.next();
    const d = t.text.toLowerCase();
    if (d === '.equ') {
      const name = cur.next();
      if (name.kind !== 'ident') throw new SyntaxFail(name.col, `expected a constant name after .equ, found ${describeToken(name)}`);
      if (!cur.eat(',')) throw new SyntaxFail(cur.peek().col, `expected "," after the constant name (.equ NAME, value), found ${describeToken(cur.peek())}`);
      const expr = parseExpr(cur);
      expectEnd(cur, 'the value');
      return { kind: 'equ', name: name.text, col: name.col, expr };
    }
    if (d === '.word') {
      const expr = parseExpr(cur);
      expectEnd(cur, 'the .word value');
      return { kind: 'word', col: t.col, expr };
    }
    throw new SyntaxFail(t.col, `unknown directive "${t.text}" (expected ${DIRECTIVES.join(' or ')})${didYouMean(t.text, DIRECTIVES)}`);
  }
  if (t.kind === 'ident' && cur.isPunct('=', 1)) {
    cur.next();
    cur.next();
    const expr = parseExpr(cur);
    expectEnd(cur, 'the value');
    return { kind: 'equ', name: t.text, col: t.col, expr };
  }
  if (t.kind === 'ident') {
    cur.next();
    return { kind: 'instr', mnemonic: t.text.toLowerCase(), col: t.col, operands: parseOperands(cur, line) };
  }
  throw new SyntaxFail(t.col, `expected a label, an instruction or a directive, found ${describeToken(t)}`);
}

/** Parse one source line. Never throws. */
export function parseLine(line: string): ParseLineResult {
  const lexed = lexLine(line);
  if (!lexed.ok) return { ok: false, col: lexed.col, message: lexed.message, labels: [], wasInstr: true };
  const cur = new TokenCursor(lexed.tokens);
  const labels: { name: string; col: number }[] = [];
  let wasInstr = true;
  try {
    while (cur.peek().kind === 'ident' && cur.isPunct(':', 1)) {
      const t = cur.next();
      cur.next();
      labels.push({ name: t.text, col: t.col });
    }
    const first: Token = cur.peek();
    wasInstr = first.kind === 'ident' ? !cur.isPunct('=', 1) : first.kind !== 'directive' || first.text.toLowerCase() !== '.equ';
    if (cur.atEnd()) return { ok: true, line: { labels } };
    return { ok: true, line: { labels, stmt: parseStatement(cur, line) } };
  } catch (e) {
    if (!(e instanceof SyntaxFail)) throw e;
    return { ok: false, col: e.col, message: e.message, labels, wasInstr };
  }
}
