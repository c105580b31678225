/** Gradient rules for matMul. Transposes are passed as flags; nothing is transposed in memory. */
import type { LinalgPrimitives } from "../../backend/primitives.js";
import { matMul } from "../../ops/linalg.js";
import { reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { unbroadcast } from "./elementwise.js";
import type { VjpTable } from "./rule.js";

/**
 * The gradient of a shared (rank-2) B when A carries batch dims and is not transposed: fold A's batch into its
 * rows, so dB is one [k, n] product instead of a batch of them summed afterwards.
 */
function foldedGradB(dy: Tensor, a: Tensor, transposeB: boolean): Tensor {
  const k = a.shape[a.rank - 1];
  const n = dy.shape[dy.rank - 1];
  const a2 = reshape(a, [-1, k]);
  const dy2 = reshape(dy, [-1, n]);
  return transposeB ? matMul(dy2, a2, true, false) : matMul(a2, dy2, true, false);
}

export const linalgRules: VjpTable<keyof LinalgPrimitives> = {
  // C = op(A)·op(B): dA = dC·op(B)ᵀ (or its transpose when A is transposed), dB = op(A)ᵀ·dC (likewise); batch
  // dims that were broadcast are summed back.
  matMul: (dy, { inputs: [a, b], attrs: { transposeA, transposeB }, needsGrad }) => {
    let da: Tensor | null;
    if (!needsGrad[0]) da = null;
    else if (!transposeA) da = transposeB ? matMul(dy, b, false, false) : matMul(dy, b, false, true); // dC·B or dC·Bᵀ
    else da = transposeB ? matMul(b, dy, true, true) : matMul(b, dy, false, true); // Bᵀ·dCᵀ or B·dCᵀ
    let db: Tensor | null;
    if (!needsGrad[1]) db = null;
    else if (b.rank === 2 && a.rank > 2 && !transposeA) db = foldedGradB(dy, a, transposeB);
    else if (!transposeB) db = transposeA ? matMul(a, dy, false, false) : matMul(a, dy, true, false); // A·dC or Aᵀ·dC
    else db = transposeA ? matMul(dy, a, true, true) : matMul(dy, a, true, false); // dCᵀ·Aᵀ or dCᵀ·A
    return [da && unbroadcast(da, a), db && unbroadcast(db, b)];
  },
};
