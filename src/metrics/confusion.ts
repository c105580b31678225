/**
 * Confusion-matrix metrics as Keras 3: Precision, Recall (at thresholds, top-k, or one class) and AUC (ROC or PR,
 * Riemann sums over thresholds). Each update reduces the batch to weighted true/false positive counts per threshold
 * with ops and reads back one small tensor; the counts are kept in Float64Arrays.
 */
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastsTo, formatShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { relu, sigmoid } from "../ops/activations.js";
import { castTo, describeValue, floatInput, fromValues, toTensor, type TensorLike } from "../ops/convert.js";
import { ones, range } from "../ops/creation.js";
import { ceil, clipByValue, greater, mul, notEqual, sub, where } from "../ops/elementwise.js";
import { matMul } from "../ops/linalg.js";
import { sum } from "../ops/reduce.js";
import { broadcastTo, concat, oneHot, reshape, scatterND, slice, stack, topk, transpose } from "../ops/shape.js";
import { EPSILON, intOption, squeezeOrExpand } from "../losses/common.js";
import { readBool } from "../utils/options.js";
import { Metric, divNoNanNumber, metricWork, type BaseMetricOptions, type MetricConfig } from "./metric.js";

/** The threshold Keras uses with topK: every kept (top-k) prediction is above it, every filtered one is not. */
const NEG_INF = -1e10;

interface ConfusionInputs {
  /** Labels as 0/1 in the predictions' dtype. */
  y: Tensor;
  p: Tensor;
  /** Weights broadcast to p's shape, or null. */
  w: Tensor | null;
}

/** Keeps the k largest predictions of each row (last axis) and sets the rest to NEG_INF. */
function filterTopK(p: Tensor, k: number, op: string): Tensor {
  if (p.rank < 1 || k > p.shape[p.rank - 1]) {
    throw new ValueError(`${op}: topK (${k}) must be <= the size of the last axis of yPred, got yPred ${formatShape(p.shape)}`);
  }
  const { indices } = topk(p, k);
  const kept = sum(oneHot(indices, p.shape[p.rank - 1]), { axis: -2 });
  return where(greater(kept, 0), p, NEG_INF);
}

/** Labels, predictions and weights prepared as Keras's update_confusion_matrix_variables does. */
function confusionInputs(
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight: TensorLike | undefined,
  op: string,
  topK: number | null,
  classId: number | null,
): ConfusionInputs {
  let p = floatInput(yPred, op, "yPred");
  let y = castTo(notEqual(toTensor(yTrue, op, "yTrue"), 0), p.dtype);
  [p, y] = squeezeOrExpand(p, y);
  if (!shapesEqual(p.shape, y.shape)) {
    throw new ShapeError(`${op}: yTrue and yPred must have the same shape (a trailing axis of size 1 is squeezed or added), got yTrue ${formatShape(y.shape)} and yPred ${formatShape(p.shape)}`);
  }
  let w: Tensor | null = null;
  if (sampleWeight !== undefined && sampleWeight !== null) {
    const given = castTo(floatInput(sampleWeight, op, "sampleWeight"), p.dtype);
    // Keras appends an axis, then squeezes it back when that makes the weights one rank above the labels.
    w = given.rank === y.rank ? given : reshape(given, [...given.shape, 1]);
  }
  if (topK !== null) p = filterTopK(p, topK, op);
  if (classId !== null) {
    if (p.rank < 2) throw new ShapeError(`${op}: with classId, yPred must have shape [batch, numClasses], got ${formatShape(p.shape)}`);
    const numClasses = p.shape[p.rank - 1];
    if (classId >= numClasses) throw new ValueError(`${op}: classId ${classId} is out of range for yPred with ${numClasses} classes (shape ${formatShape(p.shape)})`);
    const begin = p.shape.map((_, i) => (i === p.rank - 1 ? classId : 0));
    const size = p.shape.map((d, i) => (i === p.rank - 1 ? 1 : d));
    p = slice(p, begin, size);
    y = slice(y, begin, size);
  }
  if (w !== null) {
    if (!broadcastsTo(w.shape, p.shape)) {
      throw new ShapeError(`${op}: sampleWeight of shape ${formatShape(w.shape)} must broadcast to yPred of shape ${formatShape(p.shape)}`);
    }
    w = broadcastTo(w, p.shape);
  }
  return { y, p, w };
}

