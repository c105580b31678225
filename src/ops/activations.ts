/**
 * Activation functions. `sigmoid` and `relu` are primitives; the rest are composed of elementwise ops, so their
 * gradients come from the primitives' rules. Integer inputs of the float-valued activations are cast to float32;
 * bool inputs are refused.
 */
import { ValueError } from "../core/errors.js";
import { broadcastShapes, formatShape, shapesEqual } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertFiniteNumber, describeValue as describe, floatInput, numericInput, type TensorLike } from "./convert.js";
import { abs, add, div, erf, exp, expm1, greater, log1p, minimum, mul, neg, pow, tanh, where } from "./elementwise.js";

/**
 * -|x| with the gradient of the smooth side at 0 (where |x| has a kink, softplus does not): d/dx = 1 at x = 0, so
 * `relu(x) + log1p(exp(negAbs(x)))` has the exact derivative ½ there.
 */
function negAbs(x: Tensor): Tensor {
  return where(greater(x, 0), neg(x), x);
}

/** 1 / (1 + e⁻ˣ). `tn.sigmoid([0])` → [0.5] */
export function sigmoid(x: TensorLike): Tensor {
  return runPrimitive("sigmoid", [floatInput(x, "sigmoid")], {});
}

/** max(x, 0), keeping the dtype; the gradient at 0 is 0. `tn.relu([-1, 2])` → [0, 2] */
export function relu(x: TensorLike): Tensor {
  return runPrimitive("relu", [numericInput(x, "relu")], {});
}

/** min(max(x, 0), 6); the gradient passes where 0 < x < 6 (as TF). `tn.relu6([-1, 3, 8])` → [0, 3, 6] */
export function relu6(x: TensorLike): Tensor {
  // The constant goes first so a tie at 6 sends the gradient to it (0 for x), as TF's Relu6Grad.
  return minimum(6, relu(numericInput(x, "relu6")));
}

/** x where x > 0, else alpha·x (alpha defaults to 0.2, as TF.js). `tn.leakyRelu([-1, 2])` → [-0.2, 2] */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const t = floatInput(x, "leakyRelu");
  assertFiniteNumber(alpha, "leakyRelu", "alpha");
  return where(greater(t, 0), t, mul(t, alpha));
}

/**
 * Parametric ReLU: x where x > 0, else alpha·x, with a learnable `alpha` that broadcasts to x.
 * `tn.prelu([-2, 3], [0.5])` → [-1, 3]
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  const t = floatInput(x, "prelu");
  const a = floatInput(alpha, "prelu", "alpha");
  const shape = broadcastShapes(t.shape, a.shape, "prelu");
  if (!shapesEqual(shape, t.shape)) {
    throw new ValueError(
      `prelu: alpha of shape ${formatShape(a.shape)} must broadcast to x's shape ${formatShape(t.shape)}, got a result of shape ${formatShape(shape)}`,
    );
  }
  return where(greater(t, 0), t, mul(t, a));
}

/** x where x > 0, else alpha·(eˣ - 1). `tn.elu([-1, 2])` → [-0.6321, 2] */
export function elu(x: TensorLike, alpha = 1): Tensor {
  const t = floatInput(x, "elu");
  assertFiniteNumber(alpha, "elu", "alpha");
  return eluOf(t, alpha);
}

function eluOf(t: Tensor, alpha: number): Tensor {
  // expm1 of min(x, 0): the unused branch never overflows, so its zero gradient stays 0 (not 0·∞ = NaN).
  const negative = expm1(minimum(t, 0));
  return where(greater(t, 0), t, alpha === 1 ? negative : mul(negative, alpha));
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Scaled ELU (Klambauer et al. 2017): scale·elu(x, alpha) with the self-normalizing constants. `tn.selu([1])` → [1.0507] */
export function selu(x: TensorLike): Tensor {
  return mul(eluOf(floatInput(x, "selu"), SELU_ALPHA), SELU_SCALE);
}

export interface GeluOptions {
  /** Use the tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) instead of the exact erf form. */
  approximate?: boolean;
}

/** Gaussian error linear unit x·Φ(x), exact (erf) by default. `tn.gelu([1])` → [0.8413] */
export function gelu(x: TensorLike, options: GeluOptions = {}): Tensor {
  const t = floatInput(x, "gelu");
  if (typeof options !== "object" || options === null) {
    throw new ValueError(`gelu: options must be an object like {approximate: true}, got ${describe(options)}`);
  }
  const approximate = options.approximate ?? false;
  if (typeof approximate !== "boolean") {
    throw new ValueError(`gelu: options.approximate must be a boolean, got ${describe(approximate)}`);
  }
  if (approximate) {
    const inner = mul(add(t, mul(pow(t, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
}

/** log(1 + eˣ), computed stably as max(x, 0) + log1p(e^-|x|). `tn.softplus([0])` → [0.6931] */
export function softplus(x: TensorLike): Tensor {
  return softplusOf(floatInput(x, "softplus"));
}

function softplusOf(t: Tensor): Tensor {
  return add(runPrimitive("relu", [t], {}), log1p(exp(negAbs(t))));
}

/** log σ(x) = -softplus(-x), finite for large |x|. `tn.logSigmoid([0])` → [-0.6931] */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplusOf(neg(floatInput(x, "logSigmoid"))));
}

/** x / (1 + |x|). `tn.softsign([1, -3])` → [0.5, -0.75] */
export function softsign(x: TensorLike): Tensor {
  const t = floatInput(x, "softsign");
  return div(t, add(abs(t), 1));
}

/** Sigmoid linear unit x·σ(x) (also called swish). `tn.silu([1])` → [0.7311] */
export function silu(x: TensorLike): Tensor {
  const t = floatInput(x, "silu");
  return mul(t, runPrimitive("sigmoid", [t], {}));
}

/** x·σ(beta·x); beta = 1 is silu. `tn.swish([1], 2)` → [0.8808] */
export function swish(x: TensorLike, beta = 1): Tensor {
  const t = floatInput(x, "swish");
  assertFiniteNumber(beta, "swish", "beta");
  return mul(t, runPrimitive("sigmoid", [beta === 1 ? t : mul(t, beta)], {}));
}

/**
 * Piecewise-linear sigmoid, Keras 3's definition: relu6(x + 3) / 6, i.e. 0 below -3, 1 above 3 and x/6 + 0.5
 * between. (Keras 2 and TF.js use 0.2·x + 0.5 clipped to [0, 1]; the slopes differ.) `tn.hardSigmoid([0, 3])` → [0.5, 1]
 */
export function hardSigmoid(x: TensorLike): Tensor {
  const t = floatInput(x, "hardSigmoid");
  return div(minimum(6, runPrimitive("relu", [add(t, 3)], {})), 6);
}

/** x·tanh(softplus(x)) (Misra 2019). `tn.mish([1])` → [0.8651] */
export function mish(x: TensorLike): Tensor {
  const t = floatInput(x, "mish");
  return mul(t, tanh(softplusOf(t)));
}
