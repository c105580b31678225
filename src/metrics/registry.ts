/**
 * Name → metric resolution (the only place names become classes), as Keras 3's `compile_utils.get_metric`:
 * class names, snake_case and camelCase names, and aliases (mse, mae, mape, msle, bce, kld, …). "accuracy" / "acc"
 * picks binary, categorical or sparse categorical accuracy from the shapes of yTrue and yPred. Also the reverse for
 * saving: a metric's Keras class name comes from its class's static `className` (never its JS name, which minifiers
 * rename), for built-in classes and user classes registered with `registerMetric` only.
 */
import { ValueError } from "../core/errors.js";
import { toTensor, describeValue, type TensorLike } from "../ops/convert.js";
import { canonicalLossName } from "../losses/registry.js";
import { ownClassName, registrableClassName } from "../losses/common.js";
import { nameKey, snakeToCamel } from "../utils/serialization.js";
import {
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from "./accuracy.js";
import { AUC, Precision, Recall } from "./confusion.js";
import { MeanIoU } from "./iou.js";
import { Metric, type MetricConfig } from "./metric.js";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  CategoricalHinge,
  Hinge,
  KLDivergence,
  Poisson,
  SparseCategoricalCrossentropy,
  SquaredHinge,
} from "./probabilistic.js";
import { Mean, MeanMetricWrapper, Sum, type MetricFunction } from "./reduction.js";
import {
  CosineSimilarity,
  Huber,
  LogCoshError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
} from "./regression.js";

/** What getMetric may know about the output a metric will watch (compile passes it). */
export interface MetricContext {
  /** The loss compiled for this output (decides "accuracy" when the shapes are unknown). */
  lossName?: string;
  yTrueShape?: readonly (number | null)[];
  yPredShape?: readonly (number | null)[];
}

type MetricClass = { readonly className: string; fromConfig(config: object): Metric } & (new (options: { name: string }) => Metric);

/** A user's Metric class as registerMetric takes it: its own static className and fromConfig. */
export type RegistrableMetricClass = (abstract new (...args: never[]) => Metric) & { readonly className: string; fromConfig(config: object): Metric };

interface Entry {
  cls: MetricClass;
  snake: string;
  aliases: string[];
}

function entry(cls: MetricClass, snake: string, aliases: string[] = []): Entry {
  return { cls, snake, aliases };
}

