/**
 * The Verilog IR: modules with ANSI ports, nets, memories, continuous assigns, combinational and
 * clocked always blocks, named-port instances and parameters. Block generators build it through
 * ModuleBuilder; `checkDesign` validates it and `printModule` is the only code that writes Verilog.
 */
import { ref, WidthError, type Expr } from './expr.js';

export type Dir = 'input' | 'output';

export interface Port {
  readonly dir: Dir;
  readonly name: string;
  readonly width: number;
  readonly doc?: string;
}

export interface Net {
  readonly name: string;
  readonly width: number;
  readonly doc?: string;
  /** Keep visible to the Verilator test bench (`verilator public_flat_rd`). */
  readonly publicRead?: boolean;
  /**
   * A temporary of one clocked block: assigned there with `=` (setNow) and read only there, after
   * its assignment. Logic written so is evaluated only on the paths that need it — a Verilated
   * model skips it while the unit idles; synthesis sees the same combinational logic.
   */
  readonly temp?: boolean;
}

export interface Mem {
  readonly name: string;
  readonly width: number;
  readonly depth: number;
  readonly doc?: string;
  /** The design never reads a word in the cycle it is written: synthesis may skip collision logic. */
  readonly noRwCheck?: boolean;
}

export interface Param {
  readonly name: string;
  readonly width: number;
  readonly value: number;
  readonly doc?: string;
}

/** An assignment target: a whole net, a constant slice of it, or a memory word (optionally a lane of it). */
export type LValue =
  | { readonly kind: 'net'; readonly net: string; readonly hi: number; readonly lo: number; readonly whole: boolean }
  | { readonly kind: 'mem'; readonly mem: string; readonly index: Expr; readonly lo: number; readonly width: number; readonly whole: boolean };

export type Stmt =
  | { readonly kind: 'set'; readonly lhs: LValue; readonly rhs: Expr; readonly blocking?: boolean }
  | { readonly kind: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  | { readonly kind: 'case'; readonly sel: Expr; readonly items: readonly CaseItem[]; readonly dflt: readonly Stmt[] }
  | { readonly kind: 'comment'; readonly text: string };

export interface CaseItem {
  readonly labels: readonly Expr[];
  readonly body: readonly Stmt[];
}

export interface Always {
  readonly kind: 'comb' | 'ff';
  readonly body: readonly Stmt[];
  readonly doc?: string;
}

export interface Assign {
  readonly lhs: LValue;
  readonly rhs: Expr;
  readonly doc?: string;
}

export interface Instance {
  readonly module: string;
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly value: number }[];
  readonly conns: readonly { readonly port: string; readonly expr: Expr }[];
  readonly doc?: string;
}

export interface Module {
  readonly name: string;
  /** Lines of the module's header comment (what it is, the hardware reason). */
  readonly doc: readonly string[];
  readonly params: readonly Param[];
  readonly localparams: readonly Param[];
  readonly ports: readonly Port[];
  readonly nets: readonly Net[];
  readonly mems: readonly Mem[];
  readonly assigns: readonly Assign[];
  readonly always: readonly Always[];
  readonly instances: readonly Instance[];
}

/** The assignment target an expression denotes (an identifier or a constant slice of one). */
export function lvalueOf(e: Expr): LValue {
  if (e.ident) return { kind: 'net', net: e.ident, hi: e.width - 1, lo: 0, whole: true };
  if (e.sliceOf) return { kind: 'net', net: e.sliceOf.net, hi: e.sliceOf.hi, lo: e.sliceOf.lo, whole: false };
  throw new WidthError(`${e.text} cannot be assigned to`);
}

function lvWidth(lv: LValue): number {
  return lv.kind === 'net' ? lv.hi - lv.lo + 1 : lv.width;
}

/** Statement builders. */
export function set(lhs: Expr, rhs: Expr): Stmt {
  const lv = lvalueOf(lhs);
  if (lvWidth(lv) !== rhs.width) throw new WidthError(`${lhs.text} (${lvWidth(lv)} bits) = ${rhs.text} (${rhs.width} bits)`);
  return { kind: 'set', lhs: lv, rhs };
}

/** A block temporary (ModuleBuilder.temp) gets its value now, for the statements after this one. */
export function setNow(lhs: Expr, rhs: Expr): Stmt {
  const st = set(lhs, rhs);
  if (st.kind !== 'set' || st.lhs.kind !== 'net' || !st.lhs.whole) throw new WidthError(`${lhs.text}: only a whole temporary can be set now`);
  return { ...st, blocking: true };
}

/** mem[index][lo +: rhs.width] = rhs (the whole word when lo = 0 and the width matches). */
export function setMem(mem: Mem, index: Expr, rhs: Expr, lo = 0): Stmt {
  if (lo + rhs.width > mem.width) throw new WidthError(`write of ${rhs.width} bits at ${lo} into ${mem.width}-bit ${mem.name}`);
  return { kind: 'set', lhs: { kind: 'mem', mem: mem.name, index, lo, width: rhs.width, whole: lo === 0 && rhs.width === mem.width }, rhs };
}

