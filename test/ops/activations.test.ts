import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { erf as erfRef } from "../helpers/reference.js";
import { runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";

type Fn1 = (x: number) => number;
type TF = typeof import("@tensorflow/tfjs");
type TFTensor = import("@tensorflow/tfjs").Tensor;

const map1 = (f: Fn1) => ([x]: RefTensor[]): RefTensor => ({ shape: x.shape, values: x.values.map(f) });

// Plain float64 formulas, written independently of the library's compositions.
const sigmoidRef: Fn1 = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplusRef: Fn1 = (x) => (x > 30 ? x + Math.exp(-x) : x < -30 ? Math.exp(x) : Math.log(1 + Math.exp(x)));
const eluRef = (alpha: number): Fn1 => (x) => (x > 0 ? x : alpha * (Math.exp(x) - 1));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const normalCdf: Fn1 = (x) => 0.5 * (1 + erfRef(x / Math.SQRT2));

/** Away from 0 (the kinks), with a spread of magnitudes. */
const general = [[-2.3, -0.7, -0.15], [0.2, 1.1, 3.4]];
/** Large magnitudes: everything must stay finite and accurate. */
const large = [-100, -40, 40, 100];
/** Samples at the kinks of the piecewise ops (the gradient there is a convention, not a derivative). */
const kinks = [-3, 0, 3, 6];

function unary(name: string, op: (x: tn.Tensor) => tn.Tensor, f: Fn1, extra: OpRecord["samples"] = [], opName = name): OpRecord {
  return {
    name,
    fn: ([x]) => op(x),
    reference: map1(f),
    samples: [
      { inputs: [general] },
      { inputs: [[]], label: "empty" },
      { inputs: [0.4], label: "scalar" },
      ...extra,
    ],
    grad: "check",
    errors: [{ inputs: [[true, false]], boolInputs: [0], throws: new RegExp(`^${opName}: x must be a float tensor, got dtype bool`) }],
  };
}

/** The same record checked against TF.js (float32) instead of the hand-written reference. */
function oracle(record: OpRecord, f: (tf: TF, inputs: TFTensor[], args: any) => TFTensor): OpRecord {
  return { ...record, name: `${record.name} vs TF.js`, reference: undefined, oracle: f, grad: "none", errors: [] };
}

const stable = { inputs: [large], label: "large magnitudes" };

const records: OpRecord[] = [
  unary("sigmoid", tn.sigmoid, sigmoidRef, [stable]),
  unary("logSigmoid", tn.logSigmoid, (x) => -softplusRef(-x), [stable, { inputs: [[0]], label: "at 0" }]),
  {
    ...unary("relu", tn.relu, (x) => Math.max(x, 0), [{ inputs: [kinks], label: "kink", noGradReason: "0 is a kink (gradient 0 by convention)" }]),
    errors: [{ inputs: [[true]], boolInputs: [0], throws: /^relu: x must be numeric, got dtype bool/ }],
  },
  {
    ...unary("relu6", tn.relu6, (x) => Math.min(Math.max(x, 0), 6), [
      { inputs: [[-1, 2.5, 5.9, 6.1, 8]], label: "both sides" },
      { inputs: [kinks], label: "kinks", noGradReason: "0 and 6 are kinks" },
    ]),
    errors: [{ inputs: [[true]], boolInputs: [0], throws: /^relu6: x must be numeric, got dtype bool/ }],
  },
  {
    ...unary("leakyRelu", tn.leakyRelu, (x) => (x > 0 ? x : 0.2 * x)),
    samples: [
      { inputs: [general] },
      { inputs: [general], args: 0.05, label: "alpha 0.05" },
      { inputs: [[]], label: "empty" },
    ],
    fn: ([x], alpha) => tn.leakyRelu(x, alpha),
    reference: ([x], alpha = 0.2) => ({ shape: x.shape, values: x.values.map((v) => (v > 0 ? v : alpha * v)) }),
    errors: [
      { inputs: [[1]], args: NaN, throws: /^leakyRelu: alpha must be a finite number, got NaN/ },
      { inputs: [[true]], boolInputs: [0], throws: /^leakyRelu: x must be a float tensor, got dtype bool/ },
    ],
  },
  {
    name: "prelu",
    fn: ([x, a]) => tn.prelu(x, a),
    reference: ([x, a]) => {
      const c = a.values.length;
      return { shape: x.shape, values: x.values.map((v, i) => (v > 0 ? v : a.values[i % c] * v)) };
    },
    samples: [
      { inputs: [general, [0.1, 0.5, 2]], label: "per channel" },
      { inputs: [general, [0.25]], label: "shared" },
    ],
    grad: "check",
    errors: [
      { inputs: [[[1, 2]], [[0.1], [0.2], [0.3]]], throws: /^prelu: alpha of shape \[3,1\] must broadcast to x's shape \[1,2\]/ },
      { inputs: [[1, 2, 3], [0.1, 0.2]], throws: /^prelu: shapes \[3\] and \[2\] do not broadcast/ },
    ],
  },
  {
    ...unary("elu", tn.elu, eluRef(1), [stable]),
    samples: [{ inputs: [general] }, { inputs: [general], args: 0.5, label: "alpha 0.5" }, stable, { inputs: [[]], label: "empty" }],
    fn: ([x], alpha) => tn.elu(x, alpha),
    reference: ([x], alpha = 1) => ({ shape: x.shape, values: x.values.map(eluRef(alpha)) }),
    errors: [{ inputs: [[1]], args: Infinity, throws: /^elu: alpha must be a finite number, got Infinity/ }],
  },
  unary("selu", tn.selu, (x) => SELU_SCALE * eluRef(SELU_ALPHA)(x), [stable]),
  {
    ...unary("gelu", tn.gelu, (x) => x * normalCdf(x), [stable]),
    errors: [
      { inputs: [[1]], args: { approximate: "yes" }, throws: /^gelu: options.approximate must be a boolean, got "yes"/ },
      { inputs: [[true]], boolInputs: [0], throws: /^gelu: x must be a float tensor, got dtype bool/ },
    ],
    fn: ([x], options) => tn.gelu(x, options),
  },
  unary(
    "gelu (tanh approximation)",
    (x) => tn.gelu(x, { approximate: true }),
    (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    [stable],
    "gelu",
  ),
  unary("softplus", tn.softplus, softplusRef, [stable, { inputs: [[0]], label: "at 0 (smooth there)" }]),
  unary("softsign", tn.softsign, (x) => x / (1 + Math.abs(x)), [stable]),
  unary("silu", tn.silu, (x) => x * sigmoidRef(x), [stable]),
  {
    ...unary("swish", tn.swish, (x) => x * sigmoidRef(x)),
    samples: [{ inputs: [general] }, { inputs: [general], args: 1.7, label: "beta 1.7" }, stable],
    fn: ([x], beta) => tn.swish(x, beta),
    reference: ([x], beta = 1) => ({ shape: x.shape, values: x.values.map((v) => v * sigmoidRef(beta * v)) }),
    errors: [{ inputs: [[1]], args: "2", throws: /^swish: beta must be a finite number, got "2"/ }],
  },
  unary("hardSigmoid", tn.hardSigmoid, (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5), [
    { inputs: [[-5, -2.9, 2.9, 5]], label: "both saturations" },
    { inputs: [kinks], label: "kinks", noGradReason: "-3 and 3 are kinks" },
  ]),
  unary("mish", tn.mish, (x) => x * Math.tanh(softplusRef(x)), [stable]),
];

const byName = (name: string): OpRecord => records.find((r) => r.name === name)!;
const elu = byName("elu");
const tfRecords: OpRecord[] = [
  oracle(byName("sigmoid"), (tf, [x]) => tf.sigmoid(x)),
  oracle(byName("logSigmoid"), (tf, [x]) => tf.logSigmoid(x)),
  oracle(byName("relu"), (tf, [x]) => tf.relu(x)),
  oracle(byName("relu6"), (tf, [x]) => tf.relu6(x)),
  oracle(byName("leakyRelu"), (tf, [x], alpha) => tf.leakyRelu(x, alpha)),
  oracle(byName("prelu"), (tf, [x, a]) => tf.prelu(x, a)),
  oracle({ ...elu, samples: elu.samples.filter((s) => s.args === undefined) }, (tf, [x]) => tf.elu(x)),
  oracle(byName("selu"), (tf, [x]) => tf.selu(x)),
  oracle(byName("softplus"), (tf, [x]) => tf.softplus(x)),
];

runOpRecords([...records, ...tfRecords]);

test("activations stay finite, with finite gradients, for logits of ±100 and ±1000 in float32", () => {
  const x = tn.tensor([-1000, -100, 100, 1000]);
  const ops: [string, (t: tn.Tensor) => tn.Tensor][] = [
    ["sigmoid", tn.sigmoid],
    ["logSigmoid", tn.logSigmoid],
    ["softplus", tn.softplus],
    ["elu", (t) => tn.elu(t)],
    ["selu", tn.selu],
    ["gelu", (t) => tn.gelu(t)],
    ["silu", tn.silu],
    ["mish", tn.mish],
    ["softsign", tn.softsign],
    ["swish", (t) => tn.swish(t, 2)],
  ];
  for (const [name, op] of ops) {
    const y = Array.from(op(x).dataSync());
    assert.ok(y.every(Number.isFinite), `${name}: values ${y}`);
    const g = Array.from(tn.grad((t) => tn.sum(op(t)))(x).dataSync());
    assert.ok(g.every(Number.isFinite), `${name}: gradient ${g}`);
  }
  const ls = Array.from(tn.logSigmoid(x).dataSync());
  assert.deepEqual([ls[0], ls[1]], [-1000, -100]);
  assert.ok(Math.abs(ls[3]) === 0 && ls[2] < 0 && ls[2] > -1e-40, `logSigmoid: ${ls}`);
});

test("softplus has the exact derivative ½ at 0 and logSigmoid has ½ too", () => {
  assert.deepEqual(Array.from(tn.grad((t) => tn.softplus(t).sum())(tn.tensor([0], undefined, "float64")).dataSync()), [0.5]);
  assert.deepEqual(Array.from(tn.grad((t) => tn.logSigmoid(t).sum())(tn.tensor([0], undefined, "float64")).dataSync()), [0.5]);
});

test("relu and relu6 keep integer dtypes; float activations cast integers to float32", () => {
  const ints = tn.tensor([-2, 3, 9], undefined, "int32");
  assert.equal(tn.relu(ints).dtype, "int32");
  assert.deepEqual(Array.from(tn.relu6(ints).dataSync()), [0, 3, 6]);
  assert.equal(tn.relu6(ints).dtype, "int32");
  assert.equal(tn.elu(ints).dtype, "float32");
  assert.equal(tn.sigmoid(tn.tensor([1], undefined, "float64")).dtype, "float64");
});

test("relu6 passes the gradient only where 0 < x < 6 (as TF); hardSigmoid where -3 < x < 3", () => {
  assert.deepEqual(Array.from(tn.grad((t) => tn.relu6(t).sum())([-1, 0, 3, 6, 7]).dataSync()), [0, 0, 1, 0, 0]);
  const g = Array.from(tn.grad((t) => tn.hardSigmoid(t).sum())([-4, 0, 4]).dataSync());
  assert.deepEqual(g.map((v) => Math.round(v * 1e6) / 1e6), [0, Math.round(1e6 / 6) / 1e6, 0]);
});

test("swish with beta 1 is silu", () => {
  const x = tn.tensor(general);
  assert.deepEqual(Array.from(tn.swish(x).dataSync()), Array.from(tn.silu(x).dataSync()));
});

test("activation methods chain on tensors", () => {
  const x = tn.tensor([[-1, 0.5, 2]]);
  const pairs: [tn.Tensor, tn.Tensor][] = [
    [x.relu(), tn.relu(x)],
    [x.relu6(), tn.relu6(x)],
    [x.sigmoid(), tn.sigmoid(x)],
    [x.logSigmoid(), tn.logSigmoid(x)],
    [x.elu(0.5), tn.elu(x, 0.5)],
    [x.selu(), tn.selu(x)],
    [x.leakyRelu(0.1), tn.leakyRelu(x, 0.1)],
    [x.gelu({ approximate: true }), tn.gelu(x, { approximate: true })],
    [x.softplus(), tn.softplus(x)],
    [x.silu(), tn.silu(x)],
  ];
  for (const [a, b] of pairs) assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
});
