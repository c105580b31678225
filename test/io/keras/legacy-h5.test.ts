/**
 * Writing the legacy Keras `.h5` format (tf.keras 2's `model.save("m.h5")`) and its optimizer state:
 * - Tensile → .h5 → Tensile predicts bit-identically for every layer type that has weights (test/io/models.ts and a
 *   functional model with the rest: Normalization, MultiHeadAttention with a key, Attention and AdditiveAttention
 *   with scales, stacked RNN cells, a nested Sequential, a shared layer);
 * - the file written for the fashion MLP of ../shared/fixtures/keras has the fixture's attributes, groups, datasets,
 *   shapes and types (the fixture was written by tf.keras 2);
 * - optimizer_weights: tf.keras 2's (the fixture's Adam after 18750 steps, names with or without a `training/`
 *   scope, positional names), Keras 3's (./fixtures/conv2d_stack.h5), and ours, for every optimizer, so that
 *   training resumes exactly; a state that does not fit is skipped with a warning, as Keras does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as tn from "../../../src/index.js";
import * as io from "../../../src/io/index.js";
import { h5Get, readHdf5, writeHdf5, type H5Dataset, type H5Group, type H5Node } from "../../../src/io/hdf5/index.js";
import { loadLegacyH5, saveLegacyH5 } from "../../../src/io/keras/index.js";
import { BUILDERS, inputsFor, randomizeWeights } from "../models.js";
import { assertSamePredictions, fixture, rejectsTensile, shared } from "./helpers.js";

const L = tn.layers;
const dir = mkdtempSync(join(tmpdir(), "tensile-h5-"));

/** A functional model with the layer types with weights test/io/models.ts lacks, and Keras 2's call forms. */
function functionalModel(): { model: tn.Model; inputs: tn.Tensor[] } {
  const q = tn.input({ shape: [4, 6], name: "q" });
  const v = tn.input({ shape: [3, 6], name: "v" });
  const norm = L.normalization({ name: "norm" });
  norm.adapt(tn.randomUniform([20, 4, 6], 0, 1, "float32", 3));
  const nq = norm.apply(q);
  const mha = L.multiHeadAttention({ numHeads: 2, keyDim: 3, name: "mha" }).apply([nq, v, L.dense({ units: 6 }).apply(v)]);
  const shared = L.dense({ units: 5, activation: "tanh", name: "shared" });
  const dot = L.attention({ useScale: true }).apply([shared.apply(mha), shared.apply(v)]);
  const additive = L.additiveAttention({ useScale: true }).apply([nq, v]);
  const stacked = L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 2 })] }).apply(additive);
  const inner = tn.sequential({ layers: [L.dense({ units: 4, inputShape: [5], activation: "relu" }), L.batchNormalization(), L.dense({ units: 2 })], name: "inner" });
  const o1 = inner.apply(L.globalAveragePooling1d().apply(dot)) as tn.SymbolicTensor;
  const o2 = L.concatenate({ name: "concat" }).apply([stacked, o1]);
  const model = tn.model({ inputs: [q, v], outputs: [o1, o2] });
  randomizeWeights(model, 5);
  return { model, inputs: [tn.randomUniform([2, 4, 6], 0, 1, "float32", 4), tn.randomUniform([2, 3, 6], 0, 1, "float32", 5)] };
}

function outputs(model: tn.Model, inputs: readonly tn.Tensor[]): number[][] {
  const out = model.predict(inputs.length === 1 ? inputs[0] : [...inputs]);
  return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
}

test(".h5 round trip: every layer type with weights predicts bit-identically (Sequential and functional)", async () => {
  for (const [kind, build] of Object.entries(BUILDERS)) {
    const model = build();
    randomizeWeights(model, 7);
    const back = await loadLegacyH5(await saveLegacyH5(model), { fileName: `${kind}.h5` });
    assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className), kind);
    assertSamePredictions(model, back, [inputsFor(kind as keyof typeof BUILDERS)], kind);
  }
  const { model, inputs } = functionalModel();
  const back = await loadLegacyH5(await saveLegacyH5(model), { fileName: "functional.h5" });
  assert.deepEqual(back.inputs.map((x) => x.sourceLayer.name), ["q", "v"]);
  assert.equal(back.getLayer("shared").inboundNodes.length, 2, "the shared layer is called twice");
  assert.deepEqual(outputs(back, inputs), outputs(model, inputs));
});