/** Per-threshold weighted counts: tp, fp [L·T] (index t·L + l) and the per-label totals of positives and negatives. */
interface Counts {
  tp: Float64Array;
  fp: Float64Array;
  positives: Float64Array;
  negatives: Float64Array;
}

/** Positive and negative weights as [M, L] tensors. */
function labelWeights({ y, p, w }: ConfusionInputs, labels: number): [Tensor, Tensor, Tensor] {
  const y2 = reshape(y, [-1, labels]);
  const p2 = reshape(p, [-1, labels]);
  const notY = sub(1, y2);
  if (w === null) return [p2, y2, notY];
  const w2 = reshape(w, [-1, labels]);
  return [p2, mul(y2, w2), mul(notY, w2)];
}

/** Counts by comparing every prediction with every threshold (p > t): O(M·L·T), for few or uneven thresholds. */
function countsByComparison(inputs: ConfusionInputs, thresholds: readonly number[], labels: number): Counts {
  const T = thresholds.length;
  const [p2, pos, neg] = labelWeights(inputs, labels);
  const M = p2.shape[0];
  const out: Counts = { tp: new Float64Array(T * labels), fp: new Float64Array(T * labels), positives: new Float64Array(labels), negatives: new Float64Array(labels) };
  if (M === 0) return out;
  const thr = fromValues(inputs.p.dtype === "float64" ? Float64Array.from(thresholds) : Float32Array.from(thresholds), [T], inputs.p.dtype);
  // above[l, m, t] = p[m, l] > t ; rows[l] = [pos[:, l], neg[:, l]]: one batched matMul gives [L, 2, T].
  const above = castTo(greater(reshape(transpose(p2), [labels, M, 1]), thr), p2.dtype);
  const rows = transpose(stack([pos, neg], 0), [2, 0, 1]);
  // A column of ones after the thresholds gives the totals of positives and negatives in the same product.
  const data = matMul(rows, concat([above, ones([labels, M, 1], p2.dtype)], 2)).dataSync();
  for (let l = 0; l < labels; l++) {
    const base = l * 2 * (T + 1);
    for (let t = 0; t < T; t++) {
      out.tp[t * labels + l] = data[base + t];
      out.fp[t * labels + l] = data[base + T + 1 + t];
    }
    out.positives[l] = data[base + T];
    out.negatives[l] = data[base + T + 1 + T];
  }
  return out;
}

/**
 * Counts for thresholds evenly spaced over [0, 1] (plus ±ε ends): each prediction falls in one bucket
 * ceil(p·(T-1)) - 1, the buckets are summed with one scatter, and a reverse cumulative sum gives the counts: O(M·L).
 */
function countsByBuckets(inputs: ConfusionInputs, T: number, labels: number): Counts {
  const [p2, pos, neg] = labelWeights(inputs, labels);
  const M = p2.shape[0];
  const out: Counts = { tp: new Float64Array(T * labels), fp: new Float64Array(T * labels), positives: new Float64Array(labels), negatives: new Float64Array(labels) };
  if (M === 0) return out;
  const bucket = castTo(relu(sub(ceil(mul(clipByValue(p2, 0, 1), T - 1)), 1)), "int32");
  const labelIndex = broadcastTo(range(0, labels, 1, "int32"), [M, labels]);
  const indices = reshape(stack([bucket, labelIndex], 2), [M * labels, 2]);
  const updates = reshape(stack([pos, neg], 2), [M * labels, 2]);
  const buckets = scatterND(indices, updates, [T, labels, 2]).dataSync();
  for (let l = 0; l < labels; l++) {
    let tp = 0;
    let fp = 0;
    for (let t = T - 1; t >= 0; t--) {
      tp += buckets[(t * labels + l) * 2];
      fp += buckets[(t * labels + l) * 2 + 1];
      out.tp[t * labels + l] = tp;
      out.fp[t * labels + l] = fp;
    }
    out.positives[l] = tp;
    out.negatives[l] = fp;
  }
  return out;
}

