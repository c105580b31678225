import assert from "node:assert/strict";
import { test } from "node:test";
import * as tn from "../../src/index.js";
import { checkGradient, runOpRecords, type OpRecord, type RefTensor, type Value } from "../helpers/opinfo.js";
import { lcg } from "../helpers/reference.js";

type Tf = typeof import("@tensorflow/tfjs");
type TfTensor = import("@tensorflow/tfjs").Tensor;

/** Deterministic distinct-ish values in [-1, 1) (no ties, so max pooling has no kinks). */
function rand(shape: number[], seed = 1): Value {
  const next = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(Math.round(next() * 2 * 1e4) / 1e4 + i * 1e-7);
  return { shape, values };
}

/**
 * Naive float64 N-d grouped convolution, channels-last, written directly from the definition:
 * y[n, o..., g·og + j] = Σ_{k..., c} x[n, o·s - p + k·d, g·cg + c] · w[k..., c, g·og + j].
 */
function naiveConv(x: RefTensor, w: RefTensor, strides: number[], pads: [number, number][], dil: number[]): RefTensor {
  const r = x.shape.length - 2;
  const [N, C] = [x.shape[0], x.shape[r + 1]];
  const inSp = x.shape.slice(1, r + 1);
  const k = w.shape.slice(0, r);
  const cg = w.shape[r];
  const outC = w.shape[r + 1];
  const groups = C / cg;
  const og = outC / groups;
  const outSp = inSp.map((s, i) => Math.floor((s + pads[i][0] + pads[i][1] - (k[i] - 1) * dil[i] - 1) / strides[i]) + 1);
  const idx = (shape: number[], ix: number[]) => ix.reduce((acc, v, i) => acc * shape[i] + v, 0);
  const iter = (dims: number[]): number[][] =>
    dims.reduce<number[][]>((acc, d) => acc.flatMap((a) => Array.from({ length: d }, (_, i) => [...a, i])), [[]]);
  const values: number[] = [];
  for (let n = 0; n < N; n++)
    for (const o of iter(outSp))
      for (let oc = 0; oc < outC; oc++) {
        const g = Math.floor(oc / og);
        let s = 0;
        for (const kk of iter(k)) {
          const pos = o.map((v, i) => v * strides[i] - pads[i][0] + kk[i] * dil[i]);
          if (pos.some((p, i) => p < 0 || p >= inSp[i])) continue;
          for (let c = 0; c < cg; c++) {
            s += x.values[idx(x.shape, [n, ...pos, g * cg + c])] * w.values[idx(w.shape, [...kk, c, oc])];
          }
        }
        values.push(s);
      }
  return { shape: [N, ...outSp, outC], values };
}

const x552 = rand([1, 5, 5, 2], 1);
const w3323 = rand([3, 3, 2, 3], 2);

interface Conv2dArgs {
  strides: number | [number, number];
  pad: tn.Padding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
}

