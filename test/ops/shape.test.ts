import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";

// ---- plain-array reference helpers (independent of the kernels) ----

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return flat;
}

/** A tensor of `shape` whose element at each multi-index is f(index). */
function build(shape: number[], f: (idx: number[]) => number): RefTensor {
  return { shape, values: Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape))) };
}

const at = (t: RefTensor, idx: readonly number[]) => t.values[ravel(idx, t.shape)];
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Flat data 0.1, 0.2, … (distinct, so sorts and gradients are unambiguous). */
function seq(shape: number[], scale = 0.1, offset = 0): { shape: number[]; values: number[] } {
  return { shape, values: Array.from({ length: sizeOf(shape) }, (_, i) => offset + (i + 1) * scale) };
}

/** Distinct values in a scrambled order. */
function scrambled(shape: number[]): { shape: number[]; values: number[] } {
  const n = sizeOf(shape);
  return { shape, values: Array.from({ length: n }, (_, i) => (((i * 7 + 3) % (n + 5)) - n / 2) * 0.37 + i * 0.001) };
}

function transposeRef(x: RefTensor, perm: number[]): RefTensor {
  return build(perm.map((p) => x.shape[p]), (idx) => {
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => (src[p] = idx[i]));
    return at(x, src);
  });
}

/** Stable sort of plain numbers along `axis`: [values, indices]. NaN is the largest. */
function sortRef(x: RefTensor, axis: number, descending: boolean): [RefTensor, RefTensor] {
  const a = norm(axis, x.shape.length);
  const n = x.shape[a];
  const vals = build(x.shape, () => 0);
  const inds = build(x.shape, () => 0);
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  for (let flat = 0; flat < sizeOf(x.shape); flat++) {
    const idx = unravel(flat, x.shape);
    if (idx[a] !== 0) continue;
    const line = Array.from({ length: n }, (_, k) => {
      const i = idx.slice();
      i[a] = k;
      return { v: at(x, i), k, nan: Number.isNaN(at(x, i)) };
    });
    line.sort((p, q) => {
      if (p.nan !== q.nan) return (p.nan ? 1 : -1) * (descending ? -1 : 1);
      const d = descending ? key(q.v) - key(p.v) : key(p.v) - key(q.v);
      return d !== 0 && !Number.isNaN(d) ? d : p.k - q.k;
    });
    line.forEach(({ v, k }, j) => {
      const i = idx.slice();
      i[a] = j;
      vals.values[ravel(i, x.shape)] = v;
      inds.values[ravel(i, x.shape)] = k;
    });
  }
  return [vals, inds];
}


