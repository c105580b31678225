/**
 * Normalization: softmax, logSoftmax, batchNorm, layerNorm, localResponseNormalization. All are composed of
 * elementwise ops and reductions, so their gradients come from the primitives' rules.
 */
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastsTo, formatShape, normalizeAxes, normalizeAxis, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertFiniteNumber, assertOptionsObject, castTo, describeValue as describe, floatInput, type TensorLike } from "./convert.js";
import { add, div, exp, isFinite as isFiniteOp, log, mul, pow, rsqrt, square, sub, where } from "./elementwise.js";
import { max, sum } from "./reduce.js";
import { broadcastTo, pad, reshape, slice } from "./shape.js";

function assertNumberAtLeast(value: unknown, min: number, op: string, arg: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new ValueError(`${op}: ${arg} must be a finite number >= ${min}, got ${describe(value)}`);
  }
}

/**
 * The maximum over `axis` (kept as a size-1 axis) with no gradient, 0 where it is not finite. Subtracting it
 * leaves softmax unchanged, so stopping its gradient is exact.
 */
function stoppedMax(t: Tensor, axis: number): Tensor {
  const m = max(t.detach(), { axis, keepDims: true });
  return where(isFiniteOp(m), m, 0);
}

function softmaxInput(logits: TensorLike, axis: number, op: string): [Tensor, number] {
  const t = floatInput(logits, op, "logits");
  if (t.rank === 0) throw new ShapeError(`${op}: logits must have rank >= 1, got a scalar`);
  return [t, normalizeAxis(axis, t.rank, op)];
}

/** eˣ / Σeˣ along `axis` (the last by default), computed stably. `tn.softmax([1, 2, 3])` → [0.0900, 0.2447, 0.6652] */
export function softmax(logits: TensorLike, axis = -1): Tensor {
  const [t, ax] = softmaxInput(logits, axis, "softmax");
  const e = exp(sub(t, stoppedMax(t, ax)));
  return div(e, sum(e, { axis: ax, keepDims: true }));
}

/** log(softmax(x)) = x - logΣeˣ along `axis`, stable for large logits. `tn.logSoftmax([0, 0])` → [-0.6931, -0.6931] */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const [t, ax] = softmaxInput(logits, axis, "logSoftmax");
  const shifted = sub(t, stoppedMax(t, ax));
  return sub(shifted, log(sum(exp(shifted), { axis: ax, keepDims: true })));
}

/** A parameter tensor that must broadcast to x's shape without changing it. */
function paramInput(value: TensorLike, x: Tensor, op: string, arg: string): Tensor {
  const t = floatInput(value, op, arg);
  if (!broadcastsTo(t.shape, x.shape)) {
    throw new ShapeError(`${op}: ${arg} of shape ${formatShape(t.shape)} must broadcast to x's shape ${formatShape(x.shape)}`);
  }
  return castTo(t, x.dtype);
}

/**
 * Batch normalization with given statistics, as `tf.batchNorm`: (x - mean) · scale / √(variance + ε) + offset;
 * mean, variance, offset and scale broadcast to x (usually [channels]).
 * `tn.batchNorm([[1, 2]], [1, 1], [4, 4], undefined, undefined, 0)` → [[0, 0.5]]
 */
export function batchNorm(
  x: TensorLike,
  mean: TensorLike,
  variance: TensorLike,
  offset?: TensorLike,
  scale?: TensorLike,
  varianceEpsilon = 0.001,
): Tensor {
  const op = "batchNorm";
  const t = floatInput(x, op);
  const m = paramInput(mean, t, op, "mean");
  const v = paramInput(variance, t, op, "variance");
  const o = offset === undefined || offset === null ? null : paramInput(offset, t, op, "offset");
  const s = scale === undefined || scale === null ? null : paramInput(scale, t, op, "scale");
  assertNumberAtLeast(varianceEpsilon, 0, op, "varianceEpsilon");
  let factor = rsqrt(add(v, varianceEpsilon));
  if (s !== null) factor = mul(factor, s);
  const normalized = mul(sub(t, m), factor);
  return o !== null ? add(normalized, o) : normalized;
}

export interface LayerNormOptions {
  /** Axes to normalize over (negative counts from the end); default -1. */
  axis?: number | number[];
  /** Added to the variance; default 1e-3 (Keras). */
  epsilon?: number;
  /** Scale: shaped as the normalized axes (e.g. [features]) or broadcastable to x. */
  gamma?: TensorLike;
  /** Offset, shaped as gamma. */
  beta?: TensorLike;
}

