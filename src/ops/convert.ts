/** Turning user values (numbers, nested arrays, typed arrays) into tensors, and operand checks shared by ops. */
import {
  allocArray,
  assertDType,
  convertArray,
  dtypeOfArray,
  isFloatDType,
  promoteTypes,
  promoteWithScalar,
  type DType,
  type TypedArray,
} from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { assertValidShape, broadcastShapes, formatShape, sizeOf } from "../core/shape.js";
import { runPrimitive, tensorFromValues } from "../backend/dispatch.js";
import { Tensor } from "../tensor/tensor.js";

export type ScalarLike = number | boolean;
export type NestedValues = ScalarLike | readonly NestedValues[];
/** Anything an op accepts where it takes a tensor. */
export type TensorLike = Tensor | TypedArray | NestedValues;

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Shape of nested arrays, checking they are rectangular. */
export function inferShape(values: NestedValues | TypedArray, op: string): number[] {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level) || isTypedArray(level)) {
    shape.push((level as ArrayLike<unknown>).length);
    if ((level as ArrayLike<unknown>).length === 0) break;
    level = (level as ArrayLike<unknown>)[0];
  }
  const check = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v) || isTypedArray(v)) throw new ShapeError(`${op}: values are ragged: ${path} is an array, expected a number`);
      if (typeof v !== "number" && typeof v !== "boolean") {
        throw new ValueError(`${op}: values${path} must be a number or boolean, got ${v === null ? "null" : typeof v}`);
      }
      return;
    }
    if (!Array.isArray(v) && !isTypedArray(v)) {
      throw new ShapeError(`${op}: values are ragged: values${path} is not an array, expected length ${shape[depth]}`);
    }
    const arr = v as ArrayLike<unknown>;
    if (arr.length !== shape[depth]) {
      throw new ShapeError(`${op}: values are ragged: values${path} has length ${arr.length}, expected ${shape[depth]}`);
    }
    if (isTypedArray(v)) {
      if (depth !== shape.length - 1) throw new ShapeError(`${op}: values are ragged at values${path}`);
      return;
    }
    for (let i = 0; i < arr.length; i++) check(arr[i], depth + 1, `${path}[${i}]`);
  };
  check(values, 0, "");
  return shape;
}

function flattenInto(values: NestedValues | TypedArray, out: number[]): void {
  if (typeof values === "number") out.push(values);
  else if (typeof values === "boolean") out.push(values ? 1 : 0);
  else if (isTypedArray(values)) for (let i = 0; i < values.length; i++) out.push(values[i]);
  else for (const v of values) flattenInto(v, out);
}

function firstLeaf(values: NestedValues): ScalarLike | undefined {
  let v: NestedValues = values;
  while (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    v = v[0];
  }
  return v as ScalarLike;
}

/**
 * Creates a tensor from nested arrays or a flat typed array. `shape` is required for a flat array of rank > 1;
 * `dtype` defaults to the typed array's type, bool for booleans, float32 otherwise.
 * `tn.tensor([[1, 2], [3, 4]])`, `tn.tensor(new Float32Array(6), [2, 3])`
 */
