/**
 * Convolution, pooling and resizing, with TF.js's names and argument order. Every op validates its arguments,
 * turns "same"/"valid"/numeric padding into explicit [before, after] pairs (exactly as TF), moves channels-first
 * data to channels-last with transposes, and runs one N-d primitive (conv, maxPool, avgPool, resize*).
 */
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { formatShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  channelsLastPad,
  describe,
  intTuple,
  outputSizes,
  prepareConv,
  promotePair,
  resolveConv,
  resolvePadding,
  SPATIAL_NAMES,
  toChannelsLast,
  type ConvSpec,
} from "./conv-args.js";
import { floatOperand, toTensor, type TensorLike } from "./convert.js";
import { reshape } from "./shape.js";

/** Explicit padding: one [before, after] pair per spatial dimension, or (TF.js style) one per dimension of x. */
export type ExplicitPadding = readonly (readonly [number, number])[];
/** "valid" (none), "same" (output size ceil(in / stride), as TF), a symmetric amount, or explicit pairs. */
export type Padding = "valid" | "same" | number | ExplicitPadding;
export type DimRoundingMode = "floor" | "round" | "ceil";

// ---- argument checks ----

/** x as a float tensor (integers cast to float32; bool refused). */
function floatInput(value: TensorLike, op: string, arg: string): Tensor {
  return floatOperand(numericInput(value, op, arg), op, arg);
}

/** x as a numeric tensor (bool refused). */
function numericInput(value: TensorLike, op: string, arg: string): Tensor {
  const t = toTensor(value, op, arg);
  if (t.dtype === "bool") throw new DTypeError(`${op}: ${arg} must be a numeric tensor, got dtype bool`);
  return t;
}

function checkDataFormat<F extends string>(value: F | undefined, allowed: readonly F[], op: string): boolean {
  const format = value ?? allowed[0];
  if (!allowed.includes(format)) {
    throw new ValueError(`${op}: dataFormat must be ${allowed.map((f) => JSON.stringify(f)).join(" or ")}, got ${describe(value)}`);
  }
  return format === allowed[0];
}

// ---- convolution ----

function convChannelsLast(x: Tensor, filter: Tensor, spec: ConvSpec, filterArg = "filter"): Tensor {
  const { inputs, attrs } = resolveConv(x, filter, spec, filterArg);
  return runPrimitive("conv", inputs, attrs);
}

function convOp(xIn: TensorLike, filterIn: TensorLike, spec: ConvSpec): Tensor {
  const conv = prepareConv(floatInput(xIn, spec.op, "x"), floatInput(filterIn, spec.op, "filter"), spec);
  return conv.restore(runPrimitive("conv", conv.inputs, conv.attrs));
}

/**
 * 1-d convolution of x [batch, width, inChannels] (or unbatched) with filter [width, inChannels, outChannels].
 * `tn.conv1d(tn.ones([1, 5, 1]), tn.ones([3, 1, 1]), 1, "valid")` → shape [1, 3, 1], all 3
 */
export function conv1d(
  x: TensorLike,
  filter: TensorLike,
  stride: number,
  pad: Padding,
  dataFormat: "NWC" | "NCW" = "NWC",
  dilation = 1,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const channelsLast = checkDataFormat(dataFormat, ["NWC", "NCW"], "conv1d");
  return convOp(x, filter, { op: "conv1d", rank: 1, strides: stride, pad, channelsLast, dilations: dilation, dimRoundingMode });
}

/**
 * 2-d convolution of x [batch, height, width, inChannels] (or unbatched; "NCHW" for channels-first) with filter
 * [filterHeight, filterWidth, inChannels, outChannels]. When x's channels are a multiple g of the filter's
 * inChannels it is a grouped convolution with g groups (as TF).
 * `tn.conv2d(tn.ones([1, 4, 4, 1]), tn.ones([2, 2, 1, 1]), 1, "valid")` → shape [1, 3, 3, 1], all 4
 */
