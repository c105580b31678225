/** JAX / TF.js-style function transforms: grad, grads, valueAndGrad(s), vjp, variableGrads, customGrad. */
import { ValueError } from "../core/errors.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { toTensor, type TensorLike } from "../ops/convert.js";
import { addVariableWatcher, noGrad, recordOp, removeVariableWatcher, Tape } from "../tensor/graph.js";
import { Tensor, type Variable } from "../tensor/tensor.js";
import { backprop, CUSTOM_GRAD, gradKey, type CustomGradAttrs } from "./backprop.js";
import { unwatchOn, watchOn } from "./gradient-tape.js";

interface Traced {
  value: Tensor;
  /** Gradients of the value with respect to `sources` (zeros where unconnected). */
  pullback: (seed: Tensor) => Tensor[];
}

/** Runs `f` with a private tape watching `sources`; the pullback may be called any number of times. */
function trace(op: string, sources: readonly Tensor[], f: () => Tensor): Traced {
  const tape = new Tape(false);
  for (const s of sources) watchOn(tape, s, op);
  let value: Tensor;
  try {
    value = f();
  } finally {
    tape.recording = false;
    for (const s of sources) unwatchOn(tape, s);
  }
  if (!(value instanceof Tensor)) throw new ValueError(`${op}: f must return a Tensor, got ${typeof value}`);
  const keys = new Set(sources.map(gradKey));
  return {
    value,
    pullback: (seed) => {
      if (!shapesEqual(seed.shape, value.shape)) {
        throw new ValueError(`${op}: dy has shape ${formatShape(seed.shape)}, expected f's output shape ${formatShape(value.shape)}`);
      }
      const grads = backprop(tape, [value], [seed], (k) => keys.has(k), op);
      return sources.map((s) => grads.get(gradKey(s)) ?? zerosLike(s));
    },
  };
}

function asSources(op: string, args: readonly TensorLike[]): Tensor[] {
  // Distinct tensor objects, so the same value passed twice gets two gradients.
  return args.map((a, i) => {
    const t = toTensor(a, op, `args[${i}]`);
    return args.indexOf(t) !== i ? t.detach() : t;
  });
}

/**
 * The gradient of a scalar-valued `f` with respect to its argument; composable (`grad(grad(f))`).
 * `tn.grad((x) => x.square())(3)` → 6
 */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: Tensor) => Tensor {
  return (x, dy) => {
    const [t] = asSources("grad", [x]);
    const { value, pullback } = trace("grad", [t], () => f(t));
    return pullback(dy ?? onesLike(value))[0];
  };
}

/** Gradients with respect to every argument. `tn.grads((a, b) => a.mul(b))([2, 3])` → [3, 2] */
export function grads(f: (...args: Tensor[]) => Tensor): (args: readonly TensorLike[], dy?: Tensor) => Tensor[] {
  return (args, dy) => {
    const ts = asSources("grads", args);
    const { value, pullback } = trace("grads", ts, () => f(...ts));
    return pullback(dy ?? onesLike(value));
  };
}

/** f(x) and its gradient in one pass. */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  return (x, dy) => {
    const [t] = asSources("valueAndGrad", [x]);
    const { value, pullback } = trace("valueAndGrad", [t], () => f(t));
    return { value, grad: pullback(dy ?? onesLike(value))[0] };
  };
}

/** f(...args) and the gradient with respect to every argument. */
export function valueAndGrads(
  f: (...args: Tensor[]) => Tensor,
): (args: readonly TensorLike[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  return (args, dy) => {
    const ts = asSources("valueAndGrads", args);
    const { value, pullback } = trace("valueAndGrads", ts, () => f(...ts));
    return { value, grads: pullback(dy ?? onesLike(value)) };
  };
}

/**
 * JAX's vjp: evaluates f at the primals and returns the value with a function from an output cotangent to the
 * input cotangents. `const [y, pullback] = tn.vjp((x) => x.exp(), x); pullback(dy)`
 */
export function vjp(f: (...args: Tensor[]) => Tensor, ...primals: TensorLike[]): [Tensor, (cotangent: TensorLike) => Tensor[]] {
  const ts = asSources("vjp", primals);
  const { value, pullback } = trace("vjp", ts, () => f(...ts));
  return [value, (ct) => pullback(toTensor(ct, "vjp", "cotangent", value.dtype))];
}

/**
 * TF.js's variableGrads: the value of `f` and its gradients with respect to trainable Variables (all those it
 * reads, or `varList`), keyed by variable name.
 */
export function variableGrads(f: () => Tensor, varList?: readonly Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  // Without varList, every trainable Variable read is watched (the tape must be registered for that).
  const tape = new Tape(varList === undefined);
  const explicit = varList ?? [];
  for (const v of explicit) watchOn(tape, v, "variableGrads");
  if (varList === undefined) addVariableWatcher(tape);
  let value: Tensor;
  const touched = new Set<Variable>();
  try {
    value = f();
  } finally {
    tape.recording = false;
    removeVariableWatcher(tape);
    for (const v of explicit) unwatchOn(tape, v);
  }
  // The variables read are the snapshot sources reachable on this tape.
  const grads = backprop(tape, [value], [onesLike(value)], (k) => {
    if (k.isVariable() && (varList === undefined ? k.trainable : explicit.includes(k))) {
      touched.add(k);
      return true;
    }
    return false;
  }, "variableGrads");
  const out: Record<string, Tensor> = {};
  for (const v of varList ?? touched) out[v.name] = grads.get(v) ?? zerosLike(v);
  return { value, grads: out };
}

/**
 * A function with a hand-written gradient. `f` returns the value and a `gradFunc(dy)` giving one gradient per
 * input; ops inside `f` are not recorded.
 * ```ts
 * const clippedIdentity = tn.customGrad((x) => ({ value: x.add(0), gradFunc: (dy) => [dy.clipByValue(-1, 1)] }));
 * ```
 */
export function customGrad(
  f: (...inputs: Tensor[]) => { value: Tensor; gradFunc: (dy: Tensor) => readonly (Tensor | null)[] },
): (...inputs: TensorLike[]) => Tensor {
  return (...inputs) => {
    const ts = inputs.map((x, i) => toTensor(x, "customGrad", `inputs[${i}]`));
    const { value, gradFunc } = noGrad(() => f(...ts));
    // A fresh tensor object, so recording does not overwrite the node of a tensor `f` may have returned as is.
    const out = new Tensor(value.shape, value.dtype, value.storage);
    const attrs: CustomGradAttrs = {
      gradFunc: (dy) => {
        const g = gradFunc(dy);
        if (g.length !== ts.length) {
          throw new ValueError(`customGrad: gradFunc returned ${g.length} gradients for ${ts.length} inputs`);
        }
        return g;
      },
    };
    recordOp(CUSTOM_GRAD, ts, attrs, [out]);
    return out;
  };
}
