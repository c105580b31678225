/**
 * Weights in Keras 3's HDF5 layout (model.weights.h5 in `.keras` files, and `.weights.h5`): each layer's own
 * variables in a `vars` group (`layers/dense/vars/0`, `/1`…), nested layers under the attribute Keras keeps them
 * in (`cell`, `forward_layer`, `layer`, `query_dense`…), models' layers under `layers/<class name in snake_case>`
 * numbered per class in Keras's layer order, the optimizer's variables under `optimizer/vars`.
 *
 * Loading checks everything before assigning anything: every expected group and dataset present, counts equal,
 * shapes equal to the model's variables (so nothing of a wrong size is ever copied); errors name the file, the
 * path in it and the weight.
 */
import { allocArray, type DType } from "../../core/dtype.js";
import { FileFormatError } from "../../core/errors.js";
import { formatShape } from "../../core/shape.js";
import { InputLayer } from "../../layers/input-layer.js";
import type { Layer } from "../../layers/layer.js";
import { fromValues } from "../../ops/convert.js";
import { noGrad } from "../../tensor/graph.js";
import { tidy } from "../../tensor/scope.js";
import type { Tensor, Variable } from "../../tensor/tensor.js";
import { Model } from "../../models/model.js";
import { Sequential } from "../../models/sequential.js";
import type { Optimizer } from "../../optimizers/optimizer.js";
import { h5Dataset, h5Ensure, h5Get, h5Group, type H5Data, type H5Dataset, type H5Group, type H5Node, type H5NumericType } from "../hdf5/index.js";
import { kerasSnakeCase } from "./names.js";
import { kerasLayerOrder } from "./order.js";

/** One variable of the layout: its current value, and how to set a new one. */
export interface WeightSlot {
  /** Named in errors (the Tensile variable's name). */
  name: string;
  shape: readonly number[];
  /** The type written to the file. */
  storeAs: H5NumericType;
  /** The dtype of the variable. */
  dtype: DType;
  read(): H5Data;
  write(value: Tensor): void;
}

/** The variables of one `<path>/vars` group. */
export interface WeightGroup {
  path: string;
  /** Other paths older Keras versions used for the group. */
  alternatives?: string[];
  /** The layer it belongs to, for errors. */
  owner: string;
  slots: WeightSlot[];
}

function storeType(dtype: DType): H5NumericType {
  return dtype === "float64" ? "float64" : dtype === "int32" ? "int32" : dtype === "uint8" ? "uint8" : "float32";
}

export function variableSlot(v: Variable, storeAs?: H5NumericType): WeightSlot {
  return {
    name: v.name,
    shape: v.shape,
    storeAs: storeAs ?? storeType(v.dtype),
    dtype: v.dtype,
    read: () => v.dataSync() as H5Data,
    write: (value) => v.assign(value),
  };
}

/** The layer's weights that its tracked sublayers do not own (in `weights` order: trainable first). */
function ownWeights(layer: Layer): Variable[] {
  const nested = new Set<Variable>();
  for (const sub of layer.trackedLayers) for (const w of sub.weights) nested.add(w);
  return layer.weights.filter((w) => !nested.has(w));
}

