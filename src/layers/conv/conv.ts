/**
 * Conv1D, Conv2D, Conv3D (Keras): a kernel of `filters` outputs convolved over 1, 2 or 3 spatial dimensions, with
 * optional groups, dilation and (Conv1D) causal padding, then bias and activation.
 */
import { getConstraint, serializeConstraint, type Constraint } from "../../constraints/index.js";
import { ValueError } from "../../core/errors.js";
import { getInitializer, serializeInitializer, type Initializer } from "../../initializers/index.js";
import { fused } from "../../ops/fused.js";
import { conv1d as conv1dOp, conv2d as conv2dOp, conv3d as conv3dOp } from "../../ops/nn.js";
import { getRegularizer, serializeRegularizer, type Regularizer } from "../../regularizers/index.js";
import type { Tensor, Variable } from "../../tensor/tensor.js";
import { configToOptions } from "../../utils/serialization.js";
import { registerLayer, type ConstraintIdentifier, type InitializerIdentifier, type LayerConfig, type RegularizerIdentifier } from "../layer.js";
import { BaseConv, type BaseConvArgs } from "./base.js";
import type { FusedActivationOptions } from "../fused-activation.js";
import { readPositiveInt } from "./utils.js";

/** Options of the layers with a `filters`-output kernel (Conv*, Conv2DTranspose). */
export interface FilterConvArgs extends BaseConvArgs {
  /** Number of output channels. */
  filters: number;
  /** Default "glorotUniform". */
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
}

/** Options of Conv1D, Conv2D and Conv3D. */
export interface ConvArgs extends FilterConvArgs {
  /** Splits the channels into this many groups, each convolved with filters / groups filters (default 1). */
  groups?: number;
}

export type Conv1DArgs = ConvArgs;
export type Conv2DArgs = ConvArgs;
export type Conv3DArgs = ConvArgs;

const FILTER_KEYS = ["filters", "kernelInitializer", "kernelRegularizer", "kernelConstraint"];

/** A convolution layer with a `kernel` weight of `filters` outputs. */
export abstract class FilterConv extends BaseConv {
  readonly filters: number;
  readonly kernelInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  /** The kernel weight, once built. */
  kernel: Variable | null = null;

  protected constructor(rank: number, args: FilterConvArgs, extraKeys: readonly string[], paddings?: readonly ("valid" | "same" | "causal")[]) {
    super(rank, args, [...FILTER_KEYS, ...extraKeys], paddings);
    const who = this.className;
    this.filters = readPositiveInt(args.filters, who, "filters");
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? "glorotUniform");
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer ?? null);
    this.kernelConstraint = getConstraint(args.kernelConstraint ?? null);
  }

  protected override outputChannels(): number {
    return this.filters;
  }

  /** Adds the `kernel` weight of this shape. */
  protected addKernel(shape: number[]): Variable {
    this.kernel = this.addWeight("kernel", shape, {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    return this.kernel;
  }

  /** The kernel, or a clear error when the layer is not built. */
  protected get builtKernel(): Variable {
    if (this.kernel === null) throw new ValueError(`${this.className}: the layer is not built yet; call it on an input first`);
    return this.kernel;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      kernelRegularizer: this.kernelRegularizer === null ? null : serializeRegularizer(this.kernelRegularizer),
      kernelConstraint: this.kernelConstraint === null ? null : serializeConstraint(this.kernelConstraint),
    };
  }
}

/** The N-d convolution layers (Keras's Conv1D/2D/3D). */
export abstract class Conv extends FilterConv {
  readonly groups: number;

  protected constructor(rank: number, args: ConvArgs) {
    super(rank, args, ["groups"], rank === 1 ? ["valid", "same", "causal"] : ["valid", "same"]);
    const who = this.className;
    this.groups = readPositiveInt(args.groups ?? 1, who, "groups");
    if (this.filters % this.groups !== 0) {
      throw new ValueError(`${who}: filters (${this.filters}) must be divisible by groups (${this.groups})`);
    }
  }

