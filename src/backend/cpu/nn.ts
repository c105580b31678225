/**
 * cpu kernels: convolution (im2col + GEMM), pooling, resizing, and the fused conv / matMul (./fused.ts).
 *
 * Every N-d kernel (N = 1, 2, 3) works on a 3-d view: missing leading spatial dims become size 1 (kernel 1,
 * stride 1, dilation 1, no padding), so one loop nest serves conv1d, conv2d and conv3d alike.
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import type { Kernel, KernelTensor } from "../backend.js";
import type { ConvAttrs, FusedPrimitives, NNPrimitives, PoolAttrs, ResizeAttrs } from "../primitives.js";
import { fusedConvOver, fusedMatMul } from "./fused.js";
import { alloc, out } from "./util.js";

// ---- geometry ----

/** A conv or pool problem seen as 3-d: [batch, d, h, w, channels] in, [batch, od, oh, ow, *] out. */
interface Geometry {
  batch: number;
  inSp: [number, number, number];
  outSp: [number, number, number];
  k: [number, number, number];
  stride: [number, number, number];
  dil: [number, number, number];
  padBefore: [number, number, number];
  /** Spatial rank of the original problem (1, 2 or 3). */
  rank: number;
}

function lift3(values: readonly number[], fill: number): [number, number, number] {
  const r = [fill, fill, fill] as [number, number, number];
  for (let i = 0; i < values.length; i++) r[3 - values.length + i] = values[i];
  return r;
}

function outSize(inSize: number, k: number, stride: number, dil: number, before: number, after: number): number {
  const span = (k - 1) * dil + 1;
  return Math.max(0, Math.floor((inSize + before + after - span) / stride) + 1);
}

/** `xShape` is [batch, ...spatial, C]; `window` the spatial kernel size. */
function geometry(
  xShape: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  padding: readonly (readonly [number, number])[],
): Geometry {
  const rank = xShape.length - 2;
  const spatial = xShape.slice(1, 1 + rank);
  const outSpatial = spatial.map((s, i) =>
    outSize(s, window[i], strides[i], dilations[i], padding[i][0], padding[i][1]),
  );
  return {
    batch: xShape[0],
    inSp: lift3(spatial, 1),
    outSp: lift3(outSpatial, 1),
    k: lift3(window, 1),
    stride: lift3(strides, 1),
    dil: lift3(dilations, 1),
    padBefore: lift3(
      padding.map((p) => p[0]),
      0,
    ),
    rank,
  };
}

function spatialOut(g: Geometry): number[] {
  return g.outSp.slice(3 - g.rank);
}

const prod3 = (v: readonly number[]): number => v[0] * v[1] * v[2];

// ---- GEMM helpers (accumulate into C; rows of every matrix are contiguous runs) ----

const KC = 256;

/**
 * C[m×n] += A[m×k] · B[k×n]. i-p-j order, four rows of C at a time: the inner loop streams one row of B into four
 * contiguous rows of C (each B element loaded once for four multiply-adds). Blocked over k.
 */
function gemmNN(
  m: number, n: number, k: number,
  A: TypedArray, aOff: number, lda: number,
  B: TypedArray, bOff: number, ldb: number,
  C: TypedArray, cOff: number, ldc: number,
): void {
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(k, p0 + KC);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = aOff + i * lda;
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      const c0 = cOff + i * ldc;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      for (let p = p0; p < p1; p++) {
        const v0 = A[a0 + p];
        const v1 = A[a1 + p];
        const v2 = A[a2 + p];
        const v3 = A[a3 + p];
        const bRow = bOff + p * ldb;
        for (let j = 0; j < n; j++) {
          const b = B[bRow + j];
          C[c0 + j] += v0 * b;
          C[c1 + j] += v1 * b;
          C[c2 + j] += v2 * b;
          C[c3 + j] += v3 * b;
        }
      }
    }
    for (; i < m; i++) {
      const aRow = aOff + i * lda;
      const cRow = cOff + i * ldc;
      for (let p = p0; p < p1; p++) {
        const a = A[aRow + p];
        const bRow = bOff + p * ldb;
        for (let j = 0; j < n; j++) C[cRow + j] += a * B[bRow + j];
      }
    }
  }
}

