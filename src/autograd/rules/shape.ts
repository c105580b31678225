/** Gradient rules for the shape primitives. Each line's comment is its math. */
import type { ShapePrimitives } from "../../backend/primitives.js";
import { runPrimitive } from "../../backend/dispatch.js";
import { add } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { pad, reshape, reverse, transpose } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { unbroadcast } from "./elementwise.js";
import type { VjpTable } from "./rule.js";

function slicePrim(x: Tensor, begin: number[], end: number[], strides: number[]): Tensor {
  return runPrimitive("stridedSlice", [x], { begin, end, strides });
}

/** The part [from, to) of `g` along `axis`. */
function sliceAxis(g: Tensor, axis: number, from: number, to: number): Tensor {
  const begin = g.shape.map(() => 0);
  const end = g.shape.slice();
  begin[axis] = from;
  end[axis] = to;
  return slicePrim(g, begin, end, g.shape.map(() => 1));
}

/**
 * The adjoint of mirror-padding axis `axis` of an input of length n by (before, after): the middle plus each
 * edge flipped back onto the elements it copied.
 */
function unmirrorAxis(g: Tensor, axis: number, n: number, before: number, after: number, reflect: boolean): Tensor {
  const zeroPads = (lo: number, hi: number): [number, number][] =>
    g.shape.map((_, a): [number, number] => (a === axis ? [lo, hi] : [0, 0]));
  let dx = sliceAxis(g, axis, before, before + n);
  const shift = reflect ? 1 : 0;
  if (before > 0) {
    // out[i] = x[before - i - 1 + shift] for i < before: the flipped edge lands on [shift, shift + before)
    const edge = reverse(sliceAxis(g, axis, 0, before), axis);
    dx = add(dx, pad(edge, zeroPads(shift, n - before - shift)));
  }
  if (after > 0) {
    // out[before + n + j] = x[n - 1 - j - shift]: the flipped edge lands on [n - after - shift, n - shift)
    const edge = reverse(sliceAxis(g, axis, before + n, before + n + after), axis);
    dx = add(dx, pad(edge, zeroPads(n - after - shift, shift)));
  }
  return dx;
}

export const shapeRules: VjpTable<keyof ShapePrimitives> = {
  reshape: (dy, { inputs: [x] }) => [reshape(dy, x.shape)], // reshape back
  // dx = dyᵀ with the inverse permutation
  transpose: (dy, { attrs: { perm } }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
  // dx = zeros with dy placed at the sliced positions
  stridedSlice: (dy, { inputs: [x], attrs: { begin, end, strides } }) => [
    runPrimitive("stridedSliceGrad", [dy], { shape: x.shape.slice(), begin, end, strides }),
  ],
  // linear; its adjoint is the slice itself: d(ddy) = ddx[begin:end:strides]
  stridedSliceGrad: (dy, { attrs: { begin, end, strides } }) => [slicePrim(dy, begin, end, strides)],
  // each input gets its own stretch of dy along the axis
  concat: (dy, { inputs, attrs: { axis } }) => {
    let offset = 0;
    return inputs.map((t) => {
      const part = sliceAxis(dy, axis, offset, offset + t.shape[axis]);
      offset += t.shape[axis];
      return part;
    });
  },
  // constant: dx = dy[before : before + n] per axis; mirror modes also fold the flipped edges back
  pad: (dy, { inputs: [x], attrs: { paddings, mode } }) => {
    if (mode === "constant") {
      return [slicePrim(dy, paddings.map((p) => p[0]), paddings.map((p, a) => p[0] + x.shape[a]), x.shape.map(() => 1))];
    }
    let g = dy;
    paddings.forEach(([before, after], axis) => {
      if (before > 0 || after > 0) g = unmirrorAxis(g, axis, x.shape[axis], before, after, mode === "reflect");
    });
    return [g];
  },
  // dx[i] = Σ over the copies: view dy as [r0, d0, r1, d1, …] and sum the r axes
  tile: (dy, { inputs: [x], attrs: { reps } }) => {
    const split = x.shape.flatMap((d, a) => [reps[a], d]);
    const axes = x.shape.map((_, a) => 2 * a);
    return [reshape(sum(reshape(dy, split), { axis: axes }), x.shape)];
  },
  reverse: (dy, { attrs: { axes } }) => [axes.length === 0 ? dy : reverse(dy, axes)], // reverse back
  broadcastTo: (dy, { inputs: [x] }) => [unbroadcast(dy, x)], // sum over the broadcast axes
  // dx = scatter-add of dy at the gathered indices; none for the indices
  gather: (dy, { inputs: [x, indices], attrs: { axis, batchDims } }) => [
    runPrimitive("gatherGrad", [dy, indices], { axis, batchDims, shape: x.shape.slice() }),
    null,
  ],
  // linear in dy; its adjoint is gather: d(ddy) = gather(ddx, indices) (indices were checked by gather)
  gatherGrad: (dy, { inputs: [, indices], attrs: { axis, batchDims } }) => [
    runPrimitive("gather", [dy, indices], { axis, batchDims }),
    null,
  ],
  // dx = scatterND(indices, dy, x.shape)
  gatherND: (dy, { inputs: [x, indices] }) => [runPrimitive("scatterND", [indices, dy], { shape: x.shape.slice() }), null],
  // d updates = gatherND(dy, indices)
  scatterND: (dy, { inputs: [indices] }) => [null, runPrimitive("gatherND", [dy, indices], {})],
  // values[..., k] = x[..., idx[..., k]]: dx = scatter-add of dValues at the sort indices
  sort: ([dValues], { inputs: [x], outputs: [, indices] }) => {
    if (dValues === null) return [null];
    const batchDims = x.rank - 1;
    return [runPrimitive("gatherGrad", [dValues, indices], { axis: batchDims, batchDims, shape: x.shape.slice() })];
  },
};
