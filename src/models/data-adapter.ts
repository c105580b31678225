/**
 * Turns what users pass to `fit`/`evaluate`/`predict` (tensors, arrays, lists or objects of them, or an iterable of
 * batches such as a `tn.data` Dataset) into batches of tensors lists, one tensor per model input or output.
 */
import { ValueError } from "../core/errors.js";
import { Dataset } from "../data/dataset.js";
import { disposeTensors } from "../data/element.js";
import { describeValue, toTensor, type TensorLike } from "../ops/convert.js";
import { gather, slice } from "../ops/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** Model inputs or targets: one tensor, a list (one per input/output), or an object keyed by input/output name. */
export type ModelData = TensorLike | readonly Tensor[] | { readonly [name: string]: Tensor };

/** One batch from an iterable dataset: `[x, y]`, `[x, y, sampleWeight]`, `{xs, ys}` (TF.js) or `{x, y}`. */
export type DatasetBatch =
  | readonly [ModelData, ModelData?, Tensor?]
  | { xs: ModelData; ys?: ModelData; sampleWeight?: Tensor }
  | { x: ModelData; y?: ModelData; sampleWeight?: Tensor };

/** A source of batches (a `tn.data` Dataset, an async generator, an array of batches…), read once per epoch. */
export type BatchSource = AsyncIterable<DatasetBatch> | Iterable<DatasetBatch>;

export interface Batch {
  x: Tensor[];
  y: Tensor[] | null;
  sampleWeight: Tensor | null;
  size: number;
  /** The tensors were made for this batch (slices, gathers) and are released after the step. */
  owned?: boolean;
}

/** Releases a batch's tensors when the adapter made them. */
export function releaseBatch(batch: Batch): void {
  if (!batch.owned) return;
  for (const t of batch.x) t.dispose();
  for (const t of batch.y ?? []) t.dispose();
  batch.sampleWeight?.dispose();
}

function isBatchElement(e: unknown): boolean {
  if (Array.isArray(e)) return e.length > 0 && (e[0] instanceof Tensor || isTensorRecord(e[0]) || (Array.isArray(e[0]) && e[0].length > 0 && e[0][0] instanceof Tensor));
  return typeof e === "object" && e !== null && !(e instanceof Tensor) && ("xs" in e || "x" in e);
}

/** A dataset, a generator, or an array of batches (`[[x0, y0], [x1, y1]]` or `[{xs, ys}, …]`). */
export function isBatchSource(value: unknown): value is BatchSource {
  if (typeof value !== "object" || value === null || value instanceof Tensor || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.length > 0 && value.every(isBatchElement);
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

function isTensorRecord(value: unknown): value is { readonly [name: string]: Tensor } {
  if (typeof value !== "object" || value === null || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof Tensor) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => v instanceof Tensor);
}

/** One tensor per name in `names` (model inputs or outputs), from any accepted form. */
export function toTensorList(data: ModelData, names: readonly string[], what: string, op: string): Tensor[] {
  if (data instanceof Tensor) return check([data], names, what, op);
  if (Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)) return check(data as Tensor[], names, what, op);
  if (isTensorRecord(data)) {
    const missing = names.filter((n) => !(n in data));
    if (missing.length > 0) {
      throw new ValueError(`${op}: ${what} is missing ${missing.map((m) => `'${m}'`).join(", ")} (the model's ${what} are ${names.join(", ")})`);
    }
    const extra = Object.keys(data).filter((k) => !names.includes(k));
    if (extra.length > 0) throw new ValueError(`${op}: ${what} has unknown keys ${extra.join(", ")} (the model's ${what} are ${names.join(", ")})`);
    return names.map((n) => data[n]);
  }
  return check([toTensor(data as TensorLike, op, what)], names, what, op);
}

