/**
 * Integer expressions in assembly operands: literals, named constants and labels combined with
 * unary - ~, binary * + - << >> & | and parentheses (C precedence). Values are bigints so a
 * `.word` can hold any 64-bit pattern exactly.
 */
import type { Token } from './lexer.js';

export type BinaryOp = '+' | '-' | '*' | '|' | '&' | '<<' | '>>';

export type Expr =
  | { readonly kind: 'num'; readonly value: bigint; readonly col: number }
  | { readonly kind: 'sym'; readonly name: string; readonly col: number }
  | { readonly kind: 'unary'; readonly op: '-' | '~' | '+'; readonly arg: Expr; readonly col: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly col: number };

/** A parse or evaluation failure at a column; caught by the assembler and turned into a diagnostic. */
export class SyntaxFail extends Error {
  constructor(readonly col: number, message: string) {
    super(message);
  }
}

/**
 * A failure already reported elsewhere (e.g. inside a constant's definition); uses of the bad
 * constant stop quietly instead of repeating the error on every line.
 */
export class QuietFail extends Error {}

/** Describe a token for "found …" messages. */
export function describeToken(t: Token): string {
  if (t.kind === 'eol') return 'end of line';
  return `"${t.text}"`;
}

/** A cursor over one line's tokens. */
export class TokenCursor {
  private pos = 0;
  private lastEnd = 1;
  /** Nesting depth of parentheses and unary operators, bounded so hostile input can't overflow the stack. */
  depth = 0;
  /** Binary operators parsed on this line, bounded for the same reason (evaluation recurses). */
  terms = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eol') {
      this.pos++;
      this.lastEnd = t.col + t.text.length;
    }
    return t;
  }
  /** Column just past the last consumed token (to slice an operand's source text). */
  endCol(): number {
    return this.lastEnd;
  }
  /** Consume a punctuation token if it is next. */
  eat(text: string): Token | undefined {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === text) return this.next();
    return undefined;
  }
  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'punct' && t.text === text;
  }
  atEnd(): boolean {
    return this.peek().kind === 'eol';
  }
}

const MAX_DEPTH = 100;
const MAX_TERMS = 1000;

// Binding power of each binary operator (higher binds tighter), as in C.
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = { '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5 };

function isBinary(t: Token): t is Token & { text: BinaryOp } {
  return t.kind === 'punct' && t.text in PRECEDENCE;
}

/** Parse an expression at the cursor. Throws SyntaxFail (caught by the assembler). */
export function parseExpr(cur: TokenCursor, minPrec = 1): Expr {
  let left = parseUnary(cur);
  for (;;) {
    const t = cur.peek();
    if (!isBinary(t)) return left;
    const prec = PRECEDENCE[t.text];
    if (prec < minPrec) return left;
    if (++cur.terms > MAX_TERMS) throw new SyntaxFail(t.col, `expression too long (more than ${MAX_TERMS} operators)`);
    cur.next();
    const right = parseExpr(cur, prec + 1);
    left = { kind: 'binary', op: t.text, left, right, col: t.col };
  }
}


function parseUnary(cur: TokenCursor): Expr {
  const t = cur.peek();
  if (++cur.depth > MAX_DEPTH) throw new SyntaxFail(t.col, `expression nested too deeply (more than ${MAX_DEPTH} levels)`);
  try {
    if (t.kind === 'punct' && (t.text === '-' || t.text === '~' || t.text === '+')) {
      cur.next();
      return { kind: 'unary', op: t.text, arg: parseUnary(cur), col: t.col };
    }
    return parsePrimary(cur);
  } finally {
    cur.depth--;
  }
}

function parsePrimary(cur: TokenCursor): Expr {
  const t = cur.next();
  if (t.kind === 'number') return { kind: 'num', value: t.value ?? 0n, col: t.col };
  if (t.kind === 'ident') return { kind: 'sym', name: t.text, col: t.col };
  if (t.kind === 'punct' && t.text === '(') {
    const inner = parseExpr(cur);
    if (!cur.eat(')')) {
      const f = cur.peek();
      throw new SyntaxFail(f.col, `expected ")" to close "(" at column ${t.col}, found ${describeToken(f)}`);
    }
    return inner;
  }
  throw new SyntaxFail(t.col, `expected a number, constant or label, found ${describeToken(t)}`);
}

/** Looks a symbol up; returns its value or throws SyntaxFail with a precise message. */
export type SymbolResolver = (name: string, col: number) => bigint;

// Keeps pathological expressions (1<<127<<127…) from building huge bigints; any real operand is < 2^64.
const LIMIT = 1n << 128n;

/** Evaluate an expression. Throws SyntaxFail for undefined symbols or absurd values. */
export function evalExpr(e: Expr, resolve: SymbolResolver): bigint {
  let v: bigint;
  switch (e.kind) {
    case 'num':
      v = e.value;
      break;
    case 'sym':
      v = resolve(e.name, e.col);
      break;
    case 'unary': {
      const a = evalExpr(e.arg, resolve);
      v = e.op === '-' ? -a : e.op === '~' ? ~a : a;
      break;
    }
    case 'binary': {
      const a = evalExpr(e.left, resolve);
      const b = evalExpr(e.right, resolve);
      if ((e.op === '<<' || e.op === '>>') && (b < 0n || b > 127n)) {
        throw new SyntaxFail(e.col, `shift amount ${b} out of range (0..127)`);
      }
      v = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '|' ? a | b
        : e.op === '&' ? a & b : e.op === '<<' ? a << b : a >> b;
      break;
    }
  }
  if (v >= LIMIT || v <= -LIMIT) throw new SyntaxFail(e.col, 'expression value is too large (beyond 128 bits)');
  return v;
}

/** The expression's source column (its leftmost token). */
export function exprStart(e: Expr): number {
  return e.kind === 'binary' ? exprStart(e.left) : e.col;
}
