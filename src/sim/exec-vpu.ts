/**
 * Data effects of the vector unit (`v*`, `rq`, `sgd`), applied whole at issue. Element n of an
 * instruction is (row r, lane x) with n = r·W + x; all W lanes of every row are processed.
 * Reads of sp sign-extend int8 (Int8Array does that); results are int32 (wrapping) and are
 * saturated to int8 when written to sp.
 */
import { VALU_FNS } from '../isa/table.js';
import { rngValue, rshiftNearest, rshiftStochastic, sat8, sext16 } from '../numeric/arith.js';
import type { ChipMemories } from './memory.js';

const fnIndex = (name: (typeof VALU_FNS)[number]): number => VALU_FNS.indexOf(name);
const F_MOV = fnIndex('mov');
const F_ADD = fnIndex('add');
const F_SUB = fnIndex('sub');
const F_MUL = fnIndex('mul');
const F_MAX = fnIndex('max');
const F_MIN = fnIndex('min');
const F_CLAMP = fnIndex('clamp');
const F_RELU = fnIndex('relu');
const F_RELUBWD = fnIndex('relubwd');
const F_SRA = fnIndex('sra');

/** Configuration a VPU instruction latches at issue. */
export interface VpuParams {
  readonly vshift: number;
  readonly clampLo: number;
  readonly clampHi: number;
}

/** The element function of a vector-ALU fn: (d, s) → int32 result. */
function valuOp(fn: number, p: VpuParams): (d: number, s: number) => number {
  const { vshift, clampLo, clampHi } = p;
  switch (fn) {
    case F_MOV: return (_d, s) => s;
    case F_ADD: return (d, s) => (d + s) | 0;
    case F_SUB: return (d, s) => (d - s) | 0;
    // The product is exact in a double (|d·s| < 2^47); `| 0` is the wrap to int32.
    case F_MUL: return (d, s) => rshiftNearest(d * sext16(s), vshift) | 0;
    case F_MAX: return (d, s) => (d > s ? d : s);
    case F_MIN: return (d, s) => (d < s ? d : s);
    case F_CLAMP: return (_d, s) => Math.min(Math.max(s, clampLo), clampHi);
    case F_RELU: return (_d, s) => (s > 0 ? s : 0);
    case F_RELUBWD: return (d, s) => (s > 0 ? d : 0);
    case F_SRA: return (_d, s) => rshiftNearest(s, vshift);
    default: throw new Error(`internal: vector-ALU fn ${fn} has no semantics`);
  }
}

/**
 * Vector ALU over `count` rows: dst[d + r][x] = fn(dst[d + r][x], src[s + r][x]).
 * Source and destination are either disjoint or the same rows (checked at decode), so in-place
 * element order does not matter.
 */
export function execValu(m: ChipMemories, fn: number, dmem: number, d: number, smem: number, s: number, count: number, p: VpuParams): void {
  const W = m.W;
  const dst = m.local[dmem]!;
  const src = m.local[smem]!;
  const op = valuOp(fn, p);
  const n = count * W;
  const d0 = d * W;
  const s0 = s * W;
  if (dmem === 0) for (let e = 0; e < n; e++) dst[d0 + e] = sat8(op(dst[d0 + e]!, src[s0 + e]!));
  else for (let e = 0; e < n; e++) dst[d0 + e] = op(dst[d0 + e]!, src[s0 + e]!);
}

/** Rounding right shift by ROUND mode; stochastic uses RNG element `n`. */
function rshiftRound(p: number, shift: number, stochastic: boolean, seed: number, n: number): number {
  return stochastic ? rshiftStochastic(p, shift, rngValue(seed, n)) : rshiftNearest(p, shift);
}

/**
 * Requantize: sp[d + r][x] = sat8(rshift_ROUND(src[s + r][x] × sext16(qmul), qshift)), then
 * max(y, 0) with relu. `n0` is the RNG element counter at issue.
 */
export function execRq(
  m: ChipMemories, d: number, smem: number, s: number, count: number, relu: boolean,
  qmul: number, qshift: number, stochastic: boolean, seed: number, n0: number,
): void {
  const W = m.W;
  const sp = m.sp;
  const src = m.local[smem]!;
  const mul = sext16(qmul);
  const n = count * W;
  const d0 = d * W;
  const s0 = s * W;
  for (let e = 0; e < n; e++) {
    const y = sat8(rshiftRound(src[s0 + e]! * mul, qshift, stochastic, seed, n0 + e));
    sp[d0 + e] = relu && y < 0 ? 0 : y;
  }
}

/**
 * SGD: sp[d + r][x] = sat8(W − rshift_ROUND(grad[s + r][x] × sext16(lrMul), lrShift)); with
 * clear the gradient rows become 0 afterwards. `n0` is the RNG element counter at issue.
 */
export function execSgd(
  m: ChipMemories, d: number, s: number, count: number, clear: boolean,
  lrMul: number, lrShift: number, stochastic: boolean, seed: number, n0: number,
): void {
  const W = m.W;
  const sp = m.sp;
  const grad = m.grad;
  const mul = sext16(lrMul);
  const n = count * W;
  const d0 = d * W;
  const s0 = s * W;
  for (let e = 0; e < n; e++) {
    const upd = rshiftRound(grad[s0 + e]! * mul, lrShift, stochastic, seed, n0 + e);
    sp[d0 + e] = sat8(sp[d0 + e]! - upd);
  }
  if (clear) grad.fill(0, s0, s0 + n);
}
