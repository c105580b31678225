/**
 * What every convolution layer shares (Keras's BaseConv without the kernel): kernel size, strides, padding, data
 * format, dilation, activation, bias and activity regularizer; rank and channel checks; the move to channels-last
 * around the op; bias, activation and output shape. Subclasses create their kernels and run their op.
 */
import { getActivation, serializeActivation, type Activation, type ActivationIdentifier } from "../../activations/index.js";
import { getConstraint, serializeConstraint, type Constraint } from "../../constraints/index.js";
import { ShapeError, ValueError } from "../../core/errors.js";
import { getInitializer, serializeInitializer, type Initializer } from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { getRegularizer, serializeRegularizer, type Regularizer } from "../../regularizers/index.js";
import type { Tensor, Variable } from "../../tensor/tensor.js";
import { readOptions } from "../../utils/serialization.js";
import { fusedActivationOf, type FusedActivationOptions } from "../fused-activation.js";
import {
  knownDim,
  Layer,
  singleInput,
  type CallOptions,
  type ConstraintIdentifier,
  type InitializerIdentifier,
  type LayerArgs,
  type LayerConfig,
  type RegularizerIdentifier,
} from "../layer.js";
import { formatSymbolicShape, type SymbolicShape } from "../symbolic.js";
import {
  assertSpatialRank,
  channelAxis,
  dilatedSize,
  fromChannelsLast,
  joinShape,
  LAYER_ARG_KEYS,
  readBool,
  readDataFormat,
  readIntTuple,
  readPadding,
  singleShape,
  spatialOutput,
  toChannelsLast,
  type DataFormat,
  type DataFormatName,
} from "./utils.js";

/** Options shared by the convolution layers. */
export interface BaseConvArgs extends LayerArgs {
  /** The window: one size for every spatial axis or one per axis (`3` or `[3, 3]`). */
  kernelSize: number | readonly number[];
  /** Step between windows (default 1). Values > 1 cannot be combined with a dilation > 1. */
  strides?: number | readonly number[];
  /** "valid" (default, no padding) or "same" (output size ceil(input / stride)); Conv1D also takes "causal". */
  padding?: "valid" | "same" | "causal";
  /** "channelsLast" (default) or "channelsFirst". */
  dataFormat?: DataFormatName;
  /** Spacing between kernel elements (default 1). */
  dilationRate?: number | readonly number[];
  /** Applied to the output (default linear). */
  activation?: ActivationIdentifier | null;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  biasInitializer?: InitializerIdentifier;
  biasRegularizer?: RegularizerIdentifier | null;
  /** A penalty on the layer's output, added to the loss. */
  activityRegularizer?: RegularizerIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

const BASE_KEYS = [
  ...LAYER_ARG_KEYS,
  "kernelSize",
  "strides",
  "padding",
  "dataFormat",
  "dilationRate",
  "activation",
  "useBias",
  "biasInitializer",
  "biasRegularizer",
  "activityRegularizer",
  "biasConstraint",
] as const;

export abstract class BaseConv extends Layer {
  /** Number of spatial dimensions (1, 2 or 3). */
  readonly rank: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same" | "causal";
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly biasInitializer: Initializer;
  readonly biasRegularizer: Regularizer | null;
  readonly activityRegularizer: Regularizer | null;
  readonly biasConstraint: Constraint | null;
  /** The bias weight, once built (null without a bias). */
  bias: Variable | null = null;
  /** Input channels seen at build; later inputs must have as many. */
  protected inputChannels: number | null = null;

  /**
   * `extraKeys` are the subclass's own option names (for the unknown-option check); `paddings` the padding names
   * the layer accepts.
   */
  protected constructor(rank: number, args: BaseConvArgs, extraKeys: readonly string[], paddings: readonly ("valid" | "same" | "causal")[] = ["valid", "same"]) {
    super(args);
    const who = this.className;
    readOptions(args, who, [...BASE_KEYS, ...extraKeys]);
    this.rank = rank;
    this.kernelSize = readIntTuple(args.kernelSize, rank, who, "kernelSize");
    this.strides = readIntTuple(args.strides ?? 1, rank, who, "strides");
    this.padding = readPadding(args.padding, paddings, who);
    this.dataFormat = readDataFormat(args.dataFormat, who);
    this.dilationRate = readIntTuple(args.dilationRate ?? 1, rank, who, "dilationRate");
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new ValueError(
        `${who}: strides > 1 cannot be combined with dilationRate > 1 (as Keras), got strides ${JSON.stringify(this.strides)} and dilationRate ${JSON.stringify(this.dilationRate)}`,
      );
    }
    this.activation = getActivation(args.activation);
    this.useBias = readBool(args.useBias, true, who, "useBias");
    this.biasInitializer = getInitializer(args.biasInitializer ?? "zeros");
    this.biasRegularizer = getRegularizer(args.biasRegularizer ?? null);
    this.activityRegularizer = getRegularizer(args.activityRegularizer ?? null);
    this.biasConstraint = getConstraint(args.biasConstraint ?? null);
  }

