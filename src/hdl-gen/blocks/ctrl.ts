/**
 * ag_ctrl: fetch, decode, issue and the scalar core (docs/microarch.md §2, §6, §7).
 *
 * Fetch: the instruction memory has a registered read, so the word on `ir` is the one addressed
 * in the previous cycle.
 *
 * One stage (controller.stages = 1): `ir` is the instruction in decode. Each cycle the controller
 * addresses pc + 1 if the instruction in decode issues and pc otherwise (a stall re-reads it), which
 * gives the contract's timing: the next instruction is in decode the cycle after an issue. A taken
 * branch loads its target into pc and empties decode for one cycle (the bubble) while the target
 * is read. The footprint is computed in the first decode cycle and latched while it waits.
 *
 * L = 2 to 4 stages: the instruction passes L − 1 pre-decode cycles (bubbles in the trace) before
 * it is in decode. PRE1 captures the word (`ir_q`); the register-read stage (PRE1, or PRE2 when
 * L = 4) the registers it names (`ra_q`, `rb_q`) and, when L ≥ 3, the footprint's adders and
 * products (ag_spans); the last pre-decode stage the rest of the footprint (ag_operands), into
 * registers. Decode then starts from flip-flops only: the issue decision is set intersections, unit
 * counters and the fan-out of `issue`. Nothing the footprint reads can change in between: only an
 * issuing instruction writes registers, and none issues while decode is empty. In decode the
 * controller always addresses pc + 1, so the next word is on `ir` whenever the instruction issues.
 */
import { CFG_REGS, ERROR_CODES, VALU_FNS } from '../../isa/table.js';
import { add, and, bit, cat, eq, land, lit, lnot, lor, mux, ne, or, partSel, rep, select, sge, slice, slt, sub, trunc, uge, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, cases, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx } from '../ctx.js';
import { decoder, fieldPort, instrClasses } from './decode.js';
import { interlock } from './interlock.js';
import { operands, spans } from './operands.js';
import { perf } from './perf.js';
import { mulConst } from './mulconst.js';

/** Vector-unit operation codes: the VALU functions by table index, then rq and sgd. */
export const VOP = { RQ: VALU_FNS.length, SGD: VALU_FNS.length + 1 } as const;
export const VOP_BITS = 4;

/** Chip states as the trace reports them (§7). */
export const STATE = { IDLE: 0, RUNNING: 1, DRAINING: 2, HALTED: 3 } as const;