/** The metrics getMetric knows by name ("accuracy" is decided by a rule; MeanIoU needs arguments). */
const ENTRIES: readonly Entry[] = [
  entry(BinaryAccuracy, "binary_accuracy"),
  entry(CategoricalAccuracy, "categorical_accuracy"),
  entry(SparseCategoricalAccuracy, "sparse_categorical_accuracy"),
  entry(TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
  entry(SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy"),
  entry(Precision, "precision"),
  entry(Recall, "recall"),
  entry(AUC, "auc"),
  entry(MeanSquaredError, "mean_squared_error", ["mse", "MSE"]),
  entry(MeanAbsoluteError, "mean_absolute_error", ["mae", "MAE"]),
  entry(MeanAbsolutePercentageError, "mean_absolute_percentage_error", ["mape", "MAPE"]),
  entry(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error", ["msle", "MSLE"]),
  entry(RootMeanSquaredError, "root_mean_squared_error"),
  entry(LogCoshError, "log_cosh_error", ["logcosh", "log_cosh", "logCosh"]),
  entry(Huber, "huber", ["huber_loss", "huberLoss"]),
  entry(CosineSimilarity, "cosine_similarity"),
  entry(BinaryCrossentropy, "binary_crossentropy", ["bce", "BCE"]),
  entry(CategoricalCrossentropy, "categorical_crossentropy"),
  entry(SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
  entry(KLDivergence, "kl_divergence", ["kld", "KLD", "kullback_leibler_divergence", "kullbackLeiblerDivergence"]),
  entry(Poisson, "poisson"),
  entry(Hinge, "hinge"),
  entry(SquaredHinge, "squared_hinge"),
  entry(CategoricalHinge, "categorical_hinge"),
  entry(Mean, "mean"),
  entry(Sum, "sum"),
];

/** Every built-in class deserializeMetric rebuilds, by its static className (the Keras name). */
const CLASSES = new Map<string, { fromConfig(config: object): Metric }>(
  [Accuracy, ...ENTRIES.map((e) => e.cls), MeanIoU].map((cls) => [cls.className, cls]),
);
const BUILTIN_CLASSES = new Set<unknown>(CLASSES.values());

/** User classes registered with registerMetric, by className. */
const CUSTOM = new Map<string, RegistrableMetricClass>();

/** Metrics whose constructor needs arguments no name can give. */
const NEEDS_ARGUMENTS: Readonly<Record<string, string>> = {
  MeanIoU: "new tn.metrics.MeanIoU({numClasses})",
  mean_iou: "new tn.metrics.MeanIoU({numClasses})",
  mean_io_u: "new tn.metrics.MeanIoU({numClasses})",
  meanIoU: "new tn.metrics.MeanIoU({numClasses})",
  MeanMetricWrapper: "new tn.metrics.MeanMetricWrapper(fn)",
};

const BY_NAME = new Map<string, Entry>();
for (const e of ENTRIES) for (const n of new Set([e.cls.className, e.snake, snakeToCamel(e.snake), ...e.aliases])) BY_NAME.set(n, e);
/** Built-in names as nameKey sees them, which user classes may not take. */
const BUILTIN_KEYS = new Set([...BY_NAME.keys(), ...CLASSES.keys(), ...Object.keys(NEEDS_ARGUMENTS), "accuracy", "acc"].map(nameKey));

/** The metric names getMetric accepts (snake_case and camelCase forms; class names and aliases work too). */
export function metricNames(): string[] {
  return ["accuracy", "acc", ...ENTRIES.flatMap((e) => [e.snake, snakeToCamel(e.snake)])];
}

type AccuracyKind = "binary" | "categorical" | "sparse";

/** Keras 3's rule: yPred with a last axis of 1 is binary; labels of lower rank, or ending in 1, are sparse. */
function accuracyKindFromShapes(yTrueShape: readonly (number | null)[], yPredShape: readonly (number | null)[]): AccuracyKind {
  const trueLast = yTrueShape.length > 0 ? yTrueShape[yTrueShape.length - 1] : undefined;
  const predLast = yPredShape.length > 0 ? yPredShape[yPredShape.length - 1] : undefined;
  if (predLast === 1) return "binary";
  const predMany = typeof predLast === "number" && predLast > 1;
  if (yTrueShape.length < yPredShape.length || (trueLast === 1 && predMany)) return "sparse";
  return "categorical";
}

function accuracyKindFromLoss(lossName: string): AccuracyKind | null {
  switch (canonicalLossName(lossName)) {
    case "binary_crossentropy":
      return "binary";
    case "sparse_categorical_crossentropy":
      return "sparse";
    case "categorical_crossentropy":
      return "categorical";
    default:
      return null;
  }
}

function accuracyOfKind(kind: AccuracyKind, name: string): Metric {
  if (kind === "binary") return new BinaryAccuracy({ name });
  if (kind === "sparse") return new SparseCategoricalAccuracy({ name });
  return new CategoricalAccuracy({ name });
}

/** "accuracy" with nothing known yet: picks its kind from the first batch's shapes (Keras 3's rule). */
class ShapeDecidedAccuracy extends Metric {
  private inner: Metric | null = null;

  /** The accuracy metric chosen by the first batch, or null before it. */
  get decided(): Metric | null {
    return this.inner;
  }

  constructor(name: string) {
    super({ name }, name, []);
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    if (this.inner === null) {
      const op = `${this.name}.update`;
      const kind = accuracyKindFromShapes(toTensor(yTrue, op, "yTrue").shape, toTensor(yPred, op, "yPred").shape);
      this.inner = accuracyOfKind(kind, this.name);
    }
    this.inner.update(yTrue, yPred, sampleWeight);
  }

  result(): number {
    return this.inner === null ? 0 : this.inner.result();
  }

  reset(): void {
    this.inner?.reset();
  }

  override getConfig(): MetricConfig {
    return this.inner === null ? super.getConfig() : this.inner.getConfig();
  }
}

function isShape(value: unknown): value is readonly (number | null)[] {
  return Array.isArray(value) && value.every((d) => d === null || (typeof d === "number" && Number.isInteger(d) && d >= 0));
}

/**
 * Resolves a metric identifier to a fresh Metric named as given (Keras logs "accuracy", not "categorical_accuracy"):
 * a name (camelCase, snake_case, class name or alias, or a registered user class's className); "accuracy"/"acc"
 * choose binary, categorical or sparse categorical accuracy from `context`'s shapes (else its loss, else the first
 * batch); a function becomes a MeanMetricWrapper named after it; a Metric is returned as is.
 * `tn.metrics.getMetric("accuracy", {yTrueShape: [null, 1], yPredShape: [null, 10]})` → SparseCategoricalAccuracy named "accuracy"
 */
export function getMetric(identifier: string | Metric | MetricFunction, context: MetricContext = {}): Metric {
  const op = "getMetric";
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === "function") return new MeanMetricWrapper(identifier);
  if (typeof identifier !== "string") {
    throw new ValueError(`${op}: identifier must be a metric name, a Metric or a function (yTrue, yPred) => Tensor, got ${describeValue(identifier)}`);
  }
  if (typeof context !== "object" || context === null) throw new ValueError(`${op}: context must be an object, got ${describeValue(context)}`);
  const lower = identifier.toLowerCase();
  if (lower === "accuracy" || lower === "acc") {
    const { yTrueShape, yPredShape, lossName } = context;
    for (const [arg, shape] of [["yTrueShape", yTrueShape], ["yPredShape", yPredShape]] as const) {
      if (shape !== undefined && !isShape(shape)) throw new ValueError(`${op}: context.${arg} must be an array of sizes (or null), got ${describeValue(shape)}`);
    }
    if (yTrueShape !== undefined && yPredShape !== undefined) return accuracyOfKind(accuracyKindFromShapes(yTrueShape, yPredShape), identifier);
    const byLoss = typeof lossName === "string" ? accuracyKindFromLoss(lossName) : null;
    if (byLoss !== null) return accuracyOfKind(byLoss, identifier);
    return new ShapeDecidedAccuracy(identifier);
  }
  const e = BY_NAME.get(identifier);
  const custom = e === undefined ? CUSTOM.get(identifier) : undefined;
  if (custom !== undefined) return custom.fromConfig({ name: identifier });
  if (e === undefined) {
    const hint = NEEDS_ARGUMENTS[identifier];
    if (hint !== undefined) throw new ValueError(`${op}: ${JSON.stringify(identifier)} needs constructor arguments; use ${hint}`);
    throw new ValueError(
      `${op}: unknown metric ${JSON.stringify(identifier)}; known metrics: accuracy, ${ENTRIES.map((x) => x.snake).join(", ")} (camelCase, class names and aliases such as acc, mse, mae also work)`,
    );
  }
  return new e.cls({ name: identifier });
}

/**
 * Rebuilds a metric from its class name and config (as written by `getConfig`), through the registry only.
 * `tn.metrics.deserializeMetric("AUC", {name: "auc", curve: "PR"})`
 */
export function deserializeMetric(className: string, config: Partial<MetricConfig> = {}): Metric {
  const op = "deserializeMetric";
  if (typeof className !== "string") throw new ValueError(`${op}: className must be a string, got ${describeValue(className)}`);
  const cls = CLASSES.get(className) ?? CUSTOM.get(className);
  if (cls === undefined) {
    throw new ValueError(`${op}: unknown metric class ${JSON.stringify(className)}; known classes: ${[...CLASSES.keys(), ...CUSTOM.keys()].join(", ")}`);
  }
  return cls.fromConfig(config);
}

/**
 * Registers a user's Metric subclass so saved models name it by its own static `className` and load it back
 * (deserializeMetric). Built-in names are refused; registering a name again replaces its class.
 * `class Count extends tn.metrics.Metric { static className = "Count"; … }; tn.metrics.registerMetric(Count)`
 */
export function registerMetric(cls: RegistrableMetricClass): void {
  const op = "registerMetric";
  const name = registrableClassName(cls, Metric, op, "tn.metrics.Metric");
  if (BUILTIN_KEYS.has(nameKey(name))) throw new ValueError(`${op}: ${JSON.stringify(name)} is the name of a built-in metric; choose another className`);
  CUSTOM.set(name, cls);
}

/** A metric as data: its Keras class name and config, and whether its class is a user's (registered with registerMetric). */
export interface SerializedMetric {
  className: string;
  config: MetricConfig;
  custom: boolean;
}

/**
 * The Keras class name and config of a metric whose class is built in or registered (the class's static className,
 * never its JS name). `tn.metrics.serializeMetric(new tn.metrics.AUC({curve: "PR"}))` → {className: "AUC", config: {…}, custom: false}
 */
export function serializeMetric(metric: Metric): SerializedMetric {
  const op = "serializeMetric";
  if (!(metric instanceof Metric)) throw new ValueError(`${op}: expects a Metric, got ${describeValue(metric)}`);
  if (metric instanceof ShapeDecidedAccuracy) {
    // "accuracy" given as an object: its class is known once it has seen a batch.
    if (metric.decided === null) {
      throw new ValueError(`${op}: the accuracy metric ${JSON.stringify(metric.name)} has not seen a batch, so its class is not decided yet; compile with the name ${JSON.stringify(metric.name)} instead`);
    }
    return serializeMetric(metric.decided);
  }
  const cls = metric.constructor;
  if (BUILTIN_CLASSES.has(cls)) return { className: (cls as MetricClass).className, config: metric.getConfig(), custom: false };
  const name = ownClassName(cls);
  if (CUSTOM.get(name) === cls) return { className: name, config: metric.getConfig(), custom: true };
  if (metric instanceof MeanMetricWrapper) {
    throw new ValueError(`${op}: a MeanMetricWrapper (${metric.name}) holds a function, which cannot be saved as data`);
  }
  throw new ValueError(
    `${op}: class ${name} is not a built-in or registered metric; give it its own static className and register it with tn.metrics.registerMetric(cls) first`,
  );
}
