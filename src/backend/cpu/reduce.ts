/** cpu kernels: reductions. */
import type { DType } from "../../core/dtype.js";
import { reducedShape, sizeOf } from "../../core/shape.js";
import type { Kernel, KernelTensor } from "../backend.js";
import type { ReducePrimitives } from "../primitives.js";
import { alloc, aroundAxis, forEachBroadcastRun, out } from "./util.js";

type Combine = (acc: number, x: number) => number;

/**
 * Reduces `axes` with `combine`, accumulating in float64 (so float32 sums keep their precision). Each input run
 * along the last axis maps onto the kept-dims output with stride 0 (reduced) or 1 (kept).
 */
function reducer(combine: Combine, init: number, outDtype?: DType): Kernel<"sum"> {
  return ([x], { axes }) => {
    const keptShape = reducedShape(x.shape, axes, true);
    const acc = new Float64Array(sizeOf(keptShape)).fill(init);
    const X = x.data;
    if (x.data.length > 0) {
      forEachBroadcastRun(x.shape, [keptShape], (o, [io], count, [so]) => {
        if (so === 0) {
          let a = acc[io];
          for (let k = 0; k < count; k++) a = combine(a, X[o + k]);
          acc[io] = a;
        } else {
          for (let k = 0; k < count; k++, io++) acc[io] = combine(acc[io], X[o + k]);
        }
      });
    }
    const dtype = outDtype ?? x.dtype;
    const dst = alloc(dtype, acc.length);
    for (let i = 0; i < acc.length; i++) dst[i] = acc[i];
    return out(reducedShape(x.shape, axes, false), dtype, dst);
  };
}

const maxCombine: Combine = (a, x) => (x > a || x !== x ? x : a);
const minCombine: Combine = (a, x) => (x < a || x !== x ? x : a);

/** Index of the first extreme along `axis`; NaN wins (as in NumPy). */
function argReducer(better: (x: number, best: number) => boolean): Kernel<"argMax"> {
  return ([x], { axis }) => {
    const shape = x.shape;
    const { outer, n, inner } = aroundAxis(shape, axis);
    const X = x.data;
    const dst = new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let best = X[base];
        let bestIndex = 0;
        for (let k = 1; k < n && best === best; k++) {
          const v = X[base + k * inner];
          if (better(v, best) || v !== v) {
            best = v;
            bestIndex = k;
          }
        }
        dst[o * inner + i] = bestIndex;
      }
    }
    return out(reducedShape(shape, [axis], false), "int32", dst);
  };
}

function cumulative(combine: (a: number, b: number) => number, identity: number): Kernel<"cumsum"> {
  return ([x], { axis, exclusive, reverse }): KernelTensor => {
    const shape = x.shape;
    const { outer, n, inner } = aroundAxis(shape, axis);
    const X = x.data;
    const dst = alloc(x.dtype, X.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let acc = identity;
        for (let step = 0; step < n; step++) {
          const k = reverse ? n - 1 - step : step;
          const at = base + k * inner;
          if (exclusive) {
            dst[at] = acc;
            acc = combine(acc, X[at]);
          } else {
            acc = combine(acc, X[at]);
            dst[at] = acc;
          }
        }
      }
    }
    return out(shape, x.dtype, dst);
  };
}

export const reduceKernels: { [P in keyof ReducePrimitives]: Kernel<P> } = {
  sum: reducer((a, x) => a + x, 0),
  prod: reducer((a, x) => a * x, 1),
  max: reducer(maxCombine, -Infinity),
  min: reducer(minCombine, Infinity),
  all: reducer((a, x) => (a !== 0 && x !== 0 ? 1 : 0), 1, "bool"),
  any: reducer((a, x) => (a !== 0 || x !== 0 ? 1 : 0), 0, "bool"),
  argMax: argReducer((x, best) => x > best),
  argMin: argReducer((x, best) => x < best),
  cumsum: cumulative((a, b) => a + b, 0),
  cumprod: cumulative((a, b) => a * b, 1),
};