test("the written model_config is Keras 2's: plain dtypes, batch_input_shape, legacy inbound_nodes and input lists", async () => {
  const { model } = functionalModel();
  const tree = await readHdf5(await saveLegacyH5(model), { fileName: "f.h5" });
  const config = JSON.parse((tree.attrs.get("model_config") as { value: string[] }).value[0]) as {
    class_name: string;
    config: { layers: { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] }[]; input_layers: unknown; output_layers: unknown };
  };
  assert.equal(config.class_name, "Functional");
  const text = JSON.stringify(config);
  for (const keras3 of ['"module"', '"registered_name"', '"build_config"', '"__keras_tensor__"', '"DTypePolicy"', '"batch_shape"']) assert.ok(!text.includes(keras3), keras3);
  assert.deepEqual(config.config.input_layers, [["q", 0, 0], ["v", 0, 0]]);
  const byName = new Map(config.config.layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.get("q")?.config.batch_input_shape, [null, 4, 6]);
  assert.equal(byName.get("shared")?.config.dtype, "float32");
  // MultiHeadAttention(query, value, key): the query is the input, value and key are kwargs.
  const [mhaCall] = byName.get("mha")?.inbound_nodes as unknown[][][];
  assert.equal(mhaCall.length, 1);
  const [layer, node, index, kwargs] = mhaCall[0] as [string, number, number, { value: unknown; key: unknown }];
  assert.deepEqual([layer, node, index], ["norm", 0, 0]);
  assert.deepEqual(kwargs.value, ["v", 0, 0]);
  assert.match(String((kwargs.key as unknown[])[0]), /^dense/);
  assert.equal(byName.get("shared")?.inbound_nodes.length, 2);
  assert.equal((byName.get("concat")?.inbound_nodes[0] as unknown[]).length, 2, "a merge layer's node lists its two inputs");
  assert.equal(byName.get("inner")?.class_name, "Sequential");
  // A single-output functional model: tf.keras 2 writes a list of one, and reads it back as the tensor.
  const x = tn.input({ shape: [3] });
  const single = tn.model({ inputs: x, outputs: L.dense({ units: 2 }).apply(x) });
  const t2 = await readHdf5(await saveLegacyH5(single), { fileName: "s.h5" });
  const c2 = JSON.parse((t2.attrs.get("model_config") as { value: string[] }).value[0]) as { config: { output_layers: unknown[] } };
  assert.equal(c2.config.output_layers.length, 1);
  const back = await loadLegacyH5(await saveLegacyH5(single), { fileName: "s.h5" });
  assert.ok(back.predict(tn.ones([1, 3])) instanceof tn.Tensor);
});

/** Every attribute and node of a tree: "path@attr" and "path type [shape]". */
function layout(tree: H5Group): string[] {
  const out: string[] = [];
  const walk = (node: H5Node, path: string): void => {
    for (const name of node.attrs.keys()) out.push(`${path}@${name}`);
    if (node.kind === "dataset") {
      out.push(`${path} ${node.type} [${node.shape.join(",")}]`);
      return;
    }
    for (const [name, child] of node.children) walk(child, `${path}/${name}`);
  };
  walk(tree, "");
  return out.sort();
}

