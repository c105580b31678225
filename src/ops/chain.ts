/**
 * Method chaining on Tensor (`x.matmul(w).add(b).relu()`): the common ops as methods. The ops sit above the
 * tensor layer, so they attach themselves here rather than Tensor importing them.
 */
import type { DType } from "../core/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { TensorLike } from "./convert.js";
import * as ew from "./elementwise.js";
import * as red from "./reduce.js";
import * as shp from "./shape.js";

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
    // ---- shape ----
    reshape(shape: readonly number[]): Tensor;
    // ---- linalg ----
    // ---- nn ----
    // ---- activations and normalization ----
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
  // ---- shape ----
  reshape(shape: readonly number[]) { return shp.reshape(this, shape); },
  // ---- linalg ----
  // ---- nn ----
  // ---- activations and normalization ----
  // ---- random ----
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
