/** Dense: `activation(x · kernel + bias)` on the last axis of inputs of any rank >= 2 (Keras's Dense). */
import type { Activation, ActivationIdentifier } from "../../activations/index.js";
import type { Constraint } from "../../constraints/index.js";
import { ValueError } from "../../core/errors.js";
import type { Initializer } from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { fused } from "../../ops/fused.js";
import { matMul } from "../../ops/linalg.js";
import { reshape } from "../../ops/shape.js";
import type { Regularizer } from "../../regularizers/index.js";
import type { Tensor, Variable } from "../../tensor/tensor.js";
import {
  knownDim,
  Layer,
  registerLayer,
  singleInput,
  type CallOptions,
  type ConstraintIdentifier,
  type InitializerIdentifier,
  type LayerArgs,
  type LayerConfig,
  type RegularizerIdentifier,
} from "../layer.js";
import { fusedActivationOf } from "../fused-activation.js";
import type { SymbolicShape } from "../symbolic.js";
import {
  activationConfig,
  checkArgs,
  checkMinRank,
  configArgs,
  constraintConfig,
  formatShape,
  initializerConfig,
  readActivation,
  readBool,
  readConstraint,
  readInitializer,
  readPositiveInt,
  readRegularizer,
  regularizerConfig,
} from "./common.js";

export interface DenseArgs extends LayerArgs {
  /** Output size (the last dimension of the output). */
  units: number;
  /** Activation name or function; linear when absent. */
  activation?: ActivationIdentifier | null;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** A penalty on the layer's output, added to the loss with `addLoss` on each call. */
  activityRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** TF.js: the input's last dimension, as a shortcut for `inputShape: [inputDim]`. */
  inputDim?: number;
}

const KEYS = [
  "units",
  "activation",
  "useBias",
  "kernelInitializer",
  "biasInitializer",
  "kernelRegularizer",
  "biasRegularizer",
  "activityRegularizer",
  "kernelConstraint",
  "biasConstraint",
  "inputDim",
];

/** A densely connected layer. `tn.layers.dense({units: 10, activation: "relu"})` */
export class Dense extends Layer {
  static override readonly className = "Dense";
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly activityRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  private kernelVar: Variable | null = null;
  private biasVar: Variable | null = null;

  constructor(args: DenseArgs) {
    const a = checkArgs(args, "Dense", KEYS);
    super(Dense.baseArgs(a));
    this.units = readPositiveInt(a.units, "Dense", "units");
    this.activation = readActivation(a.activation, "Dense");
    this.useBias = readBool(a.useBias, true, "Dense", "useBias");
    this.kernelInitializer = readInitializer(a.kernelInitializer, "glorotUniform", "Dense", "kernelInitializer");
    this.biasInitializer = readInitializer(a.biasInitializer, "zeros", "Dense", "biasInitializer");
    this.kernelRegularizer = readRegularizer(a.kernelRegularizer, "Dense", "kernelRegularizer");
    this.biasRegularizer = readRegularizer(a.biasRegularizer, "Dense", "biasRegularizer");
    this.activityRegularizer = readRegularizer(a.activityRegularizer, "Dense", "activityRegularizer");
    this.kernelConstraint = readConstraint(a.kernelConstraint, "Dense", "kernelConstraint");
    this.biasConstraint = readConstraint(a.biasConstraint, "Dense", "biasConstraint");
    this.supportsMasking = true;
  }

  /** TF.js's `inputDim` becomes `batchInputShape: [batchSize, inputDim]` when no input shape is given. */
  private static baseArgs(a: DenseArgs): LayerArgs {
    if (a.inputDim === undefined) return a;
    readPositiveInt(a.inputDim, "Dense", "inputDim");
    if (a.inputShape !== undefined || a.batchInputShape !== undefined) return a;
    return { ...a, inputShape: [a.inputDim] };
  }

  /** The kernel, [inputDim, units] (after build). */
  get kernel(): Variable {
    if (this.kernelVar === null) throw new ValueError(`${this.name}: the kernel does not exist until the layer is built (call it on an input first)`);
    return this.kernelVar;
  }

  /** The bias, [units] (after build; null when useBias is false). */
  get bias(): Variable | null {
    return this.biasVar;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const inputDim = knownDim(shape, -1, `Dense '${this.name}'`, "last");
    this.kernelVar = this.addWeight("kernel", [inputDim, this.units], {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (this.useBias) {
      this.biasVar = this.addWeight("bias", [this.units], {
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  protected override assertInputCompatible(shapes: readonly SymbolicShape[]): void {
    if (shapes.length !== 1) throw new ValueError(`Dense '${this.name}': expects a single input tensor, got a list of ${shapes.length}`);
    const shape = shapes[0];
    checkMinRank(shape, 2, `Dense '${this.name}'`);
    const last = shape[shape.length - 1];
    if (this.kernelVar !== null && last !== null && last !== this.kernelVar.shape[0]) {
      throw new ValueError(
        `Dense '${this.name}': expected the input's last dimension to be ${this.kernelVar.shape[0]} (the layer was built for inputs ` +
          `of that size; its kernel is [${this.kernelVar.shape.join(", ")}]), got input shape ${formatShape(shape)}`,
      );
    }
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions): Tensor {
    void options;
    const x = singleInput(inputs, this.name);
    const kernel = this.kernel;
    // N-D inputs: one matMul over all leading positions (reshapes share memory).
    const lead = x.shape.slice(0, -1);
    const a = x.rank === 2 ? x : reshape(x, [lead.reduce((p, d) => p * d, 1), kernel.shape[0]]);
    const fusedActivation = fusedActivationOf(this.activation);
    let y: Tensor;
    if (fusedActivation !== null) {
      // Bias and activation applied to the product while it is in cache (one op instead of three).
      y = fused.matMul({ a, b: kernel, ...fusedActivation, ...(this.biasVar === null ? {} : { bias: this.biasVar }) });
    } else {
      y = matMul(a, kernel);
      if (this.biasVar !== null) y = add(y, this.biasVar);
    }
    if (x.rank !== 2) y = reshape(y, [...lead, this.units]);
    if (fusedActivation === null) y = this.activation(y);
    if (this.activityRegularizer !== null) this.addLoss(this.activityRegularizer.apply(y));
    return y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    checkMinRank(shape, 2, `Dense '${this.name}'`);
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationConfig(this.activation, "Dense"),
      useBias: this.useBias,
      kernelInitializer: initializerConfig(this.kernelInitializer),
      biasInitializer: initializerConfig(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      activityRegularizer: regularizerConfig(this.activityRegularizer),
      kernelConstraint: constraintConfig(this.kernelConstraint),
      biasConstraint: constraintConfig(this.biasConstraint),
    };
  }

  static fromConfig(config: LayerConfig): Dense {
    return new Dense(configArgs<DenseArgs>(config, "Dense"));
  }
}
registerLayer(Dense);

/** A densely connected layer. `tn.layers.dense({units: 512, activation: "relu", inputShape: [784]})` */
export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}