  /** The axis holding the channels (-1 for channels-last). */
  protected get channelAxisIndex(): number {
    return channelAxis(this.rank, this.dataFormat);
  }

  /** The window extents after dilation. */
  protected get windows(): number[] {
    return this.kernelSize.map((k, i) => dilatedSize(k, this.dilationRate[i]));
  }

  /** Output channels for `inputChannels` input channels (null when unknown). */
  protected abstract outputChannels(inputChannels: number | null): number | null;

  /** Creates the kernels (and checks the channel count) for this many input channels. */
  protected abstract buildKernels(inputChannels: number): void;

  /** The convolution without bias or activation, on a channels-last input. */
  protected abstract convolve(x: Tensor): Tensor;

  /**
   * `activation(convolve(x) + bias)` in one fused op (bias and activation applied while the output is in cache),
   * or null where the layer has no fused form (the default): then call() composes the three.
   */
  protected convolveFused(x: Tensor, bias: Tensor | null, activation: FusedActivationOptions): Tensor | null {
    void x;
    void bias;
    void activation;
    return null;
  }

  /** The spatial output sizes for an input shape (Keras's formula). */
  protected outputSpatial(shape: SymbolicShape): (number | null)[] {
    return spatialOutput(shape, this.rank, this.dataFormat, this.windows, this.strides, this.padding, this.className, "dilated kernel");
  }

  protected override assertInputCompatible(shapes: readonly SymbolicShape[]): void {
    if (shapes.length !== 1) throw new ValueError(`${this.className}: expects a single input tensor, got ${shapes.length}`);
    const shape = shapes[0];
    assertSpatialRank(shape, this.rank, this.dataFormat, this.className);
    const c = shape[this.channelAxisIndex];
    if (this.inputChannels !== null && c !== null && c !== this.inputChannels) {
      const axis = this.dataFormat === "channelsLast" ? -1 : 1;
      throw new ShapeError(
        `${this.className}: expected input with ${this.inputChannels} channels (axis ${axis}), as when the layer was built, got shape ${formatSymbolicShape(shape)}`,
      );
    }
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(inputShape, this.className);
    assertSpatialRank(shape, this.rank, this.dataFormat, this.className);
    const channels = knownDim(shape, this.channelAxisIndex, this.className, "channels");
    this.outputSpatial(shape);
    this.buildKernels(channels);
    const outChannels = this.outputChannels(channels);
    if (this.useBias && outChannels !== null) {
      this.bias = this.addWeight("bias", [outChannels], {
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
    this.inputChannels = channels;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions): Tensor {
    void options;
    const x = toChannelsLast(singleInput(inputs, this.className), this.rank, this.dataFormat);
    const fusedActivation = fusedActivationOf(this.activation);
    // The fused activations are elementwise, so applying them channels-last changes nothing.
    let y = fusedActivation === null ? null : this.convolveFused(x, this.bias, fusedActivation);
    if (y !== null) {
      y = fromChannelsLast(y, this.rank, this.dataFormat);
    } else {
      y = this.convolve(x);
      if (this.bias !== null) y = add(y, this.bias);
      // Keras applies the activation in the data format (softmax runs over the last axis).
      y = this.activation(fromChannelsLast(y, this.rank, this.dataFormat));
    }
    if (this.activityRegularizer !== null) this.addLoss(this.activityRegularizer.apply(y));
    return y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(inputShape, this.className);
    assertSpatialRank(shape, this.rank, this.dataFormat, this.className);
    const spatial = this.outputSpatial(shape);
    return joinShape(shape[0], spatial, this.outputChannels(shape[this.channelAxisIndex]), this.dataFormat);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: [...this.dilationRate],
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      biasInitializer: serializeInitializer(this.biasInitializer),
      biasRegularizer: this.biasRegularizer === null ? null : serializeRegularizer(this.biasRegularizer),
      activityRegularizer: this.activityRegularizer === null ? null : serializeRegularizer(this.activityRegularizer),
      biasConstraint: this.biasConstraint === null ? null : serializeConstraint(this.biasConstraint),
    };
  }
}