export function iff(cond: Expr, then: readonly Stmt[], els: readonly Stmt[] = []): Stmt {
  if (cond.width !== 1) throw new WidthError(`if condition ${cond.text} is ${cond.width} bits`);
  return { kind: 'if', cond, then, else: els };
}

export function cases(sel: Expr, items: readonly CaseItem[], dflt: readonly Stmt[]): Stmt {
  for (const it of items) for (const l of it.labels) {
    if (l.width !== sel.width) throw new WidthError(`case label ${l.text} is ${l.width} bits, selector ${sel.text} ${sel.width}`);
  }
  return { kind: 'case', sel, items, dflt };
}

export function note(text: string): Stmt {
  return { kind: 'comment', text };
}

/** Incrementally builds a Module; every declaration returns a typed reference. */
export class ModuleBuilder {
  private readonly m = {
    params: [] as Param[],
    localparams: [] as Param[],
    ports: [] as Port[],
    nets: [] as Net[],
    mems: [] as Mem[],
    assigns: [] as Assign[],
    always: [] as Always[],
    instances: [] as Instance[],
  };
  private readonly names = new Set<string>();

  constructor(readonly name: string, private readonly doc: readonly string[]) {}

  private claim(n: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`${this.name}: bad identifier ${JSON.stringify(n)}`);
    if (this.names.has(n)) throw new Error(`${this.name}: ${n} declared twice`);
    this.names.add(n);
  }

  param(name: string, width: number, value: number, doc?: string): Expr {
    this.claim(name);
    this.m.params.push({ name, width, value, doc });
    return ref(name, width);
  }

  /** A named constant (printed as a sized localparam). */
  constant(name: string, width: number, value: number, doc?: string): Expr {
    this.claim(name);
    this.m.localparams.push({ name, width, value, doc });
    return ref(name, width);
  }

  input(name: string, width: number, doc?: string): Expr {
    this.claim(name);
    this.m.ports.push({ dir: 'input', name, width, doc });
    return ref(name, width);
  }

  output(name: string, width: number, doc?: string): Expr {
    this.claim(name);
    this.m.ports.push({ dir: 'output', name, width, doc });
    return ref(name, width);
  }

  /** Declare a net; its driver (assign, always block or instance output) comes separately. */
  net(name: string, width: number, doc?: string, publicRead = false): Expr {
    this.claim(name);
    this.m.nets.push({ name, width, doc, publicRead });
    return ref(name, width);
  }

  /** Declare a temporary of one clocked block (see Net.temp); assign it with setNow. */
  temp(name: string, width: number, doc?: string): Expr {
    this.claim(name);
    this.m.nets.push({ name, width, doc, temp: true });
    return ref(name, width);
  }

  /** Declare a net and drive it with a continuous assignment. */
  let(name: string, rhs: Expr, doc?: string): Expr {
    const n = this.net(name, rhs.width, doc);
    this.assign(n, rhs);
    return n;
  }

  assign(lhs: Expr, rhs: Expr, doc?: string): void {
    const lv = lvalueOf(lhs);
    if (lvWidth(lv) !== rhs.width) throw new WidthError(`${this.name}: assign ${lhs.text} (${lvWidth(lv)} bits) = ${rhs.text} (${rhs.width} bits)`);
    this.m.assigns.push({ lhs: lv, rhs, doc });
  }

  mem(name: string, width: number, depth: number, doc?: string, opts: { readonly noRwCheck?: boolean } = {}): Mem {
    this.claim(name);
    const mm = { name, width, depth, doc, ...(opts.noRwCheck ? { noRwCheck: true } : {}) };
    this.m.mems.push(mm);
    return mm;
  }

  comb(body: readonly Stmt[], doc?: string): void {
    this.m.always.push({ kind: 'comb', body, doc });
  }

  /** A block clocked on the rising edge of `clk` (the only clock of the chip). */
  ff(body: readonly Stmt[], doc?: string): void {
    this.m.always.push({ kind: 'ff', body, doc });
  }

  inst(module: Module, name: string, conns: Readonly<Record<string, Expr>>, doc?: string, params: Readonly<Record<string, number>> = {}): void {
    this.claim(name);
    const list: { port: string; expr: Expr }[] = [];
    for (const p of module.ports) {
      const e = conns[p.name];
      if (!e) throw new Error(`${this.name}.${name}: port ${p.name} of ${module.name} not connected`);
      if (e.width !== p.width) throw new WidthError(`${this.name}.${name}.${p.name}: ${module.name} port is ${p.width} bits, connected ${e.text} is ${e.width}`);
      list.push({ port: p.name, expr: e });
    }
    for (const k of Object.keys(conns)) {
      if (!module.ports.some((p) => p.name === k)) throw new Error(`${this.name}.${name}: ${module.name} has no port ${k}`);
    }
    this.m.instances.push({
      module: module.name,
      name,
      params: Object.entries(params).map(([n, value]) => ({ name: n, value })),
      conns: list,
      doc,
    });
  }

  build(): Module {
    return { name: this.name, doc: this.doc, ...this.m };
  }
}
