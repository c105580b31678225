/**
 * Fused ops, as TF.js's `tf.fused`: a convolution or matrix product with its bias and activation applied while the
 * output is still in cache (one primitive, `fusedConv` / `fusedMatMul`, instead of three passes over memory). The
 * results and gradients are those of the composition `activation(op(x, w) + bias)`.
 *
 * The activations fused into the kernel: linear, relu, relu6, elu, sigmoid, tanh, leakyrelu (`leakyreluAlpha`,
 * default 0.2). "prelu" (with `preluActivationWeights`), a leakyrelu with a negative slope, and a bias that is not
 * one value per output channel are accepted too, and run as the composition.
 */
import { promoteTypes } from "../core/dtype.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { broadcastShapes, formatShape, shapesEqual } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { FusedActivation } from "../backend/primitives.js";
import type { Tensor } from "../tensor/tensor.js";
import { elu, leakyRelu, prelu, relu, relu6, sigmoid } from "./activations.js";
import { assertFiniteNumber, assertOptionsObject, castTo, describeValue, floatInput, type TensorLike } from "./convert.js";
import { prepareConv } from "./conv-args.js";
import { add, tanh } from "./elementwise.js";
import { checkMatMulOperands } from "./matmul-args.js";
import type { DimRoundingMode, Padding } from "./nn.js";
import { broadcastTo, reshape } from "./shape.js";

/** The activations of the fused ops (TF.js's names, plus "tanh"). */
export type FusedActivationName = FusedActivation | "prelu";

const ACTIVATIONS: readonly FusedActivationName[] = ["linear", "relu", "relu6", "elu", "sigmoid", "tanh", "leakyrelu", "prelu"];

/** What the fused ops add to their op: bias, activation and the activation's parameters (TF.js's names). */
export interface FusedEpilogueArgs {
  /** Added to the result: one value per output channel (the fast path), or any tensor that broadcasts to it. */
  bias?: TensorLike;
  /** Default "linear". */
  activation?: FusedActivationName;
  /** The slopes of "prelu" (broadcast to the result); required by it, refused by the others. */
  preluActivationWeights?: TensorLike;
  /** The negative slope of "leakyrelu" (default 0.2). */
  leakyreluAlpha?: number;
}

interface ConvCommonArgs extends FusedEpilogueArgs {
  x: TensorLike;
  filter: TensorLike;
  pad: Padding;
  dimRoundingMode?: DimRoundingMode;
}

/** Arguments of `fused.conv2d` (TF.js's, NHWC only). */
export interface FusedConv2DArgs extends ConvCommonArgs {
  strides: number | readonly [number, number];
  dataFormat?: "NHWC";
  dilations?: number | readonly [number, number];
}

/** Arguments of `fused.conv1d` (x [batch, width, channels]). */
export interface FusedConv1DArgs extends ConvCommonArgs {
  stride: number;
  dataFormat?: "NWC";
  dilation?: number;
}

/** Arguments of `fused.conv3d` (x [batch, depth, height, width, channels]). */
export interface FusedConv3DArgs extends ConvCommonArgs {
  strides: number | readonly [number, number, number];
  dataFormat?: "NDHWC";
  dilations?: number | readonly [number, number, number];
}

/** Arguments of `fused.matMul` (TF.js's). */
export interface FusedMatMulArgs extends FusedEpilogueArgs {
  a: TensorLike;
  b: TensorLike;
  transposeA?: boolean;
  transposeB?: boolean;
}

const EPILOGUE_KEYS = ["bias", "activation", "preluActivationWeights", "leakyreluAlpha"];

