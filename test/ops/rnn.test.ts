import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { gruStep, lstmStep } from "../../src/ops/rnn.js";
import { checkGradient, runOpRecords, type OpRecord, type RefTensor } from "../helpers/opinfo.js";
import { lcg } from "../helpers/reference.js";

/** Random values in [-scale, scale) as a flat input. */
function rand(shape: number[], scale = 3, seed = shape.reduce((a, b) => a * 31 + b, 7)): { shape: number[]; values: number[] } {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Array.from({ length: n }, () => r() * 2 * scale) };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The LSTM step in float64, written from the equations: [h, c']. */
function lstmReference([z, c]: RefTensor[]): [RefTensor, RefTensor] {
  const [batch, units] = c.shape;
  const h: number[] = [];
  const c2: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < units; j++) {
      const gate = (k: number): number => z.values[b * 4 * units + k * units + j];
      const cNew = sigmoid(gate(1)) * c.values[b * units + j] + sigmoid(gate(0)) * Math.tanh(gate(2));
      c2.push(cNew);
      h.push(sigmoid(gate(3)) * Math.tanh(cNew));
    }
  }
  return [
    { shape: [batch, units], values: h },
    { shape: [batch, units], values: c2 },
  ];
}

const samples = [
  { inputs: [rand([2, 12]), rand([2, 3], 2)], label: "batch 2, 3 units" },
  { inputs: [rand([1, 4]), rand([1, 1], 2)], label: "one unit" },
  { inputs: [rand([3, 8], 30), rand([3, 2], 5)], label: "saturated gates" },
  { inputs: [rand([5, 40]), rand([5, 10], 2)], label: "5 × 10 units" },
  { inputs: [{ shape: [0, 8], values: [] }, { shape: [0, 2], values: [] }], label: "empty batch" },
];

const errors = [
  { inputs: [rand([8]), rand([2, 2])], throws: /^lstmStep: z must be \[batch, 4·units\] .*got \[8\]/ },
  { inputs: [rand([2, 6]), rand([2, 2])], throws: /^lstmStep: z must be \[batch, 4·units\] .*got \[2,6\]/ },
  { inputs: [rand([2, 8]), rand([2, 3])], throws: /^lstmStep: c must be \[2,2\] \(z is \[2,8\]\), got \[2,3\]/ },
  { inputs: [rand([2, 8]), rand([3, 2])], throws: /^lstmStep: c must be \[2,2\]/ },
  { inputs: [rand([1, 4]), [[true]]], boolInputs: [1], throws: /^lstmStep: c must be a float tensor, got dtype bool/ },
];

const records: OpRecord[] = [
  {
    name: "lstmStep (h)",
    fn: ([z, c]) => lstmStep(z, c)[0],
    reference: (inputs) => lstmReference(inputs)[0],
    samples,
    grad: "check",
    errors,
  },
  {
    name: "lstmStep (c')",
    fn: ([z, c]) => lstmStep(z, c)[1],
    reference: (inputs) => lstmReference(inputs)[1],
    samples,
    grad: "check",
  },
];

/** The GRU step (resetAfter) in float64, from the equations. */
function gruReference([xp, hp, h, bh]: RefTensor[]): RefTensor {
  const [batch, units] = h.shape;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < units; j++) {
      const at = (t: RefTensor, k: number): number => t.values[b * 3 * units + k * units + j];
      const z = sigmoid(at(xp, 0) + at(hp, 0));
      const r = sigmoid(at(xp, 1) + at(hp, 1));
      const cand = Math.tanh(at(xp, 2) + r * (at(hp, 2) + (bh === undefined ? 0 : bh.values[j])));
      out.push(z * h.values[b * units + j] + (1 - z) * cand);
    }
  }
  return { shape: [batch, units], values: out };
}

