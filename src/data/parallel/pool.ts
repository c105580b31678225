/**
 * `map(fn, {parallel: n})`: a pool of n workers fed through a bounded window (at most 2n chunks in flight, so a
 * fast source cannot flood memory), results in input order (or as they finish with `ordered: false`).
 *
 * Elements travel in chunks: one element per message while the function is slow, more when it is cheap (about
 * CHUNK_TARGET_MS of work, at most CHUNK_MAX elements and CHUNK_MAX_BYTES), so a cheap per-element function does not
 * spend the main thread's time on messages. The workers run below the main thread's priority where the platform
 * allows it (Linux), so the training step consuming the pipeline keeps its core and the workers take the rest.
 *
 * Nothing hangs: a throwing function rejects its element with a PipelineError naming the element's index; a worker
 * that dies rejects everything it held; with `timeout`, an element that takes longer stops its worker and fails
 * (elements then travel one per message, so the clock is per element). The workers are terminated when an
 * iteration fails or is stopped early (`break`, `take`); after an iteration that ran to its end they wait a few
 * seconds for the next one (the next epoch). Idle workers never keep a Node process alive.
 */
import { ValueError } from "../../core/errors.js";
import { disposeOwned } from "../element.js";
import { describeThrown, PipelineError } from "../errors.js";
import { dataPlatform, type WorkerHandle } from "../platform.js";
import { decodeElement, encodeElement, payloadBytes, type FromWorker, type FunctionSpec } from "./protocol.js";

/** A map function a worker imports: the module (a URL, or a file path on Node) and the name of its export. */
export interface ModuleFunction {
  readonly module: string | URL;
  readonly export: string;
}

export interface ParallelOptions {
  parallel: number;
  ordered: boolean;
  /** Milliseconds one element may take (null: no limit). */
  timeout: number | null;
  /** Run the workers below the main thread's priority (where the platform can). */
  lowPriority: boolean;
}

/** Work per chunk the pool aims for (ms): the per-message cost (~10-20 µs each way) stays a few percent of it. */
export const CHUNK_TARGET_MS = 1;
/** The most elements in one chunk. */
export const CHUNK_MAX = 64;
/** The most element bytes (tensors, typed arrays) in one chunk, so large elements travel one by one. */
export const CHUNK_MAX_BYTES = 1 << 20;

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Task {
  /** The index of the chunk's first element. */
  readonly index: number;
  readonly count: number;
  readonly resolve: (results: Settled[]) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Slot {
  readonly number: number;
  readonly handle: WorkerHandle;
  /** Tasks sent to this worker, in the order it runs them. */
  readonly pending: Map<number, Task>;
  /** Elements in those tasks. */
  load: number;
  alive: boolean;
  /** The function is set up: a task's clock runs from when the worker can start it. */
  ready: boolean;
}

const SOURCE_HINT =
  "; the function was sent to the worker as source text, so it cannot use variables from the scope it was written in " +
  "(only its argument and `tn`: the ops and tn.image): make it self-contained, or pass {module, export}";

/** What a worker needs to rebuild `fn`, with the errors a person can act on. */
export function functionSpec(fn: unknown, op: string): FunctionSpec {
  if (typeof fn === "function") {
    let source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new ValueError(`${op}: a function run on workers must have source text, got a native or bound function; pass {module, export} instead`);
    }
    if (!compiles(source)) {
      // A method (`name(x) {…}`) prints without `function`.
      const method = source.startsWith("async ") ? `async function ${source.slice(6)}` : `function ${source}`;
      if (!compiles(method)) throw new ValueError(`${op}: the function's source text cannot be rebuilt in a worker: ${source.slice(0, 80)}`);
      source = method;
    }
    return { kind: "source", source };
  }
  if (typeof fn === "object" && fn !== null && "module" in fn) {
    const m = fn as Partial<ModuleFunction>;
    if (!(typeof m.module === "string" || m.module instanceof URL) || typeof m.export !== "string" || m.export === "") {
      throw new ValueError(`${op}: a module function must be {module: URL or path, export: name}, got ${JSON.stringify(fn)}`);
    }
    return { kind: "module", url: dataPlatform().resolveModule(m.module), exportName: m.export };
  }
  throw new ValueError(`${op}: fn must be a function or {module, export}, got ${fn === null ? "null" : typeof fn}`);
}

