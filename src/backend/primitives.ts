/**
 * The primitives: the only operations a backend implements. Every public op is one of these or is composed of
 * them. Each entry gives the primitive's attributes; `outputs: n` (2, 3 or 4) marks the multi-output ones, which
 * return a list of at most n tensors.
 *
 * Conventions every kernel may rely on (the op layer guarantees them):
 * - Binary and `where` inputs have equal dtypes (already promoted); shapes broadcast NumPy-style.
 * - Float-only unary primitives receive float32 or float64.
 * - Axes are normalized (non-negative, sorted, unique); reductions drop reduced axes (the op reshapes for keepDims).
 * - Layout is channels-last: conv/pool inputs are [batch, ...spatial, channels], conv filters are
 *   [...spatial, inChannels / groups, outChannels]. Padding is explicit: one [before, after] pair per spatial dim.
 * - Index inputs are int32.
 */
import type { DType } from "../core/dtype.js";

type NoAttrs = Record<string, never>;

export interface ConvAttrs {
  strides: number[];
  padding: [number, number][];
  dilations: number[];
  groups: number;
}

export interface PoolAttrs {
  windowShape: number[];
  strides: number[];
  padding: [number, number][];
}

export interface ResizeAttrs {
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Elementwise, one input, same shape out. Float-only unless noted. */
export interface UnaryPrimitives {
  neg: NoAttrs; // any numeric dtype
  abs: NoAttrs; // any numeric dtype
  sign: NoAttrs; // any numeric dtype
  square: NoAttrs; // any numeric dtype
  sqrt: NoAttrs;
  rsqrt: NoAttrs;
  reciprocal: NoAttrs;
  exp: NoAttrs;
  expm1: NoAttrs;
  log: NoAttrs;
  log1p: NoAttrs;
  sin: NoAttrs;
  cos: NoAttrs;
  tan: NoAttrs;
  asin: NoAttrs;
  acos: NoAttrs;
  atan: NoAttrs;
  sinh: NoAttrs;
  cosh: NoAttrs;
  tanh: NoAttrs;
  erf: NoAttrs;
  floor: NoAttrs;
  ceil: NoAttrs;
  /** Half to even, as NumPy and TF. */
  round: NoAttrs;
  sigmoid: NoAttrs;
  relu: NoAttrs; // any numeric dtype
  /** Output bool. */
  isNaN: NoAttrs;
  isInf: NoAttrs;
  isFinite: NoAttrs;
  /** bool in, bool out. */
  logicalNot: NoAttrs;
}

/** Elementwise, two inputs of equal dtype, broadcast. */
export interface BinaryPrimitives {
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs; // float; the op layer casts integer inputs
  floorDiv: NoAttrs; // floor(a / b); any numeric dtype
  mod: NoAttrs; // result has the sign of b (Python / TF floormod)
  pow: NoAttrs;
  atan2: NoAttrs;
  maximum: NoAttrs;
  minimum: NoAttrs;
  /** Output bool. */
  equal: NoAttrs;
  notEqual: NoAttrs;
  less: NoAttrs;
  lessEqual: NoAttrs;
  greater: NoAttrs;
  greaterEqual: NoAttrs;
  /** bool inputs, bool output. */
  logicalAnd: NoAttrs;
  logicalOr: NoAttrs;
  logicalXor: NoAttrs;
}

export interface OtherElementwisePrimitives {
  /** Inputs (condition: bool, a, b), broadcast; output dtype of a. */
  where: NoAttrs;
  cast: { dtype: DType };
  /** Inputs (dy, x) of one shape and float dtype: dy where x > 0, else 0 (relu's gradient, one pass; 0 at 0). */
  reluGrad: NoAttrs;
}

export interface ReducePrimitives {
  sum: { axes: number[] };
  prod: { axes: number[] };
  max: { axes: number[] };
  min: { axes: number[] };
  all: { axes: number[] }; // bool
  any: { axes: number[] }; // bool
  /** Output int32; first index on ties. NaN counts as the maximum (minimum). */
  argMax: { axis: number };
  argMin: { axis: number };
  cumsum: { axis: number; exclusive: boolean; reverse: boolean };
  cumprod: { axis: number; exclusive: boolean; reverse: boolean };
}

export interface LinalgPrimitives {
  /** [..., m, k] x [..., k, n], batch dims broadcast; transposes apply to the last two axes. */
  matMul: { transposeA: boolean; transposeB: boolean };
}

export interface ShapePrimitives {
  /** Zero-copy: the output shares the input's storage. */
  reshape: { shape: number[] };
  transpose: { perm: number[] };
  /** Per-axis begin, end (exclusive) and non-zero stride, all resolved to in-range values. */
  stridedSlice: { begin: number[]; end: number[]; strides: number[] };
  /** The adjoint of stridedSlice: places dy into zeros of `shape`. Input: dy. */
  stridedSliceGrad: { shape: number[]; begin: number[]; end: number[]; strides: number[] };
  /** Any number of inputs of equal dtype. */
  concat: { axis: number };
  pad: { paddings: [number, number][]; mode: "constant" | "reflect" | "symmetric"; value: number };
  tile: { reps: number[] };
  reverse: { axes: number[] };
  broadcastTo: { shape: number[] };
  /** Inputs (x, indices): out = x[...batch, indices[...], ...]. */
  gather: { axis: number; batchDims: number };
  /** The adjoint of gather: scatter-adds dy into zeros of `shape`. Inputs (dy, indices). */
  gatherGrad: { axis: number; batchDims: number; shape: number[] };
  /** Inputs (x, indices[..., r]). */
  gatherND: NoAttrs;
  /** Inputs (indices[..., r], updates): zeros of `shape` with updates added at indices (duplicates sum). */
  scatterND: { shape: number[] };
  /** Sorts along the last axis (stable). Outputs [values, indices (int32)]. */
  sort: { descending: boolean; outputs: 2 };
}

export interface NNPrimitives {
  /** N-d convolution (N = 1, 2, 3), channels-last. Inputs (x, filter). */
  conv: ConvAttrs;
  /** Gradient of conv with respect to x. Inputs (dy, filter). */
  convBackpropInput: ConvAttrs & { inputShape: number[] };
  /** Gradient of conv with respect to the filter. Inputs (x, dy). */
  convBackpropFilter: ConvAttrs & { filterShape: number[] };
  /** Padded positions never win. */
  maxPool: PoolAttrs;
  /** Inputs (x, dy): routes each dy to the first maximum of its window. */
  maxPoolGrad: PoolAttrs;
  /** Averages over the window's in-bounds positions (padding is not counted), as TF. */
  avgPool: PoolAttrs;
  /** Input dy; `inputShape` is x's shape. */
  avgPoolGrad: PoolAttrs & { inputShape: number[] };
  /** x: [batch, height, width, channels]. */
  resizeBilinear: ResizeAttrs;
  /** Inputs (dy); `inputShape` is x's shape. */
  resizeBilinearGrad: ResizeAttrs & { inputShape: number[] };
  resizeNearest: ResizeAttrs;
  resizeNearestGrad: ResizeAttrs & { inputShape: number[] };
}

/** The activations a fused kernel applies to its output (TF.js's names; "leakyrelu" takes `alpha`). */
export type FusedActivation = "linear" | "relu" | "relu6" | "elu" | "sigmoid" | "tanh" | "leakyrelu";

/** The activation of a fused primitive and leakyrelu's slope (alpha >= 0: the gradient is read from the output). */
export interface FusedActivationAttrs {
  activation: FusedActivation;
  alpha: number;
}

/**
 * Bias and activation applied to a conv or matMul output while it is in cache (TF.js's fused ops). The bias, when
 * given, is the third input: 1-d, one value per output channel (the last axis). Gradients read the activation's
 * derivative from the output.
 */
export interface FusedPrimitives {
  /** act(conv(x, filter) + bias): inputs (x, filter[, bias]), conv's layout and attributes. */
  fusedConv: ConvAttrs & FusedActivationAttrs;
  /** act(matMul(a, b) + bias): inputs (a, b[, bias]), matMul's shapes and transposes. */
  fusedMatMul: { transposeA: boolean; transposeB: boolean } & FusedActivationAttrs;
}

/**
 * Fused optimizer updates: Keras 3's update rule of one variable in one pass over memory, with the arithmetic (and
 * rounding) of the op composition it replaces; scalars are rounded to the variable's dtype as scalar tensors would
 * be. Every input has the variable's shape and float dtype; the outputs are new tensors (the optimizer `assign`s
 * them). Not differentiable.
 */
export interface OptimizerPrimitives {
  /**
   * Inputs (variable, grad[, momentum buffer when momentum != 0]); outputs [variable[, momentum buffer]].
   * `m = m·momentum - g·lr; w += nesterov ? m·momentum - g·lr : m`, or `w -= g·lr` without momentum.
   */
  sgdUpdate: { lr: number; momentum: number; nesterov: boolean; outputs: 2 };
  /**
   * Inputs (variable, grad, velocity[, momentum buffer when momentum > 0][, average gradient when centered]);
   * outputs: the new variable, velocity[, momentum buffer][, average gradient].
   */
  rmspropUpdate: { lr: number; rho: number; epsilon: number; momentum: number; centered: boolean; outputs: 4 };
  /**
   * Inputs (variable, grad, m, v[, vHat when amsgrad]); outputs [variable, m, v[, vHat]]. The step size is
   * lr·biasCorrection, with biasCorrection = √(1-β₂ᵗ)/(1-β₁ᵗ) at step t.
   */
  adamUpdate: { lr: number; biasCorrection: number; beta1: number; beta2: number; epsilon: number; amsgrad: boolean; outputs: 4 };
}

/**
 * Fused recurrent cell steps (float32, float64), Keras 3's math with its default activations (sigmoid gates, tanh).
 * Gate pre-activations and projections are [batch, gates·units] in Keras's gate order; states are [batch, units].
 */
export interface RnnPrimitives {
  /**
   * Inputs (z, c) with z's gates i, f, g, o: i, f, o = σ(z_i, z_f, z_o), g = tanh(z_g), c' = f·c + i·g,
   * h = o·tanh(c'). Outputs [h, c'].
   */
  lstmCell: { outputs: 2 };
  /** lstmCell's gradient, recomputing the gates from its inputs: inputs (z, c, dh, dc'), outputs [dz, dc]. */
  lstmCellGrad: { outputs: 2 };
  /**
   * GRU step with the reset gate after the recurrent product (Keras 3's default): inputs (xp, hp, h, bh) with the
   * input and recurrent projections xp, hp [B, 3u] (gates z, r, h) and the candidate's recurrent bias bh [u]:
   * z, r = σ(xp + hp), h̃ = tanh(xp_h + r·(hp_h + bh)), h' = h̃ + z·(h − h̃).
   */
  gruCell: NoAttrs;
  /** gruCell's gradient: inputs (xp, hp, h, bh, dh'), outputs [dxp, dhp, dh, dbh]. */
  gruCellGrad: { outputs: 4 };
}

export interface Primitives
  extends UnaryPrimitives,
    BinaryPrimitives,
    OtherElementwisePrimitives,
    ReducePrimitives,
    LinalgPrimitives,
    ShapePrimitives,
    NNPrimitives,
    FusedPrimitives,
    OptimizerPrimitives,
    RnnPrimitives {}

export type Primitive = keyof Primitives;

/** The attributes of primitive P (without the `outputs` marker). */
export type Attrs<P extends Primitive> = Omit<Primitives[P], "outputs">;

export type IsMultiOutput<P extends Primitive> = Primitives[P] extends { outputs: 2 | 3 | 4 } ? true : false;
