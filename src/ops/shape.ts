/** Shape ops: reshape, transpose, expandDims, squeeze, slicing, concat/stack/split, gather/scatter, pad, tile, sort… */
import { allocArray, assertDType, promoteTypes, type DType } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import {
  assertValidShape,
  broadcastShapes,
  formatShape,
  inferReshape,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  sizeOf,
} from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import { Tensor } from "../tensor/tensor.js";
import { castTo, fromValues, toTensor, type TensorLike } from "./convert.js";

// ---- argument checks ----

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/** An array of integers (each >= min when given), or a ValueError naming op and argument. */
function intList(value: unknown, op: string, arg: string, min?: number): number[] {
  if (!Array.isArray(value)) throw new ValueError(`${op}: ${arg} must be an array of integers, got ${JSON.stringify(value)}`);
  value.forEach((v: unknown, i) => {
    if (!isInt(v) || (min !== undefined && v < min)) {
      const what = min === undefined ? "an integer" : min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
      throw new ValueError(`${op}: ${arg}[${i}] must be ${what}, got ${JSON.stringify(v)} in ${JSON.stringify(value)}`);
    }
  });
  return value as number[];
}

function intArg(value: unknown, op: string, arg: string, min = -Infinity): number {
  if (!isInt(value) || value < min) {
    const what = min === -Infinity ? "an integer" : min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
    throw new ValueError(`${op}: ${arg} must be ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireRank(t: Tensor, min: number, op: string, arg = "x"): void {
  if (t.rank < min) throw new ShapeError(`${op}: ${arg} must have rank >= ${min}, got shape ${formatShape(t.shape)}`);
}

/**
 * An int32 tensor of indices. Plain values must be integers; a tensor must already be int32.
 */
function toIndices(value: TensorLike, op: string, arg: string): Tensor {
  if (value instanceof Tensor) {
    if (value.dtype !== "int32") throw new DTypeError(`${op}: ${arg} must have dtype int32, got ${value.dtype}`);
    return value;
  }
  const t = toTensor(value, op, arg);
  if (t.dtype === "bool") throw new DTypeError(`${op}: ${arg} must be integers, got bool values`);
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i])) throw new ValueError(`${op}: ${arg} must be integers, got ${data[i]} at flat index ${i}`);
  }
  return castTo(t, "int32");
}

/** Checks every index lies in [0, n). */
function checkIndexRange(data: ArrayLike<number>, n: number, op: string, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || v >= n) {
      throw new ValueError(`${op}: indices contains ${v} at flat index ${i}, out of range for ${what} (expected 0 <= index < ${n})`);
    }
  }
}

function slicePrim(x: Tensor, begin: number[], end: number[], strides?: number[]): Tensor {
  return runPrimitive("stridedSlice", [x], { begin, end, strides: strides ?? begin.map(() => 1) });
}

function reshapeTo(x: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(x.shape, shape) ? x : runPrimitive("reshape", [x], { shape: shape.slice() });
}

// ---- reshaping ----

/** Same elements, new shape (one dimension may be -1); shares memory. `tn.reshape([1, 2, 3, 4], [2, 2])` */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "reshape", "x");
  return runPrimitive("reshape", [t], { shape: inferReshape(shape, t.size, "reshape") });
}

/** Repeats size-1 (or missing leading) dimensions to reach `shape`. `tn.broadcastTo([1, 2], [2, 2])` */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "broadcastTo", "x");
  const target = assertValidShape(shape, "broadcastTo");
  if (target.length < t.rank || !shapesEqual(broadcastShapes(t.shape, target, "broadcastTo"), target)) {
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(t.shape)} to ${formatShape(target)}`);
  }
  if (shapesEqual(t.shape, target)) return t;
  return runPrimitive("broadcastTo", [t], { shape: target.slice() });
}

/** Permutes the axes (reverses them by default). `tn.transpose([[1, 2, 3]])` → [[1], [2], [3]] */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const op = "transpose";
  const t = toTensor(x, op, "x");
  const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : intList(perm, op, "perm").slice();
  if (p.length !== t.rank) {
    throw new ShapeError(`${op}: perm ${JSON.stringify(perm)} has ${p.length} entries, expected ${t.rank} (the rank of x, shape ${formatShape(t.shape)})`);
  }
  const resolved = p.map((a) => normalizeAxis(a, t.rank, op, "perm entry"));
  if (new Set(resolved).size !== resolved.length) {
    throw new ValueError(`${op}: perm ${JSON.stringify(perm)} must be a permutation of [0..${t.rank - 1}] (an axis repeats)`);
  }
  if (resolved.every((a, i) => a === i)) return t;
  return runPrimitive("transpose", [t], { perm: resolved });
}

