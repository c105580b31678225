/** Map functions that test/data/parallel.test.ts's workers import as `{module, export}`. */
import type { Tensor } from "../../src/tensor/tensor.js";
import { mul } from "../../src/ops/elementwise.js";
import { fill } from "../../src/ops/creation.js";
import { getPriority } from "node:os";

/** {x: tensor, label} → {x: 3x, label}. */
export function triple(e: { x: Tensor; label: string }): { x: Tensor; label: string } {
  return { x: mul(e.x, 3), label: e.label };
}

/** A behaviour per element: a value, an error, a long sleep, or the worker thread ending. */
export async function dispatch(n: number): Promise<Tensor> {
  if (n === 3) throw new TypeError(`dispatch cannot take ${n}`);
  if (n === 4) await new Promise((resolve) => setTimeout(resolve, 60_000));
  if (n === 5) process.exit(7);
  return fill([2], n, "int32");
}

/** The worker thread's own scheduling priority (nice value). */
export function niceness(): number {
  return getPriority(0);
}
