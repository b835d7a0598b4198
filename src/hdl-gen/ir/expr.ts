/**
 * Typed Verilog expressions. Every expression knows its bit width and the nets it reads, so the
 * builders can refuse width mismatches (what `verilator -Wall` reports as WIDTH) at generation time
 * and the module checker can find undeclared or unread nets. Nets are unsigned; signed operations
 * say so explicitly (`$signed`), which is the only place signedness exists.
 */

export interface Expr {
  /** Verilog text; compound expressions are parenthesized, so any Expr can be an operand. */
  readonly text: string;
  readonly width: number;
  /** Names of nets, ports and memories read. */
  readonly refs: readonly string[];
  /** Set for a bare identifier (it can be sliced or indexed). */
  readonly ident?: string;
  /** Set for a constant bit select of an identifier (usable as an assignment target). */
  readonly sliceOf?: { readonly net: string; readonly hi: number; readonly lo: number };
}

export class WidthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WidthError';
  }
}

function mk(text: string, width: number, ...parts: readonly Expr[]): Expr {
  if (!Number.isInteger(width) || width < 1) throw new WidthError(`expression ${text} has width ${width}`);
  const refs = new Set<string>();
  for (const p of parts) for (const r of p.refs) refs.add(r);
  return { text, width, refs: [...refs] };
}

function sameWidth(op: string, a: Expr, b: Expr): void {
  if (a.width !== b.width) throw new WidthError(`${op}: operand widths differ: ${a.text} is ${a.width} bits, ${b.text} is ${b.width} bits`);
}

/** A reference to a net (or port) of a given width. */
export function ref(name: string, width: number): Expr {
  if (width < 1) throw new WidthError(`net ${name} has width ${width}`);
  return { text: name, width, refs: [name], ident: name };
}

/** A sized literal; negative values are written in two's complement. */
export function lit(width: number, value: number | bigint): Expr {
  let v = BigInt(value);
  if (width < 1) throw new WidthError(`literal of width ${width}`);
  const lim = 1n << BigInt(width);
  if (v < 0n) {
    if (-v > lim / 2n) throw new WidthError(`literal ${value} does not fit ${width} signed bits`);
    v += lim;
  }
  if (v >= lim) throw new WidthError(`literal ${value} does not fit ${width} bits`);
  const text = width <= 8 || v < 1024n ? `${width}'d${v}` : `${width}'h${v.toString(16)}`;
  return { text, width, refs: [] };
}

/**
 * An all-X constant: "any value", for the default of a combinational temporary whose value is used
 * only on paths that assign it (synthesis drops the default; no state can ever hold an X).
 */
export function dontCare(width: number): Expr {
  if (width < 1) throw new WidthError(`don't-care of width ${width}`);
  return { text: `${width}'bx`, width, refs: [] };
}

export const one = lit(1, 1);
export const zero1 = lit(1, 0);

/** Bits [hi:lo] of an identifier (Verilog cannot slice an arbitrary expression). */
export function slice(e: Expr, hi: number, lo: number): Expr {
  if (e.sliceOf && !e.ident) {
    if (lo < 0 || hi >= e.width || hi < lo) throw new WidthError(`slice [${hi}:${lo}] out of ${e.text}`);
    const base = e.sliceOf;
    const text = hi === lo ? `${base.net}[${base.lo + hi}]` : `${base.net}[${base.lo + hi}:${base.lo + lo}]`;
    return { text, width: hi - lo + 1, refs: e.refs, sliceOf: { net: base.net, hi: base.lo + hi, lo: base.lo + lo } };
  }
  if (!e.ident) throw new WidthError(`slice of a non-identifier ${e.text}`);
  if (lo < 0 || hi >= e.width || hi < lo) throw new WidthError(`slice [${hi}:${lo}] out of ${e.ident}[${e.width - 1}:0]`);
  if (lo === 0 && hi === e.width - 1) return e;
  const text = hi === lo ? `${e.ident}[${hi}]` : `${e.ident}[${hi}:${lo}]`;
  return { text, width: hi - lo + 1, refs: e.refs, sliceOf: { net: e.ident, hi, lo } };
}

