/**
 * Elementwise ops: arithmetic, math functions, comparison and logic, where, cast, clipByValue.
 * Binary ops broadcast NumPy-style and promote dtypes (src/core/dtype.ts).
 */
import { assertDType, isFloatDType, type DType } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { broadcastShapes } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { BinaryPrimitives, UnaryPrimitives } from "../backend/primitives.js";
import type { Tensor } from "../tensor/tensor.js";
import { binaryOperands, castTo, floatInput, numericInput, toTensor, type TensorLike } from "./convert.js";

function unaryFloat(prim: keyof UnaryPrimitives, x: TensorLike): Tensor {
  return runPrimitive(prim, [floatInput(x, prim)], {});
}

function unaryNumeric(prim: keyof UnaryPrimitives, x: TensorLike): Tensor {
  return runPrimitive(prim, [numericInput(x, prim)], {});
}

function binaryNumeric(prim: keyof BinaryPrimitives, a: TensorLike, b: TensorLike, floatOnly = false): Tensor {
  let [x, y] = binaryOperands(prim, a, b);
  if (x.dtype === "bool") {
    if (floatOnly) {
      x = castTo(x, "float32");
      y = castTo(y, "float32");
    } else throw new DTypeError(`${prim}: inputs must be numeric, got dtype bool`);
  } else if (floatOnly && !isFloatDType(x.dtype)) {
    x = castTo(x, "float32");
    y = castTo(y, "float32");
  }
  return runPrimitive(prim, [x, y], {});
}

function compare(prim: keyof BinaryPrimitives, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = binaryOperands(prim, a, b);
  return runPrimitive(prim, [x, y], {});
}

function logical(prim: "logicalAnd" | "logicalOr" | "logicalXor", a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a, prim, "a");
  const y = toTensor(b, prim, "b");
  if (x.dtype !== "bool" || y.dtype !== "bool") {
    throw new DTypeError(`${prim}: inputs must be bool, got ${x.dtype} and ${y.dtype}`);
  }
  broadcastShapes(x.shape, y.shape, prim);
  return runPrimitive(prim, [x, y], {});
}

// ---- arithmetic ----

/** a + b, broadcast. `tn.add([1, 2], 10)` → [11, 12] */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("add", a, b);
}
/** a - b, broadcast. `tn.sub([5, 7], [1, 2])` → [4, 5] */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("sub", a, b);
}
/** a * b, broadcast. `tn.mul([1, 2], [3, 4])` → [3, 8] */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("mul", a, b);
}
/** a / b, broadcast; integer inputs give float32. `tn.div([1, 3], 2)` → [0.5, 1.5] */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("div", a, b, true);
}
/** floor(a / b), keeping the dtype. `tn.floorDiv([7, -7], 2)` → [3, -4] */
export function floorDiv(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("floorDiv", a, b);
}
/** Remainder with the sign of b (Python's %). `tn.mod([5, -5], 3)` → [2, 1] */
export function mod(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("mod", a, b);
}
/** a ** b. `tn.pow([2, 3], 2)` → [4, 9] */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("pow", a, b);
}
/** Angle of (b, a) in radians. `tn.atan2([1], [1])` → [0.7854] */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("atan2", a, b, true);
}
/** Elementwise max; NaN propagates; on ties the gradient goes to a. `tn.maximum([1, 5], [3, 2])` → [3, 5] */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("maximum", a, b);
}
/** Elementwise min; NaN propagates; on ties the gradient goes to a. `tn.minimum([1, 5], [3, 2])` → [1, 2] */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryNumeric("minimum", a, b);
}
/** (a - b)². `tn.squaredDifference([1, 5], [3, 2])` → [4, 9] */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = binaryOperands("squaredDifference", a, b);
  return square(sub(x, y));
}
/** -x. `tn.neg([1, -2])` → [-1, 2] */
export function neg(x: TensorLike): Tensor {
  return unaryNumeric("neg", x);
}
/** |x|; the gradient at 0 is 0. `tn.abs([-1, 2])` → [1, 2] */
export function abs(x: TensorLike): Tensor {
  return unaryNumeric("abs", x);
}
/** -1, 0 or 1; gradient 0. `tn.sign([-3, 0, 2])` → [-1, 0, 1] */
export function sign(x: TensorLike): Tensor {
  return unaryNumeric("sign", x);
}
/** x². `tn.square([2, -3])` → [4, 9] */
export function square(x: TensorLike): Tensor {
  return unaryNumeric("square", x);
}
/** √x. `tn.sqrt([4, 9])` → [2, 3] */
export function sqrt(x: TensorLike): Tensor {
  return unaryFloat("sqrt", x);
}
/** 1/√x. `tn.rsqrt([4])` → [0.5] */
export function rsqrt(x: TensorLike): Tensor {
  return unaryFloat("rsqrt", x);
}
/** 1/x. `tn.reciprocal([2, 4])` → [0.5, 0.25] */
export function reciprocal(x: TensorLike): Tensor {
  return unaryFloat("reciprocal", x);
}
/** eˣ. `tn.exp([0, 1])` → [1, 2.7183] */
export function exp(x: TensorLike): Tensor {
  return unaryFloat("exp", x);
}
/** eˣ - 1, accurate near 0. `tn.expm1([1e-10])` → [1e-10] */
export function expm1(x: TensorLike): Tensor {
  return unaryFloat("expm1", x);
}
/** Natural log. `tn.log([1, Math.E])` → [0, 1] */
export function log(x: TensorLike): Tensor {
  return unaryFloat("log", x);
}
/** log(1 + x), accurate near 0. `tn.log1p([0])` → [0] */
export function log1p(x: TensorLike): Tensor {
  return unaryFloat("log1p", x);
}
/** `tn.sin([0])` → [0] */
export function sin(x: TensorLike): Tensor {
  return unaryFloat("sin", x);
}
/** `tn.cos([0])` → [1] */
export function cos(x: TensorLike): Tensor {
  return unaryFloat("cos", x);
}
/** `tn.tan([0])` → [0] */
export function tan(x: TensorLike): Tensor {
  return unaryFloat("tan", x);
}
/** `tn.asin([1])` → [1.5708] */
export function asin(x: TensorLike): Tensor {
  return unaryFloat("asin", x);
}
/** `tn.acos([1])` → [0] */
export function acos(x: TensorLike): Tensor {
  return unaryFloat("acos", x);
}
/** `tn.atan([1])` → [0.7854] */
export function atan(x: TensorLike): Tensor {
  return unaryFloat("atan", x);
}
/** `tn.sinh([0])` → [0] */
export function sinh(x: TensorLike): Tensor {
  return unaryFloat("sinh", x);
}
/** `tn.cosh([0])` → [1] */
export function cosh(x: TensorLike): Tensor {
  return unaryFloat("cosh", x);
}
/** `tn.tanh([0])` → [0] */
export function tanh(x: TensorLike): Tensor {
  return unaryFloat("tanh", x);
}
/** The error function. `tn.erf([0, 1])` → [0, 0.8427] */
export function erf(x: TensorLike): Tensor {
  return unaryFloat("erf", x);
}
/** Rounds down; gradient 0. `tn.floor([1.5, -1.5])` → [1, -2] */
export function floor(x: TensorLike): Tensor {
  return unaryFloat("floor", x);
}
/** Rounds up; gradient 0. `tn.ceil([1.2])` → [2] */
export function ceil(x: TensorLike): Tensor {
  return unaryFloat("ceil", x);
}
/** Rounds half to even; gradient 0. `tn.round([0.5, 1.5, 2.4])` → [0, 2, 2] */
export function round(x: TensorLike): Tensor {
  return unaryFloat("round", x);
}