/** Keras's names for the members of a container: the class in snake_case, numbered from the second. */
function containerNames(layers: readonly Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const base = kerasSnakeCase(l.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  });
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}/${name}`;
}

/** The layers of a model in the order Keras lists them (`model.layers`). */
export function kerasModelLayers(model: Model): Layer[] {
  if (model instanceof Sequential) return model.layers;
  if (model.isGraphModel) return kerasLayerOrder(model.inputs, model.outputs);
  return model.trackedLayers;
}

function modelGroups(model: Model, path: string, out: WeightGroup[]): void {
  out.push({ path: join(path, "vars"), owner: model.name, slots: ownWeights(model).map((v) => variableSlot(v)) });
  const layers = kerasModelLayers(model);
  const names = containerNames(layers);
  layers.forEach((l, i) => layerGroups(l, join(join(path, "layers"), names[i]), out));
}

const MHA_PARTS: readonly [string, string][] = [
  ["query", "query_dense"],
  ["key", "key_dense"],
  ["value", "value_dense"],
  ["attention_output", "output_dense"],
];

function layerGroups(layer: Layer, path: string, out: WeightGroup[]): void {
  if (layer instanceof Model) {
    modelGroups(layer, path, out);
    return;
  }
  const sub = layer as Layer & { cell?: unknown; cells?: unknown; forwardLayer?: unknown; backwardLayer?: unknown; layer?: unknown; states?: Tensor[] | null; stateful?: boolean };
  const own = (slots: WeightSlot[]): void => {
    out.push({ path: join(path, "vars"), owner: layer.name, slots });
  };
  switch (layer.className) {
    case "MultiHeadAttention": {
      own([]);
      const weights = layer.weights;
      for (const [tensile, keras] of MHA_PARTS) {
        const pick = (suffix: string): Variable[] => weights.filter((w) => w.name === `${layer.name}/${tensile}/${suffix}`);
        out.push({
          path: join(join(path, keras), "vars"),
          alternatives: [join(join(path, `_${keras}`), "vars")],
          owner: layer.name,
          slots: [...pick("kernel"), ...pick("bias")].map((v) => variableSlot(v)),
        });
      }
      out.push({ path: join(join(path, "_softmax"), "vars"), owner: layer.name, slots: [] });
      out.push({ path: join(join(path, "_dropout_layer"), "vars"), owner: layer.name, slots: [] });
      return;
    }
    case "Normalization":
      // Keras keeps `count` as an integer.
      own(ownWeights(layer).map((v) => variableSlot(v, v.name.endsWith("/count") ? "int64" : undefined)));
      return;
    case "Bidirectional":
      own([]);
      layerGroups(sub.backwardLayer as Layer, join(path, "backward_layer"), out);
      layerGroups(sub.forwardLayer as Layer, join(path, "forward_layer"), out);
      return;
    case "TimeDistributed":
      own([]);
      layerGroups(sub.layer as Layer, join(path, "layer"), out);
      return;
    case "StackedRNNCells": {
      own([]);
      const cells = (sub.cells as Layer[]).filter((c) => c instanceof Object && "weights" in c);
      const names = containerNames(cells);
      cells.forEach((c, i) => layerGroups(c, join(join(path, "cells"), names[i]), out));
      return;
    }
    default:
      break;
  }
  if ("cell" in sub && sub.cell !== undefined && typeof (sub.cell as Layer).weights !== "undefined") {
    // RNN layers: a stateful layer's kept states are its own variables in Keras.
    const states = sub.stateful === true && Array.isArray(sub.states) ? (sub.states as Variable[]) : [];
    own(states.map((v) => variableSlot(v)));
    layerGroups(sub.cell as Layer, join(path, "cell"), out);
    return;
  }
  // Layers without sublayers Keras knows of: all of the layer's weights are its own.
  own(layer.weights.map((v) => variableSlot(v)));
}

/** Every `vars` group of a model's weights in Keras's layout (empty groups included), optimizer excluded. */
export function kerasWeightGroups(model: Model): WeightGroup[] {
  const out: WeightGroup[] = [];
  modelGroups(model, "", out);
  return out;
}

/** A model's trainable variables in Keras's order (`model.trainable_variables`). */
export function kerasTrainableOrder(model: Model): Variable[] {
  const out: Variable[] = [];
  const seen = new Set<Variable>();
  const add = (layer: Layer): void => {
    const list = layer instanceof Model ? kerasModelLayers(layer).flatMap((l) => (l instanceof InputLayer ? [] : [l])) : null;
    if (list !== null) {
      for (const l of list) add(l);
      return;
    }
    for (const v of layer.trainableWeights) {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    }
  };
  add(model);
  return out;
}

// ---- the optimizer's variables in Keras's order ---------------------------------------------------------------

/**
 * The optimizer's variables in Keras's order for a model whose trainable variables Keras orders as `keras`:
 * [iterations, learning rate, then for each group of slots, each variable's slots, then the extras]. Tensile
 * orders the slots by the variables' first use, which can differ (functional models); the slots are matched to
 * their variables by name (`<variable>/<slot>`). Null when that cannot be done unambiguously.
 */
export function optimizerVariablesInKerasOrder(optimizer: Optimizer, keras: readonly Variable[]): Variable[] | null {
  const all = optimizer.variables();
  let i = 1;
  if (all.length > 1 && all[1].name.endsWith("/learning_rate")) i = 2;
  const prefix = all.slice(0, i);
  const rest = all.slice(i);
  if (rest.length === 0) return all;
  const names = new Map<string, Variable>();
  for (const v of keras) {
    if (names.has(v.name)) return null;
    names.set(v.name, v);
  }
  // Slots: "<variable name>/<slot>"; the rest are extras (Nadam's u_product…).
  const slotOf = (v: Variable): { variable: Variable; slot: string } | null => {
    const cut = v.name.lastIndexOf("/");
    const owner = cut > 0 ? names.get(v.name.slice(0, cut)) : undefined;
    return owner === undefined ? null : { variable: owner, slot: v.name.slice(cut + 1) };
  };
  const slots = new Map<Variable, Map<string, Variable>>();
  const groupOrder: string[] = [];
  const extras: Variable[] = [];
  for (const v of rest) {
    const s = slotOf(v);
    if (s === null) {
      extras.push(v);
      continue;
    }
    if (!groupOrder.includes(s.slot)) groupOrder.push(s.slot);
    const table = slots.get(s.variable) ?? new Map<string, Variable>();
    if (table.has(s.slot)) return null;
    table.set(s.slot, v);
    slots.set(s.variable, table);
  }
  if (slots.size === 0) return all;
  if (slots.size !== keras.length) return null;
  // Slot groups as Tensile lays them out: the slots of the first variable before the second's start a group.
  const layout: string[][] = [];
  let k = 0;
  const firstOwner = slotOf(rest[0])?.variable;
  while (k < rest.length) {
    const s = slotOf(rest[k]);
    if (s === null) break;
    const group: string[] = [];
    while (k < rest.length) {
      const t = slotOf(rest[k]);
      if (t === null || t.variable !== firstOwner || (group.length > 0 && group.includes(t.slot))) break;
      group.push(t.slot);
      k++;
    }
    if (group.length === 0) return null;
    layout.push(group);
    k += group.length * (slots.size - 1);
  }
  const ordered: Variable[] = [...prefix];
  for (const group of layout) {
    for (const v of keras) {
      const table = slots.get(v);
      if (table === undefined) return null;
      for (const slot of group) {
        const sv = table.get(slot);
        if (sv === undefined) return null;
        ordered.push(sv);
      }
    }
  }
  ordered.push(...extras);
  return ordered.length === all.length ? ordered : null;
}

function optimizerGroup(model: Model): WeightGroup | null {
  if (!model.isCompiled) return null;
  const opt = model.optimizer;
  const ordered = optimizerVariablesInKerasOrder(opt, kerasTrainableOrder(model)) ?? opt.variables();
  // Keras stores the iteration count as a 64-bit integer.
  return { path: "optimizer/vars", owner: opt.name, slots: ordered.map((v, i) => variableSlot(v, i === 0 ? "int64" : undefined)) };
}

// ---- writing ------------------------------------------------------------------------------------------------

/** The HDF5 tree of a model's weights in Keras 3's layout (with the optimizer's when the model is compiled). */
export function kerasWeightsTree(model: Model, options: { optimizer?: boolean } = {}): H5Group {
  const root = h5Group();
  const groups = kerasWeightGroups(model);
  const opt = options.optimizer === false ? null : optimizerGroup(model);
  for (const g of opt === null ? groups : [...groups, opt]) {
    const vars = h5Ensure(root, g.path);
    g.slots.forEach((s, i) => vars.children.set(String(i), slotDataset(s)));
  }
  return root;
}

/** A slot's values as the dataset Keras stores: int64 counts rounded, float32 converted from any other array. */
export function slotDataset(s: WeightSlot): H5Dataset {
  let data = s.read();
  if (s.storeAs === "int64") data = Float64Array.from(data as ArrayLike<number>, (x) => Math.round(x));
  else if (s.storeAs === "float32" && !(data instanceof Float32Array)) data = Float32Array.from(data as ArrayLike<number>);
  return h5Dataset(s.storeAs, s.shape, data);
}

// ---- reading ------------------------------------------------------------------------------------------------

function describeSlots(slots: readonly WeightSlot[]): string {
  return slots.map((s) => `${s.name} ${formatShape(s.shape)}`).join(", ");
}

/** Values as the slot's dtype (a fresh typed array, checked element count). */
function toDType(data: H5Data, dtype: DType): Float32Array | Float64Array | Int32Array | Uint8Array {
  const out = allocArray(dtype, data.length) as Float32Array | Float64Array | Int32Array | Uint8Array;
  if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  else out.set(data as ArrayLike<number>);
  return out;
}

/** An optimizer variable's new value from a dataset (integer counters as float64, which setWeights casts back). */
export function optimizerValue(d: H5Dataset, v: Variable): Tensor {
  const dtype = v.dtype === "int32" ? "float64" : v.dtype;
  return fromValues(toDType(d.data as H5Data, dtype), v.shape, dtype);
}

/** A pending assignment, checked and ready. */
interface Assignment {
  slot: WeightSlot;
  data: H5Data;
}

function collect(root: H5Group, group: WeightGroup, fileName: string, layersRoot: string): Assignment[] {
  const renamed = (p: string): string => (layersRoot === "layers" ? p : p.replace(/(^|\/)layers\//g, `$1${layersRoot}/`));
  const candidates = [group.path, ...(group.alternatives ?? [])].map(renamed);
  const node = candidates.map((p) => h5Get(root, p)).find((n) => n !== undefined);
  if (group.slots.length === 0) return [];
  if (node === undefined || node.kind !== "group") {
    throw new FileFormatError(
      `${fileName}: missing weights for layer '${group.owner}': no group '${group.path}' (the model expects ${group.slots.length}: ${describeSlots(group.slots)})`,
    );
  }
  const count = [...node.children.keys()].filter((k) => /^\d+$/.test(k)).length;
  if (count !== group.slots.length) {
    throw new FileFormatError(
      `${fileName}: '${group.path}' holds ${count} weights for layer '${group.owner}', but the model expects ${group.slots.length}: ${describeSlots(group.slots)}`,
    );
  }
  return group.slots.map((slot, i) => {
    const path = `${group.path}/${i}`;
    const d = node.children.get(String(i));
    if (d === undefined || d.kind !== "dataset") throw new FileFormatError(`${fileName}: missing weight ${slot.name}: no dataset '${path}'`);
    if (d.data === null) throw new FileFormatError(`${fileName}: weight ${slot.name} ('${path}') is not numeric (type ${d.type})`);
    const same = d.shape.length === slot.shape.length && d.shape.every((x, k) => x === slot.shape[k]);
    if (!same) {
      throw new FileFormatError(
        `${fileName}: weight ${slot.name} ('${path}') has shape ${formatShape(d.shape)} in the file, but the model's is ${formatShape(slot.shape)}`,
      );
    }
    return { slot, data: d.data };
  });
}

