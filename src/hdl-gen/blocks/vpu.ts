/**
 * ag_vpu: the vector unit (v*, rq, sgd). L = vpu.lanes datapath lanes work through a row of W
 * lanes in G = ⌈W / L⌉ cycles (group g covers lanes g·L .. g·L + L − 1), for `count` rows:
 *   s0 read source row (general port of smem) and destination row (owner port of dmem); the row
 *      address holds for the row's G cycles
 *   s1 group g's lane operands → simple result, 48-bit product, RNG value   (registered)
 *   s2 rounding right shift, saturation, ReLU, the SGD subtraction           (into the row buffer)
 *   s3 write the row (and, for sgd clear, zero the gradient row)
 * so row r is written in cycle r·G + G + 3 after issue and the last in cycle count·G + 3 = D.
 * With vpu.latency 4, s2 ends after the rounding shift (q, registered) and a stage s2b does the
 * saturation, ReLU and SGD subtraction: every write one cycle later, D = count·G + 4. Latency 5
 * also registers the lane operands (s1b) between the read-data select and the arithmetic.
 * Arithmetic follows docs/microarch.md §8 exactly: products are exact 48-bit, shifts round half up
 * or stochastically with the counter-based xorshift RNG; sp reads sign-extend, sp writes of v* saturate.
 */
import { VALU_FNS } from '../../isa/table.js';
import { add, and, bit, cat, clog2, eq, land, lit, lnot, lor, mulS, mux, ne, partSel, redAnd, redOr, select, sext, sgt, shr, slice, slt, sra, sub, trunc, ule, ult, xor, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, setNow, type Module, type Stmt } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { localRowBits } from './operands.js';
import { VOP, VOP_BITS } from './ctrl.js';

const fn = (n: (typeof VALU_FNS)[number]): number => VALU_FNS.indexOf(n);

