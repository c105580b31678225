/**
 * Regression metrics as Keras 3: the regression losses averaged over all samples seen, RootMeanSquaredError, and
 * CosineSimilarity (the similarity itself, not its negation as the loss).
 */
import type { Tensor } from "../tensor/tensor.js";
import { castTo, floatInput, type TensorLike } from "../ops/convert.js";
import { mul, square, sub } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { lossInputs, resolveAxis } from "../losses/common.js";
import {
  cosineSimilarityOptions,
  huber,
  huberOptions,
  l2Normalize,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  type CosineSimilarityOptions,
  type HuberOptions,
} from "../losses/regression.js";
import { metricWork, type BaseMetricOptions, type MetricConfig } from "./metric.js";
import { Mean, SampleMeanMetric, weightedParts } from "./reduction.js";

/**
 * Cosine similarity Σ l2normalize(yTrue)·l2normalize(yPred) along `axis`, per sample (the metric's sign: 1 means
 * aligned). `tn.metrics.cosineSimilarity([[0, 1], [1, 1]], [[1, 0], [1, 1]])` → [0, 1]
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, options: CosineSimilarityOptions = {}): Tensor {
  const op = "metrics.cosineSimilarity";
  const { axis } = cosineSimilarityOptions(options, op);
  const [y, p] = lossInputs(yTrue, yPred, op);
  const a = resolveAxis(axis, p.rank, op);
  return sum(mul(l2Normalize(y, a), l2Normalize(p, a)), { axis: a });
}

/** Mean squared error over all samples. `new tn.metrics.MeanSquaredError()` */
export class MeanSquaredError extends SampleMeanMetric {
  static override readonly className: string = "MeanSquaredError";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "mean_squared_error", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredError(yTrue, yPred);
  }
}

/** Mean absolute error over all samples. `new tn.metrics.MeanAbsoluteError()` */
export class MeanAbsoluteError extends SampleMeanMetric {
  static override readonly className: string = "MeanAbsoluteError";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "mean_absolute_error", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsoluteError(yTrue, yPred);
  }
}

/** Mean absolute percentage error over all samples. `new tn.metrics.MeanAbsolutePercentageError()` */
export class MeanAbsolutePercentageError extends SampleMeanMetric {
  static override readonly className: string = "MeanAbsolutePercentageError";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "mean_absolute_percentage_error", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsolutePercentageError(yTrue, yPred);
  }
}

/** Mean squared logarithmic error over all samples. `new tn.metrics.MeanSquaredLogarithmicError()` */
export class MeanSquaredLogarithmicError extends SampleMeanMetric {
  static override readonly className: string = "MeanSquaredLogarithmicError";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "mean_squared_logarithmic_error", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredLogarithmicError(yTrue, yPred);
  }
}

/** Log-cosh error over all samples. `new tn.metrics.LogCoshError()` */
export class LogCoshError extends SampleMeanMetric {
  static override readonly className: string = "LogCoshError";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "logcosh", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return logCosh(yTrue, yPred);
  }
}

/** Huber loss over all samples. `new tn.metrics.Huber({delta: 2})` */
export class Huber extends SampleMeanMetric {
  static override readonly className: string = "Huber";
  readonly delta: number;
  constructor(options: HuberOptions & BaseMetricOptions = {}) {
    super(options, "huber", ["delta"]);
    this.delta = huberOptions({ delta: options.delta }, "Huber").delta;
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return huber(yTrue, yPred, { delta: this.delta });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Mean cosine similarity over all samples. `new tn.metrics.CosineSimilarity({axis: -1})` */
export class CosineSimilarity extends SampleMeanMetric {
  static override readonly className: string = "CosineSimilarity";
  readonly axis: number;
  constructor(options: CosineSimilarityOptions & BaseMetricOptions = {}) {
    super(options, "cosine_similarity", ["axis"]);
    this.axis = cosineSimilarityOptions({ axis: options.axis }, "CosineSimilarity").axis;
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return cosineSimilarity(yTrue, yPred, { axis: this.axis });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/**
 * sqrt of the mean squared error over all elements seen (not per-sample RMSEs averaged).
 * `const m = new tn.metrics.RootMeanSquaredError(); m.update([[0, 1], [0, 0]], [[1, 1], [0, 0]]); m.result()` → 0.5
 */
export class RootMeanSquaredError extends Mean {
  static override readonly className: string = "RootMeanSquaredError";
  constructor(options: BaseMetricOptions = {}) {
    super({ name: "root_mean_squared_error", ...options });
  }

  override update(yTrue: TensorLike, yPred?: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const [t, c] = metricWork(() => {
      const [y, p] = lossInputs(yTrue, yPred as TensorLike, op, { minRank: 0 });
      const weights = sampleWeight === undefined || sampleWeight === null ? null : castTo(floatInput(sampleWeight, op, "sampleWeight"), p.dtype);
      return weightedParts(square(sub(p, y)), weights, op, "mean");
    });
    this.total += t;
    this.count += c;
  }

  override result(): number {
    return Math.sqrt(super.result());
  }
}
