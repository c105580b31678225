/**
 * Keras files: `.keras` (Keras 3's zip of config.json, metadata.json and model.weights.h5), `.weights.h5`
 * (Keras 3's weights layout) and legacy `.h5` (tf.keras 2's HDF5 model and weights files, read and written). Functions take and
 * return bytes; src/io chooses them by file extension and does the file system work.
 *
 * `const bytes = await saveKeras(model); const back = await loadKeras(bytes, {fileName: "m.keras"})`
 */
import { FileFormatError, ValueError } from "../../core/errors.js";
import { describeValue } from "../../ops/convert.js";
import type { Model } from "../../models/model.js";
import { hasHdf5Signature, readHdf5, writeHdf5, type H5Group } from "../hdf5/index.js";
import { compileConfigToKeras, compileFromKeras } from "./compile.js";
import { DEFAULT_WEIGHT_BUDGET, modelFromKeras, modelToKeras, type WeightBudget } from "./config.js";
import { CONFIG_LIMITS, decodeUtf8, isJsonObject, parseJson, stringifyKerasJson, type JsonObject } from "./json.js";
import { legacyModelWithWeights, loadLegacyWeightsTree } from "./legacy.js";
import { legacyH5Tree } from "./legacy-write.js";
import { kerasWeightsTree, loadKerasWeightsTree } from "./weights.js";
import { readZip, writeZip } from "./zip.js";

export { kerasLayerOrder } from "./order.js";
export { kerasSnakeCase } from "./names.js";
export { modelToKeras2, trainingConfigToKeras2 } from "./keras2.js";

/** The Keras version whose file format Tensile writes (read by every Keras 3 from this version on). */
export const KERAS_FORMAT_VERSION = "3.5.0";

export interface KerasLoadOptions {
  /** The file's name, used in error messages. */
  fileName?: string;
  /**
   * Compile the model as the file says, restoring the optimizer's state (default true). A loss, metric or optimizer
   * class Tensile does not know is an error; options it cannot honour leave the model uncompiled, with a warning.
   */
  compile?: boolean;
  /** Longest time reading the HDF5 part may take before the file is declared malformed. */
  timeoutMs?: number;
}

export interface KerasConfigOptions extends KerasLoadOptions {
  /** The most weight elements the model may have (default 2^29): configs are data, and data must not make Tensile allocate at will. */
  maxWeightElements?: number;
}

export interface KerasWeightsLoadOptions {
  fileName?: string;
  /** Also load the optimizer's state when the file has it and the model is compiled (default true). */
  optimizer?: boolean;
  timeoutMs?: number;
}

const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;

function readFileName(options: { fileName?: unknown } | undefined, op: string): string {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new ValueError(`${op}: options must be an object, got ${describeValue(options)}`);
  }
  const name = options?.fileName;
  if (name === undefined) return "model";
  if (typeof name !== "string" || name.length === 0) throw new ValueError(`${op}: fileName must be a non-empty string, got ${describeValue(name)}`);
  return name;
}

function checkBytes(bytes: unknown, op: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${op}: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  return bytes;
}

function checkModel(model: unknown, op: string): Model {
  const m = model as Model | null;
  if (typeof m !== "object" || m === null || typeof m.getConfig !== "function" || !Array.isArray(m.weights)) {
    throw new ValueError(`${op}: expects a Tensile model, got ${describeValue(model)}`);
  }
  return m;
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
}

/**
 * The config.json of a model as Keras 3 writes it: `{module, class_name, config, registered_name, build_config,
 * compile_config}`. `kerasConfigFromModel(model).config.layers[1].class_name` → "Dense"
 */
export function kerasConfigFromModel(model: Model): JsonObject {
  const m = checkModel(model, "kerasConfigFromModel");
  const obj = modelToKeras(m) as JsonObject;
  const compile = compileConfigToKeras(m);
  if (compile !== null) obj.compile_config = compile;
  return obj;
}

/**
 * A model (without weights) from a Keras config: config.json's object, or its JSON text. Class names resolve only
 * through Tensile's layer registry; Lambda layers and other code are refused. Compiles it when the config says how.
 * `modelFromKerasConfig(kerasConfigFromModel(model))`
 */