/** PyTorch's name for transpose with explicit dims. `tn.permute(x, [0, 2, 1])` */
export function permute(x: TensorLike, dims: readonly number[]): Tensor {
  if (!Array.isArray(dims)) throw new ValueError(`permute: dims must be an array of axes, got ${JSON.stringify(dims)}`);
  return transpose(x, dims);
}

/** Inserts a size-1 axis at `axis`. `tn.expandDims([1, 2], 1)` → [[1], [2]] */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, "expandDims", "x");
  const a = normalizeAxis(intArg(axis, "expandDims", "axis"), t.rank + 1, "expandDims");
  const shape = t.shape.slice();
  shape.splice(a, 0, 1);
  return runPrimitive("reshape", [t], { shape });
}

/** Removes size-1 axes (all of them, or those in `axis`). `tn.squeeze([[1], [2]])` → [1, 2] */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const op = "squeeze";
  const t = toTensor(x, op, "x");
  let axes: number[];
  if (axis === undefined || axis === null) axes = t.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    axes = normalizeAxes(axis, t.rank, op);
    for (const a of axes) {
      if (t.shape[a] !== 1) {
        throw new ShapeError(`${op}: cannot squeeze axis ${a} of shape ${formatShape(t.shape)}: its size is ${t.shape[a]}, expected 1`);
      }
    }
  }
  return reshapeTo(t, t.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * Merges axes startAxis..endAxis (inclusive; all by default) into one, as PyTorch's flatten.
 * `tn.flatten([[1, 2], [3, 4]])` → [1, 2, 3, 4]
 */
export function flatten(x: TensorLike, startAxis = 0, endAxis = -1): Tensor {
  const op = "flatten";
  const t = toTensor(x, op, "x");
  if (t.rank === 0) return runPrimitive("reshape", [t], { shape: [1] });
  const s = normalizeAxis(intArg(startAxis, op, "startAxis"), t.rank, op, "startAxis");
  const e = normalizeAxis(intArg(endAxis, op, "endAxis"), t.rank, op, "endAxis");
  if (s > e) throw new ValueError(`${op}: startAxis (${startAxis}) must not come after endAxis (${endAxis}) for rank ${t.rank}`);
  const shape = [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshapeTo(t, shape);
}

// ---- slicing ----

/**
 * The block of `size` starting at `begin` (a size of -1 takes the rest of that axis; missing trailing entries take
 * whole axes). Slices along leading axes share memory. `tn.slice([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1])` → [[2, 3], [5, 6]]
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const op = "slice";
  const t = toTensor(x, op, "x");
  const b = typeof begin === "number" ? [begin] : intList(begin, op, "begin");
  const s = size === undefined ? [] : typeof size === "number" ? [size] : intList(size, op, "size");
  if (typeof begin === "number") intArg(begin, op, "begin");
  if (typeof size === "number") intArg(size, op, "size");
  if (b.length > t.rank) throw new ShapeError(`${op}: begin has ${b.length} entries, more than the rank ${t.rank} of x (shape ${formatShape(t.shape)})`);
  if (s.length > t.rank) throw new ShapeError(`${op}: size has ${s.length} entries, more than the rank ${t.rank} of x (shape ${formatShape(t.shape)})`);
  const fullBegin: number[] = [];
  const fullEnd: number[] = [];
  for (let a = 0; a < t.rank; a++) {
    const n = t.shape[a];
    const ba = b[a] ?? 0;
    const sa = s[a] ?? -1;
    if (ba < 0 || ba > n) throw new ValueError(`${op}: begin[${a}] = ${ba} is out of range for axis ${a} of shape ${formatShape(t.shape)} (expected 0 <= begin <= ${n})`);
    if (sa < -1) throw new ValueError(`${op}: size[${a}] = ${sa} must be -1 (the rest of the axis) or non-negative`);
    const ea = sa === -1 ? n : ba + sa;
    if (ea > n) {
      throw new ValueError(`${op}: begin[${a}] + size[${a}] = ${ba} + ${sa} = ${ea} exceeds axis ${a} of shape ${formatShape(t.shape)} (size ${n})`);
    }
    fullBegin.push(ba);
    fullEnd.push(ea);
  }
  if (fullBegin.every((v, a) => v === 0 && fullEnd[a] === t.shape[a])) return t;
  return slicePrim(t, fullBegin, fullEnd);
}

function bit(mask: number, i: number): boolean {
  return ((mask >>> i) & 1) === 1;
}

/**
 * Python-style strided slicing, with TF's masks: a set bit i of beginMask/endMask ignores begin[i]/end[i],
 * ellipsisMask marks the entry standing for all remaining axes, newAxisMask inserts a size-1 axis, and
 * shrinkAxisMask takes the single index begin[i] and drops the axis.
 * `tn.stridedSlice([0, 1, 2, 3, 4], [4], [0], [-2])` → [4, 2]
 */
export function stridedSlice(
  x: TensorLike,
  begin: readonly number[],
  end: readonly number[],
  strides?: readonly number[],
  beginMask = 0,
  endMask = 0,
  ellipsisMask = 0,
  newAxisMask = 0,
  shrinkAxisMask = 0,
): Tensor {
  const op = "stridedSlice";
  const t = toTensor(x, op, "x");
  const b = intList(begin, op, "begin");
  const e = intList(end, op, "end");
  const st = strides === undefined ? b.map(() => 1) : intList(strides, op, "strides");
  if (e.length !== b.length || st.length !== b.length) {
    throw new ValueError(`${op}: begin, end and strides must have equal lengths, got ${b.length}, ${e.length} and ${st.length}`);
  }
  st.forEach((s, i) => {
    if (s === 0) throw new ValueError(`${op}: strides[${i}] must be non-zero, got 0`);
  });
  for (const [name, m] of [["beginMask", beginMask], ["endMask", endMask], ["ellipsisMask", ellipsisMask], ["newAxisMask", newAxisMask], ["shrinkAxisMask", shrinkAxisMask]] as const) {
    intArg(m, op, name, 0);
  }
  let ellipses = 0;
  for (let i = 0; i < b.length; i++) if (bit(ellipsisMask, i)) ellipses++;
  if (ellipses > 1) throw new ValueError(`${op}: ellipsisMask ${ellipsisMask} sets ${ellipses} bits, expected at most one ellipsis`);
  let consumed = 0;
  for (let i = 0; i < b.length; i++) if (!bit(ellipsisMask, i) && !bit(newAxisMask, i)) consumed++;
  if (consumed > t.rank) {
    throw new ShapeError(`${op}: the slice spec indexes ${consumed} axes, but x has rank ${t.rank} (shape ${formatShape(t.shape)})`);
  }
  const fb: number[] = [];
  const fe: number[] = [];
  const fs: number[] = [];
  const outShape: number[] = [];
  const full = (dim: number) => {
    fb.push(0);
    fe.push(t.shape[dim]);
    fs.push(1);
    outShape.push(t.shape[dim]);
  };
  let dim = 0;
  for (let i = 0; i < b.length; i++) {
    if (bit(ellipsisMask, i)) {
      const cover = t.rank - consumed;
      for (let c = 0; c < cover; c++) full(dim++);
      continue;
    }
    if (bit(newAxisMask, i)) {
      outShape.push(1);
      continue;
    }
    const n = t.shape[dim];
    if (bit(shrinkAxisMask, i)) {
      const idx = b[i] < 0 ? b[i] + n : b[i];
      if (idx < 0 || idx >= n) {
        throw new ValueError(`${op}: begin[${i}] = ${b[i]} shrinks axis ${dim} of shape ${formatShape(t.shape)}, but is out of range (expected ${-n} <= index < ${n})`);
      }
      fb.push(idx);
      fe.push(idx + 1);
      fs.push(1);
    } else {
      const s = st[i];
      const norm = (v: number) => (v < 0 ? v + n : v);
      const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
      let bb: number;
      let ee: number;
      if (s > 0) {
        bb = bit(beginMask, i) ? 0 : clamp(norm(b[i]), 0, n);
        ee = bit(endMask, i) ? n : clamp(norm(e[i]), 0, n);
      } else {
        bb = bit(beginMask, i) ? n - 1 : clamp(norm(b[i]), -1, n - 1);
        ee = bit(endMask, i) ? -1 : clamp(norm(e[i]), -1, n - 1);
      }
      fb.push(bb);
      fe.push(ee);
      fs.push(s);
      outShape.push(s > 0 ? Math.max(0, Math.ceil((ee - bb) / s)) : Math.max(0, Math.ceil((bb - ee) / -s)));
    }
    dim++;
  }
  while (dim < t.rank) full(dim++);
  const identity = fb.every((v, a) => v === 0 && fe[a] === t.shape[a] && fs[a] === 1);
  const sliced = identity ? t : slicePrim(t, fb, fe, fs);
  return reshapeTo(sliced, outShape);
}

// ---- joining and splitting ----

/** Joins tensors along an existing axis (dtypes promote). `tn.concat([[1, 2], [3]])` → [1, 2, 3] */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  const op = "concat";
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError(`${op}: tensors must be a non-empty array of tensors, got ${Array.isArray(tensors) ? "[]" : String(tensors)}`);
  }
  let ts = tensors.map((v, i) => toTensor(v, op, `tensors[${i}]`));
  const rank = ts[0].rank;
  if (rank === 0) throw new ShapeError(`${op}: tensors must have rank >= 1, got a scalar at tensors[0]`);
  const a = normalizeAxis(intArg(axis, op, "axis"), rank, op);
  ts.forEach((t, i) => {
    const ok = t.rank === rank && t.shape.every((d, k) => k === a || d === ts[0].shape[k]);
    if (!ok) {
      throw new ShapeError(
        `${op}: tensors[${i}] has shape ${formatShape(t.shape)}, which does not match tensors[0] ${formatShape(ts[0].shape)} ` +
          `outside axis ${a} (expected rank ${rank} and equal other dimensions)`,
      );
    }
  });
  const dtype = ts.reduce<DType>((d, t) => promoteTypes(d, t.dtype), ts[0].dtype);
  ts = ts.map((t) => castTo(t, dtype));
  if (ts.length === 1) return ts[0];
  return runPrimitive("concat", ts, { axis: a });
}