function checkKeys(args: object, allowed: readonly string[], op: string): void {
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) {
      throw new ValueError(`${op}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
    }
  }
}

// ---- the epilogue ----

interface Epilogue {
  activation: FusedActivationName;
  alpha: number;
  prelu: Tensor | null;
}

function readEpilogue(args: FusedEpilogueArgs, op: string): Epilogue {
  const activation = args.activation ?? "linear";
  if (!ACTIVATIONS.includes(activation)) {
    throw new ValueError(`${op}: activation must be one of ${ACTIVATIONS.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(activation)}`);
  }
  let alpha = 0.2;
  if (args.leakyreluAlpha !== undefined) {
    assertFiniteNumber(args.leakyreluAlpha, op, "leakyreluAlpha");
    alpha = args.leakyreluAlpha;
  }
  let preluWeights: Tensor | null = null;
  if (activation === "prelu") {
    if (args.preluActivationWeights === undefined) throw new ValueError(`${op}: activation "prelu" needs preluActivationWeights`);
    preluWeights = floatInput(args.preluActivationWeights, op, "preluActivationWeights");
  } else if (args.preluActivationWeights !== undefined) {
    throw new ValueError(`${op}: preluActivationWeights is only used with activation "prelu", got activation ${JSON.stringify(activation)}`);
  }
  return { activation, alpha, prelu: preluWeights };
}

/** The bias as a float tensor of `dtype`, checked to broadcast to `outShape`; null when absent. */
function readBias(value: TensorLike | undefined, dtype: Tensor["dtype"], outShape: readonly number[], op: string): Tensor | null {
  if (value === undefined) return null;
  const bias = castTo(floatInput(value, op, "bias"), dtype);
  let shape: number[];
  try {
    shape = broadcastShapes(bias.shape, outShape, op);
  } catch {
    shape = [];
  }
  if (!shapesEqual(shape, outShape)) {
    throw new ShapeError(`${op}: bias of shape ${formatShape(bias.shape)} must broadcast to the result's shape ${formatShape(outShape)}`);
  }
  return bias;
}

/** The bias as the fused kernels take it ([channels]), or null when it must be added as a broadcast instead. */
function channelBias(bias: Tensor, channels: number): Tensor | null {
  if (bias.rank > 1 && bias.shape.slice(0, -1).some((d) => d !== 1)) return null;
  const flat = bias.rank === 1 ? bias : reshape(bias, [bias.size]);
  if (flat.size === channels) return flat;
  return flat.size === 1 ? broadcastTo(flat, [channels]) : null;
}

/** Whether the primitive can apply this activation itself (leakyrelu's gradient needs alpha >= 0). */
function kernelActivation(e: Epilogue): FusedActivation | null {
  if (e.activation === "prelu") return null;
  if (e.activation === "leakyrelu" && !(e.alpha >= 0)) return null;
  return e.activation;
}

/** The unfused epilogue: activation(y + bias). */
function composed(y: Tensor, bias: Tensor | null, e: Epilogue): Tensor {
  const z = bias === null ? y : add(y, bias);
  switch (e.activation) {
    case "linear":
      return z;
    case "relu":
      return relu(z);
    case "relu6":
      return relu6(z);
    case "elu":
      return elu(z);
    case "sigmoid":
      return sigmoid(z);
    case "tanh":
      return tanh(z);
    case "leakyrelu":
      return leakyRelu(z, e.alpha);
    case "prelu":
      return prelu(z, e.prelu as Tensor);
  }
}

// ---- convolution ----

/** What sets conv1d, conv2d and conv3d apart: the op, its spatial rank and layout, and TF.js's option names. */
interface FusedConvKind {
  op: string;
  rank: number;
  dataFormat: string;
  strides: "strides" | "stride";
  dilations: "dilations" | "dilation";
}

function fusedConvOp(args: FusedConv1DArgs | FusedConv2DArgs | FusedConv3DArgs, kind: FusedConvKind): Tensor {
  const { op, rank } = kind;
  assertOptionsObject(args, op);
  checkKeys(args, ["x", "filter", kind.strides, "pad", "dataFormat", kind.dilations, "dimRoundingMode", ...EPILOGUE_KEYS], op);
  if (args.dataFormat !== undefined && args.dataFormat !== kind.dataFormat) {
    throw new ValueError(`${op}: dataFormat must be ${JSON.stringify(kind.dataFormat)} (the fused ops are channels-last only), got ${describeValue(args.dataFormat)}`);
  }
  const options = args as unknown as Record<string, unknown>;
  const x0 = floatInput(args.x, op, "x");
  const conv = prepareConv(x0, floatInput(args.filter, op, "filter"), {
    op,
    rank,
    strides: options[kind.strides],
    pad: args.pad,
    channelsLast: true,
    dilations: options[kind.dilations],
    dimRoundingMode: args.dimRoundingMode,
  });
  const epilogue = readEpilogue(args, op);
  const outC = conv.outShape[rank + 1];
  const bias = readBias(args.bias, conv.inputs[0].dtype, x0.rank === rank + 1 ? conv.outShape.slice(1) : conv.outShape, op);
  const act = kernelActivation(epilogue);
  const perChannel = bias === null ? null : channelBias(bias, outC);
  if (act !== null && (bias === null || perChannel !== null)) {
    const inputs = perChannel === null ? conv.inputs : [...conv.inputs, perChannel];
    return conv.restore(runPrimitive("fusedConv", inputs, { ...conv.attrs, activation: act, alpha: epilogue.alpha }));
  }
  return composed(conv.restore(runPrimitive("conv", conv.inputs, conv.attrs)), bias, epilogue);
}

