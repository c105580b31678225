/**
 * Tensile → `.keras` / `.weights.h5` → Tensile gives back the same model: bit-identical predictions for models
 * holding every layer type that has weights, the functional graph (two inputs and outputs, a shared layer), the
 * compile settings and the optimizer's state. The weights file has exactly the groups, datasets, shapes and
 * types Keras writes for the same model.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../../src/index.js";
import { readHdf5, type H5Group } from "../../../src/io/hdf5/index.js";
import { loadKeras, loadKerasWeights, saveKeras, saveKerasWeights } from "../../../src/io/keras/index.js";
import { assertSamePredictions, fixture, KERAS_MODELS, recorded, unpack } from "./helpers.js";

const L = tn.layers;

/** Gives every weight non-trivial values (kept positive where a layer needs it: variances). */
function perturb(model: tn.Model, seed: number): void {
  model.weights.forEach((w, i) => {
    if (w.name.endsWith("/count")) return;
    const noise = tn.randomUniform(w.shape, 0.05, 0.5, w.dtype, seed + i);
    w.assign(w.name.endsWith("variance") ? tn.add(w, noise) : tn.sub(tn.add(w, noise), 0.25));
  });
}

/** `dropout` false leaves out the Dropout layer, whose random masks would make two trainings differ. */
function convModel(dropout = true): tn.Sequential {
  const m = tn.sequential([
    tn.input({ shape: [6, 6, 3] }),
    L.conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
    L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
    L.separableConv2d({ filters: 4, kernelSize: 2, activation: "tanh" }),
    L.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2 }),
    L.batchNormalization(),
    L.groupNormalization({ groups: 3 }),
    L.maxPooling2d({}),
    L.flatten(),
    L.dense({ units: 5, kernelRegularizer: "l2" }),
    L.layerNormalization(),
    ...(dropout ? [L.dropout({ rate: 0.3 })] : []),
    L.dense({ units: 3, activation: "softmax" }),
  ]);
  perturb(m, 10);
  return m;
}

function recurrentModel(): tn.Sequential {
  const m = tn.sequential([
    tn.input({ shape: [5], dtype: "int32" }),
    L.embedding({ inputDim: 12, outputDim: 4, maskZero: true }),
    L.simpleRNN({ units: 3, returnSequences: true }),
    L.lstm({ units: 3, returnSequences: true }),
    L.gru({ units: 3, returnSequences: true }),
    L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) }),
    L.timeDistributed({ layer: L.dense({ units: 2 }) }),
    L.gru({ units: 2, resetAfter: false, goBackwards: true }),
  ]);
  perturb(m, 20);
  return m;
}

/** Two inputs, three outputs, a shared Dense, attention, Normalization, Conv1D/Conv3D and a stacked-cell RNN. */
function functionalModel(): { model: tn.Model; inputs: tn.Tensor[] } {
  const q = tn.input({ shape: [4, 6], name: "q" });
  const v = tn.input({ shape: [3, 6], name: "v" });
  const norm = L.normalization();
  norm.adapt(tn.randomUniform([20, 4, 6], 0, 1, "float32", 3));
  const att = L.multiHeadAttention({ numHeads: 2, keyDim: 3 }).apply([norm.apply(q), v]);
  const shared = L.dense({ units: 5, activation: "tanh", name: "shared" });
  const o1 = L.globalAveragePooling1d().apply(shared.apply(att));
  const c1 = L.conv1d({ filters: 3, kernelSize: 2, padding: "causal", dilationRate: 2 }).apply(shared.apply(v));
  const o2 = L.add().apply([L.bidirectional({ layer: L.gru({ units: 2 }), mergeMode: "sum" }).apply(c1), L.dense({ units: 2 }).apply(L.flatten().apply(v))]);
  const stacked = L.rnn({ cell: [L.gruCell({ units: 3 }), L.simpleRNNCell({ units: 2 })] }).apply(v);
  const o3 = L.concatenate().apply([stacked, L.globalMaxPooling1d().apply(L.attention({}).apply([q, v]))]);
  const model = tn.model({ inputs: [q, v], outputs: [o1, o2, o3] });
  perturb(model, 30);
  return { model, inputs: [tn.randomUniform([2, 4, 6], 0, 1, "float32", 4), tn.randomUniform([2, 3, 6], 0, 1, "float32", 5)] };
}

