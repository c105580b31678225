/**
 * Compile settings in Keras files (compile_config of `.keras`, training_config of `.h5`): losses and metrics with
 * options are written with them and rebuilt with them (through the registries only), both ways and from the forms
 * Keras 2 and Keras 3 write; a class Tensile does not know is a clear error, never a guess or code.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../../src/index.js";
import { readHdf5, writeHdf5 } from "../../../src/io/hdf5/index.js";
import { kerasConfigFromModel, loadKeras, loadLegacyH5, modelFromKerasConfig, saveKeras, saveLegacyH5 } from "../../../src/io/keras/index.js";
import { mlp, randomizeWeights } from "../models.js";
import { rejectsTensile } from "./helpers.js";
import { throwsTensile } from "../../helpers/assert.js";

type Json = { [key: string]: unknown };

function compiledModel(): tn.Model {
  const model = mlp();
  randomizeWeights(model, 21);
  model.compile({
    optimizer: tn.optimizers.adam({ learningRate: 0.01 }),
    loss: new tn.losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
    metrics: [new tn.metrics.AUC({ curve: "PR", numThresholds: 50, name: "auc_pr" }), new tn.metrics.TopKCategoricalAccuracy({ k: 2, name: "top2" }), "accuracy"],
  });
  return model;
}

const x = tn.randomUniform([6, 4], -1, 1, "float32", 1);
const labels = [0, 2, 1, 1, 0, 2];
const y = tn.oneHot(tn.tensor(labels, [6], "int32"), 3);

/** Label-smoothed cross-entropy from logits, in float64 (Keras's formula: y·(1 - s) + s / classes). */
function referenceLoss(logits: Float32Array | Float64Array | Int32Array | Uint8Array, smoothing: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const z = Array.from(logits.slice(i * 3, i * 3 + 3));
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    for (let j = 0; j < 3; j++) total -= ((j === labels[i] ? 1 : 0) * (1 - smoothing) + smoothing / 3) * (z[j] - logSum);
  }
  return total / labels.length;
}

function describeCompile(model: tn.Model): unknown {
  const o = model.compileOptions!;
  const item = (v: unknown): unknown => (v instanceof tn.losses.Loss || v instanceof tn.metrics.Metric ? [v.constructor.name, v.getConfig()] : v);
  return { loss: item(o.loss), metrics: (o.metrics as unknown[]).map(item) };
}

test("losses and metrics with non-default options survive .keras and .h5 round trips, and compute with them", async () => {
  const model = compiledModel();
  const expected = await model.evaluate(x, y, { verbose: 0 });
  const reference = referenceLoss((model.predict(x) as tn.Tensor).dataSync() as Float32Array, 0.1);
  assert.ok(Math.abs((expected as number[])[0] - reference) < 1e-5, `loss ${(expected as number[])[0]} vs float64 ${reference}`);
  const formats = [
    ["m.keras", saveKeras, loadKeras],
    ["m.h5", saveLegacyH5, loadLegacyH5],
  ] as const;
  for (const [name, save, load] of formats) {
    const back = await load(await save(model), { fileName: name });
    assert.deepEqual(describeCompile(back), describeCompile(model), name);
    assert.deepEqual(back.metricsNames, ["loss", "auc_pr", "top2", "accuracy"], name);
    assert.deepEqual(await back.evaluate(x, y, { verbose: 0 }), expected, name);
  }
});

test("the written compile_config and training_config carry the options in Keras's spelling", async () => {
  const model = compiledModel();
  const compile = kerasConfigFromModel(model).compile_config as Json;
  assert.deepEqual(compile.loss, {
    module: "keras.losses",
    class_name: "CategoricalCrossentropy",
    config: { name: "categorical_crossentropy", reduction: "sum_over_batch_size", from_logits: true, label_smoothing: 0.1, axis: -1 },
    registered_name: null,
  });
  const [auc, top2, accuracy] = compile.metrics as Json[];
  assert.equal(auc.class_name, "AUC");
  assert.equal((auc.config as Json).curve, "PR");
  assert.equal((auc.config as Json).num_thresholds, 50);
  assert.deepEqual(top2.config, { name: "top2", k: 2 });
  assert.equal(accuracy, "accuracy");
  const tree = await readHdf5(await saveLegacyH5(model), { fileName: "t.h5" });
  const training = JSON.parse((tree.attrs.get("training_config") as { value: string[] }).value[0]) as Json;
  assert.deepEqual(training.loss, { class_name: "CategoricalCrossentropy", config: { name: "categorical_crossentropy", reduction: "sum_over_batch_size", from_logits: true, label_smoothing: 0.1, axis: -1 } });
  assert.deepEqual((training.metrics as Json[])[1], { class_name: "TopKCategoricalAccuracy", config: { name: "top2", k: 2 } });
  assert.deepEqual(training.optimizer_config, { class_name: "Adam", config: { name: "Adam", learning_rate: 0.01, decay: 0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } });
});