/** C[m×n] += A[m×k] · B[n×k]ᵀ: each entry is a dot product of two contiguous rows. */
function gemmNT(
  m: number, n: number, k: number,
  A: TypedArray, aOff: number, lda: number,
  B: TypedArray, bOff: number, ldb: number,
  C: TypedArray, cOff: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * lda;
    const cRow = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      const bRow = bOff + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[aRow + p] * B[bRow + p];
      C[cRow + j] += s;
    }
  }
}

/**
 * C[m×n] += A[k×m]ᵀ · B[k×n]: the reduction index is outermost; four reduction rows at a time, so each pass over a
 * row of C folds in four rows of B.
 */
function gemmTN(
  m: number, n: number, k: number,
  A: TypedArray, aOff: number, lda: number,
  B: TypedArray, bOff: number, ldb: number,
  C: TypedArray, cOff: number, ldc: number,
): void {
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const a0 = aOff + p * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const b0 = bOff + p * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    for (let i = 0; i < m; i++) {
      const v0 = A[a0 + i];
      const v1 = A[a1 + i];
      const v2 = A[a2 + i];
      const v3 = A[a3 + i];
      const cRow = cOff + i * ldc;
      for (let j = 0; j < n; j++) C[cRow + j] += v0 * B[b0 + j] + v1 * B[b1 + j] + v2 * B[b2 + j] + v3 * B[b3 + j];
    }
  }
  for (; p < k; p++) {
    const aRow = aOff + p * lda;
    const bRow = bOff + p * ldb;
    for (let i = 0; i < m; i++) {
      const a = A[aRow + i];
      const cRow = cOff + i * ldc;
      for (let j = 0; j < n; j++) C[cRow + j] += a * B[bRow + j];
    }
  }
}

// ---- im2col / col2im ----

/** Output rows per im2col block: keeps the patch matrix around a million elements. */
function rowsPerBlock(patchLen: number): number {
  return Math.max(1, Math.floor((1 << 20) / Math.max(1, patchLen)));
}

/**
 * im2col and its adjoint, one walk over the patch matrix P of output rows r in [r0, r1):
 * - gather (`scatter` false): P[r - r0, (kidx·cg + c)] = X[n, pos(r, kidx), c0 + c], zero where the window falls
 *   into padding;
 * - scatter (`scatter` true, col2im): X[n, pos(r, kidx), c0 + c] += P[r - r0, (kidx·cg + c)], positions in padding
 *   dropped.
 */
function patches(
  X: TypedArray, P: TypedArray, g: Geometry, C: number, n: number, c0: number, cg: number, r0: number, r1: number,
  scatter: boolean,
): void {
  const [D, H, W] = g.inSp;
  const [, OH, OW] = g.outSp;
  const [KD, KH, KW] = g.k;
  const patch = KD * KH * KW * cg;
  const xBatch = n * D * H * W * C;
  let row = 0;
  for (let r = r0; r < r1; r++, row++) {
    const ow = r % OW;
    const oh = Math.floor(r / OW) % OH;
    const od = Math.floor(r / (OW * OH));
    const d0 = od * g.stride[0] - g.padBefore[0];
    const h0 = oh * g.stride[1] - g.padBefore[1];
    const w0 = ow * g.stride[2] - g.padBefore[2];
    let p = row * patch;
    for (let kd = 0; kd < KD; kd++) {
      const id = d0 + kd * g.dil[0];
      const dIn = id >= 0 && id < D;
      for (let kh = 0; kh < KH; kh++) {
        const ih = h0 + kh * g.dil[1];
        const hIn = dIn && ih >= 0 && ih < H;
        for (let kw = 0; kw < KW; kw++, p += cg) {
          const iw = w0 + kw * g.dil[2];
          if (hIn && iw >= 0 && iw < W) {
            const x = xBatch + ((id * H + ih) * W + iw) * C + c0;
            if (scatter) for (let c = 0; c < cg; c++) X[x + c] += P[p + c];
            else for (let c = 0; c < cg; c++) P[p + c] = X[x + c];
          } else if (!scatter) {
            for (let c = 0; c < cg; c++) P[p + c] = 0;
          }
        }
      }
    }
  }
}

