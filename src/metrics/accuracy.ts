/**
 * Accuracy metrics as Keras 3: per-sample functions (`tn.metrics.binaryAccuracy(y, p)` → one value per sample)
 * and the classes that average them over all samples seen.
 */
import { ShapeError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, floatInput, toTensor, type TensorLike } from "../ops/convert.js";
import { equal, greater, isNaN, where } from "../ops/elementwise.js";
import { argMax, mean, sum } from "../ops/reduce.js";
import { gather, reshape } from "../ops/shape.js";
import { SPARSE_HINT, checkOptions, intOption, lossInputs } from "../losses/common.js";
import { readNumber } from "../utils/options.js";
import { sparseLabels } from "../losses/probabilistic.js";
import type { BaseMetricOptions, MetricConfig } from "./metric.js";
import { SampleMeanMetric } from "./reduction.js";

/** Matches as 0/1 in the prediction's float dtype. */
function asFloat(matches: Tensor, like: Tensor): Tensor {
  return castTo(matches, like.dtype === "float64" ? "float64" : "float32");
}

/** How often yPred equals yTrue exactly, averaged over the last axis. `tn.metrics.accuracy([[1], [2]], [[1], [3]])` → [1, 0] */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [y, p] = lossInputs(yTrue, yPred, "metrics.accuracy");
  return mean(asFloat(equal(y, p), p), { axis: -1 });
}

export interface BinaryAccuracyOptions {
  /** Predictions above it count as 1 (default 0.5). */
  threshold?: number;
}

function binaryAccuracyOptions(options: BinaryAccuracyOptions, op: string): Required<BinaryAccuracyOptions> {
  checkOptions(options, op, ["threshold"]);
  return { threshold: readNumber(options.threshold, 0.5, op, "threshold") };
}

/**
 * How often (yPred > threshold) equals yTrue, averaged over the last axis.
 * `tn.metrics.binaryAccuracy([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])` → [1, 1, 1, 0]
 */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, options: BinaryAccuracyOptions = {}): Tensor {
  const op = "metrics.binaryAccuracy";
  const { threshold } = binaryAccuracyOptions(options, op);
  const [y, p] = lossInputs(yTrue, yPred, op);
  return mean(asFloat(equal(y, castTo(greater(p, threshold), y.dtype)), p), { axis: -1 });
}

/**
 * Whether argMax(yPred) equals argMax(yTrue) (one-hot labels; the first maximum wins ties), per sample.
 * `tn.metrics.categoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])` → [0, 1]
 */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const op = "metrics.categoricalAccuracy";
  const [y, p] = lossInputs(yTrue, yPred, op, { adjust: false, hint: SPARSE_HINT });
  return asFloat(equal(argMax(y, { axis: -1 }), argMax(p, { axis: -1 })), p);
}

/** Integer labels (int or float) with a trailing 1 squeezed when their rank equals yPred's. */
function sparseLabelTensor(yTrue: TensorLike, p: Tensor, op: string): Tensor {
  const given = toTensor(yTrue, op, "yTrue");
  let y = given;
  if (y.rank === p.rank && y.rank > 0 && y.shape[y.rank - 1] === 1) y = reshape(y, y.shape.slice(0, -1));
  const expected = p.shape.slice(0, -1);
  if (!shapesEqual(y.shape, expected)) {
    throw new ShapeError(
      `${op}: yTrue must have the shape of yPred without its last (class) axis, ${formatShape(expected)} (or with a trailing 1), got ${formatShape(given.shape)} (yPred ${formatShape(p.shape)})`,
    );
  }
  return y;
}

function classPredictions(yPred: TensorLike, op: string): Tensor {
  const p = floatInput(yPred, op, "yPred");
  if (p.rank < 1) throw new ShapeError(`${op}: yPred must have rank >= 1 (classes on the last axis), got a scalar`);
  return p;
}

/**
 * Whether argMax(yPred) equals the integer label, per sample (labels [batch] or [batch, 1]).
 * `tn.metrics.sparseCategoricalAccuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])` → [0, 1]
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const op = "metrics.sparseCategoricalAccuracy";
  const p = classPredictions(yPred, op);
  const y = sparseLabelTensor(yTrue, p, op);
  const floatLabels = castTo(y, p.dtype);
  return asFloat(equal(floatLabels, castTo(argMax(p, { axis: -1 }), p.dtype)), p);
}

export interface TopKOptions {
  /** How many of the highest predictions count (default 5). */
  k?: number;
}

function topKOptions(options: TopKOptions, op: string): Required<TopKOptions> {
  checkOptions(options, op, ["k"]);
  return { k: intOption(options.k, 5, op, "k", 1) };
}

