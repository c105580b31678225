/**
 * The Layer base class (Keras's `Layer`): weights created in `build(inputShape)` with `addWeight`, the computation in
 * `call(inputs, {training, mask})`, the output shape in `computeOutputShape`, and a config for serialization.
 * `apply` runs a layer eagerly on tensors, or symbolically on `SymbolicTensor`s to build a functional model.
 */
import type { DType, FloatDType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import { describeValue, toTensor, type TensorLike } from "../ops/convert.js";
import { variable, zeros } from "../ops/creation.js";
import { add } from "../ops/elementwise.js";
import { noGrad } from "../tensor/graph.js";
import { tidy } from "../tensor/scope.js";
import { Tensor, Variable } from "../tensor/tensor.js";
import { getConstraint, type Constraint } from "../constraints/index.js";
import { getInitializer } from "../initializers/index.js";
import { getRegularizer, type Regularizer } from "../regularizers/index.js";
import { formatSymbolicShape, isSymbolic, LayerNode, SymbolicTensor, type SymbolicShape } from "./symbolic.js";

export type InitializerIdentifier = Parameters<typeof getInitializer>[0];
export type RegularizerIdentifier = Parameters<typeof getRegularizer>[0];
export type ConstraintIdentifier = Parameters<typeof getConstraint>[0];

/** A mask for one input (true = keep the timestep), or one per input. */
export type Mask = Tensor | null;

export interface LayerArgs {
  /** Unique name; defaults to the snake-case class name plus a counter (`dense`, `dense_1`). */
  name?: string;
  trainable?: boolean;
  /** Input shape without the batch dimension (`[784]`); lets a Sequential model build at once. */
  inputShape?: SymbolicShape;
  /** Input shape with the batch dimension (`[null, 784]`). */
  batchInputShape?: SymbolicShape;
  /** Fixed batch size, with `inputShape`. */
  batchSize?: number;
  /** dtype of the weights and computation (float32 by default). */
  dtype?: FloatDType;
}

/** Options of `call` and `apply`. Layers with more arguments (RNN `initialState`, attention masks) extend it. */
export interface CallOptions {
  /** Training mode (dropout active, batch statistics updated). Defaults to false outside `fit`. */
  training?: boolean;
  mask?: Mask | Mask[];
}

export interface AddWeightOptions {
  dtype?: FloatDType;
  initializer?: InitializerIdentifier;
  regularizer?: RegularizerIdentifier | null;
  constraint?: ConstraintIdentifier | null;
  trainable?: boolean;
}

/** A JSON-able layer configuration (camelCase keys, as the layer's constructor options). */
export type LayerConfig = { [key: string]: unknown };

export interface SerializedLayer {
  className: string;
  config: LayerConfig;
}

interface WeightRecord {
  variable: Variable;
  trainable: boolean;
  regularizer: Regularizer | null;
  constraint: Constraint | null;
}

// ---- names --------------------------------------------------------------------------------------------------

const nameCounts = new Map<string, number>();

/** Keras's snake case for default names: `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** A fresh name from `base`: `dense`, then `dense_1`, `dense_2`… */
export function uniqueName(base: string): string {
  const count = nameCounts.get(base) ?? 0;
  nameCounts.set(base, count + 1);
  return count === 0 ? base : `${base}_${count}`;
}

/** Resets the automatic layer names (Keras's `clear_session`), so a rebuilt model gets the same names. */
export function clearSession(): void {
  nameCounts.clear();
}

// ---- masks attached to eager outputs (Keras's `_keras_mask`) ------------------------------------------------

const eagerMasks = new WeakMap<Tensor, Tensor>();

/** The mask a masking layer attached to `t`, if any. */
export function maskOf(t: Tensor): Tensor | null {
  return eagerMasks.get(t) ?? null;
}

/** Attaches a mask to `t`, which later layers receive as their `mask` (Keras's `_keras_mask`). */
export function setMask(t: Tensor, mask: Tensor): void {
  eagerMasks.set(t, mask);
}

/** How many `apply` calls are running (a layer inside a model runs inside the model's call). */
let eagerCallDepth = 0;

// ---- helpers for subclasses ---------------------------------------------------------------------------------

/** The single input of a layer that takes one tensor; a clear error for a list. */
export function singleInput<T>(inputs: T | T[], layer: string): T {
  if (Array.isArray(inputs)) {
    if (inputs.length === 1) return inputs[0];
    throw new ValueError(`${layer}: expects a single input tensor, got a list of ${inputs.length}`);
  }
  return inputs;
}

/** The list of inputs of a layer that takes several (merge layers); a clear error otherwise. */
export function inputList<T>(inputs: T | T[], layer: string, min = 1): T[] {
  if (!Array.isArray(inputs)) throw new ValueError(`${layer}: expects a list of input tensors, got a single tensor`);
  if (inputs.length < min) throw new ValueError(`${layer}: expects at least ${min} inputs, got ${inputs.length}`);
  return inputs;
}

function isShapeList(shape: SymbolicShape | SymbolicShape[]): shape is SymbolicShape[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}

/** Symbolic tensors inside call options (top-level values or arrays of them), in a stable order. */
function symbolicOptions(options: Readonly<Record<string, unknown>>): SymbolicTensor[] {
  const found: SymbolicTensor[] = [];
  for (const key of Object.keys(options).sort()) {
    const value = options[key];
    if (isSymbolic(value)) found.push(value);
    else if (Array.isArray(value)) for (const v of value) if (isSymbolic(v)) found.push(v);
  }
  return found;
}

/** Replaces the symbolic tensors in call options with their values (same order as `symbolicOptions`). */
export function resolveOptions(
  options: Readonly<Record<string, unknown>>,
  valueOf: (s: SymbolicTensor) => Tensor,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (isSymbolic(value)) out[key] = valueOf(value);
    else if (Array.isArray(value)) out[key] = value.map((v: unknown) => (isSymbolic(v) ? valueOf(v) : v));
    else out[key] = value;
  }
  return out;
}

