/**
 * The argument checks shared by the convolution and pooling ops (nn.ts) and the fused convolutions (fused.ts):
 * strides and dilations, padding resolved to explicit [before, after] pairs (exactly as TF), output sizes, the
 * channels-last layout the primitives take, and a convolution's attributes. Internal: src/index.ts re-exports nn.ts
 * whole, so these live here rather than there.
 */
import { promoteTypes, type DType } from "../core/dtype.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { formatShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { ConvAttrs } from "../backend/primitives.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo } from "./convert.js";
import type { DimRoundingMode, Padding } from "./nn.js";
import { reshape } from "./shape.js";

/** An argument as error messages show it: strings and arrays as JSON, the rest as String(). */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** A positive integer or an array of `n` of them (strides, dilations, window sizes). */
export function intTuple(value: unknown, n: number, op: string, arg: string, fallback?: number): number[] {
  if (value === undefined && fallback !== undefined) return new Array<number>(n).fill(fallback);
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
  if (typeof value === "number" && ok(value)) return new Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every(ok)) return value.slice() as number[];
  throw new ValueError(
    `${op}: ${arg} must be a positive integer or an array of ${n} positive integers, got ${describe(value)}`,
  );
}

/** Both tensors in their promoted dtype. */
export function promotePair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.dtype === b.dtype) return [a, b];
  const dtype: DType = promoteTypes(a.dtype, b.dtype);
  return [castTo(a, dtype), castTo(b, dtype)];
}

export const SPATIAL_NAMES: Record<number, string[]> = { 1: ["width"], 2: ["height", "width"], 3: ["depth", "height", "width"] };

function layoutOf(rank: number, channelsLast: boolean): string {
  const names = SPATIAL_NAMES[rank].join(", ");
  return channelsLast ? `[batch, ${names}, channels]` : `[batch, channels, ${names}]`;
}

/**
 * Resolves padding to explicit pairs for the spatial dims. `inSizes` are the spatial input sizes, `windows` the
 * dilated window extents. `channelsLast` is the layout of x (for TF.js-style full-rank explicit padding).
 */
export function resolvePadding(
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
export function outputSizes(
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
export function toChannelsLast(
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
export function channelsLastPad(pad: Padding, xl: Tensor, rank: number, channelsLast: boolean, op: string): Padding {
  if (channelsLast || !Array.isArray(pad) || pad.length !== rank + 2) return pad;
  return resolvePadding(pad, xl.shape.slice(1, rank + 1), [], [], op, false);
}

// ---- convolution ----

/** A convolution's arguments as the ops take them (strides and dilations still unchecked). */
export interface ConvSpec {
  op: string;
  rank: number;
  strides: unknown;
  pad: Padding;
  channelsLast: boolean;
  dilations: unknown;
  dimRoundingMode?: DimRoundingMode;
}

/** A checked convolution: its operands in one dtype, the conv primitive's attributes and its output shape. */
export interface ResolvedConv {
  inputs: [Tensor, Tensor];
  attrs: ConvAttrs;
  /** [batch, ...spatial, outChannels] (channels-last, batched). */
  outShape: number[];
}

/**
 * Checks a convolution of x batched channels-last with filter [...k, inC / groups, outC], groups inferred from
 * the channel counts (as TF: x's channels must be a multiple of the filter's input depth).
 */
export function resolveConv(x: Tensor, filter: Tensor, spec: ConvSpec, filterArg = "filter"): ResolvedConv {
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
  const outSpatial = outputSizes(op, inSizes, windows, strides, padding, rank, `${filterArg} (dilated)`);
  return { inputs: promotePair(x, filter), attrs: { strides, padding, dilations, groups }, outShape: [x.shape[0], ...outSpatial, outC] };
}

/**
 * Checks a convolution of float x (batched or not, in `spec`'s layout) with filter [...k, inChannels, outChannels]:
 * resolveConv's result for x moved to channels-last, and `restore`, which puts a result back in x's layout.
 */
export function prepareConv(x: Tensor, filter: Tensor, spec: ConvSpec): ResolvedConv & { restore: (y: Tensor) => Tensor } {
  const { op, rank } = spec;
  if (filter.rank !== rank + 2) {
    throw new ShapeError(
      `${op}: filter must be rank ${rank + 2} [${SPATIAL_NAMES[rank].map((n) => `filter${n[0].toUpperCase()}${n.slice(1)}`).join(", ")}, inChannels, outChannels], got rank ${filter.rank} (shape ${formatShape(filter.shape)})`,
    );
  }
  const { x: xl, restore } = toChannelsLast(x, rank, spec.channelsLast, op);
  const resolved = resolveConv(xl, filter, { ...spec, pad: channelsLastPad(spec.pad, xl, rank, spec.channelsLast, op) });
  return { ...resolved, restore };
}
