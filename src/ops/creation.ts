/** Creation ops: zeros, ones, fill, *Like, range, linspace, eye, variable. */
import { allocArray, assertDType, type DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { assertValidShape, sizeOf } from "../core/shape.js";
import { tensorFromValues } from "../backend/dispatch.js";
import { Variable, type Tensor } from "../tensor/tensor.js";
import { castTo, toTensor, type TensorLike } from "./convert.js";

/** A tensor of `shape` filled with `value`. `tn.fill([2], 7)` → [7, 7] */
export function fill(shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  const dims = assertValidShape(shape, "fill");
  const resolved = dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  assertDType(resolved, "fill", "dtype");
  const data = allocArray(resolved, sizeOf(dims));
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (v !== 0) data.fill(resolved === "bool" ? (v !== 0 ? 1 : 0) : v);
  return tensorFromValues(data, dims.slice(), resolved);
}

/** `tn.zeros([2, 3])` */
export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return fill(shape, 0, dtype);
}

/** `tn.ones([2, 3])` */
export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return fill(shape, 1, dtype);
}

/** Zeros with the shape and dtype of x. `tn.zerosLike(x)` */
export function zerosLike(x: TensorLike): Tensor {
  const t = toTensor(x, "zerosLike", "x");
  return fill(t.shape, 0, t.dtype);
}

/** Ones with the shape and dtype of x. `tn.onesLike(x)` */
export function onesLike(x: TensorLike): Tensor {
  const t = toTensor(x, "onesLike", "x");
  return fill(t.shape, 1, t.dtype);
}

/** Evenly spaced values in [start, stop) (NumPy arange). `tn.range(0, 5, 2)` → [0, 2, 4] */
export function range(start: number, stop?: number, step = 1, dtype: DType = "float32"): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  assertDType(dtype, "range", "dtype");
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`range: step must be a finite non-zero number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new ValueError(`range: start and stop must be finite, got ${start} and ${stop}`);
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return tensorFromValues(data, [n], dtype);
}

/** `num` evenly spaced values from start to stop inclusive. `tn.linspace(0, 1, 3)` → [0, 0.5, 1] */
export function linspace(start: number, stop: number, num: number, dtype: DType = "float32"): Tensor {
  assertDType(dtype, "linspace", "dtype");
  if (!Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new ValueError(`linspace: start and stop must be finite, got ${start} and ${stop}`);
  }
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const data = allocArray(dtype, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return tensorFromValues(data, [num], dtype);
}

/** An identity matrix, optionally with batch dims. `tn.eye(2)` → [[1, 0], [0, 1]] */
export function eye(numRows: number, numColumns = numRows, batchShape: readonly number[] = [], dtype: DType = "float32"): Tensor {
  for (const [name, v] of [["numRows", numRows], ["numColumns", numColumns]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`eye: ${name} must be a non-negative integer, got ${v}`);
  }
  assertDType(dtype, "eye", "dtype");
  const batch = assertValidShape(batchShape, "eye", "batchShape");
  const matrix = numRows * numColumns;
  const data = allocArray(dtype, sizeOf(batch) * matrix);
  for (let b = 0; b < sizeOf(batch); b++) {
    for (let i = 0; i < Math.min(numRows, numColumns); i++) data[b * matrix + i * numColumns + i] = 1;
  }
  return tensorFromValues(data, [...batch, numRows, numColumns], dtype);
}

export interface VariableOptions {
  trainable?: boolean;
  name?: string;
  dtype?: DType;
}

/** A mutable tensor (`assign`), trainable by default. `tn.variable(tn.zeros([3]), {name: "w"})` */
export function variable(initialValue: TensorLike, options: VariableOptions = {}): Variable {
  const t = toTensor(initialValue, "variable", "initialValue");
  if (options.dtype !== undefined) assertDType(options.dtype, "variable", "dtype");
  return new Variable(options.dtype !== undefined ? castTo(t, options.dtype) : t, options.trainable ?? true, options.name);
}
