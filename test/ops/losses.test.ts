import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { runOpRecords, type OpRecord, type RefTensor, type Sample } from "../helpers/opinfo.js";
import { broadcastValues } from "../helpers/reference.js";

type TF = typeof import("@tensorflow/tfjs");
type TFTensor = import("@tensorflow/tfjs").Tensor;
type Reduction = "none" | "sum" | "mean" | "sumByNonzeroWeights";

interface Args {
  reduction?: Reduction;
  labelSmoothing?: number;
  delta?: number;
  epsilon?: number;
  axis?: number;
  /** The third input is the weights. */
  weighted?: boolean;
}

/** TF's weighted-loss reduction on plain numbers (0 where the weights sum to zero). */
function reduceRef(losses: RefTensor, weights: RefTensor | undefined, reduction: Reduction = "sumByNonzeroWeights"): RefTensor {
  const w = weights ? broadcastValues(weights, losses.shape) : null;
  const weighted = losses.values.map((l, i) => (w ? l * w[i] : l));
  const total = weighted.reduce((a, b) => a + b, 0);
  const n = losses.values.length;
  switch (reduction) {
    case "none":
      return { shape: losses.shape, values: weighted };
    case "sum":
      return { shape: [], values: [total] };
    case "mean": {
      const d = w ? w.reduce((a, b) => a + b, 0) : n;
      return { shape: [], values: [d === 0 ? 0 : total / d] };
    }
    case "sumByNonzeroWeights": {
      const d = w ? w.filter((v) => v !== 0).length : n;
      return { shape: [], values: [d === 0 ? 0 : total / d] };
    }
  }
}

/** Per-row values of the last axis. */
function rows(x: RefTensor): number[][] {
  const c = x.shape[x.shape.length - 1];
  const out: number[][] = [];
  for (let i = 0; i < x.values.length; i += c) out.push(x.values.slice(i, i + c));
  return out;
}

function logSoftmaxRow(v: number[]): number[] {
  const m = Math.max(...v);
  const lse = m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
  return v.map((x) => x - lse);
}

const TF_REDUCTION = { none: 0, mean: 1, sum: 2, sumByNonzeroWeights: 3 } as const;
function tfReduction(tf: TF, r: Reduction | undefined): import("@tensorflow/tfjs").Reduction {
  return (r === undefined ? tf.Reduction.SUM_BY_NONZERO_WEIGHTS : TF_REDUCTION[r]) as import("@tensorflow/tfjs").Reduction;
}

function oracle(record: OpRecord, f: (tf: TF, inputs: TFTensor[], args: Args) => TFTensor, keep: (s: Sample) => boolean = () => true): OpRecord {
  return {
    ...record,
    name: `${record.name} vs TF.js`,
    reference: undefined,
    oracle: f,
    grad: "none",
    errors: [],
    samples: record.samples.filter(keep),
  };
}

/** The option object an op receives from a sample. */
function options(inputs: tn.Tensor[], args: Args = {}): tn.LossOptions & Args {
  const { weighted, ...rest } = args;
  return { ...rest, ...(weighted ? { weights: inputs[2] } : {}) };
}

const onehot = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
const soft = [[0.1, 0.6, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]];
const logits = [[-1.2, 0.3, 2.1, 0.7], [0.05, -0.6, 1.4, -2.2], [3.0, 2.9, -0.1, 0.4]];
const bigLogits = [[100, -100, 50, 0], [-100, 100, -50, 3], [0.5, -100, 100, 99]];
const batchWeights = [0.5, 2, 1.5];

