/**
 * The fused ops (src/ops/fused.ts): float64 references written here (a naive convolution and product, the bias
 * broadcast and each activation from its definition), central-difference gradient checks for every activation, the
 * gradients against those of the unfused composition, and the error messages.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { fused, type FusedActivationName } from "../../src/ops/fused.js";
import { runOpRecords, type OpRecord, type RefTensor, type Sample, type Value } from "../helpers/opinfo.js";
import { broadcastValues, lcg, matMulValues } from "../helpers/reference.js";

/** Distinct values in [-scale, scale) (no ties, so activations' kinks are not hit). */
function rand(shape: number[], seed = 1, scale = 1): Value {
  const next = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Array.from({ length: n }, (_, i) => (Math.round(next() * 2e4) / 1e4) * scale + i * 1e-7) };
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Each activation from its definition (relu6 clips to [0, 6]; elu's alpha is 1). */
function activate(v: number, activation: FusedActivationName, alpha: number, slope: number): number {
  switch (activation) {
    case "linear":
      return v;
    case "relu":
      return Math.max(v, 0);
    case "relu6":
      return Math.min(Math.max(v, 0), 6);
    case "elu":
      return v > 0 ? v : Math.exp(v) - 1;
    case "sigmoid":
      return 1 / (1 + Math.exp(-v));
    case "tanh":
      return Math.tanh(v);
    case "leakyrelu":
      return v > 0 ? v : alpha * v;
    case "prelu":
      return v > 0 ? v : slope * v;
  }
}

interface EpilogueArgs {
  activation?: FusedActivationName;
  leakyreluAlpha?: number;
  /** Which inputs are the bias and the prelu weights (their positions after the op's two operands). */
  bias?: boolean;
  prelu?: boolean;
}

/** act(y + bias) on the reference values; the inputs after the op's two are the bias, then the prelu weights. */
function epilogue(y: RefTensor, extra: RefTensor[], a: EpilogueArgs): RefTensor {
  let k = 0;
  const bias = a.bias ? broadcastValues(extra[k++], y.shape) : null;
  const slopes = a.prelu ? broadcastValues(extra[k++], y.shape) : null;
  const values = y.values.map((v, i) => activate(v + (bias ? bias[i] : 0), a.activation ?? "linear", a.leakyreluAlpha ?? 0.2, slopes ? slopes[i] : 0));
  return { shape: y.shape, values };
}

/** The epilogue options for the op from the record's args and inputs. */
function epilogueOptions(extra: tn.Tensor[], a: EpilogueArgs): Record<string, unknown> {
  let k = 0;
  const o: Record<string, unknown> = {};
  if (a.activation !== undefined) o.activation = a.activation;
  if (a.leakyreluAlpha !== undefined) o.leakyreluAlpha = a.leakyreluAlpha;
  if (a.bias) o.bias = extra[k++];
  if (a.prelu) o.preluActivationWeights = extra[k++];
  return o;
}

/** Naive float64 N-d convolution, channels-last, one group: y[n, o, j] = Σ x[n, o·s - p + k·d, c] · w[k, c, j]. */
function naiveConv(x: RefTensor, w: RefTensor, strides: number[], pads: [number, number][], dil: number[]): RefTensor {
  const r = x.shape.length - 2;
  const [N, C] = [x.shape[0], x.shape[r + 1]];
  const inSp = x.shape.slice(1, r + 1);
  const k = w.shape.slice(0, r);
  const outC = w.shape[r + 1];
  const outSp = inSp.map((s, i) => Math.floor((s + pads[i][0] + pads[i][1] - (k[i] - 1) * dil[i] - 1) / strides[i]) + 1);
  const idx = (shape: number[], ix: number[]) => ix.reduce((acc, v, i) => acc * shape[i] + v, 0);
  const iter = (dims: number[]): number[][] =>
    dims.reduce<number[][]>((acc, d) => acc.flatMap((p) => Array.from({ length: d }, (_, i) => [...p, i])), [[]]);
  const values: number[] = [];
  for (let n = 0; n < N; n++)
    for (const o of iter(outSp))
      for (let oc = 0; oc < outC; oc++) {
        let s = 0;
        for (const kk of iter(k)) {
          const pos = o.map((v, i) => v * strides[i] - pads[i][0] + kk[i] * dil[i]);
          if (pos.some((p, i) => p < 0 || p >= inSp[i])) continue;
          for (let c = 0; c < C; c++) s += x.values[idx(x.shape, [n, ...pos, c])] * w.values[idx(w.shape, [...kk, c, oc])];
        }
        values.push(s);
      }
  return { shape: [N, ...outSp, outC], values };
}

interface ConvArgs extends EpilogueArgs {
  strides: number;
  pad: "valid" | "same" | [number, number][];
  dilations?: number;
}

/** "same" padding as TF: total = max((ceil(in / s) - 1)·s + window - in, 0), the extra one after. */
function pads(a: ConvArgs, inSp: number[], k: number[]): [number, number][] {
  const d = a.dilations ?? 1;
  if (a.pad === "valid") return inSp.map(() => [0, 0]);
  if (a.pad === "same") {
    return inSp.map((s, i) => {
      const total = Math.max((Math.ceil(s / a.strides) - 1) * a.strides + (k[i] - 1) * d + 1 - s, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  return a.pad;
}

function convReference([x, w, ...extra]: RefTensor[], a: ConvArgs): RefTensor {
  const r = x.shape.length - 2;
  const unbatched = w.shape.length === x.shape.length + 1;
  const xb = unbatched ? { shape: [1, ...x.shape], values: x.values } : x;
  const rb = unbatched ? r + 1 : r;
  const inSp = xb.shape.slice(1, rb + 1);
  const k = w.shape.slice(0, rb);
  let y = naiveConv(xb, w, k.map(() => a.strides), pads(a, inSp, k), k.map(() => a.dilations ?? 1));
  if (unbatched) y = { shape: y.shape.slice(1), values: y.values };
  return epilogue(y, extra, a);
}

const ACTIVATIONS: FusedActivationName[] = ["linear", "relu", "relu6", "elu", "sigmoid", "tanh", "leakyrelu"];

const x2 = rand([2, 6, 5, 3], 1, 2);
const w2 = rand([3, 3, 3, 4], 2, 2);
const b4 = rand([4], 3, 2);

const conv2dRecord: OpRecord = {
  name: "fused.conv2d",
  fn: ([x, w, ...extra], a: ConvArgs) =>
    fused.conv2d({ x, filter: w, strides: a.strides, pad: a.pad, ...(a.dilations ? { dilations: a.dilations } : {}), ...epilogueOptions(extra, a) }),
  reference: convReference,
  tolerance: "accumulating",
  grad: "check",
  samples: [
    ...ACTIVATIONS.map((activation): Sample => ({ inputs: [x2, w2, b4], args: { strides: 1, pad: "valid", bias: true, activation }, label: `${activation}, bias` })),
    { inputs: [x2, w2], args: { strides: 2, pad: "same", activation: "relu" }, label: "no bias, same, stride 2" },
    { inputs: [x2, w2, b4], args: { strides: 1, pad: "same", dilations: 2, bias: true, activation: "elu" }, label: "dilated" },
    { inputs: [x2, w2, b4], args: { strides: 1, pad: "valid", bias: true, activation: "leakyrelu", leakyreluAlpha: 0.05 }, label: "leakyrelu alpha 0.05" },
    { inputs: [x2, w2, b4], args: { strides: 1, pad: "valid", bias: true, activation: "leakyrelu", leakyreluAlpha: -0.5 }, label: "leakyrelu alpha < 0 (composed)" },
    { inputs: [x2, w2, b4, rand([4], 4)], args: { strides: 1, pad: "valid", bias: true, prelu: true, activation: "prelu" }, label: "prelu (composed)" },
    { inputs: [x2, w2, rand([1, 4, 3, 4], 5)], args: { strides: 1, pad: "valid", bias: true, activation: "tanh" }, label: "bias broadcast over positions (composed)" },
    { inputs: [x2, w2, rand([1, 1, 4], 6)], args: { strides: 1, pad: "valid", bias: true, activation: "sigmoid" }, label: "bias [1, 1, 4]" },
    { inputs: [x2, w2, { shape: [], values: [0.7] }], args: { strides: 1, pad: "valid", bias: true, activation: "relu6" }, label: "scalar bias" },
    { inputs: [rand([6, 5, 3], 7), w2, b4], args: { strides: 1, pad: [[1, 0], [0, 1]], bias: true, activation: "relu" }, label: "unbatched, explicit pad" },
    { inputs: [rand([2, 9, 9, 1], 8, 2), rand([3, 3, 1, 5], 9, 2), rand([5], 10)], args: { strides: 2, pad: "same", bias: true, activation: "relu" }, label: "one input channel" },
  ],
  errors: [
    { inputs: [x2, w2], args: { strides: 1, pad: "valid", activation: "gelu" }, throws: /^fused\.conv2d: activation must be one of .* got "gelu"/ },
    { inputs: [x2, w2], args: { strides: 1, pad: "valid", activation: "prelu" }, throws: /^fused\.conv2d: activation "prelu" needs preluActivationWeights/ },
    { inputs: [x2, w2, b4], args: { strides: 1, pad: "valid", prelu: true, activation: "relu" }, throws: /^fused\.conv2d: preluActivationWeights is only used with activation "prelu"/ },
    { inputs: [x2, w2, rand([3], 2)], args: { strides: 1, pad: "valid", bias: true }, throws: /^fused\.conv2d: bias of shape \[3\] must broadcast to the result's shape \[2,4,3,4\]/ },
    { inputs: [x2, w2], args: { strides: 1, pad: "valid", activation: "leakyrelu", leakyreluAlpha: Number.NaN }, throws: /^fused\.conv2d: leakyreluAlpha must be a finite number/ },
    { inputs: [x2, rand([3, 3, 2, 4])], args: { strides: 1, pad: "valid" }, throws: /^fused\.conv2d: x has 3 input channels but filter expects 2/ },
    { inputs: [x2, rand([3, 3, 4])], args: { strides: 1, pad: "valid" }, throws: /^fused\.conv2d: filter must be rank 4/ },
    { inputs: [rand([5, 5]), w2], args: { strides: 1, pad: "valid" }, throws: /^fused\.conv2d: x must be rank 4 .* or rank 3 \(unbatched\), got rank 2/ },
    { inputs: [x2, w2], args: { strides: 0, pad: "valid" }, throws: /^fused\.conv2d: strides must be a positive integer/ },
    { inputs: [x2, w2], args: { strides: 1, pad: "full" }, throws: /^fused\.conv2d: pad must be "same", "valid"/ },
    { inputs: [rand([1, 2, 2, 3]), w2], args: { strides: 1, pad: "valid" }, throws: /^fused\.conv2d: filter \(dilated\) \(extent 3 along height\) is larger than the padded input/ },
  ],
};

const conv1dRecord: OpRecord = {
  name: "fused.conv1d",
  fn: ([x, w, ...extra], a: ConvArgs & { dataFormat?: "NWC" }) =>
    fused.conv1d({ x, filter: w, stride: a.strides, pad: a.pad, dilation: a.dilations ?? 1, ...(a.dataFormat ? { dataFormat: a.dataFormat } : {}), ...epilogueOptions(extra, a) }),
  reference: convReference,
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [rand([2, 9, 3], 11), rand([3, 3, 4], 12), b4], args: { strides: 2, pad: "same", bias: true, activation: "tanh" }, label: "same, stride 2" },
    { inputs: [rand([2, 9, 3], 11), rand([3, 3, 4], 12), b4], args: { strides: 1, pad: [[2, 0]], dilations: 2, bias: true, activation: "relu" }, label: "causal-style padding" },
  ],
  errors: [
    { inputs: [rand([2, 9, 3], 11), rand([3, 3, 4], 12)], args: { strides: 1, pad: "valid", dataFormat: "NCW" }, throws: /^fused\.conv1d: dataFormat must be "NWC" \(the fused ops are channels-last only\), got "NCW"/ },
  ],
};

const conv3dRecord: OpRecord = {
  name: "fused.conv3d",
  fn: ([x, w, ...extra], a: ConvArgs) => fused.conv3d({ x, filter: w, strides: a.strides, pad: a.pad, ...epilogueOptions(extra, a) }),
  reference: convReference,
  tolerance: "accumulating",
  grad: "check",
  samples: [{ inputs: [rand([1, 4, 3, 4, 2], 13), rand([2, 2, 2, 2, 3], 14), rand([3], 15)], args: { strides: 1, pad: "same", bias: true, activation: "sigmoid" } }],
};

interface MatMulArgs extends EpilogueArgs {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** Batched product with transposes and broadcast batch dims, in float64, then the epilogue. */
function matMulReference([a, b, ...extra]: RefTensor[], o: MatMulArgs): RefTensor {
  return epilogue(matMulValues(a, b, o.transposeA, o.transposeB), extra, o);
}

const a45 = rand([4, 5], 21, 2);
const b53 = rand([5, 3], 22, 2);
const b3 = rand([3], 23, 2);

const matMulRecord: OpRecord = {
  name: "fused.matMul",
  fn: ([a, b, ...extra], o: MatMulArgs) =>
    fused.matMul({ a, b, ...(o.transposeA ? { transposeA: true } : {}), ...(o.transposeB ? { transposeB: true } : {}), ...epilogueOptions(extra, o) }),
  reference: matMulReference,
  tolerance: "accumulating",
  grad: "check",
  samples: [
    ...ACTIVATIONS.map((activation): Sample => ({ inputs: [a45, b53, b3], args: { bias: true, activation }, label: `${activation}, bias` })),
    { inputs: [a45, b53], args: { activation: "relu" }, label: "no bias" },
    { inputs: [rand([5, 4], 24), rand([3, 5], 25), b3], args: { transposeA: true, transposeB: true, bias: true, activation: "elu" }, label: "transposes" },
    { inputs: [rand([2, 4, 5], 26), b53, b3], args: { bias: true, activation: "sigmoid" }, label: "batched a, shared b" },
    { inputs: [rand([2, 1, 4, 5], 27), rand([3, 5, 3], 28), b3], args: { bias: true, activation: "tanh" }, label: "broadcast batch dims" },
    { inputs: [a45, b53, rand([4, 3], 29)], args: { bias: true, activation: "relu" }, label: "bias [m, n] (composed)" },
    { inputs: [a45, b53, b3, rand([1, 3], 30)], args: { bias: true, prelu: true, activation: "prelu" }, label: "prelu (composed)" },
    { inputs: [a45, b53, b3], args: { bias: true, activation: "leakyrelu", leakyreluAlpha: -0.3 }, label: "leakyrelu alpha < 0 (composed)" },
  ],
  errors: [
    { inputs: [a45, rand([4, 3])], args: {}, throws: /^fused\.matMul: inner dimensions differ: a is \[4,5\], b is \[4,3\]/ },
    { inputs: [rand([5]), b53], args: {}, throws: /^fused\.matMul: a must have rank >= 2, got rank 1/ },
    { inputs: [rand([2, 4, 5]), rand([3, 5, 3])], args: {}, throws: /^fused\.matMul: batch dimensions \[2\] and \[3\] do not broadcast: a is \[2,4,5\], b is \[3,5,3\]$/ },
    { inputs: [a45, b53, rand([5])], args: { bias: true }, throws: /^fused\.matMul: bias of shape \[5\] must broadcast to the result's shape \[4,3\]/ },
    { inputs: [a45, b53], args: { activation: "softmax" }, throws: /^fused\.matMul: activation must be one of/ },
  ],
};

runOpRecords([conv2dRecord, conv1dRecord, conv3dRecord, matMulRecord]);

/** The gradients of Σ c·f(inputs) with respect to every input. */
function gradsOf(f: (xs: tn.Tensor[]) => tn.Tensor, inputs: tn.Tensor[]): tn.Tensor[] {
  const out = f(inputs);
  const next = lcg(99);
  const c = tn.tensor(Array.from({ length: out.size }, () => next()), [...out.shape], out.dtype);
  return tn.grads((...xs: tn.Tensor[]) => tn.sum(tn.mul(f(xs), c)))(inputs);
}

/** The unfused activations (the layers' and ops' own). */
function unfused(z: tn.Tensor, activation: FusedActivationName, alpha: number): tn.Tensor {
  switch (activation) {
    case "linear":
      return z;
    case "relu":
      return tn.relu(z);
    case "relu6":
      return tn.relu6(z);
    case "elu":
      return tn.elu(z);
    case "sigmoid":
      return tn.sigmoid(z);
    case "tanh":
      return tn.tanh(z);
    case "leakyrelu":
      return tn.leakyRelu(z, alpha);
    case "prelu":
      throw new Error("not used here");
  }
}

function assertAllClose(actual: tn.Tensor, expected: tn.Tensor, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const [rtol, atol] = actual.dtype === "float64" ? [1e-9, 1e-9] : [1e-4, 1e-5];
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) assert.fail(`${what}: element ${i} is ${a[i]}, the composition gives ${e[i]}`);
  }
}

for (const dtype of ["float32", "float64"] as const) {
  test(`fused ops: values and gradients equal the unfused composition's (${dtype}, every activation)`, () => {
    // Ties at the kinks on purpose: integers, so z is exactly 0 or 6 at some positions and the conventions there
    // (relu and relu6: 0 at 0 and 6; leakyrelu: alpha at 0; elu: 1 at 0) must agree too.
    const ints = (shape: number[], seed: number, lo: number, hi: number) => {
      const next = lcg(seed);
      return tn.tensor(Array.from({ length: size(shape) }, () => Math.floor((next() + 0.5) * (hi - lo + 1)) + lo), shape, dtype);
    };
    const x = ints([2, 5, 5, 2], 1, -2, 2);
    const w = ints([2, 2, 2, 3], 2, -1, 1);
    const bias = ints([3], 3, -1, 1);
    const a = ints([4, 6], 4, -2, 2);
    const b = ints([6, 3], 5, -1, 1);
    for (const activation of ACTIVATIONS) {
      const alpha = 0.3;
      const pairs: [string, (xs: tn.Tensor[]) => tn.Tensor, (xs: tn.Tensor[]) => tn.Tensor, tn.Tensor[]][] = [
        [
          "conv2d",
          ([xx, ww, bb]) => fused.conv2d({ x: xx, filter: ww, strides: 1, pad: "same", bias: bb, activation, leakyreluAlpha: alpha }),
          ([xx, ww, bb]) => unfused(tn.add(tn.conv2d(xx, ww, 1, "same"), bb), activation, alpha),
          [x, w, bias],
        ],
        [
          "matMul",
          ([aa, bm, bb]) => fused.matMul({ a: aa, b: bm, bias: bb, activation, leakyreluAlpha: alpha }),
          ([aa, bm, bb]) => unfused(tn.add(tn.matMul(aa, bm), bb), activation, alpha),
          [a, b, bias],
        ],
      ];
      for (const [op, f, g, inputs] of pairs) {
        assertAllClose(f(inputs), g(inputs), `${op} ${activation}: value`);
        const gf = gradsOf(f, inputs);
        const gg = gradsOf(g, inputs);
        gf.forEach((t, i) => assertAllClose(t, gg[i], `${op} ${activation}: gradient of input ${i}`));
      }
    }
  });
}

test("fused ops: gradients reach the requested inputs; options are validated", () => {
  const flat = (v: Value) => v as { shape: number[]; values: number[] };
  const x = tn.tensor(flat(rand([1, 4, 4, 2], 40)).values, [1, 4, 4, 2]);
  const filter = tn.tensor(flat(rand([2, 2, 2, 3], 41)).values, [2, 2, 2, 3]);
  const bias = tn.tensor([0.1, -0.2, 0.3]);
  const [dFilter, dBias] = tn.grads((f: tn.Tensor, b: tn.Tensor) => tn.sum(fused.conv2d({ x, filter: f, strides: 1, pad: "valid", bias: b, activation: "relu" })))([filter, bias]);
  assert.deepEqual([...dFilter.shape], [2, 2, 2, 3]);
  assert.deepEqual([...dBias.shape], [3]);
  assert.throws(() => fused.conv2d({ x, filter, strides: 1, pad: "valid", dataFormat: "NCHW" as "NHWC" }), /^ValueError: fused\.conv2d: dataFormat must be "NHWC"/);
  assert.throws(() => fused.matMul({ a: [[1]], b: [[1]], transposeA: "yes" as unknown as boolean }), /fused\.matMul: transposeA and transposeB must be booleans/);
  assert.throws(() => fused.matMul({ a: [[1]], b: [[1]], activaton: "relu" } as never), /fused\.matMul: unknown option "activaton"/);
  assert.throws(() => fused.conv2d(null as never), /fused\.conv2d: options must be an object/);
});
