/**
 * `Dataset`: an immutable, lazily evaluated pipeline of elements (TF.js's `tf.data.Dataset`, with tf.data's
 * transformations). Each transformation returns a new Dataset; nothing runs until it is iterated (`for await`,
 * `toArray`, `forEachAsync`, `model.fit`), and each iteration starts afresh from the source.
 */
import { ValueError } from "../core/errors.js";
import { foldIn, type PRNGKey } from "../core/prng.js";
import { randomKey, type RandomSeed } from "../ops/random.js";
import { describeValue } from "../ops/convert.js";
import type { TypedArray } from "../core/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import type { PaddingSpec } from "./batching.js";
import { describeElement, disown, disposeTensors, freshHandles, handOverElement, isPlainObject } from "./element.js";
import { functionSpec, parallelMap, poolKeeper, type ModuleFunction } from "./parallel/pool.js";
import { dataPlatform } from "./platform.js";
import { PipelineError } from "./errors.js";
import {
  batchElements,
  concatElements,
  filterElements,
  interleaveElements,
  iterate,
  mapSerial,
  prefetchElements,
  repeatElements,
  shardElements,
  shuffleElements,
  shuffleIndices,
  skipElements,
  takeElements,
  unbatchElements,
  windowElements,
  zipElements,
} from "./transforms.js";

/** Nested numbers or booleans: one value (batched into one tensor). */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

/** The element type after `batch`: leaves become tensors with a batch dimension, strings string arrays. */
export type Batched<T> = T extends Tensor | TypedArray | NestedNumbers
  ? Tensor
  : T extends string
    ? string[]
    : T extends null | undefined
      ? T[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Batched<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T]: Batched<T[K]> }
          : unknown;

/** The element type after `unbatch`. */
export type Unbatched<T> = T extends Tensor
  ? Tensor
  : T extends TypedArray
    ? number
    : T extends readonly (string | null)[] | readonly NestedNumbers[]
      ? T[number]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Unbatched<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T]: Unbatched<T[K]> }
          : unknown;

/** Options of `map`. */
export interface MapOptions {
  /** Worker threads running the function (default 1: the main thread). Above 1 the function must be self-contained or `{module, export}`. */
  parallel?: number;
  /** Keep the input order (default true); false yields results as they finish. */
  ordered?: boolean;
  /** Milliseconds one element may take before the map fails (workers: the worker is stopped; main thread: async results only). */
  timeout?: number;
  /**
   * Workers: run them below the main thread's scheduling priority (default true; Linux, elsewhere no effect), so the
   * training step that consumes the pipeline keeps its core and the workers use the rest. False: same priority.
   */
  lowPriority?: boolean;
}

/** Options of `batch`. */
export interface BatchOptions extends PaddingSpec {
  /** Drop a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

/** Options of `shuffle`. */
export interface ShuffleOptions {
  /** A seed (integer or PRNG key); by default a key drawn from the global seed, so `tn.setSeed` reproduces orders. */
  seed?: RandomSeed;
  /** A new order on each iteration (default true); false repeats the first order. */
  reshuffleEachIteration?: boolean;
}

/** Options of `window`. */
export interface WindowOptions {
  /** Elements between the starts of two windows (default: size). */
  shift?: number;
  /** Step between the elements of a window (default 1). */
  stride?: number;
  /** Drop windows with fewer than `size` elements at the end (default false). */
  dropRemainder?: boolean;
}

/** Options of `interleave`. */
export interface InterleaveOptions {
  /** Inner datasets read at once (default 4). */
  cycleLength?: number;
  /** Consecutive elements taken from each (default 1). */
  blockLength?: number;
}

/** What an interleave function may return for one element. */
export type InnerDataset<U> = Dataset<U> | AsyncIterable<U> | Iterable<U>;

type Source = () => AsyncIterator<unknown>;

/**
 * @internal A dataset whose elements are rows of in-memory data (`fromTensorSlices`, and its `shuffle`): `batch`
 * takes each batch of rows in one op per leaf instead of making a tensor per row and stacking them.
 */
export interface RowPlan {
  /** The row indices of one iteration, in order (synchronous: no await per row). */
  readonly indices: () => Iterator<number>;
  /** The batched element of these rows. */
  readonly rows: (indices: Int32Array) => unknown;
}

const rowPlans = new WeakMap<Dataset<unknown>, RowPlan>();

/** @internal Attaches a row plan to a dataset. */
export function withRows<T>(ds: Dataset<T>, plan: RowPlan): Dataset<T> {
  rowPlans.set(ds, plan);
  return ds;
}

/** @internal Iteration that keeps the pipeline's ownership of tensors (for stages built on a dataset). */
export const ITERATE: unique symbol = Symbol("tensile.data.iterate");

export function assertInt(value: unknown, op: string, arg: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ValueError(`${op}: ${arg} must be an integer >= ${min}, got ${describeValue(value)}`);
  }
  return value;
}

