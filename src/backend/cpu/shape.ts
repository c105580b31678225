/** cpu kernels: reshape, transpose, slicing, concatenation, padding, gather/scatter, sort. */
import { sizeOf, stridesOf } from "../../core/shape.js";
import type { Kernel } from "../backend.js";
import type { ShapePrimitives } from "../primitives.js";
import { alloc, forEachBroadcastRun, out } from "./util.js";

function transpose([x]: Parameters<Kernel<"transpose">>[0], { perm }: { perm: number[] }) {
  const rank = x.shape.length;
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const strides = perm.map((p) => inStrides[p]);
  const X = x.data;
  const dst = alloc(x.dtype, X.length);
  if (X.length === 0) return out(outShape, x.dtype, dst);
  const index = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const n = outShape[last] ?? 1;
  const step = strides[last] ?? 0;
  let src = 0;
  for (let o = 0; o < dst.length; o += n) {
    for (let k = 0, s = src; k < n; k++, s += step) dst[o + k] = X[s];
    for (let axis = last - 1; axis >= 0; axis--) {
      index[axis]++;
      src += strides[axis];
      if (index[axis] < outShape[axis]) break;
      src -= strides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return out(outShape, x.dtype, dst);
}

const broadcastTo: Kernel<"broadcastTo"> = ([x], { shape }) => {
  const dst = alloc(x.dtype, sizeOf(shape));
  const X = x.data;
  forEachBroadcastRun(shape, [x.shape], (o, [ix], count, [sx]) => {
    for (let k = 0; k < count; k++, ix += sx) dst[o + k] = X[ix];
  });
  return out(shape, x.dtype, dst);
};

export const shapeKernels: { [P in keyof ShapePrimitives]: Kernel<P> } = {
  reshape: ([x], { shape }) => out(shape, x.dtype, x.data),
  transpose,
  broadcastTo,
} as { [P in keyof ShapePrimitives]: Kernel<P> };
