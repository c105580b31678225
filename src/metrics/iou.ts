/**
 * Mean intersection-over-union as Keras 3's MeanIoU: a weighted confusion matrix accumulated over batches (one
 * scatter per update, reading back numClasses² numbers), then the mean of tp / (tp + fp + fn) over the classes that
 * occur.
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, floatInput, toTensor, type TensorLike } from "../ops/convert.js";
import { ones } from "../ops/creation.js";
import { mul, notEqual } from "../ops/elementwise.js";
import { argMax } from "../ops/reduce.js";
import { broadcastTo, reshape, scatterND, stack } from "../ops/shape.js";
import { EPSILON, axisOption, intOption } from "../losses/common.js";
import { readBool } from "../utils/options.js";
import { Metric, metricWork, type BaseMetricOptions, type MetricConfig } from "./metric.js";

export interface MeanIoUOptions extends BaseMetricOptions {
  /** The number of classes (required). */
  numClasses: number;
  /** A label value left out of the matrix (e.g. 255 for "void"). */
  ignoreClass?: number | null;
  /** Labels are class ids (default true); false: one-hot or scores, reduced by argMax over `axis`. */
  sparseYTrue?: boolean;
  /** Predictions are class ids (default true); false: scores, reduced by argMax over `axis`. */
  sparseYPred?: boolean;
  /** The class axis for argMax (default -1). */
  axis?: number;
}

/**
 * Mean IoU over classes. Labels and predictions are class ids (or scores with sparseYTrue/sparseYPred false).
 * `const m = new tn.metrics.MeanIoU({numClasses: 2}); m.update([0, 0, 1, 1], [0, 1, 0, 1]); m.result()` → 0.3333
 */
export class MeanIoU extends Metric {
  static override readonly className: string = "MeanIoU";
  readonly numClasses: number;
  readonly ignoreClass: number | null;
  readonly sparseYTrue: boolean;
  readonly sparseYPred: boolean;
  readonly axis: number;
  /** The weighted confusion matrix, row = true class, column = predicted class. */
  private readonly matrix: Float64Array;

  constructor(options: MeanIoUOptions) {
    const op = "MeanIoU";
    super(options, "mean_iou", ["numClasses", "ignoreClass", "sparseYTrue", "sparseYPred", "axis"]);
    if (options.numClasses === undefined) throw new ValueError(`${op}: numClasses is required (the number of classes)`);
    this.numClasses = intOption(options.numClasses, 0, op, "numClasses", 1);
    this.ignoreClass = options.ignoreClass === undefined || options.ignoreClass === null ? null : intOption(options.ignoreClass, 0, op, "ignoreClass");
    this.sparseYTrue = readBool(options.sparseYTrue, true, op, "sparseYTrue");
    this.sparseYPred = readBool(options.sparseYPred, true, op, "sparseYPred");
    this.axis = axisOption(options.axis, op);
    this.matrix = new Float64Array(this.numClasses * this.numClasses);
  }

  update(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const op = `${this.name}.update`;
    const C = this.numClasses;
    const cm = metricWork((): Float64Array | null => {
      let y: Tensor = toTensor(yTrue, op, "yTrue");
      let p: Tensor = toTensor(yPred, op, "yPred");
      if (!this.sparseYTrue) y = argMax(y, { axis: this.axis });
      if (!this.sparseYPred) p = argMax(p, { axis: this.axis });
      y = reshape(castTo(y, "float32"), [-1]);
      p = reshape(castTo(p, "float32"), [-1]);
      if (y.size !== p.size) {
        throw new ValueError(`${op}: yTrue and yPred must hold one class id per sample, got ${y.size} labels and ${p.size} predictions`);
      }
      const M = y.size;
      if (M === 0) return null;
      let w = sampleWeight === undefined || sampleWeight === null ? ones([M], "float32") : reshape(castTo(floatInput(sampleWeight, op, "sampleWeight"), "float32"), [-1]);
      if (w.size !== M) {
        if (w.size !== 1) throw new ValueError(`${op}: sampleWeight must have one weight per sample (${M}) or a single one, got ${w.size}`);
        w = broadcastTo(w, [M]);
      }
      if (this.ignoreClass !== null) {
        // Ignored samples go to cell (0, 0) with weight 0.
        const valid = castTo(notEqual(y, this.ignoreClass), "float32");
        y = mul(y, valid);
        p = mul(p, valid);
        w = mul(w, valid);
      }
      const indices = castTo(stack([y, p], 1), "int32");
      try {
        return Float64Array.from(scatterND(indices, w, [C, C]).dataSync());
      } catch (e) {
        if (e instanceof ValueError) {
          throw new ValueError(`${op}: labels and predictions must be class ids in [0, ${C}) (numClasses ${C}): ${e.message}`);
        }
        throw e;
      }
    });
    if (cm !== null) for (let i = 0; i < cm.length; i++) this.matrix[i] += cm[i];
  }

  /** IoU per class (0 for classes that never occur). */
  resultPerClass(): number[] {
    const C = this.numClasses;
    const out: number[] = [];
    for (let c = 0; c < C; c++) {
      let predicted = 0;
      let actual = 0;
      for (let k = 0; k < C; k++) {
        predicted += this.matrix[k * C + c];
        actual += this.matrix[c * C + k];
      }
      const tp = this.matrix[c * C + c];
      out.push(tp / (predicted + actual - tp + EPSILON));
    }
    return out;
  }

  result(): number {
    const C = this.numClasses;
    let sum = 0;
    let valid = 0;
    const perClass = this.resultPerClass();
    for (let c = 0; c < C; c++) {
      let denominator = -this.matrix[c * C + c];
      for (let k = 0; k < C; k++) denominator += this.matrix[k * C + c] + this.matrix[c * C + k];
      if (denominator > 1e-9) valid++;
      sum += perClass[c];
    }
    return sum / (valid + EPSILON);
  }

  reset(): void {
    this.matrix.fill(0);
  }

  override getConfig(): MetricConfig {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      ignoreClass: this.ignoreClass,
      sparseYTrue: this.sparseYTrue,
      sparseYPred: this.sparseYPred,
      axis: this.axis,
    };
  }
}