export function ctrl(ctx: Ctx): Module {
  return ctx.lib.once('ag_ctrl', () => {
    const m = new ModuleBuilder('ag_ctrl', ['Controller: fetch, decode, issue, registers, configuration, state, counters.']);
    const clk = m.input('clk', 1);
    const rst = m.input('rst', 1);
    const start = m.input('start', 1, 'host wrote CTRL.start');
    const ir = m.input('ir', 64, 'instruction word addressed last cycle');
    const fetchAddr = m.output('fetch_addr', ctx.imemAw);

    // ---- decoders and field access ----------------------------------------------------------------
    const L = ctx.cfg.controller.stages;
    const dec = decoder(ctx);
    const decodeInto = (inst: string, prefix: string, word: Expr): Map<string, Expr> => {
      const conn: Record<string, Expr> = { ir: word };
      const out = new Map<string, Expr>();
      for (const p of dec.ports) {
        if (p.dir !== 'output') continue;
        const n = m.net(`${prefix}${p.name}`, p.width);
        conn[p.name] = n;
        out.set(p.name, n);
      }
      m.inst(dec, inst, conn);
      return out;
    };
    // `raw` decodes the word on ir; `fields` the instruction in decode (the same word when L = 1).
    // The register-read stage (PRE1; PRE2 when L = 4, whose PRE1 only captures the word) uses `rd`.
    const irQ = L > 1 ? m.net('ir_q', 64, 'the word of the instruction in pre-decode / decode (captured in PRE1)') : undefined;
    const raw = L === 4 ? undefined : decodeInto('u_decode', 'd_', ir);
    const fields = irQ ? decodeInto('u_decode_q', 'q_', irQ) : raw!;
    const rd = raw ?? fields;
    const rdWord = L === 4 ? irQ! : ir;
    const used = new Set<Expr>();
    const get = (map: Map<string, Expr>, key: string): Expr => {
      const e = map.get(key);
      if (!e) throw new Error(`internal: decoder has no output ${key}`);
      used.add(e);
      return e;
    };
    const F = (cls: string, f: string): Expr => get(fields, fieldPort(cls, f));
    const is = (cls: string): Expr => get(fields, `is_${cls}`);
    const Fr = (cls: string, f: string): Expr => get(rd, fieldPort(cls, f));
    const isr = (cls: string): Expr => get(rd, `is_${cls}`);

    // ---- architectural state -------------------------------------------------------------------
    const state = m.net('state', 2, '0 idle, 1 running, 2 draining after a fault, 3 halted', true);
    const pc = m.net('pc', ctx.pcw, 'pc of the instruction in decode (or being fetched)', true);
    const dvalid = L > 1 ? undefined : m.net('dvalid', 1, 'decode holds the instruction at pc');
    const err = m.net('err', 3, 'error code', true);
    const running = m.let('running', eq(state, lit(2, STATE.RUNNING)));
    const regs = Array.from({ length: 16 }, (_, i) => (i === 0 ? lit(32, 0) : m.net(`r${i}`, 32)));
    // Register indices come from the word on ir: with L > 1 they are read in PRE1 and kept in ra_q/rb_q.
    // L = 1 keeps the priority-select form (a Verilated model evaluates it cheaply); L > 1 is built
    // for the clock: the index as an AND-OR of the word's register fields grouped by bit position
    // (the class flags are one-hot), and the read as one indexed select of the register vector.
    const classes = new Map(instrClasses().map((c) => [c.name, c]));
    const regVec = L > 1 ? m.let('reg_vec', cat(...[...regs].reverse())) : undefined;
    const readReg = (name: string, idx: Expr): Expr => m.let(name, regVec
      ? partSel(regVec, idx, 32)
      : select(regs.slice(1).map((r, i) => [eq(idx, lit(4, i + 1)), r] as const), lit(32, 0)));
    const pick = (name: string, pairs: readonly (readonly [string, string])[], w: number): Expr => {
      if (L === 1) return m.let(name, select(pairs.map(([c, f]) => [isr(c), Fr(c, f)] as const), lit(w, 0)));
      const groups = new Map<number, Expr[]>();
      for (const [c, f] of pairs) {
        const spec = classes.get(c)?.fields.find((x) => x.name === f);
        if (!spec || spec.width !== w) throw new Error(`internal: ${c}.${f} is not a ${w}-bit register field`);
        groups.set(spec.lsb, [...(groups.get(spec.lsb) ?? []), isr(c)]);
      }
      const terms = [...groups.entries()].map(([lsb, cs]) => and(slice(rdWord, lsb + w - 1, lsb), rep(w, lor(...cs))));
      return m.let(name, terms.reduce((a, b) => or(a, b)));
    };
    const raIdx = pick('ra_idx', [['addi', 'rs'], ['add', 'rs'], ['sub', 'rs'], ['beq', 'rs'], ['bne', 'rs'], ['blt', 'rs'], ['bge', 'rs'], ['cfg', 'rs'],
      ['ld', 'lreg'], ['st', 'lreg'], ['mm', 'lreg'], ['drain', 'dreg'], ['valu', 'dreg'], ['rq', 'dreg'], ['sgd', 'dreg']], 4);
    const rbIdx = pick('rb_idx', [['add', 'rt'], ['sub', 'rt'], ['beq', 'rt'], ['bne', 'rt'], ['blt', 'rt'], ['bge', 'rt'],
      ['ld', 'mreg'], ['st', 'mreg'], ['mm', 'treg'], ['valu', 'sreg'], ['rq', 'sreg'], ['sgd', 'sreg']], 4);
    const raLive = readReg('ra', raIdx);
    const rbLive = readReg('rb', rbIdx);
    const ra = L > 1 ? m.net('ra_q', 32, 'first register operand, read in the register-read stage') : raLive;
    const rb = L > 1 ? m.net('rb_q', 32, 'second register operand, read in the register-read stage') : rbLive;

    // Front-end phase for L > 1: FETCH (after start or a taken branch: the word is being read),
    // PRE1 .. PRE(L − 1), DECODE.
    const PH = { FETCH: 0, PRE1: 1, PRE2: 2, PRE3: 3, DECODE: 4 } as const;
    const phase = L > 1 ? m.net('phase', 3, 'front end: 0 fetch, 1..3 pre-decode stage, 4 decode') : undefined;
    const inPhase = (x: number): Expr => (phase ? eq(phase, lit(3, x)) : lit(1, 0));
    const readStage = L === 4 ? PH.PRE2 : PH.PRE1;
    const lastPre = L - 1; // PRE1 for L = 2, PRE2 for L = 3, PRE3 for L = 4

    const cfgDefs: readonly (readonly [(typeof CFG_REGS)[number], number])[] = [
      ['DMA_STRIDE', 32], ['QMUL', 16], ['QSHIFT', 6], ['LR_MUL', 16], ['LR_SHIFT', 6], ['ROUND', 1], ['SEED', 32],
      ['VSHIFT', 6], ['CLAMP_LO', 32], ['CLAMP_HI', 32], ['LSTRIDE', 14], ['TSTRIDE', 14],
    ];
    const cfgReg = new Map(cfgDefs.map(([n, w]) => [n, m.net(`cfg_${n.toLowerCase()}`, w)]));
    const C = (n: (typeof CFG_REGS)[number]): Expr => cfgReg.get(n)!;
    const elemN = m.net('elem_n', 32, 'RNG element counter');

    // ---- operands, faults, interlock -------------------------------------------------------------
    const ops = operands(ctx);
    // While an instruction waits in decode nothing ag_operands reads can change (registers and
    // configuration change only when an instruction issues; the host writes only while stopped),
    // so its footprint is computed once: on the first decode cycle and latched (L = 1), or in the
    // last pre-decode cycle into registers (L > 1).
    const held = L > 1 ? undefined : m.net('held', 1, 'the instruction in decode was there last cycle and did not issue');
    const opFields = L === 2 ? rd : fields;
    const fresh = held ? lnot(held) : inPhase(lastPre);
    const oc: Record<string, Expr> = {
      clk, fresh, ra: L === 2 ? raLive : ra, rb: L === 2 ? rbLive : rb,
      cfg_dma_stride: C('DMA_STRIDE'), cfg_lstride: C('LSTRIDE'), cfg_tstride: C('TSTRIDE'),
    };
    if (L >= 3) {
      // The register-read stage: the spans' adders and products, from the word and the live registers.
      const spm = spans(ctx);
      const sc: Record<string, Expr> = { clk, fresh: inPhase(readStage), ra: raLive, rb: rbLive, cfg_dma_stride: C('DMA_STRIDE'), cfg_lstride: C('LSTRIDE'), cfg_tstride: C('TSTRIDE') };
      for (const p of spm.ports) {
        if (p.dir === 'output') sc[p.name] = oc[p.name] = m.net(`sp_${p.name}`, p.width);
        else if (!(p.name in sc)) sc[p.name] = get(rd, p.name);
      }
      m.inst(spm, 'u_spans', sc);
    }
    for (const k of Object.keys(oc)) if (!ops.ports.some((p) => p.name === k)) delete oc[k];
    const oOut: Record<string, Expr> = {};
    for (const p of ops.ports) {
      if (p.dir === 'output') {
        // Registered outputs are named <name>_q.
        const key = L > 1 ? p.name.replace(/_q$/, '') : p.name;
        oOut[key] = m.net(`o_${key}`, p.width);
        oc[p.name] = oOut[key]!;
      } else if (!(p.name in oc)) {
        oc[p.name] = get(opFields, p.name);
      }
    }
    m.inst(ops, 'u_operands', oc);

    const E = ERROR_CODES;
    const pcOob = m.let('pc_oob', uge(pc, lit(ctx.pcw, ctx.cfg.memory.imemWords)));
    const faultCode = m.let('fault_code', mux(pcOob, lit(3, E.PC_RANGE), oOut.fault!));
    const dv = dvalid ?? m.let('dvalid', inPhase(PH.DECODE));
    const inDecode = m.let('in_decode', land(running, dv));
    const faulting = m.let('faulting', land(inDecode, ne(faultCode, lit(3, 0))));
    const toUnit = {
      dma: m.let('to_dma', lor(is('ld'), is('st'))),
      mxu: is('mm'),
      drn: is('drain'),
      vpu: m.let('to_vpu', lor(is('valu'), is('rq'), is('sgd'))),
    };
    const clr = m.let('clr', lor(rst, start));
    const il = interlock(ctx);
    const canIssue = m.net('can_issue', 1);
    const busy = m.net('busy', 4);
    const allLe1 = m.net('all_le1', 1);
    const issue = m.let('issue', land(inDecode, lnot(faulting), canIssue));
    m.inst(il, 'u_interlock', {
      clk, clear: clr, issue, to_dma: toUnit.dma, to_mxu: toUnit.mxu, to_drn: toUnit.drn, to_vpu: toUnit.vpu,
      is_halt: is('halt'), is_fence: is('fence'), fence_mask: F('fence', 'mask'), is_drain: is('drain'), drain_bank: F('drain', 'bank'),
      mm_bank: F('mm', 'bank'), mm_k: F('mm', 'k'), dur: oOut.dur!, rset: oOut.rset!, wset: oOut.wset!,
      can_issue: canIssue, busy, all_le1: allLe1,
    });

    // ---- branches ---------------------------------------------------------------------------------
    const taken = m.let('taken', lor(
      land(is('beq'), eq(ra, rb)), land(is('bne'), ne(ra, rb)), land(is('blt'), slt(ra, rb)), land(is('bge'), sge(ra, rb)), is('jmp'),
    ));
    const target = m.let('target', select(['beq', 'bne', 'blt', 'bge'].map((c) => [is(c), F(c, 'target')] as const), F('jmp', 'target')));

    // ---- next state -------------------------------------------------------------------------------
    const vCount = m.let('v_count', select([[is('rq'), F('rq', 'count')], [is('sgd'), F('sgd', 'count')]], F('valu', 'count')));
    const pcNext = m.let('pc_inc', add(pc, lit(ctx.pcw, 1)));
    // Fetch address in imem bits (pc ≥ imemWords only matters for PC_RANGE, checked on pc itself).
    const pcLo = ctx.pcw === ctx.imemAw ? pc : m.let('pc_lo', trunc(pc, ctx.imemAw));
    // L > 1: in decode always the next word (it is on ir when the instruction issues, whenever that
    // is), so the address does not wait for the issue decision.
    m.assign(fetchAddr, mux(L > 1 ? dv : issue, add(pcLo, lit(ctx.imemAw, 1)), pcLo));
    const cfgVal = oOut.cfg_value!;
    const cfgIdx = F('cfg', 'reg');
    const seq: Stmt[] = [];
    const scalarWrite = (rd: Expr, v: Expr): Stmt[] =>
      regs.slice(1).map((r, i) => iff(eq(rd, lit(4, i + 1)), [set(r, v)]));
    if (held) seq.push(set(held, land(lnot(clr), inDecode, lnot(issue), lnot(faulting))));
    // Where decode goes after an issue (not halt): the target after a taken branch, else pc + 1.
    const after = (tk: boolean): Stmt[] => (phase
      ? [set(phase, lit(3, tk ? PH.FETCH : PH.PRE1))]
      : tk ? [set(dvalid!, lit(1, 0))] : []);
    const frontEnd: Stmt[] = phase
      ? [
        iff(land(running, inPhase(PH.FETCH)), [set(phase, lit(3, PH.PRE1))]),
        // PRE k → PRE k+1, the last into decode; PRE1 captures the word, the read stage the registers.
        ...Array.from({ length: L - 1 }, (_, i) => i + 1).map((k) => iff(land(running, inPhase(k)), [
          ...(k === PH.PRE1 ? [set(irQ!, ir)] : []),
          ...(k === readStage ? [set(ra, raLive), set(rb, rbLive)] : []),
          set(phase, lit(3, k === lastPre ? PH.DECODE : k + 1)),
        ])),
      ]
      : [iff(land(running, lnot(dvalid!)), [set(dvalid!, lit(1, 1))])];
    seq.push(iff(lor(rst, start), [
      set(state, mux(start, lit(2, STATE.RUNNING), lit(2, STATE.IDLE))),
      set(pc, lit(ctx.pcw, 0)), phase ? set(phase, lit(3, PH.FETCH)) : set(dvalid!, lit(1, 0)), set(err, lit(3, 0)),
      ...regs.slice(1).map((r) => set(r, lit(32, 0))),
      ...cfgDefs.map(([n, w]) => set(C(n), lit(w, 0))),
      set(elemN, lit(32, 0)),
    ], [
      iff(faulting, [
        set(err, faultCode), set(state, mux(allLe1, lit(2, STATE.HALTED), lit(2, STATE.DRAINING))),
      ]),
      iff(land(eq(state, lit(2, STATE.DRAINING)), allLe1), [set(state, lit(2, STATE.HALTED))]),
      ...frontEnd,
      iff(issue, [
        iff(is('halt'), [set(state, lit(2, STATE.HALTED))], [
          iff(taken, [set(pc, zext(target, ctx.pcw)), ...after(true)], [set(pc, pcNext), ...after(false)]),
        ]),
        iff(is('addi'), scalarWrite(F('addi', 'rd'), add(ra, F('addi', 'imm')))),
        iff(is('add'), scalarWrite(F('add', 'rd'), add(ra, rb))),
        iff(is('sub'), scalarWrite(F('sub', 'rd'), sub(ra, rb))),
        iff(is('cfg'), [cases(cfgIdx, cfgDefs.map(([n, w]) => ({
          labels: [lit(cfgIdx.width, CFG_REGS.indexOf(n))],
          body: [set(C(n), w === 32 ? cfgVal : trunc(cfgVal, w)), ...(n === 'SEED' ? [set(elemN, lit(32, 0))] : [])],
        })), [])]),
        iff(lor(is('rq'), is('sgd')), [set(elemN, add(elemN, m.let('elem_adv', mulConst(vCount, ctx.W, 32))))]),
      ]),
    ]));
    m.ff(seq);

    // ---- unit issue strobes and operands ------------------------------------------------------------
    const out = (name: string, e: Expr, doc?: string): void => m.assign(m.output(name, e.width, doc), e);
    out('clear', clr, 'reset or start: units drop in-flight work');
    out('iss_dma', land(issue, toUnit.dma));
    out('dma_st', is('st'), '1: store (local → main)');
    out('dma_mem', mux(is('st'), F('st', 'mem'), F('ld', 'mem')));
    out('dma_row', oOut.row1!);
    out('dma_maddr', oOut.dma_maddr!);
    out('dma_rows', mux(is('st'), F('st', 'rows'), F('ld', 'rows')));
    out('dma_beats', oOut.dma_beats_out!);
    out('dma_nbytes', oOut.dma_nbytes_out!);
    out('dma_stride', C('DMA_STRIDE'));
    out('iss_mxu', land(issue, toUnit.mxu));
    out('mxu_lrow', trunc(oOut.row1!, ctx.sp.aw));
    out('mxu_trow', trunc(oOut.row2!, ctx.sp.aw));
    for (const f of ['k', 'bank', 'acc', 'tl', 'tt']) out(`mxu_${f}`, F('mm', f));
    out('mxu_lstride', C('LSTRIDE'));
    out('mxu_tstride', C('TSTRIDE'));
    out('iss_drn', land(issue, toUnit.drn));
    out('drn_row', oOut.row1!);
    for (const f of ['mem', 'bank', 'add', 't']) out(`drn_${f}`, F('drain', f));
    out('iss_vpu', land(issue, toUnit.vpu));
    out('vpu_op', select([[is('rq'), lit(VOP_BITS, VOP.RQ)], [is('sgd'), lit(VOP_BITS, VOP.SGD)]], F('valu', 'fn')));
    out('vpu_dmem', mux(is('valu'), F('valu', 'dmem'), lit(2, 0)));
    out('vpu_smem', select([[is('valu'), F('valu', 'smem')], [is('rq'), F('rq', 'smem')]], lit(2, 2)));
    out('vpu_drow', oOut.row1!);
    out('vpu_srow', oOut.row2!);
    out('vpu_count', vCount);
    out('vpu_flag', lor(land(is('rq'), F('rq', 'relu')), land(is('sgd'), F('sgd', 'clear'))), 'rq: relu; sgd: clear');
    out('vpu_shift', select([[is('rq'), C('QSHIFT')], [is('sgd'), C('LR_SHIFT')]], C('VSHIFT')));
    out('vpu_mul', mux(is('rq'), C('QMUL'), C('LR_MUL')), 'rq: QMUL, sgd: LR_MUL');
    out('vpu_round', land(lor(is('rq'), is('sgd')), C('ROUND')), 'stochastic rounding');
    out('vpu_seedn', add(C('SEED'), elemN), 'SEED + n0: RNG input of the first element');
    out('vpu_clamp_lo', C('CLAMP_LO'));
    out('vpu_clamp_hi', C('CLAMP_HI'));

    // ---- performance counters and debug --------------------------------------------------------------
    const pf = perf(ctx);
    const stall = m.let('stall', land(inDecode, lnot(faulting), lnot(issue)));
    const active = m.let('active', lor(running, eq(state, lit(2, STATE.DRAINING))));
    const pconn: Record<string, Expr> = { clk, clear: clr, active, mxu_busy: bit(busy, 1), dma_busy: bit(busy, 0), stall, issue };
    for (const p of pf.ports) if (p.dir === 'output') { pconn[p.name] = m.output(p.name, p.width); }
    m.inst(pf, 'u_perf', pconn);
    out('dbg_pc', mux(inDecode, zext(pc, 32), lit(32, 0)), 'the trace pc; 0 when it is −1 (microarch §7)');
    out('dbg_pc_valid', inDecode);
    out('dbg_issue', issue);
    out('dbg_busy', busy);
    out('dbg_state', state);
    out('st_running', active);
    out('st_halted', eq(state, lit(2, STATE.HALTED)));
    out('st_error', err);
    out('st_pc', pc);

    // Decoder outputs this controller does not need (fields only the units' own decoders would use).
    const rest = [...(raw?.values() ?? []), ...(fields === raw ? [] : fields.values())].filter((e) => !used.has(e));
    if (rest.length) m.let('unused_fields', cat(...rest));
    return m.build();
  });
}
