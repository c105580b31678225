import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";

type TF = typeof import("@tensorflow/tfjs");
type TFTensor = import("@tensorflow/tfjs").Tensor;


/** Row-major multi-index of a flat position. */
function unravel(flat: number, shape: number[]): number[] {
  const idx: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/**
 * Applies `f` to each group of elements that share their indices outside `axes` (the lanes along `axes`), in
 * row-major order within the group, writing the results back in place.
 */
function overGroups(x: RefTensor, axes: number[], f: (values: number[]) => number[]): RefTensor {
  const rank = x.shape.length;
  const ax = axes.map((a) => (a < 0 ? a + rank : a));
  const groups = new Map<string, number[]>();
  for (let i = 0; i < x.values.length; i++) {
    const key = unravel(i, x.shape).filter((_, d) => !ax.includes(d)).join(",");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const out = x.values.slice();
  for (const members of groups.values()) {
    const result = f(members.map((i) => x.values[i]));
    members.forEach((i, k) => (out[i] = result[k]));
  }
  return { shape: x.shape, values: out };
}

function softmaxRef(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function logSoftmaxRef(v: number[]): number[] {
  const m = Math.max(...v);
  const lse = m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
  return v.map((x) => x - lse);
}

function oracle(record: OpRecord, f: (tf: TF, inputs: TFTensor[], args: any) => TFTensor): OpRecord {
  return { ...record, name: `${record.name} vs TF.js`, reference: undefined, oracle: f, grad: "none", errors: [], tolerance: "accumulating" };
}

const logits2 = [[-1.2, 0.3, 2.1, 0.7], [0.05, -0.6, 1.4, -2.2], [3.0, 2.9, -0.1, 0.4]];
const logits3 = {
  shape: [2, 3, 2],
  values: [0.3, -1.1, 2.2, 0.8, -0.4, 1.6, 0.9, -2.0, 0.1, 1.3, -0.7, 0.25],
};
const huge = [[100, -100, 50], [1000, 999, -1000], [-100, -100, -100]];

function softmaxRecord(name: "softmax" | "logSoftmax", ref: (v: number[]) => number[]): OpRecord {
  const op = tn[name];
  return {
    name,
    fn: ([x], axis) => (axis === undefined ? op(x) : op(x, axis)),
    reference: ([x], axis = -1) => overGroups(x, [axis], ref),
    samples: [
      { inputs: [logits2], label: "last axis" },
      { inputs: [logits2], args: 0, label: "axis 0" },
      { inputs: [logits3], args: 1, label: "middle axis of a rank-3 tensor" },
      { inputs: [logits3], args: -3, label: "negative axis" },
      { inputs: [[0.7, -0.2, 1.5]], label: "rank 1" },
      { inputs: [[[2.5], [-1]]], label: "axis of size 1" },
      { inputs: [huge], label: "logits of ±100 and ±1000" },
      { inputs: [{ shape: [0, 3], values: [] }], label: "empty" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [1.5], throws: new RegExp(`^${name}: logits must have rank >= 1, got a scalar`) },
      { inputs: [[[1, 2]]], args: 2, throws: new RegExp(`^${name}: axis 2 is out of range for a tensor of rank 2`) },
      { inputs: [[true, false]], boolInputs: [0], throws: new RegExp(`^${name}: logits must be a float tensor, got dtype bool`) },
    ],
  };
}

const x23 = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.8]];
const mean3 = [0.2, -0.5, 1.0];
const var3 = [0.9, 2.5, 0.3];
const offset3 = [0.1, -0.3, 0.7];
const scale3 = [1.5, 0.6, -1.1];

/** batchNorm reference: params are [C] (the last axis) or scalars. */
function batchNormRef([x, m, v, o, s]: RefTensor[], args: { eps: number; offset: boolean; scale: boolean }): RefTensor {
  const at = (p: RefTensor, i: number) => p.values[p.values.length === 1 ? 0 : i % p.values.length];
  return {
    shape: x.shape,
    values: x.values.map((xv, i) => {
      let y = (xv - at(m, i)) / Math.sqrt(at(v, i) + args.eps);
      if (args.scale) y *= at(s, i);
      if (args.offset) y += at(o, i);
      return y;
    }),
  };
}

function layerNormRef([x, g, b]: RefTensor[], args: { axis?: number | number[]; epsilon?: number; affine?: boolean }): RefTensor {
  const axes = args.axis === undefined ? [-1] : typeof args.axis === "number" ? [args.axis] : args.axis;
  const eps = args.epsilon ?? 1e-3;
  const normalized = overGroups(x, axes, (v) => {
    const mu = v.reduce((a, c) => a + c, 0) / v.length;
    const va = v.reduce((a, c) => a + (c - mu) ** 2, 0) / v.length;
    return v.map((c) => (c - mu) / Math.sqrt(va + eps));
  });
  if (!args.affine) return normalized;
  // gamma/beta are shaped as the normalized axes, which in these samples are the trailing ones.
  const n = g.values.length;
  return { shape: x.shape, values: normalized.values.map((y, i) => y * g.values[i % n] + b.values[i % n]) };
}

/** LRN on NHWC: x / (bias + alpha·Σ_{|k-c|<=r} x[..., k]²)^beta. */
function lrnRef([x]: RefTensor[], args: [number, number, number, number] = [5, 1, 1, 0.5]): RefTensor {
  const [r, bias, alpha, beta] = args;
  const c = x.shape[x.shape.length - 1];
  return {
    shape: x.shape,
    values: x.values.map((v, i) => {
      const ch = i % c;
      const base = i - ch;
      let s = 0;
      for (let k = Math.max(0, ch - r); k <= Math.min(c - 1, ch + r); k++) s += x.values[base + k] ** 2;
      return v / (bias + alpha * s) ** beta;
    }),
  };
}

const lrnInput = {
  shape: [2, 2, 1, 7],
  values: Array.from({ length: 28 }, (_, i) => Math.sin(i * 1.7) * 2),
};

const records: OpRecord[] = [
  softmaxRecord("softmax", softmaxRef),
  softmaxRecord("logSoftmax", logSoftmaxRef),
  {
    name: "batchNorm",
    fn: ([x, m, v, o, s], args) =>
      tn.batchNorm(x, m, v, args.offset ? o : undefined, args.scale ? s : undefined, args.eps),
    reference: batchNormRef,
    samples: [
      { inputs: [x23, mean3, var3, offset3, scale3], args: { eps: 0.001, offset: true, scale: true }, label: "all params" },
      { inputs: [x23, mean3, var3, offset3, scale3], args: { eps: 0, offset: false, scale: false }, label: "no offset, no scale" },
      { inputs: [x23, [0.4], [1.7], [0.2], [2]], args: { eps: 0.01, offset: true, scale: false }, label: "scalar-like params" },
    ],
    grad: "check",
    errors: [
      { inputs: [x23, [1, 2], var3], args: { eps: 0.001 }, throws: /^batchNorm: mean of shape \[2\] must broadcast to x's shape \[2,3\]/ },
      { inputs: [x23, mean3, [[[1, 2, 3]]]], args: { eps: 0.001 }, throws: /^batchNorm: variance of shape \[1,1,3\] must broadcast to x's shape \[2,3\]/ },
      { inputs: [x23, mean3, var3], args: { eps: -1 }, throws: /^batchNorm: varianceEpsilon must be a finite number >= 0, got -1/ },
    ],
  },
  {
    name: "layerNorm",
    fn: ([x, g, b], args) => tn.layerNorm(x, { axis: args.axis, epsilon: args.epsilon, gamma: args.affine ? g : undefined, beta: args.affine ? b : undefined }),
    reference: layerNormRef,
    samples: [
      { inputs: [x23, [1, 1, 1], [0, 0, 0]], args: {}, label: "last axis, default epsilon" },
      { inputs: [x23, [1.5, 0.5, -2], [0.1, 0.2, 0.3]], args: { affine: true, epsilon: 1e-5 }, label: "gamma and beta" },
      { inputs: [logits3, [[1, 2], [3, 4], [5, 6]], [[0, 1], [0, 1], [0, 1]]], args: { axis: [1, 2], affine: true }, label: "two axes" },
      { inputs: [logits3, [1], [0]], args: { axis: 0, epsilon: 0.01 }, label: "axis 0" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [x23, [1, 2]], args: { affine: true }, throws: /^layerNorm: gamma of shape \[2\] must have the normalized axes' shape \[3\] or broadcast to x's shape \[2,3\]/ },
      { inputs: [x23, [1, 1, 1], [0, 0, 0]], args: { epsilon: Number.NaN }, throws: /^layerNorm: epsilon must be a finite number >= 0, got NaN/ },
      { inputs: [x23, [1, 1, 1], [0, 0, 0]], args: { axis: 2 }, throws: /^layerNorm: axis 2 is out of range for a tensor of rank 2/ },
      { inputs: [1.5], args: {}, throws: /^layerNorm: x must have rank >= 1, got a scalar/ },
    ],
  },
  {
    name: "localResponseNormalization",
    fn: ([x], args) => (args === undefined ? tn.localResponseNormalization(x) : tn.localResponseNormalization(x, ...(args as [number, number, number, number]))),
    reference: lrnRef,
    samples: [
      { inputs: [lrnInput], label: "defaults (radius 5 over 7 channels)" },
      { inputs: [lrnInput], args: [2, 1, 1e-1, 0.75], label: "radius 2 (AlexNet-like)" },
      { inputs: [lrnInput], args: [0, 2, 0.5, 1], label: "radius 0" },
      { inputs: [{ shape: [2, 1, 7], values: lrnInput.values.slice(0, 14) }], args: [1, 1, 1, 0.5], label: "rank 3" },
      { inputs: [lrnInput], args: [10, 1, 1, 0.5], label: "radius over all channels" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[[1, 2]]], throws: /^localResponseNormalization: x must have rank 4 \(\[batch, height, width, channels\]\) or 3, got rank 2/ },
      { inputs: [lrnInput], args: [1.5, 1, 1, 0.5], throws: /^localResponseNormalization: depthRadius must be a non-negative integer, got 1.5/ },
      { inputs: [lrnInput], args: [1, 1, NaN, 0.5], throws: /^localResponseNormalization: alpha must be a finite number, got NaN/ },
    ],
  },
];

const byName = (name: string): OpRecord => records.find((r) => r.name === name)!;
const lastAxisOnly = (r: OpRecord): OpRecord => ({ ...r, samples: r.samples.filter((s) => s.args === undefined) });
const tfRecords: OpRecord[] = [
  // TF.js supports the last axis only.
  oracle(lastAxisOnly(byName("softmax")), (tf, [x]) => tf.softmax(x)),
  oracle(lastAxisOnly(byName("logSoftmax")), (tf, [x]) => tf.logSoftmax(x)),
  oracle(byName("batchNorm"), (tf, [x, m, v, o, s], args) =>
    tf.batchNorm(x, m, v, args.offset ? o : undefined, args.scale ? s : undefined, args.eps),
  ),
  oracle(
    { ...byName("localResponseNormalization"), samples: byName("localResponseNormalization").samples.filter((s) => s.inputs[0] === lrnInput) },
    (tf, [x], args) => (args === undefined ? tf.localResponseNormalization(x as import("@tensorflow/tfjs").Tensor4D) : tf.localResponseNormalization(x as import("@tensorflow/tfjs").Tensor4D, ...(args as [number, number, number, number]))),
  ),
];

runOpRecords([...records, ...tfRecords]);

test("softmax and logSoftmax of ±1000 logits are finite, with finite gradients", () => {
  const x = tn.tensor(huge);
  for (const op of [tn.softmax, tn.logSoftmax]) {
    const y = Array.from(op(x).dataSync());
    assert.ok(y.every(Number.isFinite), `${y}`);
    const g = Array.from(tn.grad((t) => tn.sum(tn.mul(op(t), tn.tensor([[1, 2, 3], [3, 1, 2], [2, 3, 1]]))))(x).dataSync());
    assert.ok(g.every(Number.isFinite), `${g}`);
  }
  assert.deepEqual(Array.from(tn.softmax([[1000, 999, -1000]]).dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0.731059, 0.268941, 0]);
});

test("softmax rows sum to 1 and logSoftmax is log(softmax)", () => {
  const x = tn.tensor(logits2, undefined, "float64");
  const rows = Array.from(tn.sum(tn.softmax(x), { axis: -1 }).dataSync());
  for (const r of rows) assert.ok(Math.abs(r - 1) < 1e-12);
  const a = tn.logSoftmax(x).dataSync();
  const b = tn.log(tn.softmax(x)).dataSync();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-12);
});

test("softmax and logSoftmax chain on tensors", () => {
  const x = tn.tensor(logits2);
  assert.deepEqual(Array.from(x.softmax().dataSync()), Array.from(tn.softmax(x).dataSync()));
  assert.deepEqual(Array.from(x.logSoftmax(0).dataSync()), Array.from(tn.logSoftmax(x, 0).dataSync()));
});