/** Keras's is_evenly_distributed_thresholds: at least 3, and i/(n-1) within tolerance. */
function evenlySpaced(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  return thresholds.every((t, i) => Math.abs(t - i / (n - 1)) <= EPSILON + 1e-5 * (i / (n - 1)));
}

/** Thresholds given as a number or a list, each in [0, 1]. */
function thresholdList(value: unknown, op: string): number[] | null {
  if (value === undefined || value === null) return null;
  const list = typeof value === "number" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw new ValueError(`${op}: thresholds must be a number or a non-empty array of numbers in [0, 1], got ${describeValue(value)}`);
  list.forEach((t: unknown, i) => {
    if (typeof t !== "number" || !(t >= 0 && t <= 1)) {
      throw new ValueError(`${op}: thresholds must lie in [0, 1], got ${describeValue(t)} at index ${i}`);
    }
  });
  return (list as number[]).slice();
}

function optionalInt(value: unknown, op: string, arg: string, min: number): number | null {
  return value === undefined || value === null ? null : intOption(value, 0, op, arg, min);
}

export interface PrecisionRecallOptions extends BaseMetricOptions {
  /** A threshold or list of thresholds in [0, 1]: predictions above one count as positive (default 0.5, or none with topK). */
  thresholds?: number | number[] | null;
  /** Count only the k highest predictions of each row as positive. */
  topK?: number | null;
  /** Restrict labels and predictions to this class (the last axis). */
  classId?: number | null;
}

/** Shared state of Precision and Recall: true positives and the other count per threshold. */
abstract class ThresholdMetric extends Metric {
  readonly thresholds: readonly number[];
  readonly topK: number | null;
  readonly classId: number | null;
  private readonly initThresholds: number[] | null;
  protected tp: Float64Array;
  protected other: Float64Array;

  constructor(options: PrecisionRecallOptions, defaultName: string, op: string) {
    super(options, defaultName, ["thresholds", "topK", "classId"]);
    this.initThresholds = thresholdList(options.thresholds, op);
    this.topK = optionalInt(options.topK, op, "topK", 1);
    this.classId = optionalInt(options.classId, op, "classId", 0);
    this.thresholds = this.initThresholds ?? [this.topK === null ? 0.5 : NEG_INF];
    this.tp = new Float64Array(this.thresholds.length);
    this.other = new Float64Array(this.thresholds.length);
  }

  /** True: the other count is false positives (precision); false: false negatives (recall). */
  protected abstract readonly countsFalsePositives: boolean;

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const counts = metricWork(() => countsByComparison(confusionInputs(yTrue, yPred, sampleWeight, op, this.topK, this.classId), this.thresholds, 1));
    for (let t = 0; t < this.thresholds.length; t++) {
      this.tp[t] += counts.tp[t];
      this.other[t] += this.countsFalsePositives ? counts.fp[t] : counts.positives[0] - counts.tp[t];
    }
  }

  /** One value per threshold. */
  resultPerThreshold(): number[] {
    return Array.from(this.tp, (tp, t) => divNoNanNumber(tp, tp + this.other[t]));
  }

  result(): number {
    if (this.thresholds.length !== 1) {
      throw new ValueError(`${this.name}.result: the metric has ${this.thresholds.length} thresholds, so one value per threshold; use resultPerThreshold()`);
    }
    return this.resultPerThreshold()[0];
  }

  reset(): void {
    this.tp.fill(0);
    this.other.fill(0);
  }

  override getConfig(): MetricConfig {
    return { ...super.getConfig(), thresholds: this.initThresholds, topK: this.topK, classId: this.classId };
  }
}

/**
 * Precision tp / (tp + fp), predictions above the threshold counting as positive.
 * `const m = new tn.metrics.Precision(); m.update([0, 1, 1, 1], [1, 0, 1, 1]); m.result()` → 0.6667
 */
export class Precision extends ThresholdMetric {
  static override readonly className: string = "Precision";
  protected readonly countsFalsePositives = true;
  constructor(options: PrecisionRecallOptions = {}) {
    super(options, "precision", "Precision");
  }
}

