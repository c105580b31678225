/**
 * The worker side of `map(fn, {parallel})`, shared by the Node (worker_threads) and browser (web worker) entries:
 * rebuilds the function, then runs one chunk of elements at a time: decode each element, call the function, and
 * send the chunk's results back in one message (tensors as typed arrays), or those before the element that threw
 * with the error's name, message and stack.
 */
import { decodeElement, disposeAll, encodeElement, type FromWorker, type FunctionSpec, type ThrownInWorker, type ToWorker } from "./protocol.js";
import { workerLib } from "./worker-lib.js";

/** The worker's end of the channel. */
export interface WorkerEndpoint {
  post(message: FromWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (message: ToWorker) => void): void;
  /** Lowers this thread's scheduling priority below the main thread's, where the platform can (Linux). */
  lowerPriority?(): void;
}

type MapFunction = (element: unknown) => unknown;

/** `__name` is what esbuild/tsx's keepNames inserts into function bodies; it is a no-op here. */
const keepName = <F>(f: F): F => f;

async function buildFunction(spec: FunctionSpec, lib: Readonly<Record<string, unknown>>): Promise<MapFunction> {
  if (spec.kind === "module") {
    const mod = (await import(spec.url)) as Record<string, unknown>;
    const fn = mod[spec.exportName];
    if (typeof fn !== "function") {
      const found = Object.keys(mod).filter((k) => typeof mod[k] === "function");
      throw new TypeError(`${spec.url} has no function export '${spec.exportName}' (its function exports: ${found.join(", ") || "none"})`);
    }
    return fn as MapFunction;
  }
  // A function sent as text: only `tn` (the ops) and its own parameters are in scope.
  const make = new Function("tn", "__name", `"use strict";\nreturn (${spec.source}\n);`) as (tn: unknown, name: unknown) => unknown;
  const fn = make(lib, keepName);
  if (typeof fn !== "function") throw new TypeError(`the source text does not evaluate to a function: ${spec.source.slice(0, 80)}`);
  return fn as MapFunction;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function thrown(error: unknown, offset: number): ThrownInWorker {
  const e = error instanceof Error ? error : new Error(String(error));
  return { offset, name: e.name, message: e.message, stack: e.stack ?? "" };
}

/** Serves tasks on `endpoint` until the worker is terminated; `lib` is the `tn` of functions sent as source text. */
export function serveWorker(endpoint: WorkerEndpoint, lib: Readonly<Record<string, unknown>> = workerLib): void {
  let fn: Promise<MapFunction> | null = null;
  let queue: Promise<void> = Promise.resolve();

  const run = async (id: number, chunk: readonly unknown[]): Promise<void> => {
    const results: unknown[] = [];
    const transfer: ArrayBuffer[] = [];
    const made: unknown[] = [];
    let error: ThrownInWorker | null = null;
    let t0 = performance.now();
    try {
      const f = await fn!;
      t0 = performance.now();
      for (let k = 0; k < chunk.length; k++) {
        try {
          const input = decodeElement(chunk[k]);
          made.push(input);
          const r = f(input);
          const output = isThenable(r) ? await r : r;
          made.push(output);
          results.push(encodeElement(output, transfer));
        } catch (e) {
          error = thrown(e, k);
          break;
        }
      }
      endpoint.post({ type: "result", id, elements: results, error, ms: performance.now() - t0 }, transfer);
    } catch (e) {
      // An output cannot be sent (it holds a function, a class instance…): find which, send those before it.
      const bad = results.findIndex((r) => !cloneable(r));
      const k = bad === -1 ? 0 : bad;
      const sendable = results.slice(0, k);
      endpoint.post({ type: "result", id, elements: sendable, error: thrown(e, k), ms: performance.now() - t0 }, []);
    } finally {
      for (const v of made) disposeAll(v);
    }
  };

  endpoint.onMessage((message) => {
    if (message.type === "init") {
      if (message.lowPriority) endpoint.lowerPriority?.();
      fn = buildFunction(message.fn, lib);
      fn.then(
        () => endpoint.post({ type: "ready" }, []),
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          endpoint.post({ type: "init-error", name: e.name, message: e.message }, []);
        },
      );
      return;
    }
    if (message.type === "task") {
      const { id, elements } = message;
      queue = queue.then(() => run(id, elements));
    }
  });
}
