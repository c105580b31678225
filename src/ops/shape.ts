/** Shape ops: reshape, transpose, expandDims, squeeze, slicing, concat/stack/split, gather/scatter, pad, tile, sort… */
import { ShapeError } from "../core/errors.js";
import { assertValidShape, broadcastShapes, formatShape, inferReshape, shapesEqual } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { toTensor, type TensorLike } from "./convert.js";

/** Same elements, new shape (one dimension may be -1); shares memory. `tn.reshape([1, 2, 3, 4], [2, 2])` */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "reshape", "x");
  return runPrimitive("reshape", [t], { shape: inferReshape(shape, t.size, "reshape") });
}

/** Repeats size-1 (or missing leading) dimensions to reach `shape`. `tn.broadcastTo([1, 2], [2, 2])` */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "broadcastTo", "x");
  const target = assertValidShape(shape, "broadcastTo");
  if (target.length < t.rank || !shapesEqual(broadcastShapes(t.shape, target, "broadcastTo"), target)) {
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(t.shape)} to ${formatShape(target)}`);
  }
  if (shapesEqual(t.shape, target)) return t;
  return runPrimitive("broadcastTo", [t], { shape: target.slice() });
}
