/**
 * The stages of a pipeline as async generators over an upstream iterator. Each stage pulls only what it needs
 * (`take` never reads past its count), passes `return()` upstream when it stops early, and disposes the pipeline's
 * own tensors it drops (filtered, skipped, left in a buffer), so iteration keeps live tensors bounded.
 */
import { PhiloxStream, type PRNGKey } from "../core/prng.js";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { collate, split, type PaddingSpec } from "./batching.js";
import { describeElement, disown, disposeOwned, freshHandles, ownNew, tensorIdMark, tensorsOf } from "./element.js";
import { describeThrown, PipelineError } from "./errors.js";

/** `for await` over an iterator (which calls its `return()` on break or error). */
export function iterate<T>(it: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => it };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function withTimeout<T>(p: PromiseLike<T>, ms: number | null, onTimeout: () => Error): Promise<T> {
  if (ms === null) return Promise.resolve(p);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * `map` on the main thread. A synchronous function runs inside `tidy` (its intermediate tensors are released at
 * once); the first element shows whether it returns promises, and those are awaited (with `timeout`, if given).
 * Inputs the pipeline made are disposed unless the output reuses them; outputs made by the function are owned.
 */
export async function* mapSerial(up: AsyncIterator<unknown>, fn: (x: unknown) => unknown, timeout: number | null, op: string): AsyncGenerator<unknown> {
  let index = 0;
  let sync: boolean | null = null;
  for await (const input of iterate(up)) {
    const mark = tensorIdMark();
    let output: unknown;
    try {
      if (sync === true) {
        output = tidy(() => fn(input));
      } else {
        const r = fn(input);
        sync = !isThenable(r);
        output = sync ? r : await withTimeout(r as PromiseLike<unknown>, timeout, () => new Error(`did not finish within ${timeout} ms (timeout)`));
      }
    } catch (error) {
      throw new PipelineError(`${op}: the function threw on element ${index}: ${describeThrown(error)}`, index, error);
    }
    ownNew(output, mark);
    disposeOwned(input, tensorsOf(output));
    index++;
    yield output;
  }
}

/** Keeps the elements for which `predicate` is true (a boolean, or a scalar tensor). */
export async function* filterElements(up: AsyncIterator<unknown>, predicate: (x: unknown) => unknown, op: string): AsyncGenerator<unknown> {
  let index = 0;
  for await (const x of iterate(up)) {
    let keep: unknown;
    try {
      keep = predicate(x);
      if (isThenable(keep)) keep = await keep;
    } catch (error) {
      throw new PipelineError(`${op}: the predicate threw on element ${index}: ${describeThrown(error)}`, index, error);
    }
    if (keep instanceof Tensor) {
      if (keep.size !== 1) throw new PipelineError(`${op}: the predicate returned a tensor of shape [${keep.shape.join(",")}] for element ${index}, expected a boolean or a scalar`, index);
      keep = keep.dataSync()[0] !== 0;
    }
    if (typeof keep !== "boolean") {
      throw new PipelineError(`${op}: the predicate returned ${describeElement(keep)} for element ${index}, expected a boolean`, index);
    }
    index++;
    if (keep) yield x;
    else disposeOwned(x);
  }
}

export async function* batchElements(up: AsyncIterator<unknown>, size: number, dropRemainder: boolean, padding: PaddingSpec | null, op: string): AsyncGenerator<unknown> {
  let rows: unknown[] = [];
  try {
    for await (const x of iterate(up)) {
      rows.push(x);
      if (rows.length === size) {
        const batch = collate(rows, padding, op);
        disposeOwned(rows);
        rows = [];
        yield batch;
      }
    }
    if (rows.length > 0 && !dropRemainder) {
      const batch = collate(rows, padding, op);
      disposeOwned(rows);
      rows = [];
      yield batch;
    }
  } finally {
    disposeOwned(rows);
  }
}

export async function* unbatchElements(up: AsyncIterator<unknown>, op: string): AsyncGenerator<unknown> {
  for await (const x of iterate(up)) {
    const rows = split(x, op);
    disposeOwned(x);
    let i = 0;
    try {
      for (; i < rows.length; i++) yield rows[i];
    } finally {
      if (i < rows.length) disposeOwned(rows.slice(i + 1)); // stopped early: the rows not handed out
    }
  }
}

/**
 * TF's shuffle buffer: holds up to `size` elements; once full, each new element replaces a uniformly drawn one, which
 * comes out. Shared by the element and the row-index shuffles, so both make the same draws.
 */
class ShuffleBuffer<T> {
  readonly items: T[] = [];
  private readonly random: PhiloxStream;

  constructor(
    private readonly size: number,
    key: PRNGKey,
  ) {
    this.random = new PhiloxStream(key);
  }

  /** Adds `x`; once the buffer is full, returns the element `x` displaced. */
  offer(x: T): { displaced: true; value: T } | { displaced: false } {
    if (this.items.length < this.size) {
      this.items.push(x);
      return { displaced: false };
    }
    const j = this.random.nextBelow(this.size);
    const value = this.items[j];
    this.items[j] = x;
    return { displaced: true, value };
  }

  /** The remaining elements in random order, emptying the buffer. */
  *drain(): Generator<T> {
    while (this.items.length > 0) {
      const j = this.random.nextBelow(this.items.length);
      const out = this.items[j];
      this.items[j] = this.items[this.items.length - 1];
      this.items.pop();
      yield out;
    }
  }
}

/** A uniform sample from a buffer of `bufferSize` elements, refilled from upstream (TF's shuffle). */
export async function* shuffleElements(up: AsyncIterator<unknown>, bufferSize: number, key: PRNGKey): AsyncGenerator<unknown> {
  const buffer = new ShuffleBuffer<unknown>(bufferSize, key);
  try {
    for await (const x of iterate(up)) {
      const out = buffer.offer(x);
      if (out.displaced) yield out.value;
    }
    yield* buffer.drain();
  } finally {
    disposeOwned(buffer.items);
  }
}

/**
 * `shuffleElements` for row indices (a row plan's order): the same buffer and the same draws, so the indices come
 * out in the order the rows would, without an await per index.
 */
export function* shuffleIndices(up: Iterator<number>, bufferSize: number, key: PRNGKey): Generator<number> {
  const buffer = new ShuffleBuffer<number>(bufferSize, key);
  for (let r = up.next(); r.done !== true; r = up.next()) {
    const out = buffer.offer(r.value);
    if (out.displaced) yield out.value;
  }
  yield* buffer.drain();
}

export async function* takeElements(up: AsyncIterator<unknown>, count: number): AsyncGenerator<unknown> {
  if (count <= 0) {
    await up.return?.();
    return;
  }
  let n = 0;
  for await (const x of iterate(up)) {
    yield x;
    if (++n >= count) break;
  }
}

export async function* skipElements(up: AsyncIterator<unknown>, count: number): AsyncGenerator<unknown> {
  let n = 0;
  for await (const x of iterate(up)) {
    if (n < count) {
      n++;
      disposeOwned(x);
      continue;
    }
    yield x;
  }
}

export async function* shardElements(up: AsyncIterator<unknown>, numShards: number, index: number): AsyncGenerator<unknown> {
  let i = 0;
  for await (const x of iterate(up)) {
    if (i++ % numShards === index) yield x;
    else disposeOwned(x);
  }
}

export async function* repeatElements(source: () => AsyncIterator<unknown>, count: number): AsyncGenerator<unknown> {
  for (let r = 0; r < count; r++) {
    let any = false;
    for await (const x of iterate(source())) {
      any = true;
      yield x;
    }
    if (!any) return; // repeating nothing forever would never yield
  }
}

export async function* concatElements(sources: readonly (() => AsyncIterator<unknown>)[]): AsyncGenerator<unknown> {
  for (const source of sources) {
    for await (const x of iterate(source())) yield x;
  }
}

/** Windows of `size` elements taken every `stride`, starting every `shift` elements; each window is an array of elements. */
export async function* windowElements(up: AsyncIterator<unknown>, size: number, shift: number, stride: number, dropRemainder: boolean): AsyncGenerator<unknown[]> {
  const span = (size - 1) * stride + 1;
  let buffer: unknown[] = [];
  let base = 0; // index of buffer[0]
  let start = 0;
  let ended = false;
  try {
    for (;;) {
      while (!ended && base + buffer.length < start + span) {
        const r = await up.next();
        if (r.done === true) ended = true;
        else if (base + buffer.length < start) {
          disposeOwned(r.value); // between windows (shift > span)
          base++;
        } else buffer.push(r.value);
      }
      const available = base + buffer.length - start;
      if (available <= 0 || (available < span && dropRemainder)) return;
      // Overlapping windows share elements: each window gets its own handles.
      const window: unknown[] = [];
      for (let j = start - base; j < buffer.length && window.length < size; j += stride) window.push(freshHandles(buffer[j]));
      start += shift;
      const dropped = Math.min(start - base, buffer.length);
      disposeOwned(buffer.slice(0, dropped));
      buffer = buffer.slice(dropped);
      base += dropped;
      yield window;
    }
  } finally {
    disposeOwned(buffer);
    if (!ended) await up.return?.();
  }
}

/** Iterators of what an interleave function returns (a Dataset, an async or sync iterable). */
export type Opener = (element: unknown, index: number) => Promise<AsyncIterator<unknown>>;

/**
 * Cycles through `cycleLength` inner iterators opened from successive upstream elements, taking `blockLength`
 * elements from each in turn; an exhausted one is replaced by the next upstream element's (TF's interleave).
 */
export async function* interleaveElements(up: AsyncIterator<unknown>, open: Opener, cycleLength: number, blockLength: number): AsyncGenerator<unknown> {
  const slots: (AsyncIterator<unknown> | null)[] = new Array(cycleLength).fill(null);
  let upstreamDone = false;
  let opened = 0;
  const next = async (): Promise<AsyncIterator<unknown> | null> => {
    if (upstreamDone) return null;
    const r = await up.next();
    if (r.done === true) {
      upstreamDone = true;
      return null;
    }
    return open(disown(r.value), opened++); // the function's to keep (an inner dataset may hold it)
  };
  try {
    for (;;) {
      for (let s = 0; s < cycleLength; s++) {
        let it = slots[s] ?? (slots[s] = await next());
        let got = 0;
        while (it !== null && got < blockLength) {
          const r = await it.next();
          if (r.done === true) {
            // An exhausted iterator yields its slot; an empty one is replaced at once.
            it = slots[s] = got === 0 ? await next() : null;
            if (got > 0) break;
            continue;
          }
          got++;
          yield r.value;
        }
      }
      if (upstreamDone && slots.every((it) => it === null)) return;
    }
  } finally {
    for (const it of slots) await it?.return?.();
    if (!upstreamDone) await up.return?.();
  }
}

/** A structure of iterators advanced together; ends with the shortest. */
export async function* zipElements(iterators: readonly AsyncIterator<unknown>[], build: (values: unknown[]) => unknown): AsyncGenerator<unknown> {
  try {
    for (;;) {
      const results = await Promise.all(iterators.map((it) => it.next()));
      if (results.some((r) => r.done === true)) {
        for (const r of results) if (r.done !== true) disposeOwned(r.value);
        return;
      }
      yield build(results.map((r) => r.value));
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

/**
 * Keeps up to `n` elements requested ahead: upstream work (a worker pool, file reads, async maps) goes on while the
 * consumer is busy (a training step that yields to the event loop).
 */
export async function* prefetchElements(up: AsyncIterator<unknown>, n: number): AsyncGenerator<unknown> {
  const queue: Promise<IteratorResult<unknown>>[] = [];
  let ended = false;
  const fill = (): void => {
    while (!ended && queue.length < n) {
      const p = up.next();
      p.then(
        (r) => {
          if (r.done === true) ended = true;
        },
        () => {
          ended = true;
        },
      );
      queue.push(p);
    }
  };
  try {
    fill();
    for (;;) {
      const r = await queue.shift()!;
      if (r.done === true) return;
      fill();
      yield r.value;
    }
  } finally {
    for (const p of queue) p.then((r) => r.done !== true && disposeOwned(r.value), () => {});
    queue.length = 0;
    await up.return?.();
  }
}
