/**
 * Compile settings between Tensile (`model.compile({optimizer, loss, metrics, lossWeights})`) and Keras
 * (`compile_config` in config.json, `training_config` in legacy `.h5` files). Losses and metrics are written with
 * their options and rebuilt with them; names and classes resolve only through Tensile's registries, and one it does
 * not know is an error. Options Tensile cannot honour leave the model uncompiled with a warning (as Keras does when
 * it cannot compile a loaded model) rather than failing the load.
 */
import { FileFormatError, TensileError } from "../../core/errors.js";
import { canonicalLossName, deserializeLoss, Loss, LossFunctionWrapper, serializeLoss } from "../../losses/index.js";
import { deserializeMetric, getMetric, MeanMetricWrapper, Metric, serializeMetric, type MetricConfig } from "../../metrics/index.js";
import type { Model } from "../../models/model.js";
import type { CompileOptions } from "../../models/training.js";
import { getOptimizer, serializeOptimizer } from "../../optimizers/index.js";
import { isJsonObject, type JsonObject } from "./json.js";
import { keyFromKeras, keyToKeras, valueToKeras } from "./names.js";
import { plainConfigToKeras, type KerasObject } from "./objects.js";

// ---- Tensile → Keras ----------------------------------------------------------------------------------------

/** Tensile optimizer option names Keras (3 and tf.keras 2 alike) spells otherwise than keyToKeras would. */
const OPTIMIZER_KEYS: Readonly<Record<string, string>> = {
  clipNorm: "clipnorm",
  clipValue: "clipvalue",
  globalClipNorm: "global_clipnorm",
  beta1: "beta_1",
  beta2: "beta_2",
};

/** An optimizer option's name as Keras writes it ("beta1" → "beta_1", "learningRate" → "learning_rate"). */
export function optimizerKeyToKeras(key: string): string {
  return OPTIMIZER_KEYS[key] ?? keyToKeras(key);
}

/** Base options Keras 3 writes for every optimizer that Tensile does not have (at their inert values). */
const KERAS_OPTIMIZER_DEFAULTS: JsonObject = {
  use_ema: false,
  ema_momentum: 0.99,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};

function optimizerToKeras(model: Model): KerasObject {
  const s = serializeOptimizer(model.optimizer);
  const config: JsonObject = {};
  for (const [key, value] of Object.entries(s.config)) {
    const k = optimizerKeyToKeras(key);
    config[k] = isJsonObject(value) && typeof value.className === "string"
      ? { module: "keras.optimizers.schedules", class_name: value.className, config: plainConfigToKeras(value.config as JsonObject), registered_name: null }
      : value;
    if (key === "clipValue") Object.assign(config, KERAS_OPTIMIZER_DEFAULTS);
  }
  return { module: "keras.optimizers", class_name: s.className, config, registered_name: null };
}

type Serialized = string | KerasObject | null;

/**
 * A loss or metric object as Keras writes it. The class name is the class's static className (from the registries,
 * never `constructor.name`, which minifiers rename); a registered user class goes in no Keras module and is named
 * by registered_name, as Keras writes custom objects.
 */
function kerasObject(s: { className: string; config: object; custom: boolean }, module: string): KerasObject {
  return {
    module: s.custom ? null : module,
    class_name: s.className,
    config: plainConfigToKeras(s.config as JsonObject),
    registered_name: s.custom ? s.className : null,
  };
}

function lossToKeras(loss: unknown): Serialized | undefined {
  // Keras's own spellings ("mse", "categorical_crossentropy") stay; camelCase names become Keras's.
  if (typeof loss === "string") return /[A-Z]/.test(loss) ? canonicalLossName(loss) ?? valueToKeras(loss) : loss;
  // A function (or a wrapped one): Keras cannot rebuild it. A class neither built in nor registered is an error.
  if (loss instanceof LossFunctionWrapper) return undefined;
  if (loss instanceof Loss) return kerasObject(serializeLoss(loss), "keras.losses");
  return undefined;
}