/** Samples shared by the classification losses: [labels, logits, weights?]. */
function classificationSamples(
  labels: tn.NestedValues,
  lbls2: tn.NestedValues,
  weights: tn.NestedValues,
  zeroWeights: tn.NestedValues,
  intLabels = false,
): Sample[] {
  const int = intLabels ? { intInputs: [0] } : {};
  return [
    { inputs: [labels, logits], label: "defaults", ...int },
    { inputs: [labels, logits], args: { reduction: "none" }, label: "none", ...int },
    { inputs: [labels, logits], args: { reduction: "sum" }, label: "sum", ...int },
    { inputs: [labels, logits], args: { reduction: "mean" }, label: "mean", ...int },
    { inputs: [labels, logits, weights], args: { weighted: true, reduction: "mean" }, label: "weighted mean", ...int },
    { inputs: [labels, logits, weights], args: { weighted: true }, label: "weighted, sum by non-zero weights", ...int },
    {
      inputs: [labels, logits, zeroWeights],
      args: { weighted: true },
      label: "a zero weight",
      noGradReason: "perturbing a zero weight changes the non-zero count (a jump)",
      ...int,
    },
    { inputs: [lbls2, bigLogits], args: { reduction: "none" }, label: "logits of ±100", ...int },
  ];
}

const records: OpRecord[] = [
  {
    name: "softmaxCrossEntropy",
    fn: (inputs, args) => tn.softmaxCrossEntropy(inputs[0], inputs[1], options(inputs, args)),
    reference: ([y, z, w], args: Args = {}) => {
      const c = z.shape[z.shape.length - 1];
      const s = args.labelSmoothing ?? 0;
      const labelRows = rows(y);
      const losses = rows(z).map((zr, r) =>
        -logSoftmaxRow(zr).reduce((a, lp, k) => a + (labelRows[r][k] * (1 - s) + s / c) * lp, 0),
      );
      return reduceRef({ shape: z.shape.slice(0, -1), values: losses }, args.weighted ? w : undefined, args.reduction);
    },
    samples: [
      ...classificationSamples(onehot, onehot, batchWeights, [0, 2, 1.5]),
      { inputs: [soft, logits], args: { reduction: "none" }, label: "soft labels" },
      { inputs: [onehot, logits], args: { labelSmoothing: 0.1 }, label: "label smoothing 0.1" },
      { inputs: [onehot, logits, [0.5, 2, 1]], args: { labelSmoothing: 0.2, weighted: true, reduction: "sum" }, label: "smoothing, weighted sum" },
      { inputs: [[[[0, 1], [1, 0]]], [[[0.3, -0.4], [1.2, 0.9]]]], args: { reduction: "none" }, label: "rank 3" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [onehot, [[1, 2]]], throws: /^softmaxCrossEntropy: labels and logits must have the same shape, got \[3,4\] and \[1,2\]/ },
      { inputs: [onehot, logits], args: { reduction: "avg" }, throws: /^softmaxCrossEntropy: reduction must be one of "none", "sum", "mean", "sumByNonzeroWeights", got "avg"/ },
      { inputs: [onehot, logits], args: { labelSmoothing: 1.5 }, throws: /^softmaxCrossEntropy: labelSmoothing must be a finite number in \[0, 1\], got 1.5/ },
      { inputs: [onehot, logits, [1, 2]], args: { weighted: true }, throws: /^softmaxCrossEntropy: weights of shape \[2\] must broadcast to the loss shape \[3\]/ },
      { inputs: [[true], [1]], boolInputs: [0], throws: /^softmaxCrossEntropy: labels must be a float tensor, got dtype bool/ },
    ],
  },
  {
    name: "sparseSoftmaxCrossEntropy",
    fn: (inputs, args) => tn.sparseSoftmaxCrossEntropy(inputs[0], inputs[1], options(inputs, args)),
    reference: ([y, z, w], args: Args = {}) => {
      const losses = rows(z).map((zr, r) => -logSoftmaxRow(zr)[y.values[r]]);
      return reduceRef({ shape: y.shape, values: losses }, args.weighted ? w : undefined, args.reduction);
    },
    samples: [
      ...classificationSamples([1, 0, 3], [1, 0, 2], batchWeights, [0, 2, 1.5], true),
      { inputs: [[[1, 0]], [[[0.3, -0.4], [1.2, 0.9]]]], intInputs: [0], args: { reduction: "none" }, label: "rank 3" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[1, 4, 0], logits], intInputs: [0], throws: /^sparseSoftmaxCrossEntropy: labels must be integers in \[0, 4\) \(the number of classes\), got 4 at index 1/ },
      { inputs: [[-1, 0, 0], logits], intInputs: [0], throws: /^sparseSoftmaxCrossEntropy: labels must be integers in \[0, 4\) .*got -1 at index 0/ },
      { inputs: [[1, 0, 2], logits], throws: /^sparseSoftmaxCrossEntropy: labels must be an integer tensor \(class indices\), got dtype float32/ },
      { inputs: [[1, 0], logits], intInputs: [0], throws: /^sparseSoftmaxCrossEntropy: labels must have the shape of logits without the last axis, \[3\], got \[2\] \(logits \[3,4\]\)/ },
    ],
  },
  {
    name: "sigmoidCrossEntropy",
    fn: (inputs, args) => tn.sigmoidCrossEntropy(inputs[0], inputs[1], options(inputs, args)),
    reference: ([y, x, w], args: Args = {}) => {
      const s = args.labelSmoothing ?? 0;
      // -z·log σ(x) - (1 - z)·log(1 - σ(x)), with log σ computed without overflow.
      const logSig = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
      const losses = x.values.map((xv, i) => {
        const z = y.values[i] * (1 - s) + 0.5 * s;
        return -z * logSig(xv) - (1 - z) * logSig(-xv);
      });
      return reduceRef({ shape: x.shape, values: losses }, args.weighted ? w : undefined, args.reduction);
    },
    samples: [
      ...classificationSamples(soft, onehot, [[1], [0.5], [2]], [[0], [2], [1.5]]),
      { inputs: [onehot, logits], args: { labelSmoothing: 0.2, reduction: "mean" }, label: "label smoothing 0.2" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[1, 0], [1, 2, 3]], throws: /^sigmoidCrossEntropy: labels and logits must have the same shape, got \[2\] and \[3\]/ },
      { inputs: [[1], [1]], args: { labelSmoothing: -0.1 }, throws: /^sigmoidCrossEntropy: labelSmoothing must be a finite number in \[0, 1\], got -0.1/ },
    ],
  },
];

