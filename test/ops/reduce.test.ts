import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor, type Sample } from "../helpers/opinfo.js";
import { strides } from "../helpers/reference.js";

// ---- plain float64 references ----

function normAxes(axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** Groups x's values by their position outside `axes` and applies f to each group (in index order). */
function reduceRef(x: RefTensor, axis: number | number[] | undefined, keepDims: boolean | undefined, f: (vals: number[]) => number): RefTensor {
  const axes = normAxes(axis, x.shape.length);
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = outShape.reduce((p, d) => p * d, 1);
  const groups: number[][] = Array.from({ length: outSize }, () => []);
  const st = strides(x.shape);
  const ost = strides(outShape);
  for (let flat = 0; flat < x.values.length; flat++) {
    let o = 0;
    for (let d = 0; d < x.shape.length; d++) {
      const idx = Math.floor(flat / st[d]) % x.shape[d];
      if (!axes.includes(d)) o += idx * ost[d];
    }
    groups[o].push(x.values[flat]);
  }
  const shape = keepDims ? outShape : x.shape.filter((_, i) => !axes.includes(i));
  return { shape, values: groups.map(f) };
}

const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
const meanOf = (v: number[]) => sumOf(v) / v.length;
const maxOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : v.reduce((a, b) => Math.max(a, b), -Infinity));
const minOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : v.reduce((a, b) => Math.min(a, b), Infinity));
const varOf = (v: number[], ddof = 0) => {
  const m = meanOf(v);
  return sumOf(v.map((x) => (x - m) ** 2)) / (v.length - ddof);
};

/** Running combination along one axis, with TF's exclusive/reverse. */
function cumulativeRef(x: RefTensor, o: { axis?: number; exclusive?: boolean; reverse?: boolean }, f: (a: number, b: number) => number, id: number): RefTensor {
  const rank = x.shape.length;
  const axis = (o.axis ?? 0) < 0 ? (o.axis as number) + rank : (o.axis ?? 0);
  const st = strides(x.shape);
  const n = x.shape[axis];
  const values = x.values.slice();
  for (let flat = 0; flat < x.values.length; flat++) {
    if (Math.floor(flat / st[axis]) % n !== 0) continue; // start of a line along axis
    const line = Array.from({ length: n }, (_, k) => flat + k * st[axis]);
    if (o.reverse) line.reverse();
    let acc = id;
    for (const at of line) {
      if (o.exclusive) {
        values[at] = acc;
        acc = f(acc, x.values[at]);
      } else {
        acc = f(acc, x.values[at]);
        values[at] = acc;
      }
    }
  }
  return { shape: x.shape, values };
}

const m23 = [[-1.7, -0.4, 0.3], [0.9, 1.6, 2.2]];
const m232 = { shape: [2, 3, 2], values: [0.5, -1.2, 0.8, 1.9, -0.3, 0.7, 1.1, -0.6, 0.2, 1.4, -1.8, 0.9] };

type Opts = { axis?: number | number[]; keepDims?: boolean };

/** The samples every axis-reducing op gets: one axis, negative axis + keepDims, all axes, several axes, scalar. */
const reduceSamples = (extra: Sample[] = []): Sample[] => [
  { inputs: [m23], args: { axis: 0 }, label: "axis 0" },
  { inputs: [m23], args: { axis: -1, keepDims: true }, label: "axis -1 keepDims" },
  { inputs: [m23], args: {}, label: "all axes" },
  { inputs: [m232], args: { axis: [0, 2] }, label: "axes [0, 2]" },
  { inputs: [m232], args: { axis: [-1, 1], keepDims: true }, label: "axes [-1, 1] keepDims" },
  { inputs: [1.5], args: {}, label: "scalar" },
  ...extra,
];

const axisErrors = (name: string) => [
  { inputs: [m23], args: { axis: 2 }, throws: new RegExp(`^${name}: axis 2 is out of range for a tensor of rank 2`) },
  { inputs: [m23], args: { axis: [0, -2] }, throws: new RegExp(`^${name}: axis \\[0,-2\\] repeats an axis`) },
];

