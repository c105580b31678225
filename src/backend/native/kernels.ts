/**
 * The native backend's kernels: each prepares a compact geometry (merging adjacent dims that move together, so the
 * C++ loops see as few, as long runs as possible), allocates the output and lets the addon fill it in place.
 * Dtypes a kernel has no native loop for (int32 exp, float → int cast, …) go to the cpu kernel of the same
 * primitive, inside the kernel, so the table is the same whatever the inputs.
 *
 * The table is static (it does not need the addon to be importable): kernels reach the addon through `native()`,
 * which the backend only registers when the addon loaded.
 */
import { allocArray, type DType, type TypedArray } from "../../core/dtype.js";
import { takeBuffer } from "../../tensor/buffer-pool.js";
import { broadcastShapes, reducedShape, sizeOf, stridesOf } from "../../core/shape.js";
import type { Kernel, KernelTensor, PartialKernelTable } from "../backend.js";
import { binaryKernels, otherElementwiseKernels, unaryKernels } from "../cpu/elementwise.js";
import { linalgKernels, matMulGeometry } from "../cpu/linalg.js";
import { reduceKernels } from "../cpu/reduce.js";
import { gatherGeometry, shapeKernels, sliceGeometry } from "../cpu/shape.js";
import { aroundAxis } from "../cpu/util.js";
import { fusedMatMul as cpuFusedMatMul } from "../cpu/fused.js";
import type { BinaryPrimitives, ReducePrimitives, UnaryPrimitives } from "../primitives.js";
import { loadAddon, type NativeAddon } from "./addon.js";
import { FUSED_ACTIVATION_CODES } from "./conv.js";

export function native(): NativeAddon {
  const addon = loadAddon();
  if (addon === null) throw new Error("the native addon is not loaded");
  return addon;
}

/**
 * Below this many elements an elementwise or reduce kernel runs the cpu loop: for a handful of elements the
 * Node-API call and the geometry cost more than the loop (a [2] + [2] add: ~1.7 µs native, ~0.7 µs cpu).
 */
let SMALL = 64;

/** Whether `n` elements are few enough for the cpu loop (see `setSmallThreshold`). */
export function isSmall(n: number): boolean {
  return n < SMALL;
}

/** Sets the small-input threshold (tests set 0 to run the native loops on tiny inputs); returns the previous one. */
export function setSmallThreshold(n: number): number {
  const previous = SMALL;
  SMALL = n;
  return previous;
}

const isFloat = (dtype: DType): dtype is "float32" | "float64" => dtype === "float32" || dtype === "float64";
const result = (shape: readonly number[], dtype: DType, data: TypedArray): KernelTensor => ({ shape, dtype, data });

// ---------------------------------------------------------------------------------------------------------------
// Geometry helpers

/** Strides of `shape` seen from the broadcast `outShape` (0 along broadcast or missing axes). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const lead = outShape.length - shape.length;
  const r = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) r[lead + i] = shape[i] === 1 ? 0 : strides[i];
  return r;
}

/**
 * Scratch for the geometries handed to the addon. A fresh small Int32Array per kernel call lives on V8's heap, and
 * Node-API must move it to an off-heap buffer before the addon can read it; these are off-heap once, and reused (a
 * geometry is consumed by the addon call right after it is built). They grow for a higher rank or more stride lists.
 */
let scratchRank = 0;
let scratchLists = 0;
let GEOMETRY = new Int32Array(0);
let DIMS = new Int32Array(0);
let STRIDES = new Int32Array(0);

/** Makes the scratch hold `rank` dims and `lists` stride lists (row j of STRIDES starts at j · scratchRank). */
function reserveGeometry(rank: number, lists: number): void {
  if (rank <= scratchRank && lists <= scratchLists) return;
  scratchRank = Math.max(rank, scratchRank, 32);
  scratchLists = Math.max(lists, scratchLists, 4);
  GEOMETRY = new Int32Array(1 + scratchRank * (1 + scratchLists));
  DIMS = new Int32Array(scratchRank);
  STRIDES = new Int32Array(scratchRank * scratchLists);
}