records.push({
  name: "gruStep",
  fn: ([xp, hp, h, bh]) => gruStep(xp, hp, h, bh),
  reference: gruReference,
  samples: [
    { inputs: [rand([2, 9]), rand([2, 9], 3, 5), rand([2, 3], 1), rand([1, 3], 1).values], label: "batch 2, 3 units" },
    { inputs: [rand([1, 3]), rand([1, 3], 3, 5), rand([1, 1], 1)], label: "one unit, no bias" },
    { inputs: [rand([3, 6], 30), rand([3, 6], 30, 5), rand([3, 2], 1), rand([1, 2], 5).values], label: "saturated gates" },
    { inputs: [rand([4, 30]), rand([4, 30], 3, 5), rand([4, 10], 1), rand([1, 10], 1).values], label: "4 × 10 units" },
    { inputs: [{ shape: [0, 6], values: [] }, { shape: [0, 6], values: [] }, { shape: [0, 2], values: [] }, [0.5, -0.5]], label: "empty batch" },
  ],
  grad: "check",
  errors: [
    { inputs: [rand([6]), rand([6]), rand([1, 2])], throws: /^gruStep: xp must be \[batch, 3·units\] .*got \[6\]/ },
    { inputs: [rand([2, 4]), rand([2, 4]), rand([2, 1])], throws: /^gruStep: xp must be \[batch, 3·units\] .*got \[2,4\]/ },
    { inputs: [rand([2, 6]), rand([2, 3]), rand([2, 2])], throws: /^gruStep: hp must be \[2,6\] \(xp is \[2,6\]\), got \[2,3\]/ },
    { inputs: [rand([2, 6]), rand([2, 6]), rand([2, 3])], throws: /^gruStep: h must be \[2,2\]/ },
    { inputs: [rand([2, 6]), rand([2, 6]), rand([2, 2]), [1, 2, 3]], throws: /^gruStep: bh must be \[2\] \(xp is \[2,6\]\), got \[3\]/ },
  ],
});

runOpRecords(records);

test("gruStep: the gradient is itself differentiable (second order in xp, hp, h, bh and the cotangent)", () => {
  const inputs = [rand([2, 9]), rand([2, 9], 3, 5), rand([2, 3], 1), rand([1, 3], 1), rand([2, 3], 1, 9)].map((v) => tn.tensor(v.values, v.shape, "float64"));
  inputs[3] = tn.reshape(inputs[3], [3]);
  const firstOrder = ([xp, hp, h, bh, a]: tn.Tensor[]): tn.Tensor => {
    const g = tn.grads((x: tn.Tensor, p: tn.Tensor, hh: tn.Tensor, b: tn.Tensor) => tn.sum(tn.mul(gruStep(x, p, hh, b), a)))([xp, hp, h, bh]);
    return tn.concat(g.map((t) => tn.reshape(t, [t.size])), 0);
  };
  checkGradient(firstOrder, inputs, "second order");
});

test("gruStep equals its op composition bit for bit in float32", () => {
  const xp = tn.tensor(rand([8, 48], 4).values, [8, 48], "float32");
  const hp = tn.tensor(rand([8, 48], 4, 3).values, [8, 48], "float32");
  const h = tn.tensor(rand([8, 16], 1).values, [8, 16], "float32");
  const bh = tn.tensor(rand([1, 16], 1).values, [16], "float32");
  const [xz, xr, xh] = tn.split(xp, 3, 1);
  const [hz, hr, hh] = tn.split(hp, 3, 1);
  const z = tn.sigmoid(tn.add(xz, hz));
  const r = tn.sigmoid(tn.add(xr, hr));
  const cand = tn.tanh(tn.add(xh, tn.mul(r, tn.add(hh, bh))));
  const expected = tn.add(cand, tn.mul(z, tn.sub(h, cand)));
  assert.deepEqual(Array.from(gruStep(xp, hp, h, bh).dataSync()), Array.from(expected.dataSync()));
});