function compiles(source: string): boolean {
  try {
    new Function(`return (${source}\n);`);
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private failure: PipelineError | null = null;
  private nextId = 0;
  private closed = false;
  /** Running means of the worker's time and the bytes per element, to size chunks (null: not measured yet). */
  private msPerElement: number | null = null;
  private bytesPerElement = 0;

  constructor(
    n: number,
    private readonly spec: FunctionSpec,
    private readonly timeout: number | null,
    private readonly op: string,
    lowPriority = true,
  ) {
    const create = dataPlatform().createWorker;
    if (create === null) {
      throw new ValueError(`${op}: parallel > 1 needs worker threads, which this platform lacks (on Node, import tensile's Node entry)`);
    }
    for (let k = 0; k < n; k++) {
      const slot: Slot = { number: k, handle: create(), pending: new Map(), load: 0, alive: true, ready: false };
      slot.handle.onMessage((m) => this.receive(slot, m as FromWorker));
      slot.handle.onFailure((error) => this.fail(slot, null, `worker thread ${k} failed: ${describeThrown(error)}`));
      slot.handle.post({ type: "init", fn: spec, lowPriority }, []);
      this.slots.push(slot);
    }
  }

  /** How many elements the next chunk should hold: 1 until the function has been timed, and always with a timeout. */
  chunkSize(): number {
    if (this.timeout !== null || this.msPerElement === null) return 1;
    let k = Math.floor(CHUNK_TARGET_MS / Math.max(this.msPerElement, 1e-4));
    if (this.bytesPerElement > 0) k = Math.min(k, Math.floor(CHUNK_MAX_BYTES / this.bytesPerElement));
    return Math.max(1, Math.min(CHUNK_MAX, k));
  }

  /**
   * Sends consecutive elements (the first is element `index`) to the least busy worker in one message; resolves to
   * one result per element, failures included (it never rejects).
   */
  submit(index: number, elements: readonly unknown[]): Promise<Settled[]> {
    const failed = (error: (i: number) => unknown): Promise<Settled[]> => Promise.resolve(elements.map((_, k) => ({ ok: false, error: error(index + k) })));
    if (this.failure !== null) {
      const failure = this.failure;
      return failed(() => failure);
    }
    if (this.closed) return failed((i) => new PipelineError(`${this.op}: the worker pool is closed`, i));
    const slot = this.slots.filter((s) => s.alive).reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    let bytes = 0;
    try {
      const encoded = elements.map((e) => encodeElement(e, transfer));
      for (const e of encoded) bytes += payloadBytes(e);
      slot.handle.post({ type: "task", id, elements: encoded }, transfer);
    } catch (error) {
      // Something in the chunk cannot be cloned: send the elements one by one, so the error names its element.
      if (elements.length > 1) return Promise.all(elements.map((e, k) => this.submit(index + k, [e]))).then((parts) => parts.flat());
      return failed((i) => new PipelineError(`${this.op}: element ${i} cannot be sent to a worker thread: ${describeThrown(error)}`, i, error));
    }
    this.bytesPerElement = bytes / elements.length;
    for (const e of elements) disposeOwned(e);
    return new Promise((resolve) => {
      const task: Task = { index, count: elements.length, resolve, timer: null };
      slot.pending.set(id, task);
      slot.load += task.count;
      if (slot.pending.size === 1) {
        slot.handle.setActive(true);
        this.startClock(slot, task);
      }
    });
  }

  private startClock(slot: Slot, task: Task): void {
    if (this.timeout === null || !slot.ready) return;
    task.timer = setTimeout(() => {
      const message = `element ${task.index} did not finish within ${this.timeout} ms (timeout) in worker thread ${slot.number}, which was stopped`;
      this.fail(slot, task, message);
    }, this.timeout);
  }

  private receive(slot: Slot, m: FromWorker): void {
    if (m.type === "ready") {
      slot.ready = true;
      const head = slot.pending.values().next();
      if (!head.done) this.startClock(slot, head.value);
      return;
    }
    if (m.type === "init-error") {
      const hint = this.spec.kind === "source" && m.name === "SyntaxError" ? ": its source text does not parse on its own" : "";
      this.fail(slot, null, `the function could not be set up in worker thread ${slot.number}: ${m.name}: ${m.message}${hint}`);
      return;
    }
    const task = slot.pending.get(m.id);
    if (task === undefined) return;
    slot.pending.delete(m.id);
    slot.load -= task.count;
    if (task.timer !== null) clearTimeout(task.timer);
    const next = slot.pending.values().next();
    if (next.done) slot.handle.setActive(false);
    else this.startClock(slot, next.value);
    if (m.error === null && m.elements.length > 0) {
      const ms = m.ms / m.elements.length;
      this.msPerElement = this.msPerElement === null ? ms : 0.7 * this.msPerElement + 0.3 * ms;
    }
    const results: Settled[] = m.elements.map((element, k) => {
      try {
        return { ok: true, value: decodeElement(element) };
      } catch (error) {
        const i = task.index + k;
        return { ok: false, error: new PipelineError(`${this.op}: the result of element ${i} could not be rebuilt: ${describeThrown(error)}`, i, error) };
      }
    });
    if (m.error !== null) {
      const i = task.index + m.error.offset;
      const cause = new Error(m.error.message);
      cause.name = m.error.name;
      cause.stack = m.error.stack;
      const hint = m.error.name === "ReferenceError" && this.spec.kind === "source" ? SOURCE_HINT : "";
      const message = `${this.op}: the function threw on element ${i} (in worker thread ${slot.number}): ${m.error.name}: ${m.error.message}${hint}`;
      results.push({ ok: false, error: new PipelineError(message, i, cause) });
      for (let k = results.length; k < task.count; k++) {
        results.push({ ok: false, error: new PipelineError(`${this.op}: element ${task.index + k} was not run: element ${i} threw`, task.index + k) });
      }
    }
    task.resolve(results);
  }

  /** Stops a worker and fails what it held; the pool takes no more work. */
  private fail(slot: Slot, culprit: Task | null, what: string): void {
    if (!slot.alive) return;
    slot.alive = false;
    slot.handle.terminate();
    const first = culprit ?? slot.pending.values().next().value ?? null;
    const error = new PipelineError(`${this.op}: ${what}`, first?.index ?? -1);
    if (this.failure === null) this.failure = error;
    const lost = (i: number): Settled => ({ ok: false, error: new PipelineError(`${this.op}: element ${i} was lost: ${what}`, i) });
    for (const task of slot.pending.values()) {
      if (task.timer !== null) clearTimeout(task.timer);
      task.resolve(Array.from({ length: task.count }, (_, k) => (task === first && k === 0 ? { ok: false, error } : lost(task.index + k))));
    }
    slot.pending.clear();
    slot.load = 0;
  }

  /** No worker failed and the pool is open (it can serve another iteration). */
  get healthy(): boolean {
    return !this.closed && this.failure === null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      for (const task of slot.pending.values()) if (task.timer !== null) clearTimeout(task.timer);
      slot.pending.clear();
      slot.load = 0;
      slot.alive = false;
      slot.handle.terminate();
    }
  }
}

