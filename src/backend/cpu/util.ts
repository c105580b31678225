/** Loops shared by the cpu kernels. */
import { allocArray, type DType, type TypedArray } from "../../core/dtype.js";
import { broadcastShapes, sizeOf, stridesOf, type Shape } from "../../core/shape.js";
import type { KernelTensor } from "../backend.js";

export function out(shape: readonly number[], dtype: DType, data: TypedArray): KernelTensor {
  return { shape, dtype, data };
}

/** Strides of `shape` seen from a broadcast `outShape` (0 along broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const lead = outShape.length - shape.length;
  const result = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) result[lead + i] = shape[i] === 1 ? 0 : strides[i];
  return result;
}

/**
 * Visits every output position of a broadcast over `inputs`, calling `inner(outOffset, inOffsets, count, steps)`
 * once per run of the last axis, so the per-element work stays a tight loop in the caller.
 */
export function forEachBroadcastRun(
  outShape: Shape,
  inShapes: readonly Shape[],
  inner: (outOffset: number, inOffsets: number[], count: number, steps: number[]) => void,
): void {
  const rank = outShape.length;
  const n = inShapes.length;
  if (rank === 0) {
    inner(0, new Array<number>(n).fill(0), 1, new Array<number>(n).fill(0));
    return;
  }
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  const last = outShape[rank - 1];
  const steps = strides.map((s) => s[rank - 1]);
  const offsets = new Array<number>(n).fill(0);
  const index = new Array<number>(rank - 1).fill(0);
  let outer = 1;
  for (let i = 0; i < rank - 1; i++) outer *= outShape[i];
  if (last === 0) return;
  for (let o = 0; o < outer; o++) {
    inner(o * last, offsets.slice(), last, steps);
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < n; k++) offsets[k] += strides[k][axis];
      if (index[axis] < outShape[axis]) break;
      for (let k = 0; k < n; k++) offsets[k] -= strides[k][axis] * outShape[axis];
      index[axis] = 0;
    }
  }
}

/**
 * `shape` seen as [outer, n, inner] around `axis`: n = shape[axis], inner the product of the later dims, outer the
 * product of the earlier ones (0 when the tensor is empty).
 */
export function aroundAxis(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  const n = shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer: sizeOf(shape) / Math.max(n * inner, 1), n, inner };
}

export function broadcastOutShape(shapes: readonly Shape[], op: string): number[] {
  let shape = shapes[0].slice();
  for (let i = 1; i < shapes.length; i++) shape = broadcastShapes(shape, shapes[i], op);
  return shape;
}

export function alloc(dtype: DType, size: number): TypedArray {
  return allocArray(dtype, size);
}