/** The sizes every conv kernel needs (x [batch, ...spatial, C], w [...k, C / groups, outC]). */
interface ConvProblem {
  g: Geometry;
  C: number;
  outC: number;
  /** Input and output channels per group. */
  cg: number;
  og: number;
  /** Output positions per batch entry (rows of the patch matrix). */
  M: number;
  /** Patch length (columns of the patch matrix). */
  patch: number;
}

function convProblem(xShape: readonly number[], wShape: readonly number[], attrs: ConvAttrs): ConvProblem {
  const rank = xShape.length - 2;
  const g = geometry(xShape, wShape.slice(0, rank), attrs.strides, attrs.dilations, attrs.padding);
  const C = xShape[xShape.length - 1];
  const outC = wShape[wShape.length - 1];
  const cg = C / attrs.groups;
  return { g, C, outC, cg, og: outC / attrs.groups, M: prod3(g.outSp), patch: prod3(g.k) * cg };
}

/**
 * Calls `step(P, n, r0, r1, grp)` for every batch entry n, block [r0, r1) of output rows and group, in that
 * nesting; P is one patch buffer of `dtype` sized for a block, reused throughout.
 */
function forEachPatchBlock(
  p: ConvProblem,
  groups: number,
  dtype: DType,
  step: (P: TypedArray, n: number, r0: number, r1: number, grp: number) => void,
): void {
  const block = rowsPerBlock(p.patch);
  const P = alloc(dtype, Math.min(block, p.M) * p.patch);
  for (let n = 0; n < p.g.batch; n++) {
    for (let r0 = 0; r0 < p.M; r0 += block) {
      const r1 = Math.min(p.M, r0 + block);
      for (let grp = 0; grp < groups; grp++) step(P, n, r0, r1, grp);
    }
  }
}

// ---- convolution ----

/** y[n, o, g·og + j] = Σ_{kidx, c} x[n, pos(o, kidx), g·cg + c] · w[kidx, c, g·og + j]. */
const conv: Kernel<"conv"> = ([x, w], attrs) => {
  const p = convProblem(x.shape, w.shape, attrs);
  const { g, C, outC, cg, og, M, patch } = p;
  const Y = alloc(x.dtype, g.batch * M * outC);
  const shape = [g.batch, ...spatialOut(g), outC];
  if (Y.length === 0 || patch === 0) return out(shape, x.dtype, Y);
  forEachPatchBlock(p, attrs.groups, x.dtype, (P, n, r0, r1, grp) => {
    patches(x.data, P, g, C, n, grp * cg, cg, r0, r1, false);
    // Y rows (n, r) columns grp·og… += P · Wg, Wg = w viewed as [patch, outC] restricted to the group's columns.
    gemmNN(r1 - r0, og, patch, P, 0, patch, w.data, grp * og, outC, Y, (n * M + r0) * outC + grp * og, outC);
  });
  return out(shape, x.dtype, Y);
};

/** dx = col2im(dy · wᵀ), per group. */
const convBackpropInput: Kernel<"convBackpropInput"> = ([dy, w], attrs) => {
  const xShape = attrs.inputShape;
  const p = convProblem(xShape, w.shape, attrs);
  const { g, C, outC, cg, og, M, patch } = p;
  const DX = alloc(dy.dtype, xShape.reduce((a, b) => a * b, 1));
  if (DX.length === 0 || M === 0 || patch === 0) return out(xShape, dy.dtype, DX);
  forEachPatchBlock(p, attrs.groups, dy.dtype, (P, n, r0, r1, grp) => {
    P.fill(0);
    // P[r, p] = Σ_j dy[n, r, grp·og + j] · w[p, grp·og + j]
    gemmNT(r1 - r0, patch, og, dy.data, (n * M + r0) * outC + grp * og, outC, w.data, grp * og, outC, P, 0, patch);
    patches(DX, P, g, C, n, grp * cg, cg, r0, r1, true);
  });
  return out(xShape, dy.dtype, DX);
};