function conv3dModel(): tn.Model {
  const x = tn.input({ shape: [4, 4, 4, 1] });
  const y = L.dense({ units: 2 }).apply(L.flatten().apply(L.conv3d({ filters: 2, kernelSize: 2, activation: "sigmoid" }).apply(x)));
  const m = tn.model({ inputs: x, outputs: y });
  perturb(m, 40);
  return m;
}

test(".keras round trip: convolutions and normalizations (Sequential) predict identically", async () => {
  const model = convModel();
  const back = await loadKeras(await saveKeras(model), { fileName: "conv.keras" });
  assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className));
  assertSamePredictions(model, back, [tn.randomUniform([2, 6, 6, 3], 0, 1, "float32", 1)], "conv");
});

test(".keras round trip: embedding with masking, SimpleRNN, LSTM, GRU (both resets), Bidirectional, TimeDistributed", async () => {
  const model = recurrentModel();
  const back = await loadKeras(await saveKeras(model), { fileName: "rnn.keras" });
  assertSamePredictions(model, back, [tn.tensor([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0]], [2, 5], "int32")], "recurrent");
});

test(".keras round trip: a functional model with two inputs, three outputs and a shared layer", async () => {
  const { model, inputs } = functionalModel();
  const back = await loadKeras(await saveKeras(model), { fileName: "functional.keras" });
  assert.deepEqual(back.inputs.map((x) => x.sourceLayer.name), ["q", "v"]);
  assert.equal(back.outputs.length, 3);
  const shared = back.getLayer("shared");
  assert.equal(shared.inboundNodes.length, 2, "the shared layer is called twice");
  assertSamePredictions(model, back, inputs, "functional");
  const conv = conv3dModel();
  assertSamePredictions(conv, await loadKeras(await saveKeras(conv), { fileName: "conv3d.keras" }), [tn.randomUniform([2, 4, 4, 4, 1], 0, 1, "float32", 6)], "conv3d");
});

test(".weights.h5 round trip: saveKerasWeights into a fresh model of the same architecture", async () => {
  const { model, inputs } = functionalModel();
  const fresh = tn.model({ inputs: model.inputs, outputs: model.outputs });
  const bytes = await saveKerasWeights(model);
  const other = await loadKeras(await saveKeras(model), { fileName: "a.keras" });
  for (const w of other.weights) w.assign(tn.zerosLike(w));
  await loadKerasWeights(other, bytes, { fileName: "m.weights.h5" });
  assertSamePredictions(fresh, other, inputs, "weights");
});

test(".keras round trip keeps the compile settings and the optimizer's state, so training continues identically", async () => {
  const model = convModel(false);
  model.compile({ optimizer: tn.optimizers.adam({ learningRate: 0.01 }), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const x = tn.randomUniform([8, 6, 6, 3], 0, 1, "float32", 7);
  const y = tn.oneHot(tn.tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], "int32"), 3);
  await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
  const back = await loadKeras(await saveKeras(model), { fileName: "trained.keras" });
  assert.ok(back.isCompiled);
  assert.deepEqual(back.metricsNames, model.metricsNames);
  assert.equal(back.optimizer.getClassName(), "Adam");
  assert.equal(back.optimizer.iterations, 4);
  const a = model.optimizer.variables().map((v) => Array.from(v.dataSync()));
  const b = back.optimizer.variables().map((v) => Array.from(v.dataSync()));
  assert.deepEqual(b, a, "optimizer variables");
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
  await back.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
  assert.deepEqual(back.getWeights().map((t) => Array.from(t.dataSync())), model.getWeights().map((t) => Array.from(t.dataSync())));
});

/** Every dataset of a tree: path → "type shape". */
function datasets(tree: H5Group): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (g: H5Group, path: string): void => {
    for (const [name, child] of g.children) {
      const p = path === "" ? name : `${path}/${name}`;
      if (child.kind === "group") {
        out.set(`${p}/`, "group");
        walk(child, p);
      } else out.set(p, `${child.type.replace(/^(u?int)\d+$/, "$1")} [${child.shape.join(",")}]`);
    }
  };
  walk(tree, "");
  return out;
}