function assertBool(value: unknown, op: string, arg: string): boolean {
  if (typeof value !== "boolean") throw new ValueError(`${op}: ${arg} must be a boolean, got ${describeValue(value)}`);
  return value;
}

function assertOptions(options: unknown, op: string, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw new ValueError(`${op}: options must be an object, got ${describeValue(options)}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ValueError(`${op}: unknown option ${unknown.map((k) => `'${k}'`).join(", ")} (known: ${known.join(", ")})`);
  return options;
}

/** A count that may be -1 or Infinity (all, forever). */
function countArg(value: unknown, op: string, arg: string): number {
  if (value === -1 || value === Infinity) return Infinity;
  return assertInt(value, op, arg, 0);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** A string seed (TF.js) as an integer: FNV-1a, 32 bits. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The public iteration: every tensor the consumer gets is its own to keep or dispose. */
async function* handOver(it: AsyncIterator<unknown>): AsyncGenerator<unknown> {
  for await (const x of iterate(it)) yield handOverElement(x);
}

/**
 * A pipeline of elements. Build one from a source (`tn.data.fromTensorSlices`, `array`, `fromGenerator`, `range`,
 * `csv`…), chain transformations, and iterate it: `for await (const [x, y] of ds.shuffle(1000).batch(32)) …`
 */
export class Dataset<T = unknown> implements AsyncIterable<T> {
  /** The number of elements when known (Infinity for an endless `repeat()`), null when unknown. */
  readonly size: number | null;
  readonly #source: Source;

  /** @internal Use the sources (`tn.data.fromTensorSlices`, `array`, `fromGenerator`, `range`, `csv`…). */
  constructor(source: Source, size: number | null) {
    this.#source = source;
    this.size = size;
  }

  /** @internal */
  [ITERATE](): AsyncIterator<unknown> {
    return this.#source();
  }

  /**
   * A fresh iteration: `for await (const x of ds)`. The tensors of each element are the consumer's: disposing them
   * never affects the dataset (a source tensor, a cache) or later iterations.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return handOver(this.#source()) as AsyncIterator<T>;
  }

  /** A fresh iterator (TF.js). `const it = await ds.iterator(); await it.next()` */
  async iterator(): Promise<AsyncIterator<T>> {
    return this[Symbol.asyncIterator]();
  }

  private derive<U>(source: Source, size: number | null): Dataset<U> {
    return new Dataset<U>(source, size);
  }

  /**
   * Applies `fn` to each element (sync or async). A synchronous `fn` runs inside `tidy` (tensors it makes and does
   * not return are released), and input tensors the pipeline made are released afterwards unless returned.
   *
   * `{parallel: n}` runs it on n worker threads (Node worker_threads, browser web workers), at most 2n chunks of
   * elements in flight (one element per message for a slow function, up to 64 for a cheap one), in order unless
   * `ordered: false`. Functions cannot cross threads: `fn` travels as source text (`fn.toString()`) and may use
   * only its argument and `tn` (the ops and `tn.image`, provided in the worker), never variables around it (that
   * fails with a ReferenceError naming the element); bundlers may rename `tn`, so bundled apps pass
   * `{module: URL, export: "name"}` for a function the workers import. `timeout` (ms) fails an element that takes
   * longer and stops its worker. `ds.map((x) => tn.mul(x, 2))`, `ds.map(augment, {parallel: 2})`
   */
  map<U>(fn: (value: T) => U | Promise<U>, options?: MapOptions): Dataset<Awaited<U>>;
  map<U = unknown>(fn: ModuleFunction, options?: MapOptions): Dataset<U>;
  map<U>(fn: ((value: T) => U | Promise<U>) | ModuleFunction, options?: MapOptions): Dataset<U> {
    const op = "map";
    const o = assertOptions(options, op, ["parallel", "ordered", "timeout", "lowPriority"]);
    const parallel = o.parallel === undefined ? 1 : assertInt(o.parallel, op, "parallel", 1);
    const ordered = o.ordered === undefined ? true : assertBool(o.ordered, op, "ordered");
    const lowPriority = o.lowPriority === undefined ? true : assertBool(o.lowPriority, op, "lowPriority");
    let timeout: number | null = null;
    if (o.timeout !== undefined) {
      if (typeof o.timeout !== "number" || !(o.timeout > 0) || !Number.isFinite(o.timeout)) {
        throw new ValueError(`${op}: timeout must be a positive number of milliseconds, got ${describeValue(o.timeout)}`);
      }
      timeout = o.timeout;
    }
    const upstream = this;
    if (parallel > 1) {
      const parallelOptions = { parallel, ordered, timeout, lowPriority };
      const keeper = poolKeeper(functionSpec(fn, op), parallelOptions, op);
      return this.derive(() => parallelMap(upstream[ITERATE](), keeper, parallelOptions), this.size);
    }
    if (typeof fn === "function") {
      return this.derive(() => mapSerial(upstream[ITERATE](), fn as (x: unknown) => unknown, timeout, op), this.size);
    }
    // A module function on the main thread: imported once, on first use.
    const spec = functionSpec(fn, op);
    if (spec.kind !== "module") throw new ValueError(`${op}: fn must be a function or {module, export}`);
    let loaded: Promise<(x: unknown) => unknown> | null = null;
    const load = async (): Promise<(x: unknown) => unknown> => {
      const mod = (await import(spec.url)) as Record<string, unknown>;
      const f = mod[spec.exportName];
      if (typeof f !== "function") throw new ValueError(`${op}: ${spec.url} has no function export '${spec.exportName}'`);
      return f as (x: unknown) => unknown;
    };
    return this.derive(async function* () {
      const f = await (loaded ??= load());
      yield* iterate(mapSerial(upstream[ITERATE](), f, timeout, op));
    }, this.size);
  }

  /** `map` for async functions (TF.js's name; `map` accepts them too). `ds.mapAsync(async (x) => …)` */
  mapAsync<U>(fn: (value: T) => Promise<U>, options?: MapOptions): Dataset<U> {
    return this.map(fn, options) as Dataset<U>;
  }

  /** Keeps the elements for which `predicate` returns true (or a true scalar tensor). `ds.filter((x) => x % 2 === 0)` */
  filter(predicate: (value: T) => boolean | Tensor | Promise<boolean>): Dataset<T> {
    if (typeof predicate !== "function") throw new ValueError(`filter: predicate must be a function, got ${describeValue(predicate)}`);
    const upstream = this;
    return this.derive(() => filterElements(upstream[ITERATE](), predicate as (x: unknown) => unknown, "filter"), null);
  }

  /**
   * Groups `batchSize` consecutive elements, stacking each leaf into a tensor with a leading batch dimension.
   * `paddedShapes`/`paddingValue` pad sequences of different lengths (null dimensions: the longest in the batch).
   * TF.js's `batch(n, smallLastBatch)` is accepted too. `ds.batch(32)`, `ds.batch(8, {paddedShapes: [null]})`
   */
  batch(batchSize: number, options?: BatchOptions | boolean): Dataset<Batched<T>> {
    const op = "batch";
    const size = assertInt(batchSize, op, "batchSize", 1);
    const o = typeof options === "boolean" ? { dropRemainder: !options } : assertOptions(options, op, ["dropRemainder", "paddedShapes", "paddingValue"]);
    const drop = o.dropRemainder === undefined ? false : assertBool(o.dropRemainder, op, "dropRemainder");
    const padded = o.paddedShapes !== undefined || o.paddingValue !== undefined;
    const padding: PaddingSpec | null = padded ? { paddedShapes: o.paddedShapes, paddingValue: o.paddingValue } : null;
    const n = this.size;
    const upstream = this;
    const batches = n === null || n === Infinity ? n : drop ? Math.floor(n / size) : Math.ceil(n / size);
    const plan = rowPlans.get(this);
    if (plan !== undefined && padding === null) return this.derive(() => batchRows(plan, size, drop), batches);
    return this.derive(() => batchElements(upstream[ITERATE](), size, drop, padding, op), batches);
  }

  /** Splits each element along its first dimension into separate elements (the inverse of `batch`). `ds.unbatch()` */
  unbatch(): Dataset<Unbatched<T>> {
    const upstream = this;
    return this.derive(() => unbatchElements(upstream[ITERATE](), "unbatch"), this.size === Infinity ? Infinity : null);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements (a buffer as large as the dataset gives a uniform shuffle).
   * Orders come from the library's Philox PRNG: a seed gives the same orders on every run, and without one
   * `tn.setSeed` does. TF.js's `shuffle(bufferSize, seed, reshuffleEachIteration)` works too (a string seed is
   * hashed). `ds.shuffle(1000, {seed: 42})`
   */
  shuffle(bufferSize: number, options?: ShuffleOptions | RandomSeed | string, reshuffleEachIteration?: boolean): Dataset<T> {
    const op = "shuffle";
    const size = assertInt(bufferSize, op, "bufferSize", 1);
    const positional = typeof options === "number" || typeof options === "string" || Array.isArray(options);
    const o = positional ? { seed: options, reshuffleEachIteration } : assertOptions(options, op, ["seed", "reshuffleEachIteration"]);
    const reshuffle = o.reshuffleEachIteration === undefined ? true : assertBool(o.reshuffleEachIteration, op, "reshuffleEachIteration");
    const seed = typeof o.seed === "string" ? hashString(o.seed) : (o.seed as RandomSeed | undefined);
    const base: PRNGKey = randomKey(seed, op);
    let epoch = 0;
    // The first order is the same either way; later iterations fold in their number.
    const nextKey = (): PRNGKey => {
      const e = reshuffle ? epoch++ : 0;
      return e === 0 ? base : foldIn(base, e % 0x100000000);
    };
    const upstream = this;
    const shuffled = this.derive<T>(() => shuffleElements(upstream[ITERATE](), size, nextKey()), this.size);
    // Shuffling row indices gives the same order as shuffling the rows.
    const plan = rowPlans.get(this);
    return plan === undefined ? shuffled : withRows(shuffled, { indices: () => shuffleIndices(plan.indices(), size, nextKey()), rows: plan.rows });
  }

  /** Repeats the dataset `count` times (forever without a count, or with -1). `ds.repeat(3)` */
  repeat(count?: number): Dataset<T> {
    const n = count === undefined ? Infinity : countArg(count, "repeat", "count");
    const size = this.size === 0 || n === 0 ? 0 : n === Infinity ? Infinity : this.size === null ? null : this.size * n;
    const upstream = this;
    return this.derive(() => repeatElements(() => upstream[ITERATE](), n), size);
  }

  /** The first `count` elements (all of them for -1). `ds.take(10)` */
  take(count: number): Dataset<T> {
    const n = countArg(count, "take", "count");
    const upstream = this;
    const size = this.size === null ? (n === 0 ? 0 : null) : Math.min(this.size, n);
    return this.derive(() => (n === Infinity ? upstream[ITERATE]() : takeElements(upstream[ITERATE](), n)), size);
  }

  /** All but the first `count` elements (none for -1). `ds.skip(10)` */
  skip(count: number): Dataset<T> {
    const n = countArg(count, "skip", "count");
    const upstream = this;
    const size = n === Infinity ? 0 : this.size === null ? null : Math.max(0, this.size - n);
    return this.derive(() => skipElements(upstream[ITERATE](), n), size);
  }

  /** Every `numShards`-th element starting at `index` (one worker's share). `ds.shard(4, workerIndex)` */
  shard(numShards: number, index: number): Dataset<T> {
    const op = "shard";
    const num = assertInt(numShards, op, "numShards", 1);
    const i = assertInt(index, op, "index", 0);
    if (i >= num) throw new ValueError(`${op}: index must be < numShards (${num}), got ${i}`);
    const n = this.size;
    const size = n === null || n === Infinity ? n : n > i ? Math.floor((n - 1 - i) / num) + 1 : 0;
    const upstream = this;
    return this.derive(() => shardElements(upstream[ITERATE](), num, i), size);
  }

  /** This dataset's elements, then `other`'s. `a.concatenate(b)` */
  concatenate<U>(other: Dataset<U>): Dataset<T | U> {
    if (!(other instanceof Dataset)) throw new ValueError(`concatenate: other must be a Dataset, got ${describeElement(other)}`);
    const a = this.size;
    const b = other.size;
    const upstream = this;
    return this.derive(() => concatElements([() => upstream[ITERATE](), () => other[ITERATE]()]), a === null || b === null ? null : a + b);
  }

  /**
   * Maps each element to a dataset (or iterable) and interleaves their elements: `cycleLength` of them at once,
   * `blockLength` elements from each in turn. `files.interleave((f) => tn.data.textLines(f), {cycleLength: 4})`
   */
  interleave<U>(fn: (value: T) => InnerDataset<U> | Promise<InnerDataset<U>>, options?: InterleaveOptions): Dataset<U> {
    const op = "interleave";
    if (typeof fn !== "function") throw new ValueError(`${op}: fn must be a function, got ${describeValue(fn)}`);
    const o = assertOptions(options, op, ["cycleLength", "blockLength"]);
    const cycle = o.cycleLength === undefined ? 4 : assertInt(o.cycleLength, op, "cycleLength", 1);
    const block = o.blockLength === undefined ? 1 : assertInt(o.blockLength, op, "blockLength", 1);
    const open = async (element: unknown, index: number): Promise<AsyncIterator<unknown>> => {
      let inner: unknown;
      try {
        inner = fn(element as T);
        if (isThenable(inner)) inner = await inner;
      } catch (error) {
        throw new PipelineError(`${op}: the function threw on element ${index}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, index, error);
      }
      return innerIterator(inner, op, index);
    };
    const upstream = this;
    return this.derive(() => interleaveElements(upstream[ITERATE](), open, cycle, block), null);
  }

  /**
   * Keeps the elements after the first complete iteration: in memory (no argument), or in a file (Node) that later
   * iterations, and later runs, read instead of recomputing. An iteration stopped early caches nothing. Each
   * iteration gets its own tensor handles, which the consumer may dispose.
   * `ds.map(decode).cache()`, `ds.cache("/tmp/train.cache")`
   */
  cache(filePath?: string): Dataset<T> {
    const upstream = this;
    if (filePath === undefined) {
      // The cache keeps its own handles on the elements' memory and hands out new ones on each iteration, so
      // consumers may dispose what they get.
      let cached: unknown[] | null = null;
      return this.derive(async function* () {
        if (cached !== null) {
          for (const x of cached) yield freshHandles(x);
          return;
        }
        const recorded: unknown[] = [];
        let complete = false;
        try {
          for await (const x of iterate(upstream[ITERATE]())) {
            recorded.push(disown(freshHandles(x)));
            yield x;
          }
          complete = true;
        } finally {
          if (complete && cached === null) cached = recorded;
          else for (const x of recorded) disposeTensors(x);
        }
      }, this.size);
    }
    if (typeof filePath !== "string" || filePath === "") throw new ValueError(`cache: filePath must be a non-empty string, got ${describeValue(filePath)}`);
    const factory = dataPlatform().fileCache;
    if (factory === null) throw new ValueError("cache: a file cache needs a file system (Node's entry point); use cache() to cache in memory");
    const store = factory(filePath);
    return this.derive(async function* () {
      const reader = await store.open();
      if (reader !== null) {
        yield* iterate(reader);
        return;
      }
      const writer = await store.create();
      let complete = false;
      try {
        for await (const x of iterate(upstream[ITERATE]())) {
          await writer.write(x);
          yield x;
        }
        complete = true;
      } finally {
        if (complete) await writer.commit();
        else await writer.abort();
      }
    }, this.size);
  }

  /**
   * Computes up to `bufferSize` elements ahead, so upstream work (worker maps, file reads) overlaps with what the
   * consumer does meanwhile (a training step). `ds.map(f, {parallel: 2}).prefetch(4)`
   */
  prefetch(bufferSize: number): Dataset<T> {
    const n = assertInt(bufferSize, "prefetch", "bufferSize", 1);
    const upstream = this;
    return this.derive(() => prefetchElements(upstream[ITERATE](), n), this.size);
  }

  /**
   * Sliding windows: arrays of `size` elements taken every `stride`, a new window every `shift` elements.
   * `tn.data.range(7).window(3, {shift: 2})` → [0,1,2], [2,3,4], [4,5,6], [6]
   */
  window(size: number, options?: WindowOptions): Dataset<T[]> {
    const op = "window";
    const w = assertInt(size, op, "size", 1);
    const o = assertOptions(options, op, ["shift", "stride", "dropRemainder"]);
    const shift = o.shift === undefined ? w : assertInt(o.shift, op, "shift", 1);
    const stride = o.stride === undefined ? 1 : assertInt(o.stride, op, "stride", 1);
    const drop = o.dropRemainder === undefined ? false : assertBool(o.dropRemainder, op, "dropRemainder");
    const n = this.size;
    const span = (w - 1) * stride + 1;
    const count = n === null || n === Infinity ? n : drop ? (n >= span ? Math.floor((n - span) / shift) + 1 : 0) : Math.ceil(n / shift);
    const upstream = this;
    return this.derive(() => windowElements(upstream[ITERATE](), w, shift, stride, drop), count);
  }

  /** All elements in an array (for small datasets). `await ds.toArray()` */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new ValueError("toArray: the dataset is infinite (repeat() without a count)");
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }

  /** Calls `f` on each element in order, awaiting it. `await ds.forEachAsync((x) => console.log(x))` */
  async forEachAsync(f: (value: T) => void | Promise<void>): Promise<void> {
    if (typeof f !== "function") throw new ValueError(`forEachAsync: f must be a function, got ${describeValue(f)}`);
    for await (const x of this) await f(x);
  }

  /**
   * Elements of several datasets together, as an array or object like `datasets`; ends with the shortest.
   * `tn.data.Dataset.zip([xs, ys])`, `zip({xs, ys})`
   */
  static zip<const D extends readonly Dataset<unknown>[] | { readonly [key: string]: Dataset<unknown> }>(datasets: D): Dataset<{ -readonly [K in keyof D]: D[K] extends Dataset<infer E> ? E : never }> {
    return zip(datasets);
  }
}