function reduction(
  name: "sum" | "mean" | "prod" | "max" | "min" | "logSumExp",
  f: (v: number[]) => number,
  extra: Sample[] = [],
): OpRecord {
  const op = tn[name] as (x: tn.Tensor, o: Opts) => tn.Tensor;
  return {
    name,
    fn: ([x], o: Opts) => op(x, o),
    reference: ([x], o: Opts) => reduceRef(x, o.axis, o.keepDims, f),
    samples: reduceSamples(extra),
    grad: "check",
    tolerance: "accumulating",
    errors: axisErrors(name),
  };
}

const lse = (v: number[]) => {
  const m = Math.max(...v);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
};

const records: OpRecord[] = [
  reduction("sum", sumOf, [
    { inputs: [{ shape: [0, 3], values: [] }], args: { axis: 0 }, label: "empty axis" },
    { inputs: [{ shape: [2, 0], values: [] }], args: { axis: 0 }, label: "empty result" },
  ]),
  reduction("mean", meanOf, [
    { inputs: [{ shape: [0, 3], values: [] }], args: { axis: 0 }, label: "empty gives NaN", noGradReason: "no elements" },
  ]),
  reduction("prod", (v) => v.reduce((a, b) => a * b, 1), [
    { inputs: [[[2, 0, 3], [0, 0, 1.5]]], args: { axis: -1 }, label: "zeros (one and two per row)" },
    { inputs: [{ shape: [0, 2], values: [] }], args: { axis: 0 }, label: "empty gives 1" },
  ]),
  reduction("max", maxOf, [
    { inputs: [[[1, 3, 3], [2, -1, 0.5]]], args: { axis: 1 }, label: "a tie of two (gradient splits in half)" },
    { inputs: [{ shape: [2, 2], values: [1, NaN, 0, 2] }], args: { axis: 1 }, label: "NaN propagates", noGradReason: "NaN" },
  ]),
  reduction("min", minOf, [
    { inputs: [[[1, -3, -3], [2, -1, 0.5]]], args: { axis: 1 }, label: "a tie of two" },
    { inputs: [{ shape: [2, 2], values: [1, NaN, 0, 2] }], args: { axis: 1 }, label: "NaN propagates", noGradReason: "NaN" },
  ]),
  reduction("logSumExp", lse, [
    { inputs: [[[1000, 1000.5], [-1000, -999]]], args: { axis: 1 }, label: "large magnitudes stay finite" },
    { inputs: [{ shape: [2], values: [-Infinity, -Infinity] }], args: {}, label: "all -Infinity", noGradReason: "-Infinity" },
  ]),
  {
    name: "moments (mean)",
    fn: ([x], o: Opts) => tn.moments(x, o).mean,
    reference: ([x], o: Opts) => reduceRef(x, o.axis, o.keepDims, meanOf),
    samples: reduceSamples(),
    grad: "check",
    tolerance: "accumulating",
  },
  {
    name: "moments (variance)",
    fn: ([x], o: Opts) => tn.moments(x, o).variance,
    reference: ([x], o: Opts) => reduceRef(x, o.axis, o.keepDims, (v) => varOf(v)),
    samples: reduceSamples(),
    grad: "check",
    tolerance: "accumulating",
  },
  {
    name: "variance",
    fn: ([x], o: Opts & { ddof?: number }) => tn.variance(x, o),
    reference: ([x], o: Opts & { ddof?: number }) => reduceRef(x, o.axis, o.keepDims, (v) => varOf(v, o.ddof)),
    samples: [...reduceSamples().slice(0, 5), { inputs: [m23], args: { axis: 1, ddof: 1 }, label: "ddof 1" }],
    grad: "check",
    tolerance: "accumulating",
    errors: [{ inputs: [m23], args: { ddof: -1 }, throws: /^variance: ddof must be a non-negative integer, got -1/ }],
  },
  {
    name: "std",
    fn: ([x], o: Opts & { ddof?: number }) => tn.std(x, o),
    reference: ([x], o: Opts & { ddof?: number }) => reduceRef(x, o.axis, o.keepDims, (v) => Math.sqrt(varOf(v, o.ddof))),
    samples: [...reduceSamples().slice(0, 5), { inputs: [m23], args: { axis: 0, ddof: 1 }, label: "ddof 1" }],
    grad: "check",
    tolerance: "accumulating",
  },
  ...(["argMax", "argMin"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([x], o: { axis?: number; keepDims?: boolean }) => tn[name](x, o),
      reference: ([x], o: { axis?: number; keepDims?: boolean }) =>
        reduceRef(x, o.axis ?? 0, o.keepDims, (v) => {
          const nan = v.findIndex(Number.isNaN);
          if (nan >= 0) return nan;
          const best = name === "argMax" ? Math.max(...v) : Math.min(...v);
          return v.indexOf(best);
        }),
      samples: [
        { inputs: [m23], args: {}, label: "default axis 0" },
        { inputs: [m23], args: { axis: -1, keepDims: true }, label: "axis -1 keepDims" },
        { inputs: [m232], args: { axis: 1 }, label: "middle axis" },
        { inputs: [[[3, 1, 3, 1]]], args: { axis: 1 }, label: "first index on ties" },
        { inputs: [{ shape: [4], values: [1, NaN, 5, NaN] }], args: {}, label: "NaN wins" },
      ],
      grad: "error",
      exact: true,
      errors: [
        { inputs: [m23], args: { axis: [0, 1] }, throws: new RegExp(`^${name}: axis must be a single integer, got \\[0,1\\]`) },
        { inputs: [m23], args: { axis: -3 }, throws: new RegExp(`^${name}: axis -3 is out of range for a tensor of rank 2`) },
        { inputs: [{ shape: [0, 2], values: [] }], args: {}, throws: new RegExp(`^${name}: cannot reduce axis 0 of size 0`) },
        { inputs: [[true, false]], boolInputs: [0], args: {}, throws: new RegExp(`^${name}: x must be numeric, got dtype bool`) },
      ],
    }),
  ),
  ...(["all", "any"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([x], o: Opts) => tn[name](x, o),
      reference: ([x], o: Opts) =>
        reduceRef(x, o.axis, o.keepDims, (v) => Number(name === "all" ? v.every((b) => b !== 0) : v.some((b) => b !== 0))),
      samples: [
        { inputs: [[[true, false, true], [true, true, true]]], boolInputs: [0], args: { axis: 1 } },
        { inputs: [[[true, false, true], [false, false, true]]], boolInputs: [0], args: { axis: 0, keepDims: true } },
        { inputs: [[[true, false], [true, true]]], boolInputs: [0], args: {} },
        { inputs: [{ shape: [0, 2], values: [], dtype: "bool" }], args: { axis: 0 }, label: "empty" },
      ],
      grad: "none",
      exact: true,
      dtypes: ["bool"],
      errors: axisErrors(name),
    }),
  ),
  {
    name: "norm",
    fn: ([x], o: tn.NormOptions) => tn.norm(x, o),
    reference: ([x], o: tn.NormOptions) => {
      const ord = o.ord ?? "euclidean";
      const axes = o.axis === undefined ? undefined : normAxes(o.axis, x.shape.length);
      if (axes === undefined || axes.length === 1) {
        const f = (v: number[]): number => {
          const a = v.map(Math.abs);
          if (ord === Infinity) return Math.max(...a);
          if (ord === -Infinity) return Math.min(...a);
          const p = typeof ord === "number" ? ord : 2;
          return sumOf(a.map((t) => t ** p)) ** (1 / p);
        };
        return reduceRef(x, axes, o.keepDims, f);
      }
      // Matrix norms on a rank-2 input over both axes (written for the samples below).
      const [r, c] = x.shape;
      const at = (i: number, j: number) => Math.abs(o.axis && (o.axis as number[])[0] === 1 ? x.values[j * c + i] : x.values[i * c + j]);
      const [rows, cols] = o.axis && (o.axis as number[])[0] === 1 ? [c, r] : [r, c];
      const rowSums = Array.from({ length: rows }, (_, i) => sumOf(Array.from({ length: cols }, (_, j) => at(i, j))));
      const colSums = Array.from({ length: cols }, (_, j) => sumOf(Array.from({ length: rows }, (_, i) => at(i, j))));
      const value =
        ord === 1 ? Math.max(...colSums) : ord === Infinity ? Math.max(...rowSums) : ord === -Infinity ? Math.min(...rowSums) : Math.sqrt(sumOf(x.values.map((t) => t * t)));
      return { shape: o.keepDims ? [1, 1] : [], values: [value] };
    },
    samples: [
      { inputs: [m23], args: {}, label: "euclidean of everything" },
      { inputs: [m23], args: { ord: 1, axis: 1 }, label: "ord 1 axis 1" },
      { inputs: [m23], args: { ord: 2, axis: -1, keepDims: true }, label: "ord 2 keepDims" },
      { inputs: [m23], args: { ord: Infinity, axis: 0 }, label: "ord Infinity" },
      { inputs: [m23], args: { ord: -Infinity, axis: 0 }, label: "ord -Infinity" },
      { inputs: [m23], args: { ord: 3, axis: 1 }, label: "ord 3" },
      { inputs: [m23], args: { ord: "fro", axis: [0, 1] }, label: "fro" },
      { inputs: [m23], args: { ord: 1, axis: [0, 1] }, label: "matrix ord 1 (max column sum)" },
      { inputs: [m23], args: { ord: Infinity, axis: [0, 1], keepDims: true }, label: "matrix ord Infinity (max row sum)" },
      { inputs: [m23], args: { ord: 1, axis: [1, 0] }, label: "matrix ord 1, axes swapped" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [m23], args: { ord: "nuc" }, throws: /^norm: ord "nuc" is not a valid vector norm/ },
      { inputs: [m23], args: { ord: 2, axis: [0, 1] }, throws: /^norm: ord 2 is not a valid matrix norm/ },
      { inputs: [m232], args: { axis: [0, 1, 2] }, throws: /^norm: axis must name one axis \(vector norm\) or two \(matrix norm\)/ },
    ],
  },
  ...(["cumsum", "cumprod"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([x], o: tn.CumulativeOptions) => tn[name](x, o),
      reference: ([x], o: tn.CumulativeOptions) =>
        name === "cumsum" ? cumulativeRef(x, o, (a, b) => a + b, 0) : cumulativeRef(x, o, (a, b) => a * b, 1),
      samples: [
        { inputs: [[0.5, -1.2, 0.8, 1.9]], args: {}, label: "vector" },
        { inputs: [m23], args: { axis: 1 }, label: "axis 1" },
        { inputs: [m23], args: { axis: -1, exclusive: true }, label: "exclusive" },
        { inputs: [m23], args: { axis: 1, reverse: true }, label: "reverse" },
        { inputs: [m232], args: { axis: 1, exclusive: true, reverse: true }, label: "exclusive reverse, middle axis" },
        { inputs: [{ shape: [0, 2], values: [] }], args: { axis: 0 }, label: "empty" },
      ],
      grad: "check",
      tolerance: "accumulating",
      errors: [
        { inputs: [1.5], args: {}, throws: new RegExp(`^${name}: x must have rank >= 1, got a scalar`) },
        { inputs: [m23], args: { axis: 2 }, throws: new RegExp(`^${name}: axis 2 is out of range for a tensor of rank 2`) },
      ],
    }),
  ),
];

