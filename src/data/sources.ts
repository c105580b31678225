/** Datasets from values in memory: tensor slices, arrays, generators and iterables, number ranges. */
import type { TypedArray } from "../core/dtype.js";
import { ShapeError, TensileError, ValueError } from "../core/errors.js";
import { describeValue, fromValues, tensor } from "../ops/convert.js";
import { gather, reshape, slice } from "../ops/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { Dataset, withRows, type NestedNumbers } from "./dataset.js";
import { describeElement, isNumericArray, isPlainObject, isTypedArray, markRow, own } from "./element.js";

/** The element type of `fromTensorSlices(data)`: each tensor or numeric array loses its first dimension. */
export type Sliced<T> = T extends Tensor | TypedArray | readonly NestedNumbers[]
  ? Tensor
  : T extends readonly (string | null)[]
    ? T[number]
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Sliced<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Sliced<T[K]> }
        : never;

/** Row i of the data, and a batch of rows at once (for `batch` right after `fromTensorSlices` or its `shuffle`). */
interface Slicer {
  row: (i: number) => unknown;
  rows: (indices: Int32Array) => unknown;
}

function where(path: string): string {
  return path === "" ? "data" : `data${path}`;
}

/** Rows of `t` at `indices`: a view for consecutive ones, a gather otherwise. */
function takeRows(t: Tensor, indices: Int32Array): Tensor {
  const n = indices.length;
  let consecutive = true;
  for (let k = 1; k < n && consecutive; k++) consecutive = indices[k] === indices[0] + k;
  if (!consecutive) return tidy(() => gather(t, fromValues(indices.slice(), [n], "int32"), 0));
  const view = slice(t, [indices[0]], [n]);
  return view === t ? t.detach() : view; // the whole tensor: a new handle, so releasing the batch spares `t`
}

/** Checks the structure and returns row and batch getters, with every leaf's row count in `counts`. */
function slicer(value: unknown, path: string, counts: { path: string; n: number }[]): Slicer {
  if (value instanceof Tensor || isTypedArray(value) || isNumericArray(value)) {
    let t: Tensor;
    try {
      t = value instanceof Tensor ? value : tensor(value as never);
    } catch (error) {
      if (error instanceof TensileError) throw new ShapeError(`fromTensorSlices: ${where(path)}: ${error.message.replace(/^tensor: /, "")}`);
      throw error;
    }
    if (t.rank === 0) throw new ShapeError(`fromTensorSlices: ${where(path)} is a scalar; every value needs a first dimension to slice`);
    counts.push({ path, n: t.shape[0] });
    const rest = t.shape.slice(1);
    return {
      row: (i) => markRow(own(tidy(() => reshape(slice(t, [i], [1]), rest))), t, i),
      rows: (indices) => own(takeRows(t, indices)),
    };
  }
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" || v === null)) {
    counts.push({ path, n: value.length });
    return { row: (i) => value[i], rows: (indices) => Array.from(indices, (i) => value[i]) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new ValueError(`fromTensorSlices: ${where(path)} is an empty array`);
    const parts = value.map((v, k) => slicer(v, `${path}[${k}]`, counts));
    return { row: (i) => parts.map((p) => p.row(i)), rows: (indices) => parts.map((p) => p.rows(indices)) };
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) throw new ValueError(`fromTensorSlices: ${where(path)} is an empty object`);
    const parts = entries.map(([k, v]) => [k, slicer(v, `${path}.${k}`, counts)] as const);
    return {
      row: (i) => Object.fromEntries(parts.map(([k, p]) => [k, p.row(i)])),
      rows: (indices) => Object.fromEntries(parts.map(([k, p]) => [k, p.rows(indices)])),
    };
  }
  throw new ValueError(`fromTensorSlices: ${where(path)} is ${describeElement(value)}; expected tensors, numeric arrays, string arrays, or arrays/objects of them`);
}

/**
 * One element per row of `data` (tensors, numeric arrays, or arrays/objects of them, all with the same first
 * dimension): rows are views, not copies. `tn.data.fromTensorSlices([xs, ys])`, `fromTensorSlices({xs, ys})`
 */