/** Regression losses: [labels, predictions, weights?] with a per-element reference formula. */
const yTrue = [[0.2, -1.3, 2.5], [1.1, 0.4, -0.6]];
const yPred = [[0.7, -0.1, 1.0], [1.05, 2.4, -0.9]];
const elementWeights = [[1, 0.5, 2], [0, 3, 1]];

function regression(name: "meanSquaredError" | "absoluteDifference" | "huberLoss" | "logLoss", f: (y: number, p: number, args: Args) => number, labels = yTrue, preds = yPred): OpRecord {
  const op = tn[name] as (y: tn.Tensor, p: tn.Tensor, o: tn.LossOptions) => tn.Tensor;
  return {
    name,
    fn: (inputs, args) => op(inputs[0], inputs[1], options(inputs, args)),
    reference: ([y, p, w], args: Args = {}) =>
      reduceRef({ shape: y.shape, values: y.values.map((v, i) => f(v, p.values[i], args)) }, args.weighted ? w : undefined, args.reduction),
    samples: [
      { inputs: [labels, preds], label: "defaults" },
      { inputs: [labels, preds], args: { reduction: "none" }, label: "none" },
      { inputs: [labels, preds], args: { reduction: "sum" }, label: "sum" },
      { inputs: [labels, preds, [2, 0.5, 1]], args: { weighted: true, reduction: "mean" }, label: "weights per column, mean" },
      { inputs: [labels, preds, [[1.5], [0.5]]], args: { weighted: true }, label: "weights per row" },
      { inputs: [labels, preds, elementWeights], args: { weighted: true }, label: "weights with a zero", noGradReason: "a zero weight's non-zero count jumps" },
      { inputs: [{ shape: [0], values: [] }, { shape: [0], values: [] }], args: { reduction: "none" }, label: "empty" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[1, 2], [1, 2, 3]], throws: new RegExp(`^${name}: labels and predictions must have the same shape, got \\[2\\] and \\[3\\]`) },
      { inputs: [[1, 2], [1, 2]], args: { reduction: "average" }, throws: new RegExp(`^${name}: reduction must be one of`) },
    ],
  };
}