export function modelFromKerasConfig(json: unknown, options: KerasConfigOptions = {}): Model {
  const fileName = readFileName(options, "modelFromKerasConfig");
  const limit = options.maxWeightElements ?? DEFAULT_WEIGHT_BUDGET;
  if (typeof limit !== "number" || !(limit >= 0)) {
    throw new ValueError(`modelFromKerasConfig: maxWeightElements must be a number >= 0, got ${describeValue(limit)}`);
  }
  const value = typeof json === "string" ? parseJson(json, fileName, CONFIG_LIMITS) : json;
  return buildModel(value, fileName, options.compile, { remaining: limit });
}

function buildModel(value: unknown, fileName: string, compile: boolean | undefined, budget: WeightBudget): Model {
  const model = modelFromKeras(value, fileName, budget);
  if (compile !== false && isJsonObject(value) && value.compile_config !== undefined && value.compile_config !== null) {
    compileFromKeras(model, value.compile_config, `${fileName}: compile_config`);
  }
  return model;
}

/** Building may allocate up to twice the file's weight elements plus this (the estimates are upper bounds). */
const WEIGHT_SLACK = 1 << 20;

function budgetFor(fileElements: number): WeightBudget {
  return { remaining: 2 * fileElements + WEIGHT_SLACK };
}

/** The number of elements in the datasets of a tree (skipping the named top-level groups). */
function datasetElements(tree: H5Group, skip: readonly string[] = []): number {
  let total = 0;
  const stack: H5Group[] = [];
  for (const [name, child] of tree.children) {
    if (skip.includes(name)) continue;
    if (child.kind === "group") stack.push(child);
    else total += child.shape.reduce((p, d) => p * d, 1);
  }
  while (stack.length > 0) {
    const g = stack.pop() as H5Group;
    for (const child of g.children.values()) {
      if (child.kind === "group") stack.push(child);
      else total += child.shape.reduce((p, d) => p * d, 1);
    }
  }
  return total;
}

export interface KerasSaveOptions {
  /** Write the optimizer's state of a compiled model (default true, as Keras's include_optimizer). */
  includeOptimizer?: boolean;
}

