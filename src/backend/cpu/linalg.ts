/** cpu kernels: matrix multiplication. */
import type { Kernel } from "../backend.js";
import type { LinalgPrimitives } from "../primitives.js";
import { alloc, out } from "./util.js";

// Placeholder: naive 2-D only; replaced by the blocked, batched kernel.
const matMul: Kernel<"matMul"> = ([a, b], { transposeA, transposeB }) => {
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const n = transposeB ? b.shape[0] : b.shape[1];
  const dst = alloc(a.dtype, m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[transposeA ? p * m + i : i * k + p] * b.data[transposeB ? j * k + p : p * n + j];
      dst[i * n + j] = s;
    }
  return out([m, n], a.dtype, dst);
};

export const linalgKernels: { [P in keyof LinalgPrimitives]: Kernel<P> } = { matMul };