function metricToKeras(metric: unknown): Serialized | undefined {
  if (typeof metric === "string") return metric.toLowerCase() === "acc" || metric === "accuracy" ? metric : valueToKeras(metric);
  if (metric instanceof MeanMetricWrapper) return undefined;
  if (metric instanceof Metric) return kerasObject(serializeMetric(metric), "keras.metrics");
  return undefined;
}

/** Maps a value that may be one item, a list or a record of items; undefined when an item cannot be written. */
function mapStructure(value: unknown, item: (v: unknown) => Serialized | undefined, nested: boolean): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const out = value.map((v) => (nested && Array.isArray(v) ? mapStructure(v, item, false) : item(v)));
    return out.some((v) => v === undefined) ? undefined : out;
  }
  if (isJsonObject(value) && !(value instanceof Loss) && !(value instanceof Metric)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const m = nested && Array.isArray(v) ? mapStructure(v, item, false) : item(v);
      if (m === undefined) return undefined;
      out[k] = m;
    }
    return out;
  }
  return item(value);
}

/**
 * Keras 3's compile_config for a compiled model, or null when its losses cannot be written (functions); metrics
 * that are functions leave `metrics` null. A Loss or Metric whose class is neither built in nor registered
 * (registerLoss / registerMetric) is a ValueError, as for optimizers.
 */
export function compileConfigToKeras(model: Model): JsonObject | null {
  const options = model.compileOptions;
  if (!model.isCompiled || options === null) return null;
  const loss = mapStructure(options.loss, lossToKeras, false);
  if (loss === undefined) return null;
  const metrics = mapStructure(options.metrics, metricToKeras, true);
  return {
    optimizer: optimizerToKeras(model),
    loss,
    loss_weights: options.lossWeights === undefined ? null : (options.lossWeights as unknown as JsonObject),
    metrics: metrics === undefined ? null : metrics,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: true,
  };
}

// ---- Keras → Tensile ----------------------------------------------------------------------------------------

/** Messages of the registries for a class or name they do not know. */
const UNKNOWN_CLASS = /unknown (loss|metric|optimizer)( class)? "/;

/** Keras's forms of built-in functions (`{class_name: "function", config: name}`); other code is refused. */
function functionName(value: JsonObject, what: string): string | null {
  const cls = value.class_name;
  if (cls === "function" && typeof value.config === "string") return value.config;
  if (cls === "__lambda__" || cls === "function" || cls === "Lambda") throw new FileFormatError(`a serialized ${what} function cannot be loaded: it would run code from the file`);
  return null;
}

/** Keras-only keys of loss and metric configs, dropped when they hold these values (any value for `dtype`). */
const INERT_KEYS: Readonly<Record<string, (v: unknown) => boolean>> = {
  dtype: () => true,
  num_labels: (v) => v === null,
  label_weights: (v) => v === null,
};

