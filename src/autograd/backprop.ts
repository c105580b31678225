/** Reverse-mode accumulation over the nodes one tape recorded. */
import { isFloatDType } from "../core/dtype.js";
import { NotDifferentiableError, TensileError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import type { Primitive } from "../backend/primitives.js";
import { add } from "../ops/elementwise.js";
import { castTo } from "../ops/convert.js";
import type { GraphNode, Tape } from "../tensor/graph.js";
import type { Tensor } from "../tensor/tensor.js";
import { vjpRules } from "./rules/index.js";
import { NOT_DIFFERENTIABLE, type VjpFn } from "./rules/rule.js";

/** The pseudo-primitive of a `customGrad` node; its attrs carry the gradient function. */
export const CUSTOM_GRAD = "customGrad";
export interface CustomGradAttrs {
  gradFunc: (dy: Tensor) => readonly (Tensor | null)[];
}

function onTape(node: GraphNode | null, tape: Tape): node is GraphNode {
  return node !== null && node.tapes.includes(tape);
}

/** A tensor's gradient slot: a Variable's snapshots all accumulate into the Variable. */
export function gradKey(t: Tensor): Tensor {
  return t.source ?? t;
}

/** Nodes reachable from the targets on `tape`, inputs before outputs (iterative: graphs can be deep). */
function topologicalOrder(targets: readonly Tensor[], tape: Tape): GraphNode[] {
  const order: GraphNode[] = [];
  const visited = new Set<GraphNode>();
  const stack: [GraphNode, number][] = [];
  for (const t of targets) {
    if (!onTape(t.node, tape) || visited.has(t.node)) continue;
    visited.add(t.node);
    stack.push([t.node, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [node, next] = top;
      if (next < node.inputs.length) {
        top[1]++;
        const child = node.inputs[next].node;
        if (onTape(child, tape) && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order;
}

function callRule(
  node: GraphNode,
  grads: Map<Tensor, Tensor>,
  needsGrad: readonly boolean[],
  op: string,
): readonly (Tensor | null)[] | null {
  if (node.prim === CUSTOM_GRAD) {
    const dy = grads.get(node.outputs[0]);
    return dy === undefined ? null : (node.attrs as CustomGradAttrs).gradFunc(dy);
  }
  const prim = node.prim as Primitive;
  const rule = vjpRules[prim];
  const multi = node.outputs.length > 1;
  const dys = node.outputs.map((o) => grads.get(o) ?? null);
  if (dys.every((d) => d === null)) return null;
  if (rule === undefined) throw new TensileError(`${op}: internal error: no gradient rule for the primitive ${prim}`);
  if (rule === NOT_DIFFERENTIABLE) {
    throw new NotDifferentiableError(
      `${op}: ${prim} is not differentiable, but a gradient flows into it; ` +
        `stop the gradient before it (detach(), or compute it inside tn.noGrad)`,
    );
  }
  const ctx = { inputs: node.inputs, attrs: node.attrs, outputs: node.outputs, needsGrad } as never;
  return multi ? (rule as VjpFn<"sort">)(dys, ctx) : (rule as VjpFn<"add">)(dys[0] as Tensor, ctx);
}

/**
 * Propagates `seeds` (one per target) back through `tape`'s nodes. Returns the accumulated gradients of the
 * tensors for which `wanted` holds (keyed by `gradKey`).
 */
export function backprop(
  tape: Tape,
  targets: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: (key: Tensor) => boolean,
  op: string,
): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (key: Tensor, g: Tensor): void => {
    const prev = grads.get(key);
    grads.set(key, prev === undefined ? g : add(prev, g));
  };
  targets.forEach((t, i) => accumulate(gradKey(t), seeds[i]));
  const order = topologicalOrder(targets, tape);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n];
    // Inputs whose gradient goes somewhere: produced on this tape, or asked for. Rules may skip the others.
    const needsGrad = node.inputs.map((input) => onTape(input.node, tape) || wanted(gradKey(input)));
    const inputGrads = callRule(node, grads, needsGrad, op);
    for (const o of node.outputs) if (!wanted(o)) grads.delete(o);
    if (inputGrads === null) continue;
    node.inputs.forEach((input, i) => {
      let g = inputGrads[i];
      if (g === null || g === undefined) return;
      if (!needsGrad[i]) return;
      if (!shapesEqual(g.shape, input.shape)) {
        throw new TensileError(
          `${op}: internal error: the gradient rule of ${node.prim} gave input ${i} a gradient of shape ` +
            `${formatShape(g.shape)}, expected ${formatShape(input.shape)}`,
        );
      }
      if (g.dtype !== input.dtype && isFloatDType(input.dtype)) g = castTo(g, input.dtype);
      accumulate(gradKey(input), g);
    });
  }
  for (const key of [...grads.keys()]) if (!wanted(key)) grads.delete(key);
  return grads;
}
