/**
 * Keras's legacy HDF5 format (`model.save("m.h5")` in tf.keras 2, and in Keras 3 for `.h5` names): the model's
 * Keras 2 config in the `model_config` attribute (JSON), the compile settings in `training_config`, and the
 * weights in `model_weights/<layer>/` with each layer's `weight_names` attribute listing its datasets in the
 * order of the layer's weights (trainable first); `optimizer_weights` holds the optimizer's state (legacy-optimizer.ts).
 * Weights-only files (`save_weights("w.h5")`) hold the layer groups at the root.
 */
import { FileFormatError } from "../../core/errors.js";
import { formatShape } from "../../core/shape.js";
import { InputLayer } from "../../layers/input-layer.js";
import type { Layer } from "../../layers/layer.js";
import { fromValues } from "../../ops/convert.js";
import { noGrad } from "../../tensor/graph.js";
import { tidy } from "../../tensor/scope.js";
import type { Variable } from "../../tensor/tensor.js";
import { allocArray } from "../../core/dtype.js";
import { Model } from "../../models/model.js";
import { h5Get, h5Strings, type H5Data, type H5Dataset, type H5Group } from "../hdf5/index.js";
import { compileFromKeras } from "./compile.js";
import { modelFromKeras, type WeightBudget } from "./config.js";
import { CONFIG_LIMITS, isJsonObject, parseJson, type JsonObject } from "./json.js";
import { loadLegacyOptimizerWeights } from "./legacy-optimizer.js";
import { kerasModelLayers } from "./weights.js";

/** A string attribute, also as Keras splits long ones (`weight_names0`, `weight_names1`…). */
function stringList(group: H5Group, name: string): string[] | null {
  const whole = h5Strings(group.attrs, name);
  if (whole !== null) return whole;
  const parts: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const part = h5Strings(group.attrs, `${name}${i}`);
    if (part === null) break;
    parts.push(...part);
  }
  if (parts.length > 0) return parts;
  // h5py writes an empty list as an empty float array.
  const a = group.attrs.get(name);
  return a !== undefined && a.kind === "numeric" && a.value.length === 0 ? [] : null;
}

function stringAttr(group: H5Group, name: string): string | null {
  const s = h5Strings(group.attrs, name);
  return s !== null && s.length === 1 ? s[0] : null;
}

/** The weights of a layer in the legacy files' order: trainable then non-trainable, sublayers in Keras's order. */
export function legacyWeights(layer: Layer): Variable[] {
  if (!(layer instanceof Model)) return layer.weights;
  const layers = kerasModelLayers(layer).filter((l) => !(l instanceof InputLayer));
  const all = layers.flatMap(legacyWeights);
  const unique = [...new Set(all)];
  return [...unique.filter((v) => v.trainable), ...unique.filter((v) => !v.trainable)];
}

/** Keras 2's hard_sigmoid (clip(0.2·x + 0.5)) is not Keras 3's (relu6(x + 3) / 6): map it to the built-in
 * `legacyHardSigmoid`, so the model computes what it computed in Keras 2. */
function mapKeras2HardSigmoid(value: unknown, depth = 0): void {
  if (depth > 200) return;
  if (Array.isArray(value)) for (const v of value) mapKeras2HardSigmoid(v, depth + 1);
  else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === "activation" || k === "recurrent_activation") && v === "hard_sigmoid") (value as Record<string, unknown>)[k] = "legacyHardSigmoid";
      else mapKeras2HardSigmoid(v, depth + 1);
    }
  }
}

/** A list holding one tensor reference (`[["dense", 0, 0]]`), which Keras reads as that one tensor. */
function singleRef(value: unknown): unknown {
  if (Array.isArray(value) && value.length === 1 && Array.isArray(value[0]) && typeof value[0][0] === "string") return value[0];
  return value;
}

