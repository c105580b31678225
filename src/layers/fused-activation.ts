/**
 * Which layer activations the fused ops (src/ops/fused.ts) apply inside the conv / matMul kernel: the built-in
 * activation functions are recognized by identity, with Keras's parameters (leakyRelu's slope 0.2, elu's 1).
 */
import { getActivation, type Activation } from "../activations/index.js";
import type { FusedActivation } from "../backend/primitives.js";

/** A fused op's activation options, as `fused.conv2d` / `fused.matMul` take them. */
export interface FusedActivationOptions {
  activation: FusedActivation;
  leakyreluAlpha?: number;
}

let table: Map<Activation, FusedActivationOptions> | null = null;

/** The fused form of a layer's activation, or null when it has none (softmax, gelu, custom functions, …). */
export function fusedActivationOf(fn: Activation): FusedActivationOptions | null {
  table ??= new Map<Activation, FusedActivationOptions>([
    [getActivation("linear"), { activation: "linear" }],
    [getActivation("relu"), { activation: "relu" }],
    [getActivation("relu6"), { activation: "relu6" }],
    [getActivation("elu"), { activation: "elu" }],
    [getActivation("sigmoid"), { activation: "sigmoid" }],
    [getActivation("tanh"), { activation: "tanh" }],
    [getActivation("leakyRelu"), { activation: "leakyrelu", leakyreluAlpha: 0.2 }],
  ]);
  return table.get(fn) ?? null;
}
