/**
 * Ops the recurrent loop needs with cheaper gradients than their plain compositions.
 *
 * Backprop through time slices one tensor into T steps and reads the recurrent kernel T times. Composed from
 * `slice`, each step's gradient would be a zero-filled tensor of the whole input (O(T²) work), and the kernel's
 * gradient would be T small matMuls plus T additions. Here the T slices are the outputs of one op whose gradient is
 * a single concat, and the kernel's gradient is one matMul over all steps at the end of backprop (RecurrentProduct;
 * RecurrentLinear also folds each step's input projection in, for cells whose pre-activation is xp + h·R).
 * They rely on customGrad and on backprop running a node's rule after the rules of every node that consumes it.
 */
import { customGrad } from "../../autograd/functional.js";
import { zeros, zerosLike } from "../../ops/creation.js";
import { add } from "../../ops/elementwise.js";
import { matMul } from "../../ops/linalg.js";
import { concat, reshape, slice, transpose } from "../../ops/shape.js";
import { tapesForOp } from "../../tensor/graph.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Whether a gradient may flow back into any of these tensors (some tape records ops on them). */
export function isRecorded(ts: readonly Tensor[]): boolean {
  return tapesForOp(ts) !== null;
}

type Grads = readonly (Tensor | null)[];

/**
 * One recorded op with several outputs (customGrad records ops with one). `forward` computes the outputs;
 * `backward` receives each output's gradient (null where none arrived) and returns the inputs' gradients.
 *
 * How: a scalar "token" is the op's only recorded output; each real output is a customGrad of the token that
 * stores its gradient and sends the token a zero. The token comes before all outputs in the graph, so its rule runs
 * after theirs, once per backprop, with every gradient stored.
 */
export function multiOutputOp(inputs: readonly Tensor[], forward: () => Tensor[], backward: (dys: Grads) => Grads): Tensor[] {
  if (!isRecorded(inputs)) return forward();
  let outputs: Tensor[] = [];
  let dys: (Tensor | null)[] = [];
  const token = customGrad(() => {
    outputs = forward();
    dys = outputs.map(() => null);
    return {
      value: zeros([], "float32"),
      gradFunc: () => {
        const got = dys;
        dys = outputs.map(() => null);
        return backward(got);
      },
    };
  })(...inputs);
  return outputs.map((value, k) =>
    customGrad((tok) => ({
      value,
      gradFunc: (dy) => {
        dys[k] = dy;
        return [zerosLike(tok)];
      },
    }))(token),
  );
}

/** Zeros standing in for outputs no gradient reached. */
function filled(dys: Grads, shapes: readonly (readonly number[])[], dtype: Tensor["dtype"]): Tensor[] {
  return dys.map((d, i) => d ?? zeros(shapes[i], dtype));
}

/**
 * The T row blocks of a time-major [T·B, n] tensor as T tensors [B, n] (views); the gradient is one concat.
 */
export function splitSteps(x: Tensor, steps: number): Tensor[] {
  const batch = x.shape[0] / steps;
  const n = x.shape[1];
  const shape = [batch, n];
  return multiOutputOp(
    [x],
    () => Array.from({ length: steps }, (_, t) => slice(x, [t * batch, 0], shape)),
    (dys) => [concat(filled(dys, dys.map(() => shape), x.dtype), 0)],
  );
}

/** Splits the last axis of a [B, n] tensor into parts of the given sizes; the gradient is one concat. */
export function splitColumns(x: Tensor, sizes: readonly number[]): Tensor[] {
  const rows = x.shape[0];
  const shapes = sizes.map((s) => [rows, s]);
  return multiOutputOp(
    [x],
    () => {
      let offset = 0;
      return sizes.map((s) => {
        const part = slice(x, [0, offset], [rows, s]);
        offset += s;
        return part;
      });
    },
    (dys) => [concat(filled(dys, shapes, x.dtype), 1)],
  );
}

/**
 * `h · kernel` at every step of a loop, where the kernel's gradient Σ_t h_tᵀ·dy_t is computed once, as one matMul
 * of the stacked h's and dy's, instead of one matMul and one addition per step.
 */
export class RecurrentProduct {
  private readonly token: Tensor | null;
  private hs: Tensor[] = [];
  private dys: Tensor[] = [];