export function bit(e: Expr, i: number): Expr {
  return slice(e, i, i);
}

/** Lane j (w bits) of a packed vector of lanes: bits [j·w +: w] of an identifier. */
export function lane(e: Expr, j: number, w: number): Expr {
  return slice(e, j * w + w - 1, j * w);
}

/**
 * A packed shift register's next value: e moved up by one lane, x entering lane 0 and the top lane
 * dropping out (e must be an identifier; x is one lane wide).
 */
export function shiftIn(e: Expr, x: Expr): Expr {
  if (e.width % x.width !== 0) throw new WidthError(`shift of ${x.width}-bit lanes into ${e.width}-bit ${e.text}`);
  return e.width === x.width ? x : cat(slice(e, e.width - x.width - 1, 0), x);
}

/** Indexed part select e[base*w +: w] with a variable base (e must be an identifier). */
export function partSel(e: Expr, index: Expr, w: number): Expr {
  if (!e.ident) throw new WidthError(`part select of a non-identifier ${e.text}`);
  if (e.width % w !== 0) throw new WidthError(`part select of ${w} bits from ${e.width}-bit ${e.ident}`);
  const n = e.width / w;
  if (n === 1) return e;
  return mk(`${e.ident}[${index.text} * ${w} +: ${w}]`, w, e, index);
}

/** Concatenation, most significant first. */
export function cat(...es: readonly Expr[]): Expr {
  const parts = es.filter((e) => e.width > 0);
  if (parts.length === 1) return parts[0]!;
  return mk(`{${parts.map((e) => e.text).join(', ')}}`, parts.reduce((s, e) => s + e.width, 0), ...parts);
}

export function rep(n: number, e: Expr): Expr {
  if (n === 1) return e;
  return mk(`{${n}{${e.text}}}`, n * e.width, e);
}

export function zext(e: Expr, w: number): Expr {
  if (w < e.width) throw new WidthError(`zext of ${e.width}-bit ${e.text} to ${w}`);
  return w === e.width ? e : cat(lit(w - e.width, 0), e);
}

/** Sign-extend an identifier (its MSB is replicated). */
export function sext(e: Expr, w: number): Expr {
  if (w < e.width) throw new WidthError(`sext of ${e.width}-bit ${e.text} to ${w}`);
  if (w === e.width) return e;
  return cat(rep(w - e.width, bit(e, e.width - 1)), e);
}

/** Low w bits of an identifier. */
export function trunc(e: Expr, w: number): Expr {
  return slice(e, w - 1, 0);
}

const bin = (op: string) => (a: Expr, b: Expr): Expr => {
  sameWidth(op, a, b);
  return mk(`(${a.text} ${op} ${b.text})`, a.width, a, b);
};
export const add = bin('+');
export const sub = bin('-');
export const and = bin('&');
export const or = bin('|');
export const xor = bin('^');

/** Unsigned product of full width (operands zero-extended first). */
export function mulU(a: Expr, b: Expr): Expr {
  const w = a.width + b.width;
  const A = zext(a, w);
  const B = zext(b, w);
  return mk(`(${A.text} * ${B.text})`, w, A, B);
}

/** Unsigned product wrapped to w bits (operands zero-extended to w first, so no bits are dropped from a net). */
export function mulN(a: Expr, b: Expr, w: number): Expr {
  const A = zext(a, w);
  const B = zext(b, w);
  return mk(`(${A.text} * ${B.text})`, w, A, B);
}

/** Signed product of full width; operands must be identifiers (sign-extended first). */
export function mulS(a: Expr, b: Expr): Expr {
  const w = a.width + b.width;
  const A = sext(a, w);
  const B = sext(b, w);
  return mk(`($signed(${A.text}) * $signed(${B.text}))`, w, A, B);
}

