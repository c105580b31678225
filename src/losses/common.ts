/**
 * Shared pieces of the Keras-level losses (and the metrics built on them): input conversion with Keras's
 * trailing-1 squeeze/expand, option checks, and the fuzz factor.
 */
import { ShapeError, ValueError } from "../core/errors.js";
import { formatShape, normalizeAxis, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertOptionsObject, castTo, describeValue, floatInput, toTensor, type TensorLike } from "../ops/convert.js";
import { notEqual, where, div } from "../ops/elementwise.js";
import { reshape } from "../ops/shape.js";

/** Keras's `backend.epsilon()`: the clipping bound for probabilities and the guard in divisions. */
export const EPSILON = 1e-7;

/**
 * Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the longer tensor ends in a size-1
 * axis, that axis is squeezed, or (when the shorter one has rank 1 and `expandRank1`) the shorter one gains it.
 */
export function squeezeOrExpand(a: Tensor, b: Tensor, expandRank1 = true): [Tensor, Tensor] {
  if (a.rank === b.rank + 1 && a.shape[a.rank - 1] === 1) {
    if (b.rank === 1 && expandRank1) return [a, reshape(b, [...b.shape, 1])];
    return [reshape(a, a.shape.slice(0, -1)), b];
  }
  if (b.rank === a.rank + 1 && b.shape[b.rank - 1] === 1) {
    if (a.rank === 1 && expandRank1) return [reshape(a, [...a.shape, 1]), b];
    return [a, reshape(b, b.shape.slice(0, -1))];
  }
  return [a, b];
}

/** The shape-error hint for one-hot losses and metrics given integer labels. */
export const SPARSE_HINT = " (for integer class labels use the sparse version)";

/**
 * yPred as a float tensor and yTrue cast to its dtype. With `adjust`, a trailing size-1 axis is squeezed or added
 * as Keras does; with `sameShape`, the two must then have the same shape (`hint` is appended to that error).
 */
export function lossInputs(
  yTrue: TensorLike,
  yPred: TensorLike,
  op: string,
  { adjust = true, sameShape = true, minRank = 1, hint = "" }: { adjust?: boolean; sameShape?: boolean; minRank?: number; hint?: string } = {},
): [Tensor, Tensor] {
  const p = floatInput(yPred, op, "yPred");
  let y = castTo(toTensor(yTrue, op, "yTrue", p.dtype), p.dtype);
  let q = p;
  if (adjust) [y, q] = squeezeOrExpand(y, q);
  if (sameShape && !shapesEqual(y.shape, q.shape)) {
    throw new ShapeError(
      `${op}: yTrue and yPred must have the same shape (a trailing axis of size 1 is squeezed or added as Keras does), got yTrue ${formatShape(y.shape)} and yPred ${formatShape(q.shape)}${hint}`,
    );
  }
  if (q.rank < minRank) {
    throw new ShapeError(`${op}: yPred must have rank >= ${minRank} (the loss reduces its last axis), got shape ${formatShape(q.shape)}`);
  }
  return [y, q];
}

/**
 * A loss or metric class's name for messages and default names: its own static `className` (every built-in has
 * one, so minified bundles still say "MeanSquaredError"), else the JS name of a user's class.
 */
export function ownClassName(cls: { readonly name: string }): string {
  const own = Object.prototype.hasOwnProperty.call(cls, "className") ? (cls as { className?: unknown }).className : undefined;
  return typeof own === "string" && own.length > 0 ? own : cls.name;
}

/**
 * Checks a user class given to registerLoss/registerMetric: a subclass of `base` with its own static className
 * (an identifier) and returns that name. `family` names the base in messages ("Loss").
 */
export function registrableClassName(cls: unknown, base: abstract new (...args: never[]) => object, registrar: string, family: string): string {
  if (typeof cls !== "function" || !(cls.prototype instanceof base)) {
    throw new ValueError(`${registrar}: expected a subclass of ${family}, got ${describeValue(cls)}`);
  }
  const name: unknown = Object.prototype.hasOwnProperty.call(cls, "className") ? (cls as { className?: unknown }).className : undefined;
  if (name === undefined) {
    throw new ValueError(`${registrar}: class ${cls.name} must declare its own static className (the name saved files use), e.g. static className = "${cls.name}"`);
  }
  if (typeof name !== "string" || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new ValueError(`${registrar}: className must be an identifier such as "MyClass", got ${describeValue(name)}`);
  }
  return name;
}

/** Validates an options object and refuses keys outside `allowed` (a typo would otherwise be silently ignored). */
export function checkOptions(options: unknown, op: string, allowed: readonly string[]): void {
  assertOptionsObject(options, op);
  for (const key of Object.keys(options as object)) {
    if (!allowed.includes(key)) {
      throw new ValueError(`${op}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
    }
  }
}

/** An integer >= min. */
export function intOption(value: unknown, fallback: number, op: string, arg: string, min = -Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const what = min === -Infinity ? "an integer" : `an integer >= ${min}`;
    throw new ValueError(`${op}: ${arg} must be ${what}, got ${describeValue(value)}`);
  }
  return value;
}

/** An integer axis (not resolved: the rank is known only when the loss runs). */
export function axisOption(value: unknown, op: string): number {
  return intOption(value, -1, op, "axis");
}

/** `axis` resolved against `rank`, with the op's name in the error. */
export function resolveAxis(axis: number, rank: number, op: string): number {
  return normalizeAxis(axis, rank, op);
}

/** a / b with 0 where b is 0 (TF's divide_no_nan), gradient-safe. */
export function divNoNan(a: Tensor, b: Tensor): Tensor {
  const nonzero = notEqual(b, 0);
  return where(nonzero, div(a, where(nonzero, b, 1)), 0);
}
