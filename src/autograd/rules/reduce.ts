/** Gradient rules for reductions. */
import { reducedShape } from "../../core/shape.js";
import { runPrimitive } from "../../backend/dispatch.js";
import type { ReducePrimitives } from "../../backend/primitives.js";
import { div, equal, mul, where } from "../../ops/elementwise.js";
import { cumsum, sum } from "../../ops/reduce.js";
import { broadcastTo, reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { NOT_DIFFERENTIABLE, type VjpTable } from "./rule.js";

/** dy of a reduction, put back over the reduced axes of x. */
export function expandReduced(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

function permute(x: Tensor, perm: number[]): Tensor {
  return perm.every((p, i) => p === i) ? x : runPrimitive("transpose", [x], { perm });
}

/**
 * For each element, the product of the other elements in its reduction group: exclusive cumprods from the left
 * and from the right, multiplied (exact with zeros, no division). The reduced axes are moved last and flattened.
 */
function productOfOthers(x: Tensor, axes: readonly number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const moved = permute(x, perm);
  let group = 1;
  for (const a of axes) group *= x.shape[a];
  const flat = reshape(moved, [moved.size / Math.max(group, 1), group]);
  const left = runPrimitive("cumprod", [flat], { axis: 1, exclusive: true, reverse: false });
  const right = runPrimitive("cumprod", [flat], { axis: 1, exclusive: true, reverse: true });
  const others = reshape(mul(left, right), moved.shape);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return permute(others, inverse);
}

/** max/min: dy split evenly among the elements equal to the result (ties share it, as TF). */
function extremumRule(dy: Tensor, x: Tensor, y: Tensor, axes: readonly number[]): Tensor[] {
  const mask = equal(x, expandReduced(y, x, axes));
  const count = sum(mask, { axis: [...axes] });
  const share = div(dy, count);
  return [where(mask, expandReduced(share, x, axes), 0)];
}

export const reduceRules: VjpTable<keyof ReducePrimitives> = {
  sum: (dy, { inputs: [x], attrs: { axes } }) => [expandReduced(dy, x, axes)], // d Σx = dy everywhere
  prod: (dy, { inputs: [x], attrs: { axes } }) => [mul(expandReduced(dy, x, axes), productOfOthers(x, axes))], // d Πx/dxᵢ = Π_{j≠i} xⱼ
  max: (dy, { inputs: [x], outputs: [y], attrs: { axes } }) => extremumRule(dy, x, y, axes), // dy / #ties where x = max
  min: (dy, { inputs: [x], outputs: [y], attrs: { axes } }) => extremumRule(dy, x, y, axes), // dy / #ties where x = min
  all: NOT_DIFFERENTIABLE,
  any: NOT_DIFFERENTIABLE,
  argMax: NOT_DIFFERENTIABLE,
  argMin: NOT_DIFFERENTIABLE,
  // dxⱼ = Σ_{i ≥ j} dyᵢ (the cumsum of dy in the other direction, same exclusivity)
  cumsum: (dy, { attrs: { axis, exclusive, reverse } }) => [cumsum(dy, { axis, exclusive, reverse: !reverse })],
  // dxⱼ = Σ_{i ≥ j} dyᵢ·yᵢ / xⱼ: NaN/Infinity where xⱼ = 0 (as TF)
  cumprod: (dy, { inputs: [x], outputs: [y], attrs: { axis, exclusive, reverse } }) => [
    div(cumsum(mul(dy, y), { axis, exclusive, reverse: !reverse }), x),
  ],
};
