/** Gradient rules for reductions. */
import { reducedShape } from "../../core/shape.js";
import type { ReducePrimitives } from "../../backend/primitives.js";
import { broadcastTo, reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { NOT_DIFFERENTIABLE, type VjpTable } from "./rule.js";

/** dy of a reduction, put back over the reduced axes of x. */
export function expandReduced(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

export const reduceRules = {
  sum: (dy, { inputs: [x], attrs: { axes } }) => [expandReduced(dy, x, axes)], // d Σx = dy everywhere
  argMax: NOT_DIFFERENTIABLE,
  argMin: NOT_DIFFERENTIABLE,
} as VjpTable<keyof ReducePrimitives>;
