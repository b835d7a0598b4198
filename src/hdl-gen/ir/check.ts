/**
 * Checks run on the IR before any Verilog is printed, so generator bugs surface as precise
 * TypeScript errors instead of simulator surprises:
 * - every name an expression reads is declared;
 * - every net and output port has exactly one driver (an assign, one always block or an instance
 *   output), or several assigns/instance outputs on disjoint bit ranges that cover it exactly;
 * - inputs are never driven; memories are written by exactly one clocked block;
 * - combinational blocks give every net they assign an unconditional default first (no latches);
 * - block temporaries (setNow) belong to one clocked block, are read only there and only after
 *   they are set on that path (else the read would see last cycle's value: a hidden register);
 * - every input, net and memory is read somewhere (what verilator -Wall reports as UNUSED), except
 *   nets whose names contain `unused` (Verilator's own convention for deliberately dropped bits);
 * - instances name existing modules, connect every port with the right width, and outputs go to
 *   assignable targets.
 */
import { lvalueOf, type LValue, type Module, type Stmt } from './module.js';

export class DesignError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`generated design is inconsistent:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DesignError';
  }
}

interface Driver {
  readonly what: string;
  readonly lo: number;
  readonly hi: number;
  readonly partial: boolean;
}

function walk(stmts: readonly Stmt[], f: (s: Stmt) => void): void {
  for (const s of stmts) {
    f(s);
    if (s.kind === 'if') {
      walk(s.then, f);
      walk(s.else, f);
    } else if (s.kind === 'case') {
      for (const it of s.items) walk(it.body, f);
      walk(s.dflt, f);
    }
  }
}

function stmtReads(s: Stmt, add: (names: readonly string[]) => void): void {
  if (s.kind === 'set') {
    add(s.rhs.refs);
    if (s.lhs.kind === 'mem') add(s.lhs.index.refs);
  } else if (s.kind === 'if') add(s.cond.refs);
  else if (s.kind === 'case') {
    add(s.sel.refs);
    for (const it of s.items) for (const l of it.labels) add(l.refs);
  }
}

function targetName(lv: LValue): string {
  return lv.kind === 'net' ? lv.net : lv.mem;
}

/** Check one module against the library of modules it may instantiate; returns problems found. */
export function checkModule(m: Module, lib: ReadonlyMap<string, Module>): string[] {
  const problems: string[] = [];
  const where = (s: string): void => void problems.push(`${m.name}: ${s}`);
  const width = new Map<string, number>();
  const kind = new Map<string, 'input' | 'output' | 'net' | 'mem' | 'param'>();
  for (const p of [...m.params, ...m.localparams]) { width.set(p.name, p.width); kind.set(p.name, 'param'); }
  for (const p of m.ports) { width.set(p.name, p.width); kind.set(p.name, p.dir); }
  for (const n of m.nets) { width.set(n.name, n.width); kind.set(n.name, 'net'); }
  for (const mm of m.mems) { width.set(mm.name, mm.width); kind.set(mm.name, 'mem'); }

  const read = new Set<string>();
  const addReads = (names: readonly string[]): void => {
    for (const n of names) {
      if (!kind.has(n)) where(`reads undeclared ${n}`);
      read.add(n);
    }
  };
  const drivers = new Map<string, Driver[]>();
  const drive = (name: string, d: Driver): void => {
    const k = kind.get(name);
    if (k === undefined) return where(`drives undeclared ${name}`);
    if (k === 'input' || k === 'param') return where(`drives ${k} ${name}`);
    const list = drivers.get(name) ?? [];
    list.push(d);
    drivers.set(name, list);
  };
  const lvDriver = (lv: LValue, what: string): Driver => {
    if (lv.kind === 'mem') return { what, lo: 0, hi: (width.get(lv.mem) ?? 1) - 1, partial: false };
    const w = width.get(lv.net) ?? 0;
    if (lv.hi >= w) where(`${what} drives ${lv.net}[${lv.hi}:${lv.lo}] beyond its ${w} bits`);
    return { what, lo: lv.lo, hi: lv.hi, partial: !lv.whole };
  };

  m.assigns.forEach((a, i) => {
    addReads(a.rhs.refs);
    if (a.lhs.kind === 'mem') where('assign to a memory');
    drive(targetName(a.lhs), lvDriver(a.lhs, `assign #${i}`));
  });

  m.always.forEach((blk, i) => {
    if (blk.kind === 'ff') addReads(['clk']);
    const what = `${blk.kind} block #${i}${blk.doc ? ` (${blk.doc})` : ''}`;
    const targets = new Map<string, LValue>();
    walk(blk.body, (s) => {
      stmtReads(s, addReads);
      if (s.kind !== 'set') return;
      const t = targetName(s.lhs);
      if (s.lhs.kind === 'mem' && blk.kind === 'comb') where(`${what} writes memory ${t}`);
      if (!targets.has(t)) targets.set(t, s.lhs);
    });
    for (const [t, lv] of targets) {
      drive(t, { ...lvDriver(lv, what), lo: 0, hi: (width.get(t) ?? 1) - 1, partial: false });
    }
    if (blk.kind === 'comb') {
      // Latch check: whole-net defaults at the top level before any conditional statement.
      const defaulted = new Set<string>();
      for (const s of blk.body) {
        if (s.kind === 'set') {
          if (s.lhs.kind === 'net' && s.lhs.whole) defaulted.add(s.lhs.net);
          else if (s.lhs.kind === 'net' && !defaulted.has(s.lhs.net)) where(`${what}: ${s.lhs.net} assigned in part before a default`);
        } else {
          walk([s], (x) => {
            if (x.kind === 'set' && !defaulted.has(targetName(x.lhs))) where(`${what}: ${targetName(x.lhs)} has no default (would infer a latch)`);
          });
        }
      }
    }
  });

  checkTemps(m, where);
  for (const inst of m.instances) {
    const sub = lib.get(inst.module);
    if (!sub) { where(`instance ${inst.name} of unknown module ${inst.module}`); continue; }
    for (const c of inst.conns) {
      const p = sub.ports.find((q) => q.name === c.port);
      if (!p) { where(`${inst.name}: ${inst.module} has no port ${c.port}`); continue; }
      if (p.width !== c.expr.width) where(`${inst.name}.${c.port}: ${p.width}-bit port connected to ${c.expr.width}-bit ${c.expr.text}`);
      if (p.dir === 'input') addReads(c.expr.refs);
      else {
        try {
          const lv = lvalueOf(c.expr);
          drive(targetName(lv), lvDriver(lv, `instance ${inst.name}.${c.port}`));
        } catch {
          where(`${inst.name}.${c.port}: output connected to a non-assignable ${c.expr.text}`);
        }
      }
    }
    if (sub.ports.length !== inst.conns.length) where(`${inst.name}: ${sub.ports.length - inst.conns.length} ports of ${inst.module} unconnected`);
    for (const p of inst.params) if (!sub.params.some((q) => q.name === p.name)) where(`${inst.name}: ${inst.module} has no parameter ${p.name}`);
  }

  for (const [name, k] of kind) {
    if (k === 'param' || k === 'input') continue;
    const ds = drivers.get(name) ?? [];
    const w = width.get(name) ?? 0;
    if (ds.length === 0) { where(`${k} ${name} has no driver`); continue; }
    if (k === 'mem') {
      if (ds.length > 1) where(`memory ${name} written by ${ds.length} blocks`);
      continue;
    }
    if (ds.length > 1 || ds[0]!.partial) {
      const owner = new Array<string | undefined>(w).fill(undefined);
      for (const d of ds) {
        if (!d.partial && ds.length > 1) where(`${name} has several drivers: ${ds.map((x) => x.what).join(', ')}`);
        for (let b = d.lo; b <= d.hi && b < w; b++) {
          if (owner[b]) where(`${name}[${b}] driven by ${owner[b]} and ${d.what}`);
          owner[b] = d.what;
        }
      }
      const missing = owner.findIndex((o) => o === undefined);
      if (missing >= 0) where(`${name}[${missing}] has no driver`);
    }
  }
  for (const [name, k] of kind) {
    if (k === 'output' || k === 'param') continue;
    if (!read.has(name) && !/unused/.test(name)) where(`${k} ${name} is never read`);
  }
  return problems;
}

