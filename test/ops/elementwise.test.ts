import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { broadcastValues, erf as erfRef } from "../helpers/reference.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";

type Fn1 = (x: number) => number;
type Fn2 = (a: number, b: number) => number;

const map1 = (f: Fn1) => ([x]: RefTensor[]): RefTensor => ({ shape: x.shape, values: x.values.map(f) });

/** Broadcasting reference on plain arrays (independent of the kernels' stride walker). */
function broadcast2(a: RefTensor, b: RefTensor, f: Fn2): RefTensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const dim = (t: RefTensor, d: number): number => t.shape[t.shape.length - rank + d] ?? 1;
  const shape = Array.from({ length: rank }, (_, d) => Math.max(dim(a, d), dim(b, d)));
  const bv = broadcastValues(b, shape);
  return { shape, values: broadcastValues(a, shape).map((x, i) => f(x, bv[i])) };
}

const general = [[-1.7, -0.4, 0.3], [0.9, 1.6, 2.2]];
const positive = [[0.3, 0.7, 1.1], [1.9, 2.5, 3.7]];
const unit = [[-0.8, -0.3, 0.2], [0.45, 0.6, 0.9]];

function unary(name: keyof typeof tn & string, f: Fn1, values: tn.NestedValues = general, grad: OpRecord["grad"] = "check"): OpRecord {
  const op = tn[name] as (x: tn.Tensor) => tn.Tensor;
  return {
    name,
    fn: ([x]) => op(x),
    reference: map1(f),
    samples: [{ inputs: [values] }, { inputs: [[]], label: "empty" }, { inputs: [0.25], label: "scalar" }].filter(
      (s) => !(name === "acos" || name === "asin") || s.label !== "scalar" || true,
    ),
    grad,
    errors: [{ inputs: [[true, false]], boolInputs: [0], throws: new RegExp(`^${name}: x must be`) }],
  };
}

function binary(name: keyof typeof tn & string, f: Fn2, a: tn.NestedValues = general, b: tn.NestedValues = [0.5, -1.3, 2.1]): OpRecord {
  const op = tn[name] as (a: tn.Tensor, b: tn.Tensor) => tn.Tensor;
  return {
    name,
    fn: ([x, y]) => op(x, y),
    reference: ([x, y]) => broadcast2(x, y, f),
    samples: [
      { inputs: [a, b], label: "broadcast row" },
      { inputs: [a, positive], label: "same shape" },
      { inputs: [[[0.5], [1.5]], [1.25, 2.5, 3]], label: "outer broadcast" },
    ],
    grad: "check",
    errors: [{ inputs: [[1, 2, 3], [1, 2]], throws: new RegExp(`^${name}: shapes \\[3\\] and \\[2\\] do not broadcast`) }],
  };
}

const roundHalfEven = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