const conv2dRecord: OpRecord = {
  name: "conv2d",
  fn: ([x, w], a: Conv2dArgs) => tn.conv2d(x, w, a.strides, a.pad, a.dataFormat, a.dilations),
  oracle: (tf: Tf, [x, w], a: Conv2dArgs) =>
    tf.conv2d(x as import("@tensorflow/tfjs").Tensor4D, w as import("@tensorflow/tfjs").Tensor4D, a.strides, a.pad as "same", a.dataFormat ?? "NHWC", a.dilations ?? 1),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [x552, w3323], args: { strides: 1, pad: "valid" }, label: "valid" },
    { inputs: [x552, w3323], args: { strides: 2, pad: "same" }, label: "same, stride 2" },
    { inputs: [x552, w3323], args: { strides: [2, 1], pad: "valid" }, label: "stride [2,1]" },
    { inputs: [rand([1, 7, 5, 2], 8), rand([2, 2, 2, 3], 9)], args: { strides: 3, pad: "same" }, label: "same, stride > kernel" },
    { inputs: [x552, w3323], args: { strides: 1, pad: "same", dilations: 2 }, label: "dilated, same" },
    { inputs: [x552, w3323], args: { strides: 1, pad: [[0, 0], [1, 0], [2, 1], [0, 0]] }, label: "explicit pad" },
    { inputs: [x552, w3323], args: { strides: 1, pad: 1 }, label: "numeric pad" },
    { inputs: [rand([2, 4, 6, 2], 3), rand([2, 3, 2, 2], 4)], args: { strides: [1, 2], pad: "same" }, label: "batch 2, same" },
    { inputs: [rand([1, 2, 5, 5], 5), w3323], args: { strides: 1, pad: "same", dataFormat: "NCHW" }, label: "NCHW" },
    { inputs: [rand([1, 2, 5, 5], 5), w3323], args: { strides: 2, pad: "valid", dataFormat: "NCHW" }, label: "NCHW stride 2" },
  ],
  errors: [
    { inputs: [rand([1, 5, 5, 3]), rand([3, 3, 2, 4])], args: { strides: 1, pad: "valid" }, throws: /^conv2d: x has 3 input channels but filter expects 2/ },
    { inputs: [rand([1, 5, 5, 4]), rand([3, 3, 2, 3])], args: { strides: 1, pad: "valid" }, throws: /^conv2d: grouped convolution with 2 groups .* divisible by 2/ },
    { inputs: [rand([5, 5]), w3323], args: { strides: 1, pad: "valid" }, throws: /^conv2d: x must be rank 4 \[batch, height, width, channels\] or rank 3 \(unbatched\), got rank 2/ },
    { inputs: [x552, rand([3, 2, 3])], args: { strides: 1, pad: "valid" }, throws: /^conv2d: filter must be rank 4/ },
    { inputs: [x552, w3323], args: { strides: 0, pad: "valid" }, throws: /^conv2d: strides must be a positive integer or an array of 2 positive integers, got 0/ },
    { inputs: [x552, w3323], args: { strides: [1, 1, 1], pad: "valid" }, throws: /^conv2d: strides must be .* got \[1,1,1\]/ },
    { inputs: [x552, w3323], args: { strides: 1, pad: "full" }, throws: /^conv2d: pad must be "same", "valid", .* got "full"/ },
    { inputs: [x552, w3323], args: { strides: 1, pad: [[1, -1], [0, 0]] }, throws: /^conv2d: pad must be/ },
    { inputs: [x552, w3323], args: { strides: 1, pad: [[1, 1], [0, 0], [0, 0], [0, 0]] }, throws: /^conv2d: explicit pad must be zero on the batch and channel dimensions/ },
    { inputs: [rand([1, 2, 2, 2]), w3323], args: { strides: 1, pad: "valid" }, throws: /^conv2d: filter \(dilated\) \(extent 3 along height\) is larger than the padded input/ },
    { inputs: [x552, w3323], args: { strides: 1, pad: "valid", dilations: 3 }, throws: /^conv2d: filter \(dilated\) \(extent 7 along height\)/ },
    { inputs: [x552, w3323], args: { strides: 1, pad: "valid", dataFormat: "NWHC" }, throws: /^conv2d: dataFormat must be "NHWC" or "NCHW", got "NWHC"/ },
    { inputs: [{ shape: [1, 5, 5, 2], values: new Array(50).fill(1), dtype: "bool" }, w3323], args: { strides: 1, pad: "valid" }, throws: /^conv2d: x must be a numeric tensor, got dtype bool/ },
  ],
};

interface GroupedArgs {
  strides: number | [number, number];
  pad: tn.Padding;
  dilations?: number | [number, number];
  /** The same padding as explicit pairs, for the reference. */
  pads: [number, number][];
}

