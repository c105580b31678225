/** The shape of a gradient (VJP) rule. One rule per primitive, in tables typed so none can be missing. */
import type { Attrs, IsMultiOutput, Primitive } from "../../backend/primitives.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface VjpContext<P extends Primitive> {
  /** The op's inputs as it saw them. */
  readonly inputs: readonly Tensor[];
  readonly attrs: Attrs<P>;
  readonly outputs: readonly Tensor[];
  /** Per input: whether its gradient is used. A rule may return null for the others (and skip their work). */
  readonly needsGrad: readonly boolean[];
}

/** The incoming gradient: one tensor, or one per output (null where an output received none). */
export type Cotangent<P extends Primitive> = IsMultiOutput<P> extends true ? readonly (Tensor | null)[] : Tensor;

/** Returns one gradient per input; null means zero (or an input that takes no gradient, such as indices). */
export type VjpFn<P extends Primitive> = (dy: Cotangent<P>, ctx: VjpContext<P>) => readonly (Tensor | null)[];

/** Marks a primitive with no gradient: reaching it in backprop is a NotDifferentiableError. */
export const NOT_DIFFERENTIABLE = "not differentiable";

export type VjpRule<P extends Primitive> = VjpFn<P> | typeof NOT_DIFFERENTIABLE;

export type VjpTable<K extends Primitive = Primitive> = { [P in K]: VjpRule<P> };
