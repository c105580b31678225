/**
 * Data types and the promotion rules, stated in one place.
 *
 * Promotion follows the lattice bool < uint8 < int32 < float32 < float64: combining two tensors gives the higher
 * of the two. A plain JS number is "weak" (as in JAX): it takes the dtype of the tensor it meets, except that a
 * non-integer number meeting an integer or bool tensor gives float32.
 */
import { DTypeError } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "bool" | "uint8";
export type FloatDType = "float32" | "float64";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
  uint8: Uint8Array;
}

export const DTYPES: readonly DType[] = ["bool", "uint8", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

const BYTES: Record<DType, number> = { bool: 1, uint8: 1, int32: 4, float32: 4, float64: 8 };

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(RANK, value);
}

export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

/** The dtype two tensors combine to. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The dtype a tensor of `dtype` combines to with a plain JS number `value` (weakly typed). */
export function promoteWithScalar(dtype: DType, value: number): DType {
  if (isFloatDType(dtype)) return dtype;
  if (!Number.isInteger(value)) return "float32";
  return dtype === "bool" ? "int32" : dtype;
}

/** The smallest float dtype that holds `dtype` (ops such as exp or mean on integer input give float). */
export function toFloatDType(dtype: DType): FloatDType {
  return dtype === "float64" ? "float64" : "float32";
}

export function allocArray<D extends DType>(dtype: D, size: number): DTypeArrayMap[D];
export function allocArray(dtype: DType, size: number): TypedArray;
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
    case "uint8":
      return new Uint8Array(size);
  }
}

/** The dtype a typed array stores natively (Uint8Array maps to uint8; pass dtype "bool" explicitly). */
export function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return "float32";
  if (values instanceof Float64Array) return "float64";
  if (values instanceof Int32Array) return "int32";
  return "uint8";
}

/** Copies `values` into a new array of `dtype`, converting each element the way `cast` does. */
export function convertArray(values: ArrayLike<number>, dtype: DType): TypedArray {
  const out = allocArray(dtype, values.length);
  if (dtype === "bool") {
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else if (dtype === "int32" || dtype === "uint8") {
    // Truncate toward zero as C casts do; typed arrays wrap out-of-range values.
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]);
  } else {
    (out as Float32Array | Float64Array).set(values);
  }
  return out;
}

export function assertDType(value: unknown, op: string, arg: string): DType {
  if (!isDType(value)) {
    throw new DTypeError(`${op}: ${arg} must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value;
}