  protected override buildKernels(inputChannels: number): void {
    if (inputChannels % this.groups !== 0) {
      throw new ValueError(`${this.className}: the input's channels (${inputChannels}) must be divisible by groups (${this.groups})`);
    }
    this.addKernel([...this.kernelSize, inputChannels / this.groups, this.filters]);
  }

  /** A 1-d layer's padding as the ops take it. Causal: (k - 1)·d on the left only, so output t sees inputs up to t. */
  private padding1d(): "valid" | "same" | [readonly [number, number]] {
    return this.padding === "causal" ? [[this.windows[0] - 1, 0] as const] : (this.padding as "valid" | "same");
  }

  protected override convolve(x: Tensor): Tensor {
    const kernel = this.builtKernel;
    if (this.rank === 1) return conv1dOp(x, kernel, this.strides[0], this.padding1d(), "NWC", this.dilationRate[0]);
    const padding = this.padding as "valid" | "same";
    if (this.rank === 2) {
      return conv2dOp(x, kernel, this.strides as [number, number], padding, "NHWC", this.dilationRate as [number, number]);
    }
    return conv3dOp(x, kernel, this.strides as [number, number, number], padding, "NDHWC", this.dilationRate as [number, number, number]);
  }

  protected override convolveFused(x: Tensor, bias: Tensor | null, activation: FusedActivationOptions): Tensor {
    const filter = this.builtKernel;
    const epilogue = { ...activation, ...(bias === null ? {} : { bias }) };
    if (this.rank === 1) {
      return fused.conv1d({ x, filter, stride: this.strides[0], pad: this.padding1d(), dilation: this.dilationRate[0], ...epilogue });
    }
    const pad = this.padding as "valid" | "same";
    if (this.rank === 2) {
      return fused.conv2d({ x, filter, strides: this.strides as [number, number], pad, dilations: this.dilationRate as [number, number], ...epilogue });
    }
    return fused.conv3d({ x, filter, strides: this.strides as [number, number, number], pad, dilations: this.dilationRate as [number, number, number], ...epilogue });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), groups: this.groups };
  }
}

/** 1-d convolution over steps (Keras Conv1D); padding may be "causal". `tn.layers.conv1d({filters: 8, kernelSize: 3})` */
export class Conv1D extends Conv {
  static override readonly className = "Conv1D";
  constructor(args: Conv1DArgs) {
    super(1, args);
  }
  static fromConfig(config: LayerConfig): Conv1D {
    return new Conv1D(configToOptions(config, "Conv1D") as unknown as Conv1DArgs);
  }
}
registerLayer(Conv1D);

/** 2-d convolution over images (Keras Conv2D). `tn.layers.conv2d({filters: 32, kernelSize: 3, activation: "relu"})` */
export class Conv2D extends Conv {
  static override readonly className = "Conv2D";
  constructor(args: Conv2DArgs) {
    super(2, args);
  }
  static fromConfig(config: LayerConfig): Conv2D {
    return new Conv2D(configToOptions(config, "Conv2D") as unknown as Conv2DArgs);
  }
}
registerLayer(Conv2D);

/** 3-d convolution over volumes (Keras Conv3D). `tn.layers.conv3d({filters: 8, kernelSize: [3, 3, 3]})` */
export class Conv3D extends Conv {
  static override readonly className = "Conv3D";
  constructor(args: Conv3DArgs) {
    super(3, args);
  }
  static fromConfig(config: LayerConfig): Conv3D {
    return new Conv3D(configToOptions(config, "Conv3D") as unknown as Conv3DArgs);
  }
}
registerLayer(Conv3D);

/** A Conv1D layer. `tn.layers.conv1d({filters: 8, kernelSize: 3, padding: "causal"})` */
export function conv1d(args: Conv1DArgs): Conv1D {
  return new Conv1D(args);
}

/** A Conv2D layer. `tn.layers.conv2d({filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1]})` */
export function conv2d(args: Conv2DArgs): Conv2D {
  return new Conv2D(args);
}

/** A Conv3D layer. `tn.layers.conv3d({filters: 8, kernelSize: 3})` */
export function conv3d(args: Conv3DArgs): Conv3D {
  return new Conv3D(args);
}