const groupedConvRecord: OpRecord = {
  name: "conv2d grouped",
  fn: ([x, w], a: GroupedArgs) => tn.conv2d(x, w, a.strides, a.pad, "NHWC", a.dilations),
  reference: ([x, w], a: GroupedArgs) => {
    const s = typeof a.strides === "number" ? [a.strides, a.strides] : a.strides;
    const d = a.dilations === undefined ? [1, 1] : typeof a.dilations === "number" ? [a.dilations, a.dilations] : a.dilations;
    return naiveConv(x, w, s, a.pads, d);
  },
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [rand([1, 5, 5, 4], 6), rand([3, 3, 2, 4], 7)], args: { strides: 1, pad: "valid", pads: [[0, 0], [0, 0]] }, label: "2 groups" },
    { inputs: [rand([1, 5, 5, 4], 6), rand([2, 2, 1, 8], 8)], args: { strides: 2, pad: "same", pads: [[0, 1], [0, 1]] }, label: "depthwise-like, same, stride 2" },
    { inputs: [rand([2, 6, 5, 6], 9), rand([3, 2, 2, 3], 10)], args: { strides: [2, 1], pad: [[1, 2], [0, 1]], dilations: [1, 2], pads: [[1, 2], [0, 1]] }, label: "3 groups, explicit pad, strided, dilated" },
  ],
};

const conv1dRecord: OpRecord = {
  name: "conv1d",
  fn: ([x, w], a: { stride: number; pad: tn.Padding; dilation?: number; ncw?: boolean }) =>
    tn.conv1d(x, w, a.stride, a.pad, a.ncw ? "NCW" : "NWC", a.dilation),
  oracle: (tf: Tf, [x, w], a: { stride: number; pad: "same"; dilation?: number; ncw?: boolean }) =>
    a.ncw
      ? tf.conv1d(x.transpose([0, 2, 1]) as import("@tensorflow/tfjs").Tensor3D, w as import("@tensorflow/tfjs").Tensor3D, a.stride, a.pad, "NWC", a.dilation ?? 1).transpose([0, 2, 1])
      : tf.conv1d(x as import("@tensorflow/tfjs").Tensor3D, w as import("@tensorflow/tfjs").Tensor3D, a.stride, a.pad, "NWC", a.dilation ?? 1),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [rand([2, 7, 2], 11), rand([3, 2, 3], 12)], args: { stride: 1, pad: "valid" }, label: "valid" },
    { inputs: [rand([2, 7, 2], 11), rand([3, 2, 3], 12)], args: { stride: 2, pad: "same" }, label: "same, stride 2" },
    { inputs: [rand([2, 7, 2], 11), rand([3, 2, 3], 12)], args: { stride: 1, pad: "same", dilation: 2 }, label: "dilated" },
    { inputs: [rand([7, 2], 11), rand([3, 2, 3], 12)], args: { stride: 1, pad: "valid" }, label: "unbatched" },
    { inputs: [rand([2, 2, 7], 13), rand([3, 2, 3], 12)], args: { stride: 1, pad: "same", ncw: true }, label: "NCW" },
  ],
  errors: [
    { inputs: [rand([2, 7, 2]), rand([3, 3, 3])], args: { stride: 1, pad: "valid" }, throws: /^conv1d: x has 2 input channels but filter expects 3/ },
    { inputs: [rand([2, 7, 2]), rand([3, 2, 3])], args: { stride: 1.5, pad: "valid" }, throws: /^conv1d: strides must be a positive integer/ },
  ],
};

