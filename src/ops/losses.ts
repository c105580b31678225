/**
 * Loss functions with TF.js `tf.losses` semantics: an elementwise (or per-example) loss, multiplied by optional
 * `weights` that broadcast to it, then reduced (`reduction`, default "sumByNonzeroWeights"). Composed of ops, so
 * their gradients come from the primitives' rules. The logit-based losses are stable for any finite logits.
 */
import { isFloatDType, promoteTypes } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { broadcastsTo, formatShape, normalizeAxis, shapesEqual } from "../core/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { softplus } from "./activations.js";
import { assertOptionsObject, castTo, describeValue as describe, floatInput, toTensor, type TensorLike } from "./convert.js";
import { abs, add, div, log, minimum, mul, neg, notEqual, square, sub, where } from "./elementwise.js";
import { logSoftmax } from "./normalization.js";
import { sum } from "./reduce.js";
import { broadcastTo, gather, reshape } from "./shape.js";

/**
 * How a loss tensor is reduced (TF.js `tf.Reduction`): "none" keeps it; "sum" adds it up; "mean" divides the
 * weighted sum by the sum of the (broadcast) weights; "sumByNonzeroWeights" divides it by the number of non-zero
 * (broadcast) weights, or by the number of elements when no weights are given.
 */
export type Reduction = "none" | "sum" | "mean" | "sumByNonzeroWeights";

const REDUCTIONS: readonly Reduction[] = ["none", "sum", "mean", "sumByNonzeroWeights"];

export interface LossOptions {
  /** Per-element or per-example weights that broadcast to the loss (e.g. [batch] or [batch, 1]). */
  weights?: TensorLike;
  /** Default "sumByNonzeroWeights", as TF.js. */
  reduction?: Reduction;
}

export interface LabelSmoothingOptions extends LossOptions {
  /** In [0, 1]: labels become labels·(1 - s) + s/numClasses (softmax) or s/2 (sigmoid). Default 0. */
  labelSmoothing?: number;
}

export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear; > 0, default 1. */
  delta?: number;
}

export interface LogLossOptions extends LossOptions {
  /** Added inside the logs; >= 0, default 1e-7. */
  epsilon?: number;
}

/** Labels and predictions (or logits) as floats of one dtype and one shape. */
function pairInputs(labels: TensorLike, predictions: TensorLike, op: string, predName = "predictions"): [Tensor, Tensor] {
  let y = floatInput(labels, op, "labels");
  let p = floatInput(predictions, op, predName);
  if (!shapesEqual(y.shape, p.shape)) {
    throw new ShapeError(`${op}: labels and ${predName} must have the same shape, got ${formatShape(y.shape)} and ${formatShape(p.shape)}`);
  }
  const dtype = promoteTypes(y.dtype, p.dtype);
  y = castTo(y, dtype);
  p = castTo(p, dtype);
  return [y, p];
}

function numberOption(value: unknown, fallback: number, op: string, arg: string, min: number, max = Infinity, minExclusive = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === "number" && Number.isFinite(value) && (minExclusive ? value > min : value >= min) && value <= max;
  if (!ok) {
    const range = max === Infinity ? (minExclusive ? `> ${min}` : `>= ${min}`) : `in [${min}, ${max}]`;
    throw new ValueError(`${op}: ${arg} must be a finite number ${range}, got ${describe(value)}`);
  }
  return value as number;
}

/** a / b, with 0 where b is 0 (TF's div_no_nan), gradient-safe. */
function divNoNan(a: Tensor, b: Tensor): Tensor {
  const nonzero = notEqual(b, 0);
  return where(nonzero, div(a, where(nonzero, b, 1)), 0);
}

/** Resolves and validates the reduction and weights before any work. */
function lossSettings(options: LossOptions, op: string): { reduction: Reduction; weights: Tensor | null } {
  assertOptionsObject(options, op);
  const reduction = options.reduction ?? "sumByNonzeroWeights";
  if (!REDUCTIONS.includes(reduction)) {
    throw new ValueError(`${op}: reduction must be one of ${REDUCTIONS.map((r) => `"${r}"`).join(", ")}, got ${describe(reduction)}`);
  }
  const weights = options.weights === undefined ? null : floatInput(options.weights, op, "weights");
  return { reduction, weights };
}

