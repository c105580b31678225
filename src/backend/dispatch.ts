/**
 * Running a primitive: pick the backend (active one, else cpu), hand the kernel its inputs in place, wrap the
 * outputs as tensors, and record the op for autograd when a tape tracks an input.
 */
import type { DType, TypedArray } from "../core/dtype.js";
import { BackendError } from "../core/errors.js";
import { recordOp } from "../tensor/graph.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import type { Backend, Kernel, KernelTensor } from "./backend.js";
import type { Attrs, IsMultiOutput, Primitive } from "./primitives.js";
import { activeBackend, backendFor } from "./registry.js";

export type PrimitiveResult<P extends Primitive> = IsMultiOutput<P> extends true ? Tensor[] : Tensor;

/** Optional observer of every kernel call (the profiler). */
export type KernelObserver = (prim: Primitive, backend: string, ms: number, inputs: readonly Tensor[]) => void;
let observer: KernelObserver | null = null;

export function setKernelObserver(fn: KernelObserver | null): void {
  observer = fn;
}

function kernelInput(t: Tensor, backend: Backend): KernelTensor {
  const storage = t.storage;
  const owner = storage.owner as Backend;
  const data =
    owner === backend || (backend.host && owner.host)
      ? (storage.data as TypedArray)
      : (backend.readSync(backend.upload(storage.readSync().slice(), t.dtype)) as TypedArray);
  return { shape: t.shape, dtype: t.dtype, data };
}

/** Wraps a kernel output, sharing an input's storage when the kernel returned that input's array or a view of it. */
function wrapOutput(out: KernelTensor, inputs: readonly Tensor[], kin: readonly KernelTensor[], backend: Backend): Tensor {
  for (let i = 0; i < kin.length; i++) {
    if (kin[i].data === out.data) return new Tensor(out.shape, out.dtype, inputs[i].storage);
  }
  for (let i = 0; i < kin.length; i++) {
    if (kin[i].data.buffer === out.data.buffer) {
      return new Tensor(out.shape, out.dtype, new Storage(backend, out.data, out.dtype, out.data.length, inputs[i].storage));
    }
  }
  return new Tensor(out.shape, out.dtype, new Storage(backend, out.data, out.dtype, out.data.length));
}

export function runPrimitive<P extends Primitive>(prim: P, inputs: readonly Tensor[], attrs: Attrs<P>): PrimitiveResult<P> {
  const backend = backendFor(prim);
  const kernel = backend.kernels[prim] as Kernel<P> | undefined;
  if (kernel === undefined) throw new BackendError(`${prim}: no kernel on backend "${backend.name}"`);
  const kin = inputs.map((t) => kernelInput(t, backend));
  const start = observer !== null ? performance.now() : 0;
  const raw = kernel(kin, attrs);
  if (observer !== null) observer(prim, backend.name, performance.now() - start, inputs);
  const outs = Array.isArray(raw) ? raw.map((o) => wrapOutput(o, inputs, kin, backend)) : [wrapOutput(raw as KernelTensor, inputs, kin, backend)];
  recordOp(prim, inputs, attrs, outs);
  return (Array.isArray(raw) ? outs : outs[0]) as PrimitiveResult<P>;
}

/** A tensor over host values on the active backend. Takes ownership of `values`: do not mutate it afterwards. */
export function tensorFromValues(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const backend = activeBackend();
  return new Tensor(shape, dtype, new Storage(backend, backend.upload(values, dtype), dtype, values.length));
}
