/** getMetric (Keras 3's compile-time resolution, including the "accuracy" rule), configs and deserializeMetric. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { throwsTensile } from "../helpers/assert.js";

test('"accuracy" and "acc" pick binary, sparse or categorical accuracy from the shapes, keeping the given name', () => {
  const cases: [readonly (number | null)[], readonly (number | null)[], string][] = [
    [[null, 1], [null, 1], "BinaryAccuracy"],
    [[null], [null, 1], "BinaryAccuracy"],
    [[null], [null, 10], "SparseCategoricalAccuracy"],
    [[null, 1], [null, 10], "SparseCategoricalAccuracy"],
    [[8, 5, 1], [8, 5, 3], "SparseCategoricalAccuracy"],
    [[null, 10], [null, 10], "CategoricalAccuracy"],
    [[null, 3], [null, null], "CategoricalAccuracy"],
    [[null, 1], [null, null], "CategoricalAccuracy"],
  ];
  for (const id of ["accuracy", "acc", "Accuracy"]) {
    for (const [yTrueShape, yPredShape, cls] of cases) {
      const m = tn.metrics.getMetric(id, { yTrueShape, yPredShape, lossName: "mse" });
      assert.equal(m.constructor.name, cls, `${id} ${JSON.stringify(yTrueShape)} ${JSON.stringify(yPredShape)}`);
      assert.equal(m.name, id);
    }
  }
});

test('without shapes, "accuracy" follows the loss, else decides on the first batch', () => {
  const byLoss: [string, string][] = [
    ["binary_crossentropy", "BinaryAccuracy"],
    ["binaryCrossentropy", "BinaryAccuracy"],
    ["bce", "BinaryAccuracy"],
    ["sparse_categorical_crossentropy", "SparseCategoricalAccuracy"],
    ["SparseCategoricalCrossentropy", "SparseCategoricalAccuracy"],
    ["categoricalCrossentropy", "CategoricalAccuracy"],
  ];
  for (const [lossName, cls] of byLoss) assert.equal(tn.metrics.getMetric("accuracy", { lossName }).constructor.name, cls, lossName);
  // Decided by the first batch: sparse labels here.
  const lazy = tn.metrics.getMetric("acc", { lossName: "mse" });
  assert.equal(lazy.name, "acc");
  assert.equal(lazy.result(), 0);
  lazy.update([2, 0], [[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]]);
  assert.equal(lazy.result(), 0.5);
  lazy.update([[1], [1]], [[0.1, 0.8, 0.1], [0.9, 0.05, 0.05]]);
  assert.equal(lazy.result(), 0.5);
  assert.deepEqual(lazy.getConfig(), { name: "acc" });
  lazy.reset();
  assert.equal(lazy.result(), 0);
  // Decided as binary.
  const binary = tn.metrics.getMetric("accuracy");
  binary.update([[1], [0], [1]], [[0.7], [0.2], [0.4]]);
  assert.ok(Math.abs(binary.result() - 2 / 3) < 1e-7);
});

test("getMetric resolves names, aliases and class names to fresh metrics named as given", () => {
  const cases: [string, string][] = [
    ["mse", "MeanSquaredError"],
    ["MSE", "MeanSquaredError"],
    ["mean_squared_error", "MeanSquaredError"],
    ["meanSquaredError", "MeanSquaredError"],
    ["MeanSquaredError", "MeanSquaredError"],
    ["mae", "MeanAbsoluteError"],
    ["mape", "MeanAbsolutePercentageError"],
    ["msle", "MeanSquaredLogarithmicError"],
    ["rootMeanSquaredError", "RootMeanSquaredError"],
    ["binary_accuracy", "BinaryAccuracy"],
    ["categoricalAccuracy", "CategoricalAccuracy"],
    ["sparse_categorical_accuracy", "SparseCategoricalAccuracy"],
    ["top_k_categorical_accuracy", "TopKCategoricalAccuracy"],
    ["sparseTopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy"],
    ["precision", "Precision"],
    ["Recall", "Recall"],
    ["auc", "AUC"],
    ["AUC", "AUC"],
    ["bce", "BinaryCrossentropy"],
    ["categorical_crossentropy", "CategoricalCrossentropy"],
    ["sparseCategoricalCrossentropy", "SparseCategoricalCrossentropy"],
    ["kld", "KLDivergence"],
    ["kl_divergence", "KLDivergence"],
    ["poisson", "Poisson"],
    ["hinge", "Hinge"],
    ["squaredHinge", "SquaredHinge"],
    ["categorical_hinge", "CategoricalHinge"],
    ["logcosh", "LogCoshError"],
    ["log_cosh_error", "LogCoshError"],
    ["huber", "Huber"],
    ["cosine_similarity", "CosineSimilarity"],
    ["mean", "Mean"],
    ["sum", "Sum"],
  ];
  for (const [id, cls] of cases) {
    const m = tn.metrics.getMetric(id);
    assert.equal(m.constructor.name, cls, id);
    assert.equal(m.name, id);
    assert.notEqual(tn.metrics.getMetric(id), m, `${id}: a fresh metric each call`);
  }
  const mine = new tn.metrics.AUC({ curve: "PR" });
  assert.equal(tn.metrics.getMetric(mine), mine);
  const wrapped = tn.metrics.getMetric(function absError(y: tn.Tensor, p: tn.Tensor) {
    return tn.abs(tn.sub(y, p));
  });
  assert.ok(wrapped instanceof tn.metrics.MeanMetricWrapper);
  assert.equal(wrapped.name, "absError");
});

test("getMetric explains unknown names and bad arguments", () => {
  throwsTensile(() => tn.metrics.getMetric("accuracyy"), /^getMetric: unknown metric "accuracyy"; known metrics: accuracy, binary_accuracy, .*sum \(camelCase, class names and aliases/);
  throwsTensile(() => tn.metrics.getMetric("mean_iou"), /^getMetric: "mean_iou" needs constructor arguments; use new tn\.metrics\.MeanIoU\(\{numClasses\}\)/);
  throwsTensile(() => tn.metrics.getMetric(null as unknown as string), /^getMetric: identifier must be a metric name, a Metric or a function .*got null/);
  throwsTensile(() => tn.metrics.getMetric("accuracy", { yTrueShape: "2x3" as unknown as number[] }), /^getMetric: context\.yTrueShape must be an array of sizes \(or null\), got "2x3"/);
  throwsTensile(() => tn.metrics.getMetric("acc", { yTrueShape: [null], yPredShape: [null, 3] }).update([[0, 1, 0]], [[0.1, 0.8, 0.1]]), /^metrics\.sparseCategoricalAccuracy: yTrue must have the shape of yPred without its last \(class\) axis/);
});

test("metric configs are camelCase and round-trip through fromConfig and deserializeMetric", () => {
  const metrics: tn.metrics.Metric[] = [
    new tn.metrics.BinaryAccuracy({ threshold: 0.7, name: "acc7" }),
    new tn.metrics.TopKCategoricalAccuracy({ k: 3 }),
    new tn.metrics.Precision({ thresholds: [0.3, 0.6], classId: 1 }),
    new tn.metrics.Recall({ topK: 2 }),
    new tn.metrics.AUC({ numThresholds: 50, curve: "PR", summationMethod: "majoring", multiLabel: true, fromLogits: true }),
    new tn.metrics.AUC({ thresholds: [0.2, 0.4] }),
    new tn.metrics.MeanIoU({ numClasses: 4, ignoreClass: 255, sparseYPred: false }),
    new tn.metrics.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
    new tn.metrics.SparseCategoricalCrossentropy({ ignoreClass: -1 }),
    new tn.metrics.CosineSimilarity({ axis: 0 }),
    new tn.metrics.Huber({ delta: 2 }),
    new tn.metrics.RootMeanSquaredError(),
    new tn.metrics.Mean({ name: "avg" }),
  ];
  assert.deepEqual(metrics[2].getConfig(), { name: "precision", thresholds: [0.3, 0.6], topK: null, classId: 1 });
  assert.deepEqual(metrics[4].getConfig(), { name: "auc", numThresholds: 50, curve: "PR", summationMethod: "majoring", multiLabel: true, fromLogits: true });
  for (const m of metrics) {
    const config = m.getConfig();
    const Ctor = m.constructor as typeof tn.metrics.Mean;
    assert.deepEqual(Ctor.fromConfig(config).getConfig(), config, m.name);
    const serialized = tn.metrics.serializeMetric(m);
    assert.deepEqual(serialized, { className: m.constructor.name, config, custom: false }, m.name);
    assert.deepEqual(tn.metrics.deserializeMetric(serialized.className, config).getConfig(), config, m.name);
  }
  throwsTensile(() => tn.metrics.deserializeMetric("F1Score", {}), /^deserializeMetric: unknown metric class "F1Score"; known classes: Accuracy, BinaryAccuracy/);
  throwsTensile(() => tn.metrics.deserializeMetric("toString", {}), /^deserializeMetric: unknown metric class "toString"/);
  throwsTensile(() => new tn.metrics.BinaryAccuracy({ threshold: 1 }), /^BinaryAccuracy: threshold must be a finite number in \(0, 1\), got 1/);
  throwsTensile(() => new tn.metrics.TopKCategoricalAccuracy({ k: 0 }), /^TopKCategoricalAccuracy: k must be an integer >= 1, got 0/);
  throwsTensile(() => new tn.metrics.CategoricalAccuracy({ threshold: 0.5 } as object), /^CategoricalAccuracy: unknown option "threshold"; expected one of name/);
});

test("user subclasses of Metric get a snake_case name", () => {
  class CountSamples extends tn.metrics.Metric {
    private n = 0;
    update(yTrue: tn.TensorLike, yPred: tn.TensorLike): void {
      this.n += Math.min(tn.tensor(yTrue as number[]).shape[0], tn.tensor(yPred as number[]).shape[0]);
    }
    result(): number {
      return this.n;
    }
    reset(): void {
      this.n = 0;
    }
  }
  const m = new CountSamples();
  assert.equal(m.name, "count_samples");
  m.update([1, 2, 3], [0, 0, 0]);
  assert.equal(m.result(), 3);
});

test("serializeMetric names classes by their static className; registerMetric adds user classes and checks them", () => {
  class LastValue extends tn.metrics.Metric {
    static override readonly className = "LastValue";
    private last = 0;
    update(yTrue: tn.TensorLike): void {
      this.last = tn.tensor(yTrue as number[]).dataSync()[0];
    }
    result(): number {
      return this.last;
    }
    reset(): void {
      this.last = 0;
    }
  }
  Object.defineProperty(LastValue, "name", { value: "l", configurable: true });
  class Renamed extends tn.metrics.AUC {}
  Object.defineProperty(Renamed, "name", { value: "r", configurable: true });
  throwsTensile(() => tn.metrics.serializeMetric(new LastValue()), /^serializeMetric: class LastValue is not a built-in or registered metric; .*tn\.metrics\.registerMetric\(cls\) first/);
  throwsTensile(() => tn.metrics.serializeMetric(new Renamed()), /^serializeMetric: class r is not a built-in or registered metric/);
  throwsTensile(() => tn.metrics.serializeMetric(tn.metrics.getMetric((y, p) => tn.sub(y, p))), /^serializeMetric: a MeanMetricWrapper \(mean_metric_wrapper\) holds a function/);
  tn.metrics.registerMetric(LastValue);
  assert.equal(new LastValue().name, "last_value");
  assert.deepEqual(tn.metrics.serializeMetric(new LastValue({ name: "lv" })), { className: "LastValue", config: { name: "lv" }, custom: true });
  assert.ok(tn.metrics.deserializeMetric("LastValue", { name: "x" }) instanceof LastValue);
  assert.equal(tn.metrics.getMetric("LastValue").name, "LastValue");
  throwsTensile(() => tn.metrics.registerMetric(Renamed), /^registerMetric: class r must declare its own static className/);
  class Acc extends tn.metrics.BinaryAccuracy {
    static override readonly className = "ACC";
  }
  throwsTensile(() => tn.metrics.registerMetric(Acc), /^registerMetric: "ACC" is the name of a built-in metric; choose another className/);

  // "accuracy" given as an object is written as the class it decided on, once it has seen a batch.
  const accuracy = tn.metrics.getMetric("accuracy");
  throwsTensile(() => tn.metrics.serializeMetric(accuracy), /^serializeMetric: the accuracy metric "accuracy" has not seen a batch, so its class is not decided yet/);
  accuracy.update([1, 0], [[0.2, 0.8], [0.9, 0.1]]);
  assert.deepEqual(tn.metrics.serializeMetric(accuracy), { className: "SparseCategoricalAccuracy", config: { name: "accuracy" }, custom: false });
});