const records: OpRecord[] = [
  unary("neg", (x) => -x),
  unary("abs", Math.abs),
  { ...unary("sign", Math.sign), grad: "check" },
  unary("square", (x) => x * x),
  unary("sqrt", Math.sqrt, positive),
  unary("rsqrt", (x) => 1 / Math.sqrt(x), positive),
  unary("reciprocal", (x) => 1 / x, positive),
  unary("exp", Math.exp),
  unary("expm1", Math.expm1),
  unary("log", Math.log, positive),
  unary("log1p", Math.log1p, positive),
  unary("sin", Math.sin),
  unary("cos", Math.cos),
  unary("tan", Math.tan, unit),
  unary("asin", Math.asin, unit),
  unary("acos", Math.acos, unit),
  unary("atan", Math.atan),
  unary("sinh", Math.sinh),
  unary("cosh", Math.cosh),
  unary("tanh", Math.tanh),
  unary("erf", erfRef),
  unary("floor", Math.floor, [[-1.5, -0.4, 0.3], [0.9, 1.6, 2.2]]),
  unary("ceil", Math.ceil, [[-1.5, -0.4, 0.3], [0.9, 1.6, 2.2]]),
  {
    ...unary("round", roundHalfEven),
    samples: [
      { inputs: [[[-1.5, -0.5, 0.5], [1.5, 2.5, 2.4]]], label: "halves", noGradReason: "every input sits on a jump" },
      { inputs: [general] },
    ],
  },
  binary("add", (a, b) => a + b),
  binary("sub", (a, b) => a - b),
  binary("mul", (a, b) => a * b),
  binary("div", (a, b) => a / b),
  binary("pow", (a, b) => a ** b, positive),
  binary("atan2", Math.atan2),
  binary("maximum", Math.max),
  binary("minimum", Math.min),
  binary("squaredDifference", (a, b) => (a - b) ** 2),
  { ...binary("mod", (a, b) => a - Math.floor(a / b) * b), samples: [{ inputs: [[[5.5, -5.5, 2.25]], [3, 3, -1.5]] }] },
  { ...binary("floorDiv", (a, b) => Math.floor(a / b)), samples: [{ inputs: [[[5.5, -5.5, 2.25]], [3, 3, -1.5]] }] },
  ...(["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const).map(
    (name): OpRecord => ({
      ...binary(name, (a, b) =>
        Number({ equal: a === b, notEqual: a !== b, less: a < b, lessEqual: a <= b, greater: a > b, greaterEqual: a >= b }[name]),
      ),
      samples: [{ inputs: [[[1, 2, 3], [3, 2, 1]], [2, 2, 2]] }],
      grad: "none",
      exact: true,
    }),
  ),
  ...(["logicalAnd", "logicalOr", "logicalXor"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([a, b]) => (tn[name] as (a: tn.Tensor, b: tn.Tensor) => tn.Tensor)(a, b),
      reference: ([a, b]) =>
        broadcast2(a, b, (x, y) => Number({ logicalAnd: !!x && !!y, logicalOr: !!x || !!y, logicalXor: !!x !== !!y }[name])),
      samples: [{ inputs: [[[true, false], [true, true]], [true, false]], boolInputs: [0, 1] }],
      grad: "none",
      exact: true,
      dtypes: ["bool"],
      errors: [{ inputs: [[1, 0], [1, 1]], throws: new RegExp(`^${name}: inputs must be bool, got float32 and float32`) }],
    }),
  ),
  {
    name: "logicalNot",
    fn: ([x]) => tn.logicalNot(x),
    reference: map1((x) => (x ? 0 : 1)),
    samples: [{ inputs: [[true, false, true]], boolInputs: [0] }],
    grad: "none",
    exact: true,
    dtypes: ["bool"],
    errors: [{ inputs: [[1, 0]], throws: /^logicalNot: x must be bool, got dtype float32/ }],
  },
  ...(["isNaN", "isInf", "isFinite"] as const).map(
    (name): OpRecord => ({
      name,
      fn: ([x]) => (tn[name] as (x: tn.Tensor) => tn.Tensor)(x),
      reference: map1((x) => Number({ isNaN: Number.isNaN(x), isInf: Math.abs(x) === Infinity, isFinite: Number.isFinite(x) }[name])),
      samples: [{ inputs: [{ shape: [4], values: [1, NaN, Infinity, -Infinity] }] }],
      grad: "none",
      exact: true,
    }),
  ),
  {
    name: "where",
    fn: ([c, a, b]) => tn.where(c, a, b),
    reference: ([c, a, b]) => {
      const ab = broadcast2(a, b, (x) => x);
      const shapeOut = broadcast2(c, ab, () => 0).shape;
      const pick = broadcast2(c, broadcast2(a, b, (x, y) => x), (cc) => cc);
      const av = broadcast2(broadcast2(c, a, (_, x) => x), b, (x) => x);
      const bv = broadcast2(broadcast2(c, b, (_, y) => y), a, (y) => y);
      return { shape: shapeOut, values: pick.values.map((cc, i) => (cc ? av.values[i] : bv.values[i])) };
    },
    samples: [{ inputs: [[[true, false, true], [false, false, true]], general, [0.5, -1.5, 2]], boolInputs: [0] }],
    grad: "check",
    errors: [{ inputs: [[1, 0], [1, 2], [3, 4]], throws: /^where: condition must be bool, got dtype float32/ }],
  },
  {
    name: "clipByValue",
    fn: ([x], [lo, hi]) => tn.clipByValue(x, lo, hi),
    reference: ([x], [lo, hi]) => ({ shape: x.shape, values: x.values.map((v) => Math.min(Math.max(v, lo), hi)) }),
    samples: [{ inputs: [general], args: [-0.5, 1.2] }],
    grad: "check",
    errors: [{ inputs: [[1, 2]], args: [2, 1], throws: /^clipByValue: clipValueMin \(2\) must be <= clipValueMax \(1\)/ }],
  },
  {
    name: "cast",
    fn: ([x], dtype) => tn.cast(x, dtype),
    reference: ([x]) => ({ shape: x.shape, values: x.values.map(Math.trunc) }),
    samples: [{ inputs: [[[-1.7, -0.4, 0.3], [0.9, 1.6, 2.2]]], args: "int32" }],
    grad: "none",
    errors: [{ inputs: [[1, 2]], args: "complex64", throws: /^cast: dtype must be one of .*got "complex64"/ }],
  },
];

runOpRecords(records);

test("maximum and minimum send the gradient of a tie to the first input", () => {
  const [ga, gb] = tn.grads((a, b) => tn.maximum(a, b).sum())([[1, 2], [1, 3]]);
  assert.deepEqual(ga.arraySync(), [1, 0]);
  assert.deepEqual(gb.arraySync(), [0, 1]);
  const [ha, hb] = tn.grads((a, b) => tn.minimum(a, b).sum())([[1, 2], [1, 3]]);
  assert.deepEqual(ha.arraySync(), [1, 1]);
  assert.deepEqual(hb.arraySync(), [0, 0]);
});

test("abs and relu have gradient 0 at 0", () => {
  assert.deepEqual(tn.grad((x) => tn.abs(x).sum())([0, -2, 3]).arraySync(), [0, -1, 1]);
});