const conv3dRecord: OpRecord = {
  name: "conv3d",
  fn: ([x, w], a: { strides: number; pad: "same" | "valid"; ncdhw?: boolean }) => tn.conv3d(x, w, a.strides, a.pad, a.ncdhw ? "NCDHW" : "NDHWC"),
  oracle: (tf: Tf, [x, w], a: { strides: number; pad: "same" | "valid"; ncdhw?: boolean }) =>
    a.ncdhw
      ? tf.conv3d(x.transpose([0, 2, 3, 4, 1]) as import("@tensorflow/tfjs").Tensor5D, w as import("@tensorflow/tfjs").Tensor5D, a.strides, a.pad).transpose([0, 4, 1, 2, 3])
      : tf.conv3d(x as import("@tensorflow/tfjs").Tensor5D, w as import("@tensorflow/tfjs").Tensor5D, a.strides, a.pad),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [rand([1, 3, 4, 4, 2], 14), rand([2, 2, 2, 2, 2], 15)], args: { strides: 1, pad: "valid" }, label: "valid" },
    { inputs: [rand([1, 3, 4, 4, 2], 14), rand([2, 3, 2, 2, 2], 15)], args: { strides: 2, pad: "same" }, label: "same, stride 2" },
    { inputs: [rand([3, 4, 4, 2], 14), rand([2, 2, 2, 2, 2], 15)], args: { strides: 1, pad: "same" }, label: "unbatched" },
    { inputs: [rand([1, 2, 3, 4, 4], 16), rand([2, 2, 2, 2, 2], 15)], args: { strides: 1, pad: "same", ncdhw: true }, label: "NCDHW" },
  ],
  errors: [
    { inputs: [rand([1, 3, 4, 4, 4]), rand([2, 2, 2, 3, 2])], args: { strides: 1, pad: "valid" }, throws: /^conv3d: x has 4 input channels but filter expects 3/ },
    { inputs: [rand([3, 4, 4]), rand([2, 2, 2, 3, 2])], args: { strides: 1, pad: "valid" }, throws: /^conv3d: x must be rank 5 \[batch, depth, height, width, channels\] or rank 4 \(unbatched\), got rank 3/ },
    { inputs: [rand([1, 3, 4, 4, 2]), rand([2, 2, 2, 2, 2])], args: { strides: 1, pad: "causal" }, throws: /^conv3d: pad must be/ },
  ],
};

const conv2dTransposeRecord: OpRecord = {
  name: "conv2dTranspose",
  fn: ([x, w], a: { out: number[]; strides: number; pad: "same" | "valid" }) => tn.conv2dTranspose(x, w, a.out, a.strides, a.pad),
  oracle: (tf: Tf, [x, w], a: { out: [number, number, number, number]; strides: number; pad: "same" | "valid" }) =>
    tf.conv2dTranspose(x as import("@tensorflow/tfjs").Tensor4D, w as import("@tensorflow/tfjs").Tensor4D, a.out, a.strides, a.pad),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [rand([1, 3, 3, 2], 17), rand([3, 3, 4, 2], 18)], args: { out: [1, 5, 5, 4], strides: 2, pad: "same" }, label: "same, stride 2" },
    { inputs: [rand([1, 2, 2, 2], 17), rand([3, 3, 4, 2], 18)], args: { out: [1, 5, 5, 4], strides: 2, pad: "valid" }, label: "valid, stride 2" },
    { inputs: [rand([2, 4, 3, 2], 19), rand([2, 2, 3, 2], 20)], args: { out: [2, 4, 3, 3], strides: 1, pad: "same" }, label: "same, stride 1" },
  ],
  errors: [
    { inputs: [rand([1, 3, 3, 2]), rand([3, 3, 4, 2])], args: { out: [1, 6, 6, 4], strides: 1, pad: "same" }, throws: /^conv2dTranspose: outputShape \[1,6,6,4\] does not match x \[1,3,3,2\]/ },
    { inputs: [rand([1, 3, 3, 3]), rand([3, 3, 4, 2])], args: { out: [1, 5, 5, 4], strides: 2, pad: "same" }, throws: /^conv2dTranspose: x has 3 channels but filter expects 2/ },
    { inputs: [rand([1, 3, 3, 2]), rand([3, 3, 4, 2])], args: { out: [1, 5, 5, 3], strides: 2, pad: "same" }, throws: /^conv2dTranspose: outputShape has 3 channels but filter produces 4/ },
    { inputs: [rand([1, 3, 3, 2]), rand([3, 3, 4, 2])], args: { out: [5, 5, 4], strides: 2, pad: "same" }, throws: /^conv2dTranspose: outputShape must be 4 positive integers/ },
  ],
};