/** [rank, DIMS[0..rank), then each of the first `lists` rows of STRIDES] as a view of GEOMETRY. */
function packGeometry(rank: number, lists: number): Int32Array {
  GEOMETRY[0] = rank;
  for (let d = 0; d < rank; d++) GEOMETRY[1 + d] = DIMS[d];
  for (let j = 0; j < lists; j++) {
    for (let d = 0; d < rank; d++) GEOMETRY[1 + (j + 1) * rank + d] = STRIDES[j * scratchRank + d];
  }
  return GEOMETRY.subarray(0, 1 + rank * (1 + lists));
}

/**
 * Drops size-1 dims and merges dim d into d-1 wherever every stride list satisfies s[d-1] = s[d]·n[d] (the two dims
 * walk memory as one). Returns [rank, shape…, strides of each list…] as the addon's Int32Array geometry; a scalar
 * becomes rank 1 of size 1. The array is reused by the next call: pass it to the addon at once.
 */
export function compactGeometry(shape: readonly number[], strideLists: readonly (readonly number[])[]): Int32Array {
  const lists = strideLists.length;
  reserveGeometry(Math.max(shape.length, 1), lists);
  let rank = 0;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 1) continue;
    let merge = rank > 0;
    for (let j = 0; j < lists && merge; j++) merge = STRIDES[j * scratchRank + rank - 1] === strideLists[j][d] * n;
    const at = merge ? rank - 1 : rank++;
    DIMS[at] = merge ? DIMS[at] * n : n;
    for (let j = 0; j < lists; j++) STRIDES[j * scratchRank + at] = strideLists[j][d];
  }
  if (rank === 0) {
    DIMS[0] = 1;
    for (let j = 0; j < lists; j++) STRIDES[j * scratchRank] = 0;
    rank = 1;
  }
  return packGeometry(rank, lists);
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise

type UnaryName = keyof UnaryPrimitives;
/** Unary primitives with a native loop (the others: isNaN, isInf, isFinite, logicalNot stay on cpu). */
const UNARY: UnaryName[] = [
  "neg", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log1p", "sin", "cos", "tan",
  "asin", "acos", "atan", "sinh", "cosh", "tanh", "erf", "floor", "ceil", "round", "sigmoid", "relu",
];

function unary(name: UnaryName): Kernel<UnaryName> {
  const fallback = unaryKernels[name];
  return (inputs, attrs) => {
    const [x] = inputs;
    if (!isFloat(x.dtype) || x.data.length < SMALL) return fallback(inputs, attrs);
    const addon = native();
    const y = takeBuffer(x.dtype, x.data.length);
    addon.unary(addon.unaryOps[name], x.data, y);
    return result(x.shape, x.dtype, y);
  };
}

type BinaryName = keyof BinaryPrimitives;
const COMPARE: BinaryName[] = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"];
/** Binary primitives with a native loop (logicalAnd/Or/Xor stay on cpu). */
const BINARY: BinaryName[] = ["add", "sub", "mul", "div", "floorDiv", "mod", "pow", "atan2", "maximum", "minimum", ...COMPARE];