/**
 * Recall tp / (tp + fn), predictions above the threshold counting as positive.
 * `const m = new tn.metrics.Recall(); m.update([0, 1, 1, 1], [1, 0, 1, 1]); m.result()` → 0.6667
 */
export class Recall extends ThresholdMetric {
  static override readonly className: string = "Recall";
  protected readonly countsFalsePositives = false;
  constructor(options: PrecisionRecallOptions = {}) {
    super(options, "recall", "Recall");
  }
}

export type AUCCurve = "ROC" | "PR";
export type AUCSummationMethod = "interpolation" | "minoring" | "majoring";

export interface AUCOptions extends BaseMetricOptions {
  /** Thresholds used to discretize the curve (> 1, default 200), evenly spaced in [0, 1]. */
  numThresholds?: number;
  /** "ROC" (default) or "PR" (precision-recall). */
  curve?: AUCCurve | "roc" | "pr";
  /** Riemann sum: "interpolation" (default), "minoring" (lower bound) or "majoring" (upper bound). */
  summationMethod?: AUCSummationMethod;
  /** Labels on the last axis of [batch, numLabels] are separate problems whose AUCs are averaged (default false: flatten). */
  multiLabel?: boolean;
  /** Explicit thresholds in [0, 1] (numThresholds is then ignored); -ε and 1 + ε are added at the ends. */
  thresholds?: number[] | null;
  /** yPred holds logits: a sigmoid is applied first (default false). */
  fromLogits?: boolean;
}

/**
 * Area under the ROC or precision-recall curve, approximated over thresholds as Keras.
 * `const m = new tn.metrics.AUC({numThresholds: 3}); m.update([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]); m.result()` → 0.75
 */
export class AUC extends Metric {
  static override readonly className: string = "AUC";
  readonly numThresholds: number;
  readonly curve: AUCCurve;
  readonly summationMethod: AUCSummationMethod;
  readonly multiLabel: boolean;
  readonly fromLogits: boolean;
  /** The thresholds, with the -ε and 1 + ε ends. */
  readonly thresholds: readonly number[];
  private readonly initThresholds: number[] | null;
  private readonly evenly: boolean;
  private labels: number | null;
  private tp = new Float64Array(0);
  private fp = new Float64Array(0);
  private tn = new Float64Array(0);
  private fn = new Float64Array(0);

  constructor(options: AUCOptions = {}) {
    const op = "AUC";
    super(options, "auc", ["numThresholds", "curve", "summationMethod", "multiLabel", "thresholds", "fromLogits"]);
    const num = intOption(options.numThresholds, 200, op, "numThresholds", 2);
    const curve = options.curve ?? "ROC";
    if (typeof curve !== "string" || !["ROC", "PR"].includes(curve.toUpperCase())) {
      throw new ValueError(`${op}: curve must be "ROC" or "PR", got ${describeValue(curve)}`);
    }
    this.curve = curve.toUpperCase() as AUCCurve;
    const method = options.summationMethod ?? "interpolation";
    if (typeof method !== "string" || !["interpolation", "minoring", "majoring"].includes(method.toLowerCase())) {
      throw new ValueError(`${op}: summationMethod must be "interpolation", "minoring" or "majoring", got ${describeValue(method)}`);
    }
    this.summationMethod = method.toLowerCase() as AUCSummationMethod;
    this.multiLabel = readBool(options.multiLabel, false, op, "multiLabel");
    this.fromLogits = readBool(options.fromLogits, false, op, "fromLogits");
    const given = options.thresholds === undefined || options.thresholds === null ? null : thresholdList(options.thresholds, op);
    this.initThresholds = given;
    let inner: number[];
    if (given !== null) {
      inner = given.slice().sort((a, b) => a - b);
      this.numThresholds = inner.length + 2;
      this.evenly = evenlySpaced([0, ...inner, 1]);
    } else {
      this.numThresholds = num;
      inner = Array.from({ length: num - 2 }, (_, i) => (i + 1) / (num - 1));
      this.evenly = true;
    }
    this.thresholds = [-EPSILON, ...inner, 1 + EPSILON];
    this.labels = this.multiLabel ? null : 1;
    if (this.labels !== null) this.allocate(this.labels);
  }

