/**
 * cpu kernels of the fused primitives: the conv or matMul kernel, then bias and activation in one pass over its
 * fresh output, with the rounding of the unfused composition (the sum rounded to the dtype, then the activation's
 * cpu formula). The conv kernel comes from ./nn.ts, which lists these kernels in its table.
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import type { Kernel, KernelTensor } from "../backend.js";
import type { ConvAttrs, FusedActivation, FusedActivationAttrs } from "../primitives.js";
import { linalgKernels } from "./linalg.js";
import { out } from "./util.js";

/** act(v) with the cpu elementwise kernels' conventions (NaN propagates, relu and relu6 are 0 at and below 0). */
function activationFn(activation: FusedActivation, alpha: number): ((v: number) => number) | null {
  switch (activation) {
    case "linear":
      return null;
    case "relu":
      return (v) => (v > 0 ? v : v === v ? 0 : v);
    case "relu6":
      return (v) => (v !== v ? v : v < 0 ? 0 : v > 6 ? 6 : v);
    case "elu":
      return (v) => (v > 0 ? v : Math.expm1(v));
    case "sigmoid":
      return (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    case "tanh":
      return Math.tanh;
    case "leakyrelu":
      return (v) => (v > 0 ? v : alpha * v);
  }
}

/**
 * In place over `data` seen as [rows, channels]: data = act(round(data + bias)), bias (one per channel) optional.
 * `data` must be a kernel's own fresh output.
 */
export function applyBiasActivation(data: TypedArray, dtype: DType, bias: KernelTensor | undefined, attrs: FusedActivationAttrs): void {
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  // Scalars are rounded to the dtype, as a scalar tensor would be.
  const act = activationFn(attrs.activation, round(attrs.alpha));
  const B = bias?.data;
  const n = data.length;
  if (B !== undefined && B.length > 0) {
    const C = B.length;
    if (act === null) {
      for (let i = 0; i < n; i++) data[i] = data[i] + B[i % C];
    } else {
      for (let i = 0; i < n; i++) data[i] = act(round(data[i] + B[i % C]));
    }
  } else if (act !== null) {
    for (let i = 0; i < n; i++) data[i] = act(data[i]);
  }
}

/** The fused conv over a plain conv kernel (./nn.ts passes its own). */
export function fusedConvOver(conv: Kernel<"conv">): Kernel<"fusedConv"> {
  return ([x, w, bias], attrs) => {
    const convAttrs: ConvAttrs = { strides: attrs.strides, padding: attrs.padding, dilations: attrs.dilations, groups: attrs.groups };
    const y = conv([x, w], convAttrs);
    applyBiasActivation(y.data, y.dtype, bias, attrs);
    return out(y.shape, y.dtype, y.data);
  };
}

export const fusedMatMul: Kernel<"fusedMatMul"> = ([a, b, bias], attrs) => {
  const y = linalgKernels.matMul([a, b], { transposeA: attrs.transposeA, transposeB: attrs.transposeB });
  applyBiasActivation(y.data, y.dtype, bias, attrs);
  return y;
};