/** How long the workers of a finished iteration wait (without keeping the process alive) for the next epoch. */
export const KEEP_ALIVE_MS = 3000;

/**
 * The worker pool of one `map` stage across iterations: an iteration that runs to its end parks its pool, and the
 * next iteration (the next epoch) reuses it instead of starting threads again; an idle pool closes after
 * KEEP_ALIVE_MS. An iteration stopped early (break, take, an error) closes its pool at once.
 */
export class PoolKeeper {
  private idle: WorkerPool | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly create: () => WorkerPool) {}

  acquire(): WorkerPool {
    const pool = this.idle;
    if (pool === null) return this.create();
    this.idle = null;
    if (this.timer !== null) clearTimeout(this.timer);
    if (pool.healthy) return pool;
    pool.close(); // a worker died while it waited
    return this.create();
  }

  park(pool: WorkerPool): void {
    if (this.idle !== null || !pool.healthy) {
      pool.close();
      return;
    }
    this.idle = pool;
    this.timer = setTimeout(() => {
      this.idle?.close();
      this.idle = null;
    }, KEEP_ALIVE_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }
}

/** Pools abandoned without being closed (an iterator dropped mid-way) are stopped when collected. */
const abandoned = new FinalizationRegistry<{ pool: WorkerPool | null }>((holder) => holder.pool?.close());

