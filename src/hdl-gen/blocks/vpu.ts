/**
 * ag_vpu: the vector unit (v*, rq, sgd). One row of W lanes a cycle for `count` cycles:
 *   s0 read source row (plain replica of smem) and destination row (owner replica of dmem)
 *   s1 lane operands → simple result, 48-bit product, RNG value         (registered)
 *   s2 rounding right shift, saturation, ReLU, the SGD subtraction       (registered)
 *   s3 write (and, for sgd clear, zero the gradient row)
 * so row r is written in cycle r + 4 after issue and the last in cycle count + 3 = D.
 * Arithmetic follows docs/microarch.md §8 exactly: products are exact 48-bit, shifts round half up
 * or stochastically with the counter-based xorshift RNG; sp reads sign-extend, sp writes of v* saturate.
 */
import { VALU_FNS } from '../../isa/table.js';
import { add, and, cat, eq, land, lit, lor, mulS, mux, ne, select, sext, sgt, shl, shr, slice, slt, sra, sub, trunc, ule, xor, zext, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, set, type Module, type Stmt } from '../ir/module.js';
import type { Ctx, LocalMemGeom } from '../ctx.js';
import { localRowBits } from './operands.js';
import { VOP, VOP_BITS } from './ctrl.js';

const fn = (n: (typeof VALU_FNS)[number]): number => VALU_FNS.indexOf(n);

