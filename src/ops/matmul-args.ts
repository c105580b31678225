/**
 * The operand checks shared by `matMul` (linalg.ts) and `fused.matMul` (fused.ts). Internal: src/index.ts re-exports
 * linalg.ts whole, so this lives here rather than there.
 */
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastShapes, formatShape } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { describeValue } from "./convert.js";

/**
 * Checks a matrix product's operands (ranks ≥ 2, boolean transposes, equal inner dimensions, broadcasting batch
 * dimensions) and returns the broadcast batch shape.
 */
export function checkMatMulOperands(op: string, a: Tensor, b: Tensor, transposeA: unknown, transposeB: unknown): number[] {
  for (const [name, t] of [["a", a], ["b", b]] as const) {
    if (t.rank < 2) {
      throw new ShapeError(`${op}: ${name} must have rank >= 2, got rank ${t.rank} (shape ${formatShape(t.shape)}); use dot for vectors`);
    }
  }
  if (typeof transposeA !== "boolean" || typeof transposeB !== "boolean") {
    throw new ValueError(`${op}: transposeA and transposeB must be booleans, got ${describeValue(transposeA)} and ${describeValue(transposeB)}`);
  }
  const axisA = transposeA ? a.rank - 2 : a.rank - 1;
  const axisB = transposeB ? b.rank - 1 : b.rank - 2;
  if (a.shape[axisA] !== b.shape[axisB]) {
    throw new ShapeError(
      `${op}: inner dimensions differ: a is ${formatShape(a.shape)}, b is ${formatShape(b.shape)} ` +
        `(a[${axisA}]=${a.shape[axisA]} must equal b[${axisB}]=${b.shape[axisB]})` +
        (transposeA || transposeB ? ` with transposeA=${transposeA}, transposeB=${transposeB}` : ""),
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  try {
    return broadcastShapes(batchA, batchB, op);
  } catch {
    throw new ShapeError(
      `${op}: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} do not broadcast: a is ${formatShape(a.shape)}, b is ${formatShape(b.shape)}`,
    );
  }
}
