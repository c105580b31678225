/**
 * The optimizer state of legacy `.h5` files (`optimizer_weights`), both ways. tf.keras 2 lists it as
 * `[<opt>/iter:0, (Nadam: <opt>/momentum_cache:0), then per slot, per trainable variable: <opt>/<variable>/<slot>:0]`,
 * slots named m, v, vhat (Adam), rms, mg (RMSprop), accum_grad… and loads it by position; Keras 3 writes its own
 * `[iteration, learning_rate, slots…]` order under Keras 3 names. Reading matches entries to the model's variables
 * by name where every name is found once, else by position as Keras does; a state that does not fit the model's
 * optimizer is skipped with a warning (Keras 2 and 3 do the same), leaving a fresh optimizer.
 */
import { FileFormatError } from "../../core/errors.js";
import { formatShape } from "../../core/shape.js";
import type { Model } from "../../models/model.js";
import type { Optimizer } from "../../optimizers/optimizer.js";
import { tidy } from "../../tensor/scope.js";
import type { Tensor, Variable } from "../../tensor/tensor.js";
import { h5Ensure, h5Get, type H5Dataset, type H5Group, type H5Node } from "../hdf5/index.js";
import { keras2OptimizerName } from "./keras2.js";
import { kerasTrainableOrder, loadOptimizerDatasets, optimizerValue, slotDataset, variableSlot } from "./weights.js";

/** Tensile slot → tf.keras 2 slot name, in the order tf.keras 2 creates the slots (each slot for every variable). */
const KERAS2_SLOTS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  Adam: [["momentum", "m"], ["velocity", "v"], ["velocity_hat", "vhat"]],
  AdamW: [["momentum", "m"], ["velocity", "v"], ["velocity_hat", "vhat"]],
  Adamax: [["momentum", "m"], ["norm", "v"]],
  Nadam: [["momentum", "m"], ["velocity", "v"]],
  SGD: [["momentum", "momentum"]],
  RMSprop: [["velocity", "rms"], ["momentum", "momentum"], ["average_gradient", "mg"]],
  Adagrad: [["accumulator", "accumulator"]],
  Adadelta: [["accumulated_grad", "accum_grad"], ["accumulated_delta_var", "accum_var"]],
};

/** One entry of `optimizer_weights` in tf.keras 2's order. */
interface Keras2Entry {
  /** The name without the optimizer prefix and `:0` ("iter", "dense/kernel/m"). */
  key: string;
  variable: Variable;
}

/** Why a state cannot be laid out (or read), for the warning. */
class LayoutProblem extends Error {}

function slotSuffixes(optimizer: Optimizer, vars: readonly Variable[]): string[] {
  // Tensile names slots `<variable>/<slot>`: the slots of the first variable say which exist.
  if (vars.length === 0) return [];
  const first = `${vars[0].name}/`;
  return optimizer.variables().filter((v) => v.name.startsWith(first) && !v.name.slice(first.length).includes("/")).map((v) => v.name.slice(first.length));
}

/** The model's optimizer state in tf.keras 2's order. */
function keras2Layout(model: Model): Keras2Entry[] {
  const opt = model.optimizer;
  const vars = kerasTrainableOrder(model);
  const all = opt.variables();
  const byName = new Map<string, Variable>();
  for (const v of all) {
    if (byName.has(v.name)) throw new LayoutProblem(`two optimizer variables are named '${v.name}'`);
    byName.set(v.name, v);
  }
  const entries: Keras2Entry[] = [{ key: "iter", variable: all[0] }];
  const uProduct = all.find((v) => v.name === `${opt.name}/u_product`);
  if (uProduct !== undefined) entries.push({ key: "momentum_cache", variable: uProduct });
  const present = slotSuffixes(opt, vars);
  const table = KERAS2_SLOTS[opt.getClassName()] ?? present.map((s) => [s, s] as const);
  const slots = table.filter(([tensile]) => present.includes(tensile));
  if (slots.length !== present.length) throw new LayoutProblem(`${opt.getClassName()} has slots (${present.join(", ")}) Tensile cannot name in the Keras 2 format`);
  for (const [tensile, keras] of slots) {
    for (const v of vars) {
      const slot = byName.get(`${v.name}/${tensile}`);
      if (slot === undefined) throw new LayoutProblem(`the optimizer has no '${tensile}' slot for ${v.name}`);
      entries.push({ key: `${v.name}/${keras}`, variable: slot });
    }
  }
  return entries;
}

// ---- writing ------------------------------------------------------------------------------------------------

/**
 * The `optimizer_weights` group of a compiled model (tf.keras 2's names, order and nesting), or null when the
 * optimizer has no state yet (as tf.keras 2, which then writes none).
 */
