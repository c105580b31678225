/** Probabilistic and hinge losses as Keras 3 metrics: each loss function averaged over all samples seen. */
import type { Tensor } from "../tensor/tensor.js";
import type { TensorLike } from "../ops/convert.js";
import { categoricalHinge, hinge, squaredHinge } from "../losses/hinge.js";
import {
  binaryCrossentropy,
  binaryCrossentropyOptions,
  categoricalCrossentropy,
  categoricalCrossentropyOptions,
  kullbackLeiblerDivergence,
  poisson,
  sparseCategoricalCrossentropyOptions,
  sparseCategoricalCrossentropyWithMask,
  type BinaryCrossentropyOptions,
  type CategoricalCrossentropyOptions,
  type SparseCategoricalCrossentropyOptions,
} from "../losses/probabilistic.js";
import type { BaseMetricOptions, MetricConfig } from "./metric.js";
import { SampleMeanMetric, type SampleValues } from "./reduction.js";

/** Binary cross-entropy over all samples. `new tn.metrics.BinaryCrossentropy({fromLogits: true})` */
export class BinaryCrossentropy extends SampleMeanMetric {
  static override readonly className: string = "BinaryCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: BinaryCrossentropyOptions & BaseMetricOptions = {}) {
    super(options, "binary_crossentropy", ["fromLogits", "labelSmoothing", "axis"]);
    const { fromLogits, labelSmoothing, axis } = options;
    ({ fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis } = binaryCrossentropyOptions(
      { fromLogits, labelSmoothing, axis },
      "BinaryCrossentropy",
    ));
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Categorical cross-entropy over all samples. `new tn.metrics.CategoricalCrossentropy()` */
export class CategoricalCrossentropy extends SampleMeanMetric {
  static override readonly className: string = "CategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CategoricalCrossentropyOptions & BaseMetricOptions = {}) {
    super(options, "categorical_crossentropy", ["fromLogits", "labelSmoothing", "axis"]);
    const { fromLogits, labelSmoothing, axis } = options;
    ({ fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis } = categoricalCrossentropyOptions(
      { fromLogits, labelSmoothing, axis },
      "CategoricalCrossentropy",
    ));
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/**
 * Sparse categorical cross-entropy over all samples; samples labelled `ignoreClass` are left out of the mean.
 * `new tn.metrics.SparseCategoricalCrossentropy({fromLogits: true})`
 */
export class SparseCategoricalCrossentropy extends SampleMeanMetric {
  static override readonly className: string = "SparseCategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;
  constructor(options: SparseCategoricalCrossentropyOptions & BaseMetricOptions = {}) {
    super(options, "sparse_categorical_crossentropy", ["fromLogits", "ignoreClass", "axis"]);
    const { fromLogits, ignoreClass, axis } = options;
    ({ fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis } = sparseCategoricalCrossentropyOptions(
      { fromLogits, ignoreClass, axis },
      "SparseCategoricalCrossentropy",
    ));
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): SampleValues {
    const options = { fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis };
    const { losses, mask } = sparseCategoricalCrossentropyWithMask(yTrue, yPred, options, `${this.name}.update`);
    return { values: losses, mask };
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis };
  }
}

/** Kullback-Leibler divergence over all samples. `new tn.metrics.KLDivergence()` */
export class KLDivergence extends SampleMeanMetric {
  static override readonly className: string = "KLDivergence";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "kl_divergence", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return kullbackLeiblerDivergence(yTrue, yPred);
  }
}

/** Poisson loss over all samples. `new tn.metrics.Poisson()` */
export class Poisson extends SampleMeanMetric {
  static override readonly className: string = "Poisson";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "poisson", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return poisson(yTrue, yPred);
  }
}

/** Hinge loss over all samples. `new tn.metrics.Hinge()` */
export class Hinge extends SampleMeanMetric {
  static override readonly className: string = "Hinge";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "hinge", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return hinge(yTrue, yPred);
  }
}

/** Squared hinge loss over all samples. `new tn.metrics.SquaredHinge()` */
export class SquaredHinge extends SampleMeanMetric {
  static override readonly className: string = "SquaredHinge";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "squared_hinge", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return squaredHinge(yTrue, yPred);
  }
}

/** Categorical hinge loss over all samples. `new tn.metrics.CategoricalHinge()` */
export class CategoricalHinge extends SampleMeanMetric {
  static override readonly className: string = "CategoricalHinge";
  constructor(options: BaseMetricOptions = {}) {
    super(options, "categorical_hinge", []);
  }
  protected values(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalHinge(yTrue, yPred);
  }
}
