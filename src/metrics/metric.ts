/**
 * The Keras `Metric` base class: state accumulated over batches by `update` (Keras's update_state), read by
 * `result`, cleared by `reset`. State lives in plain JS numbers or small typed arrays; each update reduces with ops
 * first and reads back one small tensor, so metrics stay cheap when fit updates them every batch.
 */
import { ValueError } from "../core/errors.js";
import { noGrad } from "../tensor/graph.js";
import { tidy } from "../tensor/scope.js";
import type { TensorLike } from "../ops/convert.js";
import { checkOptions, ownClassName } from "../losses/common.js";
import { readName } from "../utils/options.js";

/** A metric's config: its name and own options, camelCase, plain data. */
export interface MetricConfig {
  name: string;
  [option: string]: unknown;
}

export interface BaseMetricOptions {
  /** Defaults to the class's Keras name ("binary_accuracy", …). */
  name?: string;
}

/** "BinaryAccuracy" → "binary_accuracy" (the default name of user subclasses). */
function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * Base class of the stateful metrics. Subclasses implement update, result and reset.
 * `const m = new tn.metrics.BinaryAccuracy(); m.update([1, 0], [0.8, 0.7]); m.result()` → 0.5
 */
export abstract class Metric {
  /** The Keras class name, written in saved configs (set by every built-in; registered user classes set their own). */
  static readonly className: string = "Metric";

  readonly name: string;

  /**
   * `defaultName` is used when `options.name` is absent (else the snake-cased class name); `optionKeys` lists the
   * subclass's own option keys, so unknown keys are refused.
   */
  constructor(options: BaseMetricOptions = {}, defaultName?: string, optionKeys: readonly string[] | null = null) {
    const op = ownClassName(new.target);
    checkOptions(options, op, optionKeys === null ? Object.keys(options ?? {}) : ["name", ...optionKeys]);
    this.name = readName(options.name, defaultName ?? snakeCase(op), op);
  }

  /** Accumulates a batch. `sampleWeight` weighs samples (broadcasting to them); 0 leaves a sample out. */
  abstract update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void;

  /** The metric over everything accumulated since the last reset. */
  abstract result(): number;

  /** Clears the accumulated state. */
  abstract reset(): void;

  /** The camelCase config: name and the metric's own options. */
  getConfig(): MetricConfig {
    return { name: this.name };
  }

  /** Rebuilds a metric of this class from `getConfig()`'s output. `tn.metrics.AUC.fromConfig({name: "auc", curve: "PR"})` */
  static fromConfig<T extends Metric>(this: new (options: never) => T, config: object): T {
    const Ctor = this as unknown as new (options: object) => T;
    return new Ctor(config);
  }
}

/** Runs a metric's tensor work without recording gradients and without leaking temporaries. */
export function metricWork<T>(fn: () => T): T {
  return noGrad(() => tidy(fn));
}

/** A/B with 0 when B is 0 (TF's divide_no_nan), on numbers. */
export function divNoNanNumber(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Refuses a fromConfig for classes built around a function. */
export function functionNotSerializable(op: string): never {
  throw new ValueError(`${op}: a metric built on a function cannot be rebuilt from a config; construct it with the function`);
}
