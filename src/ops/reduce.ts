/** Reductions: sum, mean, prod, max, min, argMax, argMin, all, any, logSumExp, moments, norm, cumsum, cumprod. */
import { normalizeAxes, reducedShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { toTensor, type TensorLike } from "./convert.js";

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  axis?: number | number[];
  keepDims?: boolean;
}

/** Sum over `axis` (all by default). `tn.sum([[1, 2], [3, 4]], {axis: 0})` → [4, 6] */
export function sum(x: TensorLike, options: ReduceOptions = {}): Tensor {
  const t = toTensor(x, "sum", "x");
  const axes = normalizeAxes(options.axis, t.rank, "sum");
  const input = t.dtype === "bool" ? runPrimitive("cast", [t], { dtype: "int32" }) : t;
  const result = runPrimitive("sum", [input], { axes });
  return options.keepDims ? runPrimitive("reshape", [result], { shape: reducedShape(t.shape, axes, true) }) : result;
}