const records: OpRecord[] = [
  {
    name: "reshape",
    fn: ([x], shape) => tn.reshape(x, shape),
    reference: ([x], shape: number[]) => {
      const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return { shape: shape.map((d) => (d === -1 ? x.values.length / known : d)), values: x.values };
    },
    samples: [
      { inputs: [seq([2, 3])], args: [3, 2] },
      { inputs: [seq([2, 3])], args: [-1], label: "-1" },
      { inputs: [5], args: [1, 1], label: "scalar" },
      { inputs: [{ shape: [0, 3], values: [] }], args: [3, 0], label: "empty" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3])], args: [4], throws: /^reshape: cannot reshape 6 elements into \[4\]/ },
      { inputs: [seq([2, 3])], args: [-1, -1], throws: /^reshape: shape \[-1,-1\] has more than one -1/ },
    ],
  },
  {
    name: "transpose",
    fn: ([x], perm) => tn.transpose(x, perm),
    oracle: (tf, [x], perm?: number[]) => tf.transpose(x, perm?.map((p) => norm(p, x.rank))),
    samples: [
      { inputs: [seq([2, 3, 4])], args: [2, 0, 1] },
      { inputs: [seq([2, 3])], label: "default reverses axes" },
      { inputs: [seq([2, 3, 2])], args: [-1, 0, 1], label: "negative axis" },
      { inputs: [{ shape: [0, 2], values: [] }], args: [1, 0], label: "empty" },
      { inputs: [seq([2, 1, 40])], args: [2, 1, 0], label: "long rows" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3])], args: [0], throws: /^transpose: perm \[0\] has 1 entries, expected 2/ },
      { inputs: [seq([2, 3])], args: [0, 0], throws: /^transpose: perm \[0,0\] must be a permutation/ },
      { inputs: [seq([2, 3])], args: [0, 2], throws: /^transpose: perm entry 2 is out of range for a tensor of rank 2/ },
    ],
  },
  {
    name: "permute",
    fn: ([x], dims) => tn.permute(x, dims),
    reference: ([x], dims: number[]) => transposeRef(x, dims.map((d) => norm(d, x.shape.length))),
    samples: [{ inputs: [seq([2, 3, 4])], args: [1, -1, 0] }],
    grad: "check",
    errors: [{ inputs: [seq([2])], args: 0, throws: /^permute: dims must be an array of axes, got 0/ }],
  },
  {
    name: "expandDims",
    fn: ([x], axis) => tn.expandDims(x, axis),
    oracle: (tf, [x], axis) => tf.expandDims(x, axis),
    samples: [
      { inputs: [seq([2, 3])], args: 1 },
      { inputs: [seq([2, 3])], args: -1, label: "negative axis" },
      { inputs: [3], args: 0, label: "scalar" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2])], args: 2, throws: /^expandDims: axis 2 is out of range for a tensor of rank 2/ }],
  },
  {
    name: "squeeze",
    fn: ([x], axis) => tn.squeeze(x, axis),
    reference: ([x], axis?: number | number[]) => {
      const rank = x.shape.length;
      const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : [axis].flat().map((a) => norm(a, rank));
      return { shape: x.shape.filter((_, i) => !axes.includes(i)), values: x.values };
    },
    samples: [
      { inputs: [seq([1, 3, 1])], label: "all" },
      { inputs: [seq([1, 3, 1])], args: -1, label: "negative axis" },
      { inputs: [seq([1, 0, 1])], args: [0], label: "empty" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([1, 3])], args: 1, throws: /^squeeze: cannot squeeze axis 1 of shape \[1,3\]: its size is 3, expected 1/ }],
  },
  {
    name: "flatten",
    fn: ([x], args) => (args === undefined ? tn.flatten(x) : tn.flatten(x, args[0], args[1])),
    reference: ([x], args?: [number, number]) => {
      const rank = x.shape.length;
      if (rank === 0) return { shape: [1], values: x.values };
      const [s, e] = args === undefined ? [0, rank - 1] : [norm(args[0], rank), norm(args[1], rank)];
      return { shape: [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)], values: x.values };
    },
    samples: [
      { inputs: [seq([2, 3, 2])] },
      { inputs: [seq([2, 3, 2, 2])], args: [1, -2], label: "middle axes" },
      { inputs: [4], label: "scalar" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2, 3, 2])], args: [2, 1], throws: /^flatten: startAxis \(2\) must not come after endAxis \(1\)/ }],
  },
  {
    name: "slice",
    fn: ([x], [begin, size]) => tn.slice(x, begin, size),
    oracle: (tf, [x], [begin, size]) => tf.slice(x, begin, size),
    samples: [
      { inputs: [seq([2, 3])], args: [[0, 1], [2, -1]] },
      { inputs: [seq([4, 3, 2])], args: [[1], [2]], label: "leading axis (a view)" },
      { inputs: [seq([4, 3, 2])], args: [2, undefined], label: "begin as a number" },
      { inputs: [seq([3, 4])], args: [[1, 1], [0, 2]], label: "empty result" },
      { inputs: [seq([3, 5, 4])], args: [[1, 1, 1], [2, 3, 2]], label: "inner block" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3])], args: [[0, 4], [1, 1]], throws: /^slice: begin\[1\] = 4 is out of range for axis 1 of shape \[2,3\]/ },
      { inputs: [seq([2, 3])], args: [[0, 1], [1, 3]], throws: /^slice: begin\[1\] \+ size\[1\] = 1 \+ 3 = 4 exceeds axis 1/ },
      { inputs: [seq([2, 3])], args: [[0, 0, 0], [1]], throws: /^slice: begin has 3 entries, more than the rank 2 of x/ },
    ],
  },
  {
    name: "stridedSlice",
    fn: ([x], a: number[][] & number[]) => tn.stridedSlice(x, a[0], a[1], a[2], ...(a.slice(3) as unknown as number[])),
    oracle: (tf, [x], a) => tf.stridedSlice(x, a[0], a[1], a[2], ...(a.slice(3) as number[])),
    samples: [
      { inputs: [seq([5])], args: [[4], [0], [-2]], label: "negative stride" },
      { inputs: [seq([4, 5])], args: [[1, -1], [4, 0], [2, -1]], label: "negative begin and stride" },
      { inputs: [seq([4, 5])], args: [[1, 0], [3, 0], [1, 2], 0, 2], label: "endMask" },
      { inputs: [seq([4, 5])], args: [[0, 3], [0, 0], [1, -1], 1, 3], label: "beginMask and endMask, reversed" },
      { inputs: [seq([2, 3, 4])], args: [[0, 1], [0, 3], [1, 2], 0, 0, 1], label: "ellipsis" },
      { inputs: [seq([2, 3, 4])], args: [[0, 1, 0], [0, 2, 0], [1, 1, 1], 0, 0, 0, 1, 0], label: "newAxis" },
      { inputs: [seq([2, 3, 4])], args: [[1, -1], [2, 0], [1, 1], 0, 0, 0, 0, 3], label: "shrink" },
      { inputs: [seq([3, 4])], args: [[5, 1], [7, 3], [1, 1]], label: "clamped to empty" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([4])], args: [[0], [4], [0]], throws: /^stridedSlice: strides\[0\] must be non-zero, got 0/ },
      { inputs: [seq([4])], args: [[5], [6], [1], 0, 0, 0, 0, 1], throws: /^stridedSlice: begin\[0\] = 5 shrinks axis 0 of shape \[4\], but is out of range/ },
      { inputs: [seq([4])], args: [[0, 0], [1, 1], [1, 1]], throws: /^stridedSlice: the slice spec indexes 2 axes, but x has rank 1/ },
      { inputs: [seq([4])], args: [[0], [1, 2], [1]], throws: /^stridedSlice: begin, end and strides must have equal lengths, got 1, 2 and 1/ },
    ],
  },
  {
    name: "concat",
    fn: (xs, axis) => tn.concat(xs, axis),
    oracle: (tf, xs, axis) => tf.concat(xs, axis),
    samples: [
      { inputs: [seq([2, 3]), seq([2, 2], 1)], args: 1 },
      { inputs: [seq([2, 3]), seq([1, 3], 1), seq([2, 3], 2)], args: 0, label: "three inputs" },
      { inputs: [seq([2, 3, 2]), seq([2, 3, 1], 1)], args: -1, label: "negative axis" },
      { inputs: [seq([2, 0]), seq([2, 2], 1)], args: 1, label: "an empty input" },
      { inputs: [seq([2, 40]), seq([2, 35], 1)], args: 1, label: "long runs" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3]), seq([3, 3])], args: 1, throws: /^concat: tensors\[1\] has shape \[3,3\], which does not match tensors\[0\] \[2,3\] outside axis 1/ },
      { inputs: [1, 2], args: 0, throws: /^concat: tensors must have rank >= 1, got a scalar/ },
      { inputs: [seq([2])], args: 1, throws: /^concat: axis 1 is out of range for a tensor of rank 1/ },
    ],
  },
  {
    name: "stack",
    fn: (xs, axis) => tn.stack(xs, axis),
    oracle: (tf, xs, axis) => tf.stack(xs, axis),
    samples: [
      { inputs: [seq([2, 3]), seq([2, 3], 1)], args: 1 },
      { inputs: [seq([2]), seq([2], 1), seq([2], 2)], args: -1, label: "negative axis" },
      { inputs: [1, 2], args: 0, label: "scalars" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2, 3]), seq([3, 2])], args: 0, throws: /^stack: tensors\[1\] has shape \[3,2\], expected \[2,3\]/ }],
  },
  {
    name: "unstack",
    fn: ([x], { axis, k }) => tn.unstack(x, axis)[k],
    oracle: (tf, [x], { axis, k }) => tf.unstack(x, axis)[k],
    samples: [
      { inputs: [seq([3, 2])], args: { axis: 0, k: 1 } },
      { inputs: [seq([2, 3, 2])], args: { axis: -2, k: 2 }, label: "negative axis" },
    ],
    grad: "check",
    errors: [{ inputs: [3], args: { axis: 0, k: 0 }, throws: /^unstack: x must have rank >= 1, got shape \[\]/ }],
  },
  {
    name: "split",
    fn: ([x], { splits, axis, k }) => tn.split(x, splits, axis)[k],
    oracle: (tf, [x], { splits, axis, k }) => tf.split(x, splits, axis)[k],
    samples: [
      { inputs: [seq([4, 3])], args: { splits: 2, axis: 0, k: 1 } },
      { inputs: [seq([2, 6])], args: { splits: [1, -1, 2], axis: -1, k: 1 }, label: "sizes with -1" },
      { inputs: [seq([2, 6])], args: { splits: [0, 6], axis: 1, k: 0 }, label: "empty part" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([5])], args: { splits: 2, axis: 0, k: 0 }, throws: /^split: numOrSizeSplits 2 must evenly divide axis 0 of shape \[5\]/ },
      { inputs: [seq([5])], args: { splits: [1, 2], axis: 0, k: 0 }, throws: /^split: numOrSizeSplits \[1,2\] adds up to 3, expected 5/ },
      { inputs: [seq([5])], args: { splits: [-1, -1], axis: 0, k: 0 }, throws: /^split: numOrSizeSplits \[-1,-1\] has more than one -1/ },
    ],
  },
  {
    name: "gather",
    fn: ([x, i], args = {}) => tn.gather(x, i, args.axis, args.batchDims),
    oracle: (tf, [x, i], args = {}) => tf.gather(x, i, args.axis ?? 0, args.batchDims ?? 0),
    samples: [
      { inputs: [seq([4, 3]), [2, 0, 2]], intInputs: [1], label: "repeated indices sum their gradients" },
      { inputs: [seq([2, 3, 4]), [[3, 0], [1, 1]]], intInputs: [1], args: { axis: -1 }, label: "2-D indices, negative axis" },
      { inputs: [seq([2, 3, 2]), [[2, 0], [1, 1]]], intInputs: [1], args: { axis: 1, batchDims: 1 }, label: "batchDims" },
      { inputs: [seq([3, 2]), { shape: [0], values: [] }], intInputs: [1], label: "empty indices" },
      { inputs: [seq([3, 2]), 1], intInputs: [1], args: { axis: 0 }, label: "scalar index" },
      { inputs: [seq([3, 40]), [1, 2]], intInputs: [1], label: "long slices" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([3]), [0, 3]], intInputs: [1], throws: /^gather: indices contains 3 at flat index 1, out of range for axis 0 of x with shape \[3\]/ },
      { inputs: [seq([3]), [0.5]], throws: /^gather: indices must have dtype int32, got float32/ },
      { inputs: [seq([2, 3]), [[0], [1], [2]]], intInputs: [1], args: { axis: 1, batchDims: 1 }, throws: /^gather: with batchDims 1, x \[2,3\] and indices \[3,1\] must agree/ },
    ],
  },
  {
    name: "gatherND",
    fn: ([x, i]) => tn.gatherND(x, i),
    oracle: (tf, [x, i]) => tf.gatherND(x, i),
    samples: [
      { inputs: [seq([2, 3]), [[1, 0], [0, 2], [1, 0]]], intInputs: [1], label: "elements, repeated" },
      { inputs: [seq([3, 2, 2]), [[[2], [0]]]], intInputs: [1], label: "slices" },
      { inputs: [seq([3, 2]), { shape: [0, 2], values: [] }], intInputs: [1], label: "empty" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3]), [[1, 3]]], intInputs: [1], throws: /^gatherND: indices contains 3 at flat index 1, out of range for axis 1 of x \[2,3\]/ },
      { inputs: [seq([2]), [[1, 0]]], intInputs: [1], throws: /^gatherND: indices has last dimension 2, more than the rank 1 of x \[2\]/ },
    ],
  },
  {
    name: "scatterND",
    fn: ([i, u], shape) => tn.scatterND(i, u, shape),
    oracle: (tf, [i, u], shape) => tf.scatterND(i, u, shape),
    samples: [
      { inputs: [[[1], [3], [1]], [0.5, 1.5, 2.5]], intInputs: [0], args: [5], label: "duplicates sum" },
      { inputs: [[[0, 1], [2, 0]], seq([2, 3])], intInputs: [0], args: [3, 2, 3], label: "slices" },
      { inputs: [{ shape: [0, 1], values: [] }, { shape: [0], values: [] }], intInputs: [0], args: [3], label: "no updates" },
    ],
    grad: "check",
    errors: [
      { inputs: [[[1], [4]], [1, 2]], intInputs: [0], args: [4], throws: /^scatterND: indices contains 4 at flat index 1, out of range for axis 0 of shape \[4\]/ },
      { inputs: [[[1], [2]], [1, 2, 3]], intInputs: [0], args: [4], throws: /^scatterND: updates has shape \[3\], expected \[2\]/ },
    ],
  },
  {
    name: "pad",
    fn: ([x], { paddings, value, mode }) => (mode === undefined ? tn.pad(x, paddings, value) : tn.pad(x, paddings, { mode, constantValue: value })),
    oracle: (tf, [x], { paddings, value, mode }) =>
      mode === undefined || mode === "constant" ? tf.pad(x, paddings, value ?? 0) : tf.mirrorPad(x, paddings, mode),
    samples: [
      { inputs: [seq([2, 3])], args: { paddings: [[1, 0], [2, 1]], value: -2 } },
      { inputs: [seq([3, 4, 2])], args: { paddings: [[2, 1], [1, 3], [0, 1]], mode: "reflect" }, label: "reflect" },
      { inputs: [seq([3, 4, 2])], args: { paddings: [[3, 1], [1, 4], [2, 0]], mode: "symmetric" }, label: "symmetric" },
      { inputs: [seq([2, 3])], args: { paddings: [[1, 1], [0, 2]], mode: "constant", value: 0.5 }, label: "options object" },
      { inputs: [{ shape: [0, 2], values: [] }], args: { paddings: [[1, 1], [1, 0]] }, label: "empty input" },
      { inputs: [seq([2, 40])], args: { paddings: [[1, 1], [3, 2]], value: 1 }, label: "long rows" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3])], args: { paddings: [[1, 1]] }, throws: /^pad: paddings must have one \[before, after\] pair per axis of x \(shape \[2,3\], 2 pairs\)/ },
      { inputs: [seq([2, 3])], args: { paddings: [[1, 1], [-1, 0]] }, throws: /^pad: paddings\[1\] must be a pair of non-negative integers/ },
      { inputs: [seq([2, 3])], args: { paddings: [[0, 0], [3, 0]], mode: "reflect" }, throws: /^pad: paddings\[1\] = \[3, 0\] is too large for reflect padding of axis 1 \(size 3; each must be <= 2\)/ },
      { inputs: [seq([2, 3])], args: { paddings: [[0, 0], [0, 0]], mode: "wrap" }, throws: /^pad: mode must be "constant", "reflect" or "symmetric", got "wrap"/ },
    ],
  },
  {
    name: "mirrorPad",
    fn: ([x], { paddings, mode }) => tn.mirrorPad(x, paddings, mode),
    oracle: (tf, [x], { paddings, mode }) => tf.mirrorPad(x, paddings, mode),
    samples: [
      { inputs: [seq([3])], args: { paddings: [[2, 1]], mode: "reflect" } },
      { inputs: [seq([2, 3])], args: { paddings: [[2, 2], [3, 3]], mode: "symmetric" }, label: "symmetric at the limit" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2])], args: { paddings: [[3, 0]], mode: "symmetric" }, throws: /^mirrorPad: paddings\[0\] = \[3, 0\] is too large for symmetric padding/ },
      { inputs: [seq([2])], args: { paddings: [[1, 0]], mode: "constant" }, throws: /^mirrorPad: mode must be "reflect" or "symmetric", got "constant"/ },
    ],
  },
  {
    name: "tile",
    fn: ([x], reps) => tn.tile(x, reps),
    oracle: (tf, [x], reps) => tf.tile(x, reps),
    samples: [
      { inputs: [seq([2, 3])], args: [2, 3] },
      { inputs: [seq([2, 1, 2])], args: [1, 3, 2], label: "3-D" },
      { inputs: [seq([2, 2])], args: [0, 2], label: "zero reps" },
      { inputs: [seq([3, 40])], args: [2, 2], label: "long rows" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([2, 3])], args: [2], throws: /^tile: reps \[2\] has 1 entries, expected 2 \(the rank of x, shape \[2,3\]\)/ },
      { inputs: [seq([2])], args: [-1], throws: /^tile: reps\[0\] must be a non-negative integer, got -1/ },
    ],
  },
  {
    name: "repeat",
    fn: ([x], [repeats, axis]) => tn.repeat(x, repeats, axis),
    reference: ([x], [repeats, axis]: [number | number[], number | undefined]) => {
      const src = axis === undefined ? { shape: [x.values.length], values: x.values } : x;
      const a = norm(axis ?? 0, src.shape.length);
      const counts = typeof repeats === "number" ? src.shape.map(() => repeats) : repeats;
      const map: number[] = [];
      for (let i = 0; i < src.shape[a]; i++) for (let k = 0; k < (typeof repeats === "number" ? repeats : counts[i]); k++) map.push(i);
      const shape = src.shape.slice();
      shape[a] = map.length;
      return build(shape, (idx) => {
        const s = idx.slice();
        s[a] = map[idx[a]];
        return at(src, s);
      });
    },
    samples: [
      { inputs: [seq([2, 2])], args: [2, undefined], label: "flattened" },
      { inputs: [seq([2, 3])], args: [[1, 0, 2], -1], label: "per-element counts, negative axis" },
      { inputs: [seq([2, 3])], args: [3, 0] },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2, 3])], args: [[1, 2], 1], throws: /^repeat: repeats has 2 entries, expected 1 or 3 \(the size of axis 1\)/ }],
  },
  {
    name: "reverse",
    fn: ([x], axis) => tn.reverse(x, axis),
    oracle: (tf, [x], axis) => tf.reverse(x, axis),
    samples: [
      { inputs: [seq([2, 3])], label: "all axes" },
      { inputs: [seq([2, 3, 4])], args: -1, label: "negative axis" },
      { inputs: [seq([2, 3, 4])], args: [0, 2], label: "two axes" },
      { inputs: [seq([0, 3])], args: [1], label: "empty" },
      { inputs: [7], label: "scalar" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2, 3])], args: [0, 0], throws: /^reverse: axis \[0,0\] repeats an axis/ }],
  },
  {
    name: "broadcastTo",
    fn: ([x], shape) => tn.broadcastTo(x, shape),
    oracle: (tf, [x], shape) => tf.broadcastTo(x, shape),
    samples: [
      { inputs: [seq([3, 1])], args: [2, 3, 4] },
      { inputs: [2], args: [2, 2], label: "scalar" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([3])], args: [2, 2], throws: /^broadcastTo: shapes \[3\] and \[2,2\] do not broadcast/ }],
  },
  {
    name: "sort",
    fn: ([x], options) => tn.sort(x, options),
    reference: ([x], options = {}) => sortRef(x, options.axis ?? -1, options.descending ?? false)[0],
    samples: [
      { inputs: [scrambled([3, 5])] },
      { inputs: [scrambled([4, 3])], args: { axis: 0, descending: true }, label: "axis 0, descending" },
      { inputs: [scrambled([2, 3, 4])], args: { axis: -2 }, label: "negative axis" },
      { inputs: [[[2, 1, 2, 1, 3]]], args: { descending: true }, label: "ties", noGradReason: "ties sit on a kink" },
      { inputs: [{ shape: [5], values: [2, NaN, -1, Infinity, 0] }], label: "NaN last", noGradReason: "NaN" },
      { inputs: [{ shape: [6], values: [2, NaN, -1, NaN, 2, -Infinity] }], args: { descending: true }, label: "NaN first descending", noGradReason: "NaN" },
      { inputs: [{ shape: [2, 0], values: [] }], label: "empty" },
    ],
    grad: "check",
    errors: [
      { inputs: [3], throws: /^sort: x must have rank >= 1, got shape \[\]/ },
      { inputs: [seq([2, 3])], args: { axis: 2 }, throws: /^sort: axis 2 is out of range for a tensor of rank 2/ },
    ],
  },
  {
    name: "argsort",
    fn: ([x], options) => tn.argsort(x, options),
    reference: ([x], options = {}) => sortRef(x, options.axis ?? -1, options.descending ?? false)[1],
    samples: [
      { inputs: [[[3, 1, 2, 1, 3]]], label: "ties keep their order" },
      { inputs: [[[3, 1, 2, 1, 3]]], args: { descending: true }, label: "descending ties keep their order" },
      { inputs: [scrambled([3, 4])], args: { axis: 0 }, label: "axis 0" },
    ],
    grad: "none",
    exact: true,
    errors: [{ inputs: [seq([2])], args: { descending: 1 }, throws: /^argsort: descending must be a boolean, got 1/ }],
  },
  {
    name: "topk",
    fn: ([x], k) => tn.topk(x, k).values,
    oracle: (tf, [x], k) => tf.topk(x, k).values,
    samples: [
      { inputs: [scrambled([3, 6])], args: 2 },
      { inputs: [scrambled([4])], args: 4, label: "k = n" },
      { inputs: [scrambled([2, 3])], args: 0, label: "k = 0" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([3])], args: 4, throws: /^topk: k \(4\) must be <= the size of the last axis of x \(shape \[3\], 3\)/ },
      { inputs: [2], args: 1, throws: /^topk: x must have rank >= 1/ },
    ],
  },
  {
    name: "topk indices",
    fn: ([x], k) => tn.topk(x, k).indices,
    oracle: (tf, [x], k) => tf.topk(x, k).indices,
    samples: [
      { inputs: [scrambled([3, 6])], args: 3 },
      { inputs: [[[1, 3, 3, 2, 3]]], args: 2, label: "ties give the lower index first" },
    ],
    grad: "none",
    exact: true,
  },
  {
    name: "unique",
    fn: ([x]) => tn.unique(x).values,
    reference: ([x]) => {
      const values: number[] = [];
      for (const v of x.values) if (!values.includes(v)) values.push(v);
      return { shape: [values.length], values };
    },
    samples: [
      { inputs: [[1, 3, 1, 2, 3]], noGradReason: "duplicates merge" },
      { inputs: [[0.5, -1, 2]], label: "distinct" },
      { inputs: [{ shape: [0], values: [] }], label: "empty" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([2, 2])], throws: /^unique: x must be 1-D, got shape \[2,2\]/ }],
  },
  {
    name: "unique indices",
    fn: ([x]) => tn.unique(x).indices,
    reference: ([x]) => {
      const values: number[] = [];
      for (const v of x.values) if (!values.includes(v)) values.push(v);
      return { shape: x.shape, values: x.values.map((v) => values.indexOf(v)) };
    },
    samples: [{ inputs: [[1, 3, 1, 2, 3]] }],
    grad: "none",
    exact: true,
  },
  {
    name: "booleanMask",
    fn: ([x, m], axis) => tn.booleanMask(x, m, axis),
    reference: ([x, m], axis = 0) => {
      const a = norm(axis, x.shape.length);
      const r = m.shape.length;
      const keep = m.values.flatMap((v, i) => (v ? [i] : []));
      const merged = { shape: [...x.shape.slice(0, a), sizeOf(m.shape), ...x.shape.slice(a + r)], values: x.values };
      const shape = merged.shape.slice();
      shape[a] = keep.length;
      return build(shape, (idx) => {
        const s = idx.slice();
        s[a] = keep[idx[a]];
        return at(merged, s);
      });
    },
    samples: [
      { inputs: [seq([3, 2]), [true, false, true]], boolInputs: [1] },
      { inputs: [seq([2, 2, 3]), [[false, true], [true, true]]], boolInputs: [1], label: "2-D mask" },
      { inputs: [seq([2, 3]), [true, false, true]], boolInputs: [1], args: -1, label: "negative axis" },
      { inputs: [seq([2, 3]), [false, false]], boolInputs: [1], label: "nothing selected" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([3]), [1, 0, 1]], throws: /^booleanMask: mask must have dtype bool, got float32/ },
      { inputs: [seq([3]), [true, false]], boolInputs: [1], throws: /^booleanMask: mask has shape \[2\], expected it to equal x.shape\[0:1\] = \[3\]/ },
    ],
  },
  {
    name: "depthToSpace",
    fn: ([x], bs) => tn.depthToSpace(x, bs),
    oracle: (tf, [x], bs) => tf.depthToSpace(x as import("@tensorflow/tfjs").Tensor4D, bs, "NHWC"),
    samples: [
      { inputs: [seq([1, 2, 3, 8])], args: 2 },
      { inputs: [seq([2, 1, 1, 9])], args: 3, label: "block 3" },
    ],
    grad: "check",
    errors: [
      { inputs: [seq([1, 2, 2, 6])], args: 2, throws: /^depthToSpace: the channels of x \(6, shape \[1,2,2,6\]\) must be divisible by blockSize² = 4/ },
      { inputs: [seq([2, 2, 4])], args: 2, throws: /^depthToSpace: x must have rank 4/ },
      { inputs: [seq([1, 1, 1, 4])], args: 1, throws: /^depthToSpace: blockSize must be an integer >= 2, got 1/ },
    ],
  },
  {
    name: "spaceToDepth",
    fn: ([x], bs) => tn.spaceToDepth(x, bs),
    reference: ([x], bs: number) => {
      const [b, h, w, c] = x.shape;
      return build([b, h / bs, w / bs, c * bs * bs], ([n, i, j, ch]) => {
        const k = ch % c;
        const block = Math.floor(ch / c);
        return at(x, [n, i * bs + Math.floor(block / bs), j * bs + (block % bs), k]);
      });
    },
    samples: [
      { inputs: [seq([1, 4, 6, 2])], args: 2 },
      { inputs: [seq([2, 3, 3, 1])], args: 3, label: "block 3" },
    ],
    grad: "check",
    errors: [{ inputs: [seq([1, 3, 4, 1])], args: 2, throws: /^spaceToDepth: the height and width of x \(3 and 4, shape \[1,3,4,1\]\) must be divisible by blockSize 2/ }],
  },
  {
    name: "oneHot",
    fn: ([i], [depth, on, off]) => tn.oneHot(i, depth, on, off),
    oracle: (tf, [i], [depth, on, off]) => tf.oneHot(i, depth, on, off),
    samples: [
      { inputs: [[0, 2, 1]], intInputs: [0], args: [3] },
      { inputs: [[[0, 4], [-1, 1]]], intInputs: [0], args: [4, 5, -1], label: "out-of-range rows are off, 2-D" },
      { inputs: [2], intInputs: [0], args: [3], label: "scalar" },
    ],
    grad: "none",
    dtypes: ["float32"],
    errors: [
      { inputs: [[0.5]], args: [3], throws: /^oneHot: indices must have dtype int32, got float32/ },
      { inputs: [[1]], intInputs: [0], args: [-2], throws: /^oneHot: depth must be a non-negative integer, got -2/ },
    ],
  },
];

