/**
 * Keras 2 (tf.keras 2.x) configs, as legacy `.h5` files hold them in `model_config` and `training_config`, made
 * from the Keras 3 objects config.ts and compile.ts write: no `module`/`registered_name`/`build_config`, dtypes as
 * plain strings, InputLayer's `batch_input_shape`, the legacy call format (`inbound_nodes: [[[layer, node, tensor,
 * kwargs], …]]`, `input_layers: [[layer, node, tensor], …]`), and optimizer configs as tf.keras 2's OptimizerV2 writes
 * them. Options Keras 3 added are left out while they hold their default, so tf.keras 2 and Keras 3 both read the
 * result (and so does Tensile's legacy reader).
 *
 * `modelToKeras2(model).config.layers[0].class_name` → "InputLayer"
 */
import { ValueError } from "../../core/errors.js";
import type { Model } from "../../models/model.js";
import type { Optimizer } from "../../optimizers/optimizer.js";
import { serializeOptimizer } from "../../optimizers/index.js";
import { modelToKeras } from "./config.js";
import { compileConfigToKeras, optimizerKeyToKeras } from "./compile.js";
import { isJsonObject, type JsonObject } from "./json.js";
import { plainConfigToKeras } from "./objects.js";

/** The Keras version legacy files written by Tensile claim (the last tf.keras 2; Keras 3 reads them the same). */
export const KERAS2_VERSION = "2.15.0";

const MODEL_CLASSES = new Set(["Sequential", "Functional", "Model"]);

/** Keras 3 options tf.keras 2 does not take, dropped while they hold the value that means "as Keras 2 does". */
const KERAS3_ONLY: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  LayerNormalization: { rms_scaling: false },
  BatchNormalization: { synchronized: false },
  InputLayer: { optional: false },
  SimpleRNN: { seed: null },
  LSTM: { seed: null },
  GRU: { seed: null },
  SimpleRNNCell: { seed: null },
  LSTMCell: { seed: null },
  GRUCell: { seed: null },
  MultiHeadAttention: { seed: null },
};

function dropKeras3Only(className: string, config: JsonObject): void {
  const only = KERAS3_ONLY[className];
  if (only === undefined) return;
  for (const [key, inert] of Object.entries(only)) if (key in config && config[key] === inert) delete config[key];
}

/** An activation name in Keras 2: Tensile's `legacyHardSigmoid` is Keras 2's hard_sigmoid; Keras 3's has no name there. */
function activationToKeras2(value: unknown, layer: string): unknown {
  if (value === "legacy_hard_sigmoid") return "hard_sigmoid";
  if (value === "hard_sigmoid") {
    throw new ValueError(
      `saveLegacyH5: layer '${layer}' uses Keras 3's hard_sigmoid (relu6(x + 3) / 6), which the Keras 2 format cannot express ` +
        `(its hard_sigmoid is clip(0.2x + 0.5)); save as .keras, or use the activation 'legacyHardSigmoid'`,
    );
  }
  return value;
}

/** A value inside a Keras 3 config, in Keras 2's form (recursively). */
function valueToKeras2(value: unknown, key: string | null, layer: string): unknown {
  if (Array.isArray(value)) return value.map((v) => valueToKeras2(v, key, layer));
  if (!isJsonObject(value)) return (key === "activation" || key === "recurrent_activation") ? activationToKeras2(value, layer) : value;
  const cls = value.class_name;
  if (key === "dtype" && (cls === "DTypePolicy" || cls === "FloatDTypePolicy") && isJsonObject(value.config)) return value.config.name;
  if (typeof cls === "string") {
    if (MODEL_CLASSES.has(cls)) return modelObjectToKeras2(value);
    return { class_name: cls, config: configToKeras2(cls, value.config, layer) };
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = valueToKeras2(v, k, layer);
  return out;
}

function configToKeras2(className: string, config: unknown, layer: string): unknown {
  if (!isJsonObject(config)) return config;
  const name = typeof config.name === "string" ? config.name : layer;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(config)) {
    const key = className === "InputLayer" && k === "batch_shape" ? "batch_input_shape" : k;
    out[key] = valueToKeras2(v, k, name);
  }
  if (className === "InputLayer") out.ragged ??= false;
  dropKeras3Only(className, out);
  return out;
}

type Ref = [string, number, number];

function tensorRef(value: unknown, where: string): Ref {
  if (isJsonObject(value) && value.class_name === "__keras_tensor__" && isJsonObject(value.config)) {
    const h = value.config.keras_history;
    if (Array.isArray(h) && typeof h[0] === "string" && typeof h[1] === "number" && typeof h[2] === "number") return [h[0], h[1], h[2]];
  }
  throw new ValueError(`saveLegacyH5: ${where}: a call argument is not a tensor the Keras 2 format can record`);
}

function isTensor(value: unknown): boolean {
  return isJsonObject(value) && value.class_name === "__keras_tensor__";
}

/** Call kwargs in Keras 2: tensors as `[layer, node, tensor]` references. */
function kwargsToKeras2(value: unknown, where: string): unknown {
  if (isTensor(value)) return tensorRef(value, where);
  if (Array.isArray(value)) return value.map((v) => kwargsToKeras2(v, where));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = kwargsToKeras2(v, where);
    return out;
  }
  return value;
}

