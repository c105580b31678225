/**
 * Gradient rules of the fused primitives: y = act(z), z = conv(x, w) + b or matMul(a, b) + bias. The activation's
 * derivative is read from the output y (so z is never kept); then the conv / matMul rules run on dz, and the bias
 * gradient sums dz over every axis but the last.
 */
import { runPrimitive } from "../../backend/dispatch.js";
import type { FusedActivationAttrs, FusedPrimitives } from "../../backend/primitives.js";
import { add, greater, less, logicalAnd, mul, square, sub, where } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import type { Tensor } from "../../tensor/tensor.js";
import { linalgRules } from "./linalg.js";
import type { VjpFn, VjpTable } from "./rule.js";

/** dz = dy · act'(z), with act' written in terms of y = act(z); the conventions of the unfused activations. */
export function activationGrad(dy: Tensor, y: Tensor, { activation, alpha }: FusedActivationAttrs): Tensor {
  switch (activation) {
    case "linear":
      return dy;
    case "relu": // dy where y > 0 (z > 0), 0 at and below 0
      return runPrimitive("reluGrad", [dy, y], {});
    case "relu6": // dy where 0 < z < 6: the ties at 0 and 6 get 0, as TF's Relu6Grad
      return where(logicalAnd(greater(y, 0), less(y, 6)), dy, 0);
    case "elu": // z > 0: dy, else dy·eᶻ = dy·(y + 1)
      return where(greater(y, 0), dy, mul(dy, add(y, 1)));
    case "sigmoid": // dσ = σ(1-σ)·dy
      return mul(dy, mul(y, sub(1, y)));
    case "tanh": // d(tanh z) = (1 - tanh²z)·dy
      return mul(dy, sub(1, square(y)));
    case "leakyrelu": // z > 0: dy, else alpha·dy (alpha >= 0, so y > 0 ⇔ z > 0)
      return where(greater(y, 0), dy, mul(dy, alpha));
  }
}

/** The bias gradient: dz summed over every axis but the last (channels / columns). */
function biasGrad(dz: Tensor): Tensor {
  return sum(dz, { axis: dz.shape.slice(0, -1).map((_, i) => i) });
}

const fusedConv: VjpFn<"fusedConv"> = (dy, { inputs, attrs, outputs, needsGrad }) => {
  const [x, w, bias] = inputs;
  const dz = activationGrad(dy, outputs[0], attrs);
  const conv = { strides: attrs.strides, padding: attrs.padding, dilations: attrs.dilations, groups: attrs.groups };
  const grads = [
    needsGrad[0] ? runPrimitive("convBackpropInput", [dz, w], { ...conv, inputShape: [...x.shape] }) : null,
    needsGrad[1] ? runPrimitive("convBackpropFilter", [x, dz], { ...conv, filterShape: [...w.shape] }) : null,
  ];
  if (bias !== undefined) grads.push(needsGrad[2] ? biasGrad(dz) : null);
  return grads;
};

const fusedMatMul: VjpFn<"fusedMatMul"> = (dy, { inputs, attrs, outputs, needsGrad }) => {
  const [a, b, bias] = inputs;
  const dz = activationGrad(dy, outputs[0], attrs);
  const matMulRule = linalgRules.matMul as VjpFn<"matMul">;
  const grads = [
    ...matMulRule(dz, {
      inputs: [a, b],
      attrs: { transposeA: attrs.transposeA, transposeB: attrs.transposeB },
      outputs,
      needsGrad: [needsGrad[0], needsGrad[1]],
    }),
  ];
  if (bias !== undefined) grads.push(needsGrad[2] ? biasGrad(dz) : null);
  return grads;
};

export const fusedRules: VjpTable<keyof FusedPrimitives> = {
  // y = act(x ⋆ w + b): dz = dy·act'(z); dx = convᵀ(dz, w), dw = Σ patches(x)ᵀ·dz, db = Σ dz
  fusedConv,
  // y = act(op(A)·op(B) + b): dz = dy·act'(z); dA, dB as matMul's rule on dz, db = Σ dz
  fusedMatMul,
};