const huber = (y: number, p: number, args: Args) => {
  const d = args.delta ?? 1;
  const e = Math.abs(p - y);
  return e <= d ? 0.5 * e * e : d * (e - 0.5 * d);
};

const probLabels = [[1, 0, 1], [0, 0.3, 1]];
const probs = [[0.8, 0.3, 0.55], [0.1, 0.45, 0.999]];

records.push(
  regression("meanSquaredError", (y, p) => (y - p) ** 2),
  regression("absoluteDifference", (y, p) => Math.abs(y - p)),
  {
    ...regression("huberLoss", huber),
    samples: [
      ...regression("huberLoss", huber).samples,
      { inputs: [yTrue, yPred], args: { delta: 0.3, reduction: "none" }, label: "delta 0.3" },
      { inputs: [yTrue, yPred], args: { delta: 2.5, reduction: "sum" }, label: "delta 2.5 (all quadratic)" },
    ],
    errors: [{ inputs: [[1], [2]], args: { delta: 0 }, throws: /^huberLoss: delta must be a finite number > 0, got 0/ }],
  },
  {
    ...regression("logLoss", (y, p, args) => {
      const eps = args.epsilon ?? 1e-7;
      return -y * Math.log(p + eps) - (1 - y) * Math.log(1 - p + eps);
    }, probLabels, probs),
    samples: [
      { inputs: [probLabels, probs], label: "defaults" },
      { inputs: [probLabels, probs], args: { reduction: "none", epsilon: 0.01 }, label: "epsilon 0.01" },
      { inputs: [probLabels, probs, [2, 0.5, 1]], args: { weighted: true, reduction: "sum" }, label: "weighted sum" },
    ],
    errors: [{ inputs: [[1], [0.5]], args: { epsilon: -1 }, throws: /^logLoss: epsilon must be a finite number >= 0, got -1/ }],
  },
  {
    name: "cosineDistance",
    fn: (inputs, args) => tn.cosineDistance(inputs[0], inputs[1], args.axis, options(inputs, args)),
    reference: ([y, p, w], args: Args) => {
      // 1 - <y, p> along the axis, kept as size 1.
      const [a, b] = y.shape;
      const values: number[] = [];
      if (args.axis === 1 || args.axis === -1) {
        for (let i = 0; i < a; i++) values.push(1 - y.values.slice(i * b, (i + 1) * b).reduce((s, v, k) => s + v * p.values[i * b + k], 0));
        return reduceRef({ shape: [a, 1], values }, args.weighted ? w : undefined, args.reduction);
      }
      for (let k = 0; k < b; k++) {
        let s = 0;
        for (let i = 0; i < a; i++) s += y.values[i * b + k] * p.values[i * b + k];
        values.push(1 - s);
      }
      return reduceRef({ shape: [1, b], values }, args.weighted ? w : undefined, args.reduction);
    },
    samples: [
      { inputs: [[[0.6, 0.8], [1, 0], [0, -1]], [[0.8, 0.6], [0.6, 0.8], [0, 1]]], args: { axis: 1 }, label: "axis 1" },
      { inputs: [[[0.6, 0.8], [1, 0], [0, -1]], [[0.8, 0.6], [0.6, 0.8], [0, 1]]], args: { axis: -1, reduction: "none" }, label: "axis -1, none" },
      { inputs: [[[0.6, 0.8], [0.8, 0.6]], [[1, 0], [0, 1]], [[0.5, 2]]], args: { axis: 0, weighted: true, reduction: "sum" }, label: "axis 0, weighted sum" },
    ],
    grad: "check",
    tolerance: "accumulating",
    errors: [
      { inputs: [[[1, 0]], [[1, 0]]], args: { axis: 2 }, throws: /^cosineDistance: axis 2 is out of range for a tensor of rank 2/ },
      { inputs: [[[1, 0]], [[1, 0]]], args: {}, throws: /^cosineDistance: axis is required \(a number\), got undefined/ },
    ],
  },
);