const depthwiseRecord: OpRecord = {
  name: "depthwiseConv2d",
  fn: ([x, w], a: Conv2dArgs) => tn.depthwiseConv2d(x, w, a.strides, a.pad, a.dataFormat, a.dilations),
  oracle: (tf: Tf, [x, w], a: Conv2dArgs) =>
    tf.depthwiseConv2d(x as import("@tensorflow/tfjs").Tensor4D, w as import("@tensorflow/tfjs").Tensor4D, a.strides, a.pad as "same", "NHWC", a.dilations ?? 1),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [x552, rand([3, 3, 2, 2], 21)], args: { strides: 1, pad: "same" }, label: "same, multiplier 2" },
    { inputs: [x552, rand([2, 2, 2, 1], 22)], args: { strides: 2, pad: "valid" }, label: "valid, stride 2" },
    { inputs: [x552, rand([2, 2, 2, 3], 23)], args: { strides: 1, pad: "valid", dilations: 2 }, label: "dilated" },
  ],
  errors: [
    { inputs: [x552, rand([3, 3, 3, 2])], args: { strides: 1, pad: "same" }, throws: /^depthwiseConv2d: x has 2 channels but filter expects 3/ },
    { inputs: [x552, rand([3, 3, 2])], args: { strides: 1, pad: "same" }, throws: /^depthwiseConv2d: filter must be rank 4/ },
  ],
};

const separableRecord: OpRecord = {
  name: "separableConv2d",
  fn: ([x, d, p], a: { strides: number; pad: "same" | "valid" }) => tn.separableConv2d(x, d, p, a.strides, a.pad),
  oracle: (tf: Tf, [x, d, p], a: { strides: number; pad: "same" | "valid" }) =>
    tf.separableConv2d(x as import("@tensorflow/tfjs").Tensor4D, d as import("@tensorflow/tfjs").Tensor4D, p as import("@tensorflow/tfjs").Tensor4D, a.strides, a.pad),
  tolerance: "accumulating",
  grad: "check",
  samples: [
    { inputs: [x552, rand([3, 3, 2, 2], 24), rand([1, 1, 4, 3], 25)], args: { strides: 1, pad: "same" }, label: "same" },
    { inputs: [x552, rand([2, 2, 2, 1], 26), rand([1, 1, 2, 2], 27)], args: { strides: 2, pad: "valid" }, label: "valid, stride 2" },
  ],
  errors: [
    { inputs: [x552, rand([3, 3, 2, 2]), rand([1, 1, 3, 3])], args: { strides: 1, pad: "same" }, throws: /^separableConv2d: pointwiseFilter\[2\] must be inChannels·channelMultiplier = 2·2 = 4, got 3/ },
  ],
};

interface PoolArgs {
  size: number | number[];
  strides: number | number[];
  pad: tn.Padding;
}

