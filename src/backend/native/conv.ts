/**
 * Native convolution and pooling kernels (native/src/conv.cc: im2col/col2im + CBLAS GEMM, direct loops for shallow
 * inputs, pooling on the cores), and the fused conv (bias and activation applied inside the conv's output loop).
 *
 * The addon works in place on the typed arrays: inputs are passed as they are, outputs are taken here (from the
 * buffer pool: the addon writes every element) and filled by the addon. Problems with 1 to 3 spatial dims are lifted to 3-d (as the cpu kernels do) and described to
 * the addon by an Int32Array. Anything the addon does not take (dtypes other than float32/float64, shapes whose
 * data does not match) goes to the cpu kernel of the same name.
 */
import type { DType } from "../../core/dtype.js";
import { takeBuffer } from "../../tensor/buffer-pool.js";
import type { Kernel, KernelTensor, PartialKernelTable } from "../backend.js";
import { nnKernels as cpu } from "../cpu/nn.js";
import type { ConvAttrs, FusedActivation, PoolAttrs } from "../primitives.js";
import { loadAddon } from "./addon.js";

export type FloatArray = Float32Array | Float64Array;

/** The functions native/src/conv.cc adds to the addon's exports (see conv.h). */
export interface NativeConvAddon {
  /** y = act(x ⋆ w + bias): bias (or null), activation code (FUSED_ACTIVATION_CODES) and alpha are optional. */
  convForward(x: FloatArray, w: FloatArray, y: FloatArray, geometry: Int32Array, bias?: FloatArray | null, activation?: number, alpha?: number): void;
  convBackpropInput(dy: FloatArray, w: FloatArray, dx: FloatArray, geometry: Int32Array): void;
  convBackpropFilter(x: FloatArray, dy: FloatArray, dw: FloatArray, geometry: Int32Array): void;
  maxPool(x: FloatArray, y: FloatArray, geometry: Int32Array): void;
  maxPoolGrad(x: FloatArray, dy: FloatArray, dx: FloatArray, geometry: Int32Array): void;
  avgPool(x: FloatArray, y: FloatArray, geometry: Int32Array): void;
  avgPoolGrad(dy: FloatArray, dx: FloatArray, geometry: Int32Array): void;
  /** True when convForward takes the bias / activation arguments (an addon built from older sources lacks it). */
  convEpilogue?: boolean;
}

export type NativeConvPrimitive =
  | "conv"
  | "fusedConv"
  | "convBackpropInput"
  | "convBackpropFilter"
  | "maxPool"
  | "maxPoolGrad"
  | "avgPool"
  | "avgPoolGrad";

/** True when `addon` carries every function of NativeConvAddon (an addon built without conv.cc does not). */
export function hasConvFunctions(addon: object | null | undefined): addon is NativeConvAddon {
  if (addon === null || addon === undefined) return false;
  const names: (keyof NativeConvAddon)[] = [
    "convForward", "convBackpropInput", "convBackpropFilter", "maxPool", "maxPoolGrad", "avgPool", "avgPoolGrad",
  ];
  const record = addon as Record<string, unknown>;
  return names.every((n) => typeof record[n] === "function");
}

// ---- geometry ----

const INT32_MAX = 2 ** 31 - 1;

function lift3(values: readonly number[], fill: number): number[] {
  const r = [fill, fill, fill];
  for (let i = 0; i < values.length; i++) r[3 - values.length + i] = values[i];
  return r;
}

function outSize(inSize: number, k: number, stride: number, dil: number, before: number, after: number): number {
  const span = (k - 1) * dil + 1;
  return Math.max(0, Math.floor((inSize + before + after - span) / stride) + 1);
}

interface Lifted {
  /** [N, D, H, W, C, OD, OH, OW, KD, KH, KW, sD, sH, sW, (dD, dH, dW,) pD, pH, pW, (groups, outC)] */
  geometry: Int32Array;
  /** The output's spatial sizes in the original rank. */
  outSpatial: number[];
}