for (const name of KERAS_MODELS) {
  test(`model.weights.h5 written for Keras's ${name} has Keras's groups, datasets, shapes and types`, async () => {
    const keras = fixture(`${name}.keras`);
    const model = await loadKeras(keras, { fileName: `${name}.keras` });
    const ours = datasets(await readHdf5(unpack(await saveKeras(model)).weights, { fileName: "ours" }));
    const theirs = datasets(await readHdf5(unpack(keras).weights, { fileName: "theirs" }));
    // Integers (the iteration count, Normalization's count) are int32 or int64 depending on Keras's backend.
    assert.deepEqual([...ours.entries()].sort(), [...theirs.entries()].sort());
    assertSamePredictions(model, await loadKeras(await saveKeras(model), { fileName: "again" }), recorded(name).inputs, name);
  });
}

test("optimizer state of a functional model is written in Keras's variable order even when Tensile trained in another", async () => {
  // Keras orders this model's layers a, first, short, second (by depth); Tensile's weights start with `short`.
  const a = tn.input({ shape: [3], name: "a" });
  const short = L.dense({ units: 2, name: "short" });
  const first = L.dense({ units: 4, name: "first" });
  const second = L.dense({ units: 1, name: "second" });
  const model = tn.model({ inputs: a, outputs: [short.apply(a), second.apply(first.apply(a))] });
  model.compile({ optimizer: "adam", loss: ["mse", "mse"] });
  await model.fit(tn.randomUniform([8, 3], 0, 1, "float32", 1), [tn.randomUniform([8, 2], 0, 1, "float32", 2), tn.randomUniform([8, 1], 0, 1, "float32", 3)], { epochs: 1, batchSize: 8, verbose: 0 });
  assert.equal(model.trainableWeights[0].name, "short/kernel");
  const bytes = await saveKeras(model);
  const tree = await readHdf5(unpack(bytes).weights, { fileName: "w" });
  const shapes = [...Array(14).keys()].map((i) => {
    const d = (tree.children.get("optimizer") as H5Group).children.get("vars") as H5Group;
    const node = d.children.get(String(i));
    return node?.kind === "dataset" ? node.shape.join("x") : "?";
  });
  // iteration, learning rate, then (momentum, velocity) of first/kernel, first/bias, short/…, second/….
  assert.deepEqual(shapes, ["", "", "3x4", "3x4", "4", "4", "3x2", "3x2", "2", "2", "4x1", "4x1", "1", "1"]);
  const back = await loadKeras(bytes, { fileName: "f.keras" });
  const values = (m: tn.Model): Record<string, number[]> => Object.fromEntries(m.optimizer.variables().map((v) => [v.name.replace(/^[^/]*\/(iteration|learning_rate)$/, "$1"), Array.from(v.dataSync())]));
  assert.deepEqual(values(back), values(model));
});

test(".keras optimizer state that does not fit the model's optimizer is skipped with a warning (as Keras 3), weights still load", async () => {
  const model = convModel(false);
  model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
  const x = tn.randomUniform([4, 6, 6, 3], 0, 1, "float32", 7);
  await model.fit(x, tn.oneHot(tn.tensor([0, 1, 2, 0], [4], "int32"), 3), { epochs: 1, batchSize: 4, verbose: 0 });
  const bytes = await saveKeras(model);
  const other = await loadKeras(bytes, { fileName: "a.keras", compile: false });
  other.compile({ optimizer: tn.optimizers.sgd({ momentum: 0.9 }), loss: "mse" });
  for (const w of other.weights) w.assign(tn.zerosLike(w));
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.join(" "));
  try {
    await loadKerasWeights(other, bytes, { fileName: "a.keras" });
  } finally {
    console.warn = original;
  }
  assert.deepEqual(seen, [
    `a.keras: model.weights.h5: the optimizer state is not loaded (the file has ${2 + 2 * model.trainableWeights.length} optimizer variables, but the model's SGD has ${2 + model.trainableWeights.length}); the model's optimizer starts fresh`,
  ]);
  assert.equal(other.optimizer.iterations, 0);
  assertSamePredictions(model, other, [x], "weights");
});
