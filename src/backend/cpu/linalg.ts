/**
 * cpu kernels: matrix multiplication.
 *
 * A GEBP-style blocked GEMM in plain TypeScript (the BLIS loop nest): for each NC-wide column block of B and each
 * KC-deep slice of k, B is packed into NR-wide row-major panels; for each MC-tall row block of A, A is packed into
 * MR-tall column-major panels; a 4x4 register-blocked micro-kernel then multiplies one A panel by one B panel,
 * keeping its 16 accumulators in locals so V8 holds them in registers. Packing reads A and B through (row, column)
 * strides, so transposeA/transposeB cost nothing extra and no transpose is ever materialized. Packed panels are
 * float64 (one monomorphic micro-kernel for every dtype), zero-padded to whole panels so the micro-kernel never
 * branches on edges, and partial sums accumulate in a float64 buffer (float32 results round once, at the end).
 */
import { broadcastShapes, sizeOf, stridesOf } from "../../core/shape.js";
import type { TypedArray } from "../../core/dtype.js";
import type { Kernel } from "../backend.js";
import type { LinalgPrimitives } from "../primitives.js";
import { alloc, out } from "./util.js";

const MR = 4;
const NR = 4;
/** Depth of a k slice: an MR x KC panel of A and a KC x NR panel of B (8 KiB each) stay in L1. */
const KC = 256;
/** Rows of A packed at once (MC x KC float64 = 128 KiB, in L2). */
const MC = 64;
/** Columns of B packed at once (KC x NC float64 = 1 MiB). */
const NC = 512;
/** Below this many multiply-adds, a direct triple loop beats packing. */
const SMALL = 16 * 16 * 16;

/** Packed-buffer scratch, reused across calls (grown on demand). */
let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/**
 * Packs rows [i0, i0+mc) and depths [p0, p0+kc) of A (element (i, p) at aOff + i*rs + p*cs) into MR-row panels:
 * panel r holds, for each p, the MR values A[i0 + r*MR + 0..MR-1, p0 + p] (zero past row mc).
 */
function packPanelsA(A: TypedArray, aOff: number, rs: number, cs: number, i0: number, mc: number, p0: number, kc: number, dst: Float64Array): void {
  let d = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    const base = aOff + (i0 + ir) * rs + p0 * cs;
    if (rows === MR) {
      let s0 = base;
      let s1 = base + rs;
      let s2 = base + 2 * rs;
      let s3 = base + 3 * rs;
      for (let p = 0; p < kc; p++, d += MR, s0 += cs, s1 += cs, s2 += cs, s3 += cs) {
        dst[d] = A[s0];
        dst[d + 1] = A[s1];
        dst[d + 2] = A[s2];
        dst[d + 3] = A[s3];
      }
    } else {
      for (let p = 0; p < kc; p++, d += MR) {
        const s = base + p * cs;
        for (let i = 0; i < MR; i++) dst[d + i] = i < rows ? A[s + i * rs] : 0;
      }
    }
  }
}

/**
 * Packs depths [p0, p0+kc) and columns [j0, j0+nc) of B (element (p, j) at bOff + p*rs + j*cs) into NR-column
 * panels: panel c holds, for each p, the NR values B[p0 + p, j0 + c*NR + 0..NR-1] (zero past column nc).
 */
function packPanelsB(B: TypedArray, bOff: number, rs: number, cs: number, p0: number, kc: number, j0: number, nc: number, dst: Float64Array): void {
  let d = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const base = bOff + p0 * rs + (j0 + jr) * cs;
    if (cols === NR) {
      if (cs === 1) {
        for (let p = 0, s = base; p < kc; p++, d += NR, s += rs) {
          dst[d] = B[s];
          dst[d + 1] = B[s + 1];
          dst[d + 2] = B[s + 2];
          dst[d + 3] = B[s + 3];
        }
      } else {
        for (let p = 0, s = base; p < kc; p++, d += NR, s += rs) {
          dst[d] = B[s];
          dst[d + 1] = B[s + cs];
          dst[d + 2] = B[s + 2 * cs];
          dst[d + 3] = B[s + 3 * cs];
        }
      }
    } else {
      for (let p = 0; p < kc; p++, d += NR) {
        const s = base + p * rs;
        for (let j = 0; j < NR; j++) dst[d + j] = j < cols ? B[s + j * cs] : 0;
      }
    }
  }
}

/**
 * C[cOff + i*ldc + j] += Σ_p Ap[aOff + p*MR + i] · Bp[bOff + p*NR + j] for i < rows, j < cols (4x4 register block).
 */