/** The addon's geometry for x of shape [N, ...spatial, C]; null when the problem is outside what it takes. */
function lifted(
  xShape: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  dilations: readonly number[] | null,
  padding: readonly (readonly [number, number])[],
  conv: { groups: number; outC: number } | null,
): Lifted | null {
  const rank = xShape.length - 2;
  if (rank < 1 || rank > 3) return null;
  const spatial = xShape.slice(1, 1 + rank);
  const dil = dilations ?? window.map(() => 1);
  const outSpatial = spatial.map((s, i) => outSize(s, window[i], strides[i], dil[i], padding[i][0], padding[i][1]));
  const values = [
    xShape[0], ...lift3(spatial, 1), xShape[rank + 1],
    ...lift3(outSpatial, 1),
    ...lift3(window, 1),
    ...lift3(strides, 1),
    ...(dilations ? lift3(dilations, 1) : []),
    ...lift3(padding.map((p) => p[0]), 0),
    ...(conv ? [conv.groups, conv.outC] : []),
  ];
  if (!values.every((v) => Number.isInteger(v) && v >= 0 && v <= INT32_MAX)) return null;
  return { geometry: Int32Array.from(values), outSpatial };
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function isFloat(dtype: DType): dtype is "float32" | "float64" {
  return dtype === "float32" || dtype === "float64";
}

/** t's elements as a float array of exactly `n` elements and the dtype's kind, or null. */
function floatData(t: KernelTensor, dtype: DType, n: number): FloatArray | null {
  if (t.dtype !== dtype) return null;
  const d = t.data;
  if (!(d instanceof Float32Array || d instanceof Float64Array) || d.length < n) return null;
  return d.length === n ? d : d.subarray(0, n);
}

/** An output array the addon fills completely (possibly recycled: its contents are arbitrary). */
function allocFloat(dtype: "float32" | "float64", n: number): FloatArray {
  return takeBuffer(dtype, n) as FloatArray;
}

/** The addon's activation codes (native/src/fastmath.h, enum Activation). */
export const FUSED_ACTIVATION_CODES: Record<FusedActivation, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  sigmoid: 4,
  tanh: 5,
  leakyrelu: 6,
};

function convGeometry(xShape: readonly number[], wShape: readonly number[], attrs: ConvAttrs): Lifted | null {
  const rank = xShape.length - 2;
  if (wShape.length !== rank + 2) return null;
  const outC = wShape[rank + 1];
  return lifted(xShape, wShape.slice(0, rank), attrs.strides, attrs.dilations, attrs.padding, { groups: attrs.groups, outC });
}

function poolGeometry(xShape: readonly number[], attrs: PoolAttrs): Lifted | null {
  return lifted(xShape, attrs.windowShape, attrs.strides, null, attrs.padding, null);
}

// ---- kernels ----