runOpRecords(records);

test("max splits the gradient evenly among ties (three-way tie: 1/3 each)", () => {
  assert.deepEqual(tn.grad((x) => tn.max(x))(tn.tensor([2, 2, 1, 2], undefined, "float64")).arraySync(), [1 / 3, 1 / 3, 0, 1 / 3]);
  const g = tn.grad((x) => tn.min(x, { axis: 1 }).sum())(tn.tensor([[1, 1], [0, 4]], undefined, "float64"));
  assert.deepEqual(g.arraySync(), [[0.5, 0.5], [1, 0]]);
});

test("prod's gradient is exact with zeros", () => {
  const g = tn.grad((x) => tn.prod(x, { axis: 1 }).sum())(tn.tensor([[2, 0, 3], [0, 0, 4], [1, 2, 3]], undefined, "float64"));
  assert.deepEqual(g.arraySync(), [[0, 6, 0], [0, 0, 0], [6, 3, 2]]);
});

test("integer sums and products stay int32; mean, logSumExp, norm and moments of ints give float32", () => {
  const xi = tn.tensor([[1, 2], [3, 4]], undefined, "int32");
  assert.equal(tn.sum(xi).dtype, "int32");
  assert.equal(tn.sum(xi).arraySync(), 10);
  assert.equal(tn.prod(xi, { axis: 0 }).dtype, "int32");
  assert.deepEqual(tn.prod(xi, { axis: 0 }).arraySync(), [3, 8]);
  assert.equal(tn.max(xi).dtype, "int32");
  assert.equal(tn.cumsum(xi, { axis: 1 }).dtype, "int32");
  assert.equal(tn.mean(xi).dtype, "float32");
  assert.equal(tn.mean(xi).arraySync(), 2.5);
  assert.equal(tn.logSumExp(xi).dtype, "float32");
  assert.equal(tn.norm(xi).dtype, "float32");
  assert.equal(tn.moments(xi).variance.arraySync(), 1.25);
  assert.equal(tn.sum([true, true, false]).arraySync(), 2);
  assert.equal(tn.sum([true, true, false]).dtype, "int32");
});