/** Stacks equal-shaped tensors along a new axis. `tn.stack([[1, 2], [3, 4]], 1)` → [[1, 3], [2, 4]] */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  const op = "stack";
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError(`${op}: tensors must be a non-empty array of tensors, got ${Array.isArray(tensors) ? "[]" : String(tensors)}`);
  }
  const ts = tensors.map((v, i) => toTensor(v, op, `tensors[${i}]`));
  ts.forEach((t, i) => {
    if (!shapesEqual(t.shape, ts[0].shape)) {
      throw new ShapeError(`${op}: tensors[${i}] has shape ${formatShape(t.shape)}, expected ${formatShape(ts[0].shape)} (all shapes must be equal)`);
    }
  });
  const a = normalizeAxis(intArg(axis, op, "axis"), ts[0].rank + 1, op);
  const shape = ts[0].shape.slice();
  shape.splice(a, 0, 1);
  return concat(ts.map((t) => runPrimitive("reshape", [t], { shape })), a);
}

/** Splits along `axis` into its slices, dropping the axis. `tn.unstack([[1, 2], [3, 4]])` → [[1, 2], [3, 4]] */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const op = "unstack";
  const t = toTensor(x, op, "x");
  requireRank(t, 1, op);
  const a = normalizeAxis(intArg(axis, op, "axis"), t.rank, op);
  const shape = t.shape.filter((_, i) => i !== a);
  return Array.from({ length: t.shape[a] }, (_, k) => {
    const begin = t.shape.map((_, i) => (i === a ? k : 0));
    const end = t.shape.map((d, i) => (i === a ? k + 1 : d));
    return runPrimitive("reshape", [slicePrim(t, begin, end)], { shape });
  });
}