/**
 * Whether the label's prediction is among the k largest of its row: fewer than k predictions are strictly greater
 * (ties count in, as TF's in_top_k). `indices` are int32 of shape [...batch, 1].
 */
function inTopK(p: Tensor, indices: Tensor, k: number): Tensor {
  const last = p.rank - 1;
  let atLabel = gather(p, indices, last, last);
  atLabel = where(isNaN(atLabel), -Infinity, atLabel);
  const greaterCount = sum(castTo(greater(p, atLabel), "int32"), { axis: -1 });
  return greater(k, greaterCount);
}

/**
 * Whether the one-hot label's class is among the k highest predictions, per sample.
 * `tn.metrics.topKCategoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], {k: 1})` → [0, 1]
 */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, options: TopKOptions = {}): Tensor {
  const op = "metrics.topKCategoricalAccuracy";
  const { k } = topKOptions(options, op);
  const [y, p] = lossInputs(yTrue, yPred, op, { adjust: false, hint: SPARSE_HINT });
  const labels = argMax(y, { axis: -1 });
  return asFloat(inTopK(p, reshape(labels, [...labels.shape, 1]), k), p);
}

/**
 * Whether the integer label is among the k highest predictions, per sample (labels [batch] or [batch, 1]).
 * `tn.metrics.sparseTopKCategoricalAccuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], {k: 2})` → [1, 1]
 */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, options: TopKOptions = {}): Tensor {
  const op = "metrics.sparseTopKCategoricalAccuracy";
  const { k } = topKOptions(options, op);
  const p = classPredictions(yPred, op);
  const { indices } = sparseLabels(yTrue, p.shape, op);
  return asFloat(inTopK(p, indices, k), p);
}

/** How often predictions equal labels exactly. `const m = new tn.metrics.Accuracy(); m.update([[1], [2]], [[1], [3]]); m.result()` → 0.5 */
export class Accuracy extends SampleMeanMetric {
  static override readonly className: string = "Accuracy";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "accuracy", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return accuracy(yTrue, yPred);
  }
}

/** How often thresholded predictions match binary labels. `new tn.metrics.BinaryAccuracy({threshold: 0.7})` */
export class BinaryAccuracy extends SampleMeanMetric {
  static override readonly className: string = "BinaryAccuracy";
  readonly threshold: number;
  constructor(options: BinaryAccuracyOptions & BaseMetricOptions = {}) {
    super(options, "binary_accuracy", ["threshold"]);
    this.threshold = readNumber(options.threshold, 0.5, "BinaryAccuracy", "threshold", { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryAccuracy(yTrue, yPred, { threshold: this.threshold });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

/** How often argMax(yPred) matches one-hot labels. `new tn.metrics.CategoricalAccuracy()` */
export class CategoricalAccuracy extends SampleMeanMetric {
  static override readonly className: string = "CategoricalAccuracy";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "categorical_accuracy", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalAccuracy(yTrue, yPred);
  }
}

/** How often argMax(yPred) matches integer labels. `new tn.metrics.SparseCategoricalAccuracy()` */
export class SparseCategoricalAccuracy extends SampleMeanMetric {
  static override readonly className: string = "SparseCategoricalAccuracy";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "sparse_categorical_accuracy", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return sparseCategoricalAccuracy(yTrue, yPred);
  }
}

/** How often the one-hot label is among the k highest predictions. `new tn.metrics.TopKCategoricalAccuracy({k: 3})` */
export class TopKCategoricalAccuracy extends SampleMeanMetric {
  static override readonly className: string = "TopKCategoricalAccuracy";
  readonly k: number;
  constructor(options: TopKOptions & BaseMetricOptions = {}) {
    super(options, "top_k_categorical_accuracy", ["k"]);
    this.k = intOption(options.k, 5, "TopKCategoricalAccuracy", "k", 1);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return topKCategoricalAccuracy(yTrue, yPred, { k: this.k });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), k: this.k };
  }
}

/** How often the integer label is among the k highest predictions. `new tn.metrics.SparseTopKCategoricalAccuracy({k: 3})` */
export class SparseTopKCategoricalAccuracy extends SampleMeanMetric {
  static override readonly className: string = "SparseTopKCategoricalAccuracy";
  readonly k: number;
  constructor(options: TopKOptions & BaseMetricOptions = {}) {
    super(options, "sparse_top_k_categorical_accuracy", ["k"]);
    this.k = intOption(options.k, 5, "SparseTopKCategoricalAccuracy", "k", 1);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return sparseTopKCategoricalAccuracy(yTrue, yPred, { k: this.k });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), k: this.k };
  }
}