function readSaveOptions(options: unknown, op: string): KerasSaveOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) throw new ValueError(`${op}: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== "includeOptimizer") throw new ValueError(`${op}: unknown option ${JSON.stringify(key)}; expected includeOptimizer`);
  }
  const include = (options as KerasSaveOptions).includeOptimizer;
  if (include !== undefined && typeof include !== "boolean") throw new ValueError(`${op}: includeOptimizer must be a boolean, got ${describeValue(include)}`);
  return options as KerasSaveOptions;
}

/** The bytes of a `.keras` file for `model`: config.json, metadata.json, model.weights.h5 (optimizer included). */
export async function saveKeras(model: Model, options?: KerasSaveOptions): Promise<Uint8Array> {
  const m = checkModel(model, "saveKeras");
  const o = readSaveOptions(options, "saveKeras");
  const config = stringifyKerasJson(kerasConfigFromModel(m));
  const weights = await writeHdf5(kerasWeightsTree(m, { optimizer: o.includeOptimizer }));
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, "0");
  const dateSaved = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const metadata = stringifyKerasJson({ keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved });
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  return writeZip([
    ["metadata.json", encode(metadata)],
    ["config.json", encode(config)],
    ["model.weights.h5", weights],
  ]);
}

function kerasArchive(bytes: Uint8Array, fileName: string): { config: unknown; weights: Uint8Array | null } {
  if (!isZip(bytes)) {
    const what = hasHdf5Signature(bytes) ? "an HDF5 file (a legacy .h5 model?)" : `${bytes.length} bytes without a zip signature`;
    throw new FileFormatError(`${fileName}: not a .keras file (a zip archive): found ${what}`);
  }
  const entries = readZip(bytes, fileName, [
    { name: "config.json", maxSize: CONFIG_LIMITS.maxLength * 4 },
    { name: "model.weights.h5", maxSize: MAX_WEIGHTS_BYTES },
  ]);
  const configBytes = entries.get("config.json");
  if (configBytes === undefined) throw new FileFormatError(`${fileName}: the archive has no config.json, so it is not a .keras model`);
  const config = parseJson(decodeUtf8(configBytes, `${fileName}: config.json`), `${fileName}: config.json`, CONFIG_LIMITS);
  return { config, weights: entries.get("model.weights.h5") ?? null };
}

/**
 * A model from the bytes of a `.keras` file (written by Keras 3 or by `saveKeras`), with its weights, compiled as
 * the file says. `await loadKeras(bytes, {fileName: "fashion.keras"})`
 */
export async function loadKeras(bytes: Uint8Array, options: KerasLoadOptions = {}): Promise<Model> {
  const fileName = readFileName(options, "loadKeras");
  const { config, weights } = kerasArchive(checkBytes(bytes, "loadKeras"), fileName);
  if (weights === null) throw new FileFormatError(`${fileName}: the archive has no model.weights.h5 (Tensile reads the h5 weights format only)`);
  // The weights first: their total bounds what building the model may allocate.
  const tree = await readHdf5(weights, { fileName: `${fileName}: model.weights.h5`, timeoutMs: options.timeoutMs });
  const model = buildModel(config, fileName, options.compile, budgetFor(datasetElements(tree, ["optimizer"])));
  loadKerasWeightsTree(model, tree, `${fileName}: model.weights.h5`);
  return model;
}

/** The bytes of a `.weights.h5` file for `model` (Keras 3's layout, as `model.save_weights` writes it). */
export async function saveKerasWeights(model: Model): Promise<Uint8Array> {
  return writeHdf5(kerasWeightsTree(checkModel(model, "saveKerasWeights")));
}

function isLegacyTree(tree: H5Group): boolean {
  return tree.children.has("model_weights") || tree.attrs.has("layer_names") || tree.attrs.has("layer_names0");
}

/**
 * Loads weights into `model` from `.weights.h5` bytes (Keras 3), a legacy weights or model `.h5`, or a `.keras`
 * file. Every weight is checked (present, same shape) before any is set. `await loadKerasWeights(model, bytes)`
 */
export async function loadKerasWeights(model: Model, bytes: Uint8Array, options: KerasWeightsLoadOptions = {}): Promise<void> {
  const fileName = readFileName(options, "loadKerasWeights");
  const m = checkModel(model, "loadKerasWeights");
  checkBytes(bytes, "loadKerasWeights");
  if (isZip(bytes)) {
    const { weights } = kerasArchive(bytes, fileName);
    if (weights === null) throw new FileFormatError(`${fileName}: the archive has no model.weights.h5`);
    const tree = await readHdf5(weights, { fileName: `${fileName}: model.weights.h5`, timeoutMs: options.timeoutMs });
    loadKerasWeightsTree(m, tree, `${fileName}: model.weights.h5`, { optimizer: options.optimizer });
    return;
  }
  const tree = await readHdf5(bytes, { fileName, timeoutMs: options.timeoutMs });
  if (isLegacyTree(tree)) loadLegacyWeightsTree(m, tree, fileName);
  else loadKerasWeightsTree(m, tree, fileName, { optimizer: options.optimizer });
}

/**
 * The bytes of a legacy Keras `.h5` model file for `model` (Sequential or functional), laid out as tf.keras 2's
 * `model.save("m.h5")`: model_config, training_config, model_weights and (compiled models) optimizer_weights.
 * `await saveLegacyH5(model)`
 */
export async function saveLegacyH5(model: Model, options?: KerasSaveOptions): Promise<Uint8Array> {
  const m = checkModel(model, "saveLegacyH5");
  const o = readSaveOptions(options, "saveLegacyH5");
  return writeHdf5(legacyH5Tree(m, { includeOptimizer: o.includeOptimizer }));
}

/**
 * A model from a legacy Keras `.h5` file (tf.keras 2's `model.save`, or Keras 3's for `.h5` names): its
 * `model_config`, weights, compile settings and optimizer state. `await loadLegacyH5(bytes, {fileName: "fashion.h5"})`
 */
export async function loadLegacyH5(bytes: Uint8Array, options: KerasLoadOptions = {}): Promise<Model> {
  const fileName = readFileName(options, "loadLegacyH5");
  const tree = await readHdf5(checkBytes(bytes, "loadLegacyH5"), { fileName, timeoutMs: options.timeoutMs });
  const weights = tree.children.get("model_weights");
  const budget = budgetFor(weights !== undefined && weights.kind === "group" ? datasetElements(weights) : 0);
  return legacyModelWithWeights(tree, fileName, { compile: options.compile, budget });
}

/** Loads the weights of a legacy `.h5` file (model or weights-only) into an existing model. */
export async function loadLegacyH5Weights(model: Model, bytes: Uint8Array, options: { fileName?: string; timeoutMs?: number } = {}): Promise<void> {
  const fileName = readFileName(options, "loadLegacyH5Weights");
  const m = checkModel(model, "loadLegacyH5Weights");
  const tree = await readHdf5(checkBytes(bytes, "loadLegacyH5Weights"), { fileName, timeoutMs: options.timeoutMs });
  loadLegacyWeightsTree(m, tree, fileName);
}
