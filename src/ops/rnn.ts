/** Fused recurrent cell steps: one kernel per timestep instead of a dozen elementwise ops. */
import { promoteTypes } from "../core/dtype.js";
import { ShapeError } from "../core/errors.js";
import { formatShape } from "../core/shape.js";
import { runPrimitive } from "../backend/dispatch.js";
import type { Tensor } from "../tensor/tensor.js";
import { castTo, floatInput, type TensorLike } from "./convert.js";
import { zeros } from "./creation.js";

/**
 * One LSTM step from its gate pre-activations z = x·W + h·U + b ([batch, 4·units], Keras's gate order i, f, g, o)
 * and the previous cell state c ([batch, units]), with sigmoid gates and tanh: returns [h, c'] where
 * c' = σ(z_f)·c + σ(z_i)·tanh(z_g) and h = σ(z_o)·tanh(c'). Differentiable in z and c.
 * `const [h, c2] = tn.lstmStep(tn.zeros([1, 4]), [[1]])` → h ≈ [[0.2311]], c2 = [[0.5]]
 */
export function lstmStep(z: TensorLike, c: TensorLike): [Tensor, Tensor] {
  let zt = floatInput(z, "lstmStep", "z");
  let ct = floatInput(c, "lstmStep", "c");
  if (zt.rank !== 2 || zt.shape[1] % 4 !== 0) {
    throw new ShapeError(`lstmStep: z must be [batch, 4·units] (the gates i, f, g, o side by side), got ${formatShape(zt.shape)}`);
  }
  const [batch, width] = zt.shape;
  const units = width / 4;
  if (ct.rank !== 2 || ct.shape[0] !== batch || ct.shape[1] !== units) {
    throw new ShapeError(`lstmStep: c must be ${formatShape([batch, units])} (z is ${formatShape(zt.shape)}), got ${formatShape(ct.shape)}`);
  }
  if (zt.dtype !== ct.dtype) {
    const dtype = promoteTypes(zt.dtype, ct.dtype);
    zt = castTo(zt, dtype);
    ct = castTo(ct, dtype);
  }
  const [h, c2] = runPrimitive("lstmCell", [zt, ct], {});
  return [h, c2];
}

/**
 * One GRU step with the reset gate applied after the recurrent product (Keras 3's default, `resetAfter: true`), from
 * the input projection xp = x·W + b and the recurrent projection hp = h·U (both [batch, 3·units], gates z, r, h), the
 * previous state h ([batch, units]) and the candidate's recurrent bias bh ([units], zeros by default):
 * z, r = σ(xp + hp), h̃ = tanh(xp_h + r·(hp_h + bh)), returns h' = z·h + (1 − z)·h̃. Differentiable in every input.
 * `tn.gruStep(tn.zeros([1, 3]), tn.zeros([1, 3]), [[1]])` → [[0.5]]
 */
export function gruStep(xp: TensorLike, hp: TensorLike, h: TensorLike, bh?: TensorLike): Tensor {
  let ts = [floatInput(xp, "gruStep", "xp"), floatInput(hp, "gruStep", "hp"), floatInput(h, "gruStep", "h")];
  const [x] = ts;
  if (x.rank !== 2 || x.shape[1] % 3 !== 0) {
    throw new ShapeError(`gruStep: xp must be [batch, 3·units] (the gates z, r, h side by side), got ${formatShape(x.shape)}`);
  }
  const [batch, width] = x.shape;
  const units = width / 3;
  const bias = bh === undefined ? null : floatInput(bh, "gruStep", "bh");
  const expect: [string, Tensor | null, number[]][] = [["hp", ts[1], [batch, width]], ["h", ts[2], [batch, units]], ["bh", bias, [units]]];
  for (const [name, t, shape] of expect) {
    if (t !== null && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      throw new ShapeError(`gruStep: ${name} must be ${formatShape(shape)} (xp is ${formatShape(x.shape)}), got ${formatShape(t.shape)}`);
    }
  }
  if (bias !== null) ts.push(bias);
  const dtype = ts.map((t) => t.dtype).reduce((a, b) => promoteTypes(a, b));
  ts = ts.map((t) => castTo(t, dtype));
  if (bias === null) ts.push(zeros([units], dtype));
  return runPrimitive("gruCell", ts, {});
}