/**
 * Splits along `axis` into `numOrSizeSplits` equal parts, or parts of the given sizes (one may be -1).
 * `tn.split([1, 2, 3, 4], [1, -1])` → [[1], [2, 3, 4]]
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const op = "split";
  const t = toTensor(x, op, "x");
  requireRank(t, 1, op);
  const a = normalizeAxis(intArg(axis, op, "axis"), t.rank, op);
  const n = t.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === "number") {
    const k = intArg(numOrSizeSplits, op, "numOrSizeSplits", 1);
    if (n % k !== 0) throw new ValueError(`${op}: numOrSizeSplits ${k} must evenly divide axis ${a} of shape ${formatShape(t.shape)} (size ${n})`);
    sizes = new Array<number>(k).fill(n / k);
  } else {
    sizes = intList(numOrSizeSplits, op, "numOrSizeSplits", -1).slice();
    const unknown = sizes.filter((s) => s === -1).length;
    if (unknown > 1) throw new ValueError(`${op}: numOrSizeSplits ${JSON.stringify(numOrSizeSplits)} has more than one -1`);
    const known = sizes.reduce((p, s) => (s === -1 ? p : p + s), 0);
    if (unknown === 1) {
      if (known > n) throw new ValueError(`${op}: numOrSizeSplits ${JSON.stringify(numOrSizeSplits)} adds up to ${known}, more than axis ${a} (size ${n})`);
      sizes[sizes.indexOf(-1)] = n - known;
    } else if (known !== n) {
      throw new ValueError(`${op}: numOrSizeSplits ${JSON.stringify(numOrSizeSplits)} adds up to ${known}, expected ${n} (axis ${a} of shape ${formatShape(t.shape)})`);
    }
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = t.shape.map((_, i) => (i === a ? offset : 0));
    const end = t.shape.map((d, i) => (i === a ? offset + s : d));
    offset += s;
    return slicePrim(t, begin, end);
  });
}

// ---- gather and scatter ----

/**
 * Takes slices of x along `axis` at `indices` (int32); the first `batchDims` axes of x and indices are batch axes.
 * `tn.gather([10, 20, 30], [2, 0])` → [30, 10]
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const op = "gather";
  const t = toTensor(x, op, "x");
  const idx = toIndices(indices, op, "indices");
  requireRank(t, 1, op);
  let bd = intArg(batchDims, op, "batchDims");
  if (bd < 0) bd += idx.rank;
  if (bd < 0 || bd > idx.rank) throw new ValueError(`${op}: batchDims ${batchDims} is out of range for indices of rank ${idx.rank}`);
  const a = normalizeAxis(intArg(axis, op, "axis"), t.rank, op);
  if (a < bd) throw new ValueError(`${op}: axis ${axis} must be >= batchDims ${bd}`);
  for (let i = 0; i < bd; i++) {
    if (t.shape[i] !== idx.shape[i]) {
      throw new ShapeError(
        `${op}: with batchDims ${bd}, x ${formatShape(t.shape)} and indices ${formatShape(idx.shape)} must agree on the first ${bd} dimensions ` +
          `(x[${i}]=${t.shape[i]}, indices[${i}]=${idx.shape[i]})`,
      );
    }
  }
  checkIndexRange(idx.dataSync(), t.shape[a], op, `axis ${a} of x with shape ${formatShape(t.shape)}`);
  return runPrimitive("gather", [t, idx], { axis: a, batchDims: bd });
}

function checkNDIndices(idx: Tensor, shape: readonly number[], op: string, arg: string): number {
  if (idx.rank < 1) throw new ShapeError(`${op}: indices must have rank >= 1, got a scalar`);
  const r = idx.shape[idx.rank - 1];
  if (r > shape.length) {
    throw new ShapeError(`${op}: indices has last dimension ${r}, more than the rank ${shape.length} of ${arg} ${formatShape(shape)}`);
  }
  const data = idx.dataSync();
  for (let i = 0; i < data.length; i++) {
    const j = i % r;
    if (data[i] < 0 || data[i] >= shape[j]) {
      throw new ValueError(
        `${op}: indices contains ${data[i]} at flat index ${i}, out of range for axis ${j} of ${arg} ${formatShape(shape)} (expected 0 <= index < ${shape[j]})`,
      );
    }
  }
  return r;
}

/**
 * Gathers slices of x addressed by the index tuples on the last axis of `indices`.
 * `tn.gatherND([[1, 2], [3, 4]], [[1, 0], [0, 1]])` → [3, 2]
 */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  const op = "gatherND";
  const t = toTensor(x, op, "x");
  const idx = toIndices(indices, op, "indices");
  checkNDIndices(idx, t.shape, op, "x");
  return runPrimitive("gatherND", [t, idx], {});
}

