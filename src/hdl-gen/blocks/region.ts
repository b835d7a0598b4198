/**
 * Lock regions in hardware. A local memory of `rows` rows is built as 4 banks of q = rows/4 rows,
 * one per lock region of the interlock (docs/microarch.md §4). Two units may write the same memory
 * in one cycle only if they write different regions (the controller never issues otherwise), so one
 * write port per bank is enough: region banking is what lets a 1-write-port RAM serve DMA, vector
 * unit and drain at once.
 */
import { clog2, lit, mux, select, slice, sub, trunc, uge, zext, type Expr } from '../ir/expr.js';
import type { ModuleBuilder } from '../ir/module.js';
import { isPow2 } from '../ctx.js';
import { ramAddrBits } from './ram.js';

export interface RegionAddr {
  /** Region (bank) index, 2 bits. */
  readonly region: Expr;
  /** Row within the bank. */
  readonly local: Expr;
}

/** Bits of a row address within one bank of q rows. */
export function localBits(q: number): number {
  return ramAddrBits(q);
}

/**
 * Split a row address (aw bits) into region and row-in-region. For power-of-two regions this is a
 * bit slice; otherwise three comparisons against the region bounds and one subtraction.
 */
export function regionOf(m: ModuleBuilder, prefix: string, row: Expr, q: number): RegionAddr {
  const aw = row.width;
  const lw = localBits(q);
  if (isPow2(q) && aw === clog2(q) + 2 && q >= 2) {
    return { region: m.let(`${prefix}_region`, slice(row, aw - 1, aw - 2)), local: m.let(`${prefix}_local`, slice(row, lw - 1, 0)) };
  }
  return regionGeneral(m, prefix, row, q);
}

/** Only the region of a row (lock sets need no row-in-bank). */
export function regionOnly(m: ModuleBuilder, prefix: string, row: Expr, q: number): Expr {
  const aw = row.width;
  if (isPow2(q) && aw === clog2(q) + 2 && q >= 2) return m.let(`${prefix}_region`, slice(row, aw - 1, aw - 2));
  const rw = Math.max(aw, clog2(3 * q + 1));
  const r = zext(row, rw);
  const ge = (k: number): Expr => uge(r, lit(rw, k * q));
  return m.let(`${prefix}_region`, select([[ge(3), lit(2, 3)], [ge(2), lit(2, 2)], [ge(1), lit(2, 1)]], lit(2, 0)));
}

function regionGeneral(m: ModuleBuilder, prefix: string, row: Expr, q: number): RegionAddr {
  const aw = row.width;
  const lw = localBits(q);
  const rw = Math.max(aw, clog2(3 * q + 1));
  const r = zext(row, rw);
  const ge = (k: number): Expr => uge(r, lit(rw, k * q));
  const region = m.let(`${prefix}_region`, select([[ge(3), lit(2, 3)], [ge(2), lit(2, 2)], [ge(1), lit(2, 1)]], lit(2, 0)));
  const base = select([[ge(3), lit(rw, 3 * q)], [ge(2), lit(rw, 2 * q)], [ge(1), lit(rw, q)]], lit(rw, 0));
  // Only the low bits of the difference are the row in bank; the rest is dropped on purpose.
  const diff = m.let(`${prefix}_lfull_unused`, sub(r, base));
  return { region, local: m.let(`${prefix}_local`, lw <= rw ? trunc(diff, lw) : zext(diff, lw)) };
}

/** 4:1 select of per-region values by a 2-bit region index. */
export function byRegion(region: Expr, vals: readonly Expr[]): Expr {
  return mux(slice(region, 1, 1), mux(slice(region, 0, 0), vals[3]!, vals[2]!), mux(slice(region, 0, 0), vals[1]!, vals[0]!));
}