// ---- the registry of layer classes --------------------------------------------------------------------------

/** A layer class that can be rebuilt from its config. */
export interface LayerClass {
  readonly className: string;
  fromConfig(config: LayerConfig): Layer;
}

const layerRegistry = new Map<string, LayerClass>();

/** Registers a layer class for deserialization (`fromConfig`, model files). Custom layers must be registered. */
export function registerLayer(cls: LayerClass): void {
  if (typeof cls?.className !== "string" || cls.className.length === 0 || typeof cls.fromConfig !== "function") {
    throw new ValueError(`registerLayer: expects a class with a static className and fromConfig, got ${describeValue(cls)}`);
  }
  layerRegistry.set(cls.className, cls);
}

/** The registered class named `className`, or a clear error (nothing outside the registry is ever resolved). */
export function getLayerClass(className: string): LayerClass {
  const cls = layerRegistry.get(className);
  if (cls === undefined) {
    throw new ValueError(
      `unknown layer class '${className}': register custom layers with tn.layers.registerLayer(YourLayer) before loading`,
    );
  }
  return cls;
}

/** `{className, config}` of a layer. */
export function serializeLayer(layer: Layer): SerializedLayer {
  return { className: layer.className, config: layer.getConfig() };
}

/** Rebuilds a layer from `{className, config}` through the registry. */
export function deserializeLayer(serialized: SerializedLayer): Layer {
  if (typeof serialized !== "object" || serialized === null || typeof serialized.className !== "string") {
    throw new ValueError(`deserializeLayer: expects {className, config}, got ${describeValue(serialized)}`);
  }
  return getLayerClass(serialized.className).fromConfig(serialized.config ?? {});
}

// ---- Layer --------------------------------------------------------------------------------------------------

export abstract class Layer {
  /** The class name used in configs and files (Keras's): set by each subclass. */
  static readonly className: string = "Layer";

  readonly name: string;
  readonly dtype: FloatDType;
  built = false;
  /** Whether the layer accepts and propagates masks (Keras's `supports_masking`). */
  supportsMasking = false;
  /** Whether eager inputs are cast to the layer's dtype (Keras's autocast; integer images become float32). Layers
   *  that consume integers (embedding) or pass inputs to other layers (models) turn it off. */
  protected castInputs = true;
  /** Input shape with batch dimension, when given in the constructor (`inputShape`/`batchInputShape`). */
  readonly batchInputShape: SymbolicShape | null;
  /** The calls of this layer on symbolic tensors. */
  readonly inboundNodes: LayerNode[] = [];