/** A gamma/beta given either with the normalized axes' sizes or already broadcastable to x. */
function layerNormParam(value: TensorLike, x: Tensor, axes: readonly number[], arg: string): Tensor {
  const op = "layerNorm";
  const t = floatInput(value, op, arg);
  const axisSizes = axes.map((a) => x.shape[a]);
  if (shapesEqual(t.shape, axisSizes)) {
    const shape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    return castTo(reshape(t, shape), x.dtype);
  }
  if (!broadcastsTo(t.shape, x.shape)) {
    throw new ShapeError(
      `layerNorm: ${arg} of shape ${formatShape(t.shape)} must have the normalized axes' shape ${formatShape(axisSizes)} or broadcast to x's shape ${formatShape(x.shape)}`,
    );
  }
  return castTo(t, x.dtype);
}

/**
 * Layer normalization: (x - mean) / √(variance + ε) over `axis`, then · gamma + beta.
 * `tn.layerNorm([[1, 3]], {epsilon: 0})` → [[-1, 1]]
 */
export function layerNorm(x: TensorLike, options: LayerNormOptions = {}): Tensor {
  const op = "layerNorm";
  const t = floatInput(x, op);
  assertOptionsObject(options, op);
  if (t.rank === 0) throw new ShapeError(`layerNorm: x must have rank >= 1, got a scalar`);
  const axes = normalizeAxes(options.axis ?? -1, t.rank, op);
  if (axes.length === 0) throw new ValueError(`layerNorm: axis must name at least one axis, got []`);
  const epsilon = options.epsilon ?? 1e-3;
  assertNumberAtLeast(epsilon, 0, op, "epsilon");
  const gamma = options.gamma === undefined ? null : layerNormParam(options.gamma, t, axes, "gamma");
  const beta = options.beta === undefined ? null : layerNormParam(options.beta, t, axes, "beta");
  const n = axes.reduce((p, a) => p * t.shape[a], 1);
  const centered = sub(t, div(sum(t, { axis: axes, keepDims: true }), n));
  const variance = div(sum(square(centered), { axis: axes, keepDims: true }), n);
  let out = mul(centered, rsqrt(add(variance, epsilon)));
  if (gamma !== null) out = mul(out, gamma);
  if (beta !== null) out = add(out, beta);
  return out;
}

/** Σ over the window [c - r, c + r] (clipped to the valid channels) of the last axis, for each channel c. */
function channelWindowSum(t: Tensor, radius: number): Tensor {
  const channels = t.shape[t.rank - 1];
  if (radius >= channels - 1) return broadcastTo(sum(t, { axis: -1, keepDims: true }), t.shape);
  // Zero-pad the channels by the radius, then add the 2r + 1 shifted windows.
  const padded = pad(t, t.shape.map((_, a): [number, number] => (a === t.rank - 1 ? [radius, radius] : [0, 0])));
  const begin = t.shape.map(() => 0);
  let total: Tensor | null = null;
  for (let k = 0; k <= 2 * radius; k++) {
    begin[t.rank - 1] = k;
    const window = slice(padded, begin, t.shape);
    total = total === null ? window : add(total, window);
  }
  return total as Tensor;
}

/**
 * Local response normalization across channels, as `tf.localResponseNormalization` (x is [batch, height, width,
 * channels] or without batch): x / (bias + alpha · Σ x²)^beta, the sum over channels within depthRadius.
 * `tn.localResponseNormalization(x, 2, 1, 1e-4, 0.75)`
 */
export function localResponseNormalization(x: TensorLike, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): Tensor {
  const op = "localResponseNormalization";
  const t = floatInput(x, op);
  if (t.rank !== 4 && t.rank !== 3) {
    throw new ShapeError(`${op}: x must have rank 4 ([batch, height, width, channels]) or 3, got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  }
  if (!Number.isInteger(depthRadius) || depthRadius < 0) {
    throw new ValueError(`${op}: depthRadius must be a non-negative integer, got ${describe(depthRadius)}`);
  }
  for (const [name, v] of [["bias", bias], ["alpha", alpha], ["beta", beta]] as const) {
    assertFiniteNumber(v, op, name);
  }
  if (t.size === 0) return mul(t, 1);
  const windowSum = channelWindowSum(square(t), depthRadius);
  return mul(t, pow(add(mul(windowSum, alpha), bias), -beta));
}