/** The uncompiled MLP's config.json object with `compile` as its compile_config. */
function configWith(compile: Json): Json {
  return { ...kerasConfigFromModel(mlp()), compile_config: compile };
}

test("the forms Keras 2 and Keras 3 write are read with their options (dtype, Keras 2's 'auto' reduction, null Keras-only keys)", () => {
  const model = modelFromKerasConfig(
    configWith({
      optimizer: { module: "keras.optimizers", class_name: "SGD", config: { name: "SGD", learning_rate: 0.1, momentum: 0.5, nesterov: false }, registered_name: null },
      loss: { class_name: "CategoricalCrossentropy", config: { reduction: "auto", name: "cce", from_logits: true, label_smoothing: 0.2, axis: -1 } },
      metrics: [
        {
          module: "keras.metrics",
          class_name: "AUC",
          config: { name: "auc", dtype: "float32", num_thresholds: 20, curve: "PR", summation_method: "minoring", multi_label: false, num_labels: null, label_weights: null, from_logits: true },
          registered_name: null,
        },
        { class_name: "MeanMetricWrapper", config: { name: "acc", dtype: "float32", fn: "categorical_accuracy" } },
        { module: "keras.metrics", class_name: "function", config: "mae", registered_name: "function" },
      ],
      loss_weights: null,
    }),
    { fileName: "k.json" },
  );
  const loss = model.compileOptions!.loss as tn.losses.CategoricalCrossentropy;
  assert.ok(loss instanceof tn.losses.CategoricalCrossentropy);
  assert.deepEqual(loss.getConfig(), { name: "cce", reduction: "sum_over_batch_size", fromLogits: true, labelSmoothing: 0.2, axis: -1 });
  const [auc, acc, mae] = model.compileOptions!.metrics as unknown[];
  assert.ok(auc instanceof tn.metrics.AUC);
  assert.deepEqual([auc.numThresholds, auc.curve, auc.summationMethod, auc.name], [20, "PR", "minoring", "auc"]);
  assert.deepEqual([acc, mae], ["categorical_accuracy", "mae"]);
  assert.equal(model.optimizer.getConfig().learningRate, 0.1);
});

test("a loss, metric or optimizer class Tensile does not know is a clear error naming the file; {compile: false} skips it", async () => {
  const base = { optimizer: "adam", loss: "mse", metrics: null };
  const cases: [Json, RegExp][] = [
    [{ ...base, loss: { class_name: "FancyLoss", config: {} } }, /^k\.json: compile_config: deserializeLoss: unknown loss "FancyLoss"; known losses: .*only through its registries \(load with \{compile: false\} to skip compiling\)$/],
    [{ ...base, loss: "fancy_loss" }, /^k\.json: compile_config: .*unknown loss "fancy_loss"/],
    [{ ...base, metrics: [{ class_name: "FancyMetric", config: { name: "f" } }] }, /^k\.json: compile_config: deserializeMetric: unknown metric class "FancyMetric"/],
    [{ ...base, metrics: ["f1_score"] }, /^k\.json: compile_config: .*unknown metric "f1_score"/],
    [{ ...base, optimizer: { class_name: "Ftrl", config: {} } }, /^k\.json: compile_config: getOptimizer: unknown optimizer "Ftrl"/],
    [{ ...base, loss: { class_name: "__lambda__", config: { code: "x" } } }, /^k\.json: compile_config: a serialized loss function cannot be loaded: it would run code from the file/],
  ];
  for (const [compile, message] of cases) {
    throwsTensile(() => modelFromKerasConfig(configWith(compile), { fileName: "k.json" }), message);
    assert.equal(modelFromKerasConfig(configWith(compile), { fileName: "k.json", compile: false }).isCompiled, false);
  }
  // The same in a legacy file's training_config.
  const tree = await readHdf5(await saveLegacyH5(compiledModel()), { fileName: "t" });
  const text = (tree.attrs.get("training_config") as { value: string[] }).value[0].replace('"class_name": "AUC"', '"class_name": "FancyMetric"');
  tree.attrs.set("training_config", { kind: "string", shape: [], value: [text] });
  const bytes = await writeHdf5(tree);
  await rejectsTensile(loadLegacyH5(bytes, { fileName: "f.h5" }), /^f\.h5: training_config: deserializeMetric: unknown metric class "FancyMetric"/);
  assert.equal((await loadLegacyH5(bytes, { fileName: "f.h5", compile: false })).isCompiled, false);
});