  private ownWeights: WeightRecord[] = [];
  private trainableFlag: boolean;
  private callLosses: Tensor[] = [];
  private lossFns: (() => Tensor)[] = [];

  constructor(args: LayerArgs = {}) {
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new ValueError(`${this.className}: options must be an object, got ${describeValue(args)}`);
    }
    if (args.name !== undefined && (typeof args.name !== "string" || args.name.length === 0)) {
      throw new ValueError(`${this.className}: name must be a non-empty string, got ${describeValue(args.name)}`);
    }
    if (args.dtype !== undefined && args.dtype !== "float32" && args.dtype !== "float64") {
      throw new ValueError(`${this.className}: dtype must be 'float32' or 'float64', got ${describeValue(args.dtype)}`);
    }
    // A subclass without its own className (a user's model or layer) is named after its JS class, as Keras does.
    const ownName = Object.prototype.hasOwnProperty.call(this.constructor, "className") ? this.className : this.constructor.name;
    this.name = args.name ?? uniqueName(toSnakeCase(ownName));
    this.dtype = args.dtype ?? "float32";
    this.trainableFlag = args.trainable ?? true;
    this.batchInputShape = Layer.batchShapeFromArgs(args, this.className);
  }

  private static batchShapeFromArgs(args: LayerArgs, who: string): SymbolicShape | null {
    const check = (shape: unknown, arg: string): SymbolicShape => {
      if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0))) {
        throw new ValueError(`${who}: ${arg} must be an array of non-negative integers or null, got ${describeValue(shape)}`);
      }
      return shape as SymbolicShape;
    };
    if (args.batchInputShape !== undefined) return check(args.batchInputShape, "batchInputShape");
    if (args.inputShape !== undefined) {
      const shape = check(args.inputShape, "inputShape");
      if (args.batchSize !== undefined && !(Number.isInteger(args.batchSize) && args.batchSize > 0)) {
        throw new ValueError(`${who}: batchSize must be a positive integer, got ${describeValue(args.batchSize)}`);
      }
      return [args.batchSize ?? null, ...shape];
    }
    return null;
  }

  /** The class name in configs and files (the static `className` of the concrete class). */
  get className(): string {
    return (this.constructor as unknown as LayerClass).className;
  }

  // ---- weights ----------------------------------------------------------------------------------------------

  /** Creates a weight (a Variable named `layer/name`). Call it from `build`. */
  protected addWeight(name: string, shape: readonly number[], options: AddWeightOptions = {}): Variable {
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`${this.name}: weight '${name}' needs a fully known shape, got ${formatShape(shape)}`);
    }
    const trainable = options.trainable ?? true;
    const initializer = getInitializer(options.initializer ?? (trainable ? "glorotUniform" : "zeros"));
    const dtype = options.dtype ?? this.dtype;
    const value = noGrad(() => initializer.apply(shape, dtype));
    const v = variable(value, { name: `${this.name}/${name}`, trainable: trainable && this.trainableFlag });
    this.ownWeights.push({
      variable: v,
      trainable,
      regularizer: options.regularizer == null ? null : getRegularizer(options.regularizer),
      constraint: options.constraint == null ? null : getConstraint(options.constraint),
    });
    return v;
  }

  /** Layers this layer owns (assigned to its properties, directly or in arrays), whose weights it includes. */
  get trackedLayers(): Layer[] {
    // Walked several times per training step: `for…in` and a list scan allocate nothing but the result.
    const found: Layer[] = [];
    const props = this as Record<string, unknown>;
    for (const key in props) {
      if (!Object.hasOwn(props, key)) continue;
      const value = props[key];
      if (value instanceof Layer) addTracked(found, value, this);
      else if (Array.isArray(value)) for (const v of value) if (v instanceof Layer) addTracked(found, v, this);
    }
    return found;
  }

  /** This layer and every layer below it (tracked sublayers, recursively), each once, parents first. */
  selfAndSublayers(): Layer[] {
    const order: Layer[] = [];
    const seen = new Set<Layer>();
    const pending: Layer[] = [this];
    while (pending.length > 0) {
      const layer = pending.pop() as Layer;
      if (seen.has(layer)) continue;
      seen.add(layer);
      order.push(layer);
      const subs = layer.trackedLayers;
      for (let i = subs.length - 1; i >= 0; i--) pending.push(subs[i]);
    }
    return order;
  }

  private collectWeights(filter: (r: WeightRecord) => boolean): Variable[] {
    const out = new Set<Variable>();
    for (const layer of this.selfAndSublayers()) for (const r of layer.ownWeights) if (filter(r)) out.add(r.variable);
    return [...out];
  }

  /** Whether the layer's weights are updated by training. Setting it applies to every sublayer (Keras). */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const r of this.ownWeights) r.variable.trainable = value && r.trainable;
    for (const sub of this.trackedLayers) sub.trainable = value;
  }

  /** Every weight, trainable ones first (Keras order). */
  get weights(): Variable[] {
    return [...this.trainableWeights, ...this.nonTrainableWeights];
  }

  get trainableWeights(): Variable[] {
    return this.collectWeights((r) => r.variable.trainable);
  }

  get nonTrainableWeights(): Variable[] {
    return this.collectWeights((r) => !r.variable.trainable);
  }

  /** The weights' current values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.snapshot());
  }

  /** Sets every weight, in `weights` order, checking count and shapes. */
  setWeights(values: readonly TensorLike[]): void {
    const ws = this.weights;
    if (!Array.isArray(values) || values.length !== ws.length) {
      throw new ValueError(
        `${this.name}.setWeights: expected ${ws.length} arrays (${ws.map((w) => `${w.name} ${formatShape(w.shape)}`).join(", ")}), got ${Array.isArray(values) ? values.length : describeValue(values)}`,
      );
    }
    const tensors = values.map((v, i) => toTensor(v, `${this.name}.setWeights`, `weights[${i}]`, ws[i].dtype));
    tensors.forEach((t, i) => {
      if (!shapesEqual(t.shape, ws[i].shape)) {
        throw new ValueError(
          `${this.name}.setWeights: weight ${ws[i].name} has shape ${formatShape(ws[i].shape)}, got ${formatShape(t.shape)}`,
        );
      }
    });
    tensors.forEach((t, i) => ws[i].assign(t.dtype === ws[i].dtype ? t : t.cast(ws[i].dtype)));
  }

  /** The number of scalars in all weights. */
  countParams(): number {
    if (!this.built && this.weights.length === 0) {
      throw new ValueError(`${this.name}.countParams: the layer is not built yet; call it on an input (or give inputShape) first`);
    }
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** Applies each weight's constraint (after an optimizer step). */
  applyConstraints(): void {
    for (const layer of this.selfAndSublayers()) {
      for (const r of layer.ownWeights) {
        const constraint = r.constraint;
        if (constraint !== null) noGrad(() => tidy(() => r.variable.assign(constraint.apply(r.variable))));
      }
    }
  }

  // ---- losses -----------------------------------------------------------------------------------------------

  /** Adds a loss computed during `call` (activity regularization), or a function computing one. */
  addLoss(loss: Tensor | (() => Tensor)): void {
    if (typeof loss === "function") this.lossFns.push(loss);
    else this.callLosses.push(loss);
  }

  /** Extra losses: weight regularization penalties (computed now) and losses added by the last call, sublayers'
   * included. A training step adds their sum to the loss. */
  get losses(): Tensor[] {
    const out: Tensor[] = [];
    for (const layer of this.selfAndSublayers()) {
      for (const r of layer.ownWeights) if (r.regularizer !== null) out.push(r.regularizer.apply(r.variable));
      out.push(...layer.callLosses);
      for (const fn of layer.lossFns) out.push(fn());
    }
    return out;
  }

  /** Forgets the losses added by earlier calls (done before each training step). */
  clearCallLosses(): void {
    for (const layer of this.selfAndSublayers()) layer.callLosses = [];
  }

  // ---- the computation --------------------------------------------------------------------------------------

  /** Creates the weights for inputs of this shape (batch dimension included, possibly null). */
  build(inputShape: SymbolicShape | SymbolicShape[]): void {
    void inputShape;
    this.built = true;
  }

  /** The computation. Called by `apply`, after `build`. */
  abstract call(inputs: Tensor | Tensor[], options: CallOptions): Tensor | Tensor[];

  /**
   * The output shape for inputs of this shape. The default runs `call` on zeros (unknown dimensions set to 1) and
   * reads the result's shape, with the batch dimension kept unknown; layers override it when they can say directly.
   */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape];
    const unknownBatch = shapes.some((s) => s.length > 0 && s[0] === null);
    const concrete = (s: SymbolicShape): number[] => s.map((d) => (d === null ? 1 : d));
    let returnsList = false;
    const outShapes = noGrad(() =>
      tidy(() => {
        const xs = shapes.map((s) => zeros(concrete(s), this.dtype));
        const out = this.call(isShapeList(inputShape) ? xs : xs[0], { training: false });
        returnsList = Array.isArray(out);
        return (Array.isArray(out) ? out : [out]).map((t) => t.shape);
      }),
    );
    const symbolic = outShapes.map((s): SymbolicShape => (unknownBatch && s.length > 0 ? [null, ...s.slice(1)] : s));
    return returnsList ? symbolic : symbolic[0];
  }

  /** The dtype of outputs for symbolic inputs (the layer's dtype; shape layers keep their input's). */
  computeOutputDType(inputDTypes: readonly DType[]): DType {
    void inputDTypes;
    return this.dtype;
  }

  /** The output mask: by default the input mask passes through when the layer supports masking. */
  computeMask(inputs: Tensor | Tensor[], mask: Mask | Mask[] | undefined): Mask | Mask[] {
    void inputs;
    if (!this.supportsMasking) return null;
    return mask ?? null;
  }

  /** Checks inputs before build/call (rank, last dimension…): override to give Keras's errors. */
  protected assertInputCompatible(shapes: readonly SymbolicShape[]): void {
    void shapes;
  }

  /**
   * Runs the layer. On tensors (or arrays/numbers), builds it on first use and returns tensors; on symbolic
   * tensors, records a node of a functional model and returns symbolic outputs.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[], options?: CallOptions): SymbolicTensor;
  apply(inputs: TensorLike | Tensor[], options?: CallOptions): Tensor;
  apply(inputs: SymbolicTensor | SymbolicTensor[] | TensorLike | Tensor[], options: CallOptions = {}): SymbolicTensor | Tensor {
    const out = this.applyMulti(inputs as Tensor, options);
    if (out.length !== 1) {
      throw new ValueError(`${this.name}: returns ${out.length} outputs; use applyMulti to get them all`);
    }
    return out[0];
  }

  /** `apply` for layers with several outputs (an RNN with `returnState`, a multi-output model). */
  applyMulti(inputs: SymbolicTensor | SymbolicTensor[], options?: CallOptions): SymbolicTensor[];
  applyMulti(inputs: TensorLike | Tensor[], options?: CallOptions): Tensor[];
  applyMulti(inputs: SymbolicTensor | SymbolicTensor[] | TensorLike | Tensor[], options: CallOptions = {}): SymbolicTensor[] | Tensor[] {
    if (typeof options !== "object" || options === null) {
      throw new ValueError(`${this.name}: call options must be an object, got ${describeValue(options)}`);
    }
    const list = Array.isArray(inputs) && inputs.length > 0 && (inputs[0] instanceof Tensor || isSymbolic(inputs[0]));
    const items = (list ? inputs : [inputs]) as unknown[];
    const symbolicCount = items.filter(isSymbolic).length;
    if (symbolicCount > 0 || symbolicOptions(options as Record<string, unknown>).length > 0) {
      if (symbolicCount !== items.length) {
        throw new ValueError(`${this.name}: cannot mix symbolic tensors (from tn.input) and concrete tensors in one call`);
      }
      return this.applySymbolic(items as SymbolicTensor[], !list, options);
    }
    const tensors = items.map((x, i) => toTensor(x as TensorLike, this.name, list ? `inputs[${i}]` : "inputs"));
    return this.applyEager(tensors, !list, options);
  }

  private buildFor(shapes: SymbolicShape[], single: boolean): void {
    this.assertInputCompatible(shapes);
    if (!this.built) {
      this.build(single ? shapes[0] : shapes);
      this.built = true;
    }
  }

  private applyEager(inputs: Tensor[], single: boolean, options: CallOptions): Tensor[] {
    // Losses added by calls belong to the latest outermost call (Keras clears them there).
    if (eagerCallDepth === 0) this.clearCallLosses();
    eagerCallDepth++;
    try {
      return this.applyEagerInner(inputs, single, options);
    } finally {
      eagerCallDepth--;
    }
  }

  private applyEagerInner(inputs: Tensor[], single: boolean, options: CallOptions): Tensor[] {
    const tensors = this.castInputs ? inputs.map((t) => (t.dtype === this.dtype ? t : t.cast(this.dtype))) : inputs;
    this.buildFor(
      tensors.map((t) => t.shape),
      single,
    );
    let mask = options.mask;
    if (mask === undefined && tensors.some((t) => eagerMasks.has(t))) {
      const masks = tensors.map((t) => eagerMasks.get(t) ?? null);
      mask = single ? masks[0] : masks;
    }
    const callOptions: CallOptions = mask === undefined ? options : { ...options, mask };
    const input = single ? tensors[0] : tensors;
    const out = this.call(input, callOptions);
    const outputs = Array.isArray(out) ? out : [out];
    const outMask = this.computeMask(input, mask);
    const outMasks = Array.isArray(outMask) ? outMask : [outMask];
    outputs.forEach((o, i) => {
      const m = outMasks[i] ?? null;
      if (m !== null) eagerMasks.set(o, m);
    });
    return outputs;
  }

  private applySymbolic(inputs: SymbolicTensor[], single: boolean, options: CallOptions): SymbolicTensor[] {
    const shapes = inputs.map((s) => s.shape);
    this.buildFor(shapes, single);
    const outShape = this.computeOutputShape(single ? shapes[0] : shapes);
    const outShapes = isShapeList(outShape) ? outShape : [outShape];
    const dtype = this.computeOutputDType(inputs.map((s) => s.dtype));
    const extra = symbolicOptions(options as Record<string, unknown>);
    const node = new LayerNode(this, [...inputs, ...extra], inputs.length, single, options as Record<string, unknown>);
    const index = this.inboundNodes.length;
    this.inboundNodes.push(node);
    node.outputs = outShapes.map(
      (s, i) => new SymbolicTensor(s, dtype, node, i, `${this.name}/${index}${outShapes.length > 1 ? `/${i}` : ""}`),
    );
    return node.outputs;
  }

  /** Sum of `losses` (0 when there are none). */
  regularizationLoss(): Tensor | null {
    const ls = this.losses;
    if (ls.length === 0) return null;
    return ls.reduce((a, b) => add(a, b));
  }

  // ---- serialization ----------------------------------------------------------------------------------------

  /** The constructor options that rebuild this layer (camelCase, JSON-able). Subclasses add theirs. */
  getConfig(): LayerConfig {
    const config: LayerConfig = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape !== null) config.batchInputShape = [...this.batchInputShape];
    return config;
  }

  toString(): string {
    return `${this.className}(name=${this.name})`;
  }
}

/** Throws a clear error when a dimension a layer needs is unknown. */
export function knownDim(shape: SymbolicShape, axis: number, layer: string, what: string): number {
  const d = shape[axis < 0 ? shape.length + axis : axis];
  if (d === null || d === undefined) {
    throw new ValueError(`${layer}: the ${what} dimension of the input must be known, got input shape ${formatSymbolicShape(shape)}`);
  }
  return d;
}

/** Adds `layer` to `found` once, never the owner itself (a linear scan: layers own few sublayers). */
function addTracked(found: Layer[], layer: Layer, owner: Layer): void {
  if (layer !== owner && !found.includes(layer)) found.push(layer);
}
