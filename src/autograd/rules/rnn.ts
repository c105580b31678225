/** Gradient rules of the fused recurrent cell steps. */
import { runPrimitive } from "../../backend/dispatch.js";
import type { RnnPrimitives } from "../../backend/primitives.js";
import { zeros } from "../../ops/creation.js";
import { sigmoid } from "../../ops/activations.js";
import { add, mul, square, sub, tanh } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { concat, reshape, slice } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { vjp } from "../functional.js";
import type { VjpTable } from "./rule.js";

/**
 * lstmCellGrad written with ops (the kernels compute the same in one pass): [dz, dc] as one [B, 5u] tensor, so that
 * its own gradient (second order) is a vjp of differentiable ops.
 */
function lstmCellGradComposite(z: Tensor, c: Tensor, dh: Tensor, dc: Tensor): Tensor {
  const [batch, u] = c.shape;
  const gate = (k: number): Tensor => slice(z, [0, k * u], [batch, u]);
  const i = sigmoid(gate(0));
  const f = sigmoid(gate(1));
  const g = tanh(gate(2));
  const o = sigmoid(gate(3));
  const t = tanh(add(mul(f, c), mul(i, g)));
  const dct = add(dc, mul(mul(dh, o), sub(1, square(t))));
  const dSigmoid = (s: Tensor): Tensor => mul(s, sub(1, s));
  return concat(
    [
      mul(mul(dct, g), dSigmoid(i)),
      mul(mul(dct, c), dSigmoid(f)),
      mul(mul(dct, i), sub(1, square(g))),
      mul(mul(dh, t), dSigmoid(o)),
      mul(dct, f),
    ],
    1,
  );
}

/** gruCellGrad written with ops: [dxp, dhp, dh, dbh] flattened into one vector (for the second order). */
function gruCellGradComposite(xp: Tensor, hp: Tensor, h: Tensor, bh: Tensor, dh2: Tensor): Tensor {
  const [batch, u] = h.shape;
  const part = (t: Tensor, k: number): Tensor => slice(t, [0, k * u], [batch, u]);
  const z = sigmoid(add(part(xp, 0), part(hp, 0)));
  const r = sigmoid(add(part(xp, 1), part(hp, 1)));
  const a = add(part(hp, 2), bh);
  const cand = tanh(add(part(xp, 2), mul(r, a)));
  const dPre = mul(mul(dh2, sub(1, z)), sub(1, square(cand)));
  const dz = mul(mul(dh2, sub(h, cand)), mul(z, sub(1, z)));
  const dr = mul(mul(dPre, a), mul(r, sub(1, r)));
  const da = mul(dPre, r);
  const flat = (t: Tensor): Tensor => reshape(t, [t.size]);
  return concat([concat([dz, dr, dPre], 1), concat([dz, dr, da], 1), mul(dh2, z), sum(da, { axis: 0 })].map(flat), 0);
}

export const rnnRules: VjpTable<keyof RnnPrimitives> = {
  // dz, dc = lstmCellGrad(z, c, dh, dc'): the chain rule through the gates, with dh, dc' zero where none arrived.
  lstmCell: ([dh, dc], { inputs: [z, c], needsGrad }) => {
    const [dz, dcPrev] = runPrimitive("lstmCellGrad", [z, c, dh ?? zeros(c.shape, c.dtype), dc ?? zeros(c.shape, c.dtype)], {});
    return [needsGrad[0] ? dz : null, needsGrad[1] ? dcPrev : null];
  },
  // The second order: the vjp of the same computation written with ops.
  lstmCellGrad: ([gz, gc], { inputs }) => {
    const [z, c] = inputs;
    const [batch, u] = c.shape;
    const [, pullback] = vjp(lstmCellGradComposite, ...inputs);
    return pullback(concat([gz ?? zeros([batch, 4 * u], z.dtype), gc ?? zeros([batch, u], c.dtype)], 1));
  },
  // dxp, dhp, dh, dbh = gruCellGrad(xp, hp, h, bh, dh').
  gruCell: (dy, { inputs, needsGrad }) => {
    const grads = runPrimitive("gruCellGrad", [...inputs, dy], {});
    return grads.map((g, i) => (needsGrad[i] ? g : null));
  },
  gruCellGrad: (cotangents, { inputs, outputs }) => {
    const [, pullback] = vjp(gruCellGradComposite, ...inputs);
    const parts = outputs.map((o, i) => reshape(cotangents[i] ?? zeros(o.shape, o.dtype), [o.size]));
    return pullback(concat(parts, 0));
  },
};