function applyWeights(losses: Tensor, settings: { reduction: Reduction; weights: Tensor | null }, op: string): Tensor {
  const { reduction } = settings;
  let weights = settings.weights;
  if (weights !== null) {
    if (!broadcastsTo(weights.shape, losses.shape)) {
      throw new ShapeError(`${op}: weights of shape ${formatShape(weights.shape)} must broadcast to the loss shape ${formatShape(losses.shape)}`);
    }
    weights = castTo(weights, losses.dtype);
  }
  const weighted = weights === null ? losses : mul(losses, weights);
  switch (reduction) {
    case "none":
      return weighted;
    case "sum":
      return sum(weighted);
    case "mean":
      if (weights === null) return div(sum(weighted), losses.size);
      return divNoNan(sum(weighted), sum(broadcastTo(weights, losses.shape)));
    case "sumByNonzeroWeights": {
      if (weights === null) return div(sum(weighted), losses.size);
      const nonzero = castTo(notEqual(broadcastTo(weights, losses.shape), 0), losses.dtype);
      return divNoNan(sum(weighted), sum(nonzero));
    }
  }
}

/**
 * Applies weights and a reduction to a tensor of losses, as `tf.losses.computeWeightedLoss`. Where the weights
 * sum to zero, "mean" and "sumByNonzeroWeights" give 0 (TF's div_no_nan; TF.js gives NaN).
 * `tn.computeWeightedLoss([1, 3], {reduction: "mean"})` → 2
 */
export function computeWeightedLoss(losses: TensorLike, options: LossOptions = {}): Tensor {
  const op = "computeWeightedLoss";
  const l = floatInput(losses, op, "losses");
  return applyWeights(l, lossSettings(options, op), op);
}

/**
 * Cross-entropy between one-hot (or probability) labels and the softmax of `logits` along the last axis, as
 * `tf.losses.softmaxCrossEntropy`; stable for large logits. Labels and logits have the same shape.
 * `tn.softmaxCrossEntropy([[0, 1]], [[0, 0]])` → 0.6931
 */
export function softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, options: LabelSmoothingOptions = {}): Tensor {
  const op = "softmaxCrossEntropy";
  let [y, z] = pairInputs(onehotLabels, logits, op, "logits");
  const settings = lossSettings(options, op);
  const smoothing = numberOption(options.labelSmoothing, 0, op, "labelSmoothing", 0, 1);
  if (z.rank === 0) throw new ShapeError(`${op}: logits must have rank >= 1 (classes on the last axis), got a scalar`);
  if (smoothing > 0) y = add(mul(y, 1 - smoothing), smoothing / z.shape[z.rank - 1]);
  const losses = neg(sum(mul(y, logSoftmax(z)), { axis: -1 }));
  return applyWeights(losses, settings, op);
}

/**
 * Softmax cross-entropy with integer class labels (shape of logits without the last axis), as TF's
 * `sparse_softmax_cross_entropy`. Labels are checked to lie in [0, numClasses).
 * `tn.sparseSoftmaxCrossEntropy([1], [[0, 0]])` → 0.6931
 */
export function sparseSoftmaxCrossEntropy(labels: TensorLike, logits: TensorLike, options: LossOptions = {}): Tensor {
  const op = "sparseSoftmaxCrossEntropy";
  const z = floatInput(logits, op, "logits");
  // Plain arrays arrive as float32 and are accepted when their values are integers (checked below).
  const raw = toTensor(labels, op, "labels", "int32");
  if ((labels instanceof Tensor && isFloatDType(raw.dtype)) || raw.dtype === "bool") {
    throw new DTypeError(`${op}: labels must be an integer tensor (class indices), got dtype ${raw.dtype}`);
  }
  const settings = lossSettings(options, op);
  if (z.rank === 0) throw new ShapeError(`${op}: logits must have rank >= 1 (classes on the last axis), got a scalar`);
  const depth = z.shape[z.rank - 1];
  const expected = z.shape.slice(0, -1);
  if (!shapesEqual(raw.shape, expected)) {
    throw new ShapeError(
      `${op}: labels must have the shape of logits without the last axis, ${formatShape(expected)}, got ${formatShape(raw.shape)} (logits ${formatShape(z.shape)})`,
    );
  }
  const values = raw.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= depth) {
      throw new ValueError(`${op}: labels must be integers in [0, ${depth}) (the number of classes), got ${v} at index ${i}`);
    }
  }
  // -log softmax(z)[label], picked per example with a batched gather along the class axis.
  const indices = reshape(castTo(raw, "int32"), [...raw.shape, 1]);
  const losses = neg(reshape(gather(logSoftmax(z), indices, z.rank - 1, z.rank - 1), raw.shape));
  return applyWeights(losses, settings, op);
}

