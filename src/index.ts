/**
 * Tensile: deep learning for TypeScript. `import * as tn from "tensile"` gives the whole public API.
 */
import "./backend/cpu/index.js";
import "./ops/chain.js";
import "./autograd/backward.js";

export type { DType, FloatDType, TypedArray } from "./core/dtype.js";
export { promoteTypes } from "./core/dtype.js";
export * from "./core/errors.js";
export type { Shape } from "./core/shape.js";

export { Tensor, Variable } from "./tensor/tensor.js";
export type { NestedArray } from "./tensor/format.js";
export { tidy, keep } from "./tensor/scope.js";
export { memory, type MemoryInfo } from "./tensor/memory.js";
export { noGrad } from "./tensor/graph.js";

export type { Backend, KernelTensor, Kernel, KernelTable } from "./backend/backend.js";
export { setBackend, getBackend, backends, backendInfo, registerBackend, type BackendInfo } from "./backend/registry.js";
export type { Primitive } from "./backend/primitives.js";

export { tensor, scalar, type TensorLike, type NestedValues } from "./ops/convert.js";
export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export * from "./ops/activations.js";
export * from "./ops/reduce.js";
export * from "./ops/linalg.js";
export * from "./ops/shape.js";
export * from "./ops/nn.js";
export * from "./ops/normalization.js";
export * from "./ops/losses.js";
export * from "./ops/random.js";
export * from "./ops/rnn.js";
export {
  fused,
  type FusedActivationName,
  type FusedEpilogueArgs,
  type FusedConv1DArgs,
  type FusedConv2DArgs,
  type FusedConv3DArgs,
  type FusedMatMulArgs,
} from "./ops/fused.js";

export { GradientTape, type GradientTapeOptions, type GradientOptions } from "./autograd/gradient-tape.js";
export { grad, grads, valueAndGrad, valueAndGrads, vjp, variableGrads, customGrad } from "./autograd/functional.js";
export { zeroGrad, type BackwardOptions } from "./autograd/backward.js";

export * as layers from "./layers/index.js";
export { input, SymbolicTensor, type SymbolicShape } from "./layers/index.js";
export { Model, model, Sequential, sequential } from "./models/index.js";
export type { ModelArgs, SequentialArgs, CompileOptions, FitOptions, EvaluateOptions, PredictOptions, ModelData, SummaryOptions } from "./models/index.js";
export * as callbacks from "./callbacks/index.js";
export * as optimizers from "./optimizers/index.js";
export * as losses from "./losses/index.js";
export * as metrics from "./metrics/index.js";
export * as initializers from "./initializers/index.js";
export * as regularizers from "./regularizers/index.js";
export * as constraints from "./constraints/index.js";
export * as activations from "./activations/index.js";
export * as utils from "./utils/index.js";
/** The dataset file parsers (IDX, CIFAR, gzip, tar); on Node, `tn.datasets` adds the loaders (src/node.ts). */
export * as datasets from "./data/datasets/index.js";
export * as data from "./data/index.js";
export * as image from "./data/image/index.js";
export * as io from "./io/index.js";
export { loadModel } from "./io/index.js";
