/**
 * The Keras `Loss` base class: `call` gives the per-sample loss, `apply` weights and reduces it as Keras's
 * `Loss.__call__` does. Subclasses carry a camelCase config so they can be rebuilt from it (by the registry only).
 */
import { isFloatDType } from "../core/dtype.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastsTo, formatShape } from "../core/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { castTo, describeValue, floatInput, toTensor, type TensorLike } from "../ops/convert.js";
import { div, mul } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { checkOptions, divNoNan, ownClassName, squeezeOrExpand } from "./common.js";
import { readName } from "../utils/options.js";

/**
 * How `Loss.apply` reduces the weighted per-sample losses (Keras names): "sum_over_batch_size" (default) and "mean"
 * divide the weighted sum by the number of elements; "sum" adds them up; "mean_with_sample_weight" divides by the
 * sum of the sample weights; "none" returns them weighted but unreduced.
 */
export type LossReduction = "sum_over_batch_size" | "sum" | "none" | "mean" | "mean_with_sample_weight";

export const LOSS_REDUCTIONS: readonly LossReduction[] = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"];

export interface BaseLossOptions {
  /** Default "sum_over_batch_size". */
  reduction?: LossReduction;
  /** Defaults to the class's Keras name ("mean_squared_error", …). */
  name?: string;
}

/** A loss's config: its name, reduction and own options, camelCase, plain data. */
export interface LossConfig {
  name: string;
  reduction: LossReduction;
  [option: string]: unknown;
}

/** A plain loss function: per-sample losses from labels and predictions. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

const BASE_KEYS = ["reduction", "name"] as const;

/** "MeanSquaredError" → "mean_squared_error" (Keras's auto name for user subclasses). */
function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * Applies sample weights and a reduction to per-sample losses, as Keras's `reduce_weighted_values`. Weights are
 * squeezed/expanded by a trailing 1 and must broadcast to the losses. An empty batch reduces to 0.
 */
export function reduceWeightedLoss(losses: Tensor, sampleWeight: Tensor | null, reduction: LossReduction, op: string): Tensor {
  let values = losses;
  let weights = sampleWeight;
  if (weights !== null) {
    weights = castTo(weights, values.dtype);
    [values, weights] = squeezeOrExpand(values, weights);
    if (!broadcastsTo(weights.shape, values.shape)) {
      throw new ShapeError(
        `${op}: sampleWeight of shape ${formatShape(sampleWeight!.shape)} must broadcast to the per-sample losses of shape ${formatShape(losses.shape)}`,
      );
    }
    values = mul(values, weights);
  }
  if (reduction === "none" || values.rank === 0) return values;
  const total = sum(values);
  if (reduction === "sum") return total;
  if (reduction === "mean_with_sample_weight" && weights !== null) return divNoNan(total, sum(weights));
  return values.size > 0 ? div(total, values.size) : total;
}

/**
 * Base class of the Keras-style losses. Subclasses implement `call` (per-sample losses); `apply` weights and
 * reduces. `class MyLoss extends tn.losses.Loss { call(y, p) { return tn.mean(tn.abs(tn.sub(y, p)), {axis: -1}); } }`
 */
export abstract class Loss {
  /** The Keras class name, written in saved configs (set by every built-in; registered user classes set their own). */
  static readonly className: string = "Loss";

  readonly name: string;
  readonly reduction: LossReduction;

  /**
   * `defaultName` is the Keras name used when `options.name` is absent (else the snake-cased class name);
   * `optionKeys` lists the subclass's own option keys, so unknown keys are refused.
   */
  constructor(options: BaseLossOptions = {}, defaultName?: string, optionKeys: readonly string[] | null = null) {
    const op = ownClassName(new.target);
    if (optionKeys !== null) checkOptions(options, op, [...BASE_KEYS, ...optionKeys]);
    else checkOptions(options, op, Object.keys(options ?? {}));
    this.name = readName(options.name, defaultName ?? snakeCase(op), op);
    const reduction = options.reduction ?? "sum_over_batch_size";
    if (!LOSS_REDUCTIONS.includes(reduction)) {
      throw new ValueError(`${op}: reduction must be one of ${LOSS_REDUCTIONS.map((r) => `"${r}"`).join(", ")}, got ${describeValue(reduction)}`);
    }
    this.reduction = reduction;
  }