test("options a known class cannot honour leave the model uncompiled, with a warning", () => {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.join(" "));
  let model: tn.Model;
  try {
    model = modelFromKerasConfig(configWith({ optimizer: "adam", loss: { class_name: "Huber", config: { delta: 1, frobnicate: 2 } } }), { fileName: "k.json" });
  } finally {
    console.warn = original;
  }
  assert.equal(model.isCompiled, false);
  assert.equal(seen.length, 1);
  assert.match(seen[0], /^k\.json: compile_config: the model is loaded uncompiled: Huber: unknown option "frobnicate"/);
});

/** Runs `fn` while `cls.name` reads "a", as after a minifier renamed the class; the name is restored after. */
function withMangledName<T>(cls: object, fn: () => T): T {
  const original = Object.getOwnPropertyDescriptor(cls, "name")!;
  Object.defineProperty(cls, "name", { value: "a", configurable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(cls, "name", original);
  }
}

/** The exported subclasses of `base` in a namespace, by export name (which is the Keras class name). */
function exportedClasses(namespace: object, base: abstract new (...args: never[]) => object, skip: string[]): [string, new (options: object) => object][] {
  return Object.entries(namespace).filter(
    (e): e is [string, new (options: object) => object] => typeof e[1] === "function" && e[1].prototype instanceof base && !skip.includes(e[0]),
  );
}

test("class names in compile_config come from the registries, not constructor.name (every built-in, names mangled)", () => {
  const losses = exportedClasses(tn.losses, tn.losses.Loss, ["LossFunctionWrapper"]);
  assert.equal(losses.length, 15);
  for (const [kerasName, cls] of losses) {
    withMangledName(cls, () => {
      const model = mlp();
      model.compile({ optimizer: "sgd", loss: new cls({}) as tn.losses.Loss });
      const written = kerasConfigFromModel(model).compile_config as Json;
      assert.deepEqual([(written.loss as Json).class_name, (written.loss as Json).module, (written.loss as Json).registered_name], [kerasName, "keras.losses", null], kerasName);
      const back = modelFromKerasConfig(kerasConfigFromModel(model), { fileName: "k.json" }).compileOptions!.loss;
      assert.ok(back instanceof cls, kerasName);
      assert.deepEqual((back as tn.losses.Loss).getConfig(), (model.compileOptions!.loss as tn.losses.Loss).getConfig(), kerasName);
      // Loss messages name the class by its className too.
      throwsTensile(() => (new cls({}) as tn.losses.Loss).apply([1], [[1]], "w" as never), new RegExp(`^${kerasName}\\.apply: sampleWeight: values must be a number`));
    });
  }
  const metrics = exportedClasses(tn.metrics, tn.metrics.Metric, ["SampleMeanMetric", "MeanMetricWrapper"]);
  assert.equal(metrics.length, 28);
  const model = mlp();
  const instances = metrics.map(([name, cls]) => new cls(name === "MeanIoU" ? { numClasses: 3 } : {}) as tn.metrics.Metric);
  model.compile({ optimizer: "sgd", loss: "mse", metrics: instances });
  const written = metrics.reduceRight((fn, [, cls]) => () => withMangledName(cls, fn), () => kerasConfigFromModel(model))();
  const objects = (written.compile_config as Json).metrics as Json[];
  assert.deepEqual(objects.map((o) => o.class_name), metrics.map(([name]) => name));
  assert.ok(objects.every((o) => o.module === "keras.metrics" && o.registered_name === null));
  const back = modelFromKerasConfig(written, { fileName: "k.json" }).compileOptions!.metrics as tn.metrics.Metric[];
  back.forEach((m, i) => {
    assert.ok(m instanceof metrics[i][1], metrics[i][0]);
    assert.deepEqual(m.getConfig(), instances[i].getConfig(), metrics[i][0]);
  });
  // Keras's spelling of MeanIoU's options (a plain camel → snake split would give "sparse_ytrue").
  assert.deepEqual(objects[metrics.findIndex(([name]) => name === "MeanIoU")].config, { name: "mean_iou", num_classes: 3, ignore_class: null, sparse_y_true: true, sparse_y_pred: true, axis: -1 });
});

test("registered user classes are written under their own className (even renamed); unregistered ones are a clear error", () => {
  class DoubledError extends tn.losses.MeanAbsoluteError {
    static override readonly className = "DoubledError";
    override call(y: tn.TensorLike, p: tn.TensorLike): tn.Tensor {
      return tn.mul(super.call(y, p), 2);
    }
  }
  class CountBatches extends tn.metrics.Metric {
    static override readonly className = "CountBatches";
    private n = 0;
    update(): void {
      this.n += 1;
    }
    result(): number {
      return this.n;
    }
    reset(): void {
      this.n = 0;
    }
  }
  tn.losses.registerLoss(DoubledError);
  tn.metrics.registerMetric(CountBatches);
  const model = mlp();
  model.compile({ optimizer: "sgd", loss: new DoubledError({ name: "dbl", reduction: "sum" }), metrics: [new CountBatches({ name: "batches" })] });
  const written = withMangledName(DoubledError, () => withMangledName(CountBatches, () => kerasConfigFromModel(model)));
  const compile = written.compile_config as Json;
  assert.deepEqual(compile.loss, { module: null, class_name: "DoubledError", config: { name: "dbl", reduction: "sum" }, registered_name: "DoubledError" });
  assert.deepEqual(compile.metrics, [{ module: null, class_name: "CountBatches", config: { name: "batches" }, registered_name: "CountBatches" }]);
  const back = modelFromKerasConfig(written, { fileName: "k.json" }).compileOptions!;
  assert.ok(back.loss instanceof DoubledError);
  assert.deepEqual((back.loss as tn.losses.Loss).getConfig(), { name: "dbl", reduction: "sum" });
  assert.ok((back.metrics as unknown[])[0] instanceof CountBatches);

  // A subclass of a built-in that is not registered would otherwise be saved as its parent: refused.
  class Unregistered extends tn.losses.MeanSquaredError {}
  const bad = mlp();
  bad.compile({ optimizer: "sgd", loss: new Unregistered() });
  throwsTensile(() => kerasConfigFromModel(bad), /^serializeLoss: class Unregistered is not a built-in or registered loss; .*tn\.losses\.registerLoss\(cls\)/);
  class Unlisted extends CountBatches {}
  bad.compile({ optimizer: "sgd", loss: "mse", metrics: [new Unlisted()] });
  throwsTensile(() => kerasConfigFromModel(bad), /^serializeMetric: class Unlisted is not a built-in or registered metric; .*tn\.metrics\.registerMetric\(cls\)/);

  // Wrapped functions are functions: the loss leaves compile_config out, a metric leaves metrics null (as before).
  const fn = (y: tn.Tensor, p: tn.Tensor) => tn.abs(tn.sub(y, p));
  bad.compile({ optimizer: "sgd", loss: new tn.losses.LossFunctionWrapper(fn) });
  assert.equal(kerasConfigFromModel(bad).compile_config, undefined);
  bad.compile({ optimizer: "sgd", loss: "mse", metrics: [new tn.metrics.MeanMetricWrapper(fn)] });
  assert.equal((kerasConfigFromModel(bad).compile_config as Json).metrics, null);
});