/**
 * `activation(conv2d(x, filter) + bias)` in one pass over the output (TF.js's `tf.fused.conv2d`; NHWC).
 * `tn.fused.conv2d({x: tn.ones([1, 3, 3, 1]), filter: tn.ones([2, 2, 1, 1]), strides: 1, pad: "valid", bias: [-5], activation: "relu"})` → all 0
 */
export function conv2d(args: FusedConv2DArgs): Tensor {
  return fusedConvOp(args, { op: "fused.conv2d", rank: 2, dataFormat: "NHWC", strides: "strides", dilations: "dilations" });
}

/**
 * `activation(conv1d(x, filter) + bias)` in one pass over the output (NWC).
 * `tn.fused.conv1d({x: tn.ones([1, 3, 1]), filter: tn.ones([2, 1, 1]), stride: 1, pad: "valid", bias: [1]})` → [[[3], [3]]]
 */
export function conv1d(args: FusedConv1DArgs): Tensor {
  return fusedConvOp(args, { op: "fused.conv1d", rank: 1, dataFormat: "NWC", strides: "stride", dilations: "dilation" });
}

/**
 * `activation(conv3d(x, filter) + bias)` in one pass over the output (NDHWC).
 * `tn.fused.conv3d({x: tn.ones([1, 2, 2, 2, 1]), filter: tn.ones([2, 2, 2, 1, 1]), strides: 1, pad: "valid", activation: "tanh"})` → [[[[[tanh(8)]]]]]
 */
export function conv3d(args: FusedConv3DArgs): Tensor {
  return fusedConvOp(args, { op: "fused.conv3d", rank: 3, dataFormat: "NDHWC", strides: "strides", dilations: "dilations" });
}

// ---- matMul ----

/**
 * `activation(matMul(a, b) + bias)` in one pass over the product (TF.js's `tf.fused.matMul`); batch dims broadcast,
 * transposes are free. `tn.fused.matMul({a: [[1, 2]], b: [[3], [4]], bias: [1], activation: "relu"})` → [[12]]
 */
export function matMul(args: FusedMatMulArgs): Tensor {
  const op = "fused.matMul";
  assertOptionsObject(args, op);
  checkKeys(args, ["a", "b", "transposeA", "transposeB", ...EPILOGUE_KEYS], op);
  const a0 = floatInput(args.a, op, "a");
  const b0 = floatInput(args.b, op, "b");
  const transposeA = args.transposeA ?? false;
  const transposeB = args.transposeB ?? false;
  const batch = checkMatMulOperands(op, a0, b0, transposeA, transposeB);
  const epilogue = readEpilogue(args, op);
  const dtype = promoteTypes(a0.dtype, b0.dtype);
  const a = castTo(a0, dtype);
  const b = castTo(b0, dtype);
  const m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  const outShape = [...batch, m, n];
  const bias = readBias(args.bias, dtype, outShape, op);
  const act = kernelActivation(epilogue);
  const perColumn = bias === null ? null : channelBias(bias, n);
  if (act !== null && (bias === null || perColumn !== null)) {
    const inputs = perColumn === null ? [a, b] : [a, b, perColumn];
    return runPrimitive("fusedMatMul", inputs, { transposeA, transposeB, activation: act, alpha: epilogue.alpha });
  }
  return composed(runPrimitive("matMul", [a, b], { transposeA, transposeB }), bias, epilogue);
}

/** The fused ops as one namespace (`tn.fused.conv2d`, `tn.fused.matMul`), as TF.js's `tf.fused`. */
export const fused = { conv1d, conv2d, conv3d, matMul };
