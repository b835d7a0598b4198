/**
 * Latch a combinational block's results: turn a module whose logic is continuous assignments only
 * into one that evaluates them only when `fresh` is high and, the rest of the time, gives the values
 * latched at its last fresh cycle (or, in `register` mode, only ever the latched values). For a block whose inputs are known not to change between fresh
 * cycles the outputs are the same either way; what changes is the cost in a simulator, which then
 * skips the logic on held cycles (hardware: one register per output bit and a 2:1 select).
 *
 *   always @* begin                    always @(posedge clk)
 *     out = out_q; t = 'x;               if (fresh) out_q <= out;
 *     if (fresh) begin t = …; out = …; end
 *   end
 *
 * The intermediate nets default to don't-care: they are read only inside the `if`, after they are
 * set (the assignments are put in dependency order).
 */
import { dontCare, ref } from './expr.js';
import { iff, lvalueOf, type Always, type Assign, type Module, type Net, type Port, type Stmt } from './module.js';

export function latchOnFresh(m: Module, freshDoc: string, mode: LatchMode = 'latch'): Module {
  if (m.always.length || m.instances.length || m.mems.length) throw new Error(`${m.name}: latchOnFresh takes a module of continuous assignments only`);
  for (const p of m.ports) if (p.name === 'clk' || p.name === 'fresh') throw new Error(`${m.name}: port ${p.name} exists already`);
  const outputs = m.ports.filter((p) => p.dir === 'output');
  const latched: Net[] = outputs.map((p) => ({ name: `${p.name}_q`, width: p.width, doc: `${p.name} of the last fresh cycle` }));
  const taken = new Set([...m.ports.map((p) => p.name), ...m.nets.map((n) => n.name)]);
  for (const l of latched) if (taken.has(l.name)) throw new Error(`${m.name}: ${l.name} exists already`);

  const ordered = dependencyOrder(m);
  const fresh = ref('fresh', 1);
  const registered = mode === 'register';
  const defaults: Stmt[] = [
    // Registered: the block's results exist only in the fresh cycle, which nothing but the
    // registers reads, so they are don't-care the rest of the time.
    ...outputs.map((p): Stmt => ({ kind: 'set', lhs: lvalueOf(ref(p.name, p.width)), rhs: registered ? dontCare(p.width) : ref(`${p.name}_q`, p.width) })),
    ...m.nets.map((n): Stmt => ({ kind: 'set', lhs: lvalueOf(ref(n.name, n.width)), rhs: dontCare(n.width) })),
  ];
  const body: Stmt[] = ordered.map((a) => ({ kind: 'set', lhs: a.lhs, rhs: a.rhs }));
  const comb: Always = { kind: 'comb', body: [...defaults, iff(fresh, body)], doc: 'evaluated only on a fresh cycle' };
  const ff: Always = {
    kind: 'ff',
    body: [iff(fresh, outputs.map((p): Stmt => ({ kind: 'set', lhs: lvalueOf(ref(`${p.name}_q`, p.width)), rhs: ref(p.name, p.width) })))],
  };
  const inputs: Port[] = [
    { dir: 'input', name: 'clk', width: 1 },
    { dir: 'input', name: 'fresh', width: 1, doc: freshDoc },
  ];
  if (registered) {
    // The registers are the outputs: a reader starts its paths at a flip-flop, not behind the
    // fresh/held select (which static timing could not know is never taken in the same cycle).
    const regPorts: Port[] = outputs.map((p, i): Port => ({ dir: 'output', name: latched[i]!.name, width: p.width, doc: latched[i]!.doc }));
    const internal: Net[] = outputs.map((p): Net => ({ name: p.name, width: p.width, ...(p.doc !== undefined ? { doc: p.doc } : {}) }));
    const ports: Port[] = [...inputs, ...m.ports.filter((p) => p.dir !== 'output'), ...regPorts];
    return { ...m, ports, nets: [...m.nets, ...internal], assigns: [], always: [comb, ff] };
  }
  return { ...m, ports: [...inputs, ...m.ports], nets: [...m.nets, ...latched], assigns: [], always: [comb, ff] };
}

/**
 * `latch`: outputs are the fresh cycle's values, then the latched ones (a 2:1 select).
 * `register`: outputs `<name>_q` are the registers alone, loaded in the fresh cycle; the block's
 * results are visible from the next cycle on (a pipeline stage).
 */
export type LatchMode = 'latch' | 'register';

/**
 * The assignments sorted so that each comes after those of the nets it reads. Per net, not per bit:
 * a net whose slices feed each other is reported as a loop (loudly, at generation time).
 */
function dependencyOrder(m: Module): Assign[] {
  const byNet = new Map<string, Assign[]>();
  for (const a of m.assigns) {
    const n = a.lhs.kind === 'net' ? a.lhs.net : a.lhs.mem;
    byNet.set(n, [...(byNet.get(n) ?? []), a]);
  }
  const out: Assign[] = [];
  const state = new Map<string, 'busy' | 'done'>();
  const visit = (n: string): void => {
    const st = state.get(n);
    if (st === 'done') return;
    if (st === 'busy') throw new Error(`${m.name}: combinational loop through ${n}`);
    state.set(n, 'busy');
    for (const a of byNet.get(n) ?? []) for (const r of a.rhs.refs) if (byNet.has(r)) visit(r);
    state.set(n, 'done');
    out.push(...(byNet.get(n) ?? []));
  };
  for (const a of m.assigns) visit(a.lhs.kind === 'net' ? a.lhs.net : a.lhs.mem);
  return out;
}
