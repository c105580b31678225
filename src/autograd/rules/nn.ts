/** Gradient rules for convolution, pooling and resizing. Each line's comment is its math. */
import { allocArray } from "../../core/dtype.js";
import { runPrimitive } from "../../backend/dispatch.js";
import type { ConvAttrs, NNPrimitives, PoolAttrs } from "../../backend/primitives.js";
import { fromValues } from "../../ops/convert.js";
import { equal, where } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { VjpTable } from "./rule.js";

/** The conv attributes alone (dropping inputShape / filterShape). */
function convAttrs(a: ConvAttrs): ConvAttrs {
  return { strides: a.strides, padding: a.padding, dilations: a.dilations, groups: a.groups };
}

function poolAttrs(a: PoolAttrs): PoolAttrs {
  return { windowShape: a.windowShape, strides: a.strides, padding: a.padding };
}

/**
 * Window patches of t ([N, ...S, C]) as [N, ...O, C, K] (K = window size), zero in padding: a depthwise conv with
 * a one-hot filter, so the patches are differentiable in t.
 */
function patches(t: Tensor, attrs: PoolAttrs): Tensor {
  const C = t.shape[t.shape.length - 1];
  const K = attrs.windowShape.reduce((a, b) => a * b, 1);
  const data = allocArray(t.dtype, K * C * K);
  // filter[k, 0, c·K + k] = 1 (spatial positions flattened row-major).
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) data[k * C * K + c * K + k] = 1;
  const filter = fromValues(data, [...attrs.windowShape, 1, C * K], t.dtype);
  const y = runPrimitive("conv", [t, filter], {
    strides: attrs.strides,
    padding: attrs.padding,
    dilations: attrs.windowShape.map(() => 1),
    groups: C,
  });
  return reshape(y, [...y.shape.slice(0, -1), C, K]);
}

/** out[o] = g[first argmax of x's window o]: the adjoint of maxPoolGrad in its dy argument. */
function gatherAtArgMax(x: Tensor, g: Tensor, attrs: PoolAttrs): Tensor {
  const xp = patches(x, attrs);
  const valid = patches(fromValues(allocArray(x.dtype, x.size).fill(1), x.shape, x.dtype), attrs);
  const masked = where(equal(valid, 1), xp, -Infinity);
  const axis = masked.shape.length - 1;
  const K = masked.shape[axis];
  const arg = runPrimitive("argMax", [masked], { axis });
  const iota = fromValues(Int32Array.from({ length: K }, (_, i) => i), [K], "int32");
  const onehot = equal(reshape(arg, [...arg.shape, 1]), iota);
  return sum(where(onehot, patches(g, attrs), 0), { axis });
}

export const nnRules: VjpTable<keyof NNPrimitives> = {
  // y = x ⋆ w: dx = convᵀ(dy, w), dw = Σ patches(x)ᵀ·dy
  conv: (dy, { inputs: [x, w], attrs, needsGrad }) => [
    needsGrad[0] ? runPrimitive("convBackpropInput", [dy, w], { ...convAttrs(attrs), inputShape: [...x.shape] }) : null,
    needsGrad[1] ? runPrimitive("convBackpropFilter", [x, dy], { ...convAttrs(attrs), filterShape: [...w.shape] }) : null,
  ],
  // y = convᵀ(d, w) is bilinear: <g, convᵀ(d, w)> = <g ⋆ w, d>, so dd = g ⋆ w, dw = convBackpropFilter(g, d)
  convBackpropInput: (g, { inputs: [d, w], attrs }) => [
    runPrimitive("conv", [g, w], convAttrs(attrs)),
    runPrimitive("convBackpropFilter", [g, d], { ...convAttrs(attrs), filterShape: [...w.shape] }),
  ],
  // y = convBackpropFilter(x, d) is bilinear: <G, y> = <x ⋆ G, d>, so dx = convᵀ(d, G), dd = x ⋆ G
  convBackpropFilter: (g, { inputs: [x, d], attrs }) => [
    runPrimitive("convBackpropInput", [d, g], { ...convAttrs(attrs), inputShape: [...x.shape] }),
    runPrimitive("conv", [x, g], convAttrs(attrs)),
  ],
  // y = max over each window: dx = dy routed to each window's first maximum
  maxPool: (dy, { inputs: [x], attrs }) => [runPrimitive("maxPoolGrad", [x, dy], poolAttrs(attrs))],
  // dx = Aᵀ·dy with A the argmax selection (piecewise constant in x): d(dy) = A·g, gathering g at the argmaxes
  maxPoolGrad: (g, { inputs: [x], attrs }) => [null, gatherAtArgMax(x, g, poolAttrs(attrs))],
  // y = mean over each window's in-bounds part: dx = avgPoolᵀ(dy)
  avgPool: (dy, { inputs: [x], attrs }) => [runPrimitive("avgPoolGrad", [dy], { ...poolAttrs(attrs), inputShape: [...x.shape] })],
  // avgPoolGrad = avgPoolᵀ is linear: d(dy) = avgPool(g)
  avgPoolGrad: (g, { attrs }) => [runPrimitive("avgPool", [g], poolAttrs(attrs))],
  // y = B·x (fixed interpolation weights): dx = Bᵀ·dy
  resizeBilinear: (dy, { inputs: [x], attrs }) => [
    runPrimitive("resizeBilinearGrad", [dy], { size: attrs.size, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters, inputShape: [...x.shape] }),
  ],
  // Bᵀ is linear: d(dy) = B·g
  resizeBilinearGrad: (g, { attrs }) => [
    runPrimitive("resizeBilinear", [g], { size: attrs.size, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters }),
  ],
  // y = S·x (a selection): dx = Sᵀ·dy
  resizeNearest: (dy, { inputs: [x], attrs }) => [
    runPrimitive("resizeNearestGrad", [dy], { size: attrs.size, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters, inputShape: [...x.shape] }),
  ],
  // Sᵀ is linear: d(dy) = S·g
  resizeNearestGrad: (g, { attrs }) => [
    runPrimitive("resizeNearest", [g], { size: attrs.size, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters }),
  ],
};