export function tensor(values: TypedArray | NestedValues, shape?: readonly number[], dtype?: DType): Tensor {
  const op = "tensor";
  if (dtype !== undefined) assertDType(dtype, op, "dtype");
  if (shape !== undefined) assertValidShape(shape, op);
  if (isTypedArray(values)) {
    const resolvedShape = shape ?? [values.length];
    if (sizeOf(resolvedShape) !== values.length) {
      throw new ShapeError(`${op}: shape ${formatShape(resolvedShape)} holds ${sizeOf(resolvedShape)} elements, got ${values.length} values`);
    }
    const resolved = dtype ?? dtypeOfArray(values);
    const data = resolved === dtypeOfArray(values) && resolved !== "bool" ? values.slice() : convertArray(values, resolved);
    return tensorFromValues(data, resolvedShape.slice(), resolved);
  }
  const inferred = inferShape(values, op);
  const flat: number[] = [];
  flattenInto(values, flat);
  const leaf = firstLeaf(values);
  const resolved = dtype ?? (typeof leaf === "boolean" ? "bool" : "float32");
  let resolvedShape = inferred;
  if (shape !== undefined) {
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} holds ${sizeOf(shape)} elements, got ${flat.length} values`);
    }
    resolvedShape = shape.slice();
  }
  return tensorFromValues(convertArray(flat, resolved), resolvedShape, resolved);
}

/** A rank-0 tensor. `tn.scalar(3.5)` */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  return tensor(value, [], dtype);
}

/** A tensor of `shape` and `dtype` over fresh host values (takes ownership of `values`). */
export function fromValues(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return tensorFromValues(values, shape, dtype);
}

export function zerosOf(shape: readonly number[], dtype: DType): Tensor {
  return tensorFromValues(allocArray(dtype, sizeOf(shape)), shape, dtype);
}

/** Converts an op argument to a tensor. Plain numbers take `dtypeHint` (the other operand's dtype). */
export function toTensor(value: TensorLike, op: string, arg: string, dtypeHint?: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (value === undefined || value === null) throw new ValueError(`${op}: ${arg} is required, got ${String(value)}`);
  if (typeof value === "number") return scalar(value, dtypeHint !== undefined ? promoteWithScalar(dtypeHint, value) : "float32");
  if (typeof value === "boolean") return scalar(value, "bool");
  try {
    return tensor(value);
  } catch (error) {
    if (error instanceof ShapeError || error instanceof ValueError) {
      throw new (error.constructor as typeof ShapeError)(error.message.replace(/^tensor:/, `${op}: ${arg}:`));
    }
    throw error;
  }
}

/** Two operands promoted to a common dtype, with their broadcast shape checked under the op's name. */
export function binaryOperands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, number[]] {
  let x: Tensor;
  let y: Tensor;
  if (typeof a === "number" && !(b instanceof Tensor) && typeof b !== "object") {
    x = toTensor(a, op, "a");
    y = toTensor(b, op, "b", x.dtype);
  } else if (typeof a === "number") {
    y = toTensor(b, op, "b");
    x = toTensor(a, op, "a", y.dtype);
  } else {
    x = toTensor(a, op, "a");
    y = toTensor(b, op, "b", x.dtype);
  }
  const shape = broadcastShapes(x.shape, y.shape, op);
  if (x.dtype !== y.dtype) {
    const dtype = promoteTypes(x.dtype, y.dtype);
    x = castTo(x, dtype);
    y = castTo(y, dtype);
  }
  return [x, y, shape];
}

/** `x` as `dtype` (x itself when it already is). */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : runPrimitive("cast", [x], { dtype });
}

/** Requires a float tensor (or casts integer input to float32 when `castInts`). */
export function floatOperand(x: Tensor, op: string, arg = "x", castInts = true): Tensor {
  if (isFloatDType(x.dtype)) return x;
  if (castInts && x.dtype !== "bool") return castTo(x, "float32");
  throw new DTypeError(`${op}: ${arg} must be a float tensor, got dtype ${x.dtype}`);
}

/** An op argument as a float tensor (integers become float32, bool is refused), with the op's name in errors. */
export function floatInput(x: TensorLike, op: string, arg = "x"): Tensor {
  return floatOperand(toTensor(x, op, arg), op, arg);
}

/** An op argument as a numeric tensor (bool is refused), with the op's name in errors. */
export function numericInput(x: TensorLike, op: string, arg = "x"): Tensor {
  const t = toTensor(x, op, arg);
  if (t.dtype === "bool") throw new DTypeError(`${op}: ${arg} must be numeric, got dtype bool`);
  return t;
}

/** A short description of an option value for error messages: numbers and strings as written, else the kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(value: unknown, op: string, arg: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ValueError(`${op}: ${arg} must be a finite number, got ${describeValue(value)}`);
  }
}

/** Throws unless `options` is a plain object (not null, not an array). */
export function assertOptionsObject(options: unknown, op: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValueError(`${op}: options must be an object, got ${describeValue(options)}`);
  }
}

export function assertDTypeIn(x: Tensor, allowed: readonly DType[], op: string, arg = "x"): void {
  if (!allowed.includes(x.dtype)) {
    throw new DTypeError(`${op}: ${arg} must have dtype ${allowed.join(" or ")}, got ${x.dtype}`);
  }
}
