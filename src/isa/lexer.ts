/**
 * Assembly lexer: one source line → tokens. Lines are independent (one instruction a line), so the
 * assembler lexes line by line and a bad line never hides errors on the lines after it.
 */

export type TokenKind = 'ident' | 'directive' | 'number' | 'punct' | 'eol';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for `punct`, the operator itself). */
  readonly text: string;
  /** 1-based column of the first character. */
  readonly col: number;
  /** Value of a `number` token. */
  readonly value?: bigint;
}

export type LexResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly col: number; readonly message: string };

const PUNCT2 = ['<<', '>>'];
const PUNCT1 = ',[]()+-*|&~=:';

// Char-code tests, not regexes: the lexer runs once per character of programs with 10⁴+ lines.
const isIdentStart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95;
};
const isDigit = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return k >= 48 && k <= 57;
};
const isIdentChar = (c: string): boolean => isIdentStart(c) || isDigit(c);

/**
 * Parse a numeric literal: decimal, `0x` hex, `0b` binary, with `_` allowed between digits.
 * Returns the value or a message saying what was expected.
 */
export function parseNumberLiteral(text: string): { ok: true; value: bigint } | { ok: false; message: string } {
  const bad = (why: string): { ok: false; message: string } => ({ ok: false, message: `bad number literal "${text}": ${why}` });
  const prefix = text.slice(0, 2).toLowerCase();
  const [digits, re, base, what] =
    prefix === '0x' ? [text.slice(2), /^[0-9a-f]+(_[0-9a-f]+)*$/i, '0x', 'hex digits (0-9, a-f)']
      : prefix === '0b' ? [text.slice(2), /^[01]+(_[01]+)*$/, '0b', 'binary digits (0, 1)']
        : [text, /^[0-9]+(_[0-9]+)*$/, '', 'decimal digits (0-9)'];
  if (digits.length === 0) return bad(`expected ${what} after ${base}`);
  if (!re.test(digits)) {
    return digits.includes('__') || digits.startsWith('_') || digits.endsWith('_')
      ? bad('"_" may only separate digits')
      : bad(`expected ${what}${base ? ` after ${base}` : ''}`);
  }
  return { ok: true, value: BigInt(base + digits.replaceAll('_', '')) };
}

/** Index where a comment starts (`;`, `//` or `#`), or the line length. */
function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ';' || c === '#') return i;
    if (c === '/' && line[i + 1] === '/') return i;
  }
  return line.length;
}

/** Lex one line (without its newline). The token list always ends with an `eol` token. */
export function lexLine(line: string): LexResult {
  const end = commentStart(line);
  const tokens: Token[] = [];
  let i = 0;
  while (i < end) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const col = i + 1;
    if (isIdentStart(c) || (c === '.' && i + 1 < end && isIdentStart(line[i + 1]!))) {
      let j = i + 1;
      while (j < end && isIdentChar(line[j]!)) j++;
      tokens.push({ kind: c === '.' ? 'directive' : 'ident', text: line.slice(i, j), col });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      // Take the whole alphanumeric run so `12ab` is one bad literal, not a number and a name.
      let j = i + 1;
      while (j < end && isIdentChar(line[j]!)) j++;
      const text = line.slice(i, j);
      const n = parseNumberLiteral(text);
      if (!n.ok) return { ok: false, col, message: n.message };
      tokens.push({ kind: 'number', text, col, value: n.value });
      i = j;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', text: two, col });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      tokens.push({ kind: 'punct', text: c, col });
      i++;
      continue;
    }
    const shown = c === '"' ? '\\"' : c;
    return { ok: false, col, message: `unexpected character "${shown}"${c === '/' ? ' (division is not supported; comments start with ;, // or #)' : ''}` };
  }
  // Point "found end of line" just past the last real character, not at a trailing comment.
  tokens.push({ kind: 'eol', text: '', col: line.slice(0, end).trimEnd().length + 1 });
  return { ok: true, tokens };
}
