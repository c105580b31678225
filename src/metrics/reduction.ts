/**
 * Mean and Sum of values, and metrics that average a per-sample function over all samples seen (Keras's
 * MeanMetricWrapper), weighted as Keras's `reduce_to_samplewise_values`.
 */
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastsTo, formatShape } from "../core/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { castTo, describeValue, floatInput, floatOperand, toTensor, type TensorLike } from "../ops/convert.js";
import { mul } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduce.js";
import { broadcastTo, stack } from "../ops/shape.js";
import { squeezeOrExpand } from "../losses/common.js";
import { Metric, divNoNanNumber, functionNotSerializable, metricWork, type BaseMetricOptions } from "./metric.js";

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A batch's contribution to a weighted mean (or sum) of per-sample values: [total, count], read back in one small
 * tensor. Values of rank > 1 are first averaged (or summed) per sample; weights squeeze/expand by a trailing 1,
 * average the values down to their own rank, and broadcast to them (Keras's reduce_to_samplewise_values).
 */
export function weightedParts(values: Tensor, sampleWeight: Tensor | null, op: string, reduction: "mean" | "sum"): [number, number] {
  let v = floatOperand(values.dtype === "bool" ? castTo(values, "float32") : values, op, "values");
  if (sampleWeight === null) {
    if (v.rank === 0) return [v.dataSync()[0], 1];
    const inner = product(v.shape.slice(1));
    const total = v.size === 0 ? 0 : sum(v).dataSync()[0];
    return [reduction === "mean" ? divNoNanNumber(total, inner) : total, v.shape[0]];
  }
  let w = castTo(sampleWeight, v.dtype);
  [v, w] = squeezeOrExpand(v, w);
  if (v.rank > w.rank) {
    const axes = Array.from({ length: v.rank - w.rank }, (_, i) => w.rank + i);
    v = reduction === "mean" ? mean(v, { axis: axes }) : sum(v, { axis: axes });
  }
  if (!broadcastsTo(w.shape, v.shape)) {
    throw new ShapeError(`${op}: sampleWeight of shape ${formatShape(sampleWeight.shape)} must broadcast to the per-sample values of shape ${formatShape(values.shape)}`);
  }
  const wb = broadcastTo(w, v.shape);
  const parts = stack([sum(mul(v, wb)), sum(wb)]).dataSync();
  if (reduction === "sum") return [parts[0], parts[1]];
  // Keras averages the weighted values (and the weights) over the non-batch axes.
  const inner = v.rank > 1 ? product(v.shape.slice(1)) : 1;
  return [divNoNanNumber(parts[0], inner), divNoNanNumber(parts[1], inner)];
}

/** The weight tensor of an update, or null. */
function weightInput(sampleWeight: TensorLike | undefined, op: string): Tensor | null {
  return sampleWeight === undefined || sampleWeight === null ? null : floatInput(sampleWeight, op, "sampleWeight");
}

/** The (weighted) mean of the values given to `update`. `const m = new tn.metrics.Mean(); m.update([1, 3, 5, 7]); m.result()` → 4 */
export class Mean extends Metric {
  static override readonly className: string = "Mean";
  protected total = 0;
  protected count = 0;

  constructor(options: BaseMetricOptions = {}) {
    super(options, "mean", []);
  }

  /** Accumulates values (per-sample; higher ranks are averaged per sample) with optional weights. */
  update(values: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const [t, c] = metricWork(() => weightedParts(toTensor(values, op, "values"), weightInput(sampleWeight, op), op, "mean"));
    this.total += t;
    this.count += c;
  }

  result(): number {
    return divNoNanNumber(this.total, this.count);
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** The (weighted) sum of the values given to `update`. `const m = new tn.metrics.Sum(); m.update([1, 3, 5, 7]); m.result()` → 16 */
export class Sum extends Metric {
  static override readonly className: string = "Sum";
  private total = 0;

  constructor(options: BaseMetricOptions = {}) {
    super(options, "sum", []);
  }

  update(values: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    this.total += metricWork(() => weightedParts(toTensor(values, op, "values"), weightInput(sampleWeight, op), op, "sum"))[0];
  }

  result(): number {
    return this.total;
  }

  reset(): void {
    this.total = 0;
  }
}

/** Per-sample values of a batch, and optionally the bool mask of the samples that count. */
export type SampleValues = Tensor | { values: Tensor; mask: Tensor | null };

/**
 * Base of the metrics that average a per-sample function (accuracies, losses as metrics): subclasses give
 * `values(yTrue, yPred)`; a returned mask acts as 0/1 sample weights.
 */
export abstract class SampleMeanMetric extends Metric {
  private total = 0;
  private count = 0;

  /** The per-sample values of a batch. */
  protected abstract values(yTrue: TensorLike, yPred: TensorLike): SampleValues;

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const [t, c] = metricWork(() => {
      let weights = weightInput(sampleWeight, op);
      const out = this.values(yTrue, yPred);
      const values = out instanceof Tensor ? out : out.values;
      if (!(values instanceof Tensor)) throw new ValueError(`${op}: the metric function must return a Tensor, got ${describeValue(values)}`);
      const mask = out instanceof Tensor ? null : out.mask;
      if (mask !== null) {
        const m = castTo(mask, "float32");
        if (weights === null) weights = m;
        else {
          const [mm, ww] = squeezeOrExpand(m, castTo(weights, "float32"));
          weights = mul(ww, mm);
        }
      }
      return weightedParts(values, weights, op, "mean");
    });
    this.total += t;
    this.count += c;
  }

  result(): number {
    return divNoNanNumber(this.total, this.count);
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** A per-sample metric function: (yTrue, yPred) → values of shape [batch] (or [batch, ...], averaged per sample). */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * The mean over all samples of a per-sample function. `new tn.metrics.MeanMetricWrapper((y, p) => tn.abs(tn.sub(y, p)), {name: "l1"})`
 */
export class MeanMetricWrapper extends SampleMeanMetric {
  static override readonly className: string = "MeanMetricWrapper";
  readonly fn: MetricFunction;

  constructor(fn: MetricFunction, options: BaseMetricOptions = {}) {
    if (typeof fn !== "function") throw new ValueError(`MeanMetricWrapper: fn must be a function (yTrue, yPred) => Tensor, got ${describeValue(fn)}`);
    super(options, fn.name.length > 0 ? fn.name : "mean_metric_wrapper", []);
    this.fn = fn;
  }

  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    const op = `${this.name}.update`;
    return this.fn(toTensor(yTrue, op, "yTrue"), toTensor(yPred, op, "yPred"));
  }

  static override fromConfig(config: object): never {
    void config;
    return functionNotSerializable("MeanMetricWrapper.fromConfig");
  }
}