/**
 * Zeros of `shape` with `updates` added at the index tuples of `indices` (duplicates sum).
 * `tn.scatterND([[1], [3]], [9, 10], [4])` → [0, 9, 0, 10]
 */
export function scatterND(indices: TensorLike, updates: TensorLike, shape: readonly number[]): Tensor {
  const op = "scatterND";
  const idx = toIndices(indices, op, "indices");
  const u = toTensor(updates, op, "updates");
  const target = assertValidShape(shape, op);
  const r = checkNDIndices(idx, target, op, "shape");
  const expected = [...idx.shape.slice(0, -1), ...target.slice(r)];
  if (!shapesEqual(u.shape, expected)) {
    throw new ShapeError(
      `${op}: updates has shape ${formatShape(u.shape)}, expected ${formatShape(expected)} (indices.shape[:-1] + shape[${r}:] for indices ${formatShape(idx.shape)} and shape ${formatShape(target)})`,
    );
  }
  return runPrimitive("scatterND", [idx, u], { shape: target.slice() });
}

// ---- padding, tiling, reversing ----

export type PadMode = "constant" | "reflect" | "symmetric";

export interface PadOptions {
  /** The value of constant padding (default 0). */
  constantValue?: number;
  /** "constant" (default), "reflect" (mirror without the edge) or "symmetric" (mirror with the edge). */
  mode?: PadMode;
}

function checkPaddings(t: Tensor, paddings: unknown, mode: PadMode, op: string): [number, number][] {
  if (!Array.isArray(paddings) || paddings.length !== t.rank) {
    throw new ShapeError(
      `${op}: paddings must have one [before, after] pair per axis of x (shape ${formatShape(t.shape)}, ${t.rank} pairs), got ${JSON.stringify(paddings)}`,
    );
  }
  return paddings.map((pair: unknown, a): [number, number] => {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => isInt(v) && v >= 0)) {
      throw new ValueError(`${op}: paddings[${a}] must be a pair of non-negative integers [before, after], got ${JSON.stringify(pair)}`);
    }
    const [before, after] = pair as [number, number];
    const n = t.shape[a];
    const limit = mode === "reflect" ? n - 1 : mode === "symmetric" ? n : Infinity;
    if (before > limit || after > limit) {
      throw new ValueError(
        `${op}: paddings[${a}] = [${before}, ${after}] is too large for ${mode} padding of axis ${a} (size ${n}; each must be <= ${limit})`,
      );
    }
    return [before, after];
  });
}