/** dw[p, grp·og + j] = Σ_{n, r} im2col(x)[n, r, p] · dy[n, r, grp·og + j]. */
const convBackpropFilter: Kernel<"convBackpropFilter"> = ([x, dy], attrs) => {
  const wShape = attrs.filterShape;
  const p = convProblem(x.shape, wShape, attrs);
  const { g, C, outC, cg, og, M, patch } = p;
  const DW = alloc(x.dtype, wShape.reduce((a, b) => a * b, 1));
  if (DW.length === 0 || M === 0 || g.batch === 0) return out(wShape, x.dtype, DW);
  forEachPatchBlock(p, attrs.groups, x.dtype, (P, n, r0, r1, grp) => {
    patches(x.data, P, g, C, n, grp * cg, cg, r0, r1, false);
    gemmTN(patch, og, r1 - r0, P, 0, patch, dy.data, (n * M + r0) * outC + grp * og, outC, DW, grp * og, outC);
  });
  return out(wShape, x.dtype, DW);
};

// ---- pooling ----

function poolGeometry(xShape: readonly number[], attrs: PoolAttrs): Geometry {
  const ones = attrs.windowShape.map(() => 1);
  return geometry(xShape, attrs.windowShape, attrs.strides, ones, attrs.padding);
}

/**
 * Calls `visit(outBase, inBases, count)` for every output position: `outBase` is the offset of its channel vector
 * in the output, `inBases[0..count)` the offsets of the in-bounds window positions' channel vectors in the input,
 * in window (row-major) order.
 */
function forEachWindow(g: Geometry, C: number, visit: (outBase: number, inBases: Int32Array, count: number) => void): void {
  const [D, H, W] = g.inSp;
  const [OD, OH, OW] = g.outSp;
  const [KD, KH, KW] = g.k;
  const bases = new Int32Array(KD * KH * KW);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    const xBatch = n * D * H * W;
    for (let od = 0; od < OD; od++) {
      const d0 = od * g.stride[0] - g.padBefore[0];
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * g.stride[1] - g.padBefore[1];
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = ow * g.stride[2] - g.padBefore[2];
          let count = 0;
          for (let kd = 0; kd < KD; kd++) {
            const id = d0 + kd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = h0 + kh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = w0 + kw;
                if (iw < 0 || iw >= W) continue;
                bases[count++] = (xBatch + (id * H + ih) * W + iw) * C;
              }
            }
          }
          visit(o * C, bases, count);
        }
      }
    }
  }
}

function poolOutShape(g: Geometry, C: number): number[] {
  return [g.batch, ...spatialOut(g), C];
}

/**
 * For every output position and channel, the input offset of the window's first maximum (NaN counts as the
 * maximum; -1 for a window with no in-bounds position).
 */
function argMaxWindows(x: KernelTensor, attrs: PoolAttrs): { g: Geometry; arg: Int32Array } {
  const C = x.shape[x.shape.length - 1];
  const g = poolGeometry(x.shape, attrs);
  const X = x.data;
  const arg = new Int32Array(g.batch * prod3(g.outSp) * C).fill(-1);
  const best = new Float64Array(C);
  forEachWindow(g, C, (o, bases, count) => {
    best.fill(-Infinity);
    for (let b = 0; b < count; b++) {
      const base = bases[b];
      for (let c = 0; c < C; c++) {
        const v = X[base + c];
        const m = best[c];
        // Strictly greater keeps the first maximum; the first NaN wins and stays.
        if (arg[o + c] < 0 || v > m || (v !== v && m === m)) {
          best[c] = v;
          arg[o + c] = base + c;
        }
      }
    }
  });
  return { g, arg };
}

/** y = max over the in-bounds part of each window (padding never wins). */
const maxPool: Kernel<"maxPool"> = ([x], attrs) => {
  const { g, arg } = argMaxWindows(x, attrs);
  const X = x.data;
  const Y = alloc(x.dtype, arg.length);
  for (let i = 0; i < arg.length; i++) Y[i] = arg[i] >= 0 ? X[arg[i]] : NaN;
  return out(poolOutShape(g, x.shape[x.shape.length - 1]), x.dtype, Y);
};