// ---- comparison and logic (bool results, not differentiable) ----

/** a == b. `tn.equal([1, 2], 2)` → [false, true] */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return compare("equal", a, b);
}
/** a != b. `tn.notEqual([1, 2], 2)` → [true, false] */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare("notEqual", a, b);
}
/** a < b. `tn.less([1, 2], 2)` → [true, false] */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return compare("less", a, b);
}
/** a <= b. `tn.lessEqual([1, 3], 2)` → [true, false] */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare("lessEqual", a, b);
}
/** a > b. `tn.greater([1, 3], 2)` → [false, true] */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return compare("greater", a, b);
}
/** a >= b. `tn.greaterEqual([1, 2], 2)` → [false, true] */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare("greaterEqual", a, b);
}
/** `tn.logicalAnd([true, true], [true, false])` → [true, false] */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return logical("logicalAnd", a, b);
}
/** `tn.logicalOr([false, true], [false, false])` → [false, true] */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return logical("logicalOr", a, b);
}
/** `tn.logicalXor([true, true], [true, false])` → [false, true] */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return logical("logicalXor", a, b);
}
/** `tn.logicalNot([true, false])` → [false, true] */
export function logicalNot(x: TensorLike): Tensor {
  const t = toTensor(x, "logicalNot", "x");
  if (t.dtype !== "bool") throw new DTypeError(`logicalNot: x must be bool, got dtype ${t.dtype}`);
  return runPrimitive("logicalNot", [t], {});
}
/** `tn.isNaN([1, NaN])` → [false, true] */
export function isNaN(x: TensorLike): Tensor {
  return unaryFloat("isNaN", x);
}
/** `tn.isInf([1, Infinity])` → [false, true] */
export function isInf(x: TensorLike): Tensor {
  return unaryFloat("isInf", x);
}
/** `tn.isFinite([1, NaN, Infinity])` → [true, false, false] */
export function isFinite(x: TensorLike): Tensor {
  return unaryFloat("isFinite", x);
}

/** Picks a where condition is true, else b; all three broadcast. `tn.where([true, false], [1, 2], [3, 4])` → [1, 4] */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(condition, "where", "condition");
  if (c.dtype !== "bool") throw new DTypeError(`where: condition must be bool, got dtype ${c.dtype}`);
  const [x, y, shape] = binaryOperands("where", a, b);
  broadcastShapes(c.shape, shape, "where");
  return runPrimitive("where", [c, x, y], {});
}

/** Converts to `dtype` (floats to ints truncate toward zero; nonzero to bool is true). `tn.cast([1.7], "int32")` → [1] */
export function cast(x: TensorLike, dtype: DType): Tensor {
  assertDType(dtype, "cast", "dtype");
  return castTo(toTensor(x, "cast", "x"), dtype);
}

/**
 * Clamps to [min, max]; the gradient passes where min <= x <= max. `tn.clipByValue([-2, 0.5, 3], 0, 1)` → [0, 0.5, 1]
 */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  if (!(clipValueMin <= clipValueMax)) {
    throw new ValueError(`clipByValue: clipValueMin (${clipValueMin}) must be <= clipValueMax (${clipValueMax})`);
  }
  return minimum(maximum(x, clipValueMin), clipValueMax);
}