function padWith(t: Tensor, paddings: [number, number][], mode: PadMode, value: number): Tensor {
  if (paddings.every(([b, a]) => b === 0 && a === 0)) return t;
  return runPrimitive("pad", [t], { paddings, mode, value });
}

/**
 * Pads each axis by [before, after] with `constantValue` (or a {constantValue, mode} options object).
 * `tn.pad([1, 2], [[1, 2]])` → [0, 1, 2, 0, 0]
 */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue: number | PadOptions = 0): Tensor {
  const op = "pad";
  const t = toTensor(x, op, "x");
  const options = typeof constantValue === "number" ? { constantValue } : constantValue ?? {};
  if (typeof options !== "object") throw new ValueError(`${op}: constantValue must be a number or options object, got ${JSON.stringify(constantValue)}`);
  const mode = options.mode ?? "constant";
  if (mode !== "constant" && mode !== "reflect" && mode !== "symmetric") {
    throw new ValueError(`${op}: mode must be "constant", "reflect" or "symmetric", got ${JSON.stringify(mode)}`);
  }
  const value = options.constantValue ?? 0;
  if (typeof value !== "number") throw new ValueError(`${op}: constantValue must be a number, got ${JSON.stringify(value)}`);
  return padWith(t, checkPaddings(t, paddings, mode, op), mode, value);
}

/**
 * Pads each axis by mirroring: "reflect" excludes the edge element, "symmetric" repeats it.
 * `tn.mirrorPad([1, 2, 3], [[2, 1]], "reflect")` → [3, 2, 1, 2, 3, 2]
 */
export function mirrorPad(x: TensorLike, paddings: readonly (readonly [number, number])[], mode: "reflect" | "symmetric"): Tensor {
  const op = "mirrorPad";
  const t = toTensor(x, op, "x");
  if (mode !== "reflect" && mode !== "symmetric") throw new ValueError(`${op}: mode must be "reflect" or "symmetric", got ${JSON.stringify(mode)}`);
  return padWith(t, checkPaddings(t, paddings, mode, op), mode, 0);
}

/** Repeats x reps[i] times along axis i. `tn.tile([1, 2], [2])` → [1, 2, 1, 2] */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const op = "tile";
  const t = toTensor(x, op, "x");
  const r = intList(reps, op, "reps", 0);
  if (r.length !== t.rank) {
    throw new ShapeError(`${op}: reps ${JSON.stringify(reps)} has ${r.length} entries, expected ${t.rank} (the rank of x, shape ${formatShape(t.shape)})`);
  }
  if (r.every((v) => v === 1)) return t;
  return runPrimitive("tile", [t], { reps: r.slice() });
}

/**
 * Repeats each element `repeats` times (a number, or one count per element) along `axis`, as NumPy's repeat; with
 * no axis, x is flattened first. `tn.repeat([1, 2], 2)` → [1, 1, 2, 2]
 */
export function repeat(x: TensorLike, repeats: number | readonly number[], axis?: number): Tensor {
  const op = "repeat";
  let t = toTensor(x, op, "x");
  if (axis === undefined) t = reshapeTo(t, [t.size]);
  const a = normalizeAxis(intArg(axis ?? 0, op, "axis"), t.rank, op);
  const n = t.rank === 0 ? 1 : t.shape[a];
  if (t.rank === 0) t = reshapeTo(t, [1]);
  const counts = typeof repeats === "number" ? [intArg(repeats, op, "repeats", 0)] : intList(repeats, op, "repeats", 0);
  if (counts.length !== 1 && counts.length !== n) {
    throw new ShapeError(`${op}: repeats has ${counts.length} entries, expected 1 or ${n} (the size of axis ${a})`);
  }
  const idx: number[] = [];
  for (let i = 0; i < n; i++) for (let k = counts.length === 1 ? counts[0] : counts[i]; k > 0; k--) idx.push(i);
  return runPrimitive("gather", [t, fromValues(Int32Array.from(idx), [idx.length], "int32")], { axis: a, batchDims: 0 });
}

/** Reverses the order along `axis` (all axes by default). `tn.reverse([1, 2, 3])` → [3, 2, 1] */
export function reverse(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const op = "reverse";
  const t = toTensor(x, op, "x");
  const axes = t.rank === 0 && (axis === undefined || (Array.isArray(axis) && axis.length === 0)) ? [] : normalizeAxes(axis, t.rank, op);
  const effective = axes.filter((a) => t.shape[a] > 1);
  if (effective.length === 0) return t;
  return runPrimitive("reverse", [t], { axes: effective });
}