runOpRecords(records);

test("reshape shares memory with its input (zero-copy)", () => {
  const x = tn.tensor([1, 2, 3, 4, 5, 6]);
  const y = tn.reshape(x, [2, 3]);
  assert.equal(y.storage, x.storage);
  assert.deepEqual(y.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  const z = tn.expandDims(tn.squeeze(tn.flatten(y.reshape([1, 6]))), 0);
  assert.equal(z.storage.data, x.storage.data);
});

test("slices along leading axes are views of the input; others copy", () => {
  const x = tn.tensor(seq([4, 3, 2]).values, [4, 3, 2]);
  const base = x.storage.data as Float32Array;
  const rows = tn.slice(x, [1], [2]);
  assert.equal((rows.storage.data as Float32Array).buffer, base.buffer);
  assert.equal(rows.storage.base, x.storage);
  const inner = tn.slice(x, [1, 1], [1, 2]); // one leading index, then a contiguous block
  assert.equal((inner.storage.data as Float32Array).buffer, base.buffer);
  const strided = tn.slice(x, [0, 1], [2, 1]);
  assert.notEqual((strided.storage.data as Float32Array).buffer, base.buffer);
  const parts = tn.split(x, 2);
  assert.equal((parts[1].storage.data as Float32Array).buffer, base.buffer);
  assert.deepEqual(Array.from(parts[1].dataSync()), seq([4, 3, 2]).values.slice(12).map((v) => Math.fround(v)));
});

test("sort is stable and topk prefers lower indices on ties", () => {
  const x = tn.tensor([[2, 1, 2, 1, 2]]);
  assert.deepEqual(tn.argsort(x).arraySync(), [[1, 3, 0, 2, 4]]);
  assert.deepEqual(tn.argsort(x, { descending: true }).arraySync(), [[0, 2, 4, 1, 3]]);
  const { values, indices } = tn.topk(x, 3);
  assert.deepEqual(values.arraySync(), [[2, 2, 2]]);
  assert.deepEqual(indices.arraySync(), [[0, 2, 4]]);
  assert.deepEqual(tn.sort(tn.tensor([3, 1, 2], undefined, "int32")).arraySync(), [1, 2, 3]);
});

test("second-order gradients flow through gather, strided slices and pads", () => {
  const idx = tn.tensor([2, 0, 2], undefined, "int32");
  const c = tn.tensor([0.5, -1, 2], undefined, "float64");
  const x = tn.tensor([1, 2, 3], undefined, "float64");
  // f(x) = Σ gather(x)²; ∇f = gatherGrad(2·gather(x)); <∇f, c> has gradient 2·gatherGrad(gather(c))
  const inner = (y: tn.Tensor) => tn.grad((z: tn.Tensor) => tn.sum(tn.square(tn.gather(z, idx))))(y);
  const g2 = tn.grad((y: tn.Tensor) => tn.sum(tn.mul(inner(y), c)))(x);
  // gather(c) = [2, 0.5, 2]; scatter-add back: [0.5, 0, 4]; times 2
  assert.deepEqual(Array.from(g2.dataSync()), [1, 0, 8]);
  const sliceInner = (y: tn.Tensor) => tn.grad((z: tn.Tensor) => tn.sum(tn.square(tn.stridedSlice(z, [2], [0], [-2]))))(y);
  const s2 = tn.grad((y: tn.Tensor) => tn.sum(tn.mul(sliceInner(y), c)))(x);
  assert.deepEqual(Array.from(s2.dataSync()), [0, 0, 4]);
  const padInner = (y: tn.Tensor) => tn.grad((z: tn.Tensor) => tn.sum(tn.square(tn.mirrorPad(z, [[1, 1]], "reflect"))))(y);
  const p2 = tn.grad((y: tn.Tensor) => tn.sum(tn.mul(padInner(y), c)))(x);
  // mirror [x1, x0, x1, x2, x1]: d²/dx² of Σ = diag(2, 6, 2)
  assert.deepEqual(Array.from(p2.dataSync()), [1, -6, 4]);
});

test("shape methods chain on tensors", () => {
  const x = tn.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.transpose().shape, [3, 2]);
  assert.deepEqual(x.expandDims(1).squeeze().shape, [2, 3]);
  assert.deepEqual(x.flatten().arraySync(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(x.slice([0, 1], [1, 2]).arraySync(), [[2, 3]]);
  assert.deepEqual(x.gather([1], 1).arraySync(), [[2], [5]]);
  assert.deepEqual(x.pad([[0, 0], [1, 0]]).arraySync(), [[0, 1, 2, 3], [0, 4, 5, 6]]);
  assert.deepEqual(x.tile([1, 2]).shape, [2, 6]);
  assert.deepEqual(x.reverse(-1).arraySync(), [[3, 2, 1], [6, 5, 4]]);
  assert.deepEqual(x.broadcastTo([2, 2, 3]).shape, [2, 2, 3]);
});

test("bool and int tensors go through the shape kernels unchanged", () => {
  const b = tn.tensor([[true, false], [false, true]]);
  assert.deepEqual(tn.reverse(b, 1).arraySync(), [[false, true], [true, false]]);
  assert.deepEqual(tn.concat([b, b], 0).shape, [4, 2]);
  assert.equal(tn.tile(b, [2, 1]).dtype, "bool");
  const i = tn.tensor([[1, 2], [3, 4]], undefined, "int32");
  assert.deepEqual(tn.pad(i, [[0, 0], [1, 1]], 7).arraySync(), [[7, 1, 2, 7], [7, 3, 4, 7]]);
  assert.deepEqual(tn.concat([i, tn.tensor([[0.5, 0.5]])]).dtype, "float32");
});