export function keras2OptimizerGroup(model: Model): H5Group | null {
  if (!model.isCompiled) return null;
  const opt = model.optimizer;
  const vars = kerasTrainableOrder(model);
  const hasSlots = vars.length > 0 && slotSuffixes(opt, vars.slice(0, 1)).length > 0;
  if (opt.iterations === 0 && !hasSlots) return null;
  // Variables the optimizer has not seen yet get their (initial) slots, as the next update would give them.
  if (hasSlots || opt.iterations > 0) opt.build(vars);
  let entries: Keras2Entry[];
  try {
    entries = keras2Layout(model);
  } catch (error) {
    if (!(error instanceof LayoutProblem)) throw error;
    console.warn(`saveLegacyH5: the optimizer state is not saved: ${error.message}`);
    return null;
  }
  const prefix = keras2OptimizerName(opt).replace(/\//g, "_");
  const group: H5Group = { kind: "group", children: new Map(), attrs: new Map() };
  const names: string[] = [];
  for (const { key, variable } of entries) {
    const name = `${prefix}/${key}:0`;
    names.push(name);
    const parts = name.split("/").filter((p) => p.length > 0);
    const leaf = parts.pop() as string;
    const parent = h5Ensure(group, parts.join("/"));
    const storeAs = key === "iter" ? "int64" : variable.dtype === "float64" ? "float64" : "float32";
    parent.children.set(leaf, slotDataset(variableSlot(variable, storeAs)));
  }
  group.attrs.set("weight_names", { kind: "string", shape: [names.length], value: names });
  return group;
}

// ---- reading ------------------------------------------------------------------------------------------------

function warnSkipped(fileName: string, reason: string): void {
  console.warn(`${fileName}: the optimizer state in optimizer_weights is not loaded (${reason}); the model's optimizer starts fresh`);
}

/** A TF variable name without its output index (`Adam/iter:0` → `Adam/iter`). */
function stripIndex(name: string): string {
  return name.replace(/:\d+$/, "");
}

/** For each entry, the index of the one file name ending in `/<key>`; null unless every entry has exactly one. */
function matchByName(entries: readonly Keras2Entry[], names: readonly string[]): number[] | null {
  const stripped = names.map(stripIndex);
  const used = new Set<number>();
  const out: number[] = [];
  for (const e of entries) {
    const hits = stripped.flatMap((n, i) => (n === e.key || n.endsWith(`/${e.key}`) ? [i] : []));
    if (hits.length !== 1 || used.has(hits[0])) return null;
    used.add(hits[0]);
    out.push(hits[0]);
  }
  return out;
}

/** Loads tf.keras 2's optimizer_weights; returns a reason when they do not fit (nothing is changed then). */
function applyKeras2(model: Model, names: readonly string[], datasets: readonly H5Dataset[]): string | null {
  const opt = model.optimizer;
  opt.build(kerasTrainableOrder(model));
  let entries: Keras2Entry[];
  try {
    entries = keras2Layout(model);
  } catch (error) {
    if (error instanceof LayoutProblem) return error.message;
    throw error;
  }
  if (entries.length !== names.length) {
    return `the file has ${names.length} optimizer weights, but the model's ${opt.getClassName()} has ${entries.length}`;
  }
  const order = matchByName(entries, names) ?? entries.map((_, i) => i);
  for (let i = 0; i < entries.length; i++) {
    const d = datasets[order[i]];
    const v = entries[i].variable;
    const same = d.data !== null && d.shape.length === v.shape.length && d.shape.every((x, k) => x === v.shape[k]);
    if (!same) return `'${names[order[i]]}' has shape ${formatShape(d.shape)}, but ${v.name} has shape ${formatShape(v.shape)}`;
  }
  tidy(() => {
    const next = new Map<Variable, Tensor>(entries.map((e, i) => [e.variable, optimizerValue(datasets[order[i]], e.variable)]));
    // The learning rate (not in Keras 2 files) and any state of variables no longer trained keep their values.
    opt.setWeights(opt.variables().map((v) => next.get(v) ?? v));
  });
  return null;
}

/**
 * Loads the `optimizer_weights` of a legacy file into the optimizer of a compiled `model` (tf.keras 2's layout or
 * Keras 3's). A state that does not fit is skipped with a warning; a malformed group is a FileFormatError.
 */
export function loadLegacyOptimizerWeights(model: Model, tree: H5Group, fileName: string, names: readonly string[]): void {
  if (!model.isCompiled || names.length === 0) return;
  const g = tree.children.get("optimizer_weights") as H5Group;
  const datasets = names.map((name) => {
    const d: H5Node | undefined = h5Get(g, name);
    if (d === undefined || d.kind !== "dataset") throw new FileFormatError(`${fileName}: optimizer_weights lists '${name}', but there is no such dataset`);
    return d;
  });
  // Keras 3 writes its own order, starting with the iteration count and the learning rate.
  if (/(^|\/)iteration(:\d+)?$/.test(names[0])) {
    const problem = loadOptimizerDatasets(model, datasets, `${fileName}: optimizer_weights`, "skip");
    if (problem !== null) warnSkipped(fileName, problem);
    return;
  }
  const problem = applyKeras2(model, names, datasets);
  if (problem !== null) warnSkipped(fileName, problem);
}