// ---- sorting ----

/** Values and int32 indices of x sorted along `axis`. */
function sortAlong(t: Tensor, axis: number, descending: boolean): [Tensor, Tensor] {
  const last = t.rank - 1;
  if (axis === last) {
    const [v, i] = runPrimitive("sort", [t], { descending });
    return [v, i];
  }
  const perm = t.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
  const [v, i] = runPrimitive("sort", [runPrimitive("transpose", [t], { perm })], { descending });
  return [runPrimitive("transpose", [v], { perm }), runPrimitive("transpose", [i], { perm })];
}

export interface SortOptions {
  /** The axis to sort along (default -1, the last). */
  axis?: number;
  /** Largest first (default false). Ties keep their order either way (stable); NaN counts as the largest. */
  descending?: boolean;
}

function sortArgs(x: TensorLike, options: SortOptions, op: string): [Tensor, number, boolean] {
  const t = toTensor(x, op, "x");
  requireRank(t, 1, op);
  if (typeof options !== "object" || options === null) throw new ValueError(`${op}: options must be an object {axis?, descending?}, got ${JSON.stringify(options)}`);
  const axis = normalizeAxis(intArg(options.axis ?? -1, op, "axis"), t.rank, op);
  const descending = options.descending ?? false;
  if (typeof descending !== "boolean") throw new ValueError(`${op}: descending must be a boolean, got ${JSON.stringify(descending)}`);
  return [t, axis, descending];
}

/** Sorted values along an axis (stable). `tn.sort([3, 1, 2])` → [1, 2, 3] */
export function sort(x: TensorLike, options: SortOptions = {}): Tensor {
  const [t, axis, descending] = sortArgs(x, options, "sort");
  return sortAlong(t, axis, descending)[0];
}

/** The int32 indices that sort x along an axis (stable). `tn.argsort([3, 1, 2])` → [1, 2, 0] */
export function argsort(x: TensorLike, options: SortOptions = {}): Tensor {
  const [t, axis, descending] = sortArgs(x, options, "argsort");
  return sortAlong(t, axis, descending)[1];
}

/**
 * The k largest entries along the last axis and their int32 indices (lower index first on ties).
 * `tn.topk([1, 5, 3], 2)` → {values: [5, 3], indices: [1, 2]}
 */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const op = "topk";
  const t = toTensor(x, op, "x");
  requireRank(t, 1, op);
  const n = t.shape[t.rank - 1];
  intArg(k, op, "k", 0);
  if (k > n) throw new ValueError(`${op}: k (${k}) must be <= the size of the last axis of x (shape ${formatShape(t.shape)}, ${n})`);
  if (typeof sorted !== "boolean") throw new ValueError(`${op}: sorted must be a boolean, got ${JSON.stringify(sorted)}`);
  const [v, i] = sortAlong(t, t.rank - 1, true);
  if (k === n) return { values: v, indices: i };
  const begin = t.shape.map(() => 0);
  const end = t.shape.slice();
  end[t.rank - 1] = k;
  return { values: slicePrim(v, begin, end), indices: slicePrim(i, begin, end) };
}

/**
 * The distinct values of a 1-D x in order of first appearance, and for each element of x the int32 index of its
 * value in `values` (computed on the host; NaNs count as one value; the values are a gather of x, so gradients
 * reach each value's first occurrence). `tn.unique([1, 1, 2, 1])` → {values: [1, 2], indices: [0, 0, 1, 0]}
 */
export function unique(x: TensorLike): { values: Tensor; indices: Tensor } {
  const op = "unique";
  const t = toTensor(x, op, "x");
  if (t.rank !== 1) throw new ShapeError(`${op}: x must be 1-D, got shape ${formatShape(t.shape)}`);
  const data = t.dataSync();
  const slot = new Map<number, number>();
  const first: number[] = [];
  const indices = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    let s = slot.get(data[i]);
    if (s === undefined) {
      s = first.length;
      slot.set(data[i], s);
      first.push(i);
    }
    indices[i] = s;
  }
  const values = runPrimitive("gather", [t, fromValues(Int32Array.from(first), [first.length], "int32")], { axis: 0, batchDims: 0 });
  return { values, indices: fromValues(indices, [data.length], "int32") };
}

/**
 * The entries of x where the bool `mask` is true; the mask covers axes axis..axis+mask.rank-1 of x, which collapse
 * into one. `tn.booleanMask([1, 2, 3], [true, false, true])` → [1, 3]
 */