/** A Keras loss or metric config as Tensile's options (camelCase keys; Keras 2's "auto" reduction is the default). */
function optionsFromKeras(config: unknown): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(config)) return out;
  for (const [k, v] of Object.entries(config)) {
    if (Object.prototype.hasOwnProperty.call(INERT_KEYS, k) && INERT_KEYS[k](v)) continue;
    const value = k === "reduction" && v === "auto" ? "sum_over_batch_size" : v;
    Object.defineProperty(out, keyFromKeras(k), { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A loss name or Loss from Keras's forms: a name, `{class_name: "function", config: name}`, a loss object with its options. */
function lossFromKeras(value: unknown): string | Loss {
  if (typeof value === "string") return value;
  if (isJsonObject(value) && typeof value.class_name === "string") {
    const fn = functionName(value, "loss");
    if (fn !== null) return fn;
    return deserializeLoss(value.class_name, optionsFromKeras(value.config));
  }
  throw new TensileError(`unsupported loss ${JSON.stringify(value)?.slice(0, 80)}`);
}

/** A metric name, checked now: compile resolves names only when training starts. */
function metricName(name: string): string {
  getMetric(name);
  return name;
}

/** A metric name or Metric from Keras's forms: a name, a function, a metric object with its options. */
function metricFromKeras(value: unknown): string | Metric {
  if (typeof value === "string") return metricName(value);
  if (isJsonObject(value) && typeof value.class_name === "string") {
    const fn = functionName(value, "metric");
    if (fn !== null) return metricName(fn);
    // tf.keras 2 wrote metrics given by name as wrappers of the named function.
    if (value.class_name === "MeanMetricWrapper" && isJsonObject(value.config) && typeof value.config.fn === "string") return metricName(value.config.fn);
    return deserializeMetric(value.class_name, optionsFromKeras(value.config) as Partial<MetricConfig>);
  }
  throw new TensileError(`unsupported metric ${JSON.stringify(value)?.slice(0, 80)}`);
}

function mapFromKeras<T>(value: unknown, item: (v: unknown) => T, nested: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => (nested && Array.isArray(v) ? v.map(item) : item(v)));
  if (isJsonObject(value) && typeof value.class_name !== "string") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: nested && Array.isArray(v) ? v.map(item) : item(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return item(value);
}

function optimizerFromKeras(value: unknown): CompileOptions["optimizer"] {
  if (typeof value === "string") return value;
  if (isJsonObject(value) && typeof value.class_name === "string") {
    const config: JsonObject = {};
    if (isJsonObject(value.config)) {
      for (const [k, v] of Object.entries(value.config)) {
        // Keras 2.2 wrote `lr`; schedules are written as Keras objects.
        const key = k === "lr" ? "learning_rate" : k;
        const item = isJsonObject(v) && typeof v.class_name === "string" ? { className: v.class_name, config: v.config ?? {} } : v;
        Object.defineProperty(config, key, { value: item, enumerable: true, writable: true, configurable: true });
      }
    }
    return getOptimizer({ className: value.class_name, config });
  }
  throw new TensileError(`unsupported optimizer ${JSON.stringify(value)?.slice(0, 80)}`);
}

/**
 * Compiles `model` as a Keras compile config says (Keras 3's compile_config, or Keras 2's training_config with
 * `optimizer_config`); losses and metrics get the options their configs hold. A loss, metric or optimizer class
 * Tensile does not know (or a function, which would be code) is a FileFormatError starting with `where`; options
 * Tensile cannot honour leave the model uncompiled with a warning (as Keras when it cannot compile a loaded
 * model). Returns whether the model was compiled.
 */
export function compileFromKeras(model: Model, config: unknown, where = "compile config"): boolean {
  if (!isJsonObject(config)) return false;
  try {
    const optimizer = optimizerFromKeras(config.optimizer ?? config.optimizer_config);
    const loss = mapFromKeras(config.loss, lossFromKeras, false);
    if (loss === undefined) return false;
    const metrics = mapFromKeras(config.metrics, metricFromKeras, true);
    const lossWeights = config.loss_weights ?? undefined;
    const options: CompileOptions = { optimizer, loss: loss as CompileOptions["loss"] };
    if (metrics !== undefined) options.metrics = metrics as CompileOptions["metrics"];
    if (lossWeights !== undefined && lossWeights !== null) options.lossWeights = lossWeights as CompileOptions["lossWeights"];
    model.compile(options);
    return true;
  } catch (error) {
    if (!(error instanceof TensileError)) throw error;
    if (error instanceof FileFormatError || UNKNOWN_CLASS.test(error.message)) {
      throw new FileFormatError(
        `${where}: ${error.message}; Tensile builds losses, metrics and optimizers only through its registries (load with {compile: false} to skip compiling)`,
      );
    }
    console.warn(`${where}: the model is loaded uncompiled: ${error.message}`);
    return false;
  }
}
