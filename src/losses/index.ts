/**
 * `tn.losses`: Keras-level losses. Functions give per-sample losses (`tn.losses.categoricalCrossentropy(y, p)`);
 * classes add a reduction and sample weights (`new tn.losses.CategoricalCrossentropy().apply(y, p, w)`);
 * `getLoss` resolves names. The TF.js-style reducing ops (`tn.softmaxCrossEntropy`, …) stay at the top level.
 */
export { Loss, LossFunctionWrapper, reduceWeightedLoss, LOSS_REDUCTIONS, type LossReduction, type BaseLossOptions, type LossConfig, type LossFunction } from "./loss.js";
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  huber,
  logCosh,
  cosineSimilarity,
  type HuberOptions,
  type CosineSimilarityOptions,
} from "./regression.js";
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
  type BinaryCrossentropyOptions,
  type CategoricalCrossentropyOptions,
  type SparseCategoricalCrossentropyOptions,
} from "./probabilistic.js";
export { hinge, squaredHinge, categoricalHinge } from "./hinge.js";
export {
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  LogCosh,
  Huber,
  CosineSimilarity,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  KLDivergence,
  Poisson,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
} from "./classes.js";
export {
  getLoss,
  deserializeLoss,
  serializeLoss,
  registerLoss,
  lossNames,
  canonicalLossName,
  type SerializedLoss,
  type RegistrableLossClass,
} from "./registry.js";