/** dx[argmax(window)] += dy[window], per channel. */
const maxPoolGrad: Kernel<"maxPoolGrad"> = ([x, dy], attrs) => {
  const { arg } = argMaxWindows(x, attrs);
  const DY = dy.data;
  const DX = alloc(dy.dtype, x.data.length);
  for (let i = 0; i < arg.length; i++) if (arg[i] >= 0) DX[arg[i]] += DY[i];
  return out(x.shape, dy.dtype, DX);
};

/** y = mean over the in-bounds part of each window (padding is not counted). */
const avgPool: Kernel<"avgPool"> = ([x], attrs) => {
  const C = x.shape[x.shape.length - 1];
  const g = poolGeometry(x.shape, attrs);
  const X = x.data;
  const Y = alloc(x.dtype, g.batch * prod3(g.outSp) * C);
  const acc = new Float64Array(C);
  forEachWindow(g, C, (o, bases, count) => {
    acc.fill(0);
    for (let b = 0; b < count; b++) {
      const base = bases[b];
      for (let c = 0; c < C; c++) acc[c] += X[base + c];
    }
    for (let c = 0; c < C; c++) Y[o + c] = count > 0 ? acc[c] / count : NaN;
  });
  return out(poolOutShape(g, C), x.dtype, Y);
};

/** dx[window position] += dy[window] / (in-bounds count). */
const avgPoolGrad: Kernel<"avgPoolGrad"> = ([dy], attrs) => {
  const xShape = attrs.inputShape;
  const C = xShape[xShape.length - 1];
  const g = poolGeometry(xShape, attrs);
  const DY = dy.data;
  const DX = alloc(dy.dtype, xShape.reduce((a, b) => a * b, 1));
  forEachWindow(g, C, (o, bases, count) => {
    if (count === 0) return;
    const scale = 1 / count;
    for (let b = 0; b < count; b++) {
      const base = bases[b];
      for (let c = 0; c < C; c++) DX[base + c] += DY[o + c] * scale;
    }
  });
  return out(xShape, dy.dtype, DX);
};

// ---- resizing (TF's coordinate conventions) ----

function resizeScale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** Per output index: the two source indices and the weight of the upper one (TF's compute_interpolation_weights). */
function linearTaps(inSize: number, outSize: number, attrs: ResizeAttrs): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const scale = resizeScale(inSize, outSize, attrs.alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = attrs.halfPixelCenters ? (i + 0.5) * scale - 0.5 : i * scale;
    const f = Math.floor(src);
    lo[i] = Math.min(Math.max(f, 0), inSize - 1);
    hi[i] = Math.min(Math.max(Math.ceil(src), 0), inSize - 1);
    frac[i] = src - f;
  }
  return { lo, hi, frac };
}

/** Per output index: the nearest source index (TF: round with alignCorners, else floor; clamped). */
function nearestTaps(inSize: number, outSize: number, attrs: ResizeAttrs): Int32Array {
  const scale = resizeScale(inSize, outSize, attrs.alignCorners);
  const idx = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = attrs.halfPixelCenters ? (i + 0.5) * scale : i * scale;
    const r = attrs.alignCorners ? Math.round(src) : Math.floor(src);
    idx[i] = Math.max(0, Math.min(r, inSize - 1));
  }
  return idx;
}

/**
 * Visits every (output pixel, source pixel, weight) triple of a bilinear resize: `visit(outBase, inBase, weight)`
 * with the offsets of the channel vectors.
 */