function check(list: Tensor[], names: readonly string[], what: string, op: string): Tensor[] {
  if (names.length > 0 && list.length !== names.length) {
    throw new ValueError(`${op}: the model has ${names.length} ${what} (${names.join(", ")}), got ${list.length} tensor(s)`);
  }
  for (const t of list) {
    if (t.rank === 0) throw new ValueError(`${op}: ${what} must have a batch dimension, got a scalar`);
  }
  return list;
}

/** The common number of samples (first dimension) of all tensors. */
export function sampleCount(groups: readonly (readonly Tensor[])[], op: string): number {
  const all = groups.flat();
  const n = all[0].shape[0];
  for (const t of all) {
    if (t.shape[0] !== n) {
      throw new ValueError(`${op}: all inputs and targets need the same number of samples, got ${all.map((a) => a.shape[0]).join(" and ")}`);
    }
  }
  return n;
}

/** Rows [start, end) of each tensor: contiguous views, no copy. */
export function sliceRows(list: readonly Tensor[], start: number, end: number): Tensor[] {
  return list.map((t) => {
    const s = slice(t, [start, ...new Array<number>(t.rank - 1).fill(0)], [end - start, ...t.shape.slice(1)]);
    // A whole-tensor slice is the input itself; a batch must be its own handle so releasing it spares the data.
    return s === t ? t.detach() : s;
  });
}

/** The rows at `indices` of each tensor (a copy). */
export function takeRows(list: readonly Tensor[], indices: Tensor): Tensor[] {
  return list.map((t) => gather(t, indices, 0));
}

/** Normalizes one element of a batch source. */
export function unpackBatch(element: DatasetBatch, inputNames: readonly string[], outputNames: readonly string[], op: string): Batch {
  let x: ModelData | undefined;
  let y: ModelData | undefined;
  let sw: Tensor | undefined;
  if (Array.isArray(element)) {
    [x, y, sw] = element as readonly [ModelData, ModelData?, Tensor?];
  } else if (typeof element === "object" && element !== null && "xs" in element) {
    ({ xs: x, ys: y, sampleWeight: sw } = element);
  } else if (typeof element === "object" && element !== null && "x" in element) {
    ({ x, y, sampleWeight: sw } = element);
  } else {
    throw new ValueError(`${op}: a dataset element must be [x, y], [x, y, sampleWeight], {xs, ys} or {x, y}, got ${describeValue(element)}`);
  }
  const xs = toTensorList(x as ModelData, inputNames, "inputs", op);
  const ys = y === undefined ? null : toTensorList(y, outputNames, "targets", op);
  const size = sampleCount(ys === null ? [xs] : [xs, ys], op);
  return { x: xs, y: ys, sampleWeight: sw ?? null, size };
}

/** Iterates a batch source (sync or async) once. */
export async function* iterateSource(source: BatchSource): AsyncGenerator<DatasetBatch> {
  if (Symbol.asyncIterator in source) {
    for await (const element of source as AsyncIterable<DatasetBatch>) yield element;
  } else {
    for (const element of source as Iterable<DatasetBatch>) yield element;
  }
}

/**
 * The batches of a source, at most `steps`. A `tn.data` Dataset hands each element over to its consumer (its own
 * handles), so its batches are marked owned and released after their step: an epoch leaves no tensors behind.
 * Other iterables may yield the caller's own tensors (the same ones every epoch), which are left alone.
 */
export async function* sourceBatches(
  source: BatchSource,
  inputNames: readonly string[],
  outputNames: readonly string[],
  op: string,
  steps: number | null,
): AsyncGenerator<Batch> {
  const owned = source instanceof Dataset;
  let b = 0;
  // The step count is checked after a batch, so no element is read (and left undisposed) past the last step.
  for await (const element of iterateSource(source)) {
    let batch: Batch;
    try {
      batch = unpackBatch(element, inputNames, outputNames, op);
    } catch (error) {
      if (owned) disposeTensors(element);
      throw error;
    }
    if (owned) batch.owned = true;
    yield batch;
    if (steps !== null && ++b >= steps) return;
  }
}

/** Yields to the event loop, so a server stays responsive during `fit`. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