/** Signed product in w bits (operands sign-extended to w first; exact when w ≥ both widths' sum). */
export function mulSN(a: Expr, b: Expr, w: number): Expr {
  const A = sext(a, w);
  const B = sext(b, w);
  return mk(`($signed(${A.text}) * $signed(${B.text}))`, w, A, B);
}

const cmp = (op: string, signed: boolean) => (a: Expr, b: Expr): Expr => {
  sameWidth(op, a, b);
  const t = signed ? `($signed(${a.text}) ${op} $signed(${b.text}))` : `(${a.text} ${op} ${b.text})`;
  return mk(t, 1, a, b);
};
export const eq = cmp('==', false);
export const ne = cmp('!=', false);
export const ult = cmp('<', false);
export const ule = cmp('<=', false);
export const ugt = cmp('>', false);
export const uge = cmp('>=', false);
export const slt = cmp('<', true);
export const sle = cmp('<=', true);
export const sgt = cmp('>', true);
export const sge = cmp('>=', true);

export function not(a: Expr): Expr {
  return mk(`(~${a.text})`, a.width, a);
}
/** Logical operators on 1-bit values. */
export function lnot(a: Expr): Expr {
  if (a.width !== 1) throw new WidthError(`! of ${a.width}-bit ${a.text}`);
  return mk(`(!${a.text})`, 1, a);
}
export function land(...es: readonly Expr[]): Expr {
  if (es.length === 0) return one;
  for (const e of es) if (e.width !== 1) throw new WidthError(`&& of ${e.width}-bit ${e.text}`);
  if (es.length === 1) return es[0]!;
  return mk(`(${es.map((e) => e.text).join(' && ')})`, 1, ...es);
}
export function lor(...es: readonly Expr[]): Expr {
  if (es.length === 0) return zero1;
  for (const e of es) if (e.width !== 1) throw new WidthError(`|| of ${e.width}-bit ${e.text}`);
  if (es.length === 1) return es[0]!;
  return mk(`(${es.map((e) => e.text).join(' || ')})`, 1, ...es);
}
export function redOr(a: Expr): Expr {
  return a.width === 1 ? a : mk(`(|${a.text})`, 1, a);
}
export function redAnd(a: Expr): Expr {
  return a.width === 1 ? a : mk(`(&${a.text})`, 1, a);
}

export function mux(c: Expr, t: Expr, f: Expr): Expr {
  if (c.width !== 1) throw new WidthError(`mux select ${c.text} is ${c.width} bits`);
  sameWidth('?:', t, f);
  return mk(`(${c.text} ? ${t.text} : ${f.text})`, t.width, c, t, f);
}

/** Priority select: the first case whose condition holds, else `dflt`. */
export function select(cases: readonly (readonly [Expr, Expr])[], dflt: Expr): Expr {
  let e = dflt;
  for (let i = cases.length - 1; i >= 0; i--) e = mux(cases[i]![0], cases[i]![1], e);
  return e;
}

/** Logical shifts by a variable amount (result keeps the operand's width). */
export function shl(a: Expr, sh: Expr): Expr {
  return mk(`(${a.text} << ${sh.text})`, a.width, a, sh);
}
export function shr(a: Expr, sh: Expr): Expr {
  return mk(`(${a.text} >> ${sh.text})`, a.width, a, sh);
}
/** Arithmetic right shift (operand taken as signed). */
export function sra(a: Expr, sh: Expr): Expr {
  return mk(`($signed(${a.text}) >>> ${sh.text})`, a.width, a, sh);
}

/** Element `index` of a memory (a read). */
export function memRead(mem: string, width: number, index: Expr): Expr {
  return { text: `${mem}[${index.text}]`, width, refs: [mem, ...index.refs] };
}

/** Number of bits to hold values 0..n-1 (at least 1). */
export function clog2(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return Math.max(1, b);
}

/** Bits to hold the value n itself. */
export function bitsFor(n: number): number {
  return clog2(n + 1);
}
