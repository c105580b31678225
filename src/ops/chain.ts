/**
 * Method chaining on Tensor (`x.matmul(w).add(b).relu()`): the common ops as methods. The ops sit above the
 * tensor layer, so they attach themselves here rather than Tensor importing them.
 */
import type { DType } from "../core/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { TensorLike } from "./convert.js";
import * as ew from "./elementwise.js";
import * as la from "./linalg.js";
import * as red from "./reduce.js";
import * as shp from "./shape.js";
import * as nn from "./nn.js";
import * as act from "./activations.js";
import * as norm from "./normalization.js";

declare module "../tensor/tensor.js" {
  interface Tensor {
    // ---- elementwise ----
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    square(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    isNaN(): Tensor;
    isFinite(): Tensor;
    cast(dtype: DType): Tensor;
    clipByValue(min: number, max: number): Tensor;
    // ---- reduce ----
    sum(options?: red.ReduceOptions): Tensor;
    mean(options?: red.ReduceOptions): Tensor;
    prod(options?: red.ReduceOptions): Tensor;
    max(options?: red.ReduceOptions): Tensor;
    min(options?: red.ReduceOptions): Tensor;
    argMax(options?: red.ArgReduceOptions): Tensor;
    argMin(options?: red.ArgReduceOptions): Tensor;
    all(options?: red.ReduceOptions): Tensor;
    any(options?: red.ReduceOptions): Tensor;
    logSumExp(options?: red.ReduceOptions): Tensor;
    cumsum(options?: red.CumulativeOptions): Tensor;
    cumprod(options?: red.CumulativeOptions): Tensor;
    norm(options?: red.NormOptions): Tensor;
    // ---- shape ----
    reshape(shape: readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    flatten(startAxis?: number, endAxis?: number): Tensor;
    slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor;
    gather(indices: TensorLike, axis?: number, batchDims?: number): Tensor;
    pad(paddings: readonly (readonly [number, number])[], constantValue?: number | shp.PadOptions): Tensor;
    tile(reps: readonly number[]): Tensor;
    reverse(axis?: number | readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    // ---- linalg ----
    matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    matmul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    dot(b: TensorLike): Tensor;
    // ---- nn ----
    conv2d(filter: TensorLike, strides: number | readonly [number, number], pad: nn.Padding, dataFormat?: "NHWC" | "NCHW", dilations?: number | readonly [number, number]): Tensor;
    maxPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: nn.Padding): Tensor;
    avgPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: nn.Padding): Tensor;
    // ---- activations and normalization ----
    relu(): Tensor;
    relu6(): Tensor;
    sigmoid(): Tensor;
    logSigmoid(): Tensor;
    elu(alpha?: number): Tensor;
    selu(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    gelu(options?: act.GeluOptions): Tensor;
    softplus(): Tensor;
    silu(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    // ---- random ----
  }
}

const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
  // ---- elementwise ----
  add(b: TensorLike) { return ew.add(this, b); },
  sub(b: TensorLike) { return ew.sub(this, b); },
  mul(b: TensorLike) { return ew.mul(this, b); },
  div(b: TensorLike) { return ew.div(this, b); },
  floorDiv(b: TensorLike) { return ew.floorDiv(this, b); },
  mod(b: TensorLike) { return ew.mod(this, b); },
  pow(b: TensorLike) { return ew.pow(this, b); },
  maximum(b: TensorLike) { return ew.maximum(this, b); },
  minimum(b: TensorLike) { return ew.minimum(this, b); },
  squaredDifference(b: TensorLike) { return ew.squaredDifference(this, b); },
  neg() { return ew.neg(this); },
  abs() { return ew.abs(this); },
  sign() { return ew.sign(this); },
  square() { return ew.square(this); },
  sqrt() { return ew.sqrt(this); },
  rsqrt() { return ew.rsqrt(this); },
  reciprocal() { return ew.reciprocal(this); },
  exp() { return ew.exp(this); },
  expm1() { return ew.expm1(this); },
  log() { return ew.log(this); },
  log1p() { return ew.log1p(this); },
  sin() { return ew.sin(this); },
  cos() { return ew.cos(this); },
  tan() { return ew.tan(this); },
  tanh() { return ew.tanh(this); },
  erf() { return ew.erf(this); },
  floor() { return ew.floor(this); },
  ceil() { return ew.ceil(this); },
  round() { return ew.round(this); },
  equal(b: TensorLike) { return ew.equal(this, b); },
  notEqual(b: TensorLike) { return ew.notEqual(this, b); },
  less(b: TensorLike) { return ew.less(this, b); },
  lessEqual(b: TensorLike) { return ew.lessEqual(this, b); },
  greater(b: TensorLike) { return ew.greater(this, b); },
  greaterEqual(b: TensorLike) { return ew.greaterEqual(this, b); },
  logicalAnd(b: TensorLike) { return ew.logicalAnd(this, b); },
  logicalOr(b: TensorLike) { return ew.logicalOr(this, b); },
  logicalNot() { return ew.logicalNot(this); },
  isNaN() { return ew.isNaN(this); },
  isFinite() { return ew.isFinite(this); },
  cast(dtype: DType) { return ew.cast(this, dtype); },
  clipByValue(min: number, max: number) { return ew.clipByValue(this, min, max); },
  // ---- reduce ----
  sum(options?: red.ReduceOptions) { return red.sum(this, options); },
  mean(options?: red.ReduceOptions) { return red.mean(this, options); },
  prod(options?: red.ReduceOptions) { return red.prod(this, options); },
  max(options?: red.ReduceOptions) { return red.max(this, options); },
  min(options?: red.ReduceOptions) { return red.min(this, options); },
  argMax(options?: red.ArgReduceOptions) { return red.argMax(this, options); },
  argMin(options?: red.ArgReduceOptions) { return red.argMin(this, options); },
  all(options?: red.ReduceOptions) { return red.all(this, options); },
  any(options?: red.ReduceOptions) { return red.any(this, options); },
  logSumExp(options?: red.ReduceOptions) { return red.logSumExp(this, options); },
  cumsum(options?: red.CumulativeOptions) { return red.cumsum(this, options); },
  cumprod(options?: red.CumulativeOptions) { return red.cumprod(this, options); },
  norm(options?: red.NormOptions) { return red.norm(this, options); },
  // ---- shape ----
  reshape(shape: readonly number[]) { return shp.reshape(this, shape); },
  transpose(perm?: readonly number[]) { return shp.transpose(this, perm); },
  expandDims(axis?: number) { return shp.expandDims(this, axis); },
  squeeze(axis?: number | readonly number[]) { return shp.squeeze(this, axis); },
  flatten(startAxis?: number, endAxis?: number) { return shp.flatten(this, startAxis, endAxis); },
  slice(begin: number | readonly number[], size?: number | readonly number[]) { return shp.slice(this, begin, size); },
  gather(indices: TensorLike, axis?: number, batchDims?: number) { return shp.gather(this, indices, axis, batchDims); },
  pad(paddings: readonly (readonly [number, number])[], constantValue?: number | shp.PadOptions) { return shp.pad(this, paddings, constantValue); },
  tile(reps: readonly number[]) { return shp.tile(this, reps); },
  reverse(axis?: number | readonly number[]) { return shp.reverse(this, axis); },
  broadcastTo(shape: readonly number[]) { return shp.broadcastTo(this, shape); },
  // ---- linalg ----
  matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean) { return la.matMul(this, b, transposeA, transposeB); },
  matmul(b: TensorLike, transposeA?: boolean, transposeB?: boolean) { return la.matMul(this, b, transposeA, transposeB); },
  dot(b: TensorLike) { return la.dot(this, b); },
  // ---- nn ----
  conv2d(filter: TensorLike, strides: number | readonly [number, number], pad: nn.Padding, dataFormat?: "NHWC" | "NCHW", dilations?: number | readonly [number, number]) { return nn.conv2d(this, filter, strides, pad, dataFormat, dilations); },
  maxPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: nn.Padding) { return nn.maxPool(this, filterSize, strides, pad); },
  avgPool(filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: nn.Padding) { return nn.avgPool(this, filterSize, strides, pad); },
  // ---- activations and normalization ----
  relu() { return act.relu(this); },
  relu6() { return act.relu6(this); },
  sigmoid() { return act.sigmoid(this); },
  logSigmoid() { return act.logSigmoid(this); },
  elu(alpha?: number) { return act.elu(this, alpha); },
  selu() { return act.selu(this); },
  leakyRelu(alpha?: number) { return act.leakyRelu(this, alpha); },
  gelu(options?: act.GeluOptions) { return act.gelu(this, options); },
  softplus() { return act.softplus(this); },
  silu() { return act.silu(this); },
  softmax(axis?: number) { return norm.softmax(this, axis); },
  logSoftmax(axis?: number) { return norm.logSoftmax(this, axis); },
  // ---- random ----
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