export function booleanMask(x: TensorLike, mask: TensorLike, axis = 0): Tensor {
  const op = "booleanMask";
  const t = toTensor(x, op, "x");
  const m = toTensor(mask, op, "mask");
  if (m.dtype !== "bool") throw new DTypeError(`${op}: mask must have dtype bool, got ${m.dtype}`);
  requireRank(m, 1, op, "mask");
  const a = normalizeAxis(intArg(axis, op, "axis"), t.rank, op);
  const covered = t.shape.slice(a, a + m.rank);
  if (!shapesEqual(covered, m.shape)) {
    throw new ShapeError(
      `${op}: mask has shape ${formatShape(m.shape)}, expected it to equal x.shape[${a}:${a + m.rank}] = ${formatShape(covered)} ` +
        `(x has shape ${formatShape(t.shape)}, axis ${a})`,
    );
  }
  const md = m.dataSync();
  const idx: number[] = [];
  for (let i = 0; i < md.length; i++) if (md[i]) idx.push(i);
  const merged = reshapeTo(t, [...t.shape.slice(0, a), m.size, ...t.shape.slice(a + m.rank)]);
  return runPrimitive("gather", [merged, fromValues(Int32Array.from(idx), [idx.length], "int32")], { axis: a, batchDims: 0 });
}

// ---- blocks and one-hot ----

function blockArgs(x: TensorLike, blockSize: number, dataFormat: string, op: string): Tensor {
  const t = toTensor(x, op, "x");
  if (t.rank !== 4) throw new ShapeError(`${op}: x must have rank 4 [batch, height, width, channels], got shape ${formatShape(t.shape)}`);
  intArg(blockSize, op, "blockSize", 2);
  if (dataFormat !== "NHWC") throw new ValueError(`${op}: dataFormat must be "NHWC", got ${JSON.stringify(dataFormat)}`);
  return t;
}

/**
 * Moves channel blocks into spatial blocks: [b, h, w, c·bs²] → [b, h·bs, w·bs, c] (NHWC, as TF).
 * `tn.depthToSpace(x, 2)`
 */
export function depthToSpace(x: TensorLike, blockSize: number, dataFormat: "NHWC" = "NHWC"): Tensor {
  const op = "depthToSpace";
  const t = blockArgs(x, blockSize, dataFormat, op);
  const [b, h, w, c] = t.shape;
  const bs = blockSize;
  if (c % (bs * bs) !== 0) {
    throw new ShapeError(`${op}: the channels of x (${c}, shape ${formatShape(t.shape)}) must be divisible by blockSize² = ${bs * bs}`);
  }
  const c2 = c / (bs * bs);
  const r = runPrimitive("reshape", [t], { shape: [b, h, w, bs, bs, c2] });
  const p = runPrimitive("transpose", [r], { perm: [0, 1, 3, 2, 4, 5] });
  return runPrimitive("reshape", [p], { shape: [b, h * bs, w * bs, c2] });
}

/**
 * Moves spatial blocks into channels: [b, h, w, c] → [b, h/bs, w/bs, c·bs²] (NHWC, as TF).
 * `tn.spaceToDepth(x, 2)`
 */
export function spaceToDepth(x: TensorLike, blockSize: number, dataFormat: "NHWC" = "NHWC"): Tensor {
  const op = "spaceToDepth";
  const t = blockArgs(x, blockSize, dataFormat, op);
  const [b, h, w, c] = t.shape;
  const bs = blockSize;
  if (h % bs !== 0 || w % bs !== 0) {
    throw new ShapeError(`${op}: the height and width of x (${h} and ${w}, shape ${formatShape(t.shape)}) must be divisible by blockSize ${bs}`);
  }
  const r = runPrimitive("reshape", [t], { shape: [b, h / bs, bs, w / bs, bs, c] });
  const p = runPrimitive("transpose", [r], { perm: [0, 1, 3, 2, 4, 5] });
  return runPrimitive("reshape", [p], { shape: [b, h / bs, w / bs, bs * bs * c] });
}

/**
 * One-hot encoding: a new last axis of `depth` holding onValue at each index and offValue elsewhere (indices out of
 * [0, depth) give all offValue). `tn.oneHot([0, 2], 3)` → [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = "float32"): Tensor {
  const op = "oneHot";
  const idx = toIndices(indices, op, "indices");
  intArg(depth, op, "depth", 0);
  if (typeof onValue !== "number" || typeof offValue !== "number") {
    throw new ValueError(`${op}: onValue and offValue must be numbers, got ${JSON.stringify(onValue)} and ${JSON.stringify(offValue)}`);
  }
  assertDType(dtype, op, "dtype");
  const I = idx.dataSync();
  const data = allocArray(dtype, I.length * depth);
  if (offValue !== 0) data.fill(offValue);
  for (let i = 0; i < I.length; i++) {
    const v = I[i];
    if (v >= 0 && v < depth) data[i * depth + v] = onValue;
  }
  return fromValues(data, [...idx.shape, depth], dtype);
}
