/**
 * Data effects of the DMA instructions (`ld`, `st`), applied whole at issue (docs/microarch.md §4).
 * Rows move in order r = 0, 1, …, so when a `st`'s main-memory rows overlap (stride < row bytes),
 * the later row wins.
 */
import type { ChipMemories } from './memory.js';

/**
 * Main → local. `mem` is the memory code (0 sp, 1 acc, 2 grad); acc/grad elements are 4 bytes,
 * little-endian; lanes ≥ elems are untouched.
 */
export function execLoad(m: ChipMemories, mem: number, row: number, rows: number, elems: number, base: number, stride: number): void {
  const W = m.W;
  const main = m.main;
  if (mem === 0) {
    const sp = m.sp;
    for (let r = 0; r < rows; r++) {
      const a = base + r * stride;
      const d = (row + r) * W;
      // Int8Array stores reinterpret each byte as int8, exactly the sp element.
      for (let e = 0; e < elems; e++) sp[d + e] = main[a + e]!;
    }
    return;
  }
  const dst = mem === 1 ? m.acc : m.grad;
  for (let r = 0; r < rows; r++) {
    let a = base + r * stride;
    const d = (row + r) * W;
    for (let e = 0; e < elems; e++, a += 4) {
      dst[d + e] = main[a]! | (main[a + 1]! << 8) | (main[a + 2]! << 16) | (main[a + 3]! << 24);
    }
  }
}

/** Local → main: the inverse of execLoad. */
export function execStore(m: ChipMemories, mem: number, row: number, rows: number, elems: number, base: number, stride: number): void {
  const W = m.W;
  const main = m.main;
  if (mem === 0) {
    const sp = m.sp;
    for (let r = 0; r < rows; r++) {
      const a = base + r * stride;
      const s = (row + r) * W;
      for (let e = 0; e < elems; e++) main[a + e] = sp[s + e]!;
    }
    return;
  }
  const src = mem === 1 ? m.acc : m.grad;
  for (let r = 0; r < rows; r++) {
    let a = base + r * stride;
    const s = (row + r) * W;
    for (let e = 0; e < elems; e++, a += 4) {
      const v = src[s + e]!;
      main[a] = v;
      main[a + 1] = v >> 8;
      main[a + 2] = v >> 16;
      main[a + 3] = v >> 24;
    }
  }
}