test("the .h5 written for the fashion MLP has the layout tf.keras 2 wrote for it (attributes, groups, datasets, types)", async () => {
  const bytes = shared("fashion_mlp_legacy.h5");
  const theirs = await readHdf5(bytes, { fileName: "theirs" });
  const model = await loadLegacyH5(bytes, { fileName: "fashion_mlp_legacy.h5" });
  const ours = await readHdf5(await saveLegacyH5(model), { fileName: "ours" });
  assert.deepEqual(layout(ours), layout(theirs));
  const strings = (t: H5Group, path: string, name: string): string[] => {
    const node = path === "" ? t : (h5Get(t, path) as H5Group);
    const a = node.attrs.get(name);
    return a?.kind === "string" ? a.value : [`(${a?.kind} ${a?.shape})`];
  };
  for (const [path, name] of [["", "backend"], ["model_weights", "layer_names"], ["model_weights/dense", "weight_names"], ["model_weights/flatten", "weight_names"], ["optimizer_weights", "weight_names"]]) {
    assert.deepEqual(strings(ours, path, name), strings(theirs, path, name), `${path}@${name}`);
  }
  // The weights and the optimizer state are the file's, bit for bit.
  for (const path of ["model_weights/dense/dense/kernel:0", "model_weights/dense_1/dense_1/bias:0", "optimizer_weights/Adam/dense/kernel/v:0", "optimizer_weights/Adam/iter:0"]) {
    const a = h5Get(ours, path) as H5Dataset;
    const b = h5Get(theirs, path) as H5Dataset;
    assert.deepEqual(Array.from(a.data as Float32Array), Array.from(b.data as Float32Array), path);
  }
  const config = (t: H5Group, name: string): Record<string, unknown> => JSON.parse(strings(t, "", name)[0]) as Record<string, unknown>;
  const oursTraining = config(ours, "training_config");
  const theirsTraining = config(theirs, "training_config");
  assert.equal(oursTraining.loss, theirsTraining.loss);
  assert.deepEqual(oursTraining.metrics, theirsTraining.metrics);
  assert.deepEqual(oursTraining.optimizer_config, theirsTraining.optimizer_config);
  // The same layers with the same options (tf.keras 2.2 put the input shape on Flatten; 2.4+ writes an InputLayer).
  const layersOf = (t: H5Group) => (config(t, "model_config").config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers;
  const ourLayers = layersOf(ours).filter((l) => l.class_name !== "InputLayer");
  assert.deepEqual(ourLayers.map((l) => [l.class_name, l.config.name, l.config.units, l.config.activation]), layersOf(theirs).map((l) => [l.class_name, l.config.name, l.config.units, l.config.activation]));
  assert.deepEqual(layersOf(ours)[0].config.batch_input_shape, layersOf(theirs)[0].config.batch_input_shape);
});

test("the fixture's Adam state (tf.keras 2 optimizer_weights) is loaded: iterations and every moment", async () => {
  const bytes = shared("fashion_mlp_legacy.h5");
  const tree = await readHdf5(bytes, { fileName: "f" });
  const model = await loadLegacyH5(bytes, { fileName: "fashion_mlp_legacy.h5" });
  const opt = model.optimizer;
  assert.equal(opt.getClassName(), "Adam");
  assert.equal(opt.iterations, 18750);
  const byName = new Map(opt.variables().map((v) => [v.name, v]));
  for (const w of model.trainableWeights) {
    for (const [slot, file] of [["momentum", "m"], ["velocity", "v"]]) {
      const d = h5Get(tree, `optimizer_weights/Adam/${w.name}/${file}:0`) as H5Dataset;
      assert.deepEqual(Array.from(byName.get(`${w.name}/${slot}`)?.dataSync() ?? []), Array.from(d.data as Float32Array), `${w.name}/${slot}`);
    }
  }
  // TF 2.0-2.3 wrote the names under a `training/` scope; Keras 2.2 names say nothing (`Variable_3:0`), loaded by position.
  const names = (tree.children.get("optimizer_weights") as H5Group).attrs.get("weight_names") as { value: string[] };
  const check = async (rename: (name: string, i: number) => string, what: string): Promise<void> => {
    const t = await readHdf5(bytes, { fileName: "f" });
    const g = t.children.get("optimizer_weights") as H5Group;
    const renamed = names.value.map(rename);
    const fresh: H5Group = { kind: "group", children: new Map(), attrs: new Map([["weight_names", { kind: "string", shape: [renamed.length], value: renamed }]]) };
    names.value.forEach((old, i) => {
      const parts = renamed[i].split("/");
      let node = fresh;
      for (const p of parts.slice(0, -1)) {
        if (!node.children.has(p)) node.children.set(p, { kind: "group", children: new Map(), attrs: new Map() });
        node = node.children.get(p) as H5Group;
      }
      node.children.set(parts[parts.length - 1], h5Get(g, old) as H5Dataset);
    });
    t.children.set("optimizer_weights", fresh);
    const m = await loadLegacyH5(await writeHdf5(t), { fileName: `${what}.h5` });
    assert.equal(m.optimizer.iterations, 18750, what);
    assert.deepEqual(m.optimizer.variables().map((v) => Array.from(v.dataSync())), opt.variables().map((v) => Array.from(v.dataSync())), what);
  };
  await check((n) => `training/${n}`, "training scope");
  await check((_, i) => (i === 0 ? "Adam/iterations:0" : `training/Adam/Variable_${i}:0`), "positional");
});

test("Keras 3's legacy .h5 optimizer_weights (conv2d_stack.h5, Adam after one step) are loaded in Keras 3's order", async () => {
  const model = await loadLegacyH5(fixture("conv2d_stack.h5"), { fileName: "conv2d_stack.h5" });
  const opt = model.optimizer;
  assert.equal(opt.iterations, 1);
  const byName = new Map(opt.variables().map((v) => [v.name, v]));
  for (const w of model.trainableWeights) {
    const m = byName.get(`${w.name}/momentum`)?.dataSync();
    const v = byName.get(`${w.name}/velocity`)?.dataSync();
    assert.ok(m !== undefined && v !== undefined);
    assert.ok(Array.from(m).some((x) => x !== 0), `${w.name}: momentum loaded`);
    // After one step from zero: velocity = momentum² · (1 - beta2) / (1 - beta1)².
    for (let i = 0; i < m.length; i++) {
      const expected = (m[i] * m[i] * (1 - 0.999)) / (1 - 0.9) ** 2;
      assert.ok(Math.abs(v[i] - expected) <= 1e-6 * Math.abs(expected) + 1e-12, `${w.name}[${i}]`);
    }
  }
});

const OPTIMIZERS: [string, () => tn.optimizers.Optimizer][] = [
  ["Adam (amsgrad)", () => tn.optimizers.adam({ learningRate: 0.01, amsgrad: true })],
  ["RMSprop (momentum, centered)", () => tn.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ["Nadam", () => tn.optimizers.nadam({ learningRate: 0.01 })],
  ["SGD (momentum)", () => tn.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 })],
  ["Adagrad", () => tn.optimizers.adagrad({ learningRate: 0.05 })],
  ["Adadelta", () => tn.optimizers.adadelta({ learningRate: 1 })],
  ["Adamax", () => tn.optimizers.adamax({ learningRate: 0.01 })],
];