/** The kernel table over a loaded addon. */
export function makeNativeConvKernels(addon: NativeConvAddon): PartialKernelTable<NativeConvPrimitive> {
  const conv: Kernel<"conv"> = (inputs, attrs) => {
    const [x, w] = inputs;
    const lg = convGeometry(x.shape, w.shape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.conv(inputs, attrs);
    const xd = floatData(x, x.dtype, size(x.shape));
    const wd = floatData(w, x.dtype, size(w.shape));
    if (xd === null || wd === null) return cpu.conv(inputs, attrs);
    const shape = [x.shape[0], ...lg.outSpatial, w.shape[w.shape.length - 1]];
    const y = allocFloat(x.dtype, size(shape));
    addon.convForward(xd, wd, y, lg.geometry);
    return { shape, dtype: x.dtype, data: y };
  };

  /** conv with its bias and activation applied by the addon on each output block while it is in cache. */
  const fusedConv: Kernel<"fusedConv"> = (inputs, attrs) => {
    const [x, w, bias] = inputs;
    const lg = convGeometry(x.shape, w.shape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.fusedConv(inputs, attrs);
    const outC = w.shape[w.shape.length - 1];
    const xd = floatData(x, x.dtype, size(x.shape));
    const wd = floatData(w, x.dtype, size(w.shape));
    const bd = bias === undefined ? null : floatData(bias, x.dtype, outC);
    if (xd === null || wd === null || (bias !== undefined && (bd === null || size(bias.shape) !== outC))) return cpu.fusedConv(inputs, attrs);
    const shape = [x.shape[0], ...lg.outSpatial, outC];
    const y = allocFloat(x.dtype, size(shape));
    addon.convForward(xd, wd, y, lg.geometry, bd, FUSED_ACTIVATION_CODES[attrs.activation], attrs.alpha);
    return { shape, dtype: x.dtype, data: y };
  };

  const convBackpropInput: Kernel<"convBackpropInput"> = (inputs, attrs) => {
    const [dy, w] = inputs;
    const xShape = attrs.inputShape;
    const lg = convGeometry(xShape, w.shape, attrs);
    if (lg === null || !isFloat(dy.dtype)) return cpu.convBackpropInput(inputs, attrs);
    const dyd = floatData(dy, dy.dtype, size(dy.shape));
    const wd = floatData(w, dy.dtype, size(w.shape));
    if (dyd === null || wd === null) return cpu.convBackpropInput(inputs, attrs);
    const dx = allocFloat(dy.dtype, size(xShape));
    addon.convBackpropInput(dyd, wd, dx, lg.geometry);
    return { shape: xShape, dtype: dy.dtype, data: dx };
  };

  const convBackpropFilter: Kernel<"convBackpropFilter"> = (inputs, attrs) => {
    const [x, dy] = inputs;
    const wShape = attrs.filterShape;
    const lg = convGeometry(x.shape, wShape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.convBackpropFilter(inputs, attrs);
    const xd = floatData(x, x.dtype, size(x.shape));
    const dyd = floatData(dy, x.dtype, size(dy.shape));
    if (xd === null || dyd === null) return cpu.convBackpropFilter(inputs, attrs);
    const dw = allocFloat(x.dtype, size(wShape));
    addon.convBackpropFilter(xd, dyd, dw, lg.geometry);
    return { shape: wShape, dtype: x.dtype, data: dw };
  };

  const maxPool: Kernel<"maxPool"> = (inputs, attrs) => {
    const [x] = inputs;
    const lg = poolGeometry(x.shape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.maxPool(inputs, attrs);
    const xd = floatData(x, x.dtype, size(x.shape));
    if (xd === null) return cpu.maxPool(inputs, attrs);
    const shape = [x.shape[0], ...lg.outSpatial, x.shape[x.shape.length - 1]];
    const y = allocFloat(x.dtype, size(shape));
    addon.maxPool(xd, y, lg.geometry);
    return { shape, dtype: x.dtype, data: y };
  };

  const maxPoolGrad: Kernel<"maxPoolGrad"> = (inputs, attrs) => {
    const [x, dy] = inputs;
    const lg = poolGeometry(x.shape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.maxPoolGrad(inputs, attrs);
    const xd = floatData(x, x.dtype, size(x.shape));
    const dyd = floatData(dy, x.dtype, size(dy.shape));
    if (xd === null || dyd === null) return cpu.maxPoolGrad(inputs, attrs);
    const dx = allocFloat(x.dtype, size(x.shape));
    addon.maxPoolGrad(xd, dyd, dx, lg.geometry);
    return { shape: x.shape, dtype: x.dtype, data: dx };
  };

  const avgPool: Kernel<"avgPool"> = (inputs, attrs) => {
    const [x] = inputs;
    const lg = poolGeometry(x.shape, attrs);
    if (lg === null || !isFloat(x.dtype)) return cpu.avgPool(inputs, attrs);
    const xd = floatData(x, x.dtype, size(x.shape));
    if (xd === null) return cpu.avgPool(inputs, attrs);
    const shape = [x.shape[0], ...lg.outSpatial, x.shape[x.shape.length - 1]];
    const y = allocFloat(x.dtype, size(shape));
    addon.avgPool(xd, y, lg.geometry);
    return { shape, dtype: x.dtype, data: y };
  };

  const avgPoolGrad: Kernel<"avgPoolGrad"> = (inputs, attrs) => {
    const [dy] = inputs;
    const xShape = attrs.inputShape;
    const lg = poolGeometry(xShape, attrs);
    if (lg === null || !isFloat(dy.dtype)) return cpu.avgPoolGrad(inputs, attrs);
    const dyd = floatData(dy, dy.dtype, size(dy.shape));
    if (dyd === null) return cpu.avgPoolGrad(inputs, attrs);
    const dx = allocFloat(dy.dtype, size(xShape));
    addon.avgPoolGrad(dyd, dx, lg.geometry);
    return { shape: xShape, dtype: dy.dtype, data: dx };
  };

  const table: PartialKernelTable<NativeConvPrimitive> = { conv, convBackpropInput, convBackpropFilter, maxPool, maxPoolGrad, avgPool, avgPoolGrad };
  if (addon.convEpilogue === true) table.fusedConv = fusedConv;
  return table;
}

const addon = loadAddon();

/** The native conv/pool kernels, or an empty table when the addon is absent or was built without conv.cc. */
export const nativeConvKernels: PartialKernelTable<NativeConvPrimitive> = hasConvFunctions(addon)
  ? makeNativeConvKernels(addon)
  : {};
