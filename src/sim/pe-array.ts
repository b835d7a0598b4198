/**
 * The R×C output-stationary PE array at the level the contract observes it: two int32
 * accumulator banks per PE. A matmul's whole effect is applied at issue (docs/microarch.md §4: a
 * drain of the bank waits for the flush, so the pipeline registers are never observable).
 */

export class PeArray {
  /** Both banks, bank b at offset b·R·C, PE (i, j) at i·C + j. */
  readonly banks: Int32Array;
  // Gathered operands, one contiguous K-vector per PE row / column, so the reduction is a tight
  // dot product. Grown on demand and re-used (no allocation per matmul once warm).
  private lbuf = new Int32Array(0);
  private tbuf = new Int32Array(0);

  constructor(readonly R: number, readonly C: number, readonly W: number) {
    this.banks = new Int32Array(2 * R * C);
  }

  /** Zero both banks (`start`). */
  reset(): void {
    this.banks.fill(0);
  }

  /**
   * bank[i][j] = (acc ? bank[i][j] : 0) + Σ_k L(i,k)·T(k,j), int32 wrapping.
   * L(i,k) = sp[l + k][i], or with tl sp[l + ⌊k/W⌋·lstride + i][k mod W]; T likewise with C columns.
   * @param sp scratchpad (row-major, W lanes)
   * @param k reduction steps, 1..4096
   */
  matmul(sp: Int8Array, l: number, t: number, k: number, bank: number, acc: boolean, tl: boolean, tt: boolean, lstride: number, tstride: number): void {
    const { R, C } = this;
    if (this.lbuf.length < R * k) this.lbuf = new Int32Array(R * k);
    if (this.tbuf.length < C * k) this.tbuf = new Int32Array(C * k);
    const L = this.lbuf;
    const T = this.tbuf;
    this.gather(sp, L, l, k, R, tl, lstride);
    this.gather(sp, T, t, k, C, tt, tstride);
    const banks = this.banks;
    const b0 = bank * R * C;
    // 2×2 register blocks: four int32 accumulator chains share each pair of operand loads.
    // Math.imul and `| 0` keep V8 in int32 arithmetic; the wrap is exactly the PE's int32 accumulator.
    const R2 = R & ~1;
    const C2 = C & ~1;
    for (let i = 0; i < R2; i += 2) {
      const a0 = i * k;
      const a1 = a0 + k;
      for (let j = 0; j < C2; j += 2) {
        const c0 = j * k;
        const c1 = c0 + k;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let s = 0; s < k; s++) {
          const x0 = L[a0 + s]!;
          const x1 = L[a1 + s]!;
          const y0 = T[c0 + s]!;
          const y1 = T[c1 + s]!;
          s00 = (s00 + Math.imul(x0, y0)) | 0;
          s01 = (s01 + Math.imul(x0, y1)) | 0;
          s10 = (s10 + Math.imul(x1, y0)) | 0;
          s11 = (s11 + Math.imul(x1, y1)) | 0;
        }
        const p0 = b0 + i * C + j;
        const p1 = p0 + C;
        banks[p0] = ((acc ? banks[p0]! : 0) + s00) | 0;
        banks[p0 + 1] = ((acc ? banks[p0 + 1]! : 0) + s01) | 0;
        banks[p1] = ((acc ? banks[p1]! : 0) + s10) | 0;
        banks[p1 + 1] = ((acc ? banks[p1 + 1]! : 0) + s11) | 0;
      }
    }
    // Odd last column and/or row: plain dot products.
    for (let i = 0; i < R; i++) {
      for (let j = i < R2 ? C2 : 0; j < C; j++) {
        const p = b0 + i * C + j;
        banks[p] = ((acc ? banks[p]! : 0) + dot(L, i * k, T, j * k, k)) | 0;
      }
    }
  }

  /** Gather an edge operand into out[lane·k + step] (lane < n). */
  private gather(sp: Int8Array, out: Int32Array, base: number, k: number, n: number, transposed: boolean, stride: number): void {
    const W = this.W;
    if (!transposed) {
      // Step s is scratchpad row base + s, lane = PE row/column.
      for (let s = 0; s < k; s++) {
        const row = (base + s) * W;
        for (let x = 0; x < n; x++) out[x * k + s] = sp[row + x]!;
      }
      return;
    }
    // Transposed: block b of W steps lives in rows base + b·stride + lane, step s in lane s mod W.
    for (let b = 0, s0 = 0; s0 < k; b++, s0 += W) {
      const len = Math.min(W, k - s0);
      for (let x = 0; x < n; x++) {
        const row = (base + b * stride + x) * W;
        const o = x * k + s0;
        for (let s = 0; s < len; s++) out[o + s] = sp[row + s]!;
      }
    }
  }

  /**
   * Drain a bank into `dst` rows from `d`: without t dst[d+i][j] (+)= bank[i][j] (R rows), with t
   * dst[d+j][i] (+)= bank[i][j] (C rows). Other lanes are untouched.
   */
  drain(dst: Int32Array, d: number, bank: number, add: boolean, transposed: boolean): void {
    const { R, C, W } = this;
    const banks = this.banks;
    const b0 = bank * R * C;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const v = banks[b0 + i * C + j]!;
        const p = transposed ? (d + j) * W + i : (d + i) * W + j;
        dst[p] = add ? (dst[p]! + v) | 0 : v;
      }
    }
  }
}

/** Σ_s a[ai + s]·b[bi + s] over k steps, int32 wrapping. */
function dot(a: Int32Array, ai: number, b: Int32Array, bi: number, k: number): number {
  let s0 = 0;
  for (let s = 0; s < k; s++) s0 = (s0 + Math.imul(a[ai + s]!, b[bi + s]!)) | 0;
  return s0;
}
