/**
 * The one Verilog printer: owns syntax, declaration order and indentation. Nets are declared `reg`
 * exactly when an always block drives them (decided here from the IR, never by the generators).
 * Blocking assignments in combinational blocks, non-blocking in clocked ones.
 */
import type { Expr } from './expr.js';
import type { LValue, Module, Stmt } from './module.js';

const IND = '  ';

function range(w: number): string {
  return w === 1 ? '' : `[${w - 1}:0]`;
}

function lvText(lv: LValue): string {
  if (lv.kind === 'net') return lv.whole ? lv.net : lv.hi === lv.lo ? `${lv.net}[${lv.hi}]` : `${lv.net}[${lv.hi}:${lv.lo}]`;
  const word = `${lv.mem}[${lv.index.text}]`;
  return lv.whole ? word : lv.width === 1 ? `${word}[${lv.lo}]` : `${word}[${lv.lo + lv.width - 1}:${lv.lo}]`;
}

/** Strip one level of redundant outer parentheses for readability at statement level. */
function top(e: Expr): string {
  const t = e.text;
  if (!t.startsWith('(') || !t.endsWith(')')) return t;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')') depth--;
    if (depth === 0 && i < t.length - 1) return t;
  }
  return t.slice(1, -1);
}

function stmts(out: string[], body: readonly Stmt[], op: string, ind: string): void {
  for (const s of body) {
    switch (s.kind) {
      case 'comment':
        out.push(`${ind}// ${s.text}`);
        break;
      case 'set':
        out.push(`${ind}${lvText(s.lhs)} ${s.blocking ? '=' : op} ${top(s.rhs)};`);
        break;
      case 'if': {
        out.push(`${ind}if (${top(s.cond)}) begin`);
        stmts(out, s.then, op, ind + IND);
        let els = s.else;
        // else-if chains stay flat.
        while (els.length === 1 && els[0]!.kind === 'if') {
          const e = els[0]!;
          out.push(`${ind}end else if (${top(e.cond)}) begin`);
          stmts(out, e.then, op, ind + IND);
          els = e.else;
        }
        if (els.length) {
          out.push(`${ind}end else begin`);
          stmts(out, els, op, ind + IND);
        }
        out.push(`${ind}end`);
        break;
      }
      case 'case':
        out.push(`${ind}case (${top(s.sel)})`);
        for (const it of s.items) {
          out.push(`${ind}${IND}${it.labels.map((l) => l.text).join(', ')}: begin`);
          stmts(out, it.body, op, ind + IND + IND);
          out.push(`${ind}${IND}end`);
        }
        out.push(`${ind}${IND}default: begin`);
        stmts(out, s.dflt, op, ind + IND + IND);
        out.push(`${ind}${IND}end`);
        out.push(`${ind}endcase`);
        break;
    }
  }
}

function regTargets(m: Module): Set<string> {
  const regs = new Set<string>();
  const visit = (body: readonly Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'set' && s.lhs.kind === 'net') regs.add(s.lhs.net);
      else if (s.kind === 'if') { visit(s.then); visit(s.else); }
      else if (s.kind === 'case') { for (const it of s.items) visit(it.body); visit(s.dflt); }
    }
  };
  for (const a of m.always) visit(a.body);
  return regs;
}

/** Print one module as a complete Verilog file, after `header` comment lines. */
export function printModule(m: Module, header: readonly string[]): string {
  const out: string[] = [];
  for (const h of header) out.push(`// ${h}`.trimEnd());
  out.push('', '`default_nettype none', '');
  for (const d of m.doc) out.push(`// ${d}`.trimEnd());
  const regs = regTargets(m);
  const params = m.params.map((p) => `${IND}parameter integer ${p.name} = ${p.value}`);
  out.push(params.length ? `module ${m.name} #(\n${params.join(',\n')}\n) (` : `module ${m.name} (`);
  const nameW = Math.max(0, ...m.ports.map((p) => range(p.width).length));
  m.ports.forEach((p, i) => {
    const k = p.dir === 'input' ? 'input  wire' : regs.has(p.name) ? 'output reg ' : 'output wire';
    const comma = i === m.ports.length - 1 ? '' : ',';
    const doc = p.doc ? ` // ${p.doc}` : '';
    out.push(`${IND}${k} ${range(p.width).padEnd(nameW)} ${p.name}${comma}${doc}`.trimEnd());
  });
  out.push(');');
  if (m.localparams.length) {
    out.push('');
    for (const p of m.localparams) {
      out.push(`${IND}localparam [${p.width - 1}:0] ${p.name} = ${p.width}'d${p.value};${p.doc ? ` // ${p.doc}` : ''}`);
    }
  }
  if (m.nets.length || m.mems.length) out.push('');
  for (const n of m.nets) {
    const k = regs.has(n.name) ? 'reg ' : 'wire';
    const pub = n.publicRead ? ' /* verilator public_flat_rd */' : '';
    out.push(`${IND}${k} ${range(n.width) ? range(n.width) + ' ' : ''}${n.name}${pub};${n.doc ? ` // ${n.doc}` : ''}`);
  }
  for (const mm of m.mems) {
    out.push(`${IND}${mm.noRwCheck ? '(* no_rw_check *) ' : ''}reg ${range(mm.width) ? range(mm.width) + ' ' : ''}${mm.name} [0:${mm.depth - 1}];${mm.doc ? ` // ${mm.doc}` : ''}`);
  }
  if (m.assigns.length) out.push('');
  for (const a of m.assigns) {
    if (a.doc) out.push(`${IND}// ${a.doc}`);
    out.push(`${IND}assign ${lvText(a.lhs)} = ${top(a.rhs)};`);
  }
  for (const blk of m.always) {
    out.push('');
    if (blk.doc) out.push(`${IND}// ${blk.doc}`);
    out.push(blk.kind === 'comb' ? `${IND}always @* begin` : `${IND}always @(posedge clk) begin`);
    stmts(out, blk.body, blk.kind === 'comb' ? '=' : '<=', IND + IND);
    out.push(`${IND}end`);
  }
  for (const inst of m.instances) {
    out.push('');
    if (inst.doc) out.push(`${IND}// ${inst.doc}`);
    const ps = inst.params.length ? ` #(${inst.params.map((p) => `.${p.name}(${p.value})`).join(', ')})` : '';
    out.push(`${IND}${inst.module}${ps} ${inst.name} (`);
    const w = Math.max(...inst.conns.map((c) => c.port.length));
    inst.conns.forEach((c, i) => {
      out.push(`${IND}${IND}.${c.port.padEnd(w)}(${top(c.expr)})${i === inst.conns.length - 1 ? '' : ','}`);
    });
    out.push(`${IND});`);
  }
  out.push('endmodule', '', '`default_nettype wire', '');
  return out.join('\n');
}