export function conv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: number | readonly [number, number],
  pad: Padding,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: number | readonly [number, number] = 1,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const channelsLast = checkDataFormat(dataFormat, ["NHWC", "NCHW"], "conv2d");
  return convOp(x, filter, { op: "conv2d", rank: 2, strides, pad, channelsLast, dilations, dimRoundingMode });
}

/**
 * 3-d convolution of x [batch, depth, height, width, inChannels] (or unbatched) with filter
 * [filterDepth, filterHeight, filterWidth, inChannels, outChannels].
 * `tn.conv3d(tn.ones([1, 3, 3, 3, 1]), tn.ones([2, 2, 2, 1, 1]), 1, "valid")` → shape [1, 2, 2, 2, 1], all 8
 */
export function conv3d(
  x: TensorLike,
  filter: TensorLike,
  strides: number | readonly [number, number, number],
  pad: Padding,
  dataFormat: "NDHWC" | "NCDHW" = "NDHWC",
  dilations: number | readonly [number, number, number] = 1,
): Tensor {
  const channelsLast = checkDataFormat(dataFormat, ["NDHWC", "NCDHW"], "conv3d");
  return convOp(x, filter, { op: "conv3d", rank: 3, strides, pad, channelsLast, dilations });
}

/**
 * The transpose of conv2d (its gradient with respect to x): x [batch, height, width, inDepth] (or unbatched),
 * filter [filterHeight, filterWidth, outDepth, inDepth], `outputShape` the shape of the result.
 * `tn.conv2dTranspose(tn.ones([1, 2, 2, 1]), tn.ones([2, 2, 1, 1]), [1, 4, 4, 1], 2, "valid")` → all ones
 */