/**
 * Binary cross-entropy of `logits` against labels in [0, 1], as `tf.losses.sigmoidCrossEntropy`, computed as
 * max(x, 0) - x·z + log(1 + e^-|x|). `tn.sigmoidCrossEntropy([1], [0])` → 0.6931
 */
export function sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, options: LabelSmoothingOptions = {}): Tensor {
  const op = "sigmoidCrossEntropy";
  let [y, x] = pairInputs(multiClassLabels, logits, op, "logits");
  const settings = lossSettings(options, op);
  const smoothing = numberOption(options.labelSmoothing, 0, op, "labelSmoothing", 0, 1);
  if (smoothing > 0) y = add(mul(y, 1 - smoothing), 0.5 * smoothing);
  const losses = sub(softplus(x), mul(x, y));
  return applyWeights(losses, settings, op);
}

/** (labels - predictions)², reduced. `tn.meanSquaredError([1, 2], [1, 4])` → 2 */
export function meanSquaredError(labels: TensorLike, predictions: TensorLike, options: LossOptions = {}): Tensor {
  const op = "meanSquaredError";
  const [y, p] = pairInputs(labels, predictions, op);
  return applyWeights(square(sub(p, y)), lossSettings(options, op), op);
}

/** |labels - predictions|, reduced. `tn.absoluteDifference([1, 2], [1, 4])` → 1 */
export function absoluteDifference(labels: TensorLike, predictions: TensorLike, options: LossOptions = {}): Tensor {
  const op = "absoluteDifference";
  const [y, p] = pairInputs(labels, predictions, op);
  return applyWeights(abs(sub(p, y)), lossSettings(options, op), op);
}

/**
 * Huber loss: ½e² where |e| <= delta, else delta·(|e| - ½delta), e = predictions - labels.
 * `tn.huberLoss([0, 0], [0.5, 3])` → 1.3125
 */
export function huberLoss(labels: TensorLike, predictions: TensorLike, options: HuberLossOptions = {}): Tensor {
  const op = "huberLoss";
  const [y, p] = pairInputs(labels, predictions, op);
  const settings = lossSettings(options, op);
  const delta = numberOption(options.delta, 1, op, "delta", 0, Infinity, true);
  const absError = abs(sub(p, y));
  const quadratic = minimum(absError, delta);
  const linear = sub(absError, quadratic);
  return applyWeights(add(mul(square(quadratic), 0.5), mul(linear, delta)), settings, op);
}

/**
 * 1 - Σ labels·predictions along `axis` (kept as size 1), as `tf.losses.cosineDistance`; the inputs are assumed
 * unit-normalized along `axis`. `tn.cosineDistance([[0, 1]], [[0, 1]], 1)` → 0
 */
export function cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, options: LossOptions = {}): Tensor {
  const op = "cosineDistance";
  const [y, p] = pairInputs(labels, predictions, op);
  const settings = lossSettings(options, op);
  if (typeof axis !== "number") throw new ValueError(`${op}: axis is required (a number), got ${describe(axis)}`);
  if (y.rank === 0) throw new ShapeError(`${op}: labels and predictions must have rank >= 1, got scalars`);
  const ax = normalizeAxis(axis, y.rank, op);
  const losses = sub(1, sum(mul(y, p), { axis: ax, keepDims: true }));
  return applyWeights(losses, settings, op);
}

/**
 * Log loss (binary cross-entropy on probabilities): -y·log(p + ε) - (1 - y)·log(1 - p + ε), as `tf.losses.logLoss`.
 * `tn.logLoss([1], [0.5])` → 0.6931
 */
export function logLoss(labels: TensorLike, predictions: TensorLike, options: LogLossOptions = {}): Tensor {
  const op = "logLoss";
  const [y, p] = pairInputs(labels, predictions, op);
  const settings = lossSettings(options, op);
  const epsilon = numberOption(options.epsilon, 1e-7, op, "epsilon", 0);
  const positive = mul(y, log(add(p, epsilon)));
  const negative = mul(sub(1, y), log(add(sub(1, p), epsilon)));
  return applyWeights(neg(add(positive, negative)), settings, op);
}