const byName = (name: string): OpRecord => records.find((r) => r.name === name)!;
const w = (inputs: TFTensor[], args: Args) => (args.weighted ? inputs[2] : undefined);
// TF.js divides by a zero weight sum (NaN) where Tensile gives 0; those samples are not sent to it.
const notAllZero = (s: Sample) => s.label !== "empty";

const tfRecords: OpRecord[] = [
  oracle(byName("softmaxCrossEntropy"), (tf, inputs, args = {}) =>
    tf.losses.softmaxCrossEntropy(inputs[0], inputs[1], w(inputs, args), args.labelSmoothing, tfReduction(tf, args.reduction)),
    // TF.js label smoothing assumes rank 2.
    (s) => s.label !== "rank 3",
  ),
  oracle(byName("sparseSoftmaxCrossEntropy"), (tf, inputs, args = {}) =>
    tf.losses.softmaxCrossEntropy(tf.oneHot(inputs[0] as import("@tensorflow/tfjs").Tensor1D, inputs[1].shape[1]!), inputs[1], w(inputs, args), 0, tfReduction(tf, args.reduction)),
    (s) => s.label !== "rank 3",
  ),
  oracle(byName("sigmoidCrossEntropy"), (tf, inputs, args = {}) =>
    tf.losses.sigmoidCrossEntropy(inputs[0], inputs[1], w(inputs, args), args.labelSmoothing, tfReduction(tf, args.reduction)),
  ),
  oracle(byName("meanSquaredError"), (tf, inputs, args = {}) => tf.losses.meanSquaredError(inputs[0], inputs[1], w(inputs, args), tfReduction(tf, args.reduction)), notAllZero),
  oracle(byName("absoluteDifference"), (tf, inputs, args = {}) => tf.losses.absoluteDifference(inputs[0], inputs[1], w(inputs, args), tfReduction(tf, args.reduction)), notAllZero),
  oracle(byName("huberLoss"), (tf, inputs, args = {}) => tf.losses.huberLoss(inputs[0], inputs[1], w(inputs, args), args.delta, tfReduction(tf, args.reduction)), notAllZero),
  oracle(byName("logLoss"), (tf, inputs, args = {}) => tf.losses.logLoss(inputs[0], inputs[1], w(inputs, args), args.epsilon, tfReduction(tf, args.reduction))),
  oracle(byName("cosineDistance"), (tf, inputs, args) => tf.losses.cosineDistance(inputs[0], inputs[1], args.axis!, w(inputs, args), tfReduction(tf, args.reduction))),
];

runOpRecords([...records, ...tfRecords]);