/**
 * A Keras 3 call (`{args, kwargs}`) as Keras 2's node: one `[layer, node, tensor, kwargs]` per tensor of the first
 * argument, the kwargs attached to each. MultiHeadAttention's value and key become the kwargs `value` and `key`.
 */
function nodeToKeras2(node: unknown, className: string, where: string): unknown[] {
  if (!isJsonObject(node) || !Array.isArray(node.args) || node.args.length === 0) {
    throw new ValueError(`saveLegacyH5: ${where}: a call without tensor arguments cannot be written`);
  }
  const kwargs = kwargsToKeras2(isJsonObject(node.kwargs) ? node.kwargs : {}, where) as JsonObject;
  const [first, ...rest] = node.args;
  if (rest.length > 0) {
    if (className !== "MultiHeadAttention" || rest.length > 2) {
      throw new ValueError(`saveLegacyH5: ${where}: a call with ${node.args.length} positional arguments cannot be written in the Keras 2 format`);
    }
    kwargs.value = tensorRef(rest[0], where);
    if (rest.length === 2) kwargs.key = tensorRef(rest[1], where);
  }
  const tensors = Array.isArray(first) ? first : [first];
  return tensors.map((t) => [...tensorRef(t, where), kwargs]);
}

function refs(value: unknown, where: string): Ref[] {
  if (Array.isArray(value) && value.length === 3 && typeof value[0] === "string") return [value as Ref];
  if (Array.isArray(value)) return value.map((v) => refs(v, where)[0]);
  throw new ValueError(`saveLegacyH5: ${where}: unexpected model inputs or outputs ${JSON.stringify(value)?.slice(0, 80)}`);
}

/** A Keras 3 model object (Sequential or Functional) in Keras 2's form. */
function modelObjectToKeras2(obj: JsonObject): JsonObject {
  const cls = obj.class_name as string;
  const config = isJsonObject(obj.config) ? obj.config : {};
  const name = typeof config.name === "string" ? config.name : "model";
  const layers = Array.isArray(config.layers) ? config.layers : [];
  if (cls === "Sequential") {
    return {
      class_name: "Sequential",
      config: { name, layers: layers.map((l) => valueToKeras2(l, null, name)) },
    };
  }
  const converted = layers.map((l) => {
    if (!isJsonObject(l) || typeof l.class_name !== "string") throw new ValueError(`saveLegacyH5: model '${name}' has a malformed layer entry`);
    const layerName = typeof l.name === "string" ? l.name : "layer";
    const where = `model '${name}', layer '${layerName}'`;
    const base = valueToKeras2({ class_name: l.class_name, config: l.config }, null, layerName) as JsonObject;
    const nodes = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
    return { ...base, name: layerName, inbound_nodes: nodes.map((n) => nodeToKeras2(n, l.class_name as string, where)) };
  });
  return {
    class_name: "Functional",
    config: {
      name,
      layers: converted,
      // tf.keras 2 always writes lists (a single input is a list of one, which it unwraps when reading).
      input_layers: refs(config.input_layers, `model '${name}'`),
      output_layers: refs(config.output_layers, `model '${name}'`),
    },
  };
}

/** A Sequential or functional model's config as tf.keras 2 writes it in `model_config`. */
export function modelToKeras2(model: Model): JsonObject {
  return modelObjectToKeras2(modelToKeras(model));
}

// ---- training_config ----------------------------------------------------------------------------------------

/** Keras object spellings inside compile settings, without Keras 3's `module` and `registered_name`. */
function stripModules(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripModules);
  if (!isJsonObject(value)) return value;
  if (typeof value.class_name === "string") return { class_name: value.class_name, config: stripModules(value.config) };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = stripModules(v);
  return out;
}

/** The name an optimizer has in Keras 2 files: its class name unless it was given another (tf.keras 2's default). */
export function keras2OptimizerName(optimizer: Optimizer): string {
  const cls = optimizer.constructor as { defaults?: { name?: string }; className?: string };
  return optimizer.name === cls.defaults?.name ? optimizer.getClassName() : optimizer.name;
}

/** An optimizer's config as tf.keras 2's OptimizerV2 writes it (clip options only when set, `decay` 0). */
function optimizerToKeras2(optimizer: Optimizer): JsonObject {
  const s = serializeOptimizer(optimizer);
  const config: JsonObject = { name: keras2OptimizerName(optimizer) };
  for (const [key, value] of Object.entries(s.config)) {
    if (key === "name") continue;
    // Options Keras 2 lacks are written only when they do something (Keras 3 and Tensile read them).
    if ((key === "clipNorm" || key === "clipValue" || key === "globalClipNorm" || key === "weightDecay") && value === null) continue;
    const k = optimizerKeyToKeras(key);
    config[k] = isJsonObject(value) && typeof value.className === "string"
      ? { class_name: value.className, config: plainConfigToKeras(value.config as JsonObject) }
      : value;
    if (key === "learningRate") config.decay = 0;
  }
  return { class_name: optimizer.getClassName(), config };
}

/** The `training_config` of a compiled model as tf.keras 2 writes it, or null (uncompiled, or losses that are functions). */
export function trainingConfigToKeras2(model: Model): JsonObject | null {
  const c = compileConfigToKeras(model);
  if (c === null) return null;
  return {
    loss: stripModules(c.loss),
    metrics: stripModules(c.metrics),
    weighted_metrics: null,
    loss_weights: c.loss_weights ?? null,
    sample_weight_mode: null,
    optimizer_config: optimizerToKeras2(model.optimizer),
  };
}