/** A keeper for one map stage. */
export function poolKeeper(spec: FunctionSpec, options: ParallelOptions, op: string): PoolKeeper {
  return new PoolKeeper(() => new WorkerPool(options.parallel, spec, options.timeout, op, options.lowPriority));
}

/** The elements of `upstream` mapped on worker threads (started, or taken from `keeper`, at the first `next()`). */
export function parallelMap(upstream: AsyncIterator<unknown>, keeper: PoolKeeper, options: ParallelOptions): AsyncGenerator<unknown> {
  const holder: Lease = { pool: null, keeper };
  const limit = 2 * options.parallel;
  const gen = options.ordered ? ordered(upstream, holder, limit) : unordered(upstream, holder, limit);
  abandoned.register(gen, holder);
  return gen;
}

interface Lease {
  pool: WorkerPool | null;
  readonly keeper: PoolKeeper;
}

function acquire(lease: Lease): WorkerPool {
  return (lease.pool = lease.keeper.acquire());
}

/** Ends a lease: a finished iteration parks the pool for the next one, any other end closes it. */
function release(lease: Lease, finished: boolean): void {
  const pool = lease.pool;
  lease.pool = null;
  if (pool === null) return;
  if (finished) lease.keeper.park(pool);
  else pool.close();
}

/**
 * Up to `size` next elements of `upstream`: fewer at its end, or once filling the chunk has taken longer than
 * CHUNK_TARGET_MS (a slow source does not hold elements back to fill a chunk).
 */
async function pullChunk(upstream: AsyncIterator<unknown>, size: number): Promise<{ elements: unknown[]; done: boolean }> {
  const elements: unknown[] = [];
  const t0 = performance.now();
  while (elements.length < size) {
    const r = await upstream.next();
    if (r.done === true) return { elements, done: true };
    elements.push(r.value);
    if (performance.now() - t0 > CHUNK_TARGET_MS) break;
  }
  return { elements, done: false };
}

function disposeResults(results: readonly Settled[], from = 0): void {
  for (let k = from; k < results.length; k++) {
    const s = results[k];
    if (s.ok) disposeOwned(s.value);
  }
}

async function* ordered(upstream: AsyncIterator<unknown>, lease: Lease, limit: number): AsyncGenerator<unknown> {
  const pool = acquire(lease);
  const window: Promise<Settled[]>[] = [];
  let head: Settled[] = [];
  let at = 0;
  let sent = 0;
  let done = false;
  let finished = false;
  try {
    for (;;) {
      while (!done && window.length < limit) {
        const chunk = await pullChunk(upstream, pool.chunkSize());
        done = chunk.done;
        if (chunk.elements.length > 0) {
          window.push(pool.submit(sent, chunk.elements));
          sent += chunk.elements.length;
        }
      }
      if (at === head.length) {
        if (window.length === 0) {
          finished = true;
          return;
        }
        head = await window.shift()!;
        at = 0;
        continue;
      }
      const s = head[at++];
      if (!s.ok) throw s.error;
      yield s.value;
    }
  } finally {
    release(lease, finished);
    disposeResults(head, at);
    for (const p of window) void p.then((results) => disposeResults(results));
    if (!done) await upstream.return?.();
  }
}

async function* unordered(upstream: AsyncIterator<unknown>, lease: Lease, limit: number): AsyncGenerator<unknown> {
  const pool = acquire(lease);
  const results: Settled[] = [];
  let wake: (() => void) | null = null;
  let inFlight = 0;
  let sent = 0;
  let done = false;
  let finished = false;
  try {
    for (;;) {
      // Chunks in flight plus the finished results waiting to be taken (counted in chunks) stay within the window.
      while (!done && inFlight + Math.ceil(results.length / pool.chunkSize()) < limit) {
        const chunk = await pullChunk(upstream, pool.chunkSize());
        done = chunk.done;
        if (chunk.elements.length === 0) break;
        inFlight++;
        void pool.submit(sent, chunk.elements).then((settled) => {
          inFlight--;
          results.push(...settled);
          wake?.();
        });
        sent += chunk.elements.length;
      }
      if (results.length === 0) {
        if (inFlight === 0) {
          finished = true;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const s = results.shift()!;
      if (!s.ok) throw s.error;
      yield s.value;
    }
  } finally {
    release(lease, finished);
    disposeResults(results);
    results.length = 0;
    if (!done) await upstream.return?.();
  }
}
