/**
 * Tensor: an immutable n-dimensional array on a backend. Variable: the one mutable kind (`assign`).
 * Ops are attached as methods by src/ops/chain.ts (ops sit above this layer).
 */
import type { DType, TypedArray } from "../core/dtype.js";
import { DisposedError, DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { formatShape, shapesEqual, sizeOf, type Shape } from "../core/shape.js";
import { formatTensor, toNested, type NestedArray } from "./format.js";
import { GLOBAL_TAPE, type GraphNode, type Tape } from "./graph.js";
import { adoptIntoScope } from "./scope.js";
import type { Storage } from "./storage.js";

/**
 * What the finalizer releases: kept apart from the tensor so the tensor itself can be collected. A class, not an
 * object literal: V8 pretenures a literal's allocation site once a young GC sees most of its objects alive (as in
 * a training step's first, slowest calls), and then every handle, and the storage stored into it, was allocated
 * straight into the old generation (seen with %InYoungGeneration in the CNN benchmark).
 */
class Handle {
  released = false;
  /** Registered with the finalizer (see `trackCollection`). */
  tracked = false;
  constructor(public storage: Storage) {}
}

const live = { tensors: 0 };

function releaseHandle(handle: Handle): void {
  if (handle.released) return;
  handle.released = true;
  live.tensors--;
  handle.storage.release();
}

const finalizer = new FinalizationRegistry<Handle>(releaseHandle);

let nextTensorId = 0;

export class Tensor {
  readonly id = nextTensorId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** @internal The op that produced this tensor, when it was recorded for autograd. */
  node: GraphNode | null = null;
  /** @internal Tapes tracking this tensor. */
  tapes: readonly Tape[] | null = null;
  /** @internal For a snapshot of a Variable taken when an op read it: that Variable. */
  source: Variable | null = null;
  /** @internal Exempt from `tidy` (set by `keep`). */
  kept = false;
  /** Gradient accumulated by `backward()` (PyTorch style). */
  grad: Tensor | null = null;
  private readonly handle: Handle;

  /** @internal Use the creation ops (`tn.tensor`, `tn.zeros`, …) rather than this constructor. */
  constructor(shape: Shape, dtype: DType, storage: Storage, scoped = true) {
    this.shape = shape;
    this.dtype = dtype;
    this.size = sizeOf(shape);
    storage.retain();
    this.handle = new Handle(storage);
    live.tensors++;
    if (!scoped || !adoptIntoScope(this)) this.trackCollection();
  }

  /**
   * @internal Lets the garbage collector release the storage once this tensor is unreachable. A tensor made inside
   * `tidy` is registered only if it outlives the scope: V8's young-generation GC keeps registered objects alive, so
   * registering every intermediate of a training step would promote them all to the old generation.
   */
  trackCollection(): void {
    if (this.handle.tracked || this.handle.released) return;
    this.handle.tracked = true;
    finalizer.register(this, this.handle, this.handle);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.handle.released;
  }

  /** @internal */
  get storage(): Storage {
    if (this.handle.released) {
      throw new DisposedError(`Tensor ${this.id} (${this.dtype} ${formatShape(this.shape)}) was disposed and cannot be used`);
    }
    return this.handle.storage;
  }

  /** @internal Replaces the storage (Variable.assign). */
  protected swapStorage(storage: Storage): void {
    const old = this.storage;
    storage.retain();
    this.handle.storage = storage;
    old.release();
  }

  isVariable(): this is Variable {
    return false;
  }

  /** PyTorch style: when true, ops on this tensor are recorded and `backward()` fills `.grad`. */
  get requiresGrad(): boolean {
    return this.tapes !== null && this.tapes.includes(GLOBAL_TAPE);
  }

  set requiresGrad(value: boolean) {
    if (value === this.requiresGrad) return;
    if (this.node !== null && this.node.tapes.includes(GLOBAL_TAPE)) {
      throw new ValueError(`requiresGrad: can only be changed on a leaf tensor; use detach() for a non-leaf tensor`);
    }
    if (value && this.dtype !== "float32" && this.dtype !== "float64") {
      throw new ValueError(`requiresGrad: only float tensors can require gradients, got dtype ${this.dtype}`);
    }
    const others = (this.tapes ?? []).filter((t) => t !== GLOBAL_TAPE);
    this.tapes = value ? [...others, GLOBAL_TAPE] : others.length > 0 ? others : null;
  }

  /** Sets `requiresGrad` and returns this tensor, for chaining (`tn.randomNormal([3]).requiresGrad_()`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A tensor with the same values that no tape tracks (gradients stop here). Shares memory. */
  detach(): Tensor {
    return new Tensor(this.shape, this.dtype, this.storage);
  }

  /**
   * @internal The current value as a new tensor (what a recorded op saw). It belongs to the current `tidy` scope,
   * like the op's outputs, so a training step in `tidy` releases the snapshots its tapes took.
   */
  snapshot(): Tensor {
    return new Tensor(this.shape, this.dtype, this.storage);
  }

  /** The elements as a new typed array (bool as Uint8Array of 0/1). */
  dataSync(): TypedArray {
    return this.storage.readSync().slice();
  }

  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The elements as nested JS arrays (booleans for bool, numbers otherwise). */
  arraySync(): NestedArray {
    return toNested(this.storage.readSync(), this.shape, this.dtype);
  }

  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** NumPy-style text, summarized with "..." for large tensors. `verbose` adds dtype and shape. */
  toString(verbose = false): string {
    return formatTensor(this.storage.readSync(), this.shape, this.dtype, verbose);
  }

  print(verbose = false): void {
    console.log(this.toString(verbose));
  }

  /** Releases the memory now. Using the tensor afterwards throws. Safe to call twice. */
  dispose(): void {
    if (this.handle.released) return;
    if (this.handle.tracked) finalizer.unregister(this.handle);
    releaseHandle(this.handle);
    this.node = null;
    this.grad = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export class Variable extends Tensor {
  trainable: boolean;
  readonly name: string;
  private static nextVariableId = 0;

  /** @internal Use `tn.variable(initialValue, {trainable, name})`. */
  constructor(initial: Tensor, trainable: boolean, name?: string) {
    super(initial.shape, initial.dtype, initial.storage, false);
    this.trainable = trainable;
    this.name = name ?? `Variable_${Variable.nextVariableId++}`;
  }

  override isVariable(): this is Variable {
    return true;
  }

  /** Replaces the value. The new value must have the same shape and dtype. */
  assign(value: Tensor): this {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ShapeError(
        `Variable.assign: ${this.name} has shape ${formatShape(this.shape)}, got a value of shape ${formatShape(value.shape)}`,
      );
    }
    if (value.dtype !== this.dtype) {
      throw new DTypeError(`Variable.assign: ${this.name} has dtype ${this.dtype}, got a value of dtype ${value.dtype}`);
    }
    this.swapStorage(value.storage);
    return this;
  }
}

/** Counts of live tensors (created and neither disposed nor collected) and their memory. */
export function liveTensorCount(): number {
  return live.tensors;
}