function forEachBilinearTap(
  xShape: readonly number[],
  attrs: ResizeAttrs,
  visit: (outBase: number, inBase: number, weight: number) => void,
): void {
  const [B, H, W, C] = xShape;
  const [OH, OW] = attrs.size;
  if (H === 0 || W === 0) return;
  const ty = linearTaps(H, OH, attrs);
  const tx = linearTaps(W, OW, attrs);
  let o = 0;
  for (let b = 0; b < B; b++) {
    const base = b * H * W;
    for (let y = 0; y < OH; y++) {
      const fy = ty.frac[y];
      const top = (base + ty.lo[y] * W) * C;
      const bottom = (base + ty.hi[y] * W) * C;
      for (let x = 0; x < OW; x++, o += C) {
        const fx = tx.frac[x];
        const l = tx.lo[x] * C;
        const r = tx.hi[x] * C;
        visit(o, top + l, (1 - fy) * (1 - fx));
        visit(o, top + r, (1 - fy) * fx);
        visit(o, bottom + l, fy * (1 - fx));
        visit(o, bottom + r, fy * fx);
      }
    }
  }
}

const resizeBilinear: Kernel<"resizeBilinear"> = ([x], attrs) => {
  const [B, , , C] = x.shape;
  const [OH, OW] = attrs.size;
  const X = x.data;
  const Y = alloc(x.dtype, B * OH * OW * C);
  const acc = new Float64Array(Y.length);
  forEachBilinearTap(x.shape, attrs, (o, i, w) => {
    if (w === 0) return;
    for (let c = 0; c < C; c++) acc[o + c] += w * X[i + c];
  });
  for (let i = 0; i < Y.length; i++) Y[i] = acc[i];
  return out([B, OH, OW, C], x.dtype, Y);
};

const resizeBilinearGrad: Kernel<"resizeBilinearGrad"> = ([dy], attrs) => {
  const xShape = attrs.inputShape;
  const C = xShape[3];
  const DY = dy.data;
  const acc = new Float64Array(xShape.reduce((a, b) => a * b, 1));
  forEachBilinearTap(xShape, attrs, (o, i, w) => {
    if (w === 0) return;
    for (let c = 0; c < C; c++) acc[i + c] += w * DY[o + c];
  });
  const DX = alloc(dy.dtype, acc.length);
  for (let i = 0; i < acc.length; i++) DX[i] = acc[i];
  return out(xShape, dy.dtype, DX);
};

function forEachNearestTap(xShape: readonly number[], attrs: ResizeAttrs, visit: (outBase: number, inBase: number) => void): void {
  const [B, H, W, C] = xShape;
  const [OH, OW] = attrs.size;
  if (H === 0 || W === 0) return;
  const iy = nearestTaps(H, OH, attrs);
  const ix = nearestTaps(W, OW, attrs);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      const row = (b * H + iy[y]) * W;
      for (let x = 0; x < OW; x++, o += C) visit(o, (row + ix[x]) * C);
    }
  }
}

const resizeNearest: Kernel<"resizeNearest"> = ([x], attrs) => {
  const [B, , , C] = x.shape;
  const [OH, OW] = attrs.size;
  const X = x.data;
  const Y = alloc(x.dtype, B * OH * OW * C);
  forEachNearestTap(x.shape, attrs, (o, i) => {
    for (let c = 0; c < C; c++) Y[o + c] = X[i + c];
  });
  return out([B, OH, OW, C], x.dtype, Y);
};

const resizeNearestGrad: Kernel<"resizeNearestGrad"> = ([dy], attrs) => {
  const xShape = attrs.inputShape;
  const C = xShape[3];
  const DY = dy.data;
  const DX = alloc(dy.dtype, xShape.reduce((a, b) => a * b, 1));
  forEachNearestTap(xShape, attrs, (o, i) => {
    for (let c = 0; c < C; c++) DX[i + c] += DY[o + c];
  });
  return out(xShape, dy.dtype, DX);
};

/** The nn kernels and the fused ones (./fused.ts), which build on conv. */
export const nnKernels: { [P in keyof NNPrimitives | keyof FusedPrimitives]: Kernel<P> } = {
  conv,
  convBackpropInput,
  convBackpropFilter,
  maxPool,
  maxPoolGrad,
  avgPool,
  avgPoolGrad,
  resizeBilinear,
  resizeBilinearGrad,
  resizeNearest,
  resizeNearestGrad,
  fusedConv: fusedConvOver(conv),
  fusedMatMul,
};