function assignAll(assignments: readonly Assignment[]): void {
  noGrad(() =>
    tidy(() => {
      for (const { slot, data } of assignments) slot.write(fromValues(toDType(data, slot.dtype), slot.shape, slot.dtype));
    }),
  );
}

/**
 * Loads Keras 3's optimizer variables (`optimizer/vars/0…`, or a Keras 3 legacy file's optimizer_weights, in
 * order) into the optimizer of a compiled model. Returns why nothing was loaded when the state does not fit the
 * model's optimizer (Keras then warns and skips); a dataset of the wrong shape throws, or is such a reason when
 * `shapeMismatch` is "skip".
 */
export function loadOptimizerDatasets(model: Model, datasets: readonly H5Node[], where: string, shapeMismatch: "throw" | "skip" = "throw"): string | null {
  const opt = model.optimizer;
  const keras = kerasTrainableOrder(model);
  // A fresh optimizer gets its slots in Keras's order; a used one keeps its own (matched by name below).
  if (datasets.length > 2 && opt.variables().length <= 2) opt.build(keras);
  const current = opt.variables();
  if (datasets.length !== current.length) {
    return `the file has ${datasets.length} optimizer variables, but the model's ${opt.getClassName()} has ${current.length}`;
  }
  const ordered = optimizerVariablesInKerasOrder(opt, keras);
  if (ordered === null) return `the slots of the model's ${opt.getClassName()} cannot be matched to its variables by name`;
  for (let i = 0; i < ordered.length; i++) {
    const d = datasets[i];
    const v = ordered[i];
    if (d.kind !== "dataset" || d.data === null || d.shape.length !== v.shape.length || d.shape.some((x, k) => x !== v.shape[k])) {
      const what = d.kind === "dataset" ? `has shape ${formatShape(d.shape)}` : "is not a dataset";
      const message = `optimizer weight ${i} ${what}, but ${v.name} has shape ${formatShape(v.shape)}`;
      if (shapeMismatch === "skip") return message;
      throw new FileFormatError(`${where}: ${message}`);
    }
  }
  try {
    tidy(() => {
      const byVariable = new Map<Variable, Tensor>();
      ordered.forEach((v, i) => byVariable.set(v, optimizerValue(datasets[i] as H5Dataset, v)));
      opt.setWeights(current.map((v) => byVariable.get(v) as Tensor));
    });
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw new FileFormatError(`${where}: the optimizer state does not fit the model's optimizer: ${(error as Error).message}`);
  }
  return null;
}