export function vpu(ctx: Ctx): Module {
  return ctx.lib.once('ag_vpu', () => {
    const { W } = ctx;
    const LAW = localRowBits(ctx);
    const mems: readonly LocalMemGeom[] = [ctx.sp, ctx.acc, ctx.grad];
    const m = new ModuleBuilder('ag_vpu', [`Vector unit: ${W} lanes, v*/rq/sgd, ${ctx.cfg.vpu.latency + 1}-stage pipeline.`]);
    m.input('clk', 1);
    const clear = m.input('clear', 1);
    const iss = m.input('iss', 1);
    const opIn = m.input('op', VOP_BITS);
    const dmemIn = m.input('dmem', 2);
    const drowIn = m.input('drow', LAW);
    const smemIn = m.input('smem', 2);
    const srowIn = m.input('srow', LAW);
    const countIn = m.input('count', 13);
    const flagIn = m.input('flag', 1);
    const shiftIn = m.input('shift', 6);
    const mulIn = m.input('mul', 16);
    const roundIn = m.input('round', 1);
    const seedIn = m.input('seedn', 32);
    const loIn = m.input('clamp_lo', 32);
    const hiIn = m.input('clamp_hi', 32);

    const ff: Stmt[] = [];
    const L = ctx.cfg.derived.vpuLanes;
    const G = ctx.cfg.derived.vpuRowCycles;
    const reg = (name: string, d: Expr, doc?: string): Expr => m.net(name, d.width, doc);
    // Instruction registers (stable for the whole busy window: the next VPU issue comes after D).
    const op = reg('op_r', opIn), dmem = reg('dmem_r', dmemIn), smem = reg('smem_r', smemIn), flag = reg('flag_r', flagIn);
    const shift = reg('shift_r', shiftIn), mul = reg('mul_r', mulIn), round = reg('round_r', roundIn), lo = reg('lo_r', loIn), hi = reg('hi_r', hiIn);
    const cnt = m.net('cnt', 13, 'rows left');
    const dptr = m.net('dptr', LAW), sptr = m.net('sptr', LAW);
    const rng = m.net('rng_base', 32, 'SEED + element index of the first lane of the current group');
    const active = m.let('active', ne(cnt, lit(13, 0)));
    const gw = Math.max(1, clog2(G));
    const grp = G > 1 ? m.net('grp', gw, 'lane group of the current row') : lit(1, 0);
    const lastGrp = G > 1 ? m.let('last_grp', eq(grp, lit(gw, G - 1))) : lit(1, 1);
    // From the last group of a row to the first of the next: W − (G − 1)·L lanes further on.
    const rngStep = G > 1 ? mux(lastGrp, lit(32, W - (G - 1) * L), lit(32, L)) : lit(32, W);
    const nextRow = [set(cnt, sub(cnt, lit(13, 1))), set(dptr, add(dptr, lit(LAW, 1))), set(sptr, add(sptr, lit(LAW, 1)))];
    ff.push(iff(clear, [set(cnt, lit(13, 0))], [
      iff(iss, [
        set(op, opIn), set(dmem, dmemIn), set(smem, smemIn), set(flag, flagIn), set(shift, shiftIn), set(mul, mulIn), set(round, roundIn),
        set(lo, loIn), set(hi, hiIn), set(cnt, countIn), set(dptr, drowIn), set(sptr, srowIn), set(rng, seedIn),
        ...(G > 1 ? [set(grp, lit(gw, 0))] : []),
      ], [iff(active, [
        set(rng, add(rng, rngStep)),
        ...(G > 1 ? [iff(lastGrp, [set(grp, lit(gw, 0)), ...nextRow], [set(grp, add(grp, lit(gw, 1)))])] : nextRow),
      ])]),
    ]));
    const isOp = (v: number): Expr => eq(op, lit(VOP_BITS, v));
    const isRq = m.let('is_rq', isOp(VOP.RQ));
    const isSgd = m.let('is_sgd', isOp(VOP.SGD));
    const isMul = m.let('is_vmul', isOp(fn('mul')));
    const isSra = m.let('is_vsra', isOp(fn('sra')));
    const readsDst = m.let('reads_dst', lor(isSgd, ...(['add', 'sub', 'mul', 'max', 'min', 'relubwd'] as const).map((f) => isOp(fn(f)))));

    // ---- s0: reads -------------------------------------------------------------------------------------
    for (const g of mems) {
      const tr = (e: Expr): Expr => (g.aw === LAW ? e : trunc(e, g.aw));
      m.assign(m.output(`${g.name}_sre`, 1, 'claims the general read port'), land(active, eq(smem, lit(2, g.code))));
      m.assign(m.output(`${g.name}_srow`, g.aw), tr(sptr));
      m.assign(m.output(`${g.name}_ore`, 1), land(active, readsDst, eq(dmem, lit(2, g.code))));
      m.assign(m.output(`${g.name}_orow`, g.aw), tr(dptr));
    }
    // The source row is only needed again to clear gradient rows (sgd clear).
    const GW = ctx.grad.aw;
    const s1v = m.net('s1_v', 1), s1d = m.net('s1_drow', LAW), s1s = m.net('s1_srow', GW), s1rng = m.net('s1_rng', 32);
    ff.push(iff(clear, [set(s1v, lit(1, 0))], [set(s1v, active)]), set(s1d, dptr), set(s1s, GW === LAW ? sptr : trunc(sptr, GW)), set(s1rng, rng));
    const s1g = G > 1 ? m.net('s1_grp', gw) : lit(1, 0);
    const s1last = G > 1 ? m.net('s1_last', 1) : lit(1, 1);
    if (G > 1) ff.push(set(s1g, grp), set(s1last, lastGrp));

    // ---- s1: lane operands ------------------------------------------------------------------------------
    const srcD = mems.map((g) => m.input(`${g.name}_sdata`, g.bytes * 8));
    const dstD = mems.map((g) => m.input(`${g.name}_odata`, g.bytes * 8));
    const lane = (data: Expr, g: LocalMemGeom, l: number): Expr =>
      g.size === 1 ? sext(slice(data, l * 8 + 7, l * 8), 32) : slice(data, l * 32 + 31, l * 32);
    // Operand of datapath lane j: row lane g·L + j of the current group g (lanes past W read 0).
    const operand = (rows: readonly Expr[], memSel: Expr, j: number): Expr => {
      const ofLane = (l: number): Expr => select(mems.slice(1).map((g, i) => [eq(memSel, lit(2, g.code)), lane(rows[i + 1]!, g, l)] as const), lane(rows[0]!, mems[0]!, l));
      if (G === 1) return ofLane(j);
      const byGroup = Array.from({ length: G }, (_, g) => (g * L + j < W ? ofLane(g * L + j) : lit(32, 0)));
      return select(byGroup.slice(1).map((v, g) => [eq(s1g, lit(gw, g + 1)), v] as const), byGroup[0]!);
    };
    // vpu.latency 5: a register stage (s1b) between the operand select and the lane arithmetic.
    const splitOps = ctx.cfg.vpu.latency >= 5;
    const s1b = splitOps ? { v: m.net('s1b_v', 1), d: m.net('s1b_drow', LAW), s: m.net('s1b_srow', GW), rng: m.net('s1b_rng', 32) } : { v: s1v, d: s1d, s: s1s, rng: s1rng };
    if (splitOps) ff.push(iff(clear, [set(s1b.v, lit(1, 0))], [set(s1b.v, s1v)]), set(s1b.d, s1d), set(s1b.s, s1s), set(s1b.rng, s1rng));
    const s1bg = splitOps && G > 1 ? m.net('s1b_grp', gw) : s1g;
    const s1blast = splitOps && G > 1 ? m.net('s1b_last', 1) : s1last;
    if (splitOps && G > 1) ff.push(set(s1bg, s1g), set(s1blast, s1last));
    const s2 = { v: m.net('s2_v', 1), d: m.net('s2_drow', LAW), s: m.net('s2_srow', GW) };
    ff.push(iff(clear, [set(s2.v, lit(1, 0))], [set(s2.v, s1b.v)]), set(s2.d, s1b.d), set(s2.s, s1b.s));
    const s2g = G > 1 ? m.net('s2_grp', gw) : lit(1, 0);
    const s2last = G > 1 ? m.net('s2_last', 1) : lit(1, 1);
    if (G > 1) ff.push(set(s2g, s1bg), set(s2last, s1blast));
    // vpu.latency 4: a register stage (s2b) between the rounding shift and the saturation.
    const split = ctx.cfg.vpu.latency >= 4;
    const s2b = split ? { v: m.net('s2b_v', 1), d: m.net('s2b_drow', LAW), s: m.net('s2b_srow', GW) } : s2;
    if (split) ff.push(iff(clear, [set(s2b.v, lit(1, 0))], [set(s2b.v, s2.v)]), set(s2b.d, s2.d), set(s2b.s, s2.s));
    const s2bg = split && G > 1 ? m.net('s2b_grp', gw) : s2g;
    const s2blast = split && G > 1 ? m.net('s2b_last', 1) : s2last;
    if (split && G > 1) ff.push(set(s2bg, s2g), set(s2blast, s2last));
    const s3 = { v: m.net('s3_v', 1), d: m.net('s3_drow', LAW), s: m.net('s3_srow', GW), data: m.net('s3_data', W * 32, G > 1 ? 'row buffer: each group fills its lanes' : undefined) };
    ff.push(iff(clear, [set(s3.v, lit(1, 0))], [set(s3.v, G > 1 ? land(s2b.v, s2blast) : s2b.v)]), set(s3.d, s2b.d), set(s3.s, s2b.s));
    const outLanes: Expr[] = [];
    // The lane datapath is written as temporaries of the clocked block, under the stage's valid: the
    // same logic for synthesis, but a Verilated model evaluates it only for rows in flight, not every
    // cycle the unit idles (a fifth of the model's time in a GEMM otherwise).
    const s1Body: Stmt[] = [];
    const s1bBody: Stmt[] = splitOps ? [] : s1Body;
    const s2Body: Stmt[] = [];
    const s2bBody: Stmt[] = split ? [] : s2Body;
    const tmp = (body: Stmt[]) => (name: string, e: Expr): Expr => {
      const n = m.temp(name, e.width);
      body.push(setNow(n, e));
      return n;
    };
    const t1 = tmp(s1Body);
    const t1b = tmp(s1bBody);
    const t2 = tmp(s2Body);
    const t2b = tmp(s2bBody);
    // Rounding shift (docs/microarch.md §8): q = (v + t) >>> s with t < 2^s always, which is
    // (v >>> s) + c, c the carry of (v mod 2^s) + t into bit s. Only c depends on the rounding:
    //   nearest, t = 2^(s−1): c = v[s−1];
    //   stochastic, s ≤ 32, t = rnd mod 2^s: c = bit s of (v mod 2^s) + (rnd mod 2^s);
    //   stochastic, s > 32, t = rnd·2^(s−32): c = carry of v[s−1 : s−32] + rnd (lower bits cannot carry).
    // One 48-bit shifter, a 4-level one and a 33-bit adder a lane instead of four 49-bit shifters.
    const lowShift = t2('low_shift', ule(shift, lit(6, 32)));
    const fracMask = t2('frac_mask', cat(...Array.from({ length: 32 }, (_, i) => ult(lit(6, 31 - i), shift))));
    const carryIdx = t2('carry_idx', mux(lowShift, shift, lit(6, 32)));
    const nearIdx = t2('near_idx', mux(eq(shift, lit(6, 0)), lit(6, 0), sub(shift, lit(6, 1))));
    const hiShift = t2('hi_shift', slice(shift, 3, 0));
    for (let l = 0; l < L; l++) {
      let x = t1(`x${l}`, operand(srcD, smem, l));
      let y = t1(`y${l}`, operand(dstD, dmem, l));
      if (splitOps) {
        const bx = m.net(`s1b_x${l}`, 32), by = m.net(`s1b_y${l}`, 32);
        s1Body.push(set(bx, x), set(by, y));
        x = bx;
        y = by;
      }
      const zero = lit(32, 0);
      const maxv = mux(slt(y, x), x, y);
      const minv = mux(slt(x, y), x, y);
      const clampLo = t1b(`cl${l}`, mux(slt(x, lo), lo, x));
      const simple = select([
        [isOp(fn('mov')), x], [isOp(fn('add')), add(y, x)], [isOp(fn('sub')), sub(y, x)], [isOp(fn('max')), maxv], [isOp(fn('min')), minv],
        [isOp(fn('clamp')), mux(slt(hi, clampLo), hi, clampLo)], [isOp(fn('relu')), mux(sgt(x, zero), x, zero)],
        [isOp(fn('relubwd')), mux(sgt(x, zero), y, zero)],
      ], x);
      const ma = t1b(`ma${l}`, mux(isMul, y, x));
      const mb = t1b(`mb${l}`, mux(isMul, slice(x, 15, 0), mul));
      const prod = t1b(`prod${l}`, mulS(ma, mb));
      const val = mux(isSra, sext(x, 48), prod);
      const rnd = xorshift2(t1b, `rnd${l}`, add(s1b.rng, lit(32, l)));
      const r = { simple: m.net(`s2_simple${l}`, 32), val: m.net(`s2_val${l}`, 48), y: m.net(`s2_y${l}`, 8), rnd: m.net(`s2_rnd${l}`, 32) };
      s1bBody.push(set(r.simple, simple), set(r.val, val), set(r.y, slice(y, 7, 0)), set(r.rnd, rnd));

      // ---- s2: rounding shift and saturation -------------------------------------------------------
      const fq = t2(`fq${l}`, sra(sext(r.val, 49), shift));
      const cNear = land(ne(shift, lit(6, 0)), t2(`vn${l}`, partSel(r.val, nearIdx, 1)));
      const vhi = t2(`vhi${l}`, slice(t2(`vsh${l}_unused`, shr(r.val, hiShift)), 31, 0));
      const fa = mux(lowShift, and(slice(r.val, 31, 0), fracMask), vhi);
      const fb = mux(lowShift, and(r.rnd, fracMask), r.rnd);
      const fsum = t2(`fsum${l}`, add(zext(fa, 33), zext(fb, 33)));
      const cStoch = t2(`cs${l}`, partSel(fsum, carryIdx, 1));
      const q0 = t2(`q${l}`, add(fq, zext(mux(round, cStoch, cNear), 49)));
      let q = q0;
      let simpleV: Expr = r.simple;
      let yV: Expr = r.y;
      if (split) {
        const b = { q: m.net(`s2b_q${l}`, 49), simple: m.net(`s2b_simple${l}`, 32), y: m.net(`s2b_y${l}`, 8) };
        s2Body.push(set(b.q, q0), set(b.simple, r.simple), set(b.y, r.y));
        q = b.q;
        simpleV = b.simple;
        yV = b.y;
      }
      const qsat = sat8(t2b, `qsat${l}`, q);
      const rq = mux(land(flag, slt(qsat, lit(8, 0))), lit(8, 0), qsat);
      // y − q saturates the same whether q is exact or first clamped to 10 bits (|y| ≤ 128).
      const diff = t2b(`diff${l}`, sub(sext(yV, 11), sext(satN(t2b, `qc${l}`, q, 10), 11)));
      const sgd = sat8(t2b, `wnew${l}`, diff);
      const wide = t2b(`res${l}`, mux(lor(isMul, isSra), t2b(`q32_${l}`, slice(q, 31, 0)), simpleV));
      const toSp = eq(dmem, lit(2, ctx.sp.code));
      const res8 = select([[isRq, rq], [isSgd, sgd]], sat8(t2b, `rsat${l}`, wide));
      const out = t2b(`out${l}`, mux(lor(isRq, isSgd, toSp), sext(t2b(`out8_${l}`, res8), 32), wide));
      outLanes.push(out);
    }
    if (G === 1) s2bBody.push(set(s3.data, cat(...outLanes.reverse())));
    else {
      // Group g's results land in row lanes g·L + j; the row is written once its last group is in.
      for (let g = 0; g < G; g++) {
        const lanes = Array.from({ length: Math.min(L, W - g * L) }, (_, j) => g * L + j);
        const hiBit = lanes[lanes.length - 1]! * 32 + 31;
        const loBit = lanes[0]! * 32;
        const val = cat(...lanes.map((_, j) => outLanes[j]!).reverse());
        s2bBody.push(iff(eq(s2bg, lit(gw, g)), [set(slice(s3.data, hiBit, loBit), val)]));
      }
    }
    ff.push(iff(s1v, s1Body), iff(s2.v, s2Body));
    if (splitOps) ff.push(iff(s1b.v, s1bBody));
    if (split) ff.push(iff(s2b.v, s2bBody));

    // ---- s3: writes ---------------------------------------------------------------------------------------
    for (const g of mems) {
      const tr = (e: Expr): Expr => (g.aw === LAW ? e : trunc(e, g.aw));
      const toDst = land(s3.v, eq(dmem, lit(2, g.code)));
      const data = g.size === 1
        ? cat(...Array.from({ length: W }, (_, l) => slice(s3.data, l * 32 + 7, l * 32)).reverse())
        : s3.data;
      if (g.name === 'grad') {
        // sgd with clear zeroes the gradient rows it read (its destination is sp).
        const clr = m.let('grad_clear', land(s3.v, isSgd, flag));
        m.assign(m.output('grad_we', 1), lor(toDst, clr));
        m.assign(m.output('grad_wrow', g.aw), mux(clr, s3.s, tr(s3.d)));
        m.assign(m.output('grad_wdata', g.bytes * 8), mux(clr, lit(g.bytes * 8, 0), data));
      } else {
        m.assign(m.output(`${g.name}_we`, 1), toDst);
        m.assign(m.output(`${g.name}_wrow`, g.aw), tr(s3.d));
        m.assign(m.output(`${g.name}_wdata`, g.bytes * 8), data);
      }
      m.assign(m.output(`${g.name}_wmask`, g.bytes), lit(g.bytes, (2n ** BigInt(g.bytes)) - 1n));
    }
    m.ff(ff);
    return m.build();
  });
}

