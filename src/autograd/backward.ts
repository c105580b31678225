/** PyTorch-style `tensor.backward()`, accumulating into `.grad` of leaf tensors that require gradients. */
import { ValueError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import { onesLike } from "../ops/creation.js";
import { add } from "../ops/elementwise.js";
import { toTensor, type TensorLike } from "../ops/convert.js";
import { GLOBAL_TAPE, noGrad } from "../tensor/graph.js";
import { Tensor } from "../tensor/tensor.js";
import { backprop } from "./backprop.js";

export interface BackwardOptions {
  /** Record the backward pass itself, so `.grad` can be differentiated again (default false). */
  createGraph?: boolean;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * Computes the gradient of this tensor with respect to every leaf tensor with `requiresGrad` and adds it to
     * their `.grad`. A non-scalar tensor needs `gradient` (the vector of the vector-Jacobian product).
     */
    backward(gradient?: TensorLike, options?: BackwardOptions): void;
  }
}

function isLeafRequiringGrad(t: Tensor): boolean {
  return t.requiresGrad && (t.node === null || !t.node.tapes.includes(GLOBAL_TAPE));
}

Tensor.prototype.backward = function backward(this: Tensor, gradient?: TensorLike, options: BackwardOptions = {}): void {
  if (!this.requiresGrad) {
    throw new ValueError("backward: this tensor does not require grad (no input with requiresGrad = true reached it)");
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (this.size !== 1) {
      throw new ValueError(`backward: gradient is required for a non-scalar tensor, got shape ${formatShape(this.shape)}`);
    }
    seed = onesLike(this);
  } else {
    seed = toTensor(gradient, "backward", "gradient", this.dtype);
    if (!shapesEqual(seed.shape, this.shape)) {
      throw new ValueError(`backward: gradient has shape ${formatShape(seed.shape)}, expected ${formatShape(this.shape)}`);
    }
  }
  const run = (): void => {
    const grads = backprop(GLOBAL_TAPE, [this], [seed], isLeafRequiringGrad, "backward");
    for (const [leaf, g] of grads) leaf.grad = leaf.grad === null ? g : add(leaf.grad, g);
  };
  if (options.createGraph) run();
  else noGrad(run);
};

/** Clears `.grad` on each tensor (PyTorch's zero_grad with set_to_none). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
