/** Shapes, strides, axes and NumPy broadcasting. */
import { ShapeError, ValueError } from "./errors.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i];
  return size;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function assertValidShape(shape: unknown, op: string, arg = "shape"): number[] {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: ${arg} must be an array of dimensions, got ${String(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${op}: ${arg}[${i}] must be a non-negative integer, got ${String(d)} in ${JSON.stringify(shape)}`,
      );
    }
  }
  return shape as number[];
}

/** The broadcast shape of two shapes (NumPy rules), or a ShapeError naming the op. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast ` +
          `(dimension ${i - rank} is ${da} vs ${db}; each must be equal or 1)`,
      );
    }
  }
  return out;
}

/** Whether `shape` broadcasts to `target` without changing it (no higher rank, each dim equal or 1). */
export function broadcastsTo(shape: Shape, target: Shape): boolean {
  if (shape.length > target.length) return false;
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== target[lead + i] && shape[i] !== 1) return false;
  return true;
}

/** Axes of `outShape` along which an input of `inShape` was broadcast (for summing gradients back). */
export function broadcastedAxes(inShape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const lead = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead || (inShape[i - lead] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Resolves a possibly negative axis against `rank`. */
export function normalizeAxis(axis: number, rank: number, op: string, arg = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ValueError(
      `${op}: ${arg} ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${Math.max(rank - 1, 0)}])`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves an axis list (or all axes when undefined), sorted and without repeats. */
export function normalizeAxes(axes: number | readonly number[] | undefined | null, rank: number, op: string): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, rank, op));
  const unique = [...new Set(out)].sort((x, y) => x - y);
  if (unique.length !== out.length) throw new ValueError(`${op}: axis ${JSON.stringify(axes)} repeats an axis`);
  return unique;
}

/** The shape after reducing `axes`, keeping them as 1s when `keepDims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** Resolves one -1 in a target shape for reshape. */
export function inferReshape(shape: readonly number[], size: number, op: string): number[] {
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(`${op}: shape ${formatShape(shape)} has more than one -1`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} has an invalid dimension ${d} at index ${i}`);
    } else known *= d;
  }
  const out = shape.slice();
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${size} elements into ${formatShape(shape)}`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new ShapeError(
      `${op}: cannot reshape ${size} elements into ${formatShape(shape)} (which holds ${known} elements)`,
    );
  }
  return out;
}
