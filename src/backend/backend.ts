/** The Backend interface and the kernel table types. */
import type { DType, TypedArray } from "../core/dtype.js";
import type { MemoryOwner } from "../tensor/storage.js";
import type { Attrs, IsMultiOutput, Primitive } from "./primitives.js";

/** A tensor as a host kernel sees it: shape, dtype and the elements (read-only for inputs). */
export interface KernelTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TypedArray;
}

export type KernelResult<P extends Primitive> = IsMultiOutput<P> extends true ? KernelTensor[] : KernelTensor;

export type Kernel<P extends Primitive> = (inputs: readonly KernelTensor[], attrs: Attrs<P>) => KernelResult<P>;

/** A complete table: the compiler refuses one that misses a primitive. */
export type KernelTable = { [P in Primitive]: Kernel<P> };

/** A table for a subset of primitives (a family file, or a backend that falls back for the rest). */
export type PartialKernelTable<K extends Primitive = Primitive> = { [P in K]?: Kernel<P> };

export interface Backend extends MemoryOwner {
  readonly name: string;
  /**
   * True when tensor data lives in JS typed arrays that any host backend's kernels can use in place (cpu, native).
   * Non-host backends (webgpu) copy to and from the host when a kernel falls back to cpu.
   */
  readonly host: boolean;
  readonly kernels: PartialKernelTable;
  /** Takes ownership of host values (host backends keep the array itself; do not mutate it afterwards). */
  upload(values: TypedArray, dtype: DType): unknown;
  /** What the backend is built on, for `tn.backendInfo()`. */
  info(): Record<string, string | number | boolean | string[]>;
}
