/**
 * `tn.metrics`: Keras-level metrics. Stateful classes accumulate over batches (`m.update(y, p)`, `m.result()`,
 * `m.reset()`); lowercase functions give per-sample values (`tn.metrics.binaryAccuracy(y, p)`); `getMetric`
 * resolves names the way `compile` does. The loss functions are available here too, as in Keras.
 */
export { Metric, type MetricConfig, type BaseMetricOptions } from "./metric.js";
export { Mean, Sum, MeanMetricWrapper, SampleMeanMetric, type MetricFunction, type SampleValues } from "./reduction.js";
export {
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  type BinaryAccuracyOptions,
  type TopKOptions,
} from "./accuracy.js";
export { Precision, Recall, AUC, type PrecisionRecallOptions, type AUCOptions, type AUCCurve, type AUCSummationMethod } from "./confusion.js";
export { MeanIoU, type MeanIoUOptions } from "./iou.js";
export {
  cosineSimilarity,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
  LogCoshError,
  Huber,
  CosineSimilarity,
} from "./regression.js";
export {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  KLDivergence,
  Poisson,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
} from "./probabilistic.js";
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  huber,
  logCosh,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
  hinge,
  squaredHinge,
  categoricalHinge,
} from "../losses/index.js";
export {
  getMetric,
  deserializeMetric,
  serializeMetric,
  registerMetric,
  metricNames,
  type MetricContext,
  type SerializedMetric,
  type RegistrableMetricClass,
} from "./registry.js";
