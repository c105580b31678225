/** Reductions: sum, mean, prod, max, min, argMax, argMin, all, any, logSumExp, moments, norm, cumsum, cumprod. */
import { isFloatDType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { formatShape, normalizeAxes, normalizeAxis, reducedShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, numericInput, toTensor, type TensorLike } from "./convert.js";
import { abs, add, div, exp, isFinite, log, pow, sqrt, square, sub, where } from "./elementwise.js";

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  axis?: number | number[];
  keepDims?: boolean;
}

export interface ArgReduceOptions {
  /** The axis to reduce (negative counts from the end); 0 when omitted, as TF.js. */
  axis?: number;
  keepDims?: boolean;
}

export interface VarianceOptions extends ReduceOptions {
  /** Delta degrees of freedom: divides by N - ddof (0: population variance, 1: sample variance). */
  ddof?: number;
}

export interface CumulativeOptions {
  /** The axis to accumulate along (negative counts from the end); 0 when omitted, as TF.js. */
  axis?: number;
  /** Exclude each element from its own result (out[i] covers x[0..i-1]). */
  exclusive?: boolean;
  /** Accumulate from the end. */
  reverse?: boolean;
}

export type NormOrd = number | "euclidean" | "fro";

export interface NormOptions extends ReduceOptions {
  /** 1, 2, Infinity, -Infinity, another p > 0 (vectors), "euclidean" (default) or "fro" (matrices). */
  ord?: NormOrd;
}

type ReducePrim = "sum" | "prod" | "max" | "min" | "all" | "any";

function reduceWith(prim: ReducePrim, t: Tensor, axes: number[], keepDims: boolean | undefined): Tensor {
  const result = runPrimitive(prim, [t], { axes });
  return keepDims ? runPrimitive("reshape", [result], { shape: reducedShape(t.shape, axes, true) }) : result;
}

function checkOptions(op: string, options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new ValueError(`${op}: options must be an object such as {axis: 0, keepDims: true}, got ${Array.isArray(options) ? "an array" : String(options)}`);
  }
}

/** Number of elements reduced over `axes`. */
function countOf(t: Tensor, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= t.shape[a];
  return n;
}

/** Sum over `axis` (all by default); ints stay int32, bool counts as int32. `tn.sum([[1, 2], [3, 4]], {axis: 0})` → [4, 6] */
export function sum(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("sum", options);
  const t = toTensor(x, "sum", "x");
  const axes = normalizeAxes(options.axis, t.rank, "sum");
  const input = t.dtype === "bool" ? castTo(t, "int32") : t;
  return reduceWith("sum", input, axes, options.keepDims);
}

/** Mean over `axis` (all by default); integer input gives float32; empty gives NaN. `tn.mean([[1, 2], [3, 4]], {axis: 1})` → [1.5, 3.5] */
export function mean(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("mean", options);
  const t = toTensor(x, "mean", "x");
  const axes = normalizeAxes(options.axis, t.rank, "mean");
  const input = isFloatDType(t.dtype) ? t : castTo(t, "float32");
  return div(reduceWith("sum", input, axes, options.keepDims), countOf(t, axes));
}

/** Product over `axis` (all by default); ints stay int32. `tn.prod([[1, 2], [3, 4]], {axis: 0})` → [3, 8] */
export function prod(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("prod", options);
  const t = toTensor(x, "prod", "x");
  const axes = normalizeAxes(options.axis, t.rank, "prod");
  return reduceWith("prod", t.dtype === "bool" ? castTo(t, "int32") : t, axes, options.keepDims);
}

/**
 * Maximum over `axis` (all by default); NaN propagates; an empty reduction gives -Infinity (as TF). The gradient
 * is split evenly among tied maxima. `tn.max([[1, 5], [3, 2]], {axis: 0})` → [3, 5]
 */
export function max(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("max", options);
  const t = numericInput(x, "max");
  return reduceWith("max", t, normalizeAxes(options.axis, t.rank, "max"), options.keepDims);
}

/** Minimum over `axis` (all by default); NaN propagates; ties split the gradient. `tn.min([[1, 5], [3, 2]], {axis: 1})` → [1, 2] */
export function min(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("min", options);
  const t = numericInput(x, "min");
  return reduceWith("min", t, normalizeAxes(options.axis, t.rank, "min"), options.keepDims);
}

/** True where every element over `axis` is true (nonzero). `tn.all([[true, false], [true, true]], {axis: 1})` → [false, true] */
export function all(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("all", options);
  const t = toTensor(x, "all", "x");
  return reduceWith("all", t, normalizeAxes(options.axis, t.rank, "all"), options.keepDims);
}

/** True where some element over `axis` is true (nonzero). `tn.any([[true, false], [false, false]], {axis: 1})` → [true, false] */
export function any(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("any", options);
  const t = toTensor(x, "any", "x");
  return reduceWith("any", t, normalizeAxes(options.axis, t.rank, "any"), options.keepDims);
}