test("lstmStep: gradients through h and c' together match central differences", () => {
  const r = lcg(11);
  const w = tn.tensor(Array.from({ length: 8 }, () => r()), [2, 4], "float64");
  const z = tn.tensor(rand([2, 16]).values, [2, 16], "float64");
  const c = tn.tensor(rand([2, 4], 2).values, [2, 4], "float64");
  checkGradient(([zz, cc]) => {
    const [h, c2] = lstmStep(zz, cc);
    return tn.add(tn.mul(h, w), tn.square(c2));
  }, [z, c], "h·w + c'²");
});

test("lstmStep: the gradient is itself differentiable (second order, through h, c' and the cotangents)", () => {
  const inputs = [rand([2, 12]), rand([2, 3], 2), rand([2, 3], 1, 5), rand([2, 3], 1, 6)].map((v) => tn.tensor(v.values, v.shape, "float64"));
  // [dz, dc] of <h, a> + <c', b> as one tensor: its gradient checks lstmCellGrad's rule in every input.
  const firstOrder = ([z, c, a, b]: tn.Tensor[]): tn.Tensor => {
    const [dz, dc] = tn.grads((zz: tn.Tensor, cc: tn.Tensor) => {
      const [h, c2] = lstmStep(zz, cc);
      return tn.add(tn.sum(tn.mul(h, a)), tn.sum(tn.mul(c2, b)));
    })([z, c]);
    return tn.concat([dz, dc], 1);
  };
  checkGradient(firstOrder, inputs, "second order");
  // Only h used (no gradient reaches c'), and only c' used.
  checkGradient(([z, c, a]) => tn.grads((zz: tn.Tensor) => tn.sum(tn.mul(lstmStep(zz, c)[0], a)))([z])[0], inputs.slice(0, 3), "second order, h only");
  checkGradient(([z, c, b]) => tn.grads((cc: tn.Tensor) => tn.sum(tn.mul(lstmStep(z, cc)[1], b)))([c])[0], [inputs[0], inputs[1], inputs[3]], "second order, c' only");
});

test("lstmStep equals its op composition bit for bit in float32 (sigmoid, tanh, mul, add)", () => {
  const z = tn.tensor(rand([8, 64], 4).values, [8, 64], "float32");
  const c = tn.tensor(rand([8, 16], 2).values, [8, 16], "float32");
  const [h, c2] = lstmStep(z, c);
  const [zi, zf, zg, zo] = tn.split(z, 4, 1);
  const cRef = tn.add(tn.mul(tn.sigmoid(zf), c), tn.mul(tn.sigmoid(zi), tn.tanh(zg)));
  const hRef = tn.mul(tn.sigmoid(zo), tn.tanh(cRef));
  assert.deepEqual(Array.from(c2.dataSync()), Array.from(cRef.dataSync()));
  assert.deepEqual(Array.from(h.dataSync()), Array.from(hRef.dataSync()));
});

test("lstmStep: integer inputs become float32, mixed float dtypes promote, hand-computed values", () => {
  const [h, c2] = lstmStep([[0, 0, 0, 0]], tn.tensor([[1]], [1, 1], "int32"));
  assert.equal(h.dtype, "float32");
  assert.ok(Math.abs(c2.dataSync()[0] - 0.5) < 1e-7, "c' = σ(0)·1 + σ(0)·tanh(0) = 0.5");
  assert.ok(Math.abs(h.dataSync()[0] - 0.5 * Math.tanh(0.5)) < 1e-7, "h = σ(0)·tanh(0.5)");
  const [h64] = lstmStep(tn.zeros([1, 4], "float32"), tn.ones([1, 1], "float64"));
  assert.equal(h64.dtype, "float64");
});

test("lstmStep leaves no tensors behind inside tidy, with and without a gradient", () => {
  const z = tn.keep(tn.tensor(rand([2, 8]).values, [2, 8]));
  const c = tn.keep(tn.tensor(rand([2, 2]).values, [2, 2]));
  const before = tn.memory().numTensors;
  tn.tidy(() => {
    lstmStep(z, c);
    tn.grads((zz: tn.Tensor, cc: tn.Tensor) => tn.sum(lstmStep(zz, cc)[0]))([z, c]);
  });
  assert.equal(tn.memory().numTensors, before);
});