export function conv2dTranspose(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: number | readonly [number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const op = "conv2dTranspose";
  const xt = floatInput(x, op, "x");
  const ft = floatInput(filter, op, "filter");
  if (xt.rank !== 4 && xt.rank !== 3) {
    throw new ShapeError(`${op}: x must be rank 4 [batch, height, width, inDepth] or rank 3 (unbatched), got rank ${xt.rank} (shape ${formatShape(xt.shape)})`);
  }
  if (ft.rank !== 4) {
    throw new ShapeError(`${op}: filter must be rank 4 [filterHeight, filterWidth, outDepth, inDepth], got rank ${ft.rank} (shape ${formatShape(ft.shape)})`);
  }
  const unbatched = xt.rank === 3;
  const x4 = unbatched ? reshape(xt, [1, ...xt.shape]) : xt;
  const validShape =
    Array.isArray(outputShape) &&
    outputShape.length === xt.rank &&
    outputShape.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0);
  if (!validShape) {
    throw new ValueError(`${op}: outputShape must be ${xt.rank} positive integers (the shape of the result, same rank as x), got ${describe(outputShape)}`);
  }
  const out4 = unbatched ? [1, ...outputShape] : outputShape.slice();
  const [batch, , , inDepth] = x4.shape;
  if (out4[0] !== batch) {
    throw new ShapeError(`${op}: outputShape's batch (${out4[0]}) must equal x's batch (${batch})`);
  }
  if (ft.shape[3] !== inDepth) {
    throw new ShapeError(`${op}: x has ${inDepth} channels but filter expects ${ft.shape[3]} (filter[3] of shape ${formatShape(ft.shape)})`);
  }
  if (ft.shape[2] !== out4[3]) {
    throw new ShapeError(`${op}: outputShape has ${out4[3]} channels but filter produces ${ft.shape[2]} (filter[2] of shape ${formatShape(ft.shape)})`);
  }
  const s = intTuple(strides, 2, op, "strides");
  const k = ft.shape.slice(0, 2);
  const padding = resolvePadding(pad, out4.slice(1, 3), k, s, op, true, dimRoundingMode);
  const expected = outputSizes(op, out4.slice(1, 3), k, s, padding, 2, "filter");
  if (expected[0] !== x4.shape[1] || expected[1] !== x4.shape[2]) {
    throw new ShapeError(
      `${op}: outputShape ${formatShape(outputShape)} does not match x ${formatShape(xt.shape)}: a conv2d of that output with this filter, strides and pad gives spatial size [${expected.join(",")}], x has [${x4.shape[1]},${x4.shape[2]}]`,
    );
  }
  const [a, b] = promotePair(x4, ft);
  const y = runPrimitive("convBackpropInput", [a, b], { strides: s, padding, dilations: [1, 1], groups: 1, inputShape: out4 });
  return unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * Depthwise 2-d convolution: each input channel c convolved with its own `M` filters filter[:, :, c, :], giving
 * C·M channels (channel c·M + m). x [batch, height, width, C] (or unbatched), filter [filterHeight, filterWidth, C, M].
 * `tn.depthwiseConv2d(tn.ones([1, 3, 3, 2]), tn.ones([2, 2, 2, 1]), 1, "valid")` → shape [1, 2, 2, 2], all 4
 */
export function depthwiseConv2d(
  x: TensorLike,
  filter: TensorLike,
  strides: number | readonly [number, number],
  pad: Padding,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dilations: number | readonly [number, number] = 1,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const op = "depthwiseConv2d";
  const channelsLast = checkDataFormat(dataFormat, ["NHWC", "NCHW"], op);
  const xt = floatInput(x, op, "x");
  const ft = floatInput(filter, op, "filter");
  if (ft.rank !== 4) {
    throw new ShapeError(`${op}: filter must be rank 4 [filterHeight, filterWidth, inChannels, channelMultiplier], got rank ${ft.rank} (shape ${formatShape(ft.shape)})`);
  }
  const { x: xl, restore } = toChannelsLast(xt, 2, channelsLast, op);
  const C = xl.shape[3];
  if (ft.shape[2] !== C) {
    throw new ShapeError(`${op}: x has ${C} channels but filter expects ${ft.shape[2]} (filter[2] of shape ${formatShape(ft.shape)})`);
  }
  const [kh, kw, , M] = ft.shape;
  const grouped = reshape(ft, [kh, kw, 1, C * M]);
  const padFix = channelsLastPad(pad, xl, 2, channelsLast, op);
  return restore(convChannelsLast(xl, grouped, { op, rank: 2, strides, pad: padFix, channelsLast: true, dilations, dimRoundingMode }));
}

/**
 * A depthwise convolution followed by a 1×1 pointwise convolution. depthwiseFilter [fh, fw, C, M],
 * pointwiseFilter [1, 1, C·M, outChannels].
 * `tn.separableConv2d(x, tn.ones([2, 2, 2, 1]), tn.ones([1, 1, 2, 3]), 1, "valid")`
 */
export function separableConv2d(
  x: TensorLike,
  depthwiseFilter: TensorLike,
  pointwiseFilter: TensorLike,
  strides: number | readonly [number, number],
  pad: "valid" | "same" | number,
  dilation: number | readonly [number, number] = 1,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
): Tensor {
  const op = "separableConv2d";
  const channelsLast = checkDataFormat(dataFormat, ["NHWC", "NCHW"], op);
  const xt = floatInput(x, op, "x");
  const dw = floatInput(depthwiseFilter, op, "depthwiseFilter");
  const pw = floatInput(pointwiseFilter, op, "pointwiseFilter");
  if (dw.rank !== 4) {
    throw new ShapeError(`${op}: depthwiseFilter must be rank 4 [filterHeight, filterWidth, inChannels, channelMultiplier], got rank ${dw.rank} (shape ${formatShape(dw.shape)})`);
  }
  if (pw.rank !== 4 || pw.shape[0] !== 1 || pw.shape[1] !== 1) {
    throw new ShapeError(`${op}: pointwiseFilter must have shape [1, 1, inChannels·channelMultiplier, outChannels], got ${formatShape(pw.shape)}`);
  }
  const { x: xl, restore } = toChannelsLast(xt, 2, channelsLast, op);
  const C = xl.shape[3];
  if (dw.shape[2] !== C) {
    throw new ShapeError(`${op}: x has ${C} channels but depthwiseFilter expects ${dw.shape[2]} (depthwiseFilter[2] of shape ${formatShape(dw.shape)})`);
  }
  const [kh, kw, , M] = dw.shape;
  if (pw.shape[2] !== C * M) {
    throw new ShapeError(
      `${op}: pointwiseFilter[2] must be inChannels·channelMultiplier = ${C}·${M} = ${C * M}, got ${pw.shape[2]} (shape ${formatShape(pw.shape)})`,
    );
  }
  const depthwise = convChannelsLast(xl, reshape(dw, [kh, kw, 1, C * M]), { op, rank: 2, strides, pad, channelsLast: true, dilations: dilation }, "depthwiseFilter");
  const pointwise = convChannelsLast(depthwise, pw, { op, rank: 2, strides: 1, pad: "valid", channelsLast: true, dilations: 1 }, "pointwiseFilter");
  return restore(pointwise);
}

// ---- pooling ----

interface PoolSpec {
  op: string;
  rank: number;
  filterSize: number | readonly number[];
  strides: number | readonly number[] | undefined;
  pad: Padding;
  channelsLast: boolean;
  dimRoundingMode?: DimRoundingMode;
}

function poolOp(kind: "maxPool" | "avgPool", xIn: TensorLike, spec: PoolSpec): Tensor {
  const { op, rank } = spec;
  const x0 = kind === "avgPool" ? floatInput(xIn, op, "x") : numericInput(xIn, op, "x");
  const windowShape = intTuple(spec.filterSize, rank, op, "filterSize");
  const strides = intTuple(spec.strides, rank, op, "strides");
  const { x, restore } = toChannelsLast(x0, rank, spec.channelsLast, op);
  const inSizes = x.shape.slice(1, rank + 1);
  const pad = channelsLastPad(spec.pad, x, rank, spec.channelsLast, op);
  const padding = resolvePadding(pad, inSizes, windowShape, strides, op, true, spec.dimRoundingMode);
  padding.forEach(([before, after], i) => {
    if (before >= windowShape[i] || after >= windowShape[i]) {
      throw new ValueError(
        `${op}: padding [${before}, ${after}] along ${SPATIAL_NAMES[rank][i]} must be smaller than the window (${windowShape[i]}), so no window lies wholly in padding`,
      );
    }
  });
  outputSizes(op, inSizes, windowShape, strides, padding, rank, "filterSize");
  return restore(runPrimitive(kind, [x], { windowShape, strides, padding }));
}

/**
 * 2-d max pooling of x [batch, height, width, channels] (or unbatched); padding never wins.
 * `tn.maxPool([[[[1], [2]], [[3], [4]]]], 2, 1, "valid")` → [[[[4]]]]
 */
export function maxPool(
  x: TensorLike,
  filterSize: number | readonly [number, number],
  strides: number | readonly [number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  return poolOp("maxPool", x, { op: "maxPool", rank: 2, filterSize, strides, pad, channelsLast: true, dimRoundingMode });
}

/**
 * 2-d average pooling of x [batch, height, width, channels] (or unbatched); padding is not counted (as TF).
 * `tn.avgPool([[[[1], [2]], [[3], [4]]]], 2, 1, "valid")` → [[[[2.5]]]]
 */
export function avgPool(
  x: TensorLike,
  filterSize: number | readonly [number, number],
  strides: number | readonly [number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  return poolOp("avgPool", x, { op: "avgPool", rank: 2, filterSize, strides, pad, channelsLast: true, dimRoundingMode });
}

/** 1-d max pooling of x [batch, width, channels] (or unbatched). `tn.maxPool1d([[[1], [3], [2]]], 2, 1)` → [[[3], [3]]] */
export function maxPool1d(x: TensorLike, filterSize: number, strides: number = filterSize, pad: Padding = "valid"): Tensor {
  return poolOp("maxPool", x, { op: "maxPool1d", rank: 1, filterSize, strides, pad, channelsLast: true });
}

/** 1-d average pooling of x [batch, width, channels] (or unbatched). `tn.avgPool1d([[[1], [3]]], 2)` → [[[2]]] */
export function avgPool1d(x: TensorLike, filterSize: number, strides: number = filterSize, pad: Padding = "valid"): Tensor {
  return poolOp("avgPool", x, { op: "avgPool1d", rank: 1, filterSize, strides, pad, channelsLast: true });
}

/** 3-d max pooling of x [batch, depth, height, width, channels] (or unbatched). `tn.maxPool3d(x, 2, 2, "valid")` */
export function maxPool3d(
  x: TensorLike,
  filterSize: number | readonly [number, number, number],
  strides: number | readonly [number, number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: "NDHWC" | "NCDHW" = "NDHWC",
): Tensor {
  const channelsLast = checkDataFormat(dataFormat, ["NDHWC", "NCDHW"], "maxPool3d");
  return poolOp("maxPool", x, { op: "maxPool3d", rank: 3, filterSize, strides, pad, channelsLast, dimRoundingMode });
}

/** 3-d average pooling of x [batch, depth, height, width, channels] (or unbatched). `tn.avgPool3d(x, 2, 2, "valid")` */
export function avgPool3d(
  x: TensorLike,
  filterSize: number | readonly [number, number, number],
  strides: number | readonly [number, number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: "NDHWC" | "NCDHW" = "NDHWC",
): Tensor {
  const channelsLast = checkDataFormat(dataFormat, ["NDHWC", "NCDHW"], "avgPool3d");
  return poolOp("avgPool", x, { op: "avgPool3d", rank: 3, filterSize, strides, pad, channelsLast, dimRoundingMode });
}

// ---- resizing ----

function resizeOp(
  prim: "resizeBilinear" | "resizeNearest",
  op: string,
  images: TensorLike,
  size: readonly [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Tensor {
  const t = prim === "resizeBilinear" ? floatInput(images, op, "images") : toTensor(images, op, "images");
  if (t.rank !== 4 && t.rank !== 3) {
    throw new ShapeError(`${op}: images must be rank 4 [batch, height, width, channels] or rank 3 (unbatched), got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  }
  const ok = Array.isArray(size) && size.length === 2 && size.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0);
  if (!ok) throw new ValueError(`${op}: size must be [newHeight, newWidth] of positive integers, got ${describe(size)}`);
  if (typeof alignCorners !== "boolean" || typeof halfPixelCenters !== "boolean") {
    throw new ValueError(`${op}: alignCorners and halfPixelCenters must be booleans, got ${describe(alignCorners)} and ${describe(halfPixelCenters)}`);
  }
  if (alignCorners && halfPixelCenters) {
    throw new ValueError(`${op}: alignCorners and halfPixelCenters cannot both be true`);
  }
  const unbatched = t.rank === 3;
  const x = unbatched ? reshape(t, [1, ...t.shape]) : t;
  if (x.shape[1] === 0 || x.shape[2] === 0) {
    throw new ShapeError(`${op}: images must have non-zero height and width, got shape ${formatShape(t.shape)}`);
  }
  const y = runPrimitive(prim, [x], { size: [size[0], size[1]], alignCorners, halfPixelCenters });
  return unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * Bilinear resize of images [batch, height, width, channels] (or unbatched) to `size` = [newHeight, newWidth],
 * with TF's alignCorners / halfPixelCenters coordinate conventions.
 * `tn.resizeBilinear([[[1], [3]]], [1, 4])` → [[[1], [2], [3], [3]]]
 */
export function resizeBilinear(
  images: TensorLike,
  size: readonly [number, number],
  alignCorners = false,
  halfPixelCenters = false,
): Tensor {
  return resizeOp("resizeBilinear", "resizeBilinear", images, size, alignCorners, halfPixelCenters);
}

/**
 * Nearest-neighbour resize of images [batch, height, width, channels] (or unbatched) to `size`; keeps the dtype.
 * `tn.resizeNearestNeighbor([[[1], [3]]], [1, 4])` → [[[1], [1], [3], [3]]]
 */
export function resizeNearestNeighbor(
  images: TensorLike,
  size: readonly [number, number],
  alignCorners = false,
  halfPixelCenters = false,
): Tensor {
  return resizeOp("resizeNearest", "resizeNearestNeighbor", images, size, alignCorners, halfPixelCenters);
}
