/**
 * The Keras loss classes (`new tn.losses.X(options).apply(yTrue, yPred, sampleWeight)`): reductions and sample
 * weights against hand-computed values, ignoreClass masking, configs, the registry (`getLoss`) and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { throwsTensile } from "../helpers/assert.js";
import { checkGradient } from "../helpers/opinfo.js";

const close = (actual: number, expected: number, tol = 1e-6, what = "") =>
  assert.ok(Math.abs(actual - expected) <= tol * (1 + Math.abs(expected)), `${what}: got ${actual}, expected ${expected}`);
const value = (t: tn.Tensor) => t.dataSync()[0];

const yTrue = [[0, 1], [0, 0], [1, 1]];
const yPred = [[1, 1], [0, 0.5], [0.5, 2]];
// Per-sample MSE: [0.5, 0.125, 0.625].
const perSample = [0.5, 0.125, 0.625];

test("Loss.apply reduces as Keras: sum_over_batch_size, mean, sum, none, mean_with_sample_weight", () => {
  const w = [2, 0, 0.5];
  const weighted = perSample.map((v, i) => v * w[i]);
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  close(value(new tn.losses.MeanSquaredError().apply(yTrue, yPred)), sum(perSample) / 3);
  close(value(new tn.losses.MeanSquaredError({ reduction: "mean" }).apply(yTrue, yPred)), sum(perSample) / 3);
  close(value(new tn.losses.MeanSquaredError({ reduction: "sum" }).apply(yTrue, yPred)), sum(perSample));
  assert.deepEqual(Array.from(new tn.losses.MeanSquaredError({ reduction: "none" }).apply(yTrue, yPred).dataSync()), perSample);
  // sum_over_batch_size divides the weighted sum by the number of elements, not by the weights.
  close(value(new tn.losses.MeanSquaredError().apply(yTrue, yPred, w)), sum(weighted) / 3);
  close(value(new tn.losses.MeanSquaredError({ reduction: "sum" }).apply(yTrue, yPred, w)), sum(weighted));
  close(value(new tn.losses.MeanSquaredError({ reduction: "mean_with_sample_weight" }).apply(yTrue, yPred, w)), sum(weighted) / sum(w));
  assert.deepEqual(Array.from(new tn.losses.MeanSquaredError({ reduction: "none" }).apply(yTrue, yPred, w).dataSync()), weighted);
  // [batch, 1] weights are squeezed to the [batch] losses; a scalar weight scales everything.
  close(value(new tn.losses.MeanSquaredError().apply(yTrue, yPred, w.map((v) => [v]))), sum(weighted) / 3);
  close(value(new tn.losses.MeanSquaredError().apply(yTrue, yPred, 3)), sum(perSample));
  // All-zero weights with mean_with_sample_weight give 0, not NaN.
  assert.equal(value(new tn.losses.MeanSquaredError({ reduction: "mean_with_sample_weight" }).apply(yTrue, yPred, [0, 0, 0])), 0);
});

test("Loss.apply matches Keras's documented values", () => {
  // keras.losses.binary_crossentropy docstring: [0.916, 0.714]; categorical: [0.0513, 2.303] (mean 1.1769).
  close(value(new tn.losses.BinaryCrossentropy().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), (0.9162907 + 0.7135582) / 2, 1e-6);
  close(value(new tn.losses.CategoricalCrossentropy().apply([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), 1.1769392, 1e-6);
  close(value(new tn.losses.CategoricalCrossentropy().apply([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7])), 0.8135988, 1e-6);
  // keras.losses.huber docstring: 0.155; log_cosh: 0.108.
  close(value(new tn.losses.Huber().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 0.155, 1e-6);
  close(value(new tn.losses.LogCosh().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]])), Math.log(Math.cosh(1)) / 4, 1e-6);
  // Cosine similarity docstring: [-0, -1, 1] → mean 0.
  close(value(new tn.losses.CosineSimilarity().apply([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]])), 0, 1e-6);
});

test("every loss class's call equals its function, and apply its sum_over_batch_size mean", () => {
  const p = [[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]];
  const y = [[0, 1, 0], [1, 0, 0]];
  const pairs: [tn.losses.Loss, (y: tn.TensorLike, p: tn.TensorLike) => tn.Tensor][] = [
    [new tn.losses.MeanSquaredError(), tn.losses.meanSquaredError],
    [new tn.losses.MeanAbsoluteError(), tn.losses.meanAbsoluteError],
    [new tn.losses.MeanAbsolutePercentageError(), tn.losses.meanAbsolutePercentageError],
    [new tn.losses.MeanSquaredLogarithmicError(), tn.losses.meanSquaredLogarithmicError],
    [new tn.losses.LogCosh(), tn.losses.logCosh],
    [new tn.losses.Huber({ delta: 0.3 }), (a, b) => tn.losses.huber(a, b, { delta: 0.3 })],
    [new tn.losses.CosineSimilarity({ axis: 0 }), (a, b) => tn.losses.cosineSimilarity(a, b, { axis: 0 })],
    [new tn.losses.BinaryCrossentropy({ labelSmoothing: 0.1 }), (a, b) => tn.losses.binaryCrossentropy(a, b, { labelSmoothing: 0.1 })],
    [new tn.losses.CategoricalCrossentropy({ fromLogits: true }), (a, b) => tn.losses.categoricalCrossentropy(a, b, { fromLogits: true })],
    [new tn.losses.KLDivergence(), tn.losses.kullbackLeiblerDivergence],
    [new tn.losses.Poisson(), tn.losses.poisson],
    [new tn.losses.Hinge(), tn.losses.hinge],
    [new tn.losses.SquaredHinge(), tn.losses.squaredHinge],
    [new tn.losses.CategoricalHinge(), tn.losses.categoricalHinge],
  ];
  for (const [loss, fn] of pairs) {
    const expected = Array.from(fn(y, p).dataSync());
    assert.deepEqual(Array.from(loss.call(y, p).dataSync()), expected, loss.name);
    close(value(loss.apply(y, p)), expected.reduce((a, b) => a + b, 0) / expected.length, 1e-6, loss.name);
  }
  const sparse = new tn.losses.SparseCategoricalCrossentropy();
  assert.deepEqual(Array.from(sparse.call([1, 0], p).dataSync()), Array.from(tn.losses.sparseCategoricalCrossentropy([1, 0], p).dataSync()));
});

test("SparseCategoricalCrossentropy with ignoreClass averages over the valid samples only", () => {
  const logits = [[2, 0.5, -1], [0.1, 0.2, 0.3], [1, 3, 0]];
  const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
  const l0 = lse(logits[0]) - logits[0][0];
  const l2 = lse(logits[2]) - logits[2][1];
  const labels = [0, -1, 1];
  const make = (reduction: tn.losses.LossReduction) => new tn.losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction });
  close(value(make("sum_over_batch_size").apply(labels, logits)), (l0 + l2) / 2);
  close(value(make("mean").apply(labels, logits)), (l0 + l2) / 2);
  close(value(make("sum").apply(labels, logits)), l0 + l2);
  const none = Array.from(make("none").apply(labels, logits).dataSync());
  [l0, 0, l2].forEach((v, i) => close(none[i], v));
  // With weights: sum(w·l·valid)/valid-count for the mean reductions.
  close(value(make("sum_over_batch_size").apply(labels, logits, [2, 5, 0.5])), (2 * l0 + 0.5 * l2) / 2);
  close(value(make("mean_with_sample_weight").apply(labels, logits, [2, 5, 0.5])), (2 * l0 + 0.5 * l2) / 2.5);
  // Every sample ignored: 0, not NaN.
  assert.equal(value(make("sum_over_batch_size").apply([-1, -1, -1], logits)), 0);
});

test("Loss.apply is differentiable: its gradient in yPred matches central differences", () => {
  const y = tn.tensor([[0, 1, 0], [1, 0, 0]], undefined, "float64");
  const p = tn.tensor([[0.2, 1.7, -0.4], [0.5, 0.3, 2.2]], undefined, "float64");
  const w = tn.tensor([0.5, 2], undefined, "float64");
  for (const loss of [
    new tn.losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
    new tn.losses.MeanSquaredError({ reduction: "sum" }),
    new tn.losses.Huber({ reduction: "mean_with_sample_weight" }),
  ]) {
    checkGradient((xs) => loss.apply(xs[0], xs[1], xs[2]), [y, p, w], loss.name, [1]);
  }
  const sparse = new tn.losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 2 });
  checkGradient((xs) => sparse.apply(xs[0], xs[1]), [tn.tensor([1, 2], undefined, "int32"), p], "sparse with ignoreClass", [1]);
});

test("an empty batch reduces to 0", () => {
  const empty = tn.zeros([0, 3]);
  assert.equal(value(new tn.losses.MeanSquaredError().apply(empty, empty)), 0);
  assert.equal(value(new tn.losses.MeanSquaredError({ reduction: "sum" }).apply(empty, empty)), 0);
  assert.deepEqual(new tn.losses.MeanSquaredError({ reduction: "none" }).apply(empty, empty).shape, [0]);
});

test("configs are camelCase and round-trip through fromConfig and deserializeLoss", () => {
  const losses = [
    new tn.losses.MeanSquaredError({ name: "my_mse", reduction: "sum" }),
    new tn.losses.Huber({ delta: 2.5 }),
    new tn.losses.CosineSimilarity({ axis: 0 }),
    new tn.losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2, axis: -1 }),
    new tn.losses.CategoricalCrossentropy({ labelSmoothing: 0.1 }),
    new tn.losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255 }),
    new tn.losses.KLDivergence({ reduction: "none" }),
  ];
  assert.deepEqual(losses[3].getConfig(), { name: "binary_crossentropy", reduction: "sum_over_batch_size", fromLogits: true, labelSmoothing: 0.2, axis: -1 });
  assert.deepEqual(losses[5].getConfig(), { name: "sparse_categorical_crossentropy", reduction: "sum_over_batch_size", fromLogits: true, ignoreClass: 255, axis: -1 });
  for (const loss of losses) {
    const config = loss.getConfig();
    const Ctor = loss.constructor as typeof tn.losses.MeanSquaredError;
    assert.deepEqual(Ctor.fromConfig(config).getConfig(), config);
    const serialized = tn.losses.serializeLoss(loss);
    assert.deepEqual(serialized, { className: loss.constructor.name, config, custom: false });
    assert.deepEqual(tn.losses.deserializeLoss(serialized.className, config).getConfig(), config);
  }
  assert.equal(new tn.losses.Huber().name, "huber_loss");
  assert.equal(new tn.losses.LogCosh().name, "log_cosh");
  throwsTensile(() => tn.losses.deserializeLoss("Dice", {}), /^deserializeLoss: unknown loss "Dice"; known losses: mean_squared_error/);
  throwsTensile(() => tn.losses.LossFunctionWrapper.fromConfig({}), /^LossFunctionWrapper\.fromConfig: a loss function cannot be rebuilt from a config/);
});

test("getLoss resolves camelCase, snake_case, class names and Keras/TF.js aliases to fresh instances", () => {
  const cases: [string, string][] = [
    ["mse", "MeanSquaredError"],
    ["MSE", "MeanSquaredError"],
    ["meanSquaredError", "MeanSquaredError"],
    ["mean_squared_error", "MeanSquaredError"],
    ["MeanSquaredError", "MeanSquaredError"],
    ["mae", "MeanAbsoluteError"],
    ["mape", "MeanAbsolutePercentageError"],
    ["msle", "MeanSquaredLogarithmicError"],
    ["kld", "KLDivergence"],
    ["kl_divergence", "KLDivergence"],
    ["kullbackLeiblerDivergence", "KLDivergence"],
    ["logcosh", "LogCosh"],
    ["logCosh", "LogCosh"],
    ["huber_loss", "Huber"],
    ["huber", "Huber"],
    ["bce", "BinaryCrossentropy"],
    ["binaryCrossentropy", "BinaryCrossentropy"],
    ["categorical_crossentropy", "CategoricalCrossentropy"],
    ["sparseCategoricalCrossentropy", "SparseCategoricalCrossentropy"],
    ["cosineProximity", "CosineSimilarity"],
    ["cosine_similarity", "CosineSimilarity"],
    ["poisson", "Poisson"],
    ["squared_hinge", "SquaredHinge"],
    ["categoricalHinge", "CategoricalHinge"],
    ["hinge", "Hinge"],
  ];
  for (const [name, cls] of cases) {
    const loss = tn.losses.getLoss(name);
    assert.equal(loss.constructor.name, cls, name);
    assert.notEqual(tn.losses.getLoss(name), loss, `${name}: a fresh instance each call`);
  }
  const mine = new tn.losses.Huber({ delta: 3 });
  assert.equal(tn.losses.getLoss(mine), mine);
  const fn = function myL1(y: tn.Tensor, p: tn.Tensor) {
    return tn.mean(tn.abs(tn.sub(y, p)), { axis: -1 });
  };
  const wrapped = tn.losses.getLoss(fn);
  assert.ok(wrapped instanceof tn.losses.LossFunctionWrapper);
  assert.equal(wrapped.name, "myL1");
  close(value(wrapped.apply([1, 2], [[1.5], [1]])), 0.75);
  throwsTensile(() => tn.losses.getLoss("meanSquaredErr"), /^getLoss: unknown loss "meanSquaredErr"; known losses: mean_squared_error, mean_absolute_error, .*categorical_hinge/);
  throwsTensile(() => tn.losses.getLoss(3 as unknown as string), /^getLoss: identifier must be a loss name, a Loss or a function .*got 3/);
  assert.equal(tn.losses.canonicalLossName("mse"), "mean_squared_error");
  assert.equal(tn.losses.canonicalLossName("nope"), null);
});

test("user subclasses of Loss get a snake_case name and Keras's apply", () => {
  class ScaledAbsoluteError extends tn.losses.Loss {
    call(y: tn.TensorLike, p: tn.TensorLike): tn.Tensor {
      return tn.mul(tn.mean(tn.abs(tn.sub(y, p)), { axis: -1 }), 2);
    }
  }
  const loss = new ScaledAbsoluteError({ reduction: "sum" });
  assert.equal(loss.name, "scaled_absolute_error");
  close(value(loss.apply([[0, 1], [1, 1]], [[1, 1], [1, 0]], [1, 3])), 2 * 0.5 + 3 * 2 * 0.5);
  assert.equal(new ScaledAbsoluteError({ name: "sae" }).name, "sae");
});

test("loss classes validate their options and the sample weights", () => {
  throwsTensile(() => new tn.losses.MeanSquaredError({ reduction: "avg" as tn.losses.LossReduction }), /^MeanSquaredError: reduction must be one of "sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", got "avg"/);
  throwsTensile(() => new tn.losses.MeanSquaredError({ delta: 1 } as object), /^MeanSquaredError: unknown option "delta"; expected one of reduction, name/);
  throwsTensile(() => new tn.losses.Huber({ delta: -1 }), /^Huber: delta must be a finite number > 0, got -1/);
  throwsTensile(() => new tn.losses.BinaryCrossentropy({ labelSmoothing: 1.5 }), /^BinaryCrossentropy: labelSmoothing must be a finite number in \[0, 1\], got 1.5/);
  throwsTensile(() => new tn.losses.SparseCategoricalCrossentropy({ ignoreClass: 0.5 }), /^SparseCategoricalCrossentropy: ignoreClass must be an integer, got 0.5/);
  throwsTensile(() => new tn.losses.MeanSquaredError({ name: "" }), /^MeanSquaredError: name must be a non-empty string, got ""/);
  throwsTensile(() => new tn.losses.MeanSquaredError(null as unknown as object), /^MeanSquaredError: options must be an object, got null/);
  throwsTensile(
    () => new tn.losses.MeanSquaredError().apply(yTrue, yPred, [1, 2]),
    /^MeanSquaredError\.apply: sampleWeight of shape \[2\] must broadcast to the per-sample losses of shape \[3\]/,
  );
  throwsTensile(() => new tn.losses.MeanSquaredError().apply(yTrue, [[1, 2, 3]]), /^losses\.meanSquaredError: yTrue and yPred must have the same shape/);
  throwsTensile(() => new tn.losses.LossFunctionWrapper(5 as unknown as tn.losses.LossFunction), /^LossFunctionWrapper: fn must be a function/);
  throwsTensile(() => new tn.losses.LossFunctionWrapper(() => 3 as unknown as tn.Tensor).apply([1], [1]), /^LossFunctionWrapper\(loss\): the function must return a Tensor, got 3/);
});

test("serializeLoss names classes by their static className; registerLoss adds user classes and checks them", () => {
  class HalvedError extends tn.losses.Loss {
    static override readonly className = "HalvedError";
    call(y: tn.TensorLike, p: tn.TensorLike): tn.Tensor {
      return tn.mul(tn.mean(tn.abs(tn.sub(y, p)), { axis: -1 }), 0.5);
    }
  }
  // As after minification: the JS names are gone, the static classNames are not.
  Object.defineProperty(HalvedError, "name", { value: "h", configurable: true });
  class Renamed extends tn.losses.Huber {}
  Object.defineProperty(Renamed, "name", { value: "r", configurable: true });
  throwsTensile(() => tn.losses.serializeLoss(new HalvedError()), /^serializeLoss: class HalvedError is not a built-in or registered loss; give it its own static className and register it with tn\.losses\.registerLoss\(cls\) first/);
  throwsTensile(() => tn.losses.serializeLoss(new Renamed()), /^serializeLoss: class r is not a built-in or registered loss/);
  throwsTensile(() => tn.losses.serializeLoss(tn.losses.getLoss((y, p) => tn.sub(y, p))), /^serializeLoss: a LossFunctionWrapper \(loss\) holds a function, which cannot be saved as data/);
  throwsTensile(() => tn.losses.serializeLoss({} as tn.losses.Loss), /^serializeLoss: expects a Loss, got/);
  tn.losses.registerLoss(HalvedError);
  const loss = new HalvedError({ reduction: "sum" });
  assert.equal(loss.name, "halved_error");
  assert.deepEqual(tn.losses.serializeLoss(loss), { className: "HalvedError", config: { name: "halved_error", reduction: "sum" }, custom: true });
  const back = tn.losses.deserializeLoss("HalvedError", { name: "h2", reduction: "none" });
  assert.ok(back instanceof HalvedError);
  assert.deepEqual(Array.from(back.apply([[0, 2]], [[1, 1]]).dataSync()), [0.5]);
  assert.ok(tn.losses.getLoss("HalvedError") instanceof HalvedError);
  throwsTensile(() => new HalvedError().apply([1], [1], "w" as never), /^HalvedError\.apply: sampleWeight/);
  throwsTensile(() => tn.losses.registerLoss(Renamed), /^registerLoss: class r must declare its own static className/);
  class Mse extends tn.losses.MeanSquaredError {
    static override readonly className = "MSE";
  }
  throwsTensile(() => tn.losses.registerLoss(Mse), /^registerLoss: "MSE" is the name of a built-in loss; choose another className/);
  class Spaced extends tn.losses.MeanSquaredError {
    static override readonly className = "my loss";
  }
  throwsTensile(() => tn.losses.registerLoss(Spaced), /^registerLoss: className must be an identifier such as "MyClass", got "my loss"/);
  throwsTensile(() => tn.losses.registerLoss(Map as unknown as tn.losses.RegistrableLossClass), /^registerLoss: expected a subclass of tn\.losses\.Loss, got/);
});
