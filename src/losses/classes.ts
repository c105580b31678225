/**
 * The Keras loss classes (`keras.losses.MeanSquaredError`, …): each wraps its loss function with validated options,
 * a Keras default name, and a config that round-trips through `fromConfig`.
 */
import type { Tensor } from "../tensor/tensor.js";
import type { TensorLike } from "../ops/convert.js";
import { categoricalHinge, hinge, squaredHinge } from "./hinge.js";
import { Loss, type BaseLossOptions, type LossConfig } from "./loss.js";
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
} from "./probabilistic.js";
import {
  cosineSimilarity,
  cosineSimilarityOptions,
  huber,
  huberOptions,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  type CosineSimilarityOptions,
  type HuberOptions,
} from "./regression.js";

/** Picks the keys of `options` that belong to the loss function (the rest are name and reduction). */
function own<T extends object>(options: T & BaseLossOptions): T {
  const { name: _name, reduction: _reduction, ...rest } = options;
  void _name;
  void _reduction;
  return rest as T;
}

/** Mean squared error per sample. `new tn.losses.MeanSquaredError().apply([[0, 1]], [[1, 1]])` → 0.5 */
export class MeanSquaredError extends Loss {
  static override readonly className: string = "MeanSquaredError";
  constructor(options: BaseLossOptions = {}) {
    super(options, "mean_squared_error", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredError(yTrue, yPred);
  }
}

/** Mean absolute error per sample. `new tn.losses.MeanAbsoluteError().apply([[0, 1]], [[1, 1]])` → 0.5 */
export class MeanAbsoluteError extends Loss {
  static override readonly className: string = "MeanAbsoluteError";
  constructor(options: BaseLossOptions = {}) {
    super(options, "mean_absolute_error", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsoluteError(yTrue, yPred);
  }
}

/** Mean absolute percentage error per sample. `new tn.losses.MeanAbsolutePercentageError().apply([[2]], [[1]])` → 50 */
export class MeanAbsolutePercentageError extends Loss {
  static override readonly className: string = "MeanAbsolutePercentageError";
  constructor(options: BaseLossOptions = {}) {
    super(options, "mean_absolute_percentage_error", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanAbsolutePercentageError(yTrue, yPred);
  }
}

/** Mean squared logarithmic error per sample. `new tn.losses.MeanSquaredLogarithmicError().apply([[0]], [[0]])` → 0 */
export class MeanSquaredLogarithmicError extends Loss {
  static override readonly className: string = "MeanSquaredLogarithmicError";
  constructor(options: BaseLossOptions = {}) {
    super(options, "mean_squared_logarithmic_error", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return meanSquaredLogarithmicError(yTrue, yPred);
  }
}

/** Log-cosh error per sample. `new tn.losses.LogCosh().apply([[0]], [[0]])` → 0 */
export class LogCosh extends Loss {
  static override readonly className: string = "LogCosh";
  constructor(options: BaseLossOptions = {}) {
    super(options, "log_cosh", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return logCosh(yTrue, yPred);
  }
}

/** Huber loss. `new tn.losses.Huber({delta: 2}).apply([[0]], [[3]])` → 4 */
export class Huber extends Loss {
  static override readonly className: string = "Huber";
  readonly delta: number;
  constructor(options: HuberOptions & BaseLossOptions = {}) {
    super(options, "huber_loss", ["delta"]);
    this.delta = huberOptions(own(options), "Huber").delta;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return huber(yTrue, yPred, { delta: this.delta });
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Negative cosine similarity. `new tn.losses.CosineSimilarity({axis: -1}).apply([[1, 0]], [[1, 0]])` → -1 */
export class CosineSimilarity extends Loss {
  static override readonly className: string = "CosineSimilarity";
  readonly axis: number;
  constructor(options: CosineSimilarityOptions & BaseLossOptions = {}) {
    super(options, "cosine_similarity", ["axis"]);
    this.axis = cosineSimilarityOptions(own(options), "CosineSimilarity").axis;
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return cosineSimilarity(yTrue, yPred, { axis: this.axis });
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Binary cross-entropy. `new tn.losses.BinaryCrossentropy({fromLogits: true}).apply([[1]], [[0]])` → 0.6931 */
export class BinaryCrossentropy extends Loss {
  static override readonly className: string = "BinaryCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: BinaryCrossentropyOptions & BaseLossOptions = {}) {
    super(options, "binary_crossentropy", ["fromLogits", "labelSmoothing", "axis"]);
    ({ fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis } = binaryCrossentropyOptions(own(options), "BinaryCrossentropy"));
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Categorical cross-entropy. `new tn.losses.CategoricalCrossentropy().apply([[0, 1]], [[0.5, 0.5]])` → 0.6931 */
export class CategoricalCrossentropy extends Loss {
  static override readonly className: string = "CategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CategoricalCrossentropyOptions & BaseLossOptions = {}) {
    super(options, "categorical_crossentropy", ["fromLogits", "labelSmoothing", "axis"]);
    ({ fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis } = categoricalCrossentropyOptions(
      own(options),
      "CategoricalCrossentropy",
    ));
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/**
 * Sparse categorical cross-entropy; samples labelled `ignoreClass` are left out of the mean.
 * `new tn.losses.SparseCategoricalCrossentropy({fromLogits: true}).apply([1], [[0, 0]])` → 0.6931
 */
export class SparseCategoricalCrossentropy extends Loss {
  static override readonly className: string = "SparseCategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;
  constructor(options: SparseCategoricalCrossentropyOptions & BaseLossOptions = {}) {
    super(options, "sparse_categorical_crossentropy", ["fromLogits", "ignoreClass", "axis"]);
    ({ fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis } = sparseCategoricalCrossentropyOptions(
      own(options),
      "SparseCategoricalCrossentropy",
    ));
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return this.callWithMask(yTrue, yPred).losses;
  }
  override callWithMask(yTrue: TensorLike, yPred: TensorLike): { losses: Tensor; mask: Tensor | null } {
    const options = { fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis };
    return sparseCategoricalCrossentropyWithMask(yTrue, yPred, options, "SparseCategoricalCrossentropy");
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, ignoreClass: this.ignoreClass, axis: this.axis };
  }
}

/** Kullback-Leibler divergence. `new tn.losses.KLDivergence().apply([[0, 1]], [[0.5, 0.5]])` → 0.6931 */
export class KLDivergence extends Loss {
  static override readonly className: string = "KLDivergence";
  constructor(options: BaseLossOptions = {}) {
    super(options, "kl_divergence", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return kullbackLeiblerDivergence(yTrue, yPred);
  }
}

/** Poisson loss. `new tn.losses.Poisson().apply([[1]], [[1]])` → 1 */
export class Poisson extends Loss {
  static override readonly className: string = "Poisson";
  constructor(options: BaseLossOptions = {}) {
    super(options, "poisson", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return poisson(yTrue, yPred);
  }
}

/** Hinge loss. `new tn.losses.Hinge().apply([[1]], [[0.5]])` → 0.5 */
export class Hinge extends Loss {
  static override readonly className: string = "Hinge";
  constructor(options: BaseLossOptions = {}) {
    super(options, "hinge", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return hinge(yTrue, yPred);
  }
}

/** Squared hinge loss. `new tn.losses.SquaredHinge().apply([[1]], [[0.5]])` → 0.25 */
export class SquaredHinge extends Loss {
  static override readonly className: string = "SquaredHinge";
  constructor(options: BaseLossOptions = {}) {
    super(options, "squared_hinge", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return squaredHinge(yTrue, yPred);
  }
}

/** Categorical hinge loss. `new tn.losses.CategoricalHinge().apply([[0, 1]], [[0.3, 0.7]])` → 0.6 */
export class CategoricalHinge extends Loss {
  static override readonly className: string = "CategoricalHinge";
  constructor(options: BaseLossOptions = {}) {
    super(options, "categorical_hinge", []);
  }
  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalHinge(yTrue, yPred);
  }
}
