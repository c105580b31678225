/**
 * Messages between the pipeline and its workers. Functions cannot cross threads, so a map function travels as its
 * source text or as a module to import; tensors cross as typed array + shape + dtype (the array's buffer is
 * transferred, not copied) and are rebuilt on the other side.
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import { fromValues } from "../../ops/convert.js";
import { Tensor } from "../../tensor/tensor.js";
import { isPlainObject, isTypedArray, own } from "../element.js";

/**
 * How many nice steps a low-priority worker goes below the thread that started it (where threads have their own
 * priority: Linux), capped at 19. With the trainer at 0 and workers at 19, the scheduler gives the trainer ~98% of
 * a core it shares with a worker, so a training step keeps a core and the workers take what is left. Measured with
 * bench/data-pipeline.ts (Linux 6.18, 2 cores): the training steps ran 15-19% slower beside workers at nice 10,
 * 3-7% slower at nice 19.
 */
export const WORKER_NICE = 19;

/** A tensor in a message. */
export interface EncodedTensor {
  readonly $tensileTensor: 1;
  readonly data: TypedArray;
  readonly shape: number[];
  readonly dtype: DType;
}

/** The function a worker runs: source text (self-contained) or an export of a module. */
export type FunctionSpec = { readonly kind: "source"; readonly source: string } | { readonly kind: "module"; readonly url: string; readonly exportName: string };

export type ToWorker =
  | { readonly type: "init"; readonly fn: FunctionSpec; readonly lowPriority: boolean }
  /** A chunk of consecutive elements (one message for several cheap elements). */
  | { readonly type: "task"; readonly id: number; readonly elements: readonly unknown[] };

/** An error thrown by the function, on element `offset` of its chunk. */
export interface ThrownInWorker {
  readonly offset: number;
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "init-error"; readonly name: string; readonly message: string }
  /**
   * The results of a chunk, in order: all of them, or those before the element that threw (`error`). `ms`: the
   * worker's time on the chunk, from which the pool sizes the next chunks.
   */
  | { readonly type: "result"; readonly id: number; readonly elements: readonly unknown[]; readonly error: ThrownInWorker | null; readonly ms: number };

interface TensorLikeValue {
  shape: readonly number[];
  dtype: DType;
  dataSync(): TypedArray;
  dispose?(): void;
}

/** A tensor, possibly from another copy of the library (a module a worker imports may load its own). */
function asTensorLike(v: unknown): TensorLikeValue | null {
  if (v instanceof Tensor) return v;
  if (typeof v !== "object" || v === null) return null;
  const t = v as Partial<TensorLikeValue>;
  return Array.isArray(t.shape) && typeof t.dtype === "string" && typeof t.dataSync === "function" ? (t as TensorLikeValue) : null;
}

/**
 * Below this size a buffer is copied into the message rather than transferred: moving a buffer costs more than
 * copying a few kilobytes (measured with Node 20: a 3 KiB array copies in ~2 µs, transfers in ~3 µs).
 */
export const TRANSFER_MIN_BYTES = 16 * 1024;

/** An element with its tensors as typed arrays (fresh copies; the buffers of large ones go in `transfer`). */
export function encodeElement(value: unknown, transfer: ArrayBuffer[], depth = 0): unknown {
  const t = asTensorLike(value);
  if (t !== null) {
    const data = t.dataSync();
    const buffer = data.buffer;
    if (buffer instanceof ArrayBuffer && data.byteLength >= TRANSFER_MIN_BYTES && data.byteLength === buffer.byteLength && !transfer.includes(buffer)) {
      transfer.push(buffer);
    }
    const encoded: EncodedTensor = { $tensileTensor: 1, data, shape: t.shape.slice(), dtype: t.dtype };
    return encoded;
  }
  if (depth > 32 || typeof value !== "object" || value === null || isTypedArray(value)) return value;
  if (Array.isArray(value)) return value.map((v) => encodeElement(v, transfer, depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = encodeElement(value[k], transfer, depth + 1);
    return out;
  }
  return value;
}

/** The bytes of the tensors and typed arrays in an encoded element (to size chunks). */
export function payloadBytes(value: unknown, depth = 0): number {
  if (isEncodedTensor(value)) return value.data.byteLength;
  if (isTypedArray(value)) return value.byteLength;
  if (typeof value === "string") return value.length;
  if (depth > 32 || typeof value !== "object" || value === null) return 8;
  let bytes = 0;
  for (const v of Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : []) bytes += payloadBytes(v, depth + 1);
  return bytes;
}

function isEncodedTensor(v: unknown): v is EncodedTensor {
  return isPlainObject(v) && v.$tensileTensor === 1 && isTypedArray(v.data);
}

/** Rebuilds the tensors of a message (owned by the pipeline: they were made for it). */
export function decodeElement(value: unknown, depth = 0): unknown {
  if (isEncodedTensor(value)) return own(fromValues(value.data, value.shape, value.dtype));
  if (depth > 32 || typeof value !== "object" || value === null || isTypedArray(value)) return value;
  if (Array.isArray(value)) return value.map((v) => decodeElement(v, depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = decodeElement(value[k], depth + 1);
    return out;
  }
  return value;
}

/** Disposes every tensor (of any copy of the library) in a value: the worker's inputs and outputs once sent. */
export function disposeAll(value: unknown, depth = 0): void {
  const t = asTensorLike(value);
  if (t !== null) {
    t.dispose?.();
    return;
  }
  if (depth > 32 || typeof value !== "object" || value === null || isTypedArray(value)) return;
  for (const v of Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : []) disposeAll(v, depth + 1);
}
