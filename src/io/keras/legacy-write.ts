/**
 * Writing Keras's legacy HDF5 format as tf.keras 2's `model.save("m.h5")` does: root attributes `keras_version`,
 * `backend`, `model_config` (the Keras 2 config, keras2.ts) and `training_config` (compiled models); the group
 * `model_weights` with `layer_names` and one group per layer of `model.layers` whose `weight_names` lists its
 * weights (`dense/kernel:0`, trainable first) stored at those nested paths; `optimizer_weights` for the optimizer's
 * state. tf.keras 2, Keras 3 and Tensile's reader (legacy.ts) load what this writes.
 */
import { ValueError } from "../../core/errors.js";
import type { Layer } from "../../layers/layer.js";
import type { Model } from "../../models/model.js";
import type { Variable } from "../../tensor/tensor.js";
import { h5Ensure, h5Group, type H5Dataset, type H5Group } from "../hdf5/index.js";
import { stringifyKerasJson } from "./json.js";
import { KERAS2_VERSION, modelToKeras2, trainingConfigToKeras2 } from "./keras2.js";
import { legacyWeights } from "./legacy.js";
import { keras2OptimizerGroup } from "./legacy-optimizer.js";
import { kerasModelLayers, slotDataset, variableSlot } from "./weights.js";

/** HDF5's object header limit: tf.keras splits a list attribute above it into `name0`, `name1`… */
const HDF5_OBJECT_HEADER_LIMIT = 64512;

function setString(group: H5Group, name: string, value: string): void {
  group.attrs.set(name, { kind: "string", shape: [], value: [value] });
}

/** A list of strings as tf.keras writes it: an empty list as an empty float array, a long one in chunks. */
function setStringList(group: H5Group, name: string, values: readonly string[]): void {
  if (values.length === 0) {
    group.attrs.set(name, { kind: "numeric", type: "float64", shape: [0], value: new Float64Array(0) });
    return;
  }
  // numpy's size of a fixed-width string array: count × the longest string's bytes.
  const width = Math.max(...values.map((v) => new TextEncoder().encode(v).length));
  let chunks = 1;
  if (width <= HDF5_OBJECT_HEADER_LIMIT) while (Math.ceil(values.length / chunks) * width > HDF5_OBJECT_HEADER_LIMIT) chunks++;
  if (chunks === 1) {
    group.attrs.set(name, { kind: "string", shape: [values.length], value: [...values] });
    return;
  }
  // numpy's array_split: the first (n mod chunks) parts hold one more.
  const base = Math.floor(values.length / chunks);
  const extra = values.length % chunks;
  let at = 0;
  for (let i = 0; i < chunks; i++) {
    const size = base + (i < extra ? 1 : 0);
    const part = values.slice(at, at + size);
    at += size;
    group.attrs.set(`${name}${i}`, { kind: "string", shape: [part.length], value: part });
  }
}

/** `dense/kernel` → `dense/kernel:0` (tf.keras's variable names), made unique within the layer and safe as a path. */
function weightNames(vars: readonly Variable[]): string[] {
  const used = new Set<string>();
  return vars.map((v) => {
    const parts = v.name.split("/").filter((p) => p.length > 0).map((p) => (p === "." || p === ".." ? "_" : p));
    const stem = parts.length > 0 ? parts.join("/") : "weight";
    let name = `${stem}:0`;
    for (let k = 1; used.has(name); k++) name = `${stem}_${k}:0`;
    used.add(name);
    return name;
  });
}

function datasetOf(v: Variable): H5Dataset {
  // Normalization's sample count is an int64 in Keras.
  return slotDataset(variableSlot(v, v.name.endsWith("/count") && v.shape.length === 0 ? "int64" : undefined));
}

function layerGroup(layer: Layer): H5Group {
  const g = h5Group();
  const vars = legacyWeights(layer);
  const names = weightNames(vars);
  setStringList(g, "weight_names", names);
  names.forEach((name, i) => {
    const parts = name.split("/");
    const leaf = parts.pop() as string;
    h5Ensure(g, parts.join("/")).children.set(leaf, datasetOf(vars[i]));
  });
  return g;
}

export interface LegacyH5WriteOptions {
  /** Write the optimizer's state (`optimizer_weights`) of a compiled model (default true, as Keras's include_optimizer). */
  includeOptimizer?: boolean;
}

/** The HDF5 tree of a legacy `.h5` model file for `model` (Sequential or functional). */
export function legacyH5Tree(model: Model, options: LegacyH5WriteOptions = {}): H5Group {
  const root = h5Group();
  setString(root, "backend", "tensorflow");
  setString(root, "keras_version", KERAS2_VERSION);
  setString(root, "model_config", stringifyKerasJson(modelToKeras2(model)));
  const training = trainingConfigToKeras2(model);
  if (training !== null) setString(root, "training_config", stringifyKerasJson(training));
  const weights = h5Ensure(root, "model_weights");
  const layers = kerasModelLayers(model);
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) throw new ValueError(`saveLegacyH5: two layers are named '${layer.name}'; the .h5 format needs unique layer names`);
    seen.add(layer.name);
  }
  setStringList(weights, "layer_names", layers.map((l) => l.name));
  setString(weights, "backend", "tensorflow");
  setString(weights, "keras_version", KERAS2_VERSION);
  for (const layer of layers) weights.children.set(layer.name, layerGroup(layer));
  if (options.includeOptimizer !== false) {
    const opt = keras2OptimizerGroup(model);
    if (opt !== null) root.children.set("optimizer_weights", opt);
  }
  return root;
}