/**
 * Keras 2.0 wrote a Sequential's config as the bare list of layers; tf.keras 2 writes a functional model's single
 * input or output as a list of one, which Keras reads as the tensor itself (so the model returns a tensor, not a
 * list of one). Nested models are normalized too.
 */
function normalizeLegacyConfig(config: unknown, depth = 0): unknown {
  if (!isJsonObject(config) || depth > 64) return config;
  if (config.class_name === "Sequential" && Array.isArray(config.config)) {
    return normalizeLegacyConfig({ ...config, config: { name: "sequential", layers: config.config } }, depth);
  }
  const inner = config.config;
  if (!isJsonObject(inner) || !Array.isArray(inner.layers)) return config;
  const out: JsonObject = { ...inner, layers: inner.layers.map((l) => normalizeLegacyConfig(l, depth + 1)) };
  if (config.class_name === "Functional" || config.class_name === "Model") {
    if ("input_layers" in inner) out.input_layers = singleRef(inner.input_layers);
    if ("output_layers" in inner) out.output_layers = singleRef(inner.output_layers);
  }
  return { ...config, config: out };
}

/** The model described by a legacy file's `model_config` attribute (no weights). */
export function legacyModelFromTree(tree: H5Group, fileName: string, budget: WeightBudget): Model {
  const text = stringAttr(tree, "model_config");
  if (text === null) {
    const hint = tree.children.has("layers") || tree.attrs.has("layer_names") ? " (it holds weights only: load them into a model with model.loadWeights)" : "";
    throw new FileFormatError(`${fileName}: no model_config attribute, so no model to build${hint}`);
  }
  const config = normalizeLegacyConfig(parseJson(text, `${fileName}: model_config`, CONFIG_LIMITS));
  mapKeras2HardSigmoid(config);
  return modelFromKeras(config, fileName, budget);
}

function datasetValues(d: H5Dataset, v: Variable, fileName: string, where: string): Float32Array | Float64Array | Int32Array | Uint8Array {
  if (d.data === null) throw new FileFormatError(`${fileName}: weight ${v.name} ('${where}') is not numeric (type ${d.type})`);
  const same = d.shape.length === v.shape.length && d.shape.every((x, k) => x === v.shape[k]);
  if (!same) {
    throw new FileFormatError(`${fileName}: weight ${v.name} ('${where}') has shape ${formatShape(d.shape)} in the file, but the model's is ${formatShape(v.shape)}`);
  }
  const out = allocArray(v.dtype, d.data.length) as Float32Array | Float64Array | Int32Array | Uint8Array;
  const data: H5Data = d.data;
  if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  else out.set(data as ArrayLike<number>);
  return out;
}

/** The group holding the layers' weights: `model_weights` of a model file, or the root of a weights file. */
function weightsRoot(tree: H5Group, fileName: string): H5Group {
  const mw = tree.children.get("model_weights");
  if (mw !== undefined && mw.kind === "group") return mw;
  if (tree.attrs.has("layer_names") || tree.attrs.has("layer_names0")) return tree;
  throw new FileFormatError(`${fileName}: no model_weights group and no layer_names attribute: not a Keras HDF5 model or weights file`);
}

/**
 * Loads the weights of a legacy file into `model`: layers matched by name when every layer with weights in the
 * file is in the model, else by order (as Keras does); counts and shapes checked before anything is assigned.
 */
