/**
 * Convolution, pooling and resizing, with TF.js's names and argument order. Every op validates its arguments,
 * turns "same"/"valid"/numeric padding into explicit [before, after] pairs (exactly as TF), moves channels-first
 * data to channels-last with transposes, and runs one N-d primitive (conv, maxPool, avgPool, resize*).
 */
import { promoteTypes, type DType } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { formatShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, floatOperand, toTensor, type TensorLike } from "./convert.js";
import { reshape } from "./shape.js";

/** Explicit padding: one [before, after] pair per spatial dimension, or (TF.js style) one per dimension of x. */
export type ExplicitPadding = readonly (readonly [number, number])[];
/** "valid" (none), "same" (output size ceil(in / stride), as TF), a symmetric amount, or explicit pairs. */
export type Padding = "valid" | "same" | number | ExplicitPadding;
export type DimRoundingMode = "floor" | "round" | "ceil";

// ---- argument checks ----

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** A positive integer or an array of `n` of them (strides, dilations, window sizes). */
function intTuple(value: number | readonly number[] | undefined, n: number, op: string, arg: string, fallback?: number): number[] {
  if (value === undefined && fallback !== undefined) return new Array<number>(n).fill(fallback);
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
  if (typeof value === "number" && ok(value)) return new Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every(ok)) return value.slice() as number[];
  throw new ValueError(
    `${op}: ${arg} must be a positive integer or an array of ${n} positive integers, got ${describe(value)}`,
  );
}

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

function promotePair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.dtype === b.dtype) return [a, b];
  const dtype: DType = promoteTypes(a.dtype, b.dtype);
  return [castTo(a, dtype), castTo(b, dtype)];
}

const SPATIAL_NAMES: Record<number, string[]> = { 1: ["width"], 2: ["height", "width"], 3: ["depth", "height", "width"] };

function layoutOf(rank: number, channelsLast: boolean): string {
  const names = SPATIAL_NAMES[rank].join(", ");
  return channelsLast ? `[batch, ${names}, channels]` : `[batch, channels, ${names}]`;
}

/**
 * Resolves padding to explicit pairs for the spatial dims. `inSizes` are the spatial input sizes, `windows` the
 * dilated window extents. `dimsOfX` is the layout of x (for TF.js-style full-rank explicit padding).
 */
function resolvePadding(
  pad: Padding | undefined,
  inSizes: readonly number[],
  windows: readonly number[],
  strides: readonly number[],
  op: string,
  channelsLast: boolean,
  dimRoundingMode?: DimRoundingMode,
): [number, number][] {
  const n = inSizes.length;
  if (pad === "valid") return inSizes.map(() => [0, 0]);
  if (pad === "same") {
    return inSizes.map((size, i) => {
      const total = Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + windows[i] - size, 0);
      const before = Math.floor(total / 2);
      return [before, total - before];
    });
  }
  if (typeof pad === "number") {
    if (!Number.isInteger(pad) || pad < 0) throw new ValueError(`${op}: pad must be a non-negative integer, "same", "valid" or explicit pairs, got ${pad}`);
    if (dimRoundingMode === undefined || dimRoundingMode === "floor") return inSizes.map(() => [pad, pad]);
    if (dimRoundingMode !== "round" && dimRoundingMode !== "ceil") {
      throw new ValueError(`${op}: dimRoundingMode must be "floor", "round" or "ceil", got ${describe(dimRoundingMode)}`);
    }
    const round = dimRoundingMode === "ceil" ? Math.ceil : Math.round;
    // TF.js: out = round((in - window + 2·pad) / stride + 1); any extra rows read padding after the input.
    return inSizes.map((size, i) => {
      const outSize = round((size - windows[i] + 2 * pad) / strides[i] + 1);
      return [pad, Math.max(pad, (outSize - 1) * strides[i] + windows[i] - size - pad)];
    });
  }
  if (Array.isArray(pad)) {
    const pairOk = (p: unknown): p is [number, number] =>
      Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0);
    if (pad.every(pairOk)) {
      if (pad.length === n) return pad.map((p) => [p[0], p[1]]);
      if (pad.length === n + 2) {
        // Full-rank TF.js padding: the batch and channel pairs must be zero.
        const spatial = channelsLast ? pad.slice(1, n + 1) : pad.slice(2);
        const other = channelsLast ? [pad[0], pad[n + 1]] : [pad[0], pad[1]];
        if (other.some((p) => p[0] !== 0 || p[1] !== 0)) {
          throw new ValueError(`${op}: explicit pad must be zero on the batch and channel dimensions, got ${describe(pad)}`);
        }
        return spatial.map((p) => [p[0], p[1]]);
      }
    }
  }
  throw new ValueError(
    `${op}: pad must be "same", "valid", a non-negative integer, or ${n} (or ${n + 2}) [before, after] pairs of non-negative integers, got ${describe(pad)}`,
  );
}

/** Checks that every padded spatial extent holds at least one window; returns the output sizes. */
function outputSizes(
  op: string,
  inSizes: readonly number[],
  windows: readonly number[],
  strides: readonly number[],
  padding: readonly [number, number][],
  rank: number,
  what: string,
): number[] {
  return inSizes.map((size, i) => {
    const padded = size + padding[i][0] + padding[i][1];
    if (padded < windows[i]) {
      throw new ShapeError(
        `${op}: ${what} (extent ${windows[i]} along ${SPATIAL_NAMES[rank][i]}) is larger than the padded input (${size} + padding ${padding[i][0]} + ${padding[i][1]} = ${padded})`,
      );
    }
    return Math.floor((padded - windows[i]) / strides[i]) + 1;
  });
}

function channelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank }, (_, i) => i + 2), 1];
}

function channelsFirstPerm(rank: number): number[] {
  return [0, rank + 1, ...Array.from({ length: rank }, (_, i) => i + 1)];
}

function transposeTo(x: Tensor, perm: number[]): Tensor {
  return runPrimitive("transpose", [x], { perm });
}

/**
 * x as a batched channels-last tensor of spatial rank `rank`, and how to put a channels-last result back.
 */
function toChannelsLast(
  x: Tensor,
  rank: number,
  channelsLast: boolean,
  op: string,
  arg = "x",
): { x: Tensor; restore: (y: Tensor) => Tensor } {
  if (x.rank !== rank + 2 && x.rank !== rank + 1) {
    throw new ShapeError(
      `${op}: ${arg} must be rank ${rank + 2} ${layoutOf(rank, channelsLast)} or rank ${rank + 1} (unbatched), got rank ${x.rank} (shape ${formatShape(x.shape)})`,
    );
  }
  const unbatched = x.rank === rank + 1;
  let t = unbatched ? reshape(x, [1, ...x.shape]) : x;
  if (!channelsLast) t = transposeTo(t, channelsLastPerm(rank));
  return {
    x: t,
    restore: (y) => {
      let r = channelsLast ? y : transposeTo(y, channelsFirstPerm(rank));
      if (unbatched) r = reshape(r, r.shape.slice(1));
      return r;
    },
  };
}

/**
 * Full-rank explicit padding follows x's layout: for channels-first x it is read here (as spatial pairs) so that
 * the channels-last primitive sees it right. `xl` is x already moved to channels-last.
 */
function channelsLastPad(pad: Padding, xl: Tensor, rank: number, channelsLast: boolean, op: string): Padding {
  if (channelsLast || !Array.isArray(pad) || pad.length !== rank + 2) return pad;
  return resolvePadding(pad, xl.shape.slice(1, rank + 1), [], [], op, false);
}

function checkDataFormat<F extends string>(value: F | undefined, allowed: readonly F[], op: string): boolean {
  const format = value ?? allowed[0];
  if (!allowed.includes(format)) {
    throw new ValueError(`${op}: dataFormat must be ${allowed.map((f) => JSON.stringify(f)).join(" or ")}, got ${describe(value)}`);
  }
  return format === allowed[0];
}

// ---- convolution ----

interface ConvSpec {
  op: string;
  rank: number;
  strides: number | readonly number[] | undefined;
  pad: Padding;
  channelsLast: boolean;
  dilations: number | readonly number[] | undefined;
  dimRoundingMode?: DimRoundingMode;
}

/**
 * The shared convolution: x batched channels-last, filter [...k, inC / groups, outC] with groups inferred from
 * the channel counts (as TF: x's channels must be a multiple of the filter's input depth).
 */
function convChannelsLast(x: Tensor, filter: Tensor, spec: ConvSpec, filterArg = "filter"): Tensor {
  const { op, rank } = spec;
  const strides = intTuple(spec.strides, rank, op, "strides");
  const dilations = intTuple(spec.dilations, rank, op, "dilations", 1);
  const C = x.shape[rank + 1];
  const inDepth = filter.shape[rank];
  const outC = filter.shape[rank + 1];
  if (inDepth === 0 || C % inDepth !== 0) {
    throw new ShapeError(
      `${op}: x has ${C} input channels but ${filterArg} expects ${inDepth} (${filterArg}[${rank}] of shape ${formatShape(filter.shape)}); x's channels must equal ${filterArg}[${rank}] (or be a multiple of it for a grouped convolution)`,
    );
  }
  const groups = C / inDepth;
  if (outC % groups !== 0) {
    throw new ShapeError(
      `${op}: grouped convolution with ${groups} groups (x has ${C} channels, ${filterArg}[${rank}] is ${inDepth}) needs output channels (${filterArg}[${rank + 1}] = ${outC}) divisible by ${groups}`,
    );
  }
  const kernel = filter.shape.slice(0, rank);
  const windows = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  const inSizes = x.shape.slice(1, rank + 1);
  const padding = resolvePadding(spec.pad, inSizes, windows, strides, op, true, spec.dimRoundingMode);
  outputSizes(op, inSizes, windows, strides, padding, rank, `${filterArg} (dilated)`);
  const [a, b] = promotePair(x, filter);
  return runPrimitive("conv", [a, b], { strides, padding, dilations, groups });
}

function convOp(xIn: TensorLike, filterIn: TensorLike, spec: ConvSpec): Tensor {
  const { op, rank } = spec;
  const x = floatInput(xIn, op, "x");
  const filter = floatInput(filterIn, op, "filter");
  if (filter.rank !== rank + 2) {
    throw new ShapeError(
      `${op}: filter must be rank ${rank + 2} [${SPATIAL_NAMES[rank].map((n) => `filter${n[0].toUpperCase()}${n.slice(1)}`).join(", ")}, inChannels, outChannels], got rank ${filter.rank} (shape ${formatShape(filter.shape)})`,
    );
  }
  const { x: xl, restore } = toChannelsLast(x, rank, spec.channelsLast, op);
  return restore(convChannelsLast(xl, filter, { ...spec, pad: channelsLastPad(spec.pad, xl, rank, spec.channelsLast, op) }));
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