function microKernel(
  Ap: Float64Array,
  aOff: number,
  Bp: Float64Array,
  bOff: number,
  kc: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let a = aOff;
  let b = bOff;
  for (let p = 0; p < kc; p++, a += MR, b += NR) {
    const b0 = Bp[b], b1 = Bp[b + 1], b2 = Bp[b + 2], b3 = Bp[b + 3];
    const a0 = Ap[a];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    const a1 = Ap[a + 1];
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    const a2 = Ap[a + 2];
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    const a3 = Ap[a + 3];
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === MR && cols === NR) {
    let o = cOff;
    C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03;
    o += ldc;
    C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13;
    o += ldc;
    C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23;
    o += ldc;
    C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33;
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) C[cOff + i * ldc + j] += acc[i * NR + j];
}

/** C (m x n, row-major at cOff, zeroed) += A (m x k) · B (k x n), each read through (row, column) strides. */
function gemm(
  m: number,
  n: number,
  k: number,
  A: TypedArray,
  aOff: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
): void {
  if (m * n * k <= SMALL) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let ia = aOff + i * ars;
        let ib = bOff + j * bcs;
        for (let p = 0; p < k; p++, ia += acs, ib += brs) s += A[ia] * B[ib];
        C[cOff + i * n + j] += s;
      }
    }
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    const ncPadded = Math.ceil(nc / NR) * NR;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      if (packB.length < kc * ncPadded) packB = new Float64Array(kc * ncPadded);
      packPanelsB(B, bOff, brs, bcs, p0, kc, j0, nc, packB);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        const mcPadded = Math.ceil(mc / MR) * MR;
        if (packA.length < kc * mcPadded) packA = new Float64Array(kc * mcPadded);
        packPanelsA(A, aOff, ars, acs, i0, mc, p0, kc, packA);
        const Ap = packA;
        const Bp = packB;
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bPanel = (jr / NR) * kc * NR;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(Ap, (ir / MR) * kc * MR, Bp, bPanel, kc, C, cOff + (i0 + ir) * n + j0 + jr, n, rows, cols);
          }
        }
      }
    }
  }
}

/** Offsets of each broadcast batch entry into a batch of `shape` (row-major over `outShape`). */
function batchOffsets(shape: readonly number[], outShape: readonly number[], matrixSize: number): number[] {
  const total = sizeOf(outShape);
  const lead = outShape.length - shape.length;
  const strides = stridesOf(shape);
  const offsets = new Array<number>(total);
  const index = new Array<number>(outShape.length).fill(0);
  for (let t = 0; t < total; t++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) off += index[lead + d] * strides[d];
    offsets[t] = off * matrixSize;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

/** The sizes of a batched matMul: [..., m, k] x [..., k, n] after the transposes (shared with native). */
export function matMulGeometry(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean) {
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  const batchA = aShape.slice(0, ra - 2);
  const batchB = bShape.slice(0, rb - 2);
  const batch = broadcastShapes(batchA, batchB, "matMul");
  return { m, k, n, batchA, batchB, batch, outShape: [...batch, m, n] };
}

const matMul: Kernel<"matMul"> = ([a, b], { transposeA, transposeB }) => {
  const { m, k, n, batchA, batchB, batch, outShape } = matMulGeometry(a.shape, b.shape, transposeA, transposeB);
  const dtype = a.dtype;
  const size = sizeOf(outShape);
  const C = new Float64Array(size);
  // A's (row, column) strides: [m, k] is (k, 1); a stored [k, m] read transposed is (1, m). Likewise B.
  const ars = transposeA ? 1 : k;
  const acs = transposeA ? m : 1;
  const brs = transposeB ? 1 : n;
  const bcs = transposeB ? k : 1;
  if (size > 0 && k > 0) {
    if (sizeOf(batchB) === 1 && !transposeA) {
      // B is shared by every batch entry and A's rows are contiguous across batches: one (batch*m) x k GEMM.
      gemm(sizeOf(batchA) * m, n, k, a.data, 0, ars, acs, b.data, 0, brs, bcs, C, 0);
    } else {
      const offA = batchOffsets(batchA, batch, m * k);
      const offB = batchOffsets(batchB, batch, k * n);
      for (let t = 0; t < offA.length; t++) gemm(m, n, k, a.data, offA[t], ars, acs, b.data, offB[t], brs, bcs, C, t * m * n);
    }
  }
  if (dtype === "float64") return out(outShape, dtype, C);
  const dst = alloc(dtype, size);
  for (let i = 0; i < size; i++) dst[i] = C[i];
  return out(outShape, dtype, dst);
};

export const linalgKernels: { [P in keyof LinalgPrimitives]: Kernel<P> } = { matMul };