test("reductions of an empty tensor follow TF: sum 0, prod 1, max -Infinity, min Infinity, all true, any false", () => {
  const e = tn.tensor([], [0]);
  assert.equal(tn.sum(e).arraySync(), 0);
  assert.equal(tn.prod(e).arraySync(), 1);
  assert.equal(tn.max(e).arraySync(), -Infinity);
  assert.equal(tn.min(e).arraySync(), Infinity);
  assert.equal(tn.all(tn.tensor([], [0], "bool")).arraySync(), true);
  assert.equal(tn.any(tn.tensor([], [0], "bool")).arraySync(), false);
});

test("argMax of a scalar is 0 and its result is int32", () => {
  assert.equal(tn.argMax(3).arraySync(), 0);
  assert.equal(tn.argMax([1, 3, 2]).dtype, "int32");
});

test("reductions refuse bad options and bool where numeric is required", () => {
  assert.throws(() => tn.max([true, false]), /^DTypeError: max: x must be numeric, got dtype bool|max: x must be numeric/);
  assert.throws(() => tn.sum([1, 2], 0 as unknown as tn.ReduceOptions), /^.*sum: options must be an object such as \{axis: 0, keepDims: true\}, got 0/);
});

test("method chaining: reduce methods", () => {
  const x = tn.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(x.mean({ axis: 0 }).arraySync(), [2, 3]);
  assert.equal(x.max().arraySync(), 4);
  assert.equal(x.min().arraySync(), 1);
  assert.equal(x.prod().arraySync(), 24);
  assert.deepEqual(x.argMax({ axis: 1 }).arraySync(), [1, 1]);
  assert.deepEqual(x.argMin().arraySync(), [0, 0]);
  assert.deepEqual(x.cumsum({ axis: 1 }).arraySync(), [[1, 3], [3, 7]]);
  assert.deepEqual(x.cumprod().arraySync(), [[1, 2], [3, 8]]);
  assert.ok(Math.abs((x.logSumExp().arraySync() as number) - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4))) < 1e-5);
  assert.ok(Math.abs((x.norm().arraySync() as number) - Math.sqrt(30)) < 1e-6);
  assert.equal(x.greater(2).any().arraySync(), true);
  assert.equal(x.greater(2).all().arraySync(), false);
});