/** Batches of rows taken at once (see RowPlan). */
async function* batchRows(plan: RowPlan, size: number, dropRemainder: boolean): AsyncGenerator<unknown> {
  const it = plan.indices();
  for (;;) {
    const chunk = new Int32Array(size);
    let k = 0;
    while (k < size) {
      const r = it.next();
      if (r.done === true) break;
      chunk[k++] = r.value;
    }
    if (k === size) yield plan.rows(chunk);
    else {
      if (k > 0 && !dropRemainder) yield plan.rows(chunk.subarray(0, k));
      return;
    }
  }
}

/** The iterator of what an interleave function returned. */
function innerIterator(inner: unknown, op: string, index: number): AsyncIterator<unknown> {
  if (inner instanceof Dataset) return inner[ITERATE]();
  if (typeof inner === "object" && inner !== null) {
    if (Symbol.asyncIterator in inner) return (inner as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    if (Symbol.iterator in inner) {
      const it = (inner as Iterable<unknown>)[Symbol.iterator]();
      return (async function* () {
        for (let r = it.next(); r.done !== true; r = it.next()) yield r.value;
      })();
    }
  }
  throw new PipelineError(`${op}: the function must return a Dataset or an iterable for element ${index}, got ${describeElement(inner)}`, index);
}

/**
 * Elements of several datasets together, as an array or object like `datasets`; ends with the shortest.
 * `tn.data.zip({xs: images, ys: labels})`
 */
export function zip<const D extends readonly Dataset<unknown>[] | { readonly [key: string]: Dataset<unknown> }>(datasets: D): Dataset<{ -readonly [K in keyof D]: D[K] extends Dataset<infer E> ? E : never }> {
  const op = "zip";
  if (!Array.isArray(datasets) && !isPlainObject(datasets)) throw new ValueError(`zip: datasets must be an array or object of Datasets, got ${describeElement(datasets)}`);
  const entries = Object.entries(datasets as Record<string, unknown>);
  if (entries.length === 0) throw new ValueError(`${op}: datasets must hold at least one Dataset`);
  for (const [k, d] of entries) {
    if (!(d instanceof Dataset)) throw new ValueError(`${op}: datasets${Array.isArray(datasets) ? `[${k}]` : `.${k}`} must be a Dataset, got ${describeElement(d)}`);
  }
  const list = entries.map(([, d]) => d as Dataset<unknown>);
  const sizes = list.map((d) => d.size);
  const size = sizes.includes(null) ? (sizes.includes(0) ? 0 : null) : Math.min(...(sizes as number[]));
  const keys = entries.map(([k]) => k);
  const build = Array.isArray(datasets) ? (values: unknown[]) => values : (values: unknown[]) => Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  return new Dataset(() => zipElements(list.map((d) => d[ITERATE]()), build), size);
}
