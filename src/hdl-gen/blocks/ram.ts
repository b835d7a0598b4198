/**
 * The one memory primitive: one write port with lane enables, one read port with a registered
 * read (data appears the cycle after the address). This is the shape yosys maps to block RAM on
 * both families (iCE40 EBR, ECP5 DP16KD: one read and one write port, registered output), so every
 * larger memory of the chip is built from it by banking and replication, never by adding ports.
 * A read and a write of the same word in one cycle return the old word here, but nothing may depend
 * on it: the interlocks never let a unit use a row read in the cycle it is written. The memory says
 * so to yosys (`no_rw_check`), which otherwise adds a bypass register and comparator to every RAM
 * to emulate the old-word rule on iCE40/ECP5 (measured: 219 LUT4 + 297 FF on a 512×128-bit RAM).
 */
import { bit, cat, clog2, memRead, mux, slice, type Expr } from '../ir/expr.js';
import { ModuleBuilder, iff, setMem, set, type Module, type Stmt } from '../ir/module.js';
import type { Library } from '../library.js';

export interface RamShape {
  readonly depth: number;
  readonly lanes: number;
  readonly laneBits: number;
}

/** Name of the RAM module of a shape (depth is at least 2, so the address is at least 1 bit). */
export function ramName(s: RamShape): string {
  return `ag_ram_${Math.max(2, s.depth)}x${s.lanes}x${s.laneBits}`;
}

export function ramAddrBits(depth: number): number {
  return clog2(Math.max(2, depth));
}

export function ram(lib: Library, s: RamShape): Module {
  const depth = Math.max(2, s.depth);
  return lib.once(ramName(s), () => {
    const w = s.lanes * s.laneBits;
    const aw = ramAddrBits(depth);
    const m = new ModuleBuilder(ramName(s), [
      `${depth} words × ${s.lanes} lane${s.lanes > 1 ? 's' : ''} of ${s.laneBits} bits: 1 write port with lane enables, 1 registered read port.`,
    ]);
    m.input('clk', 1);
    const we = m.input('we', 1, 'write enable');
    const waddr = m.input('waddr', aw);
    const wdata = m.input('wdata', w);
    const wmask = m.input('wmask', s.lanes, 'per-lane write enable');
    const raddr = m.input('raddr', aw);
    const rdata = m.output('rdata', w, 'registered: mem[raddr] of the previous cycle');
    const mem = m.mem('mem', w, depth, undefined, { noRwCheck: true });
    // One whole-word write whose unmasked lanes keep the old word. yosys turns this read-feedback
    // into per-lane write enables (opt_mem_feedback) and still maps the memory to block RAM; for
    // Verilator it is one delayed assignment instead of one per lane, which is most of the model's
    // speed on wide rows.
    let word: Expr = wdata;
    {
      const lanes: Expr[] = [];
      for (let l = s.lanes - 1; l >= 0; l--) {
        const hi = (l + 1) * s.laneBits - 1;
        const lo = l * s.laneBits;
        const old: Expr = { text: `mem[${waddr.text}][${hi}:${lo}]`, width: s.laneBits, refs: ['mem', ...waddr.refs] };
        lanes.push(mux(bit(wmask, l), slice(wdata, hi, lo), old));
      }
      word = cat(...lanes);
    }
    const writes: Stmt[] = [setMem(mem, waddr, word)];
    m.ff([iff(we, writes), set(rdata, memRead('mem', w, raddr))]);
    return m.build();
  });
}