function argReduce(prim: "argMax" | "argMin", x: TensorLike, options: ArgReduceOptions): Tensor {
  checkOptions(prim, options);
  const t = numericInput(x, prim);
  if (options.axis !== undefined && typeof options.axis !== "number") {
    throw new ValueError(`${prim}: axis must be a single integer, got ${JSON.stringify(options.axis)}`);
  }
  if (t.rank === 0) {
    if (options.axis !== undefined && options.axis !== 0 && options.axis !== -1) normalizeAxis(options.axis, 0, prim);
    return toTensor(0, prim, "x", "int32");
  }
  const axis = normalizeAxis(options.axis ?? 0, t.rank, prim);
  if (t.shape[axis] === 0) {
    throw new ValueError(`${prim}: cannot reduce axis ${axis} of size 0 (x has shape ${formatShape(t.shape)})`);
  }
  const result = runPrimitive(prim, [t], { axis });
  return options.keepDims ? runPrimitive("reshape", [result], { shape: reducedShape(t.shape, [axis], true) }) : result;
}

/** int32 index of the maximum along `axis` (default 0); first on ties; NaN counts as the maximum. `tn.argMax([1, 3, 2])` → 1 */
export function argMax(x: TensorLike, options: ArgReduceOptions = {}): Tensor {
  return argReduce("argMax", x, options);
}

/** int32 index of the minimum along `axis` (default 0); first on ties; NaN counts as the minimum. `tn.argMin([1, 3, 0])` → 2 */
export function argMin(x: TensorLike, options: ArgReduceOptions = {}): Tensor {
  return argReduce("argMin", x, options);
}

/**
 * log Σ exp(x) over `axis`, computed stably (shifted by the maximum; all -Infinity gives -Infinity).
 * `tn.logSumExp([0, 0])` → 0.6931
 */
export function logSumExp(x: TensorLike, options: ReduceOptions = {}): Tensor {
  checkOptions("logSumExp", options);
  const t0 = numericInput(x, "logSumExp");
  const t = isFloatDType(t0.dtype) ? t0 : castTo(t0, "float32");
  const axes = normalizeAxes(options.axis, t.rank, "logSumExp");
  const m = reduceWith("max", t, axes, true);
  // The shift's gradient cancels exactly (∂/∂m of m + log Σ e^(x-m) is 0), so it needs no stop-gradient.
  const shift = where(isFinite(m), m, 0);
  const result = add(log(reduceWith("sum", exp(sub(t, shift)), axes, true)), shift);
  return options.keepDims ? result : runPrimitive("reshape", [result], { shape: reducedShape(t.shape, axes, false) });
}

/**
 * Mean and (population) variance over `axis`, as TF.js `tf.moments`.
 * `tn.moments([1, 2, 3, 4])` → {mean: 2.5, variance: 1.25}
 */
export function moments(x: TensorLike, options: ReduceOptions = {}): { mean: Tensor; variance: Tensor } {
  checkOptions("moments", options);
  const t0 = numericInput(x, "moments");
  const t = isFloatDType(t0.dtype) ? t0 : castTo(t0, "float32");
  const axes = normalizeAxes(options.axis, t.rank, "moments");
  const m = mean(t, { axis: axes, keepDims: true });
  const variance = mean(square(sub(t, m)), { axis: axes, keepDims: options.keepDims });
  const meanOut = options.keepDims ? m : runPrimitive("reshape", [m], { shape: reducedShape(t.shape, axes, false) });
  return { mean: meanOut, variance };
}

function varianceOf(op: string, x: TensorLike, options: VarianceOptions): Tensor {
  checkOptions(op, options);
  const t0 = numericInput(x, op);
  const t = isFloatDType(t0.dtype) ? t0 : castTo(t0, "float32");
  const axes = normalizeAxes(options.axis, t.rank, op);
  const ddof = options.ddof ?? 0;
  if (typeof ddof !== "number" || !Number.isInteger(ddof) || ddof < 0) {
    throw new ValueError(`${op}: ddof must be a non-negative integer, got ${String(ddof)}`);
  }
  const m = mean(t, { axis: axes, keepDims: true });
  const ss = reduceWith("sum", square(sub(t, m)), axes, options.keepDims);
  return div(ss, countOf(t, axes) - ddof);
}

/** Variance over `axis` (population by default; `ddof: 1` for the sample variance). `tn.variance([1, 2, 3, 4])` → 1.25 */
export function variance(x: TensorLike, options: VarianceOptions = {}): Tensor {
  return varianceOf("variance", x, options);
}

/** Standard deviation over `axis` (√variance; `ddof: 1` for the sample one). `tn.std([1, 3])` → 1 */
export function std(x: TensorLike, options: VarianceOptions = {}): Tensor {
  return sqrt(varianceOf("std", x, options));
}

/**
 * Vector or matrix norm, as TF.js `tf.norm`. No axis: the norm of all elements as one vector. One axis: a vector
 * norm (ord 1, 2 / "euclidean", Infinity, -Infinity, or any p > 0). Two axes: a matrix norm (ord 1: max column sum,
 * Infinity: max row sum, -Infinity: min row sum, "fro" / "euclidean": Frobenius).
 * `tn.norm([3, 4])` → 5
 */