  constructor(private readonly kernel: Tensor) {
    this.token = isRecorded([kernel])
      ? customGrad(() => ({ value: zeros([], "float32"), gradFunc: () => [this.kernelGrad()] }))(kernel)
      : null;
  }

  apply(h: Tensor): Tensor {
    const token = this.token;
    if (token === null) return matMul(h, this.kernel);
    const kernel = this.kernel;
    const needsH = isRecorded([h]);
    return customGrad((hv, tok) => ({
      value: matMul(hv, kernel),
      gradFunc: (dy) => {
        this.hs.push(hv);
        this.dys.push(dy);
        return [needsH ? matMul(dy, kernel, false, true) : null, zerosLike(tok)];
      },
    }))(h, token);
  }

  private kernelGrad(): Tensor {
    const hs = this.hs;
    const dys = this.dys;
    this.hs = [];
    this.dys = [];
    if (hs.length === 0) return zerosLike(this.kernel);
    if (hs.length === 1) return matMul(hs[0], dys[0], true, false);
    return matMul(concat(hs, 0), concat(dys, 0), true, false);
  }
}

/** p + h·kernel, handing the product's memory back at once (the step's working set keeps only the sum). */
function addProduct(p: Tensor, h: Tensor, kernel: Tensor): Tensor {
  const product = matMul(h, kernel);
  const z = add(p, product);
  product.dispose();
  return z;
}

/**
 * z_t = P_t + h_t · kernel for the steps of a loop, where P [T·B, n] holds every step's input projection
 * (time-major rows, P_t the block of step t). Each step is one recorded op; its rule gives dh_t = dz_t·kernelᵀ at
 * once and keeps dz_t, so that P's gradient is one concat of the dz's and the kernel's is one matMul Hᵀ·dP.
 */
export class RecurrentLinear {
  private readonly token: Tensor;
  private readonly batch: number;
  private hs: (Tensor | null)[];
  private dzs: (Tensor | null)[];

  constructor(
    private readonly projected: Tensor,
    private readonly kernel: Tensor,
    private readonly steps: number,
  ) {
    this.batch = projected.shape[0] / steps;
    this.hs = new Array<Tensor | null>(steps).fill(null);
    this.dzs = new Array<Tensor | null>(steps).fill(null);
    const needs = [isRecorded([projected]), isRecorded([kernel])];
    this.token = customGrad(() => ({ value: zeros([], "float32"), gradFunc: () => this.grads(needs) }))(projected, kernel);
  }

  /** Step t's pre-activation P_t + h·kernel. */
  step(t: number, h: Tensor): Tensor {
    const { projected, kernel, batch } = this;
    const n = projected.shape[1];
    const needsH = isRecorded([h]);
    return customGrad((hv, tok) => ({
      value: addProduct(slice(projected, [t * batch, 0], [batch, n]), hv, kernel),
      gradFunc: (dz) => {
        this.hs[t] = hv;
        this.dzs[t] = dz;
        return [needsH ? matMul(dz, kernel, false, true) : null, zerosLike(tok)];
      },
    }))(h, this.token);
  }

  private grads([needsP, needsK]: boolean[]): (Tensor | null)[] {
    const { batch, projected, kernel } = this;
    const n = projected.shape[1];
    const dzs = this.dzs.map((d) => d ?? zeros([batch, n], projected.dtype));
    const hs = this.hs.map((h) => h ?? zeros([batch, kernel.shape[0]], projected.dtype));
    this.hs = new Array<Tensor | null>(this.steps).fill(null);
    this.dzs = new Array<Tensor | null>(this.steps).fill(null);
    const dP = this.steps === 1 ? dzs[0] : concat(dzs, 0);
    const dK = needsK ? matMul(this.steps === 1 ? hs[0] : concat(hs, 0), dP, true, false) : null;
    return [needsP ? dP : null, dK];
  }
}

/** [B, T, ...] → [T, B, ...] (a reshape when B or T is 1). */
export function swapBatchTime(x: Tensor): Tensor {
  const [b, t, ...rest] = x.shape;
  if (b === 1 || t === 1) return reshape(x, [t, b, ...rest]);
  return transpose(x, [1, 0, ...rest.map((_, i) => i + 2)]);
}