export function vpu(ctx: Ctx): Module {
  return ctx.lib.once('ag_vpu', () => {
    const { W } = ctx;
    const LAW = localRowBits(ctx);
    const mems: readonly LocalMemGeom[] = [ctx.sp, ctx.acc, ctx.grad];
    const m = new ModuleBuilder('ag_vpu', [`Vector unit: ${W} lanes, v*/rq/sgd, 4-stage pipeline.`]);
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
    const reg = (name: string, d: Expr, doc?: string): Expr => m.net(name, d.width, doc);
    // Instruction registers (stable for the whole busy window: the next VPU issue comes after D).
    const op = reg('op_r', opIn), dmem = reg('dmem_r', dmemIn), smem = reg('smem_r', smemIn), flag = reg('flag_r', flagIn);
    const shift = reg('shift_r', shiftIn), mul = reg('mul_r', mulIn), round = reg('round_r', roundIn), lo = reg('lo_r', loIn), hi = reg('hi_r', hiIn);
    const cnt = m.net('cnt', 13, 'rows left');
    const dptr = m.net('dptr', LAW), sptr = m.net('sptr', LAW);
    const rng = m.net('rng_base', 32, 'SEED + element index of lane 0 of the current row');
    const active = m.let('active', ne(cnt, lit(13, 0)));
    ff.push(iff(clear, [set(cnt, lit(13, 0))], [
      iff(iss, [
        set(op, opIn), set(dmem, dmemIn), set(smem, smemIn), set(flag, flagIn), set(shift, shiftIn), set(mul, mulIn), set(round, roundIn),
        set(lo, loIn), set(hi, hiIn), set(cnt, countIn), set(dptr, drowIn), set(sptr, srowIn), set(rng, seedIn),
      ], [iff(active, [
        set(cnt, sub(cnt, lit(13, 1))), set(dptr, add(dptr, lit(LAW, 1))), set(sptr, add(sptr, lit(LAW, 1))), set(rng, add(rng, lit(32, W))),
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

    // ---- s1: lane operands ------------------------------------------------------------------------------
    const srcD = mems.map((g) => m.input(`${g.name}_sdata`, g.bytes * 8));
    const dstD = mems.map((g) => m.input(`${g.name}_odata`, g.bytes * 8));
    const lane = (data: Expr, g: LocalMemGeom, l: number): Expr =>
      g.size === 1 ? sext(slice(data, l * 8 + 7, l * 8), 32) : slice(data, l * 32 + 31, l * 32);
    const s2 = { v: m.net('s2_v', 1), d: m.net('s2_drow', LAW), s: m.net('s2_srow', GW) };
    ff.push(iff(clear, [set(s2.v, lit(1, 0))], [set(s2.v, s1v)]), set(s2.d, s1d), set(s2.s, s1s));
    const s3 = { v: m.net('s3_v', 1), d: m.net('s3_drow', LAW), s: m.net('s3_srow', GW), data: m.net('s3_data', W * 32) };
    ff.push(iff(clear, [set(s3.v, lit(1, 0))], [set(s3.v, s2.v)]), set(s3.d, s2.d), set(s3.s, s2.s));
    const outLanes: Expr[] = [];
    for (let l = 0; l < W; l++) {
      const srcs = mems.map((g, i) => lane(srcD[i]!, g, l));
      const dsts = mems.map((g, i) => lane(dstD[i]!, g, l));
      const x = m.let(`x${l}`, select(mems.slice(1).map((g, i) => [eq(smem, lit(2, g.code)), srcs[i + 1]!] as const), srcs[0]!));
      const y = m.let(`y${l}`, select(mems.slice(1).map((g, i) => [eq(dmem, lit(2, g.code)), dsts[i + 1]!] as const), dsts[0]!));
      const zero = lit(32, 0);
      const maxv = mux(slt(y, x), x, y);
      const minv = mux(slt(x, y), x, y);
      const clampLo = m.let(`cl${l}`, mux(slt(x, lo), lo, x));
      const simple = select([
        [isOp(fn('mov')), x], [isOp(fn('add')), add(y, x)], [isOp(fn('sub')), sub(y, x)], [isOp(fn('max')), maxv], [isOp(fn('min')), minv],
        [isOp(fn('clamp')), mux(slt(hi, clampLo), hi, clampLo)], [isOp(fn('relu')), mux(sgt(x, zero), x, zero)],
        [isOp(fn('relubwd')), mux(sgt(x, zero), y, zero)],
      ], x);
      const ma = m.let(`ma${l}`, mux(isMul, y, x));
      const mb = m.let(`mb${l}`, mux(isMul, m.let(`xs${l}`, slice(x, 15, 0)), mul));
      const prod = m.let(`prod${l}`, mulS(ma, mb));
      const val = mux(isSra, sext(x, 48), prod);
      const rnd = xorshift2(m, `rnd${l}`, add(s1rng, lit(32, l)));
      const r = { simple: m.net(`s2_simple${l}`, 32), val: m.net(`s2_val${l}`, 48), y: m.net(`s2_y${l}`, 8), rnd: m.net(`s2_rnd${l}`, 32) };
      ff.push(set(r.simple, simple), set(r.val, val), set(r.y, slice(y, 7, 0)), set(r.rnd, rnd));

      // ---- s2: rounding shift and saturation -------------------------------------------------------
      const v49 = sext(r.val, 49);
      const rnd49 = zext(r.rnd, 49);
      const one49 = lit(49, 1);
      const stoch = mux(ule(shift, lit(6, 32)), and(rnd49, sub(shl(one49, shift), one49)), shl(rnd49, sub(shift, lit(6, 32))));
      const nearest = shr(shl(one49, shift), lit(1, 1));
      const sum = m.let(`sum${l}`, add(v49, mux(round, stoch, nearest)));
      const q = m.let(`q${l}`, sra(sum, shift));
      const qsat = sat8(m, `qsat${l}`, q);
      const rq = mux(land(flag, slt(qsat, lit(8, 0))), lit(8, 0), qsat);
      const diff = m.let(`diff${l}`, sub(sext(r.y, 50), sext(q, 50)));
      const sgd = sat8(m, `wnew${l}`, diff);
      const wide = m.let(`res${l}`, mux(lor(isMul, isSra), m.let(`q32_${l}`, slice(q, 31, 0)), r.simple));
      const toSp = eq(dmem, lit(2, ctx.sp.code));
      const res8 = select([[isRq, rq], [isSgd, sgd]], sat8(m, `rsat${l}`, wide));
      const out = m.let(`out${l}`, mux(lor(isRq, isSgd, toSp), sext(m.let(`out8_${l}`, res8), 32), wide));
      outLanes.push(out);
    }
    ff.push(set(s3.data, cat(...outLanes.reverse())));

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

/** Two rounds of xorshift32 (13, 17, 5): the counter-based RNG of docs/microarch.md §8. */
function xorshift2(m: ModuleBuilder, p: string, seed: Expr): Expr {
  let x = m.let(`${p}_x0`, seed);
  for (let r = 0; r < 2; r++) {
    const a = m.let(`${p}_a${r}`, xor(x, cat(slice(x, 18, 0), lit(13, 0))));
    const b = m.let(`${p}_b${r}`, xor(a, cat(lit(17, 0), slice(a, 31, 17))));
    x = m.let(`${p}_c${r}`, xor(b, cat(slice(b, 26, 0), lit(5, 0))));
  }
  return x;
}

/** Saturate a signed identifier to int8. */
function sat8(m: ModuleBuilder, name: string, e: Expr): Expr {
  const w = e.width;
  return m.let(name, select([[sgt(e, lit(w, 127)), lit(8, 127)], [slt(e, lit(w, -128)), lit(8, 0x80)]], slice(e, 7, 0)));
}