test("cross-entropy losses of ±100 and ±1000 logits are finite in float32, with finite gradients", () => {
  const z = tn.tensor([[1000, -1000, 0], [-100, 100, 50]]);
  const cases: [string, (t: tn.Tensor) => tn.Tensor][] = [
    ["softmaxCrossEntropy", (t) => tn.softmaxCrossEntropy([[0, 1, 0], [1, 0, 0]], t, { labelSmoothing: 0.1 })],
    ["sparseSoftmaxCrossEntropy", (t) => tn.sparseSoftmaxCrossEntropy(tn.tensor([1, 0], undefined, "int32"), t)],
    ["sigmoidCrossEntropy", (t) => tn.sigmoidCrossEntropy([[0, 1, 1], [1, 0, 0.5]], t, { labelSmoothing: 0.1 })],
  ];
  for (const [name, loss] of cases) {
    const value = loss(z).dataSync()[0];
    assert.ok(Number.isFinite(value), `${name}: ${value}`);
    const g = Array.from(tn.grad(loss)(z).dataSync());
    assert.ok(g.every(Number.isFinite), `${name}: gradient ${g}`);
  }
  // The wrong class by 2000 costs 2000; the right one by 1000 costs 0.
  assert.deepEqual(Array.from(tn.softmaxCrossEntropy([[0, 1, 0]], [[1000, -1000, 0]], { reduction: "none" }).dataSync()), [2000]);
  assert.deepEqual(Array.from(tn.sigmoidCrossEntropy([0, 1], [1000, 1000], { reduction: "none" }).dataSync()), [1000, 0]);
});

test("the softmax cross-entropy gradient is softmax(logits) - labels", () => {
  const z = tn.tensor([[0.3, -1.2, 2.0]], undefined, "float64");
  const g = tn.grad((t) => tn.softmaxCrossEntropy([[0, 0, 1]], t, { reduction: "sum" }))(z).dataSync();
  const p = tn.softmax(z).dataSync();
  [0, 0, 1].forEach((y, i) => assert.ok(Math.abs(g[i] - (p[i] - y)) < 1e-12));
});

test("label smoothing moves the targets toward uniform", () => {
  // With smoothing 1 the target is uniform: the loss is the cross-entropy to uniform, the same for any label.
  const z = [[0.3, -1.2, 2.0]];
  const a = tn.softmaxCrossEntropy([[1, 0, 0]], z, { labelSmoothing: 1 }).dataSync()[0];
  const b = tn.softmaxCrossEntropy([[0, 0, 1]], z, { labelSmoothing: 1 }).dataSync()[0];
  assert.ok(Math.abs(a - b) < 1e-6);
  const s = tn.sigmoidCrossEntropy([1, 0], [0, 0], { labelSmoothing: 1, reduction: "none" }).dataSync();
  assert.deepEqual(Array.from(s), [Math.fround(Math.LN2), Math.fround(Math.LN2)]);
});

test("all-zero weights reduce to 0 (not NaN), with a zero gradient", () => {
  for (const reduction of ["mean", "sumByNonzeroWeights"] as const) {
    const loss = (p: tn.Tensor) => tn.meanSquaredError([1, 2], p, { weights: [0, 0], reduction });
    assert.deepEqual(Array.from(loss(tn.tensor([3, 4])).dataSync()), [0]);
    assert.deepEqual(Array.from(tn.grad(loss)([3, 4]).dataSync()), [0, 0]);
  }
});

test("computeWeightedLoss applies TF's reductions", () => {
  assert.equal(tn.computeWeightedLoss([1, 3], { reduction: "mean" }).dataSync()[0], 2);
  assert.equal(tn.computeWeightedLoss([1, 3], { weights: [0, 2] }).dataSync()[0], 6);
  assert.equal(tn.computeWeightedLoss([1, 3], { weights: [1, 3], reduction: "mean" }).dataSync()[0], 2.5);
  assert.deepEqual(tn.computeWeightedLoss([[1, 3]], { weights: [2, 1], reduction: "none" }).arraySync(), [[2, 3]]);
  assert.throws(() => tn.computeWeightedLoss([1], { reduction: "MEAN" as "mean" }), /^ValueError: computeWeightedLoss: reduction must be one of/);
});

test("sparse labels may be plain integer arrays", () => {
  assert.ok(Math.abs(tn.sparseSoftmaxCrossEntropy([1], [[0, 0]]).dataSync()[0] - Math.LN2) < 1e-6);
  assert.throws(() => tn.sparseSoftmaxCrossEntropy([0.5], [[0, 0]]), /sparseSoftmaxCrossEntropy: labels must be integers in \[0, 2\) .*got 0.5 at index 0/);
});