export function loadLegacyWeightsTree(model: Model, tree: H5Group, fileName: string): void {
  const root = weightsRoot(tree, fileName);
  const names = stringList(root, "layer_names");
  if (names === null) throw new FileFormatError(`${fileName}: the layer_names attribute is missing or not a list of strings`);
  const fileLayers: { name: string; group: H5Group; weightNames: string[] }[] = [];
  for (const name of names) {
    const g = root.children.get(name);
    if (g === undefined || g.kind !== "group") throw new FileFormatError(`${fileName}: layer_names lists '${name}', but there is no group for it`);
    const weightNames = stringList(g, "weight_names");
    if (weightNames === null) throw new FileFormatError(`${fileName}: layer '${name}' has no weight_names attribute`);
    if (weightNames.length > 0) fileLayers.push({ name, group: g, weightNames });
  }
  const modelLayers = kerasModelLayers(model).filter((l) => legacyWeights(l).length > 0);
  const byName = new Map(modelLayers.map((l) => [l.name, l]));
  const matchByName = fileLayers.every((f) => byName.has(f.name)) && fileLayers.length === modelLayers.length;
  if (!matchByName && fileLayers.length !== modelLayers.length) {
    throw new FileFormatError(
      `${fileName}: the file has weights for ${fileLayers.length} layers (${fileLayers.map((f) => f.name).join(", ")}), ` +
        `the model has ${modelLayers.length} layers with weights (${modelLayers.map((l) => l.name).join(", ")})`,
    );
  }
  const assignments: { v: Variable; data: Float32Array | Float64Array | Int32Array | Uint8Array }[] = [];
  fileLayers.forEach((f, k) => {
    const layer = matchByName ? (byName.get(f.name) as Layer) : modelLayers[k];
    const vars = legacyWeights(layer);
    if (vars.length !== f.weightNames.length) {
      throw new FileFormatError(
        `${fileName}: layer '${f.name}' has ${f.weightNames.length} weights in the file (${f.weightNames.join(", ")}), ` +
          `but the model's layer '${layer.name}' has ${vars.length} (${vars.map((v) => `${v.name} ${formatShape(v.shape)}`).join(", ")})`,
      );
    }
    vars.forEach((v, i) => {
      const path = f.weightNames[i];
      const d = h5Get(f.group, path);
      if (d === undefined || d.kind !== "dataset") throw new FileFormatError(`${fileName}: missing weight ${v.name}: no dataset '${f.name}/${path}'`);
      assignments.push({ v, data: datasetValues(d, v, fileName, `${f.name}/${path}`) });
    });
  });
  noGrad(() => tidy(() => assignments.forEach(({ v, data }) => v.assign(fromValues(data, v.shape, v.dtype)))));
  // The optimizer's state is loaded with the model (legacyModelWithWeights), but must be well formed here too.
  optimizerWeightNames(tree, fileName);
}

/** The names `optimizer_weights` lists (checked to name datasets), or [] when the file has none. */
function optimizerWeightNames(tree: H5Group, fileName: string): string[] {
  const g = tree.children.get("optimizer_weights");
  if (g === undefined || g.kind !== "group") return [];
  const names = stringList(g, "weight_names");
  if (names === null) return [];
  for (const name of names) {
    const d = h5Get(g, name);
    if (d === undefined || d.kind !== "dataset") throw new FileFormatError(`${fileName}: optimizer_weights lists '${name}', but there is no such dataset`);
  }
  return names;
}

export interface LegacyLoadOptions {
  /** Compile the model as training_config says (default true), and restore the optimizer's state. */
  compile?: boolean;
  budget: WeightBudget;
}

/**
 * A model from a legacy file's tree: config, weights, compile settings (training_config), and the optimizer's state
 * (optimizer_weights; skipped with a warning when it does not fit, as Keras does).
 */
export function legacyModelWithWeights(tree: H5Group, fileName: string, options: LegacyLoadOptions): Model {
  const model = legacyModelFromTree(tree, fileName, options.budget);
  loadLegacyWeightsTree(model, tree, fileName);
  const training = stringAttr(tree, "training_config");
  if (training !== null && options.compile !== false) {
    const compiled = compileFromKeras(model, parseJson(training, `${fileName}: training_config`, CONFIG_LIMITS), `${fileName}: training_config`);
    if (compiled) loadLegacyOptimizerWeights(model, tree, fileName, optimizerWeightNames(tree, fileName));
  }
  return model;
}