for (const [what, make] of OPTIMIZERS) {
  test(`.h5 round trip of a trained model with ${what}: the optimizer state is restored and training resumes identically`, async () => {
    const model = BUILDERS.mlp();
    randomizeWeights(model, 9);
    model.compile({ optimizer: make(), loss: "mse", metrics: ["mae"] });
    const x = tn.randomUniform([8, 4], -1, 1, "float32", 1);
    const y = tn.randomUniform([8, 3], -1, 1, "float32", 2);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
    const bytes = await saveLegacyH5(model);
    const back = await loadLegacyH5(bytes, { fileName: "trained.h5" });
    assert.equal(back.optimizer.getClassName(), model.optimizer.getClassName());
    assert.equal(back.optimizer.iterations, 4);
    assert.deepEqual(back.metricsNames, model.metricsNames);
    const state = (m: tn.Model) => m.optimizer.variables().map((v) => Array.from(v.dataSync()));
    assert.deepEqual(state(back), state(model));
    // Dropout draws masks from the global seed: train both from the same one.
    tn.setSeed(3);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    tn.setSeed(3);
    await back.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    assert.deepEqual(back.getWeights().map((t) => Array.from(t.dataSync())), model.getWeights().map((t) => Array.from(t.dataSync())));
  });
}

/** Runs `fn` with console.warn captured. */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