/** Names a value (a net or a block temporary) and returns the reference to it. */
type Namer = (name: string, e: Expr) => Expr;

/** Two rounds of xorshift32 (13, 17, 5): the counter-based RNG of docs/microarch.md §8. */
function xorshift2(mk: Namer, p: string, seed: Expr): Expr {
  let x = mk(`${p}_x0`, seed);
  for (let r = 0; r < 2; r++) {
    const a = mk(`${p}_a${r}`, xor(x, cat(slice(x, 18, 0), lit(13, 0))));
    const b = mk(`${p}_b${r}`, xor(a, cat(lit(17, 0), slice(a, 31, 17))));
    x = mk(`${p}_c${r}`, xor(b, cat(slice(b, 26, 0), lit(5, 0))));
  }
  return x;
}

/** Saturate a signed identifier to int8. */
function sat8(mk: Namer, name: string, e: Expr): Expr {
  return satN(mk, name, e, 8);
}

/**
 * Saturate a signed identifier to n bits. It fits when the bits above n − 1 all equal the sign
 * (bit tests, not two wide comparators: this runs once per lane on 32..49-bit values).
 */
function satN(mk: Namer, name: string, e: Expr, n: number): Expr {
  const w = e.width;
  const top = mk(`${name}_top`, slice(e, w - 1, n - 1));
  const fits = lor(lnot(redOr(top)), redAnd(top));
  const max = lit(n, (1n << BigInt(n - 1)) - 1n);
  const min = lit(n, 1n << BigInt(n - 1));
  return mk(name, mux(fits, slice(e, n - 1, 0), mux(bit(e, w - 1), min, max)));
}