function binary(name: BinaryName): Kernel<BinaryName> {
  const fallback = binaryKernels[name];
  const outBool = COMPARE.includes(name);
  return (inputs, attrs) => {
    const [a, b] = inputs;
    const addon = native();
    const nativeDtype = isFloat(a.dtype) || (a.dtype === "int32" && addon.binaryIntOps[name]);
    if (!nativeDtype || a.dtype !== b.dtype || (a.data.length < SMALL && b.data.length < SMALL)) return fallback(inputs, attrs);
    const shape = broadcastShapes(a.shape, b.shape, name);
    const dtype: DType = outBool ? "bool" : a.dtype;
    const y = takeBuffer(dtype, sizeOf(shape));
    const geom = compactGeometry(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
    if (!addon.binary(addon.binaryOps[name], a.data, b.data, y, geom)) return fallback(inputs, attrs);
    return result(shape, dtype, y);
  };
}

const cast: Kernel<"cast"> = (inputs, attrs) => {
  const [x] = inputs;
  if (!isFloat(attrs.dtype)) return otherElementwiseKernels.cast(inputs, attrs);
  const y = takeBuffer(attrs.dtype, x.data.length);
  if (!native().cast(x.data, y)) return otherElementwiseKernels.cast(inputs, attrs);
  return result(x.shape, attrs.dtype, y);
};

/** where(c, a, b) for every dtype (a bit copy), broadcasting; a condition that is not a Uint8Array goes to cpu. */
const where: Kernel<"where"> = (inputs, attrs) => {
  const [c, a, b] = inputs;
  const addon = native();
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape, "where"), b.shape, "where");
  const size = sizeOf(shape);
  if (addon.where === undefined || !(c.data instanceof Uint8Array) || a.dtype !== b.dtype || size < SMALL) {
    return otherElementwiseKernels.where(inputs, attrs);
  }
  const y = takeBuffer(a.dtype, size);
  const geom = compactGeometry(shape, [c.shape, a.shape, b.shape].map((s) => broadcastStrides(s, shape)));
  addon.where(c.data, a.data, b.data, y, geom);
  return result(shape, a.dtype, y);
};

/** relu's gradient in one pass (float32/float64 of one shape; anything else on cpu). */
const reluGrad: Kernel<"reluGrad"> = (inputs, attrs) => {
  const [dy, x] = inputs;
  const addon = native();
  const n = dy.data.length;
  if (addon.reluGrad === undefined || !isFloat(dy.dtype) || dy.dtype !== x.dtype || x.data.length !== n || n < SMALL) {
    return otherElementwiseKernels.reluGrad(inputs, attrs);
  }
  const y = takeBuffer(dy.dtype, n) as Float32Array | Float64Array;
  addon.reluGrad(dy.data as Float32Array | Float64Array, x.data as Float32Array | Float64Array, y);
  return result(dy.shape, dy.dtype, y);
};

// ---------------------------------------------------------------------------------------------------------------
// Reductions

type ReduceName = keyof ReducePrimitives & ("sum" | "prod" | "max" | "min");
const REDUCE: ReduceName[] = ["sum", "prod", "max", "min"];

/** [rank, shape…, reduced…] with size-1 dims dropped and neighbours of the same kind merged (reused, as compactGeometry's). */
function reduceGeometry(shape: readonly number[], axes: readonly number[]): Int32Array {
  reserveGeometry(Math.max(shape.length, 1), 1);
  let rank = 0;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const f = axes.includes(d) ? 1 : 0;
    if (rank > 0 && STRIDES[rank - 1] === f) DIMS[rank - 1] *= shape[d];
    else {
      DIMS[rank] = shape[d];
      STRIDES[rank++] = f;
    }
  }
  if (rank === 0) {
    DIMS[0] = 1;
    STRIDES[0] = 0;
    rank = 1;
  }
  return packGeometry(rank, 1);
}

function reduce(name: ReduceName): Kernel<"sum"> {
  const fallback = reduceKernels[name];
  return (inputs, attrs) => {
    const [x] = inputs;
    if (!isFloat(x.dtype) || x.data.length < SMALL) return fallback(inputs, attrs);
    const addon = native();
    const shape = reducedShape(x.shape, attrs.axes, false);
    const y = takeBuffer(x.dtype, sizeOf(shape));
    addon.reduce(addon.reduceOps[name], x.data, y, reduceGeometry(x.shape, attrs.axes));
    return result(shape, x.dtype, y);
  };
}