export function norm(x: TensorLike, options: NormOptions = {}): Tensor {
  const op = "norm";
  checkOptions(op, options);
  const t0 = numericInput(x, op);
  const t = isFloatDType(t0.dtype) ? t0 : castTo(t0, "float32");
  const ord = options.ord ?? "euclidean";
  const keepDims = options.keepDims;
  const badOrd = (kind: string) =>
    new ValueError(`${op}: ord ${typeof ord === "string" ? `"${ord}"` : String(ord)} is not a valid ${kind} norm (expected ${
      kind === "vector" ? '1, 2, "euclidean", Infinity, -Infinity or a number p > 0' : '1, Infinity, -Infinity, "fro" or "euclidean"'
    })`);
  if (options.axis === undefined || options.axis === null) {
    // No axis: all elements as one vector (as TF.js).
    return vectorNorm(t, Array.from({ length: t.rank }, (_, i) => i), ord, keepDims, badOrd);
  }
  const axes = normalizeAxes(options.axis, t.rank, op);
  if (axes.length === 1) {
    if (ord === "fro") throw badOrd("vector");
    return vectorNorm(t, axes, ord, keepDims, badOrd);
  }
  if (axes.length !== 2) {
    throw new ValueError(`${op}: axis must name one axis (vector norm) or two (matrix norm), got ${JSON.stringify(options.axis)}`);
  }
  const [rowAxis, colAxis] = options.axis as number[];
  const r = normalizeAxis(rowAxis, t.rank, op);
  const c = normalizeAxis(colAxis, t.rank, op);
  const a = abs(t);
  const keep = (v: Tensor) => (keepDims ? runPrimitive("reshape", [v], { shape: reducedShape(t.shape, axes, true) }) : v);
  if (ord === "fro" || ord === "euclidean") return sqrt(reduceWith("sum", square(t), axes, keepDims));
  // The reduced shape after summing one axis: the other axis index shifts down when it came after.
  const after = (first: number, second: number) => (second > first ? second - 1 : second);
  if (ord === 1) return keep(reduceWith("max", reduceWith("sum", a, [r], false), [after(r, c)], false));
  if (ord === Infinity) return keep(reduceWith("max", reduceWith("sum", a, [c], false), [after(c, r)], false));
  if (ord === -Infinity) return keep(reduceWith("min", reduceWith("sum", a, [c], false), [after(c, r)], false));
  if (ord === -1) return keep(reduceWith("min", reduceWith("sum", a, [r], false), [after(r, c)], false));
  throw badOrd("matrix");
}

function vectorNorm(t: Tensor, axes: number[], ord: NormOrd, keepDims: boolean | undefined, badOrd: (kind: string) => ValueError): Tensor {
  if (ord === "euclidean" || ord === "fro" || ord === 2) return sqrt(reduceWith("sum", square(t), axes, keepDims));
  if (typeof ord !== "number" || Number.isNaN(ord)) throw badOrd("vector");
  if (ord === 1) return reduceWith("sum", abs(t), axes, keepDims);
  if (ord === Infinity) return reduceWith("max", abs(t), axes, keepDims);
  if (ord === -Infinity) return reduceWith("min", abs(t), axes, keepDims);
  if (ord > 0) return pow(reduceWith("sum", pow(abs(t), ord), axes, keepDims), 1 / ord);
  throw badOrd("vector");
}

function cumulative(prim: "cumsum" | "cumprod", x: TensorLike, options: CumulativeOptions): Tensor {
  checkOptions(prim, options);
  const t0 = toTensor(x, prim, "x");
  const t = t0.dtype === "bool" ? castTo(t0, "int32") : t0;
  for (const flag of ["exclusive", "reverse"] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== "boolean") {
      throw new ValueError(`${prim}: ${flag} must be a boolean, got ${String(options[flag])}`);
    }
  }
  if (t.rank === 0) throw new ValueError(`${prim}: x must have rank >= 1, got a scalar`);
  const axis = normalizeAxis(options.axis ?? 0, t.rank, prim);
  return runPrimitive(prim, [t], { axis, exclusive: options.exclusive ?? false, reverse: options.reverse ?? false });
}

/** Running sum along `axis` (default 0), optionally exclusive and/or reversed, as TF. `tn.cumsum([1, 2, 3])` → [1, 3, 6] */
export function cumsum(x: TensorLike, options: CumulativeOptions = {}): Tensor {
  return cumulative("cumsum", x, options);
}

/**
 * Running product along `axis` (default 0), optionally exclusive and/or reversed. Its gradient divides by x, so it
 * is NaN/Infinity where an input is exactly 0 (as TF). `tn.cumprod([1, 2, 3])` → [1, 2, 6]
 */
export function cumprod(x: TensorLike, options: CumulativeOptions = {}): Tensor {
  return cumulative("cumprod", x, options);
}