export function fromTensorSlices<const T>(data: T): Dataset<Sliced<T>> {
  const counts: { path: string; n: number }[] = [];
  const { row, rows } = slicer(data, "", counts);
  const n = counts[0].n;
  const other = counts.find((c) => c.n !== n);
  if (other !== undefined) {
    throw new ShapeError(`fromTensorSlices: every value needs the same first dimension, got ${n} for ${where(counts[0].path)} and ${other.n} for ${where(other.path)}`);
  }
  function* indices(): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
  const ds = new Dataset<Sliced<T>>(async function* () {
    for (let i = 0; i < n; i++) yield row(i);
  }, n);
  return withRows(ds, { indices, rows });
}

/** The items of an array, as they are (TF.js's `tf.data.array`). `tn.data.array([{x: 1}, {x: 2}])` */
export function array<T>(items: readonly T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new ValueError(`array: items must be an array, got ${describeValue(items)}`);
  const copy = items.slice();
  return new Dataset<T>(async function* () {
    yield* copy;
  }, copy.length);
}

/** What `fromGenerator` accepts: a function returning an iterator or iterable (called per iteration), or an iterable. */
export type GeneratorSource<T> =
  | (() => Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T> | Promise<Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T>>)
  | Iterable<T>
  | AsyncIterable<T>;

function asIterator(value: unknown, op: string): AsyncIterator<unknown> | Iterator<unknown> {
  if (typeof value === "object" && value !== null) {
    if (Symbol.asyncIterator in value) return (value as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    if (Symbol.iterator in value) return (value as Iterable<unknown>)[Symbol.iterator]();
    if (typeof (value as { next?: unknown }).next === "function") return value as Iterator<unknown>;
  }
  throw new ValueError(`${op}: the generator function must return an iterator or iterable, got ${describeElement(value)}`);
}

/**
 * Elements from a generator function (called once per iteration, so every epoch restarts it), or from any sync
 * or async iterable. `tn.data.fromGenerator(function* () { for (let i = 0; i < 3; i++) yield i; })`
 */
export function fromGenerator<T>(source: GeneratorSource<T>): Dataset<T> {
  const op = "fromGenerator";
  const isIterable = typeof source === "object" && source !== null && (Symbol.iterator in source || Symbol.asyncIterator in source);
  if (typeof source !== "function" && !isIterable) {
    throw new ValueError(`${op}: source must be a generator function or an iterable, got ${describeElement(source)}`);
  }
  // A generator object iterates once: a second epoch would silently be empty.
  let oneShotUsed = false;
  const self = (it: unknown): boolean => it === source;
  const oneShot =
    isIterable && (Symbol.asyncIterator in source ? self((source as AsyncIterable<T>)[Symbol.asyncIterator]()) : self((source as Iterable<T>)[Symbol.iterator]()));
  return new Dataset<T>(async function* () {
    if (oneShot) {
      if (oneShotUsed) throw new ValueError(`${op}: the iterable was already consumed (a generator object runs once); pass a function that returns a new generator`);
      oneShotUsed = true;
    }
    let made: unknown = typeof source === "function" ? source() : source;
    if (typeof made === "object" && made !== null && typeof (made as { then?: unknown }).then === "function") made = await made;
    const it = asIterator(made, op);
    let finished = false;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done === true) {
          finished = true;
          return;
        }
        yield r.value;
      }
    } finally {
      if (!finished) await it.return?.();
    }
  }, null);
}

/** TF.js's name for `fromGenerator`. `tn.data.generator(function* () { yield* [1, 2, 3]; })` */
export const generator = fromGenerator;

/**
 * Numbers from `start` up to (excluding) `stop` by `step`, as Python's range; `range(n)` counts from 0.
 * `tn.data.range(5)` → 0, 1, 2, 3, 4
 */
export function range(start: number, stop?: number, step = 1): Dataset<number> {
  const op = "range";
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  for (const [name, v] of [["start", a], ["stop", b], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  }
  if (step === 0) throw new ValueError(`${op}: step must not be 0`);
  const n = Math.max(0, Math.ceil((b - a) / step));
  return new Dataset<number>(async function* () {
    for (let i = 0; i < n; i++) yield a + i * step;
  }, n);
}