function argReduce(name: "argMax" | "argMin"): Kernel<"argMax"> {
  const fallback = reduceKernels[name];
  return (inputs, attrs) => {
    const [x] = inputs;
    const addon = native();
    const { outer, n, inner } = aroundAxis(x.shape, attrs.axis);
    if (addon.argReduce === undefined || !isFloat(x.dtype) || n === 0 || x.data.length < SMALL) return fallback(inputs, attrs);
    const y = takeBuffer("int32", outer * inner) as Int32Array;
    addon.argReduce(name === "argMax", x.data as Float32Array | Float64Array, y, outer, n, inner);
    return result(reducedShape(x.shape, [attrs.axis], false), "int32", y);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// matMul

/** Element offsets of each batch dim in a [...batch, rows, cols] tensor seen from the broadcast `batch` (0 = broadcast). */
function batchStrides(batchShape: readonly number[], batch: readonly number[], matrixSize: number): number[] {
  return broadcastStrides(batchShape, batch).map((s) => s * matrixSize);
}

const matMul: Kernel<"matMul"> = (inputs, attrs) => {
  const [a, b] = inputs;
  if (!isFloat(a.dtype) || a.dtype !== b.dtype) return linalgKernels.matMul(inputs, attrs);
  const { transposeA, transposeB } = attrs;
  const { m, k, n, batchA, batchB, batch, outShape } = matMulGeometry(a.shape, b.shape, transposeA, transposeB);
  // GEMM with beta = 0 writes every element of C; k = 0 needs zeros.
  const C = (k === 0 ? allocArray(a.dtype, sizeOf(outShape)) : takeBuffer(a.dtype, sizeOf(outShape))) as Float32Array | Float64Array;
  if (C.length === 0 || k === 0) return result(outShape, a.dtype, C);
  const addon = native();
  if (sizeOf(batchB) === 1 && !transposeA) {
    // B is shared by every batch entry and A's rows are contiguous across batches: one (batch·m) x k GEMM.
    addon.gemm(false, transposeB, sizeOf(batchA) * m, n, k, 1, a.data as Float32Array | Float64Array, 0, k, b.data as Float32Array | Float64Array, 0, transposeB ? k : n, 0, C, 0, n);
  } else {
    const geom = Int32Array.from([batch.length, ...batch, ...batchStrides(batchA, batch, m * k), ...batchStrides(batchB, batch, k * n)]);
    addon.matMulBatched(transposeA, transposeB, m, n, k, a.data, b.data, C, geom);
  }
  return result(outShape, a.dtype, C);
};

/** native/src/gemm.cc's epilogue (absent from addons built from older sources). */
type BiasActivation = (y: Float32Array | Float64Array, bias: Float32Array | Float64Array | null, cols: number, activation: number, alpha: number) => void;

/** matMul, then bias and activation in one pass over the fresh product (float32/float64, a 1-d bias of n values). */
const fusedMatMul: Kernel<"fusedMatMul"> = (inputs, attrs) => {
  const [a, b, bias] = inputs;
  const epilogue = (native() as NativeAddon & { biasActivation?: BiasActivation }).biasActivation;
  const n = b.shape[b.shape.length - (attrs.transposeB ? 2 : 1)];
  if (
    epilogue === undefined || !isFloat(a.dtype) || a.dtype !== b.dtype ||
    (bias !== undefined && (bias.dtype !== a.dtype || bias.data.length !== n))
  ) {
    return cpuFusedMatMul(inputs, attrs);
  }
  const y = matMul([a, b], { transposeA: attrs.transposeA, transposeB: attrs.transposeB });
  if (y.data.length > 0 && (bias !== undefined || attrs.activation !== "linear")) {
    epilogue(y.data as Float32Array | Float64Array, (bias?.data ?? null) as Float32Array | Float64Array | null, n, FUSED_ACTIVATION_CODES[attrs.activation], attrs.alpha);
  }
  return y;
};

// ---------------------------------------------------------------------------------------------------------------
// Shape

const transpose: Kernel<"transpose"> = (inputs, attrs) => {
  const [x] = inputs;
  const { perm } = attrs;
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const geom = compactGeometry(outShape, [perm.map((p) => inStrides[p])]);
  const y = takeBuffer(x.dtype, x.data.length);
  if (y.length === 0) return result(outShape, x.dtype, y);
  if (geom[0] === 1 && geom[2] <= 1) {
    y.set(x.data);
    return result(outShape, x.dtype, y);
  }
  native().transpose(x.data, y, geom);
  return result(outShape, x.dtype, y);
};

const broadcastTo: Kernel<"broadcastTo"> = (inputs, attrs) => {
  const [x] = inputs;
  const { shape } = attrs;
  const addon = native();
  const size = sizeOf(shape);
  if (addon.stridedCopy === undefined || size < SMALL) return shapeKernels.broadcastTo(inputs, attrs);
  const y = takeBuffer(x.dtype, size);
  addon.stridedCopy(x.data, y, 0, compactGeometry(shape, [broadcastStrides(x.shape, shape)]));
  return result(shape, x.dtype, y);
};

/** Contiguous slices stay cpu views (no copy); the others are one strided copy. */
const stridedSlice: Kernel<"stridedSlice"> = (inputs, attrs) => {
  const [x] = inputs;
  const g = sliceGeometry(x.shape, attrs.begin, attrs.end, attrs.strides);
  const size = sizeOf(g.shape);
  const addon = native();
  if (addon.stridedCopy === undefined || g.contiguous || size < SMALL) return shapeKernels.stridedSlice(inputs, attrs);
  const y = takeBuffer(x.dtype, size);
  addon.stridedCopy(x.data, y, g.start, compactGeometry(g.shape, [g.strides]));
  return result(g.shape, x.dtype, y);
};

const gather: Kernel<"gather"> = (inputs, attrs) => {
  const [x, indices] = inputs;
  if (!(indices.data instanceof Int32Array)) return shapeKernels.gather(inputs, attrs);
  const g = gatherGeometry(x.shape, indices.shape, attrs.axis, attrs.batchDims);
  const y = takeBuffer(x.dtype, sizeOf(g.outShape));
  if (y.length > 0) native().gather(x.data, indices.data, y, g.batch, g.outer, g.n, g.inner, g.count);
  return result(g.outShape, x.dtype, y);
};

const gatherGrad: Kernel<"gatherGrad"> = (inputs, attrs) => {
  const [dy, indices] = inputs;
  if (!isFloat(dy.dtype) || !(indices.data instanceof Int32Array)) return shapeKernels.gatherGrad(inputs, attrs);
  const g = gatherGeometry(attrs.shape, indices.shape, attrs.axis, attrs.batchDims);
  const dx = allocArray(dy.dtype, sizeOf(attrs.shape));
  if (dy.data.length > 0 && dx.length > 0) native().gatherGrad(dy.data, indices.data, dx, g.batch, g.outer, g.n, g.inner, g.count);
  return result(attrs.shape, dy.dtype, dx);
};

/** One memcpy per input and outer row (every dtype); tiny results stay on cpu. */
const concat: Kernel<"concat"> = (inputs, attrs) => {
  const { axis } = attrs;
  const first = inputs[0];
  const addon = native();
  const outShape = first.shape.slice();
  outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
  const size = sizeOf(outShape);
  const kind = first.data.constructor;
  if (addon.concat === undefined || size < SMALL || !inputs.every((t) => t.dtype === first.dtype && t.data.constructor === kind)) {
    return shapeKernels.concat(inputs, attrs);
  }
  const { outer } = aroundAxis(outShape, axis);
  const y = takeBuffer(first.dtype, size);
  addon.concat(inputs.map((t) => t.data), y, outer);
  return result(outShape, first.dtype, y);
};

// ---------------------------------------------------------------------------------------------------------------
// The table

function table(): PartialKernelTable {
  const t: PartialKernelTable = {
    cast, where, reluGrad, matMul, fusedMatMul, transpose, broadcastTo, stridedSlice, concat, gather, gatherGrad,
  };
  t.argMax = argReduce("argMax");
  t.argMin = argReduce("argMin");
  for (const name of UNARY) (t as Record<UnaryName, Kernel<UnaryName>>)[name] = unary(name);
  for (const name of BINARY) (t as Record<BinaryName, Kernel<BinaryName>>)[name] = binary(name);
  for (const name of REDUCE) (t as Record<ReduceName, Kernel<"sum">>)[name] = reduce(name);
  return t;
}

/** The kernels the native addon runs (conv and pooling come from ./conv.ts when present). */
export const nativeCoreKernels: PartialKernelTable = table();