/** Check a whole design; throws DesignError listing every problem. */
export function checkDesign(modules: readonly Module[]): void {
  const lib = new Map<string, Module>();
  const problems: string[] = [];
  for (const m of modules) {
    if (lib.has(m.name)) problems.push(`module ${m.name} defined twice`);
    lib.set(m.name, m);
  }
  for (const m of modules) problems.push(...checkModule(m, lib));
  if (problems.length) throw new DesignError(problems);
}

/** The rules of block temporaries (Net.temp, setNow). */
function checkTemps(m: Module, where: (s: string) => void): void {
  const temps = new Set(m.nets.filter((n) => n.temp).map((n) => n.name));
  const owner = new Map<string, number>();
  m.always.forEach((blk, i) => {
    walk(blk.body, (s) => {
      if (s.kind !== 'set') return;
      const t = targetName(s.lhs);
      if (s.blocking && blk.kind === 'comb') where(`setNow of ${t} in a combinational block`);
      if (s.blocking && !temps.has(t)) where(`setNow of ${t}, which is not a temporary`);
      if (!s.blocking && temps.has(t)) where(`temporary ${t} assigned with <=`);
      if (temps.has(t)) {
        if (owner.has(t) && owner.get(t) !== i) where(`temporary ${t} set in two blocks`);
        owner.set(t, i);
      }
    });
  });
  const readsOf = (refs: readonly string[], ctx: string, blk?: number): void => {
    for (const r of refs) if (temps.has(r) && owner.get(r) !== blk) where(`temporary ${r} read outside its block (${ctx})`);
  };
  m.assigns.forEach((a) => readsOf(a.rhs.refs, `assign to ${targetName(a.lhs)}`));
  for (const inst of m.instances) for (const c of inst.conns) readsOf(c.expr.refs, `${inst.name}.${c.port}`);
  m.always.forEach((blk, i) => {
    // Read-after-set on every path: `set` is what is surely assigned before each statement.
    const flow = (stmts: readonly Stmt[], set: ReadonlySet<string>): Set<string> => {
      const now = new Set(set);
      const use = (refs: readonly string[]): void => {
        readsOf(refs, `block #${i}`, i);
        for (const r of refs) if (temps.has(r) && !now.has(r)) where(`temporary ${r} read before it is set`);
      };
      for (const st of stmts) {
        if (st.kind === 'set') {
          use(st.rhs.refs);
          if (st.lhs.kind === 'mem') use(st.lhs.index.refs);
          if (st.blocking) now.add(targetName(st.lhs));
        } else if (st.kind === 'if') {
          use(st.cond.refs);
          const a = flow(st.then, now);
          const b = flow(st.else, now);
          for (const t of a) if (b.has(t)) now.add(t);
        } else if (st.kind === 'case') {
          use(st.sel.refs);
          for (const it of st.items) for (const l of it.labels) use(l.refs);
          const outs = [...st.items.map((it) => flow(it.body, now)), flow(st.dflt, now)];
          for (const t of outs[0]!) if (outs.every((o) => o.has(t))) now.add(t);
        }
      }
      return now;
    };
    flow(blk.body, new Set());
  });
}