function poolRecord(kind: "maxPool" | "avgPool"): OpRecord {
  return {
    name: kind,
    fn: ([x], a: PoolArgs) => tn[kind](x, a.size as number, a.strides as number, a.pad),
    oracle: (tf: Tf, [x], a: PoolArgs) => tf[kind](x as import("@tensorflow/tfjs").Tensor4D, a.size as number, a.strides as number, a.pad as "same"),
    tolerance: "accumulating",
    grad: "check",
    samples: [
      { inputs: [x552], args: { size: 2, strides: 2, pad: "valid" }, label: "2x2 stride 2 valid" },
      { inputs: [x552], args: { size: 3, strides: 2, pad: "same" }, label: "3x3 stride 2 same" },
      { inputs: [x552], args: { size: [3, 2], strides: 1, pad: "same" }, label: "3x2 stride 1 same" },
      // Uniform strides: with a numeric pad TF.js sizes both dims with the first stride.
      { inputs: [x552], args: { size: 2, strides: 2, pad: 1 }, label: "numeric pad" },
      { inputs: [rand([2, 4, 6, 3], 30)], args: { size: 2, strides: 1, pad: "valid" }, label: "batch 2" },
      { inputs: [rand([4, 6, 3], 31)], args: { size: 2, strides: 2, pad: "same" }, label: "unbatched" },
    ],
    errors: [
      { inputs: [x552], args: { size: 0, strides: 1, pad: "valid" }, throws: new RegExp(`^${kind}: filterSize must be a positive integer`) },
      { inputs: [x552], args: { size: 2, strides: 1, pad: [[2, 0], [0, 0]] }, throws: new RegExp(`^${kind}: padding \\[2, 0\\] along height must be smaller than the window \\(2\\)`) },
      { inputs: [x552], args: { size: 6, strides: 1, pad: "valid" }, throws: new RegExp(`^${kind}: filterSize \\(extent 6 along height\\) is larger than the padded input`) },
      { inputs: [rand([5, 5])], args: { size: 2, strides: 1, pad: "valid" }, throws: new RegExp(`^${kind}: x must be rank 4`) },
    ],
  };
}

function pool1dRecord(kind: "maxPool" | "avgPool"): OpRecord {
  const name = `${kind}1d` as "maxPool1d" | "avgPool1d";
  return {
    name,
    fn: ([x], a: { size: number; strides: number; pad: "same" | "valid" }) => tn[name](x, a.size, a.strides, a.pad),
    oracle: (tf: Tf, [x], a: { size: number; strides: number; pad: "same" | "valid" }) =>
      tf[kind](x.expandDims(1) as import("@tensorflow/tfjs").Tensor4D, [1, a.size], [1, a.strides], a.pad).squeeze([1]),
    tolerance: "accumulating",
    grad: "check",
    samples: [
      { inputs: [rand([2, 7, 3], 32)], args: { size: 2, strides: 2, pad: "valid" } },
      { inputs: [rand([2, 7, 3], 32)], args: { size: 3, strides: 2, pad: "same" } },
    ],
    errors: [{ inputs: [rand([2, 7, 3])], args: { size: 8, strides: 1, pad: "valid" }, throws: new RegExp(`^${name}: filterSize \\(extent 8 along width\\)`) }],
  };
}

function pool3dRecord(kind: "maxPool" | "avgPool"): OpRecord {
  const name = `${kind}3d` as "maxPool3d" | "avgPool3d";
  return {
    name,
    fn: ([x], a: { size: number; strides: number; pad: "same" | "valid"; ncdhw?: boolean }) =>
      tn[name](x, a.size, a.strides, a.pad, undefined, a.ncdhw ? "NCDHW" : "NDHWC"),
    oracle: (tf: Tf, [x], a: { size: number; strides: number; pad: "same" | "valid"; ncdhw?: boolean }) =>
      a.ncdhw
        ? tf[name](x.transpose([0, 2, 3, 4, 1]) as import("@tensorflow/tfjs").Tensor5D, a.size, a.strides, a.pad).transpose([0, 4, 1, 2, 3])
        : tf[name](x as import("@tensorflow/tfjs").Tensor5D, a.size, a.strides, a.pad),
    tolerance: "accumulating",
    grad: "check",
    samples: [
      { inputs: [rand([1, 4, 4, 3, 2], 33)], args: { size: 2, strides: 2, pad: "valid" } },
      { inputs: [rand([1, 4, 4, 3, 2], 33)], args: { size: 3, strides: 2, pad: "same" } },
      { inputs: [rand([1, 2, 4, 4, 3], 34)], args: { size: 2, strides: 1, pad: "same", ncdhw: true }, label: "NCDHW" },
    ],
  };
}

interface ResizeArgs {
  size: [number, number];
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
}