  /** The per-sample losses (unweighted, unreduced). */
  abstract call(yTrue: TensorLike, yPred: TensorLike): Tensor;

  /**
   * The per-sample losses and, for losses that leave samples out (sparse cross-entropy's ignoreClass), the bool
   * mask of the samples that count. `apply` folds the mask into the weights as Keras does.
   */
  callWithMask(yTrue: TensorLike, yPred: TensorLike): { losses: Tensor; mask: Tensor | null } {
    return { losses: this.call(yTrue, yPred), mask: null };
  }

  /**
   * The weighted, reduced loss (Keras's `loss(y_true, y_pred, sample_weight)`). `sampleWeight` broadcasts to the
   * per-sample losses (e.g. [batch] or [batch, 1]). `new tn.losses.MeanSquaredError().apply([[0, 1]], [[1, 1]])` → 0.5
   */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): Tensor {
    const op = `${ownClassName(this.constructor)}.apply`;
    const weightTensor = sampleWeight === undefined || sampleWeight === null ? null : floatInput(sampleWeight, op, "sampleWeight");
    let { losses, mask } = this.callWithMask(yTrue, yPred);
    if (!(losses instanceof Tensor)) {
      throw new ValueError(`${op}: call() must return a Tensor, got ${describeValue(losses)}`);
    }
    if (!isFloatDType(losses.dtype)) losses = castTo(losses, "float32");
    let weights = weightTensor;
    if (mask !== null) {
      let m = castTo(mask, losses.dtype);
      if (this.reduction === "mean" || this.reduction === "sum_over_batch_size") {
        // Valid entries weigh total/valid, so dividing by the element count gives the mean over valid entries.
        m = mul(m, divNoNan(toTensor(m.size, op, "mask", losses.dtype), sum(m)));
      }
      if (weights !== null) {
        const [mm, ww] = squeezeOrExpand(m, castTo(weights, losses.dtype));
        weights = mul(ww, mm);
      } else {
        weights = m;
      }
    }
    return reduceWeightedLoss(losses, weights, this.reduction, op);
  }

  /** The camelCase config: name, reduction and the loss's own options. */
  getConfig(): LossConfig {
    return { name: this.name, reduction: this.reduction };
  }

  /** Rebuilds a loss of this class from `getConfig()`'s output. `tn.losses.Huber.fromConfig({delta: 2})` */
  static fromConfig<T extends Loss>(this: new (options: never) => T, config: object): T {
    const Ctor = this as unknown as new (options: object) => T;
    return new Ctor(config);
  }
}

/**
 * A Loss from a plain function of (yTrue, yPred) giving per-sample losses; yTrue is cast to yPred's float dtype
 * and a trailing size-1 axis squeezed or added first, as Keras's LossFunctionWrapper does.
 * `new tn.losses.LossFunctionWrapper((y, p) => tn.mean(tn.abs(tn.sub(y, p)), {axis: -1}))`
 */
export class LossFunctionWrapper extends Loss {
  static override readonly className: string = "LossFunctionWrapper";
  readonly fn: LossFunction;

  constructor(fn: LossFunction, options: BaseLossOptions = {}) {
    if (typeof fn !== "function") throw new ValueError(`LossFunctionWrapper: fn must be a function (yTrue, yPred) => Tensor, got ${describeValue(fn)}`);
    super(options, fn.name.length > 0 ? fn.name : "loss", []);
    this.fn = fn;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    const op = `LossFunctionWrapper(${this.name})`;
    const p = toTensor(yPred, op, "yPred");
    const floatP = isFloatDType(p.dtype) ? p : castTo(p, "float32");
    const [y, q] = squeezeOrExpand(castTo(toTensor(yTrue, op, "yTrue", floatP.dtype), floatP.dtype), floatP);
    const out = this.fn(y, q);
    if (!(out instanceof Tensor)) throw new ValueError(`${op}: the function must return a Tensor, got ${describeValue(out)}`);
    return out;
  }

  /** A function cannot be rebuilt from data: construct the wrapper with the function instead. */
  static override fromConfig(config: object): never {
    void config;
    throw new ValueError("LossFunctionWrapper.fromConfig: a loss function cannot be rebuilt from a config; construct the wrapper with the function");
  }
}