  private allocate(labels: number): void {
    const n = this.numThresholds * labels;
    this.tp = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.tn = new Float64Array(n);
    this.fn = new Float64Array(n);
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const counts = metricWork(() => {
      let p = floatInput(yPred, op, "yPred");
      if (this.fromLogits) p = sigmoid(p);
      const inputs = confusionInputs(yTrue, p, sampleWeight, op, null, null);
      let labels = 1;
      if (this.multiLabel) {
        if (inputs.p.rank !== 2) throw new ShapeError(`${op}: with multiLabel, yPred must have shape [batch, numLabels], got ${formatShape(inputs.p.shape)}`);
        labels = inputs.p.shape[1];
        if (this.labels !== null && labels !== this.labels) {
          throw new ShapeError(`${op}: yPred has ${labels} labels, but earlier batches had ${this.labels} (shape ${formatShape(inputs.p.shape)})`);
        }
      }
      return this.evenly ? countsByBuckets(inputs, this.numThresholds, labels) : countsByComparison(inputs, this.thresholds, labels);
    });
    const labels = counts.positives.length;
    if (this.labels === null) {
      this.labels = labels;
      this.allocate(labels);
    }
    for (let i = 0; i < this.tp.length; i++) {
      const l = i % labels;
      this.tp[i] += counts.tp[i];
      this.fp[i] += counts.fp[i];
      this.fn[i] += counts.positives[l] - counts.tp[i];
      this.tn[i] += counts.negatives[l] - counts.fp[i];
    }
  }

  /** The AUC of label `l` (Keras's formulas, on float64 counts). */
  private labelAUC(l: number): number {
    const T = this.numThresholds;
    const L = this.labels ?? 1;
    const at = (a: Float64Array, t: number): number => a[t * L + l];
    let area = 0;
    if (this.curve === "PR" && this.summationMethod === "interpolation") {
      // Davis & Goadrich interpolation: tp and predicted positives vary linearly between thresholds.
      for (let t = 0; t < T - 1; t++) {
        const tpA = at(this.tp, t);
        const tpB = at(this.tp, t + 1);
        const pA = tpA + at(this.fp, t);
        const pB = tpB + at(this.fp, t + 1);
        const dtp = tpA - tpB;
        const slope = divNoNanNumber(dtp, Math.max(pA - pB, 0));
        const intercept = tpB - slope * pB;
        const ratio = pA > 0 && pB > 0 ? divNoNanNumber(pA, Math.max(pB, 0)) : 1;
        area += divNoNanNumber(slope * (dtp + intercept * Math.log(ratio)), Math.max(tpB + at(this.fn, t + 1), 0));
      }
      return area;
    }
    const xs = new Float64Array(T);
    const ys = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const tp = at(this.tp, t);
      const recall = divNoNanNumber(tp, tp + at(this.fn, t));
      if (this.curve === "ROC") {
        xs[t] = divNoNanNumber(at(this.fp, t), at(this.fp, t) + at(this.tn, t));
        ys[t] = recall;
      } else {
        xs[t] = recall;
        ys[t] = divNoNanNumber(tp, tp + at(this.fp, t));
      }
    }
    for (let t = 0; t < T - 1; t++) {
      const h =
        this.summationMethod === "interpolation"
          ? (ys[t] + ys[t + 1]) / 2
          : this.summationMethod === "minoring"
            ? Math.min(ys[t], ys[t + 1])
            : Math.max(ys[t], ys[t + 1]);
      area += (xs[t] - xs[t + 1]) * h;
    }
    return area;
  }

  result(): number {
    const L = this.labels ?? 0;
    if (L === 0) return 0;
    let total = 0;
    for (let l = 0; l < L; l++) total += this.labelAUC(l);
    return total / L;
  }

  reset(): void {
    this.tp.fill(0);
    this.fp.fill(0);
    this.tn.fill(0);
    this.fn.fill(0);
  }

  override getConfig(): MetricConfig {
    const config: MetricConfig = {
      ...super.getConfig(),
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      multiLabel: this.multiLabel,
      fromLogits: this.fromLogits,
    };
    if (this.initThresholds !== null) config.thresholds = this.initThresholds.slice();
    return config;
  }
}