function resizeRecord(name: "resizeBilinear" | "resizeNearestNeighbor"): OpRecord {
  return {
    name,
    fn: ([x], a: ResizeArgs) => tn[name](x, a.size, a.alignCorners, a.halfPixelCenters),
    oracle: (tf: Tf, [x], a: ResizeArgs) => tf.image[name](x as import("@tensorflow/tfjs").Tensor4D, a.size, a.alignCorners, a.halfPixelCenters),
    tolerance: "accumulating",
    grad: "check",
    samples: [
      { inputs: [rand([1, 3, 4, 2], 40)], args: { size: [5, 7] }, label: "upsample" },
      { inputs: [rand([1, 3, 4, 2], 40)], args: { size: [5, 7], alignCorners: true }, label: "upsample, alignCorners" },
      { inputs: [rand([1, 3, 4, 2], 40)], args: { size: [5, 7], halfPixelCenters: true }, label: "upsample, halfPixelCenters" },
      { inputs: [rand([2, 6, 7, 1], 41)], args: { size: [4, 3] }, label: "downsample" },
      { inputs: [rand([2, 6, 7, 1], 41)], args: { size: [4, 3], alignCorners: true }, label: "downsample, alignCorners" },
      { inputs: [rand([2, 6, 7, 1], 41)], args: { size: [4, 3], halfPixelCenters: true }, label: "downsample, halfPixelCenters" },
      { inputs: [rand([3, 4, 2], 42)], args: { size: [1, 1], alignCorners: true }, label: "unbatched, to 1x1" },
    ],
    errors: [
      { inputs: [rand([1, 3, 4, 2])], args: { size: [5, 7], alignCorners: true, halfPixelCenters: true }, throws: new RegExp(`^${name}: alignCorners and halfPixelCenters cannot both be true`) },
      { inputs: [rand([1, 3, 4, 2])], args: { size: [5, 0] }, throws: new RegExp(`^${name}: size must be \\[newHeight, newWidth\\] of positive integers, got \\[5,0\\]`) },
      { inputs: [rand([3, 4])], args: { size: [5, 5] }, throws: new RegExp(`^${name}: images must be rank 4`) },
    ],
  };
}

runOpRecords([
  conv2dRecord,
  groupedConvRecord,
  conv1dRecord,
  conv3dRecord,
  conv2dTransposeRecord,
  depthwiseRecord,
  separableRecord,
  poolRecord("maxPool"),
  poolRecord("avgPool"),
  pool1dRecord("maxPool"),
  pool1dRecord("avgPool"),
  pool3dRecord("maxPool"),
  pool3dRecord("avgPool"),
  resizeRecord("resizeBilinear"),
  resizeRecord("resizeNearestNeighbor"),
]);

// ---- behaviour the records do not cover ----

const f64 = (v: Value) => (typeof v === "object" && v !== null && "shape" in v ? tn.tensor(v.values, v.shape, "float64") : tn.tensor(v as tn.NestedValues, undefined, "float64"));

test("maxPool routes a tie's gradient to the first maximum and never to padding", () => {
  const x = tn.tensor([[[[1], [3]], [[3], [2]]]], undefined, "float64");
  const g = tn.grad((t) => tn.sum(tn.maxPool(t, 2, 1, "valid")))(x);
  assert.deepEqual(Array.from(g.dataSync()), [0, 1, 0, 0]);
  // All-negative values with "same" padding: zeros in the padding must not win.
  const neg = tn.tensor([[[[-5], [-4]], [[-3], [-2]]]], undefined, "float64");
  assert.deepEqual(Array.from(tn.maxPool(neg, 3, 1, "same").dataSync()), [-2, -2, -2, -2]);
});

test("avgPool with same padding does not count the padding", () => {
  const x = tn.tensor([[[[1], [2]], [[3], [4]]]]);
  assert.deepEqual(Array.from(tn.avgPool(x, 3, 1, "same").dataSync()), [2.5, 2.5, 2.5, 2.5]);
});