test("an optimizer state that does not fit is skipped with a warning (as Keras), leaving a fresh optimizer", async () => {
  const bytes = shared("fashion_mlp_legacy.h5");
  const edit = async (change: (g: H5Group, names: string[]) => void): Promise<Uint8Array> => {
    const t = await readHdf5(bytes, { fileName: "f" });
    const g = t.children.get("optimizer_weights") as H5Group;
    const names = [...(g.attrs.get("weight_names") as { value: string[] }).value];
    change(g, names);
    g.attrs.set("weight_names", { kind: "string", shape: [names.length], value: names });
    return writeHdf5(t);
  };
  const fewer = await edit((_, names) => names.pop());
  const reshaped = await edit((g) => {
    const adam = g.children.get("Adam") as H5Group;
    const bias = (adam.children.get("dense") as H5Group).children.get("bias") as H5Group;
    bias.children.set("m:0", { kind: "dataset", type: "float32", shape: [64, 2], data: new Float32Array(128), attrs: new Map() });
  });
  for (const [file, reason] of [[fewer, /the file has 8 optimizer weights, but the model's Adam has 9/], [reshaped, /'Adam\/dense\/bias\/m:0' has shape \[64,2\], but dense\/bias\/momentum has shape \[128\]/]] as const) {
    let model: tn.Model | null = null;
    const seen = await warnings(async () => (model = await loadLegacyH5(file, { fileName: "bad.h5" })));
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^bad\.h5: the optimizer state in optimizer_weights is not loaded \(/);
    assert.match(seen[0], reason);
    assert.ok(model!.isCompiled);
    assert.equal(model!.optimizer.iterations, 0);
  }
  // A name listed without its dataset is a malformed file.
  const missing = await edit((_, names) => names.push("Adam/nothing:0"));
  await rejectsTensile(loadLegacyH5(missing, { fileName: "m.h5" }), /^m\.h5: optimizer_weights lists 'Adam\/nothing:0', but there is no such dataset$/);
  // {compile: false} skips compiling and the optimizer state.
  const plain = await loadLegacyH5(bytes, { fileName: "f.h5", compile: false });
  assert.equal(plain.isCompiled, false);
});

test("includeOptimizer: false, and uncompiled or untrained models, write no optimizer_weights; uncompiled no training_config", async () => {
  const model = BUILDERS.mlp();
  const groups = async (m: tn.Model, options?: { includeOptimizer?: boolean }): Promise<string[]> => {
    const t = await readHdf5(await saveLegacyH5(m, options), { fileName: "t" });
    return [...t.children.keys(), ...[...t.attrs.keys()].filter((k) => k === "training_config")];
  };
  assert.deepEqual(await groups(model), ["model_weights"]);
  model.compile({ optimizer: "adam", loss: "mse" });
  assert.deepEqual(await groups(model), ["model_weights", "training_config"], "no state before the first step (as tf.keras 2)");
  await model.fit(tn.ones([2, 4]), tn.ones([2, 3]), { epochs: 1, verbose: 0 });
  assert.deepEqual(await groups(model), ["model_weights", "optimizer_weights", "training_config"]);
  assert.deepEqual(await groups(model, { includeOptimizer: false }), ["model_weights", "training_config"]);
  await rejectsTensile(saveLegacyH5(model, { includeOptimizer: 1 } as never), /saveLegacyH5: includeOptimizer must be a boolean, got 1/);
  await rejectsTensile(saveLegacyH5(model, { optimizer: true } as never), /saveLegacyH5: unknown option "optimizer"/);
});

test("model.save('m.h5') writes atomically and tn.loadModel reads it; what the format cannot hold is a clear error", async () => {
  const model = BUILDERS.mlp();
  randomizeWeights(model, 12);
  const path = join(dir, "m.h5");
  await model.save(path);
  const x = inputsFor("mlp");
  assertSamePredictions(model, await io.loadModel(path), [x], "model.save .h5");
  assertSamePredictions(model, await io.loadModel(readFileSync(path)), [x], "bytes");
  const before = readFileSync(path);
  // Keras 3's hard_sigmoid has no Keras 2 name: the save fails and the previous file stays.
  const hard = tn.sequential([L.dense({ units: 2, inputShape: [3], activation: "hardSigmoid" })]);
  await rejectsTensile(hard.save(path), /layer 'dense_\d+' uses Keras 3's hard_sigmoid .* save as \.keras, or use the activation 'legacyHardSigmoid'/);
  assert.deepEqual(readFileSync(path), before);
  const legacy = tn.sequential([L.dense({ units: 2, inputShape: [3], activation: "legacyHardSigmoid" })]);
  const back = await loadLegacyH5(await saveLegacyH5(legacy), { fileName: "l.h5" });
  assert.equal(back.layers[0].getConfig().activation, "legacyHardSigmoid");
  class Sub extends tn.Model {
    readonly d = L.dense({ units: 1 });
    override call(x: tn.Tensor): tn.Tensor {
      return this.d.apply(x) as tn.Tensor;
    }
  }
  await rejectsTensile(saveLegacyH5(new Sub()), /a subclassed model cannot be saved in the Keras format/);
  assert.deepEqual(readdirSync(dir), ["m.h5"], "no temporary files are left behind");
});