function loadOptimizer(model: Model, root: H5Group, fileName: string): void {
  const node = h5Get(root, "optimizer/vars");
  if (node === undefined || node.kind !== "group" || !model.isCompiled) return;
  const datasets = [...node.children.entries()].filter(([k]) => /^\d+$/.test(k)).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, d]) => d);
  const problem = loadOptimizerDatasets(model, datasets, fileName);
  // Keras warns and skips too ("Skipping variable loading for optimizer…").
  if (problem !== null) console.warn(`${fileName}: the optimizer state is not loaded (${problem}); the model's optimizer starts fresh`);
}

/**
 * Loads a Keras 3 weights tree into `model` (and the optimizer state into a compiled model when the file has a
 * matching one). Nothing is assigned unless every weight is present and of the right shape.
 */
export function loadKerasWeightsTree(model: Model, root: H5Group, fileName: string, options: { optimizer?: boolean } = {}): void {
  // Keras 2.13 named the container `_layer_checkpoint_dependencies`.
  const layersRoot = root.children.has("layers") || !root.children.has("_layer_checkpoint_dependencies") ? "layers" : "_layer_checkpoint_dependencies";
  const assignments = kerasWeightGroups(model).flatMap((g) => collect(root, g, fileName, layersRoot));
  assignAll(assignments);
  if (options.optimizer !== false) loadOptimizer(model, root, fileName);
}