test("conv2d second-order gradients (through convBackpropInput and convBackpropFilter)", () => {
  const c = f64(rand([1, 3, 3, 3], 50));
  const inner = (x: tn.Tensor, w: tn.Tensor) => tn.sum(tn.mul(tn.square(tn.conv2d(x, w, 1, "valid")), c));
  const x = f64(rand([1, 5, 5, 2], 51));
  const w = f64(rand([3, 3, 2, 3], 52));
  checkGradient(([a, b]) => tn.grads(inner)([a, b])[0], [x, w], "d²/dx");
  checkGradient(([a, b]) => tn.grads(inner)([a, b])[1], [x, w], "d²/dw");
  const c2 = f64(rand([1, 3, 3, 3], 53));
  const strided = (a: tn.Tensor, b: tn.Tensor) => tn.sum(tn.mul(tn.square(tn.conv2d(a, b, 2, "same", "NHWC", 1)), c2));
  checkGradient(([a, b]) => tn.grads(strided)([a, b])[1], [x, w], "d²/dw strided");
});

test("pooling and resize second-order gradients", () => {
  const x = f64(rand([1, 5, 5, 2], 60));
  const c = f64(rand([1, 3, 3, 2], 61));
  for (const kind of ["maxPool", "avgPool"] as const) {
    const inner = (t: tn.Tensor) => tn.sum(tn.mul(tn.square(tn[kind](t, 3, 2, "same")), c));
    checkGradient(([t]) => tn.grad(inner)(t), [x], `d² ${kind}`);
  }
  const cr = f64(rand([1, 7, 4, 2], 62));
  for (const name of ["resizeBilinear", "resizeNearestNeighbor"] as const) {
    const inner = (t: tn.Tensor) => tn.sum(tn.mul(tn.square(tn[name](t, [7, 4], false, true)), cr));
    checkGradient(([t]) => tn.grad(inner)(t), [x], `d² ${name}`);
  }
});

test("conv2d works as a Tensor method, with pools chained", () => {
  const x = tn.ones([1, 4, 4, 1]);
  const y = x.conv2d(tn.ones([2, 2, 1, 1]), 1, "valid").maxPool(2, 1, "valid").avgPool(2, 1, "valid");
  assert.deepEqual([...y.shape], [1, 1, 1, 1]);
  assert.equal(y.dataSync()[0], 4);
});

test("conv2d of integer input gives float32; float64 input keeps float64", () => {
  const y = tn.conv2d(tn.tensor([[[[1], [2]], [[3], [4]]]], undefined, "int32"), tn.ones([2, 2, 1, 1]), 1, "valid");
  assert.equal(y.dtype, "float32");
  assert.equal(y.dataSync()[0], 10);
  const z = tn.conv2d(tn.ones([1, 2, 2, 1], "float64"), tn.ones([2, 2, 1, 1], "float64"), 1, "valid");
  assert.equal(z.dtype, "float64");
});

test("maxPool on a larger random input matches TF.js (im2col blocking, many channels)", async () => {
  const { loadTf } = await import("../helpers/opinfo.js");
  const tf = await loadTf();
  const xv = rand([2, 17, 19, 5], 70) as { shape: number[]; values: number[] };
  const wv = rand([3, 3, 5, 7], 71) as { shape: number[]; values: number[] };
  const y = tn.conv2d(tn.tensor(xv.values, xv.shape), tn.tensor(wv.values, wv.shape), [2, 1], "same");
  const ty: TfTensor = tf.conv2d(tf.tensor4d(xv.values, xv.shape as [number, number, number, number]), tf.tensor4d(wv.values, wv.shape as [number, number, number, number]), [2, 1], "same");
  assert.deepEqual([...y.shape], ty.shape);
  const a = y.dataSync();
  const b = ty.dataSync();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]), `element ${i}: ${a[i]} vs ${b[i]}`);
});
