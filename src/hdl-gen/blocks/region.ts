/**
 * Lock regions of a row address (docs/microarch.md §4): a memory of `rows` rows has 4 regions of
 * q = rows/4 rows. Only the controller's lock sets need them; the memories are not banked by region.
 */
import { clog2, lit, select, slice, uge, zext, type Expr } from '../ir/expr.js';
import type { ModuleBuilder } from '../ir/module.js';
import { isPow2 } from '../ctx.js';

/** Only the region of a row (lock sets need no row-in-bank). */
export function regionOnly(m: ModuleBuilder, prefix: string, row: Expr, q: number): Expr {
  const aw = row.width;
  if (isPow2(q) && aw === clog2(q) + 2 && q >= 2) return m.let(`${prefix}_region`, slice(row, aw - 1, aw - 2));
  const rw = Math.max(aw, clog2(3 * q + 1));
  const r = zext(row, rw);
  const ge = (k: number): Expr => uge(r, lit(rw, k * q));
  return m.let(`${prefix}_region`, select([[ge(3), lit(2, 3)], [ge(2), lit(2, 2)], [ge(1), lit(2, 1)]], lit(2, 0)));
}
