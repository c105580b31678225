/** Tensor to text (NumPy/TF style, summarized past a threshold) and to nested JS arrays. */
import type { DType, TypedArray } from "../core/dtype.js";
import { formatShape, stridesOf, type Shape } from "../core/shape.js";

export type NestedArray = number | boolean | NestedArray[];

/** Above this many elements, only the first and last EDGE items of each axis are printed (NumPy's defaults). */
const SUMMARY_THRESHOLD = 1000;
const EDGE = 3;

export function toNested(values: TypedArray, shape: Shape, dtype: DType): NestedArray {
  const asBool = dtype === "bool";
  const strides = stridesOf(shape);
  const build = (axis: number, offset: number): NestedArray => {
    if (axis === shape.length) return asBool ? values[offset] !== 0 : values[offset];
    const out: NestedArray[] = new Array(shape[axis]);
    for (let i = 0; i < shape[axis]; i++) out[i] = build(axis + 1, offset + i * strides[axis]);
    return out;
  };
  return build(0, 0);
}

function formatNumber(v: number, dtype: DType): string {
  if (dtype === "bool") return v !== 0 ? "true" : "false";
  if (dtype === "int32" || dtype === "uint8") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return v.toExponential(4);
  return Number.isInteger(v) ? `${v}` : `${Number(v.toFixed(4))}`;
}

export function formatTensor(values: TypedArray, shape: Shape, dtype: DType, verbose: boolean): string {
  const size = values.length;
  const summarize = size > SUMMARY_THRESHOLD;
  const strides = stridesOf(shape);
  const indicesOf = (n: number): (number | null)[] => {
    if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
    return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
  };
  // First pass: the widest element, so columns align.
  let width = 1;
  const visit = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      width = Math.max(width, formatNumber(values[offset], dtype).length);
      return;
    }
    for (const i of indicesOf(shape[axis])) if (i !== null) visit(axis + 1, offset + i * strides[axis]);
  };
  visit(0, 0);
  const render = (axis: number, offset: number, indent: string): string => {
    if (axis === shape.length) return formatNumber(values[offset], dtype).padStart(width);
    const parts: string[] = [];
    const last = axis === shape.length - 1;
    for (const i of indicesOf(shape[axis])) {
      parts.push(i === null ? "..." : render(axis + 1, offset + i * strides[axis], indent + " "));
    }
    const newlines = last ? "" : "\n".repeat(shape.length - axis - 1);
    const sep = last ? ", " : `,${newlines}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? formatNumber(values[0], dtype) : render(0, 0, "    ");
  const header = verbose ? `Tensor\n  dtype: ${dtype}\n  rank: ${shape.length}\n  shape: ${formatShape(shape)}\n  values:\n` : "Tensor\n";
  return `${header}    ${body}`;
}
